"""`libraries/SeriesMath.sol`: the arithmetic of one leveraged series (SPEC section 3), every value WAD,
every rounding in the pool's favour, with the same reverts (`Panic`) as the Solidity functions."""

from __future__ import annotations

from ..oz.math import mul_div
from ..solidity import checked_add, checked_mul
from .rebalance_policy import drifted

WAD = 10**18
YEAR = 365 * 86_400
WAD_YEAR = WAD * YEAR


def equity_at(e0: int, x: int, p0: int, price: int, is_long: bool) -> int:
    """`SeriesMath.equityAt`: max(0, e0 + side*x*(price - p0)); a gain rounds down, a loss up."""
    if price == p0 or x == 0:
        return e0
    if price > p0:
        move = price - p0
        gain = is_long
    else:
        move = p0 - price
        gain = not is_long
    if gain:
        return e0 + x * move // WAD
    loss = -(-(x * move) // WAD)
    return 0 if loss >= e0 else e0 - loss


def streaming_fee(equity: int, annual_rate: int, elapsed: int) -> int:
    """`SeriesMath.streamingFee`: ceil(equity*rate*elapsed / (WAD*365 days)), capped at `equity` - 1 (a fee
    never takes the last wei: only the market knocks a series out)."""
    if annual_rate == 0 or elapsed == 0 or equity == 0:
        return 0
    fee = mul_div(equity, checked_mul(annual_rate, elapsed), WAD_YEAR, True)
    return equity - 1 if fee >= equity else fee


def leverage(x: int, price: int, equity: int) -> int:
    """`SeriesMath.leverage`: floor(floor(x*price/WAD)*WAD/equity); 0 when equity is 0."""
    if equity == 0:
        return 0
    return mul_div(x * price // WAD, WAD, equity)


def nav(equity: int, supply: int, initial_nav: int) -> int:
    """`SeriesMath.nav`: floor(equity*WAD/supply), or `initial_nav` when supply is 0."""
    if supply == 0:
        return initial_nav
    return mul_div(equity, WAD, supply)


def fee_of(amount: int, rate: int) -> int:
    """`SeriesMath.feeOf`: ceil(amount*rate/WAD)."""
    return mul_div(amount, rate, WAD, True)


def tokens_for_mint(net: int, supply: int, equity: int, initial_nav: int) -> int:
    """`SeriesMath.tokensForMint`: floor(net*supply/equity), or floor(net*WAD/initialNav) on a first mint."""
    if supply == 0:
        return mul_div(net, WAD, initial_nav)
    return mul_div(net, supply, equity)


def claim_of(tokens: int, supply: int, equity: int) -> int:
    """`SeriesMath.claimOf`: floor(tokens*equity/supply)."""
    return mul_div(tokens, equity, supply)


def scale_exposure(x: int, equity_after: int, equity_before: int) -> int:
    """`SeriesMath.scaleExposure`: floor(x*after/before); 0 when `equity_before` is 0."""
    if equity_before == 0:
        return 0
    return mul_div(x, equity_after, equity_before)


def exposure_for(target_leverage: int, equity: int, price: int) -> int:
    """`SeriesMath.exposureFor`: floor(T*E/P)."""
    return mul_div(target_leverage, equity, price)


def exposure_after_mint(x: int, price: int, equity: int, supply: int, net: int, target_leverage: int,
                        min_leverage: int, max_leverage: int) -> int:
    """`SeriesMath.exposureAfterMint`: a first mint (`supply` = 0) enters at target; a mint into a series
    outside its band adds its money at target (x + floor(T*net/P)); otherwise exposure is scaled so leverage
    is unchanged (floor(x*(equity+net)/equity))."""
    if supply == 0:
        return exposure_for(target_leverage, net, price)
    if drifted(leverage(x, price, equity), min_leverage, max_leverage):
        return checked_add(x, exposure_for(target_leverage, net, price))
    return scale_exposure(x, checked_add(equity, net), equity)


def notional(traded: int, price: int) -> int:
    """`SeriesMath.notional`: floor(traded*price), WAD value (a trade must reach the minimum in full)."""
    return traded * price // WAD


def spread_cost(traded: int, price: int, spread: int) -> int:
    """`SeriesMath.spreadCost`: ceil(ceil(traded*price/WAD)*spread/WAD)."""
    if spread == 0 or traded == 0:
        return 0
    return mul_div(mul_div(traded, price, WAD, True), spread, WAD, True)
