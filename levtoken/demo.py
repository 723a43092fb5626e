"""The end-to-end demo: presets on a local chain, about 60 days of hourly prices, the keeper as its own process.

`run(...)` deploys the ETH3L/ETH3S preset, puts the LP's capital in by an order (ERC-7540: request, a round at
the same answer a minute on, execution, claim; before the price path starts), funds three holders, starts
`python -m levtoken.keeper`
against the same node, and replays a price path through `FeedDriver` (synthetic GBM with jumps by default,
or a window of a real CSV). After each hourly price it waits until the keeper has answered whatever
`checkUpkeep` asked for (rebalance or health report), reads every number of the pool in one `PoolLens`
call, and reports a row. The result carries the hourly rows, the pool's `Rebalanced`/`ReserveHealth`
events and the keeper's reaction in blocks; `levtoken.report` writes them to CSV and PNG.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ape import chain, project
from web3.exceptions import ContractLogicError

from levtoken.backends import Codec, load_artifacts
from levtoken.backends.abi import calldata, selector
from levtoken.deployment import Deployment, deploy
from levtoken.feeds import PricePoint, hourly_closes, synthetic_path
from levtoken.feeds.driver import FeedDriver
from levtoken.lens import LensLayout, decode_lens, signed
from levtoken.lp import LP_ORDER_WAIT, lp_deposit

log = logging.getLogger(__name__)

WAD = 10**18
TRIGGERS = {0: "none", 1: "drift", 2: "fallback", 3: "scheduled", 4: "knock-out"}
MAX_UINT = 2**256 - 1


@dataclass(frozen=True)
class DemoConfig:
    days: int = 60
    seed: int = 7
    csv: Path | None = None
    start: str | None = None  # first hour of the CSV window (UTC date or epoch)
    preset: str = "eth3"
    lp_capital: int = 1_000_000  # USDC
    holdings: tuple[tuple[str, str, int], ...] = (  # (holder, series, USDC)
        ("alice", "ETH3L", 50_000), ("bob", "ETH3S", 50_000), ("carol", "ETH3L", 20_000), ("carol", "ETH3S", 20_000),
    )
    keeper_poll: float = 0.005  # seconds between the keeper's polls
    keeper_wait: float = 15.0  # most seconds to wait for the keeper after a price (then carry on, counted)
    out: Path = Path("out")


@dataclass(frozen=True)
class Row:
    """The pool after one hourly price (and the keeper's answer to it)."""

    hour: int
    timestamp: int
    price: Decimal
    nav: dict[str, Decimal]
    leverage: dict[str, Decimal]
    reserve: Decimal
    liabilities: Decimal
    floor: Decimal
    rebalances: int

    @property
    def coverage(self) -> Decimal | None:
        return self.reserve / self.liabilities if self.liabilities else None


@dataclass(frozen=True)
class RebalanceEvent:
    block: int
    timestamp: int
    symbol: str
    trigger: str
    price: Decimal
    leverage_before: Decimal
    leverage_after: Decimal
    nav_before: Decimal
    nav_after: Decimal
    cost: Decimal
    keeper: str


@dataclass
class DemoResult:
    deployment: Deployment
    symbols: list[str]
    source: str
    rows: list[Row] = field(default_factory=list)
    rebalances: list[RebalanceEvent] = field(default_factory=list)
    health_reports: int = 0
    floor_events: list[str] = field(default_factory=list)
    knock_outs: list[str] = field(default_factory=list)
    reactions: list[int] = field(default_factory=list)  # keeper's log: blocks from the trigger to its mined tx
    keeper_late: int = 0  # prices after which the keeper had not answered within keeper_wait
    keeper_txs: int = 0
    keeper_exit: int | None = None
    wall_seconds: float = 0.0
    lp_assets_start: Decimal = Decimal(0)
    lp_assets_end: Decimal = Decimal(0)
    t0: int = 0  # chain time of the deployment and of the LP's deposit request
    t_path: int = 0  # chain time of the first price (the LP's order executed LP_ORDER_WAIT s after t0)
    path: list[PricePoint] = field(default_factory=list)
    last_lens: list[int] = field(default_factory=list)
    replay: Any = None  # `Replay`


def price_path(config: DemoConfig, start_price: Decimal) -> tuple[list[PricePoint], str]:
    """The hourly path: a window of the CSV, or the seeded synthetic path starting at `start_price`."""
    hours = config.days * 24 + 1
    if config.csv is not None:
        points = hourly_closes(config.csv, start=config.start, hours=hours)
        if len(points) < 2:
            raise ValueError(f"{config.csv}: fewer than 2 hourly closes from {config.start}")
        first, last = points[0], points[-1]
        if len(points) < hours:
            log.warning("%s has %d hourly closes from %s, not %d: the window is %.1f days", config.csv.name,
                        len(points), config.start, hours, (len(points) - 1) / 24)
        return points, (f"{config.csv.name} {time.strftime('%Y-%m-%d %H:%M', time.gmtime(first.timestamp))} .. "
                        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(last.timestamp))} UTC")
    points = synthetic_path(config.seed, hours, start_price=start_price)
    return points, f"synthetic GBM with jumps, seed {config.seed}, {config.days} days"


