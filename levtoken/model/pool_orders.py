"""`PoolOrders.sol`: the pool's side of a series' order batch (`IReservePool.executeOrders`, SPEC section
3a), run by the pool through delegatecall: settle the series at the batch's price, price every mint and
redeem at that one NAV (`libraries.order_pricing`), fill the mints first come, first served within the
floor and the utilization cap (checked on the running totals), apply the totals once, and move the assets; and the quote of one order by the same functions
(`previewOrder`). The module's own `NotDelegated` has no model counterpart (as in `pool_admin`)."""

from __future__ import annotations

from typing import NamedTuple

from .base.reserve_book import ReserveBook
from .errors import EnforcedPause, LpOrdersDue, ReserveBelowFloor, SeriesKnockedOut, SlippageExceeded
from .libraries import order_pricing as op
from .libraries import series as Series
from .libraries.order_pricing import (  # noqa: F401  (the reasons, re-exported for callers)
    CAPACITY,
    EXPIRED,
    KNOCKED_OUT,
    NO_REFUND,
    PAUSED_REFUND,
    SLIPPAGE,
    UNVERIFIABLE,
    Batch,
)
from .libraries.series import REFUNDED, REFUNDED_CAPACITY, State
from .libraries.series_math import WAD
from .oz.safe_cast import to_uint128
from .solidity import checked_add, checked_sub


class OrderIn(NamedTuple):
    """`IReservePool.OrderIn`."""

    owner: str
    receiver: str
    amount: int
    min_out: int


