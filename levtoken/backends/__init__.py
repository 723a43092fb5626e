"""Execution backends: one small interface over Anvil (JSON-RPC) and an in-process EVM (pyrevm).

The fuzzer, the differential tests and the model comparison talk only to `Backend`, so the same rules and
invariants run against the same compiled bytecode on either chain.
"""

from levtoken.backends.abi import Codec
from levtoken.backends.artifacts import Artifacts, load_artifacts
from levtoken.backends.base import Backend, Log, Reverted, TxResult

__all__ = ["Artifacts", "Backend", "Codec", "Log", "Reverted", "TxResult", "load_artifacts"]


def open_backend(kind: str, **kwargs) -> Backend:
    """`kind` = "revm" (in-process) or "anvil" (spawns or connects to an Anvil node)."""
    if kind == "revm":
        from levtoken.backends.revm import RevmBackend

        return RevmBackend(**kwargs)
    if kind == "anvil":
        from levtoken.backends.anvil import AnvilBackend

        return AnvilBackend(**kwargs)
    raise ValueError(f"unknown backend {kind!r}: use 'revm' or 'anvil'")
