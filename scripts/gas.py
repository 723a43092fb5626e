"""`ape run gas` (or `make gas`): gas benchmark of the levtoken contracts on a fresh local chain.

Thin wrapper over `levtoken.gas.measure`; see docs/gas.md. Always exits 0 (a benchmark reports numbers);
the last line lists the budgets exceeded, if any.
"""

from __future__ import annotations

import logging

from ape import accounts
from ape.logging import LogLevel, logger
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
        table.add_row(row.operation, f"{row.gas:,}", "-" if row.budget is None else f"{row.budget:,}", ok)
    return table


def main() -> None:
    # default level: hide ape's "Confirmed" line per transaction; `-v DEBUG` still shows everything
    if logger.level == LogLevel.INFO:
        logger.set_level(LogLevel.WARNING)
    log = logging.getLogger("levtoken")
    if not log.handlers:
        log.addHandler(RichHandler(show_path=False))
        log.propagate = False
    log.setLevel(logging.INFO if logger.level < LogLevel.INFO else logging.WARNING)

    rows = measure(list(accounts.test_accounts))
    console = Console(width=110)
    console.print(_table(rows))
    over = exceeded(rows)
    if over:
        listed = "; ".join(f"{r.operation} ({r.gas:,} > {r.budget:,})" for r in over)
        console.print(f"budgets exceeded: {listed}")
    else:
        console.print("budgets exceeded: none")
