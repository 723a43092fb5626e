"""`ape run feed`: push a price path (candle CSV or seeded synthetic) into a mock feed, moving chain time.

    ape run feed --csv ../shared/data/Binance_ETHUSDT_1h.csv --start 2020-03-01 --hours 720 --speedup 3600
    ape run feed --synthetic --seed 7 --hours 1440 --deploy-mock

The feed is ``--feed ADDRESS``, a fresh MockAggregator with ``--deploy-mock``, or the oracle of the
deployment manifest ``deployments/<network>.json``. Decisions (time mapping, rounding, CSV rules) are in
docs/feeds.md.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from ape import accounts, chain, project
from ape.cli import ConnectedProviderCommand, account_option
from ape.logging import logger as ape_logger
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from levtoken.deployment import manifest_path
from levtoken.feeds.candles import PricePoint, hourly_closes, load_candles, to_timestamp
from levtoken.feeds.driver import FeedDriver, to_answer
from levtoken.feeds.synthetic import DEFAULT_START, synthetic_path

DEFAULT_SYNTHETIC_HOURS = 168


def to_iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M")


def _positive_decimal(ctx, param, value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"{value!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise click.BadParameter(f"{value!r} must be a positive number")
    return number


def _path(csv_path, synthetic, seed, hours, start, end, fill_gaps, gbm) -> list[PricePoint]:
    if bool(csv_path) == bool(synthetic):
        raise click.UsageError("give exactly one of --csv FILE or --synthetic")
    if csv_path:
        try:
            candles = load_candles(csv_path)  # logs its summary (duplicates, gaps, dropped rows)
            return hourly_closes(candles, start=start, end=end, hours=hours, fill_gaps=fill_gaps)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    if end:
        raise click.UsageError("--end applies to --csv only (a synthetic path has --hours points)")
    try:
        start_ts = DEFAULT_START if start is None else to_timestamp(start)
        return synthetic_path(seed, hours or DEFAULT_SYNTHETIC_HOURS, start_timestamp=start_ts, **gbm)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _feed(feed_address, deploy_mock, decimals, manifest_dir, first_price, sender, console):
    if deploy_mock:
        if feed_address:
            raise click.UsageError("give --feed or --deploy-mock, not both")
        feed = project.MockAggregator.deploy(decimals, to_answer(first_price, decimals), sender=sender)
        console.print(f"deployed MockAggregator ({decimals} decimals) at {feed.address}")
        return feed
    if not feed_address:
        path = manifest_path(Path(manifest_dir))
        if not path.exists():
            raise click.UsageError(f"no manifest at {path}: deploy first, or pass --feed ADDRESS or --deploy-mock")
        manifest = json.loads(path.read_text())
        if manifest.get("chain_id") != chain.chain_id:
            raise click.UsageError(f"{path} is for chain {manifest.get('chain_id')}, connected to {chain.chain_id}")
        feed_address = manifest["oracle"]
        console.print(f"feed {feed_address} from {path}")
    if not chain.provider.get_code(feed_address):
        raise click.UsageError(
            f"no contract at {feed_address} on this chain (a restarted local chain forgets its contracts: "
            "deploy again, or use --deploy-mock)"
        )
    return project.MockAggregator.at(feed_address)


@click.command(cls=ConnectedProviderCommand, short_help="Push a price path into a mock Chainlink feed")
@click.option("--csv", "csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="hourly candle CSV (e.g. ../shared/data/Binance_ETHUSDT_1h.csv); pushes the closes")
@click.option("--synthetic", is_flag=True, help="a seeded GBM-with-jumps path instead of a CSV")
@click.option("--seed", type=int, default=0, show_default=True, help="synthetic path seed")
@click.option("--hours", type=click.IntRange(min=1),
              help=f"number of hourly points (CSV: from --start; synthetic: default {DEFAULT_SYNTHETIC_HOURS})")
@click.option("--start", help="CSV window start, inclusive (UTC date/time or epoch); synthetic: first timestamp")
@click.option("--end", help="CSV window end, exclusive (UTC date/time or epoch)")
@click.option("--no-fill-gaps", is_flag=True, help="CSV: leave missing hours out instead of repeating the last close")
@click.option("--start-price", default="2000", show_default=True, callback=_positive_decimal,
              help="synthetic first price")
@click.option("--drift", type=float, default=0.0, show_default=True, help="synthetic annual drift")
@click.option("--volatility", type=float, default=0.8, show_default=True, help="synthetic annual volatility")
@click.option("--jump-intensity", type=float, default=12.0, show_default=True, help="synthetic jumps per year")
@click.option("--jump-mean", type=float, default=-0.03, show_default=True, help="mean log jump size")
@click.option("--jump-stdev", type=float, default=0.06, show_default=True, help="stdev of the log jump size")
@click.option("--speedup", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="path seconds per wall-clock second (3600: one hour per second); 0 = as fast as possible")
@click.option("--feed", "feed_address", help="MockAggregator address (default: oracle of the deployment manifest)")
@click.option("--deploy-mock", is_flag=True, help="deploy a fresh MockAggregator at the path's first price")
@click.option("--decimals", type=click.IntRange(0, 36), default=8, show_default=True, help="--deploy-mock decimals")
@click.option("--manifest-dir", default="deployments", show_default=True, type=click.Path(file_okay=False))
@account_option(prompt=False)
def cli(network, csv_path, synthetic, seed, hours, start, end, no_fill_gaps, start_price, drift, volatility,
        jump_intensity, jump_mean, jump_stdev, speedup, feed_address, deploy_mock, decimals, manifest_dir,
        account):
    """Push a price path into a mock feed, advancing chain time to match (one path hour = one chain hour)."""
    console = Console(stderr=True)
    handler = RichHandler(console=console, show_path=False)
    logging.getLogger("levtoken").addHandler(handler)
    logging.getLogger("levtoken").setLevel(logging.INFO)

    gbm = {"start_price": start_price, "drift": drift, "volatility": volatility, "jump_intensity": jump_intensity,
           "jump_mean": jump_mean, "jump_stdev": jump_stdev}
    path = _path(csv_path, synthetic, seed, hours, start, end, not no_fill_gaps, gbm)

    dev = network.is_dev
    if account is None:
        if not dev:
            raise click.UsageError("--account is required off local chains")
        account = accounts.test_accounts[0]
    feed = _feed(feed_address, deploy_mock, decimals, manifest_dir, path[0].price, account, console)
    if not dev:
        console.print("[yellow]not a local chain: chain time cannot be moved; points carry their block's time")

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[price]}"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("feed", total=len(path), price="")

        def advance(point: PricePoint, receipt) -> None:
            progress.update(task, advance=1, price=f"{point.price:,.2f}",
                            description=f"{to_iso(point.timestamp)}")

        driver = FeedDriver(feed, account, speedup=speedup, on_point=advance, move_time=dev)
        with ape_logger.at_level("WARNING"):  # no per-transaction lines under the progress bar
            run = driver.push(path)

    table = Table(title=f"feed {feed.address}")
    table.add_column("")
    table.add_column("value", justify="right")
    prices = [p.price for p in path]
    rows = [
        ("points pushed", f"{len(run.pushed):,}"),
        ("filled (gap) points", f"{sum(p.filled for p in path):,}"),
        ("path", f"{to_iso(path[0].timestamp)} .. {to_iso(path[-1].timestamp)} UTC"),
        ("price first / last", f"{prices[0]:,.2f} / {prices[-1]:,.2f}"),
        ("price min / max", f"{min(prices):,.2f} / {max(prices):,.2f}"),
        ("chain time start / end", f"{run.chain_start} / {run.chain_end}"),
        ("points behind schedule", f"{run.lagging}"),
        ("wall time", f"{run.wall_seconds:.2f} s ({len(run.pushed) / max(run.wall_seconds, 1e-9):,.1f} points/s)"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    Console().print(table)
