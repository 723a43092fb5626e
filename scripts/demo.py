"""`ape run demo`: presets on a local chain, ~60 days of hourly prices, the keeper as its own process.

    ape run demo                                   # synthetic path (seed 7), 60 days
    ape run demo --csv ../shared/data/Binance_ETHUSDT_1h.csv --start 2021-05-01
"""

import logging
from collections import Counter
from pathlib import Path

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand, network_option
from rich.console import Console
from rich.live import Live
from rich.table import Table

from levtoken.demo import DemoConfig, DemoResult, Row, run
from levtoken.report import series_summary, trigger_counts, write_chart, write_csv


def _live_table(row: Row, result: DemoResult) -> Table:
    day = (row.timestamp - result.rows[0].timestamp) / 86_400
    t = Table(title=f"day {day:.1f}: {result.source}")
    for c in ("price", *(f"{s} NAV" for s in result.symbols), *(f"{s} lev" for s in result.symbols),
              "coverage", "rebal."):
        t.add_column(c, justify="right")
    cov = f"{row.coverage:.0%}" if row.coverage is not None else "-"
    t.add_row(f"{row.price:,.2f}", *(f"{row.nav[s]:,.2f}" for s in result.symbols),
              *(f"{row.leverage[s]:.2f}x" for s in result.symbols), cov, str(row.rebalances))
    return t


@click.command(cls=ConnectedProviderCommand)
@network_option(default="ethereum:local:foundry")
@click.option("--days", type=int, default=60, show_default=True, help="days of hourly prices to replay")
@click.option("--seed", type=int, default=7, show_default=True, help="seed of the synthetic path")
@click.option("--csv", "csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="replay a window of real hourly candles instead (e.g. ../shared/data/Binance_ETHUSDT_1h.csv)")
@click.option("--start", help="first hour of the CSV window (UTC date, e.g. 2021-05-01)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True)
def cli(network, days, seed, csv_path, start, out_dir):
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger("levtoken").addHandler(handler)
    logging.getLogger("levtoken").setLevel(logging.WARNING)
    from ape.logging import logger as ape_logger

    ape_logger.set_level("WARNING")  # no line per deployment: the live table is the output
    console = Console()
    config = DemoConfig(days=days, seed=seed, csv=csv_path, start=start, out=out_dir)
    with Live(console=console, refresh_per_second=4) as live:
        def on_row(row: Row, result: DemoResult) -> None:
            if row.hour % 6 == 0 or row.hour == days * 24:
                live.update(_live_table(row, result))

        result = run(accounts.test_accounts, config, on_row=on_row)

    events_csv, hourly_csv = write_csv(result, out_dir)
    chart = write_chart(result, out_dir / "demo.png")

    counts = trigger_counts(result)
    t = Table(title="Rebalances by trigger")
    t.add_column("series")
    for trig in ("drift", "fallback", "knock-out"):
        t.add_column(trig, justify="right")
    for s in result.symbols:
        t.add_row(s, *(str(counts.get((s, trig), 0)) for trig in ("drift", "fallback", "knock-out")))
    console.print(t)

    t = Table(title="NAV vs underlying")
    for c in ("series", "NAV start", "NAV end", "NAV return", "3x underlying return", "leverage min..max"):
        t.add_column(c, justify="right")
    p0, p1 = result.rows[0].price, result.rows[-1].price
    for s in series_summary(result):
        t.add_row(s.symbol, f"{s.nav_start:,.4f}", f"{s.nav_end:,.4f}", f"{s.nav_return:+.2%}",
                  f"{s.naive_return:+.2%}", f"{s.min_leverage:.2f}x..{s.max_leverage:.2f}x")
    t.caption = f"underlying {p0:,.2f} -> {p1:,.2f} ({p1 / p0 - 1:+.2%})"
    console.print(t)

    last = result.rows[-1]
    coverages = [r.coverage for r in result.rows if r.coverage is not None]
    t = Table(title="Reserve health")
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_row("reserve / liabilities at the end", f"{last.reserve:,.2f} / {last.liabilities:,.2f}")
    t.add_row("coverage at the end (min over the run)", f"{last.coverage:.1%} ({min(coverages):.1%})")
    t.add_row("floor (10% of liabilities)", f"{last.floor:,.2f}")
    t.add_row("floor breaches / restores", str(len(result.floor_events)))
    t.add_row("ReserveHealth reports", str(result.health_reports))
    t.add_row("knock-outs", ", ".join(result.knock_outs) or "none")
    t.add_row("LP capital: start -> end", f"{result.lp_assets_start:,.2f} -> {result.lp_assets_end:,.2f}")
    reaction = Counter(result.reactions)
    t.add_row("keeper transactions", str(result.keeper_txs))
    t.add_row("keeper reaction, from its log (blocks from trigger to mined: count)",
              ", ".join(f"{k}: {n}" for k, n in sorted(reaction.items())))
    t.add_row("prices the keeper had not answered in time", str(result.keeper_late))
    t.add_row("wall time", f"{result.wall_seconds:.1f} s")
    console.print(t)
    replay = result.replay
    if replay.equal:
        console.print(f"[green]model replay: all {replay.values} numbers of the final pool state equal the chain's "
                      f"to the wei ({replay.rebalances} rebalances replayed)[/green]")
    else:
        console.print("[red]model replay differs from the chain:[/red]\n  " + "\n  ".join(replay.differences))
    for line in result.floor_events:
        console.print(f"  {line}")
    console.print(f"written: {events_csv}, {hourly_csv}, {chart}, {out_dir / 'keeper.log'}")
    if not replay.equal:
        raise click.ClickException("the model replay does not reproduce the chain")
    if result.keeper_exit not in (0, None):
        raise click.ClickException(f"the keeper exited with code {result.keeper_exit}: see {out_dir / 'keeper.log'}")
