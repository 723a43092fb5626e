"""OpenZeppelin `Math.mulDiv` on Python ints (arguments are assumed to be uint256)."""

from __future__ import annotations

from ..errors import PANIC_DIVISION_BY_ZERO, PANIC_OVERFLOW, Panic
from ..solidity import UINT256_MAX


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
