"""The wallet's input rules and errors: strict amounts (plain decimals, at most the token's decimals) and
EIP-55-checked addresses, checked before anything is read or sent; the slippage bounds. Part of
``levtoken.wallet`` (which re-exports every name)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from eth_utils import is_checksum_address, to_checksum_address

from levtoken.units import AmountError, parse_decimal, parse_units

T = TypeVar("T")

BPS = 10_000
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}", re.ASCII)


class WalletError(Exception):
    """An operation that cannot (or must not) be sent: ``problem → fix``."""


class WalletInputError(WalletError, ValueError):
    """An argument that breaks an input rule (an address, an amount), found before anything is sent:
    ``field: value rule → fix``. The ape script reports it as a usage error (exit status 2)."""

    def __init__(self, field: str, value: Any, rule: str, fix: str):
        self.field, self.value, self.rule, self.fix = field, value, rule, fix
        super().__init__(f"{field}: {value!r} {rule} → {fix}")


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def lower_bound(expected: int, slippage_bps: int) -> int:
    """``floor(expected*(1 - bps/10000))``: the least output accepted."""
    return expected * (BPS - slippage_bps) // BPS


def upper_bound(expected: int, slippage_bps: int) -> int:
    """``ceil(expected*(1 + bps/10000))``: the most input accepted."""
    return _ceil_div(expected * (BPS + slippage_bps), BPS)


def _amount_text(value: str | int | Decimal, field: str) -> str:
    """The text of an amount: strings as given, ints and Decimals written out; floats are refused (inexact)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise WalletInputError(field, value, f"is a {type(value).__name__}, not an amount",
                           "pass a string such as '1000' or '0.5', an int or a Decimal (floats are inexact)")


def _strict(value: str | int | Decimal, field: str, parse: Callable[[str], T], allow_zero: bool) -> T:
    """`parse` (a ``levtoken.units`` parser) applied to the amount's text, its ``AmountError`` (and a zero
    amount unless `allow_zero`) raised as ``WalletInputError``."""
    try:
        amount = parse(_amount_text(value, field))
    except AmountError as err:
        raise WalletInputError(field, value, err.rule, err.fix) from None
    if amount == 0 and not allow_zero:
        raise WalletInputError(field, value, "is zero", "use an amount above 0")
    return amount


def check_amount(value: str | int | Decimal, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """The format rules of ``levtoken.units.parse_decimal`` (plain decimal: no sign, separator, exponent),
    without a token's decimals: what can be checked before connecting. Raises ``WalletInputError``."""
    return _strict(value, field, parse_decimal, allow_zero)


def parse_amount(value: str | int | Decimal, decimals: int, field: str = "amount", allow_zero: bool = False) -> int:
    """A human amount (``"1000"``, ``"0.5"``) in a token's smallest units, strictly: the rules of
    ``check_amount`` and at most `decimals` fraction digits (never rounded). Raises ``WalletInputError``."""
    return _strict(value, field, functools.partial(parse_units, decimals=decimals), allow_zero)


def _address_shape(value: str) -> str:
    """Why `value` is not 0x + 40 hex digits."""
    if value != value.strip():
        return "has spaces around it"
    if not value.startswith("0x"):
        return "does not start with 0x"
    return f"is not 40 hex digits after 0x (has {len(value) - 2} characters)"


def check_address(value: Any, field: str = "receiver", allow_lowercase: bool = False) -> str:
    """`value` as a checksummed address, refusing anything EIP-55 does not vouch for.

    A mixed-case address must pass its EIP-55 checksum, always. One without a checksum (every letter
    lowercase, or every letter uppercase) only with `allow_lowercase`. The zero address is refused.
    Raises ``WalletInputError`` naming `field`.
    """
    if not isinstance(value, str):
        raise WalletInputError(field, value, f"is a {type(value).__name__}, not an address",
                               "pass the address as text: 0x followed by 40 hex digits")
    if not _HEX_ADDRESS.fullmatch(value):
        raise WalletInputError(field, value, _address_shape(value), "pass 0x followed by 40 hex digits")
    digits = value[2:]
    if not is_checksum_address(value):
        if digits not in (digits.lower(), digits.upper()):
            raise WalletInputError(field, value, "fails its EIP-55 checksum (a character was mistyped, or its case "
                                   "changed)", "copy the address again from its source; do not fix its case by hand")
        if not allow_lowercase:
            raise WalletInputError(field, value, "has no EIP-55 checksum (all one case), so a typo in it would go "
                                   "unnoticed", "paste the checksummed (mixed-case) address, or pass "
                                   "--allow-lowercase (allow_lowercase=True) to accept it unchecked")
    if int(digits, 16) == 0:
        raise WalletInputError(field, value, "is the zero address", "pass the intended address (tokens sent to the "
                               "zero address are lost)")
    return to_checksum_address(value)


def looks_like_address(symbol: str) -> bool:
    """Whether a series argument is meant as a token address (starts with 0x) rather than a symbol."""
    return symbol[:2].lower() == "0x"
