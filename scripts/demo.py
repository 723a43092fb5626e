"""`ape run demo`: deploy the ETH3L/ETH3S presets on a local chain, drive a drift and a fallback, print."""

import logging

import click
from ape import accounts
from ape.cli import ConnectedProviderCommand, network_option
from rich.console import Console
from rich.table import Table

from levtoken.demo import run


@click.command(cls=ConnectedProviderCommand)
@network_option(default="ethereum:local:foundry")
def cli(network):
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger("levtoken").addHandler(handler)
    logging.getLogger("levtoken").setLevel(logging.INFO)
    result = run(accounts.test_accounts)
    console = Console()

    states = Table(title="Series after each step")
    for column in ("step", "price", "series", "NAV", "leverage", "equity", "reserve"):
        states.add_column(column, justify="left" if column in ("step", "series") else "right")
    for s in result.snapshots:
        states.add_row(s.step, f"{s.price:,.2f}", s.symbol, f"{s.nav:,.4f}", f"{s.leverage:.3f}x",
                       f"{s.equity:,.0f}", f"{s.reserve:,.0f}")
    console.print(states)

    events = Table(title="Rebalanced events")
    for column in ("step", "series", "trigger", "price", "lev. before", "lev. after", "NAV before", "NAV after"):
        events.add_column(column, justify="left" if column in ("step", "series", "trigger") else "right")
    for r in result.rebalances:
        events.add_row(r.step, r.symbol, r.trigger, f"{r.price:,.2f}", f"{r.leverage_before:.3f}x",
                       f"{r.leverage_after:.3f}x", f"{r.nav_before:,.4f}", f"{r.nav_after:,.4f}")
    console.print(events)
    console.print(f"after every holder redeemed, the LP's 1,000,000 deposit is worth {result.lp_assets:,.2f}")
    console.print(f"manifest: {result.deployment.manifest_path}")
