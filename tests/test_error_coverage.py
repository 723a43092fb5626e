"""Every custom error the protocol declares is triggered by name somewhere in the suite."""

from __future__ import annotations

import re
from pathlib import Path

from ape import project

TESTS = Path(__file__).resolve().parent


def _declared_errors() -> set[str]:
    """The errors of the pool's and the series' interfaces, and of the pool's LP orders (ERC-7540, `ILpOrders`:
    declared there, raised by the `PoolLpOrders` module through the pool)."""
    names = set()
    for contract_type in (project.IReservePool.contract_type, project.ILeveragedToken.contract_type,
                          project.ILpOrders.contract_type):
        names |= {abi.name for abi in contract_type.errors}
    return names


def test_every_declared_error_is_matched_by_some_test():
    text = "\n".join(p.read_text() for p in TESTS.glob("test_*.py") if p.name != Path(__file__).name)
    used = {name for name in _declared_errors() if re.search(rf"\b{name}\b", text)}
    missing = sorted(_declared_errors() - used)
    assert not missing, f"custom errors with no test: {missing}"
    assert len(_declared_errors()) >= 15  # the ABI was read


def test_reverts_are_matched_strictly():
    """`ape.reverts(Error, **args)` passes on any revert ape cannot decode (e.g. after an oracle call), so it
    could not fail; every test uses `helpers.reverts_with`, which decodes the revert data itself."""
    offenders = [p.name for p in TESTS.glob("test_*.py")
                 if p.name != Path(__file__).name and "ape.reverts(" in p.read_text()]
    assert not offenders, f"use helpers.reverts_with instead of ape.reverts in {offenders}"


def test_revert_data_printed_as_utf8_text_is_recovered_exactly():
    """Anvil prints a custom error's arguments as text when they are valid UTF-8. A StalePrice whose
    updatedAt ends in the bytes 0xCD 0xA8 (one character, U+0368) must decode to the same bytes; reading
    the text as latin-1 made the stale-price tests fail at such timestamps."""
    from types import SimpleNamespace

    from helpers import _revert_data

    args = (0x6B3ACDA8).to_bytes(32, "big") + (60).to_bytes(32, "big")
    text = args.decode("utf-8")
    assert "\u0368" in text
    exc = SimpleNamespace(revert_message=f"custom error 0x2730eb48: {text}")
    assert _revert_data(exc) == bytes.fromhex("2730eb48") + args
    as_hex = SimpleNamespace(revert_message=f"custom error 0x2730eb48: {(0x6B3A95).to_bytes(32, 'big').hex()}")
    assert _revert_data(as_hex) == bytes.fromhex("2730eb48") + (0x6B3A95).to_bytes(32, "big")
