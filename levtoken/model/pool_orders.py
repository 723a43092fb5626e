"""`PoolOrders.sol`: the pool's side of a series' order batch (`IReservePool.executeOrders`, SPEC section
3a), run by the pool through delegatecall: settle the series at the batch's price, price every mint and
redeem at that one NAV, check the mints together against the floor and the utilization cap, apply the
totals once, and move the assets. The module's own `NotDelegated` has no model counterpart (as in
`pool_admin`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .base.reserve_book import ReserveBook
from .errors import EnforcedPause, LpOrdersDue, ReserveBelowFloor, SeriesKnockedOut, SlippageExceeded
from .libraries import series as Series
from .libraries.series import REFUNDED, State
from .libraries.series_math import WAD, claim_of, fee_of
from .oz.math import mul_div
from .oz.safe_cast import to_int256, to_uint128
from .solidity import checked_add, checked_mul, checked_sub

# `ISeriesOrders.RefundReason`
NO_REFUND, SLIPPAGE, EXPIRED, CAPACITY, KNOCKED_OUT, PAUSED_REFUND, UNVERIFIABLE, DEFICIT = 0, 1, 2, 3, 4, 5, 6, 7


class OrderIn(NamedTuple):
    """`IReservePool.OrderIn`."""

    owner: str
    receiver: str
    amount: int
    min_out: int


@dataclass
class Batch:
    """`PoolOrders.Batch`: one batch at one price (asset units unless WAD)."""

    price: int
    equity: int
    supply: int
    scale: int
    liabilities: int = 0
    pooled_wad: int = 0
    mint_assets: int = 0
    mint_net: int = 0
    redeem_gross: int = 0
    redeem_assets: int = 0


class PoolOrders(ReserveBook):
    """`executeOrders` (called by a series token; `token` is the caller)."""

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
        b = Batch(price=p, equity=0, supply=supply, scale=self._scale)
        c0, sx0 = Series.terms(s)
        b.equity = Series.settle(s, token, p, supply, self.now, self._ev)
        b.liabilities = self._liabilities_wad2_pending(p, s, c0, sx0) // WAD
        b.pooled_wad = self.pool_assets * b.scale
        outs = [0] * (len(mints) + len(redeems))
        mint_refund = self._price_mints(token, s, b, mints, outs, direct) if mints else NO_REFUND
        for i, o in enumerate(redeems):
            outs[len(mints) + i] = self._price_redeem(token, s, b, o, direct)
        if b.mint_net:
            Series.mint(s, p, b.equity, supply, b.mint_net, self.now)
        if b.redeem_gross:
            Series.redeem(s, b.equity + b.mint_net, b.redeem_gross)
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

    def _price_mints(self, token: str, s: State, b: Batch, mints: list[OrderIn], outs: list[int],
                     direct: bool) -> int:
        """`_priceMints`."""
        if s.knocked_out:
            if direct:
                raise SeriesKnockedOut(token)
            return _refund_all(outs, len(mints), KNOCKED_OUT)
        if self.paused:
            if direct:
                raise EnforcedPause()
            return _refund_all(outs, len(mints), PAUSED_REFUND)
        fm = s.mint_fee
        for i, o in enumerate(mints):
            gross = checked_mul(o.amount, b.scale)
            net = gross - fee_of(gross, fm)
            tokens = Series.tokens_for(s, net, b.equity, b.supply)
            if b.supply == 0 and b.mint_net == 0:
                tokens = tokens - Series.LOCKED_SUPPLY if tokens > Series.LOCKED_SUPPLY else 0
            if tokens == 0 or tokens < o.min_out:
                if direct:
                    raise SlippageExceeded(tokens, o.min_out or 1)
                outs[i] = REFUNDED
                continue
            outs[i] = tokens
            b.mint_assets += o.amount
            b.mint_net += net
        if b.mint_net == 0:
            return NO_REFUND
        r, fl = self._reserve_and_floor(self.pool_assets + b.mint_assets, b.liabilities + b.mint_net)
        net_before = self._net_exposure(b.price)
        delta = to_int256(Series.exposure_after_mint(s, b.price, b.equity, b.supply, b.mint_net)) - s.exposure
        net_after = net_before + (delta if s.is_long else -delta)
        below_floor = r < to_int256(fl)
        if below_floor or self._over_cap(net_before, net_after, b.price, r):
            if direct:
                if below_floor:
                    raise ReserveBelowFloor(r, fl)
                self._revert_over_cap(net_after, b.price, r)
            b.mint_assets, b.mint_net = 0, 0
            return _refund_all(outs, len(mints), CAPACITY)
        for i, o in enumerate(mints):
            if outs[i] == REFUNDED:
                continue
            gross = o.amount * b.scale
            self._ev.append(("Minted", {"token": token, "payer": o.owner, "receiver": o.receiver,
                                        "assets": o.amount, "tokens": outs[i], "fee": fee_of(gross, fm),
                                        "price": b.price}))
        return NO_REFUND

    def _price_redeem(self, token: str, s: State, b: Batch, o: OrderIn, direct: bool) -> int:
        """`_priceRedeem`: one redeem at the batch's NAV (pro rata when the pool is insolvent)."""
        gross = claim_of(o.amount, b.supply, b.equity)
        fee = fee_of(gross, s.redeem_fee)
        payout = gross - fee
        if b.pooled_wad < b.liabilities:  # insolvent: pro rata poolAssets/liabilities
            payout = mul_div(payout, b.pooled_wad, b.liabilities)
        assets = payout // b.scale  # round down: holder receives
        if assets < o.min_out:
            if direct:
                raise SlippageExceeded(assets, o.min_out)
            return REFUNDED
        b.redeem_gross += gross
        b.redeem_assets += assets
        self._ev.append(("Redeemed", {"token": token, "owner": o.owner, "receiver": o.receiver,
                                      "tokens": o.amount, "assets": assets, "fee": fee, "price": b.price}))
        return assets


def _refund_all(outs: list[int], n: int, reason: int) -> int:
    for i in range(n):
        outs[i] = REFUNDED
    return reason
