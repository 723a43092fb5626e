"""`libraries/Liabilities.sol`: liabilities and net exposure from two aggregates kept incrementally, exactly
equal to the per-series sums (SPEC section 4).

A series' equity at price P in WAD² (value × 1e18, no rounding) is `c + s·x·P` with the offset
`c = E0·WAD − s·x·P0`. `offset_sum = Σ c_i` and `exposure_sum = Σ s_i·x_i` give `Σ E_i(P)·WAD` for every P
strictly between the two frontiers (every series' knock-out price lies outside them); elsewhere the pool
sums the series one by one. Frontiers are 64-bit `m·2^e` (56-bit mantissa), rounded outwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from .series_math import WAD

MANTISSA_BITS = 56
_MANTISSA_MASK = (1 << MANTISSA_BITS) - 1
U64 = (1 << 64) - 1
NO_SHORT_RISK = U64  # decodes above any usable price
UINT256_MAX = (1 << 256) - 1


@dataclass(slots=True)
class State:
    """`Liabilities.State`: slot 0 `offsetSum` (int256, WAD²); slot 1 `exposureSum` (int128), `longFrontier`,
    `shortFrontier` (uint64 each, encoded). `long_bound`/`short_bound` are not storage: the decoded
    frontiers, kept with them so the hot `total_wad2` does not decode on every call."""

    offset_sum: int = 0
    exposure_sum: int = 0
    long_frontier: int = 0
    short_frontier: int = NO_SHORT_RISK
    long_bound: int = 0
    short_bound: int = UINT256_MAX

    def set_long(self, encoded: int) -> None:
        self.long_frontier, self.long_bound = encoded, decode(encoded)

    def set_short(self, encoded: int) -> None:
        self.short_frontier, self.short_bound = encoded, decode(encoded)

    def save(self) -> tuple[int, int, int, int]:
        return self.offset_sum, self.exposure_sum, self.long_frontier, self.short_frontier

    def load(self, saved: tuple[int, int, int, int]) -> None:
        self.offset_sum, self.exposure_sum, long_frontier, short_frontier = saved
        self.set_long(long_frontier)
        self.set_short(short_frontier)


def offset_of(e0: int, x: int, p0: int, is_long: bool) -> int:
    """`offsetOf`: c = E0·WAD − s·x·P0."""
    xp = x * p0
    return e0 * WAD - (xp if is_long else -xp)


def equity_wad2(e0: int, x: int, p0: int, p: int, is_long: bool) -> int:
    """`equityWad2`: max(0, c + s·x·p)."""
    e = offset_of(e0, x, p0, is_long) + (x if is_long else -x) * p
    return e if e > 0 else 0


def update(a: State, c0: int, sx0: int, c1: int, sx1: int, e0: int, x: int, p0: int, is_long: bool) -> None:
    """`update`: books a series' change and widens its side's frontier to its new knock-out price."""
    a.offset_sum += c1 - c0
    a.exposure_sum += sx1 - sx0
    if x == 0:
        return
    if is_long:
        k = long_knock_out(e0, x, p0)
        if k > a.long_bound:
            a.set_long(encode_up(k))
    else:
        k = short_knock_out(e0, x, p0)
        if k < a.short_bound:
            a.set_short(encode_down(k))


def set_frontiers(a: State, long_k: int, short_k: int) -> None:
    """`setFrontiers`: both frontiers tight (after summing every series)."""
    a.set_long(encode_up(long_k))
    a.set_short(NO_SHORT_RISK if short_k == UINT256_MAX else encode_down(short_k))


def total_wad2(a: State, p: int) -> tuple[bool, int]:
    """`totalWad2`: (True, Λ·WAD) strictly inside the frontiers, else (False, 0)."""
    if p == 0 or p <= a.long_bound or p >= a.short_bound:
        return False, 0
    return True, a.offset_sum + a.exposure_sum * p


def long_knock_out(e0: int, x: int, p0: int) -> int:
    """`longKnockOut`: P0 − floor(E0·WAD/x), at least 0."""
    q = e0 * WAD // x
    return 0 if q >= p0 else p0 - q


def short_knock_out(e0: int, x: int, p0: int) -> int:
    """`shortKnockOut`: P0 + floor(E0·WAD/x)."""
    return p0 + e0 * WAD // x


def to_wad(total: int) -> int:
    """`toWad`: WAD² → WAD, rounded down."""
    return total // WAD


def encode_up(v: int) -> int:
    """`encodeUp`: the smallest m·2^e at or above v."""
    if v >> MANTISSA_BITS == 0:
        return v
    e = v.bit_length() - MANTISSA_BITS
    m = v >> e
    if m << e < v:
        m += 1
    if m >> MANTISSA_BITS:
        m, e = m >> 1, e + 1
    if e > 0xFF:
        return U64
    return (e << MANTISSA_BITS) | m


def encode_down(v: int) -> int:
    """`encodeDown`: the largest m·2^e at or below v."""
    if v >> MANTISSA_BITS == 0:
        return v
    e = v.bit_length() - MANTISSA_BITS
    if e > 0xFF:
        return U64 - 1
    return (e << MANTISSA_BITS) | (v >> e)


def decode(b: int) -> int:
    """`decode` (`NO_SHORT_RISK`: above every price)."""
    if b == NO_SHORT_RISK:
        return UINT256_MAX
    return ((b & _MANTISSA_MASK) << (b >> MANTISSA_BITS)) & UINT256_MAX
