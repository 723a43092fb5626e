"""Demo outputs: the rebalance events and hourly rows as CSV, a PNG chart, and the summary figures."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from levtoken.demo import DemoResult


def write_csv(result: DemoResult, out: Path) -> tuple[Path, Path]:
    """`rebalances.csv` (one row per Rebalanced event) and `hourly.csv` (one row per price)."""
    out.mkdir(parents=True, exist_ok=True)
    events = out / "rebalances.csv"
    with events.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["block", "timestamp", "series", "trigger", "price", "leverage_before", "leverage_after",
                    "nav_before", "nav_after", "cost", "keeper"])
        for e in result.rebalances:
            w.writerow([e.block, e.timestamp, e.symbol, e.trigger, e.price, e.leverage_before, e.leverage_after,
                        e.nav_before, e.nav_after, e.cost, e.keeper])
    hourly = out / "hourly.csv"
    with hourly.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["hour", "timestamp", "price", *(f"nav_{s}" for s in result.symbols),
                    *(f"leverage_{s}" for s in result.symbols), "reserve", "liabilities", "floor", "rebalances"])
        for r in result.rows:
            w.writerow([r.hour, r.timestamp, r.price, *(r.nav[s] for s in result.symbols),
                        *(r.leverage[s] for s in result.symbols), r.reserve, r.liabilities, r.floor, r.rebalances])
    return events, hourly


def write_chart(result: DemoResult, path: Path, band: tuple[float, float, float] = (2.5, 3.0, 3.5)) -> Path:
    """Four panels: price; NAV per token (rebased to 100) against the underlying; leverage with the band
    and each rebalance; reserve coverage against the floor ratio."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result.rows
    days = [(r.timestamp - rows[0].timestamp) / 86_400 for r in rows]
    fig, axes = plt.subplots(4, 1, figsize=(11, 12), sharex=True)
    axes[0].plot(days, [float(r.price) for r in rows], color="black", lw=1)
    axes[0].set_ylabel("price")
    axes[0].set_title(f"levtoken demo: {result.source}")
    p0 = float(rows[0].price)
    axes[1].plot(days, [100 * float(r.price) / p0 for r in rows], color="black", lw=1, label="underlying")
    for s in result.symbols:
        n0 = float(rows[0].nav[s]) or 1.0
        axes[1].plot(days, [100 * float(r.nav[s]) / n0 for r in rows], lw=1, label=s)
    axes[1].set_ylabel("rebased to 100")
    axes[1].legend(loc="upper left")
    for s in result.symbols:
        axes[2].plot(days, [float(r.leverage[s]) for r in rows], lw=1, label=s)
    for level in band:
        axes[2].axhline(level, color="grey", lw=0.6, ls="--" if level != band[1] else "-")
    t0 = rows[0].timestamp
    for e in result.rebalances:
        axes[2].scatter((e.timestamp - t0) / 86_400, float(e.leverage_before),
                        marker="o" if e.trigger == "drift" else "x", s=12, color="red" if e.trigger == "drift" else "blue")
    axes[2].set_ylabel("leverage (o drift, x fallback)")
    axes[2].legend(loc="upper left")
    axes[3].plot(days, [float(r.coverage) if r.coverage is not None else float("nan") for r in rows], color="green", lw=1)
    axes[3].axhline(0.1, color="red", lw=0.6, ls="--")
    axes[3].set_ylabel("reserve / liabilities")
    axes[3].set_xlabel("days")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


@dataclass(frozen=True)
class SeriesSummary:
    symbol: str
    nav_start: Decimal
    nav_end: Decimal
    nav_return: Decimal
    naive_return: Decimal  # target x the underlying's return, with no rebalancing drag or gain
    min_leverage: Decimal
    max_leverage: Decimal


def series_summary(result: DemoResult, target: Decimal = Decimal(3)) -> list[SeriesSummary]:
    rows = result.rows
    underlying = rows[-1].price / rows[0].price - 1
    out = []
    for s in result.symbols:
        start, end = rows[0].nav[s], rows[-1].nav[s]
        side = 1 if s.endswith("L") else -1
        out.append(SeriesSummary(s, start, end, end / start - 1 if start else Decimal(0), side * target * underlying,
                                 min(r.leverage[s] for r in rows), max(r.leverage[s] for r in rows)))
    return out


def trigger_counts(result: DemoResult) -> Counter[tuple[str, str]]:
    return Counter((e.symbol, e.trigger) for e in result.rebalances)
