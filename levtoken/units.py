"""Fixed-point helpers shared by the SDK, scripts and tests (SPEC section 2: WAD = 18 decimals)."""

from __future__ import annotations

from decimal import Decimal

WAD = 10**18


def to_wad(value: int | float | str | Decimal) -> int:
    """A decimal quantity (e.g. ``"3"`` for 3x, ``"0.001"`` for 0.1%) as an exact WAD integer."""
    return int(Decimal(str(value)) * WAD)


def from_wad(value: int) -> Decimal:
    """A WAD integer as a Decimal (exact)."""
    return Decimal(value) / WAD


def to_units(value: int | float | str | Decimal, decimals: int) -> int:
    """A decimal amount in a token's own units (USDC: 6 decimals)."""
    return int(Decimal(str(value)) * (10**decimals))


def from_units(value: int, decimals: int) -> Decimal:
    """A token amount in its own units as a Decimal."""
    return Decimal(value) / (10**decimals)
