"""EIP-1559 fees: a first offer from the latest base fee and a priority fee, never above the operator's
cap, and replacement offers that raise both fees by at least the bump percentage (nodes refuse a
replacement below +10%/+12.5%) while staying under the cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Fees:
    """maxFeePerGas and maxPriorityFeePerGas, wei."""

    max_fee: int
    priority_fee: int

    def describe(self) -> str:
        return f"max_fee={self.max_fee / 1e9:.4g}gwei priority={self.priority_fee / 1e9:.4g}gwei"


class FeeCapExceeded(Exception):
    """The base fee alone is above the cap: a transaction sent now could not be included."""


def _ceil_pct(value: int, bump_bps: int) -> int:
    """`value` raised by `bump_bps` basis points, rounded up, and by at least 1 wei."""
    return max(value + 1, -(-value * (10_000 + bump_bps) // 10_000))


class FeePolicy:
    """Fee offers under a cap.

    The first offer is `maxFee = min(cap, 2 * baseFee + priority)` (room for the base fee to double, as
    wallets do); a replacement raises both fees by `bump_percent` (rounded up), or to the fresh offer if
    that is higher, and is refused (None) once the cap stops it from reaching the required increase.
    """

    def __init__(self, cap_wei: int, bump_percent: Decimal, priority_wei: int | None = None) -> None:
        if cap_wei <= 0:
            raise ValueError("the max fee cap must be positive")
        self.cap = cap_wei
        self.priority = priority_wei
        self.bump_bps = int(Decimal(bump_percent) * 100)

    def offer(self, base_fee: int, suggested_priority: int) -> Fees:
        """The first offer for a block whose base fee is `base_fee`."""
        if base_fee > self.cap:
            raise FeeCapExceeded(f"base fee {base_fee / 1e9:.4g} gwei is above the cap {self.cap / 1e9:.4g} gwei")
        priority = self.priority if self.priority is not None else suggested_priority
        max_fee = min(self.cap, 2 * base_fee + priority)
        return Fees(max_fee, min(priority, max_fee - base_fee))

    def floor(self, previous: Fees) -> Fees:
        """The least a replacement of `previous` must offer (may exceed the cap)."""
        return Fees(_ceil_pct(previous.max_fee, self.bump_bps), _ceil_pct(previous.priority_fee, self.bump_bps))

    def bump(self, previous: Fees, base_fee: int, suggested_priority: int) -> Fees | None:
        """A replacement offer for `previous`, or None if the cap does not allow one."""
        need = self.floor(previous)
        try:
            fresh = self.offer(base_fee, suggested_priority)
        except FeeCapExceeded:
            fresh = Fees(0, 0)
        max_fee = max(need.max_fee, fresh.max_fee)
        priority = max(need.priority_fee, fresh.priority_fee)
        if max_fee > self.cap or priority > max_fee:
            return None
        return Fees(max_fee, priority)

    def at_least(self, offer: Fees, floor: Fees | None) -> Fees | None:
        """`offer` raised to `floor` (the price of replacing an unknown pending transaction), or None if
        that would pass the cap."""
        if floor is None:
            return offer
        fees = Fees(max(offer.max_fee, floor.max_fee), max(offer.priority_fee, floor.priority_fee))
        if fees.max_fee > self.cap or fees.priority_fee > fees.max_fee:
            return None
        return fees