class PoolOrders(ReserveBook):
    """`executeOrders` and `previewOrder` (called by a series token; `token` is the caller)."""

    paused: bool
    address: str

    def _execute_orders(self, token: str, s: State, price: int, prev_at: int, supply: int,
                        mints: list[OrderIn], redeems: list[OrderIn], direct: bool) -> tuple[list[int], int, int]:
        """`executeOrders(price, prevAt, supply, mints, redeems, direct)`: returns (outs, mintRefund, flow).
        LP orders due before the batch's round execute first (`LpOrdersDue`): before the round's `prevAt`
        for a batch, at a round before the latest for the immediate paths (`_lpOrdersFirst`)."""
        if price == 0:
            p = self._price()
            if self._lp_orders_first(self.oracle.updated_at):
                raise LpOrdersDue()
        else:
            if self._lp_due_before(prev_at):
                raise LpOrdersDue()
            p = price
        c0, sx0 = Series.terms(s)
        equity = Series.settle(s, token, p, supply, self.now, self._ev)
        b = self._batch(s, p, equity, supply, self._liabilities_wad2_pending(p, s, c0, sx0), bool(mints))
        outs = [0] * (len(mints) + len(redeems))
        mint_refund = self._fill_mints(token, b, mints, outs, direct) if mints else NO_REFUND
        for i, o in enumerate(redeems):
            outs[len(mints) + i] = self._fill_redeem(token, b, o, direct)
        if b.mint_net:
            Series.mint(s, p, equity, supply, b.mint_net, self.now)
        if b.redeem_gross:
            Series.redeem(s, equity + b.mint_net, b.redeem_gross)
        self._commit(s, c0, sx0, p)
        pooled = checked_sub(checked_add(self.pool_assets, b.mint_assets), b.redeem_assets)
        self.pool_assets = to_uint128(pooled)
        r, fl = self._reserve_and_floor(pooled, b.liabilities + b.mint_net - b.redeem_gross)
        self._sync_floor(r, fl)
        flow = 0
        if direct:
            if b.mint_assets:
                self.asset.transfer_from(self.address, mints[0].owner, self.address, b.mint_assets)
            if b.redeem_assets:
                self.asset.transfer(self.address, redeems[0].receiver, b.redeem_assets)
        else:
            flow = b.mint_assets - b.redeem_assets
            if flow < 0:
                self.asset.transfer(self.address, token, -flow)
        return outs, mint_refund, flow

    def _preview_order(self, token: str, s: State, supply: int, is_mint: bool, amount: int) -> int:
        """`previewOrder(supply, isMint, amount)` from the series `token`: the batch of one at the latest price,
        the series settled in thought; 0 when it would be refunded. Writes nothing."""
        ok, p = self._price_usable()
        if not ok:
            return 0
        equity = 0 if s.knocked_out else Series.equity_now(s, p, self.now)
        total = self._liabilities_wad2(p) - Series.equity_wad2(s, p) + equity * WAD
        b = self._batch(s, p, equity, supply, total, is_mint)
        if equity == 0 and supply != 0:
            b.exposure, b.mints_closed = 0, KNOCKED_OUT
        if not is_mint:
            if amount > supply:
                return 0
            return op.price_redeem(b, amount)[2]
        tokens, net, _, why = op.judge_mint(b, amount, 0)
        if why != NO_REFUND:
            return 0
        return tokens if op.room_for(b, amount, net)[0] == op.FITS else 0

    def _batch(self, s: State, p: int, equity: int, supply: int, total_wad2: int, with_mints: bool) -> Batch:
        """`_batch`: the batch of series `s` settled at `p` to `equity`, against the pool's storage."""
        b = Batch(price=p, equity=equity, supply=supply, initial_nav=s.initial_nav if supply == 0 else 0,
                  exposure=s.exposure, is_long=s.is_long, mint_fee=s.mint_fee, redeem_fee=s.redeem_fee,
                  scale=self._scale, pooled=self.pool_assets, liabilities=total_wad2 // WAD)
        if not with_mints:
            return b
        if s.knocked_out:
            b.mints_closed = KNOCKED_OUT
        elif self.paused:
            b.mints_closed = PAUSED_REFUND
        b.target_leverage, b.min_leverage, b.max_leverage = s.target_leverage, s.min_leverage, s.max_leverage
        b.net_exposure, b.floor_ratio, b.max_utilization = self._net_exposure(p), self.floor_ratio, self.max_utilization
        return b

    def _fill_mints(self, token: str, b: Batch, mints: list[OrderIn], outs: list[int], direct: bool) -> int:
        """`_fillMints`: in queue order, each mint fills if it still fits the floor and the cap on the running
        totals, else it alone is refunded (`REFUNDED_CAPACITY`); all are refunded when mints are closed."""
        closed = b.mints_closed
        if closed != NO_REFUND:
            if direct:
                if closed == KNOCKED_OUT:
                    raise SeriesKnockedOut(token)
                raise EnforcedPause()
            return _refund_all(outs, len(mints), closed)
        for i, o in enumerate(mints):
            tokens, net, fee, why = op.judge_mint(b, o.amount, o.min_out)
            if why != NO_REFUND:
                if direct:
                    raise SlippageExceeded(tokens, o.min_out or 1)
                outs[i] = REFUNDED
                continue
            room, r, fl, net_after = op.room_for(b, o.amount, net)
            if room != op.FITS:
                if direct:
                    if room == op.BELOW_FLOOR:
                        raise ReserveBelowFloor(r, fl)
                    self._revert_over_cap(net_after, b.price, r)
                outs[i] = REFUNDED_CAPACITY
                continue
            outs[i] = tokens
            op.fill_mint(b, o.amount, net)
            self._ev.append(("Minted", {"token": token, "payer": o.owner, "receiver": o.receiver,
                                        "assets": o.amount, "tokens": tokens, "fee": fee, "price": b.price}))
        return NO_REFUND

    def _fill_redeem(self, token: str, b: Batch, o: OrderIn, direct: bool) -> int:
        """`_fillRedeem`: one redeem at the batch's NAV (pro rata when the pool is insolvent)."""
        gross, fee, assets = op.price_redeem(b, o.amount)
        if assets < o.min_out:
            if direct:
                raise SlippageExceeded(assets, o.min_out)
            return REFUNDED
        op.fill_redeem(b, gross, assets)
        self._ev.append(("Redeemed", {"token": token, "owner": o.owner, "receiver": o.receiver,
                                      "tokens": o.amount, "assets": assets, "fee": fee, "price": b.price}))
        return assets


def _refund_all(outs: list[int], n: int, reason: int) -> int:
    for i in range(n):
        outs[i] = REFUNDED
    return reason
