"""Command-line plumbing shared by ``python -m levtoken.keeper`` and ``ape run keeper``: the common click
options, building a `KeeperConfig` from them (with an optional YAML file underneath), and running a keeper
with signal handling, metrics and exit codes.

Exit codes: 0 done (or stopped by SIGINT/SIGTERM); 1 a ``--once`` pass failed; 2 a configuration problem
(wrong network, no account, balance too low, bad option).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml
from pydantic import ValidationError

from levtoken.keeper.bot import Keeper, KeeperError
from levtoken.keeper.config import KeeperConfig
from levtoken.keeper.logs import configure, emit
from levtoken.keeper.signer import Signer

log = logging.getLogger(__name__)

ONCE_OK = {"nothing_due", "mined", "dry_run", "simulation_reverted", "idle", "in_flight"}

_OPTIONS: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
    click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="YAML file of KeeperConfig fields; options given on the command line win"),
    click.option("--pool", help="ReservePool address (default: the manifest's)"),
    click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
                 help="deployments/<network>.json written by the deployment"),
    click.option("--chain-id", type=int, help="expected chain id (default: the manifest's)"),
    click.option("--once", is_flag=True, default=None, help="handle the current block, wait for the receipt, exit"),
    click.option("--dry-run", is_flag=True, default=None, help="check and simulate, never send"),
    click.option("--metrics-port", type=int, help="serve Prometheus metrics on this port"),
    click.option("--metrics-host", help="address the metrics endpoint binds (default 127.0.0.1)"),
    click.option("--max-fee-gwei", type=str, help="cap on maxFeePerGas (default 100)"),
    click.option("--priority-fee-gwei", type=str, help="maxPriorityFeePerGas (default: ask the node)"),
    click.option("--bump-percent", type=str, help="fee increase per replacement, >= 12.5 (default 20)"),
    click.option("--max-bumps", type=int, help="replacements before giving up (default 3)"),
    click.option("--confirmation-blocks", type=int, help="blocks before a replacement (default 3)"),
    click.option("--confirmation-timeout", type=float, help="seconds before a replacement (default 60)"),
    click.option("--poll-interval", type=float, help="seconds between polls (default 1)"),
    click.option("--block-time", type=float, help="expected seconds per block: poll less right after a block"),
    click.option("--rpc-timeout", type=float, help="seconds per RPC request (default 10)"),
    click.option("--checkpoint", "checkpoint_path", type=click.Path(dir_okay=False, path_type=Path),
                 help="checkpoint file (default: ~/.local/state/levtoken/keeper-<pool>-<account>.json)"),
    click.option("--min-balance-eth", type=str, help="refuse to start below this balance (default 0.01)"),
    click.option("--log-json", is_flag=True, default=False, help="one JSON object per log line"),
    click.option("--log-level", default="INFO", show_default=True,
                 type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False)),
]

CONFIG_FIELDS = {
    "pool", "manifest", "chain_id", "once", "dry_run", "metrics_port", "metrics_host", "max_fee_gwei",
    "priority_fee_gwei", "bump_percent", "max_bumps", "confirmation_blocks", "confirmation_timeout",
    "poll_interval", "block_time", "rpc_timeout", "checkpoint_path", "min_balance_eth",
}


def keeper_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Adds the common keeper options to a click command."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def config_from_options(rpc_url: str | None, options: dict[str, Any],
                        default_manifest: Path | None = None) -> KeeperConfig:
    """A validated `KeeperConfig` from the YAML file (if any) overlaid with the given options.

    Raises `click.UsageError` with every invalid field named."""
    values: dict[str, Any] = {}
    config_file = options.get("config_file")
    if config_file is not None:
        loaded = yaml.safe_load(Path(config_file).read_text()) or {}
        if not isinstance(loaded, dict):
            raise click.UsageError(f"{config_file}: expected a mapping of KeeperConfig fields")
        values.update(loaded)
    for name in CONFIG_FIELDS:
        if options.get(name) is not None:
            values[name] = options[name]
    if rpc_url is not None:
        values["rpc_url"] = rpc_url
    if values.get("pool") is None and values.get("manifest") is None and default_manifest is not None:
        values["manifest"] = default_manifest
    try:
        config = KeeperConfig(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg']}" for err in exc.errors()
        )
        raise click.UsageError(f"invalid keeper configuration: {problems}") from exc
    return config


def default_checkpoint(pool: str, keeper: str) -> Path:
    """``$XDG_STATE_HOME/levtoken/keeper-<pool>-<keeper>.json`` (``~/.local/state`` by default): outside
    the work tree, one file per (pool, account)."""
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "levtoken" / f"keeper-{pool.lower()}-{keeper.lower()}.json"


def setup_logging(options: dict[str, Any]) -> None:
    configure(getattr(logging, str(options.get("log_level") or "INFO").upper()), bool(options.get("log_json")))


def run_keeper(config: KeeperConfig, signer: Signer, echo: Callable[[str], None] = click.echo) -> int:
    """Runs a keeper until SIGINT/SIGTERM (or one pass with --once); returns the process exit code."""
    try:
        if config.checkpoint_path is None:
            config = config.model_copy(
                update={"checkpoint_path": default_checkpoint(config.resolve().pool, signer.address)})
        keeper = Keeper(config, signer)
        keeper.preflight()
    except (KeeperError, ValueError) as exc:
        echo(f"keeper: error: {exc}")
        return 2
    server = None
    if config.metrics_port is not None:
        try:
            server = keeper.metrics.serve(config.metrics_port, config.metrics_host)
        except OSError as exc:
            echo(f"keeper: error: cannot serve metrics on {config.metrics_host}:{config.metrics_port}: {exc}")
            return 2
        emit(log, logging.INFO, "metrics_serving", url=f"http://{config.metrics_host}:{config.metrics_port}/metrics")
    restore = _install_signal_handlers(keeper)
    try:
        if config.once:
            result = keeper.run_once()
            echo(f"keeper: {result.status}" + (f" {result.tx_hash}" if result.tx_hash else ""))
            return 0 if result.status in ONCE_OK else 1
        keeper.loop()
        return 0
    finally:
        restore()
        if server is not None:
            server.shutdown()


def _install_signal_handlers(keeper: Keeper) -> Callable[[], None]:
    """SIGINT/SIGTERM stop the keeper after the current poll; a second signal interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def _handler(signum: int, _frame: Any) -> None:
        if keeper.stopping:
            raise KeyboardInterrupt
        emit(log, logging.INFO, "shutdown_requested", signal=signal.Signals(signum).name)
        keeper.stop()

    for sig in previous:
        signal.signal(sig, _handler)

    def _restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return _restore
