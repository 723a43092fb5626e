"""Keeper benchmark: reaction (blocks from trigger to rebalance) and RPC requests per block, for pools of
2 and of 8 series (MAX_SERIES), on a private Anvil.

    python -m levtoken.keeper.bench            # after `make compile`; about 40 s
    python -m levtoken.keeper.bench --series 2 --series 8 --idle-blocks 20 --rounds 3

Two measurements per pool size:

- **stepped** (automine; the keeper polled once per block): requests per idle block, exactly; the
  requests of a trigger block and of the block after it; reaction in blocks.
- **live** (Anvil switched to interval mining, `--block-time` seconds; the keeper's real loop in a thread
  with `block_time` set): requests per block over an idle stretch, polls included; then `--rounds` price
  moves of +/-10% sent as transactions (each lands in block T and drifts at least one series), and the
  block of the keeper's rebalance minus T.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import click
from eth_account import Account
from eth_utils import keccak
from rich.console import Console
from rich.table import Table

from levtoken.keeper.bot import Keeper
from levtoken.keeper.config import KeeperConfig
from levtoken.keeper.devchain import Anvil, DevSystem, deploy_system, fund
from levtoken.keeper.signer import LocalKeySigner

log = logging.getLogger(__name__)

PRICE_DECIMALS = 8


@dataclass
class BenchResult:
    series: int
    idle_calls_per_block: float = 0.0
    trigger_block_calls: dict[str, int] = field(default_factory=dict)
    next_block_calls: dict[str, int] = field(default_factory=dict)
    stepped_reaction_blocks: int = 0
    live_calls_per_block: float = 0.0
    live_idle_blocks: int = 0
    live_reactions: list[int] = field(default_factory=list)


def _series(n: int) -> list[tuple[str, bool]]:
    return [(f"E{i // 2}{'L' if i % 2 == 0 else 'S'}", i % 2 == 0) for i in range(n)]


def _keeper(anvil: Anvil, system: DevSystem, name: str, **overrides: object) -> Keeper:
    key = keccak(text=f"levtoken keeper bench {name}")
    fund(anvil.w3, Account.from_key(key).address, 10**18)
    values: dict[str, object] = {"rpc_url": anvil.url, "pool": system.pool.address, "poll_interval": 0.05}
    values.update(overrides)
    keeper = Keeper(KeeperConfig(**values), LocalKeySigner(key))  # type: ignore[arg-type]
    keeper.preflight()
    return keeper


def _diff(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {m: n - before.get(m, 0) for m, n in after.items() if n - before.get(m, 0)}


def _wait_mined(anvil: Anvil, keeper: Keeper) -> None:
    if keeper.state is not None and keeper.state.in_flight is not None:
        anvil.w3.eth.wait_for_transaction_receipt(keeper.state.in_flight.hashes[-1], timeout=60, poll_latency=0.005)


def _stepped(anvil: Anvil, system: DevSystem, result: BenchResult, idle_blocks: int) -> None:
    keeper = _keeper(anvil, system, f"stepped-{result.series}")
    keeper.poll_once()  # the first health report
    _wait_mined(anvil, keeper)
    anvil.mine()
    keeper.poll_once()
    before = keeper.rpc.total_calls
    for _ in range(idle_blocks):
        anvil.mine()
        keeper.poll_once()
    result.idle_calls_per_block = (keeper.rpc.total_calls - before) / idle_blocks
    trigger = system.set_price(1_800)
    calls = dict(keeper.rpc.calls)
    keeper.poll_once()
    result.trigger_block_calls = _diff(calls, dict(keeper.rpc.calls))
    _wait_mined(anvil, keeper)
    calls = dict(keeper.rpc.calls)
    keeper.poll_once()
    result.next_block_calls = _diff(calls, dict(keeper.rpc.calls))
    result.stepped_reaction_blocks = keeper.mined[-1].block - trigger


def _live(anvil: Anvil, system: DevSystem, result: BenchResult, block_time: int, idle_seconds: float,
          rounds: int, poll_interval: float) -> None:
    keeper = _keeper(anvil, system, f"live-{result.series}", block_time=block_time, poll_interval=poll_interval)
    anvil.rpc("evm_setAutomine", [False])
    anvil.rpc("evm_setIntervalMining", [block_time])
    thread = threading.Thread(target=keeper.loop, name="keeper", daemon=True)
    thread.start()
    try:
        time.sleep(2 * block_time)  # settle: the keeper is now polling at its steady rhythm
        calls, first = keeper.rpc.total_calls, anvil.w3.eth.block_number
        time.sleep(idle_seconds)
        result.live_idle_blocks = anvil.w3.eth.block_number - first
        result.live_calls_per_block = (keeper.rpc.total_calls - calls) / max(1, result.live_idle_blocks)
        price = 1_800  # where the stepped measurement left the feed
        for i in range(rounds):
            price = price * 11 // 10 if i % 2 == 0 else price * 9 // 10
            mined_before = len(keeper.mined)
            fn = system.oracle.functions.updateAnswer(price * 10**PRICE_DECIMALS)
            trigger = system.transact(fn)  # lands in the next interval block
            deadline = time.monotonic() + 30 * block_time
            while len(keeper.mined) == mined_before and time.monotonic() < deadline:
                time.sleep(0.05)
            if len(keeper.mined) > mined_before:
                result.live_reactions.append(keeper.mined[-1].block - trigger)
            else:
                log.error("no rebalance within 30 blocks of the price update in block %s", trigger)
                result.live_reactions.append(-1)
    finally:
        keeper.stop()
        thread.join(timeout=30)


def measure(series: int, idle_blocks: int = 20, block_time: int = 1, idle_seconds: float = 8.0,
            rounds: int = 3, poll_interval: float = 0.1) -> BenchResult:
    """Runs both measurements on a fresh Anvil with a pool of `series` series."""
    result = BenchResult(series)
    with Anvil() as anvil:
        system = deploy_system(anvil.w3, series=_series(series), mint_usdc=1_000)
        _stepped(anvil, system, result, idle_blocks)
        _live(anvil, system, result, block_time, idle_seconds, rounds, poll_interval)
    return result


def _calls(calls: dict[str, int]) -> str:
    return str(sum(calls.values()))


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--series", "sizes", type=click.IntRange(1, 8), multiple=True, default=(2, 8), show_default=True)
@click.option("--idle-blocks", type=int, default=20, show_default=True)
@click.option("--block-time", type=int, default=1, show_default=True, help="seconds, live measurement")
@click.option("--idle-seconds", type=float, default=8.0, show_default=True)
@click.option("--rounds", type=int, default=3, show_default=True, help="price moves, live measurement")
@click.option("--poll-interval", type=float, default=0.1, show_default=True, help="seconds, live measurement")
def main(sizes: tuple[int, ...], idle_blocks: int, block_time: int, idle_seconds: float, rounds: int,
         poll_interval: float) -> None:
    """Measures the keeper's reaction and RPC cost per block."""
    logging.basicConfig(level=logging.WARNING)
    console = Console(width=120)
    results = [measure(n, idle_blocks, block_time, idle_seconds, rounds, poll_interval) for n in sizes]
    table = Table(title="levtoken keeper: reaction and RPC requests per block")
    for column in ("series", "idle block (stepped)", "trigger block", "block after", "reaction (stepped)",
                   f"per block, live ({block_time}s blocks)", "reaction, live"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            str(r.series), f"{r.idle_calls_per_block:.2f}", _calls(r.trigger_block_calls), _calls(r.next_block_calls),
            f"{r.stepped_reaction_blocks} block", f"{r.live_calls_per_block:.2f} over {r.live_idle_blocks} blocks",
            ", ".join(str(x) for x in r.live_reactions) + " blocks",
        )
    console.print(table)
    for r in results:
        console.print(f"{r.series} series, trigger block requests: "
                      + ", ".join(f"{m} {n}" for m, n in sorted(r.trigger_block_calls.items()))
                      + "; block after: " + ", ".join(f"{m} {n}" for m, n in sorted(r.next_block_calls.items())))
    for r in results:
        worst: int | None = max(r.live_reactions) if r.live_reactions else None
        console.print(f"{r.series} series: blocks from trigger to rebalance = {r.stepped_reaction_blocks} (stepped), "
                      f"worst {worst} (live); RPC requests per idle block = {r.idle_calls_per_block:.2f} (stepped), "
                      f"{r.live_calls_per_block:.2f} (live loop, polls included)")


if __name__ == "__main__":
    main()
