"""`libraries/RebalancePolicy.sol`: the rebalance triggers of SPEC section 5 (Drift, then Fallback)."""

from __future__ import annotations


def drifted(lev: int, min_leverage: int, max_leverage: int) -> bool:
    """`RebalancePolicy.drifted`: lev < min or lev > max (min = 0 disables the lower edge)."""
    return lev < min_leverage or lev > max_leverage


def fallback_due(fallback_interval: int, last_rebalance: int, now: int) -> bool:
    """`RebalancePolicy.fallbackDue` at block.timestamp `now` (an interval of 0 never holds)."""
    return fallback_interval != 0 and now >= last_rebalance + fallback_interval
