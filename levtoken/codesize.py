"""Runtime code size of every deployed contract against issue 8's limit (21,000 bytes; EIP-170 allows 24,576),
and the pool's creation code against EIP-3860's initcode limit (49,152 bytes): the pool's constructor creates
its two modules, so their creation code is part of its own.

`ape run codesize` (or `make size`) prints the table that `docs/architecture.md` quotes; `tests/test_code_size.py`
asserts the limits. Sizes are of the compiled runtime bytecode, immutables included as zero placeholders (the
deployed code has the same length).
"""

from __future__ import annotations

from typing import Any

RUNTIME_LIMIT = 21_000
EIP170_LIMIT = 24_576
INITCODE_LIMIT = 49_152  # EIP-3860
# Every contract the deployment or the demo puts on chain (libraries are internal: inlined, never deployed).
DEPLOYED = ("ReservePool", "PoolAdmin", "PoolOrders", "PoolLpOrders", "LeveragedToken", "LeveragedTokenDeployer", "PoolLens", "MockERC20",
            "MockAggregator")


def runtime_sizes(project: Any) -> dict[str, int]:
    """Runtime bytes of each contract in `DEPLOYED`, from the compiled project."""
    sizes = {}
    for name in DEPLOYED:
        code = getattr(project, name).contract_type.runtime_bytecode.bytecode
        sizes[name] = len(bytes.fromhex(code.removeprefix("0x")))
    return sizes


def initcode_size(project: Any, name: str = "ReservePool") -> int:
    """Creation bytes of `name` (constructor arguments not included), from the compiled project."""
    code = getattr(project, name).contract_type.deployment_bytecode.bytecode
    return len(bytes.fromhex(code.removeprefix("0x")))


def render(sizes: dict[str, int]) -> str:
    """A markdown table: contract, runtime bytes, headroom to the 21,000-byte limit and to EIP-170."""
    rows = ["| contract | runtime bytes | under 21,000 by | under EIP-170 by |", "|---|---:|---:|---:|"]
    for name, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        rows.append(f"| `{name}` | {size:,} | {RUNTIME_LIMIT - size:,} | {EIP170_LIMIT - size:,} |")
    return "\n".join(rows)
