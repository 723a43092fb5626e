"""OpenZeppelin `SafeCast`: the narrowing casts the contracts use, reverting instead of truncating."""

from __future__ import annotations

from ..errors import SafeCastOverflowedUintDowncast, SafeCastOverflowedUintToInt
from ..solidity import INT256_MAX, U112, U128


def to_uint112(value: int) -> int:
    """`SafeCast.toUint112`."""
    if value > U112:
        raise SafeCastOverflowedUintDowncast(112, value)
    return value


def to_uint128(value: int) -> int:
    """`SafeCast.toUint128`."""
    if value > U128:
        raise SafeCastOverflowedUintDowncast(128, value)
    return value


def to_int256(value: int) -> int:
    """`SafeCast.toInt256` (uint256 -> int256)."""
    if value > INT256_MAX:
        raise SafeCastOverflowedUintToInt(value)
    return value
