"""`base/SeriesOrders.sol`: the order book of each series token (SPEC section 3a, `ISeriesOrders`): two
first-in first-out queues (mints, redeems), the escrow, the round check, and the batch handed to the pool's
`executeOrders` (`pool_orders`). Orders are plain tuples; executed and refunded ones are dropped from the
model's dicts (the contract's ring slots keep them, unreachable outside [head, tail))."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import (
    NoOrdersDue,
    NothingToClaim,
    OrderDueEarlier,
    OrderTooSmall,
    QueueFull,
    ZeroAddress,
    ZeroAmount,
)
from ..evm import Chain, tx
from ..libraries import order_rounds
from ..libraries.order_rounds import DUE, EARLIER, EXPIRED as EXPIRED_VERDICT, NOT_DUE, Round
from ..libraries.series import LOCK_ADDRESS, LOCKED_SUPPLY, REFUNDED, REFUNDED_CAPACITY, State
from ..oz.erc20 import ZERO_ADDRESS
from ..oz.safe_cast import to_uint128
from ..solidity import abi_uint

if TYPE_CHECKING:
    from ..mocks.mock_aggregator import MockAggregatorModel
    from ..mocks.mock_erc20 import MockERC20Model
    from ..pool_orders import OrderIn

MINT, REDEEM = 0, 1  # `ISeriesOrders.Kind`
NONE, SLIPPAGE, EXPIRED, CAPACITY, UNVERIFIABLE = 0, 1, 2, 3, 6  # `RefundReason`s this file sets (the rest: the pool's)
QUEUE_SIZE = 1024
MAX_UNUSABLE_ROUNDS = order_rounds.MAX_UNUSABLE_ROUNDS
MAX_ROUND_SCAN = order_rounds.MAX_ROUND_SCAN


class Order(NamedTuple):
    """`ISeriesOrders.Order`."""

    receiver: str
    due_at: int  # request time + the minDelay then
    execution_fee: int
    amount: int
    min_out: int


class OrderParams(NamedTuple):
    """`ISeriesOrders.OrderParams`."""

    min_delay: int
    max_order_age: int
    execution_fee: int
    min_mint_assets: int


class OrderBook:
    """One token's `SeriesOrders` storage."""

    __slots__ = ("claimable", "heads", "last_due", "owners", "params", "queues", "tails")

    def __init__(self, params: OrderParams) -> None:
        self.params = params
        self.last_due = 0  # `_lastDue`: the latest dueAt given (uint32)
        self.heads = [0, 0]
        self.tails = [0, 0]
        self.queues: tuple[dict[int, Order], dict[int, Order]] = ({}, {})
        self.owners: tuple[dict[int, str], dict[int, str]] = ({}, {})
        self.claimable: dict[str, int] = {}

    def save(self) -> tuple[Any, ...]:
        """Cheap while the book is empty (the hot path of the fuzzers)."""
        q, o, c = self.queues, self.owners, self.claimable
        busy = q[0] or q[1] or o[0] or o[1] or c
        return (self.params, self.last_due, tuple(self.heads), tuple(self.tails),
                (dict(q[0]), dict(q[1]), dict(o[0]), dict(o[1]), dict(c)) if busy else None)

    def load(self, saved: tuple[Any, ...]) -> None:
        self.params, self.last_due, heads, tails, dicts = saved
        self.heads[:], self.tails[:] = heads, tails
        q, o, c = self.queues, self.owners, self.claimable
        if dicts is None and not (q[0] or q[1] or o[0] or o[1] or c):
            return  # empty before and after: the hot path
        for d, old in zip((*q, *o, c), dicts or ({},) * 5):
            d.clear()
            d.update(old)

    def owner_of(self, kind: int, order_id: int, receiver: str) -> str:
        return self.owners[kind].get(order_id, receiver)

    def due_by(self, updated_at: int) -> bool:
        """`ordersDueBy`."""
        for kind in (MINT, REDEEM):
            head = self.heads[kind]
            if head < self.tails[kind] and self.queues[kind][head].due_at < updated_at:
                return True
        return False


