"""The mutation list (`levtoken.mutation`) stays applicable to the sources: no compile, no chain."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from levtoken.mutation import (
    MUTANTS,
    REPO_ROOT,
    STAGES,
    Mutant,
    apply_mutant,
    check_mutants,
    select,
    stage_command,
)

COVERED_FILES = {
    "contracts/ReservePool.sol",
    "contracts/base/ReserveBook.sol",
    "contracts/base/ReserveVault.sol",
    "contracts/base/PoolAutomation.sol",
    "contracts/LeveragedToken.sol",
    "contracts/PoolAdmin.sol",
    "contracts/PoolOrders.sol",
    "contracts/base/SeriesOrders.sol",
    "contracts/PoolLpOrders.sol",
    "contracts/base/LpOrdersBase.sol",
    "contracts/libraries/OrderRounds.sol",
    "contracts/libraries/Series.sol",
    "contracts/libraries/SeriesMath.sol",
    "contracts/libraries/OrderPricing.sol",
    "contracts/libraries/PoolMath.sol",
    "contracts/libraries/Liabilities.sol",
    "contracts/libraries/OraclePrice.sol",
    "contracts/libraries/RebalancePolicy.sol",
}


def test_every_snippet_occurs_exactly_once_in_its_file():
    assert check_mutants() == []


def test_the_list_has_at_least_30_mutants_of_every_kind_over_the_contracts():
    assert len(MUTANTS) >= 30
    assert {m.kind for m in MUTANTS} == {"rounding", "comparison", "check", "bound"}
    assert {m.file for m in MUTANTS} <= COVERED_FILES
    assert len({m.id for m in MUTANTS}) == len(MUTANTS)
    assert len({(m.file, m.original, m.replacement) for m in MUTANTS}) == len(MUTANTS)


def test_apply_changes_exactly_the_snippet(tmp_path: Path):
    m = MUTANTS[0]
    target = tmp_path / m.file
    target.parent.mkdir(parents=True)
    shutil.copy(REPO_ROOT / m.file, target)
    before = target.read_text()
    apply_mutant(m, tmp_path)
    after = target.read_text()
    assert after == before.replace(m.original, m.replacement) and after != before


def test_apply_refuses_a_snippet_that_is_not_unique(tmp_path: Path):
    (tmp_path / "A.sol").write_text("x < y; x < y;")
    with pytest.raises(AssertionError, match="2 times"):
        apply_mutant(Mutant("T", "A.sol", "x < y", "x <= y", "twice", "comparison"), tmp_path)
    assert check_mutants((Mutant("T", "A.sol", "x > y", "x >= y", "absent", "comparison"),), tmp_path) != []


def test_select_and_stage_commands():
    assert select(()) == MUTANTS
    assert [m.id for m in select(("C02", "R14"))] == ["C02", "R14"]
    with pytest.raises(KeyError):
        select(("nope",))
    assert "--backend revm --steps 123" in stage_command("fuzz", 123)
    assert all(stage_command(s, 1) for s in STAGES)
    # the full stage skips the mutated tree's own copy of this file (its snippet is gone there)
    assert "--ignore=tests/test_mutation.py" in stage_command("full", 1)
    assert "tests/test_admin.py" in stage_command("tests", 1, ("tests/test_admin.py",))
