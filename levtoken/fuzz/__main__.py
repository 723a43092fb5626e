"""`python -m levtoken.fuzz --backend revm|anvil|model --steps N`: fuzz and print the throughput.

The long profile (`make fuzz`) runs this with large step counts and keeps hypothesis's example
database in `.hypothesis/levtoken`.
"""

from __future__ import annotations

import logging
import time

import click
from rich.console import Console
from rich.table import Table

from levtoken.fuzz.harness import Harness


def open_harness(backend: str, lens_every: int) -> Harness:
    if backend == "model":
        return Harness(None, lens_every=lens_every)
    from levtoken.backends import open_backend

    return Harness(open_backend(backend), lens_every=lens_every)


@click.command()
@click.option("--backend", type=click.Choice(["revm", "anvil", "model"]), default="revm", show_default=True)
@click.option("--steps", type=int, default=100_000, show_default=True, help="operations to run (at least)")
@click.option("--lens-every", type=int, default=16, show_default=True,
              help="in-process: compare every view every N steps (raw state is compared every step)")
@click.option("--random/--derandomize", "random_", default=False, help="fresh random programs each run")
@click.option("--database/--no-database", default=False, help="keep and replay hypothesis's example database")
def main(backend: str, steps: int, lens_every: int, random_: bool, database: bool) -> None:
    logging.basicConfig(level=logging.WARNING)
    from levtoken.fuzz.machine import fuzz

    console = Console()
    t0 = time.perf_counter()
    h = open_harness(backend, lens_every)
    setup = time.perf_counter() - t0
    t1 = time.perf_counter()
    last = [t1]

    def progress(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 10:
            console.log(f"{done:,} steps, {done / (now - t1):,.0f} steps/s")
            last[0] = now

    done = fuzz(h, steps, derandomize=not random_, database=database, on_round=progress)
    elapsed = time.perf_counter() - t1
    table = Table(title=f"fuzz on {backend}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    st = h.stats
    table.add_row("steps (operations, each followed by every check)", f"{done:,}")
    table.add_row("transactions", f"{st.transactions:,}")
    table.add_row("reverted (same error both sides)", f"{st.reverts:,}")
    table.add_row("full view snapshots compared", f"{st.lens_reads:,}")
    table.add_row("setup seconds", f"{setup:.1f}")
    table.add_row("fuzz seconds", f"{elapsed:.1f}")
    table.add_row("steps per second", f"{done / elapsed:,.0f}")
    console.print(table)
    console.print("operations (run / succeeded):",
                  {k: f"{n}/{st.succeeded.get(k, 0)}" for k, n in sorted(st.by_kind.items())})
    console.print("errors:", dict(sorted(st.errors.items(), key=lambda kv: -kv[1])))
    if h.backend is not None:
        h.backend.close()


if __name__ == "__main__":
    main()
