"""The demo end to end on a short path: keeper process, live rows, outputs, and the model replay."""

import csv

from levtoken.demo import DemoConfig, run
from levtoken.report import series_summary, trigger_counts, write_chart, write_csv


def test_two_day_demo_runs_the_keeper_process_and_the_model_replays_it_to_the_wei(accounts, tmp_path):
    rows = []
    result = run(accounts, DemoConfig(days=2, out=tmp_path), on_row=lambda row, _: rows.append(row))

    assert len(result.rows) == len(rows) == 2 * 24 + 1  # the first price and every hour after it
    assert result.keeper_exit == 0 and result.keeper_late == 0
    assert result.keeper_txs >= 2 * 24  # a health report every hour, plus rebalances
    assert result.health_reports == 2 * 24 + 1
    # every trigger got its upkeep, mined after it; how many blocks later depends on how the keeper process is
    # scheduled (a loaded machine once gave 2), so the latency is the keeper benchmark's number, not a test's
    assert result.reactions and min(result.reactions) >= 1
    assert trigger_counts(result)[("ETH3L", "fallback")] + trigger_counts(result)[("ETH3L", "drift")] >= 2
    assert result.replay.equal, result.replay.differences
    assert result.replay.rebalances == len(result.rebalances)
    assert [s.nav_start for s in series_summary(result)] == [100, 100]

    events, hourly = write_csv(result, tmp_path)
    with events.open() as f:
        assert len(list(csv.DictReader(f))) == len(result.rebalances)
    with hourly.open() as f:
        assert len(list(csv.DictReader(f))) == len(result.rows)
    chart = write_chart(result, tmp_path / "demo.png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_demo_is_deterministic(accounts, tmp_path):
    """Chain time only moves with the prices, so the same path gives the same numbers."""
    first = run(accounts, DemoConfig(days=1, out=tmp_path / "a"))
    from ape import chain

    chain.mine()
    second = run(accounts, DemoConfig(days=1, out=tmp_path / "b"))
    assert [r.nav for r in first.rows] == [r.nav for r in second.rows]
    assert [(e.symbol, e.trigger, e.price, e.nav_after) for e in first.rebalances] == \
        [(e.symbol, e.trigger, e.price, e.nav_after) for e in second.rebalances]
