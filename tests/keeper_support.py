"""Fixtures and helpers local to tests/test_keeper.py: keeper accounts, a virtual clock, keeper factories
for ape's chain and for a private Anvil (levtoken.keeper.devchain), and event queries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_utils import keccak

from levtoken.keeper import Keeper, KeeperConfig, LocalKeySigner

ETHER = 10**18


def keeper_key(name: str) -> bytes:
    """A deterministic private key per name (fresh accounts: no nonce history on the test chain)."""
    return keccak(text=f"levtoken keeper test {name}")


def keeper_address(name: str) -> str:
    return Account.from_key(keeper_key(name)).address


class VirtualClock:
    """The keeper's clock and sleep in virtual time: `sleep` advances `now` at once (and runs `hook`,
    which lets a test act between two polls of a running keeper loop)."""

    def __init__(self, hook: Callable[[float], None] | None = None) -> None:
        self.t = 1_000.0
        self.sleeps: list[float] = []
        self.hook = hook

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds
        if self.hook is not None:
            self.hook(seconds)


def fast_config(rpc_url: str, pool_address: str | None, tmp_path: Path, name: str,
                **overrides: Any) -> KeeperConfig:
    """Test settings: short polls and backoff (virtual anyway), one retry, a checkpoint in tmp_path."""
    values: dict[str, Any] = {
        "rpc_url": rpc_url, "pool": pool_address, "poll_interval": 1.0, "rpc_timeout": 5.0, "rpc_retries": 1,
        "backoff_initial": 0.5, "backoff_max": 8.0, "checkpoint_path": tmp_path / f"{name}.checkpoint.json",
        "min_balance_eth": "0.01",
    }
    values.update(overrides)
    return KeeperConfig(**values)


def make_keeper(config: KeeperConfig, name: str, clock: VirtualClock | None = None,
                preflight: bool = True) -> Keeper:
    clock = clock or VirtualClock()
    keeper = Keeper(config, LocalKeySigner(keeper_key(name)), clock=clock.now, sleep=clock.sleep)
    if preflight:
        keeper.preflight()
    return keeper


def poll_calls(keeper: Keeper) -> tuple[Any, dict[str, int]]:
    """One poll and the requests it made, by method."""
    before = dict(keeper.rpc.calls)
    result = keeper.poll_once()
    after = dict(keeper.rpc.calls)
    return result, {m: n - before.get(m, 0) for m, n in after.items() if n - before.get(m, 0)}


def wait_mined(keeper: Keeper, w3: Any) -> None:
    """Blocks until the keeper's in-flight transaction is in a block: Anvil's automine mines a raw
    transaction asynchronously, a few milliseconds after accepting it."""
    in_flight = keeper.state.in_flight if keeper.state else None
    if in_flight is not None:
        w3.eth.wait_for_transaction_receipt(in_flight.hashes[-1], timeout=60, poll_latency=0.005)


def logs_between(event: Any, start: int, stop: int) -> list[Any]:
    """Decoded logs of an ape contract event from block `start` to `stop` inclusive."""
    return list(event.range(start, stop + 1))
