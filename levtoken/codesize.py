"""Runtime code size of every deployed contract against issue 8's limit (21,000 bytes; EIP-170 allows 24,576).

`ape run codesize` (or `make size`) prints the table that `docs/architecture.md` quotes; `tests/test_code_size.py`
asserts the limit. Sizes are of the compiled runtime bytecode, immutables included as zero placeholders (the
deployed code has the same length).
"""

from __future__ import annotations

from typing import Any

RUNTIME_LIMIT = 21_000
EIP170_LIMIT = 24_576
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


def render(sizes: dict[str, int]) -> str:
    """A markdown table: contract, runtime bytes, headroom to the 21,000-byte limit and to EIP-170."""
    rows = ["| contract | runtime bytes | under 21,000 by | under EIP-170 by |", "|---|---:|---:|---:|"]
    for name, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        rows.append(f"| `{name}` | {size:,} | {RUNTIME_LIMIT - size:,} | {EIP170_LIMIT - size:,} |")
    return "\n".join(rows)
