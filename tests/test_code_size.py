"""Layout limits of issue 8: every deployed contract at most 21,000 bytes of runtime code (EIP-170 allows
24,576), no Solidity file over 400 lines. The table in `docs/architecture.md` comes from `levtoken.codesize`."""

from __future__ import annotations

from pathlib import Path

from ape import project

from levtoken.codesize import DEPLOYED, INITCODE_LIMIT, RUNTIME_LIMIT, initcode_size, runtime_sizes

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts"


def test_every_deployed_contract_is_within_21000_bytes_of_runtime_code():
    sizes = runtime_sizes(project)
    assert set(sizes) == set(DEPLOYED)
    over = {name: size for name, size in sizes.items() if size > RUNTIME_LIMIT}
    assert not over, f"over {RUNTIME_LIMIT} bytes: {over}"
    assert sizes["ReservePool"] > 10_000  # the sizes were read, not defaulted


def test_no_solidity_file_is_over_400_lines():
    files = [p for p in CONTRACTS.rglob("*.sol") if ".cache" not in p.parts]
    assert len(files) > 15
    long_files = {p.relative_to(CONTRACTS).as_posix(): n for p in files
                  if (n := len(p.read_text().splitlines())) > 400}
    assert not long_files, long_files


def test_the_pools_creation_code_with_its_two_modules_is_within_eip_3860():
    size = initcode_size(project)
    sizes = runtime_sizes(project)
    assert size > sizes["ReservePool"] + sizes["PoolAdmin"] + sizes["PoolOrders"]  # the modules are inside
    assert size <= INITCODE_LIMIT, f"ReservePool creation code {size} > {INITCODE_LIMIT} (EIP-3860)"