class SeriesOrdersCalls(Chain):
    """Transactions to and views of the series tokens' order books, by token address."""

    oracle: MockAggregatorModel
    asset: MockERC20Model
    address: str
    _oracle_decimals: int

    if TYPE_CHECKING:
        def _token(self, token: str) -> State: ...

        def _pool_series(self, token: str) -> None: ...

        def _require_mints_open(self, token: str) -> None: ...

        def _check_residual(self, s: State, account: str) -> None: ...  # `LeveragedToken._checkResidual`

        def _execute_orders(self, token: str, s: State, price: int, prev_at: int, supply: int,
                            mints: list[OrderIn], redeems: list[OrderIn], direct: bool) -> tuple[list[int], int, int]: ...

    # ------------------------------------------------------------------ requests

    @tx
    def request_mint(self, sender: str, token: str, assets: int, min_tokens: int, receiver: str) -> int:
        """`requestMint(assets, minTokens, receiver)`: escrows assets + the execution fee in the token."""
        s = self._token(token)
        book = s.book
        op = book.params
        if abi_uint(assets) == 0 or assets < op.min_mint_assets:
            raise OrderTooSmall(assets, op.min_mint_assets)
        self._require_mints_open(token)
        order_id = self._enqueue(s, MINT, sender, receiver, op.execution_fee, assets, abi_uint(min_tokens))
        self.asset.transfer_from(token, sender, token, assets + op.execution_fee)
        return order_id

    @tx
    def request_redeem(self, sender: str, token: str, tokens: int, min_assets: int, receiver: str) -> int:
        """`requestRedeem(tokens, minAssets, receiver)`: escrows the tokens in the token contract."""
        s = self._token(token)
        if abi_uint(tokens) == 0:
            raise ZeroAmount()
        s.ledger.transfer(sender, token, tokens)
        self._check_residual(s, sender)
        return self._enqueue(s, REDEEM, sender, receiver, s.book.params.execution_fee, tokens, abi_uint(min_assets))

    def _enqueue(self, s: State, kind: int, sender: str, receiver: str, fee: int, amount: int, min_out: int) -> int:
        if receiver == ZERO_ADDRESS:
            raise ZeroAddress()
        book = s.book
        head, tail = book.heads[kind], book.tails[kind]
        if tail - head >= QUEUE_SIZE:
            raise QueueFull(kind)
        due_at = (self.now + book.params.min_delay) & 0xFFFFFFFF
        if due_at < book.last_due:  # queues stay in time order when minDelay is lowered
            due_at = book.last_due
        else:
            book.last_due = due_at
        book.queues[kind][tail] = Order(receiver, due_at, fee, to_uint128(amount), to_uint128(min_out))
        if receiver != sender:
            book.owners[kind][tail] = sender
        book.tails[kind] = tail + 1
        self._ev.append(("OrderRequested", {"kind": kind, "id": tail, "owner": sender, "receiver": receiver,
                                            "amount": amount, "minOut": min_out, "executionFee": fee}))
        return tail

    # ------------------------------------------------------------------ execution

    @tx
    def execute_orders(self, sender: str, token: str, round_id: int, max_orders: int) -> int:
        """`executeOrders(roundId, maxOrders)` sent by `sender` (the executor). Returns the orders done."""
        return self._execute(token, round_id, max_orders, sender)

    def _execute(self, token: str, round_id: int, max_orders: int, executor: str) -> int:
        """`_execute`: the batch; the execution fees go to `executor` (`executeOrdersFor` from the pool)."""
        s = self._token(token)
        book = s.book
        rd = order_rounds.read(self.oracle, self._oracle_decimals, round_id, book.params.max_order_age, self.now)
        m = self._take(book, MINT, rd, abi_uint(max_orders))
        r = self._take(book, REDEEM, rd, max_orders)
        done = len(m.orders) + len(r.orders)
        if done == 0:
            raise NoOrdersDue(round_id)
        supply = s.ledger.total_supply
        outs: list[int] = []
        mint_refund, flow = 0, 0
        if m.ins or r.ins:
            self._pool_series(token)
            outs, mint_refund, flow = self._execute_orders(token, s, rd.price, rd.prev_at, supply, m.ins,
                                                             r.ins, False)
        book.heads[MINT] = m.head + len(m.orders)
        book.heads[REDEEM] = r.head + len(r.orders)
        fees = self._settle_mints(s, token, m, outs, mint_refund, round_id, supply)
        fees += self._settle_redeems(s, token, r, outs, len(m.ins), round_id)
        if flow > 0:
            self.asset.transfer(token, self.address, flow)
        self._pay(s, token, executor, fees)
        return done

    def _take(self, book: OrderBook, kind: int, rd: Round, max_orders: int) -> Take:
        """`_take`: classifies up to `max_orders` orders of `kind` from the head at round `rd`."""
        head, tail = book.heads[kind], book.tails[kind]
        t = Take(head)
        queue = book.queues[kind]
        for i in range(min(tail - head, max_orders)):
            order_id = head + i
            o = queue[order_id]
            v = order_rounds.classify(rd, o.due_at, self.oracle, self.now)
            if v == NOT_DUE:
                break
            if v == EARLIER:
                raise OrderDueEarlier(kind, order_id, rd.id)
            refund = NONE if v == DUE else EXPIRED if v == EXPIRED_VERDICT else UNVERIFIABLE
            t.orders.append(o)
            t.refund.append(refund)
            if refund == NONE:
                from ..pool_orders import OrderIn

                min_out = o.min_out + o.execution_fee if kind == REDEEM else o.min_out
                t.ins.append(OrderIn(book.owner_of(kind, order_id, o.receiver), o.receiver, o.amount, min_out))
        return t

    def _settle_mints(self, s: State, token: str, m: Take, outs: list[int], mint_refund: int, round_id: int,
                      supply: int) -> int:
        """`_settleMints`: mints the tokens, refunds the rest; returns the executor's fees."""
        book, fees, k, minted = s.book, 0, 0, False
        for i, o in enumerate(m.orders):
            order_id = m.head + i
            reason = m.refund[i]
            if reason == NONE:
                out = outs[k]
                k += 1
                if out < REFUNDED_CAPACITY:
                    s.ledger.mint(o.receiver, out)
                    minted = True
                    fees += o.execution_fee
                    self._ev.append(("OrderExecuted", {"kind": MINT, "id": order_id, "receiver": o.receiver,
                                                       "roundId": round_id, "amountOut": out}))
                    self._forget(book, MINT, order_id)
                    continue
                reason = CAPACITY if out == REFUNDED_CAPACITY else mint_refund or SLIPPAGE
            owner = book.owner_of(MINT, order_id, o.receiver)
            self._pay(s, token, owner, o.amount + o.execution_fee)
            self._ev.append(("OrderRefunded", {"kind": MINT, "id": order_id, "owner": owner, "reason": reason}))
            self._forget(book, MINT, order_id)
        if minted and supply == 0:
            s.ledger.mint(LOCK_ADDRESS, LOCKED_SUPPLY)
        return fees

    def _settle_redeems(self, s: State, token: str, r: Take, outs: list[int], k: int, round_id: int) -> int:
        """`_settleRedeems`: pays the assets and burns the escrow, refunds the rest; returns the fees."""
        book, fees, burned = s.book, 0, 0
        for i, o in enumerate(r.orders):
            order_id = r.head + i
            reason = r.refund[i]
            if reason == NONE:
                out = outs[k]
                k += 1
                if out != REFUNDED:
                    burned += o.amount
                    fees += o.execution_fee
                    self._pay(s, token, o.receiver, out - o.execution_fee)
                    self._ev.append(("OrderExecuted", {"kind": REDEEM, "id": order_id, "receiver": o.receiver,
                                                       "roundId": round_id, "amountOut": out - o.execution_fee}))
                    self._forget(book, REDEEM, order_id)
                    continue
                reason = SLIPPAGE
            owner = book.owner_of(REDEEM, order_id, o.receiver)
            s.ledger.transfer(token, owner, o.amount)
            self._ev.append(("OrderRefunded", {"kind": REDEEM, "id": order_id, "owner": owner, "reason": reason}))
            self._forget(book, REDEEM, order_id)
        if burned:
            s.ledger.burn(token, burned)
        return fees

    @staticmethod
    def _forget(book: OrderBook, kind: int, order_id: int) -> None:
        del book.queues[kind][order_id]
        book.owners[kind].pop(order_id, None)

    def _pay(self, s: State, token: str, to: str, assets: int) -> None:
        """`_pay`: the model's asset never refuses a transfer, so the push always succeeds."""
        if assets:
            self.asset.transfer(token, to, assets)

    # ------------------------------------------------------------------ claims and views

    @tx
    def claim(self, sender: str, token: str) -> int:
        """`claim()`."""
        book = self._token(token).book
        assets = book.claimable.pop(sender, 0)
        if assets == 0:
            raise NothingToClaim()
        self.asset.transfer(token, sender, assets)
        self._ev.append(("Claimed", {"account": sender, "assets": assets}))
        return assets

    def orders_due_by(self, token: str, updated_at: int) -> bool:
        """`ordersDueBy(updatedAt)`."""
        return self._token(token).book.due_by(updated_at)

    def pending_round(self, token: str) -> int:
        """`pendingRound()`: the round the earliest due head order executes at (0: nothing due)."""
        book = self._token(token).book
        dues = [book.queues[k][book.heads[k]].due_at for k in (MINT, REDEEM) if book.heads[k] < book.tails[k]]
        if not dues:
            return 0
        return order_rounds.pending_round(self.oracle, self._oracle_decimals, min(dues), book.params.max_order_age,
                                          self.now)

    def has_pending_orders(self, token: str) -> bool:
        """`hasPendingOrders()`."""
        book = self._token(token).book
        return book.heads != book.tails

    def order_params_of(self, token: str) -> OrderParams:
        """`orderParams()`."""
        return self._token(token).book.params

    def queues_of(self, token: str) -> tuple[int, int, int, int]:
        """`queues()`: (mintHead, mintTail, redeemHead, redeemTail)."""
        book = self._token(token).book
        return book.heads[0], book.tails[0], book.heads[1], book.tails[1]

    def pending_order(self, token: str, kind: int, order_id: int) -> Order:
        """`pendingOrder(kind, id)` (zeros outside [head, tail))."""
        return self._token(token).book.queues[kind].get(order_id, Order(ZERO_ADDRESS, 0, 0, 0, 0))

    def claimable_of(self, token: str, account: str) -> int:
        """`claimable(account)`."""
        return self._token(token).book.claimable.get(account, 0)


class Take:
    """`SeriesOrders.Take`: one queue's part of a batch."""

    __slots__ = ("head", "ins", "orders", "refund")

    def __init__(self, head: int) -> None:
        self.head = head
        self.orders: list[Order] = []
        self.refund: list[int] = []  # NONE: executable
        self.ins: list[OrderIn] = []
