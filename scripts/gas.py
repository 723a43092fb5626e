"""`ape run gas`: gas benchmark of the levtoken contracts on a fresh local chain (see docs/gas.md)."""

from __future__ import annotations

import logging

from ape import accounts
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from levtoken.gas import GasRow, exceeded, measure


def _table(rows: list[GasRow]) -> Table:
    table = Table(title="levtoken gas (receipt.gas_used)")
    table.add_column("operation")
    table.add_column("gas", justify="right")
    table.add_column("budget", justify="right")
    table.add_column("ok", justify="center")
    for row in rows:
        ok = {None: "-", True: "[green]yes[/]", False: "[red]NO[/]"}[row.within_budget]
        table.add_row(row.operation, f"{row.gas:,}", f"{row.budget:,}" if row.budget else "-", ok)
    return table


def main() -> None:
    log = logging.getLogger("levtoken")
    if not log.handlers:
        log.addHandler(RichHandler(show_path=False))
        log.setLevel(logging.WARNING)
        log.propagate = False
    rows = measure(list(accounts.test_accounts))
    console = Console()
    console.print(_table(rows))
    over = exceeded(rows)
    if over:
        console.print("budgets exceeded: " + "; ".join(f"{r.operation} ({r.gas:,} > {r.budget:,})" for r in over))
    else:
        console.print("budgets exceeded: none")
