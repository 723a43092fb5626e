"""What Solidity 0.8 itself does to integers, on Python ints: the type bounds, the checked arithmetic
that panics with `Panic(0x11)`, signed division, `bytes32` string literals, and the ABI encoder's range
check on arguments (a value outside its type raises `ValueError`, as the encoder would refuse it)."""

from __future__ import annotations

from .errors import PANIC_OVERFLOW, Panic

UINT256_MAX = (1 << 256) - 1
INT256_MAX = (1 << 255) - 1
INT256_MIN = -(1 << 255)
TWO_256 = 1 << 256
# type(uintN).max, also the masks of the truncating casts uintN(x)
U32 = (1 << 32) - 1
U40 = (1 << 40) - 1
U80 = (1 << 80) - 1
U112 = (1 << 112) - 1
U128 = (1 << 128) - 1


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


def bytes32(name: str) -> bytes:
    """A Solidity string literal as bytes32 (left-aligned, zero-padded), e.g. `"floorRatio"`."""
    return name.encode().ljust(32, b"\0")


def abi_uint(value: int, bits: int = 256) -> int:
    """`value` if it fits uint`bits`; else `ValueError` (the chain's ABI encoder would refuse it)."""
    if not 0 <= value < 1 << bits:
        raise ValueError(f"{value!r} does not fit uint{bits}")
    return value
