"""Decodes revert data into the custom error it carries, with a plain-language reason and fix.

The error ABIs come from the project's compiled contracts (the pool, the token and the ERC-20 mock, which
together carry every custom error a user can hit, including OpenZeppelin's ERC-20 / ERC-4626 errors), plus
Solidity's built-in ``Error(string)`` and ``Panic(uint256)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak

_BUILTIN = {
    bytes.fromhex("08c379a0"): ("Error", ("reason",), ("string",)),
    bytes.fromhex("4e487b71"): ("Panic", ("code",), ("uint256",)),
}

# name -> (what it means, what to do); {arg} placeholders are filled from the error's arguments
_HINTS: dict[str, tuple[str, str]] = {
    "SlippageExceeded": ("the result ({actual}) is below the bound ({minimum})",
                         "quote again; raise --slippage-bps only if you accept a worse price"),
    "ReserveBelowFloor": (
        "the reserve would be below its floor: mints and exposure-increasing rebalances are suspended",
        "wait for LPs to add capital (lp-deposit) or for the price to move back; redemptions still work",
    ),
    "EnforcedPause": ("the pool is paused: mints are suspended", "wait for the owner to unpause; redemptions still work"),
    "SeriesKnockedOut": ("the series is knocked out (its equity reached 0)", "it can no longer be minted or rebalanced"),
    "StalePrice": ("the oracle price is stale", "wait for the feed to update"),
    "InvalidPrice": ("the oracle answered a non-positive price", "wait for the feed to recover"),
    "FuturePrice": ("the oracle answer is dated in the future", "wait for the feed to recover"),
    "IncompleteRound": ("the oracle round is incomplete", "wait for the feed to update"),
    "ZeroAmount": ("the amount (or its share/asset equivalent) is zero", "use a larger amount"),
    "ZeroAddress": ("an address is the zero address", "pass a real receiver"),
    "ERC20InsufficientAllowance": ("the pool may spend only {allowance} of your tokens, {needed} needed",
                                   "approve the pool first (ape run wallet approve ...)"),
    "ERC20InsufficientBalance": ("the balance is {balance}, {needed} needed", "lower the amount or fund the account"),
    "ERC4626ExceededMaxDeposit": ("deposits are closed now (max {max})",
                                  "wait for a usable oracle price and a non-negative reserve"),
    "ERC4626ExceededMaxWithdraw": ("at most {max} can be withdrawn now (the reserve must stay above its floor)",
                                   "withdraw less"),
    "ERC4626ExceededMaxRedeem": ("at most {max} shares can be redeemed now (the reserve must stay above its floor)",
                                 "redeem fewer shares"),
}


@dataclass(frozen=True)
class Revert:
    """A decoded revert: the error's name and arguments, and the raw data."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    data: bytes = b""

    def __str__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.args.items())
        return f"{self.name}({inner})"

    def explain(self) -> str:
        """``Name(args): what it means → what to do`` (just the signature for errors without a hint)."""
        hint = _HINTS.get(self.name)
        if hint is None:
            return str(self)
        meaning, fix = (part.format(**self.args) for part in hint)
        return f"{self}: {meaning} → {fix}"


@lru_cache(maxsize=1)
def _error_table() -> dict[bytes, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    from ape import project

    table = dict(_BUILTIN)
    for name in ("ReservePool", "LeveragedToken", "MockERC20"):
        for abi in getattr(project, name).contract_type.errors:
            selector = keccak(text=abi.selector)[:4]
            table[selector] = (abi.name, tuple(i.name or f"arg{n}" for n, i in enumerate(abi.inputs)),
                               tuple(i.canonical_type for i in abi.inputs))
    return table


def decode(data: bytes | str | None) -> Revert | None:
    """The error in raw revert data (bytes or 0x-hex), or None if there is none to decode."""
    if data is None:
        return None
    if isinstance(data, str):
        if not re.fullmatch(r"0x([0-9a-fA-F]{2})*", data):
            return None
        data = bytes.fromhex(data[2:])
    if len(data) < 4:
        return Revert("revert without data", {}, bytes(data)) if not data else None
    entry = _error_table().get(bytes(data[:4]))
    if entry is None:
        return Revert(f"unknown error 0x{data[:4].hex()}", {}, bytes(data))
    name, names, types = entry
    try:
        values = abi_decode(list(types), bytes(data[4:])) if types else ()
    except Exception:  # noqa: BLE001 - malformed arguments: keep the name
        values = ()
    return Revert(name, dict(zip(names, values)), bytes(data))


def from_exception(exc: BaseException) -> Revert | None:
    """The error of a web3 or ape revert exception, decoded if its data can be found."""
    for candidate in (getattr(exc, "data", None), getattr(getattr(exc, "base_err", None), "data", None)):
        if isinstance(candidate, dict):
            candidate = candidate.get("data")
        if isinstance(candidate, (bytes, bytearray)) or (isinstance(candidate, str) and candidate.startswith("0x")):
            found = decode(bytes(candidate) if not isinstance(candidate, str) else candidate)
            if found is not None:
                return found
    message = getattr(exc, "revert_message", None) or str(exc)
    match = re.search(r"custom error 0x([0-9a-fA-F]{8}):? ?([0-9a-fA-F]*)", message)
    if match:
        return decode(bytes.fromhex(match.group(1) + match.group(2)))
    match = re.search(r"execution reverted: (.+)", message)
    if match:
        return Revert("Error", {"reason": match.group(1).strip()})
    return None


def describe(exc: BaseException) -> str:
    """A one-line explanation of a revert exception (its decoded error, or its message)."""
    found = from_exception(exc)
    return found.explain() if found is not None else str(exc).splitlines()[0]
