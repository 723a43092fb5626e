"""The contracts' arithmetic on Python ints: OpenZeppelin `Math.mulDiv` and `SafeCast`, and the libraries
`SeriesMath`, `RebalancePolicy` and `OraclePrice`, function by function, with the same rounding and the
same reverts (`Panic`, `SafeCast*`).

Arguments are assumed to be in their Solidity types' ranges (uint256 unless stated).
"""

from __future__ import annotations

from enum import IntEnum

from .errors import (
    PANIC_DIVISION_BY_ZERO,
    PANIC_OVERFLOW,
    Panic,
    SafeCastOverflowedUintDowncast,
    SafeCastOverflowedUintToInt,
)

__all__ = [
    "INT256_MAX",
    "MAX_PRICE",
    "UINT256_MAX",
    "WAD",
    "YEAR",
    "Status",
    "check",
    "checked_add",
    "checked_mul",
    "checked_sub",
    "claim_of",
    "drifted",
    "equity_at",
    "exposure_for",
    "fallback_due",
    "fee_of",
    "leverage",
    "mul_div",
    "nav",
    "scale_exposure",
    "sdiv",
    "spread_cost",
    "streaming_fee",
    "to_int256",
    "to_uint112",
    "to_uint128",
    "to_wad",
    "tokens_for_mint",
]

WAD = 10**18
YEAR = 365 * 86_400
WAD_YEAR = WAD * YEAR
UINT256_MAX = (1 << 256) - 1
INT256_MAX = (1 << 255) - 1
UINT112_MAX = (1 << 112) - 1
UINT128_MAX = (1 << 128) - 1
MAX_PRICE = 10**36  # OraclePrice.MAX_PRICE


# ----------------------------------------------------------------------------- OpenZeppelin Math / SafeCast


def mul_div(x: int, y: int, d: int, ceil: bool = False) -> int:
    """`Math.mulDiv(x, y, d)` (floor) or `Math.mulDiv(x, y, d, Rounding.Ceil)`.

    Panics 0x12 when `d` is 0 and 0x11 when the result exceeds 2**256 - 1 (also when rounding up does).
    """
    if d == 0:
        raise Panic(PANIC_DIVISION_BY_ZERO)
    q, rem = divmod(x * y, d)
    if ceil and rem:
        q += 1
    if q > UINT256_MAX:
        raise Panic(PANIC_OVERFLOW)
    return q


def to_uint112(value: int) -> int:
    """`SafeCast.toUint112`."""
    if value > UINT112_MAX:
        raise SafeCastOverflowedUintDowncast(112, value)
    return value


def to_uint128(value: int) -> int:
    """`SafeCast.toUint128`."""
    if value > UINT128_MAX:
        raise SafeCastOverflowedUintDowncast(128, value)
    return value


def to_int256(value: int) -> int:
    """`SafeCast.toInt256` (uint256 -> int256)."""
    if value > INT256_MAX:
        raise SafeCastOverflowedUintToInt(value)
    return value


def checked_add(a: int, b: int) -> int:
    """Checked uint256 `a + b` (Panic 0x11 on overflow)."""
    c = a + b
    if c > UINT256_MAX:
        raise Panic(PANIC_OVERFLOW)
    return c


def checked_sub(a: int, b: int) -> int:
    """Checked uint256 `a - b` (Panic 0x11 on underflow)."""
    if b > a:
        raise Panic(PANIC_OVERFLOW)
    return a - b


def checked_mul(a: int, b: int) -> int:
    """Checked uint256 `a * b` (Panic 0x11 on overflow)."""
    c = a * b
    if c > UINT256_MAX:
        raise Panic(PANIC_OVERFLOW)
    return c


def sdiv(a: int, b: int) -> int:
    """Solidity signed division: truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


# ----------------------------------------------------------------------------- SeriesMath


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
    """`SeriesMath.streamingFee`: ceil(equity*rate*elapsed / (WAD*365 days)), capped at `equity`."""
    if annual_rate == 0 or elapsed == 0 or equity == 0:
        return 0
    fee = mul_div(equity, checked_mul(annual_rate, elapsed), WAD_YEAR, True)
    return min(fee, equity)


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


def spread_cost(traded: int, price: int, spread: int) -> int:
    """`SeriesMath.spreadCost`: ceil(ceil(traded*price/WAD)*spread/WAD)."""
    if spread == 0 or traded == 0:
        return 0
    return mul_div(mul_div(traded, price, WAD, True), spread, WAD, True)


# ----------------------------------------------------------------------------- RebalancePolicy


def drifted(lev: int, min_leverage: int, max_leverage: int) -> bool:
    """`RebalancePolicy.drifted`: lev < min or lev > max."""
    return lev < min_leverage or lev > max_leverage


def fallback_due(fallback_interval: int, last_rebalance: int, now: int) -> bool:
    """`RebalancePolicy.fallbackDue` at block.timestamp `now`."""
    return fallback_interval != 0 and now >= last_rebalance + fallback_interval


# ----------------------------------------------------------------------------- OraclePrice


class Status(IntEnum):
    """`OraclePrice.Status`."""

    Ok = 0
    InvalidPrice = 1
    StalePrice = 2
    FuturePrice = 3
    IncompleteRound = 4
    Unreachable = 5


# plain ints for the hot path (IntEnum member lookups are slow); equal to the Status members
OK, INVALID_PRICE, STALE_PRICE, FUTURE_PRICE, INCOMPLETE_ROUND = 0, 1, 2, 3, 4


def to_wad(answer: int, feed_decimals: int) -> tuple[bool, int]:
    """`OraclePrice.toWad`: (ok, answer scaled to WAD, rounding down); not ok if it overflows uint256."""
    if feed_decimals <= 18:
        wad = answer * 10 ** (18 - feed_decimals)
        return (True, wad) if wad <= UINT256_MAX else (False, 0)
    return True, answer // 10 ** (feed_decimals - 18)


def check(round_id: int, answer: int, updated_at: int, answered_in_round: int, max_age: int,
          feed_decimals: int, now: int) -> tuple[int, int]:
    """`OraclePrice._check` at block.timestamp `now`: `(Status.Ok, price)` or `(cause, 0)`; the status is
    returned as a plain int equal to the `Status` member."""
    if updated_at == 0 or answered_in_round < round_id:
        return INCOMPLETE_ROUND, 0
    if answer <= 0:
        return INVALID_PRICE, 0
    ok, wad = to_wad(answer, feed_decimals)
    if not ok or wad == 0 or wad > MAX_PRICE:
        return INVALID_PRICE, 0
    if updated_at > now:
        return FUTURE_PRICE, 0
    if now - updated_at > max_age:
        return STALE_PRICE, 0
    return OK, wad
