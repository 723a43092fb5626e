"""`libraries/OrderPricing.sol`: the price of one mint or redeem order of a series' batch at one price (SPEC
sections 3, 3a, 4), as functions of a `Batch`. The orders module (`pool_orders`) prices every order of a batch
with them, and its `previewOrder` (the tokens' `previewMint` / `previewRedeem`) a batch of one."""

from __future__ import annotations

from dataclasses import dataclass

from ..oz.math import mul_div
from ..oz.safe_cast import to_int256
from ..solidity import checked_add, checked_mul
from . import pool_math
from .series import LOCKED_SUPPLY
from .series_math import claim_of, exposure_after_mint, fee_of, tokens_for_mint

# `ISeriesOrders.RefundReason`
NO_REFUND, SLIPPAGE, EXPIRED, CAPACITY, KNOCKED_OUT, PAUSED_REFUND, UNVERIFIABLE = 0, 1, 2, 3, 4, 5, 6
# `OrderPricing.Room`
FITS, BELOW_FLOOR, OVER_CAP = 0, 1, 2


@dataclass(slots=True)
class Batch:
    """`OrderPricing.Batch`: the series settled at `price`, the pool before the batch, the running totals."""

    price: int = 0
    equity: int = 0
    supply: int = 0
    initial_nav: int = 0  # read only when supply is 0
    exposure: int = 0
    target_leverage: int = 0
    min_leverage: int = 0
    max_leverage: int = 0
    mint_fee: int = 0
    redeem_fee: int = 0
    is_long: bool = False
    mints_closed: int = NO_REFUND  # NO_REFUND, KNOCKED_OUT or PAUSED_REFUND
    scale: int = 1
    pooled: int = 0  # asset units
    liabilities: int = 0  # WAD, after the settlement
    net_exposure: int = 0
    floor_ratio: int = 0
    max_utilization: int = 0
    mint_assets: int = 0
    mint_net: int = 0
    redeem_gross: int = 0
    redeem_assets: int = 0


def price_mint(b: Batch, assets: int) -> tuple[int, int, int]:
    """`OrderPricing.priceMint`: (tokens, net, fee); the first filled mint into an empty series pays for the
    locked supply."""
    gross = checked_mul(assets, b.scale)
    fee = fee_of(gross, b.mint_fee)
    net = gross - fee
    tokens = tokens_for_mint(net, b.supply, b.equity, b.initial_nav)
    if b.supply == 0 and b.mint_net == 0:
        tokens = tokens - LOCKED_SUPPLY if tokens > LOCKED_SUPPLY else 0
    return tokens, net, fee


def judge_mint(b: Batch, assets: int, min_tokens: int) -> tuple[int, int, int, int]:
    """`OrderPricing.judgeMint`: (tokens, net, fee, refund reason before capacity: NO_REFUND if priced)."""
    if b.mints_closed != NO_REFUND:
        return 0, 0, 0, b.mints_closed
    tokens, net, fee = price_mint(b, assets)
    return tokens, net, fee, (SLIPPAGE if tokens == 0 or tokens < min_tokens else NO_REFUND)


def room_for(b: Batch, assets: int, net: int) -> tuple[int, int, int, int]:
    """`OrderPricing.roomFor`: (room, reserve, floor, net exposure) once the filled mints plus this one are in."""
    total = checked_add(checked_add(b.liabilities, b.mint_net), net)
    r = pool_math.reserve_of(checked_mul(checked_add(checked_add(b.pooled, b.mint_assets), assets), b.scale), total)
    fl = pool_math.floor_of(total, b.floor_ratio)
    if r < to_int256(fl):
        return BELOW_FLOOR, r, fl, 0
    x = exposure_after_mint(b.exposure, b.price, b.equity, b.supply, checked_add(b.mint_net, net), b.target_leverage,
                            b.min_leverage, b.max_leverage)
    delta = to_int256(x) - to_int256(b.exposure)
    net_after = b.net_exposure + (delta if b.is_long else -delta)
    if pool_math.over_cap(b.net_exposure, net_after, b.price, r, b.max_utilization):
        return OVER_CAP, r, fl, net_after
    return FITS, r, fl, net_after


def fill_mint(b: Batch, assets: int, net: int) -> None:
    """`OrderPricing.fillMint`."""
    b.mint_assets += assets
    b.mint_net += net


def price_redeem(b: Batch, tokens: int) -> tuple[int, int, int]:
    """`OrderPricing.priceRedeem`: (gross, fee, assets), pro rata poolAssets/liabilities when insolvent."""
    gross = claim_of(tokens, b.supply, b.equity)
    fee = fee_of(gross, b.redeem_fee)
    payout = gross - fee
    pooled_wad = b.pooled * b.scale
    if pooled_wad < b.liabilities:
        payout = mul_div(payout, pooled_wad, b.liabilities)
    return gross, fee, payout // b.scale


def fill_redeem(b: Batch, gross: int, assets: int) -> None:
    """`OrderPricing.fillRedeem`."""
    b.redeem_gross += gross
    b.redeem_assets += assets