class _Chain:
    """Fast reads for the hot loop: raw eth_call through the provider's web3 (ape's call path decodes and
    traces; here one lens call per hour must stay a few milliseconds)."""

    def __init__(self, deployment: Deployment, lens: Any, accounts: list[str]) -> None:
        self.web3 = chain.provider.web3
        self.pool = deployment.pool.address
        self.lens = lens.address
        self._lens_call = calldata(selector("snapshot(address,address[])"), self.pool, 64, len(accounts), *accounts)
        self._check = calldata(selector("checkUpkeep(bytes)"), 32, 0)

    def snapshot(self) -> tuple[list[int], int]:
        return decode_lens(bytes(self.web3.eth.call({"to": self.lens, "data": self._lens_call})))

    def upkeep_needed(self) -> bool:
        """Whether `checkUpkeep` asks for work. A revert here is Anvil's, not the pool's: a call racing the
        keeper's block can see the new state under the previous block's timestamp (settledAt ahead of
        block.timestamp). The same call at the same block succeeds a moment later, so it counts as
        "still needed" and is asked again."""
        try:
            out = bytes(self.web3.eth.call({"to": self.pool, "data": self._check}))
        except ContractLogicError as exc:
            log.debug("checkUpkeep raced a block being mined (%s); asking again", exc)
            return True
        return int.from_bytes(out[:32], "big") == 1

    def block_number(self) -> int:
        return self.web3.eth.block_number


def _start_keeper(uri: str, pool: str, keeper: str, config: DemoConfig) -> subprocess.Popen:
    config.out.mkdir(parents=True, exist_ok=True)
    checkpoint = config.out / "keeper-checkpoint.json"
    checkpoint.unlink(missing_ok=True)
    logfile = open(config.out / "keeper.log", "w")  # noqa: SIM115 - owned by the process
    cmd = [sys.executable, "-m", "levtoken.keeper", "--rpc", uri, "--pool", pool, "--unlocked", keeper,
           "--poll-interval", str(config.keeper_poll), "--checkpoint", str(checkpoint),
           "--min-balance-eth", "0.001", "--confirmation-timeout", "5"]
    log.info("starting the keeper: %s", " ".join(cmd))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(cmd, stdout=logfile, stderr=subprocess.STDOUT, env=env)


