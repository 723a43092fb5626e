"""Every custom error the protocol declares is triggered by name somewhere in the suite."""

from __future__ import annotations

import re
from pathlib import Path

from ape import project

TESTS = Path(__file__).resolve().parent


def _declared_errors() -> set[str]:
    names = set()
    for contract_type in (project.IReservePool.contract_type, project.ILeveragedToken.contract_type):
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
