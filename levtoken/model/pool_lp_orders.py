"""`PoolLpOrders.sol`: the LP orders' requests and their execution (SPEC sections 3a and 4;
ERC-7540 on the pool's ERC-4626 shares), run by the pool through delegatecall. Requests escrow assets
(deposits) or shares (redeems) in the pool; an execution at an oracle round prices every LP order due at
that round at one share price, after the round's series orders and rebalances; deposits become claimable
shares, redeems claimable assets, first-come up to the reserve's headroom above the floor and the
utilization cap. A redeem order that does not fill waits at the head of its queue and fills later.

Also `latestPrevAt`, `lpPendingRound` and the pool's `checkUpkeep` (whose code is this module's). The
claims, operators and refunds are `base/lp_claims`; the pushes and the headroom `base/lp_orders_base`. The
module's own `NotDelegated` has no model counterpart (as in `pool_orders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .base.lp_claims import LpClaims
from .base.lp_orders_base import add128
from .base.series_orders import Order, OrderParams
from .errors import (
    PANIC_OVERFLOW,
    LpOrderDueEarlier,
    LpOrderTooSmall,
    NoLpOrdersDue,
    NotOperator,
    OnlySelf,
    Panic,
    RebalanceDue,
    SeriesOrdersDue,
    ZeroAddress,
    ZeroAmount,
)
from .evm import tx
from .interfaces import DEPOSIT, REDEEM, LpQueues
from .libraries import order_rounds
from .libraries.lp_shares import to_assets, to_shares
from .libraries.order_rounds import DUE, EARLIER, NOT_DUE, Round
from .libraries.order_rounds import EXPIRED as EXPIRED_VERDICT
from .libraries.order_rounds import UNVERIFIABLE as UNVERIFIABLE_VERDICT
from .oz.math import mul_div
from .oz.erc20 import ZERO_ADDRESS
from .oz.safe_cast import to_uint128
from .solidity import U32, abi_uint, checked_sub

# `ISeriesOrders.RefundReason`s the LP orders give
NO_REFUND, SLIPPAGE, EXPIRED, UNVERIFIABLE, DEFICIT = 0, 1, 2, 6, 7


@dataclass
class LpBatch:
    """`PoolLpOrders.Batch`: one execution at one round (asset units unless WAD)."""

    round_id: int
    priced: bool = False  # the share price at the round is known
    headroom_known: bool = False
    price: int = 0
    reserve: int = 0  # WAD, before the batch
    total_assets: int = 0  # max(0, reserve) in asset units
    supply: int = 0  # LP shares before the batch
    headroom: int = 0  # assets redeem orders may still take
    deposit_assets: int = 0
    deposit_shares: int = 0
    redeem_shares: int = 0
    redeem_assets: int = 0
    fees: int = 0
    n: int = 0  # orders taken


class PoolLpOrders(LpClaims):
    """`requestDeposit`, `requestRedeem`, `executeLpOrders(For)`, `latestPrevAt`, `lpPendingRound` and the
    pool's `checkUpkeep`."""

    if TYPE_CHECKING:  # the pool's (`PoolModel`)
        def rebalance_status_of(self, token: str) -> int: ...

    # ------------------------------------------------------------------ requests

    @tx
    def request_deposit(self, sender: str, assets: int, controller: str, owner: str, min_shares: int = 0) -> int:
        """`requestDeposit(assets, controller, owner[, minShares])` sent by `sender`: escrows `assets` and the
        execution fee from `owner` (the sender or one of its operators). Returns the request id, 0."""
        abi_uint(assets)
        abi_uint(min_shares)
        if owner != sender and not self._operators.get((owner, sender), False):
            raise NotOperator(owner, sender)
        op = self._order_params
        if assets == 0 or assets < op.min_mint_assets:
            raise LpOrderTooSmall(assets, op.min_mint_assets)
        self._enqueue_lp(DEPOSIT, controller, op, assets, min_shares)
        a = self._lp_account(controller)
        self._lp_accounts[controller] = a._replace(
            pendingDepositAssets=add128(a.pendingDepositAssets, to_uint128(assets)))
        self.asset.transfer_from(self.address, owner, self.address, assets + op.execution_fee)
        self._ev.append(("DepositRequest", {"controller": controller, "owner": owner, "requestId": 0,
                                            "sender": sender, "assets": assets}))
        return 0

    @tx
    def request_redeem_shares(self, sender: str, shares: int, controller: str, owner: str,
                              min_assets: int = 0) -> int:
        """`requestRedeem(shares, controller, owner[, minAssets])` sent by `sender`: escrows `owner`'s shares
        in the pool (an operator, or else the share allowance, lets `sender` act for `owner`) and the
        execution fee in assets. Returns the request id, 0."""
        abi_uint(shares)
        abi_uint(min_assets)
        if shares == 0:
            raise ZeroAmount()
        if owner != sender and not self._operators.get((owner, sender), False):
            self.lp.spend_allowance(owner, sender, shares)
        op = self._order_params
        self.lp.transfer(owner, self.address, shares)  # the escrow; reverts beyond the balance
        self._enqueue_lp(REDEEM, controller, op, shares, min_assets)
        a = self._lp_account(controller)
        self._lp_accounts[controller] = a._replace(
            pendingRedeemShares=add128(a.pendingRedeemShares, to_uint128(shares)))
        if op.execution_fee:
            self.asset.transfer_from(self.address, owner, self.address, op.execution_fee)
        self._ev.append(("RedeemRequest", {"controller": controller, "owner": owner, "requestId": 0,
                                           "sender": sender, "shares": shares}))
        return 0

    def _enqueue_lp(self, kind: int, controller: str, op: OrderParams, amount: int, min_out: int) -> None:
        """`_enqueue`: a new order due no earlier than the last one (`lastDue`), at the tail of its queue."""
        if controller == ZERO_ADDRESS:
            raise ZeroAddress()
        q = self._lp_queues
        due = (self.now + op.min_delay) & U32
        last_due = q.lastDue
        if due < last_due:
            due = last_due
        else:
            last_due = due
        next_due = q.nextDue or due  # every order not yet at its round is due no earlier
        o = Order(controller, due, op.execution_fee, to_uint128(amount), to_uint128(min_out))
        if kind == DEPOSIT:
            order_id = q.depositTail
            _check_u32(order_id + 1)
            self._lp_deposits[order_id] = o
            q = q._replace(depositTail=order_id + 1)
        else:
            order_id = q.redeemTail
            _check_u32(order_id + 1)
            self._lp_redeems[order_id] = o
            q = q._replace(redeemTail=order_id + 1)
        self._lp_queues = q._replace(nextDue=next_due, lastDue=last_due)
        self._ev.append(("LpOrderQueued", {"kind": kind, "id": order_id, "controller": controller,
                                           "amount": amount, "minOut": min_out, "dueAt": due,
                                           "executionFee": op.execution_fee}))

    # ------------------------------------------------------------------ execution

    @tx
    def execute_lp_orders(self, sender: str, round_id: int, max_orders: int) -> int:
        """`executeLpOrders(roundId, maxOrders)` sent by `sender` (the executor, who gets the fees). Returns
        the orders executed, filled in part, or refunded."""
        return self._execute_lp(round_id, max_orders, sender)

    @tx
    def execute_lp_orders_for(self, sender: str, round_id: int, max_orders: int, executor: str) -> int:
        """`executeLpOrdersFor(roundId, maxOrders, executor)`: the pool itself only (`performUpkeep`)."""
        if sender != self.address:
            raise OnlySelf(sender)
        return self._execute_lp(round_id, max_orders, executor)

    def _execute_lp(self, round_id: int, max_orders: int, executor: str) -> int:
        """`_execute`: deposits first, then redeems, at round `round_id`; the totals are applied once."""
        abi_uint(max_orders)
        rd = order_rounds.read(self.oracle, self._oracle_decimals, round_id, self._order_params.max_order_age,
                               self.now)
        b = LpBatch(round_id)
        q = self._lp_deposits_at(b, rd, self._lp_queues, max_orders)
        q = self._lp_redeems_at(b, rd, q, max_orders)
        if b.n == 0:
            raise NoLpOrdersDue(round_id)
        self._lp_queues = q._replace(nextDue=self._next_due(q))
        if b.deposit_shares:
            self.lp.mint(self.address, b.deposit_shares)  # claimable: held until claimed
        pooled = checked_sub(self.pool_assets + b.deposit_assets, b.redeem_assets)
        self.pool_assets = to_uint128(pooled)
        if b.redeem_shares:
            self.lp.burn(self.address, b.redeem_shares)
        if b.priced:
            self._sync_floor_at(pooled, b.price)
        self._push(executor, b.fees)
        return b.n

    def _price_at(self, b: LpBatch, rd: Round) -> None:
        """`_priceAt`: the share price once the series are at round `rd` (once): every series order due by
        then has executed (`SeriesOrdersDue`) and, at the latest round, no rebalance is due (`RebalanceDue`)."""
        if b.priced:
            return
        latest = order_rounds.is_latest(rd, self.oracle)
        for s in self._book:
            token = s.token
            if s.book.due_by(rd.at):
                raise SeriesOrdersDue(token)
            if latest and self.rebalance_status_of(token) != 0:
                raise RebalanceDue(token)
        b.priced = True
        b.price = rd.price
        b.reserve = self._reserve_and_floor(self.pool_assets, self._liabilities(rd.price))[0]
        b.total_assets = 0 if b.reserve <= 0 else b.reserve // self._scale
        b.supply = self.lp.total_supply

    def _lp_deposits_at(self, b: LpBatch, rd: Round, q: LpQueues, max_orders: int) -> LpQueues:
        """`_deposits`: executes or refunds the deposit orders that meet round `rd`, from the head."""
        order_id, k = q.depositHead, 0
        while order_id < q.depositTail and k < max_orders:
            o = self._lp_deposits[order_id]
            v = order_rounds.classify(rd, o.due_at, self.oracle, self.now)
            if v == NOT_DUE:
                break
            if v == EARLIER:
                raise LpOrderDueEarlier(DEPOSIT, order_id, rd.id)
            a = self._lp_account(o.receiver)
            a = a._replace(pendingDepositAssets=checked_sub(a.pendingDepositAssets, o.amount))
            reason = _reason(v)
            shares = 0
            if v == DUE:
                self._price_at(b, rd)
                b.fees += o.execution_fee
                shares = to_shares(o.amount, b.total_assets, b.supply)
                if b.reserve < 0:
                    reason = DEFICIT
                elif shares == 0 or shares < o.min_out:
                    reason = SLIPPAGE
            if reason == NO_REFUND:
                a = a._replace(claimableDepositAssets=add128(a.claimableDepositAssets, o.amount),
                               claimableDepositShares=add128(a.claimableDepositShares, to_uint128(shares)))
                self._lp_accounts[o.receiver] = a
                b.deposit_assets += o.amount
                b.deposit_shares += shares
                self._ev.append(("LpOrderExecuted", {"kind": DEPOSIT, "id": order_id, "controller": o.receiver,
                                                     "roundId": b.round_id, "amount": o.amount, "out": shares}))
            else:
                self._lp_accounts[o.receiver] = a
                # an expired order also gets its execution fee back; one refunded at its round paid it
                self._push(o.receiver, o.amount if v == DUE else o.amount + o.execution_fee)
                self._ev.append(("LpOrderRefunded", {"kind": DEPOSIT, "id": order_id, "controller": o.receiver,
                                                     "reason": reason}))
            del self._lp_deposits[order_id]
            order_id += 1
            b.n += 1
            k += 1
        return q._replace(depositHead=order_id)

    def _lp_redeems_at(self, b: LpBatch, rd: Round, q: LpQueues, max_orders: int) -> LpQueues:
        """`_redeems`: first the waiting orders fill from the head while headroom lasts (at the latest round,
        or at a round that prices other orders), then the orders that meet round `rd` join them (paying
        their execution fee) and fill in turn."""
        k = 0
        head, nxt = q.redeemHead, q.redeemNext
        if head < nxt and (b.priced or (rd.usable and rd.verifiable and order_rounds.is_latest(rd, self.oracle))):
            self._price_redeems(b, rd)
            while head < nxt and k < max_orders:
                done, acted = self._fill(b, head)
                if acted:
                    b.n += 1
                if not done:
                    break
                self._forget_redeem(head)
                head += 1
                k += 1
        order_id = nxt
        while order_id < q.redeemTail and k < max_orders:
            o = self._lp_redeems[order_id]
            v = order_rounds.classify(rd, o.due_at, self.oracle, self.now)
            if v == NOT_DUE:
                break
            if v == EARLIER:
                raise LpOrderDueEarlier(REDEEM, order_id, rd.id)
            b.n += 1
            nxt = order_id + 1
            if v != DUE:
                self._refund_redeem(order_id, o, _reason(v), True)
                if head == order_id:
                    self._forget_redeem(order_id)
                    head += 1
                else:  # behind waiting orders: skipped when the head reaches it
                    self._lp_redeems[order_id] = o._replace(amount=0)
            else:
                self._price_redeems(b, rd)
                b.fees += o.execution_fee
                if head == order_id and self._fill(b, order_id)[0]:
                    self._forget_redeem(order_id)
                    head += 1
            order_id += 1
            k += 1
        return q._replace(redeemHead=head, redeemNext=nxt)

    def _forget_redeem(self, order_id: int) -> None:
        """The head passed the order: the contract's slot stays, unreachable."""
        del self._lp_redeems[order_id]

    def _price_redeems(self, b: LpBatch, rd: Round) -> None:
        """`_priceRedeems`: `_priceAt`, and the headroom redeems may take once the batch's deposits are in."""
        if b.headroom_known:
            return
        self._price_at(b, rd)
        b.headroom = self._headroom(b.price, self.pool_assets + b.deposit_assets)
        b.headroom_known = True

    def _fill(self, b: LpBatch, order_id: int) -> tuple[bool, bool]:
        """`_fill`: fills redeem order `order_id` (which has met its round) as far as headroom allows;
        returns whether it is done (filled, refunded, or an empty slot) or waits, and whether anything
        happened to it."""
        o = self._lp_redeems[order_id]
        if o.amount == 0:
            return True, False  # refunded while behind waiting orders
        full = to_assets(o.amount, b.total_assets, b.supply)
        if b.reserve < 0 or full == 0 or full < o.min_out:
            self._refund_redeem(order_id, o, DEFICIT if b.reserve < 0 else SLIPPAGE, False)
            return True, True
        shares, assets = o.amount, full
        if full > b.headroom:
            shares = to_shares(b.headroom, b.total_assets, b.supply)
            assets = to_assets(shares, b.total_assets, b.supply)  # <= headroom
        if shares == 0:
            return False, False
        b.headroom -= assets
        b.redeem_shares += shares
        b.redeem_assets += assets
        a = self._lp_account(o.receiver)
        self._lp_accounts[o.receiver] = a._replace(
            pendingRedeemShares=checked_sub(a.pendingRedeemShares, to_uint128(shares)),
            claimableRedeemShares=add128(a.claimableRedeemShares, to_uint128(shares)),
            claimableRedeemAssets=add128(a.claimableRedeemAssets, to_uint128(assets)))
        self._ev.append(("LpOrderExecuted", {"kind": REDEEM, "id": order_id, "controller": o.receiver,
                                             "roundId": b.round_id, "amount": shares, "out": assets}))
        if shares == o.amount:
            return True, True
        # the rest waits; its bound keeps the order's price (rounded down with the amount)
        rest = o.amount - shares
        self._lp_redeems[order_id] = o._replace(amount=rest, min_out=mul_div(o.min_out, rest, o.amount))
        return False, True

    def _refund_redeem(self, order_id: int, o: Order, reason: int, fee_back: bool) -> None:
        """`_refundRedeem`: the escrowed shares (and, for an order refunded at its round, the fee) go back."""
        a = self._lp_account(o.receiver)
        self._lp_accounts[o.receiver] = a._replace(pendingRedeemShares=checked_sub(a.pendingRedeemShares, o.amount))
        self.lp.transfer(self.address, o.receiver, o.amount)
        if fee_back:
            self._push(o.receiver, o.execution_fee)
        self._ev.append(("LpOrderRefunded", {"kind": REDEEM, "id": order_id, "controller": o.receiver,
                                             "reason": reason}))

    def _next_due(self, q: LpQueues) -> int:
        """`_nextDue`: dueAt of the first order of either queue that has not met its round (0: none)."""
        due = self._lp_deposits[q.depositHead].due_at if q.depositHead < q.depositTail else 0
        if q.redeemNext < q.redeemTail:
            r = self._lp_redeems[q.redeemNext].due_at
            if due == 0 or r < due:
                due = r
        return due



    # ------------------------------------------------------------------ rounds

    def latest_prev_at(self) -> int:
        """`latestPrevAt()`: updatedAt of the latest usable round before the oracle's latest (0: none)."""
        latest = self.oracle.latest_round_data()[0]
        return order_rounds.prev_at_of(self.oracle, self._oracle_decimals, latest, self.now)[0]

    def lp_pending_round(self) -> int:
        """`lpPendingRound()`: the round the next LP orders execute at (0: none due); the latest round when
        only waiting redeem orders could fill (at least one share's worth of headroom)."""
        q = self._lp_queues
        if q.nextDue != 0:
            found = order_rounds.pending_round(self.oracle, self._oracle_decimals, q.nextDue,
                                               self._order_params.max_order_age, self.now)
            if found:
                return found
        if q.redeemHead == q.redeemNext:
            return 0
        ok, p = self._price_usable()
        if not ok:
            return 0
        latest = self.oracle.latest_round_data()[0]
        if not order_rounds.prev_at_of(self.oracle, self._oracle_decimals, latest, self.now)[1]:
            return 0  # the latest round is unverifiable: an execution there would fill nothing
        r = self._reserve_and_floor(self.pool_assets, self._liabilities(p))[0]
        ta = 0 if r <= 0 else r // self._scale
        if to_shares(self._headroom(p, self.pool_assets), ta, self.lp.total_supply) == 0:
            return 0
        return latest

    # ------------------------------------------------------------------ the pool's checkUpkeep

    def check_upkeep(self) -> tuple[bool, int, bool]:
        """`checkUpkeep("")` as (upkeepNeeded, series bitmap, healthDue) (see `check_upkeep_data`)."""
        return self.check_upkeep_data()[:3]  # type: ignore[return-value]

    def check_upkeep_rounds(self) -> tuple[bool, int, bool, list[int]]:
        """`checkUpkeep("")` as (upkeepNeeded, series bitmap, healthDue, rounds)."""
        return self.check_upkeep_data()[:4]  # type: ignore[return-value]

    def check_upkeep_data(self) -> tuple[bool, int, bool, list[int], int]:
        """`checkUpkeep("")` (`PoolLpOrders.checkUpkeep`) as (upkeepNeeded, series bitmap, healthDue, rounds,
        lpRound): `rounds[i]` is the round series i's orders execute at (`pendingRound`, 0: none), empty when
        no series has one; a series with due orders is not flagged for a rebalance; `lpRound` is
        `lpPendingRound()`. When the oracle is unusable and nothing is due, performData is empty: (False, 0,
        False, [], 0). Never raises a `ContractError`."""
        ok, _ = self._price_usable()
        bitmap = 0
        rounds = [self.pending_round(s.token) for s in self._book]
        for i, s in enumerate(self._book):
            if rounds[i] == 0 and ok and self.rebalance_status_of(s.token) != 0:
                bitmap |= 1 << i
        orders = any(rounds)
        lp_round = self.lp_pending_round()
        if not ok and not orders and lp_round == 0:
            return False, 0, False, [], 0
        health_due = ok and self._health_due()
        return (bitmap != 0 or health_due or orders or lp_round != 0, bitmap, health_due,
                rounds if orders else [], lp_round)


def _reason(v: int) -> int:
    """`_reason`: the refund reason of a verdict (None for `Due`)."""
    if v == EXPIRED_VERDICT:
        return EXPIRED
    if v == UNVERIFIABLE_VERDICT:
        return UNVERIFIABLE
    return NO_REFUND


def _check_u32(value: int) -> None:
    """A checked uint32 increment (`q.depositTail++`)."""
    if value > U32:
        raise Panic(PANIC_OVERFLOW)
