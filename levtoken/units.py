"""Fixed-point helpers shared by the SDK, scripts and tests (SPEC section 2: WAD = 18 decimals), and the
strict parser of human amounts (``parse_decimal`` / ``parse_units``) the wallet uses."""

from __future__ import annotations

import re
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


# ----------------------------------------------------------------------------- strict amounts

# a plain decimal: ASCII digits, optionally one '.' followed by more digits (no sign, separator or exponent)
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
MAX_UINT256 = 2**256 - 1


class AmountError(ValueError):
    """A human amount that breaks the strict format: ``rule`` (what is wrong) and ``fix``."""

    def __init__(self, text: str, rule: str, fix: str):
        self.text, self.rule, self.fix = text, rule, fix
        super().__init__(f"{text!r} {rule} → {fix}")


def _format_problem(text: str) -> tuple[str, str]:
    """(rule broken, fix) for a string that is not a plain decimal, most specific first."""
    if text == "":
        return "is empty", "write an amount such as 1000 or 0.5"
    if text != text.strip():
        return "has spaces around it", f"write {text.strip()!r} without them"
    if text[0] in "+-":
        return "has a sign", "write the amount without + or - (amounts are never negative)"
    if text.lower() in ("nan", "snan", "inf", "infinity"):
        return "is not a finite number", "write an amount such as 1000 or 0.5"
    if "," in text:
        return ("contains ',' (a thousands separator or a decimal comma: 1,5 could be 1.5 or 15)",
                "write digits only, with '.' for the fraction: 1.5, 1000")
    if "_" in text or " " in text:
        return "contains a digit separator ('_' or a space)", "write the digits without separators: 1000"
    if re.fullmatch(r"[0-9.]+[eE][+-]?[0-9]+", text, re.ASCII):
        return "has an exponent", "write the digits out: 1000 for 1e3"
    if re.fullmatch(r"\.[0-9]+", text, re.ASCII):
        return "starts with '.'", f"write a digit before it: 0{text}"
    if re.fullmatch(r"[0-9]+\.", text, re.ASCII):
        return "ends with '.'", f"drop the '.' or add digits after it: {text[:-1]}"
    return ("is not a plain decimal amount", "write ASCII digits with at most one '.', e.g. 1000 or 0.5")


def parse_decimal(text: str, decimals: int | None = None) -> Decimal:
    """A non-negative plain decimal string (``"123"``, ``"123.456"``) as an exact Decimal.

    Refused (``AmountError``): empty strings, surrounding spaces, signs, thousands separators and decimal
    commas (``1,5``, ``1,000``, ``1_000``, ``1 000``), exponents (``1e3``), ``nan``/``inf``, a leading or
    trailing ``.``, non-ASCII digits, and more than `decimals` fraction digits (counted as written:
    ``1.50`` has two), which are never rounded away.
    """
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise AmountError(text, *_format_problem(text))
    fraction = len(text.partition(".")[2])
    if decimals is not None and fraction > decimals:
        raise AmountError(text, f"has {fraction} decimals, more than the {decimals} the token has",
                          f"round it to {decimals} decimals yourself (nothing is rounded for you)")
    return Decimal(text)


def parse_units(text: str, decimals: int) -> int:
    """A plain decimal string (see ``parse_decimal``) in a token's smallest units, exactly (no rounding by the
    Decimal context); at most ``2**256 - 1`` units."""
    _, digits, exponent = parse_decimal(text, decimals).as_tuple()
    units = int("".join(map(str, digits))) * 10 ** (decimals + int(exponent))
    if units > MAX_UINT256:
        raise AmountError(text, "is larger than any token amount (2**256 - 1 units)", "use a smaller amount")
    return units