def _stop_keeper(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def run(accounts: Any, config: DemoConfig | None = None,
        on_row: Callable[[Row, DemoResult], None] | None = None) -> DemoResult:
    """Runs the demo on the connected local chain; `on_row` is called after every hour.

    Chain time is deterministic: Anvil's automatic block-time advance is switched off, so every block
    carries the time of the last price (the keeper's transactions included) and the same path gives the
    same numbers on every run, which `replay_on_model` then reproduces off-chain to the wei.
    """
    config = config or DemoConfig()
    t_wall = time.monotonic()
    owner, lp, alice, bob, keeper, carol = (accounts[i] for i in range(6))
    holders = {"alice": alice, "bob": bob, "carol": carol}
    chain.provider.make_request("anvil_setBlockTimestampInterval", [0])
    deployment = deploy(config.preset, owner, manifest_dir=config.out / "deployments")
    pool, asset, oracle = deployment.pool, deployment.asset, deployment.oracle
    symbols = list(deployment.tokens)
    unit = 10 ** asset.decimals()
    start_price = Decimal(oracle.latestAnswer()) / 10 ** oracle.decimals()
    path, source = price_path(config, start_price)
    result = DemoResult(deployment, symbols, source)
    result.t0 = chain.provider.get_block("latest").timestamp
    result.path = path
    # The LP's capital, as an order executed at a round of the initial answer before the path starts.
    asset.mint(lp, config.lp_capital * unit, sender=owner)
    asset.approve(pool, MAX_UINT, sender=lp)
    lp_deposit(pool, oracle, owner, lp, config.lp_capital * unit, wait=LP_ORDER_WAIT)

    lens = project.PoolLens.deploy(sender=owner)
    reader = _Chain(deployment, lens, [lp.address])
    layout = LensLayout(1, len(symbols))
    codec = Codec(load_artifacts().all_abis())
    rebalance_topic = next(t for t, (name, _) in codec.events.items() if name == "Rebalanced")
    keeper_nonce = chain.provider.web3.eth.get_transaction_count(keeper.address)
    first_block = reader.block_number()
    rebalances = [0]
    proc: subprocess.Popen | None = None

    def fund() -> None:
        """At the first price: the holders' mints (`config.holdings`; the LP's capital is in already)."""
        for name, symbol, usdc in config.holdings:
            holder = holders[name]
            asset.mint(holder, usdc * unit, sender=owner)
            asset.approve(pool, MAX_UINT, sender=holder)
            deployment.tokens[symbol].mint(usdc * unit, 0, holder, sender=holder)
        result.lp_assets_start = Decimal(pool.convertToAssets(pool.balanceOf(lp))) / unit

    def wait_for_keeper(seconds: float) -> None:
        """Blocks until checkUpkeep is false: the keeper has answered the price."""
        deadline = time.monotonic() + seconds
        while reader.upkeep_needed():
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"the keeper exited with code {proc.returncode}: see {config.out}/keeper.log")
            if time.monotonic() > deadline:
                result.keeper_late += 1
                log.warning("the keeper has not answered within %.0f s", seconds)
                return
            time.sleep(0.002)

    def record(point: PricePoint) -> None:
        """One row: every number of the pool in one PoolLens call."""
        values, failed = reader.snapshot()
        if failed:  # see `_Chain.upkeep_needed`: ask once more before calling it a failure
            time.sleep(0.05)
            values, failed = reader.snapshot()
        if failed:
            raise RuntimeError(f"a pool view reverted (failed bitmap {failed:#x})")
        result.last_lens = values
        nav = {s: Decimal(values[layout.series(i, "nav")]) / WAD for i, s in enumerate(symbols)}
        lev = {s: Decimal(values[layout.series(i, "leverage")]) / WAD for i, s in enumerate(symbols)}
        row = Row(len(result.rows), values[layout.pool("timestamp")], point.price, nav, lev,
                  Decimal(signed(values[layout.pool("reserve")])) / WAD,
                  Decimal(values[layout.pool("liabilities")]) / WAD, Decimal(values[layout.pool("floor")]) / WAD,
                  rebalances[0])
        result.rows.append(row)
        if on_row:
            on_row(row, result)

    def on_point(point: PricePoint, receipt: Any) -> None:
        nonlocal proc
        if proc is None:  # the first price: fund, then start the keeper (its first act: a health report)
            result.t_path = int(receipt.timestamp)
            fund()
            proc = _start_keeper(chain.provider.uri, pool.address, keeper.address, config)
            wait_for_keeper(config.keeper_wait + 60)  # the keeper's start-up (imports, preflight) included
        else:
            wait_for_keeper(config.keeper_wait)
        rebalances[0] += len(chain.provider.web3.eth.get_logs({
            "address": pool.address, "fromBlock": receipt.block_number, "toBlock": "latest",
            "topics": ["0x" + rebalance_topic.hex()]}))
        record(point)

    try:
        FeedDriver(oracle, owner, on_point=on_point).push(path)
    finally:
        result.keeper_exit = _stop_keeper(proc) if proc is not None else None
        chain.provider.make_request("anvil_removeBlockTimestampInterval", [])

    _collect_events(result, codec, first_block)
    result.reactions = keeper_reactions(config.out / "keeper.log")
    result.keeper_txs = chain.provider.web3.eth.get_transaction_count(keeper.address) - keeper_nonce
    result.lp_assets_end = Decimal(pool.convertToAssets(pool.balanceOf(lp))) / unit
    result.replay = replay_on_model(result, config, [owner.address, lp.address, keeper.address],
                                    {k: v.address for k, v in holders.items()})
    result.wall_seconds = time.monotonic() - t_wall
    return result


@dataclass(frozen=True)
class Replay:
    """The demo replayed on `levtoken.model`: its final lens snapshot against the chain's."""

    values: int
    equal: bool
    differences: list[str]
    rebalances: int


