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
from ..libraries.oracle_price import read_round
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
MAX_UNUSABLE_ROUNDS = 32
MAX_ROUND_SCAN = 256
U64 = (1 << 64) - 1


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

    __slots__ = ("claimable", "heads", "owners", "params", "queues", "tails")

    def __init__(self, params: OrderParams) -> None:
        self.params = params
        self.heads = [0, 0]
        self.tails = [0, 0]
        self.queues: tuple[dict[int, Order], dict[int, Order]] = ({}, {})
        self.owners: tuple[dict[int, str], dict[int, str]] = ({}, {})
        self.claimable: dict[str, int] = {}

    def save(self) -> tuple[Any, ...]:
        """Cheap while the book is empty (the hot path of the fuzzers)."""
        q, o, c = self.queues, self.owners, self.claimable
        busy = q[0] or q[1] or o[0] or o[1] or c
        return (self.params, tuple(self.heads), tuple(self.tails),
                (dict(q[0]), dict(q[1]), dict(o[0]), dict(o[1]), dict(c)) if busy else None)

    def load(self, saved: tuple[Any, ...]) -> None:
        self.params, heads, tails, dicts = saved
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

        def _execute_orders(self, token: str, s: State, price: int, supply: int, mints: list[OrderIn],
                            redeems: list[OrderIn], direct: bool) -> tuple[list[int], int, int]: ...

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
        rd = self._round(book, round_id)
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
            outs, mint_refund, flow = self._execute_orders(token, s, rd.price, supply, m.ins, r.ins, False)
        book.heads[MINT] = m.head + len(m.orders)
        book.heads[REDEEM] = r.head + len(r.orders)
        fees = self._settle_mints(s, token, m, outs, mint_refund, round_id, supply)
        fees += self._settle_redeems(s, token, r, outs, len(m.ins), round_id)
        if flow > 0:
            self.asset.transfer(token, self.address, flow)
        self._pay(s, token, executor, fees)
        return done

    def _round(self, book: OrderBook, round_id: int) -> Round:
        """`_round`: round `round_id` and the updatedAt of the latest usable round before it."""
        usable, price, at = read_round(self.oracle, self._oracle_decimals, abi_uint(round_id), self.now)
        prev_at, verifiable = 0, True
        rid, skipped = round_id, 0
        while rid & U64 > 1:
            rid -= 1
            ok, _, a = read_round(self.oracle, self._oracle_decimals, rid, self.now)
            if ok:
                prev_at = a
                break
            skipped += 1
            if skipped > MAX_UNUSABLE_ROUNDS:
                verifiable = False
                break
        return Round(round_id, usable, price, at, prev_at, verifiable, book.params.max_order_age)

    def _take(self, book: OrderBook, kind: int, rd: Round, max_orders: int) -> Take:
        """`_take`: classifies up to `max_orders` orders of `kind` from the head at round `rd`."""
        head, tail = book.heads[kind], book.tails[kind]
        t = Take(head)
        is_latest: bool | None = None
        queue = book.queues[kind]
        for i in range(min(tail - head, max_orders)):
            order_id = head + i
            o = queue[order_id]
            due = o.due_at
            if due < rd.prev_at:
                raise OrderDueEarlier(kind, order_id, rd.id)
            deadline = due + rd.max_age
            if rd.usable and due < rd.at:
                refund = EXPIRED if rd.at > deadline else NONE if rd.verifiable else UNVERIFIABLE
            else:  # not due at this round: expired only if no round can come in its window any more
                if self.now <= deadline:
                    break
                if is_latest is None:
                    is_latest = self.oracle.latest_round_data()[0] == rd.id
                if not is_latest:
                    break
                refund = EXPIRED
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
        due = min(dues)
        latest = self.oracle.latest_round_data()[0]
        found, rid = 0, latest
        for _ in range(MAX_ROUND_SCAN):
            if rid & U64 == 0:
                break
            usable, _, at = read_round(self.oracle, self._oracle_decimals, rid, self.now)
            if usable:
                if at <= due:
                    break
                found = rid
            rid -= 1
        if found == 0 and self.now > due + book.params.max_order_age:
            found = latest
        return found

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


class Round(NamedTuple):
    """`SeriesOrders.Round`."""

    id: int
    usable: bool
    price: int
    at: int
    prev_at: int
    verifiable: bool
    max_age: int


class Take:
    """`SeriesOrders.Take`: one queue's part of a batch."""

    __slots__ = ("head", "ins", "orders", "refund")

    def __init__(self, head: int) -> None:
        self.head = head
        self.orders: list[Order] = []
        self.refund: list[int] = []  # NONE: executable
        self.ins: list[OrderIn] = []
