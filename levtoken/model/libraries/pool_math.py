"""`libraries/PoolMath.sol`: the pool-wide rules of SPEC section 4 as pure arithmetic (reserve, floor,
utilization, the utilization cap), applied by `reserve_book` to the pool and by `order_pricing` to a batch."""

from __future__ import annotations

from ..oz.math import mul_div
from ..oz.safe_cast import to_int256
from ..solidity import UINT256_MAX

WAD = 10**18


def reserve_of(pooled_wad: int, total_liabilities: int) -> int:
    """`PoolMath.reserveOf`: pool assets (WAD) - liabilities."""
    return to_int256(pooled_wad) - to_int256(total_liabilities)


def floor_of(total_liabilities: int, floor_ratio: int) -> int:
    """`PoolMath.floorOf`: ceil(floorRatio * liabilities)."""
    return mul_div(total_liabilities, floor_ratio, WAD, True)


def utilization(net: int, p: int, r: int) -> int:
    """`PoolMath.utilization`: |net|·p / r rounded down; the maximum when r <= 0 and there is exposure."""
    abs_net = -net if net < 0 else net
    if abs_net == 0:
        return 0
    if r <= 0:
        return UINT256_MAX
    return mul_div(mul_div(abs_net, p, WAD), WAD, r)


def over_cap(net_before: int, net_after: int, p: int, r: int, cap: int) -> bool:
    """`PoolMath.overCap`: only a move that raises |net| can break the cap (|net_after|·p rounded up against
    cap·r rounded down; always when r <= 0)."""
    abs_after = -net_after if net_after < 0 else net_after
    if abs_after <= (-net_before if net_before < 0 else net_before):
        return False
    if r <= 0:
        return True
    return mul_div(abs_after, p, WAD, True) > mul_div(r, cap, WAD)