def replay_on_model(result: DemoResult, config: DemoConfig, roles: list[str], holders: dict[str, str]) -> Replay:
    """Replays the demo's transactions on the model: the deployment, the LP's deposit order (request at t0,
    a round at the same answer LP_ORDER_WAIT s later, execution, claim), the holders' mints at the first
    price, then each price followed by the keeper's upkeeps (as `checkUpkeep` asks for them), all at the
    chain's times.
    Compares the final `PoolLens` snapshot with the chain's, value by value."""
    from levtoken.feeds.driver import to_answer
    from levtoken.model import PoolModel

    owner, lp, keeper = roles
    d = result.deployment
    pool, asset, oracle = d.pool, d.asset, d.oracle
    decimals = oracle.decimals()
    unit = 10 ** asset.decimals()
    t0 = result.t0
    m = PoolModel(address=pool.address, asset_address=asset.address, oracle_address=oracle.address, owner=owner,
                  asset_decimals=asset.decimals(), feed_decimals=decimals, now=t0,
                  initial_answer=oracle.getAnswer(1))
    for symbol, token in d.tokens.items():
        st = pool.seriesState(token)
        p = pool.seriesParams(token)
        m.create_series(owner, token.address, st.isLong, st.initialNav,
                        (p.targetLeverage, p.minLeverage, p.maxLeverage, p.fallbackInterval, p.mintFee, p.redeemFee,
                         p.streamingFee, p.spread), symbol)
    m.floor_ratio, m.max_price_age, m.health_interval = pool.floorRatio(), pool.maxPriceAge(), pool.healthInterval()
    m.keeper_reward, m.keeper_reward_daily_cap = pool.keeperReward(), pool.keeperRewardDailyCap()

    rebalances = 0

    def upkeeps() -> None:
        nonlocal rebalances
        while True:
            needed, bitmap, health = m.check_upkeep()
            if not needed:
                return
            m.perform_upkeep(keeper, bitmap, health)
            rebalances += sum(1 for name, _ in m.events if name == "Rebalanced")

    m.asset_mint(lp, config.lp_capital * unit)
    m.asset_approve(lp, pool.address, MAX_UINT)
    m.request_deposit(lp, config.lp_capital * unit, lp, lp)
    m.set_time(t0 + LP_ORDER_WAIT)
    m.set_answer(m.latest_round_data()[1])
    m.execute_lp_orders(owner, m.latest_round_data()[0], 100)
    m.deposit(lp, m.max_deposit(lp), lp, lp)
    t_path = result.t_path

    path = result.path
    for i, point in enumerate(path):
        m.set_time(t_path + point.timestamp - path[0].timestamp)
        m.set_answer(to_answer(point.price, decimals))
        if i == 0:
            for name, symbol, usdc in config.holdings:
                m.asset_mint(holders[name], usdc * unit)
                m.asset_approve(holders[name], pool.address, MAX_UINT)
                m.mint(holders[name], d.tokens[symbol].address, usdc * unit, 0, holders[name])
        upkeeps()
    values, _ = m.lens([lp])
    layout = LensLayout(1, len(d.tokens))
    chain_values = result.last_lens
    return Replay(len(values), values == chain_values, layout.diff(chain_values, values), rebalances)


def keeper_reactions(logfile: Path) -> list[int]:
    """The keeper's own measure of each mined upkeep: blocks from the block that showed the trigger."""
    pattern = re.compile(r"upkeep_mined .*reaction_blocks=(\d+)")
    return [int(m.group(1)) for line in logfile.read_text().splitlines() if (m := pattern.search(line))]


def _collect_events(result: DemoResult, codec: Codec, first_block: int) -> None:
    """The pool's events since `first_block`, decoded."""
    deployment = result.deployment
    by_token = {c.address: s for s, c in deployment.tokens.items()}
    logs = chain.provider.web3.eth.get_logs({"address": deployment.pool.address, "fromBlock": first_block,
                                             "toBlock": "latest"})
    timestamps: dict[int, int] = {}
    for lg in logs:
        decoded = codec.decode_event([bytes(t) for t in lg["topics"]], bytes(lg["data"]))
        if decoded is None:
            continue
        name, f = decoded
        block = lg["blockNumber"]
        if name == "Rebalanced":
            if block not in timestamps:
                timestamps[block] = chain.provider.web3.eth.get_block(block)["timestamp"]
            result.rebalances.append(RebalanceEvent(
                block, timestamps[block], by_token.get(f["token"], f["token"]), TRIGGERS.get(f["trigger"], "?"),
                Decimal(f["price"]) / WAD, Decimal(f["leverageBefore"]) / WAD, Decimal(f["leverageAfter"]) / WAD,
                Decimal(f["navBefore"]) / WAD, Decimal(f["navAfter"]) / WAD, Decimal(f["cost"]) / WAD, f["keeper"],
            ))
        elif name == "ReserveHealth":
            result.health_reports += 1
        elif name in ("ReserveFloorBreached", "ReserveFloorRestored"):
            result.floor_events.append(f"{name} at block {block}: reserve {Decimal(f['reserve']) / WAD:,.2f}")
        elif name == "KnockedOut":
            result.knock_outs.append(by_token.get(f["token"], f["token"]))
