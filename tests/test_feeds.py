"""Price feeds (docs/feeds.md): the candle loader against every quirk of the real Binance CSVs (read from
../shared/data, never copied) and of small CSVs written here, the seeded GBM-with-jumps path, and the
driver pushing paths into a fresh MockAggregator on Anvil (chain time per step, exact answers, pacing
with a fake clock; nothing here waits on or compares with the wall clock).
"""

from __future__ import annotations

import itertools
import math
import statistics
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from ape import chain, project

from levtoken.feeds import PricePoint, hourly_closes, load_candles, simulate, synthetic_path, to_timestamp
from levtoken.feeds.driver import FeedDriver, to_answer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
HOUR = 3600
HEADER = "unix,date,symbol,open,high,low,close,Volume ETH,Volume USDT,tradecount"
T0 = 1_609_459_200  # 2021-01-01 00:00 UTC


def utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


def real(name: str):
    path = DATA / f"Binance_{name}USDT_1h.csv"
    if not path.exists():
        pytest.skip(f"real candle data not found: {path} (expected in ../shared/data relative to the repo)")
    return load_candles(path)


@pytest.fixture(scope="module")
def btc():
    return real("BTC")


@pytest.fixture(scope="module")
def eth():
    return real("ETH")


@pytest.fixture(params=["BTC", "ETH"])
def both(request, btc, eth):
    return {"BTC": btc, "ETH": eth}[request.param]


def csv_file(tmp_path, *lines: str, name: str = "candles.csv", newline: str = "\n", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + newline.join(lines) + newline).encode())
    return path


def row(ts: str, close: str = "100", *, date: str = "", open_: str = "100", high: str = "110", low: str = "90",
        volume: str = "1.5", trades: str = "7", symbol: str = "ETH/USDT") -> str:
    return f"{ts},{date},{symbol},{open_},{high},{low},{close},{volume},150,{trades}"


# ----------------------------------------------------------------------------- the real files


def test_real_files_load_oldest_first_one_row_per_hour(both):
    stamps = [c.timestamp for c in both]
    assert stamps == sorted(set(stamps))  # newest-first file, oldest-first result, no repeated hour
    assert all(t % HOUR == 0 for t in stamps)
    assert stamps[0] == utc("2017-08-17 04:00") and stamps[-1] == utc("2021-06-10 00:00")
    assert len(both) == 36_062 - 2_649  # every row minus one per duplicated hour
    assert both.symbol in ("BTC/USDT", "ETH/USDT")
    assert not both.dropped and not both.skipped


def test_real_millisecond_and_float_second_epochs(btc, eth):
    # newest row "1623283200000" (ms); oldest row "1502942400.0" (s with a trailing .0)
    assert btc.at("2021-06-10 00:00").close == Decimal("37584.76")
    assert eth.at(1_623_283_200_000).close == Decimal("2620.87")
    assert btc.at(1_502_942_400).close == Decimal("4308.83")
    assert eth.at("2017-08-17 04:00").close == Decimal("300.79")


def test_real_duplicate_hours_keep_the_millisecond_row(btc, eth):
    for candles, differing in ((btc, 1_442), (eth, 1_746)):
        assert len(candles.duplicates) == 2_649
        assert sum(d.prices_differ for d in candles.duplicates) == differing
        assert {d.timestamp for d in candles.duplicates} == set(range(utc("2020-08-01 23:00"), utc("2020-11-20 08:00"), HOUR))
    # the last hour of the old export is an unfinished candle: ms row 18212.00 (vol 6097.9), s row 18143.03 (4940.8)
    assert btc.at("2020-11-20 07:00").close == Decimal("18212.00")
    assert eth.at("2020-11-20 07:00").close == Decimal("491.47")
    assert btc.at("2020-11-20 07:00").trades == 93_118  # the ms row's trade count, not the s row's NULL


def test_real_gaps_are_reported_and_filled_in_the_path(both):
    assert [(datetime.fromtimestamp(g.first_missing, timezone.utc).strftime("%Y-%m-%d %H:%M"), g.missing_hours)
            for g in both.gaps] == [
        ("2017-09-22 20:00", 4), ("2020-11-30 06:00", 1), ("2020-12-21 15:00", 3), ("2020-12-25 02:00", 1),
        ("2021-02-11 04:00", 1), ("2021-03-06 02:00", 1), ("2021-04-20 02:00", 2), ("2021-04-25 05:00", 3),
    ]
    path = hourly_closes(both)
    assert len(path) == len(both) + 16 == (path[-1].timestamp - path[0].timestamp) // HOUR + 1
    assert [p.timestamp for p in path if p.filled][:4] == [utc("2017-09-22 20:00") + i * HOUR for i in range(4)]
    assert all(p.price == both.at("2017-09-22 19:00").close for p in path if p.filled and p.timestamp < utc("2017-09-23"))
    assert len(hourly_closes(both, fill_gaps=False)) == len(both)


def test_real_date_column_four_hours_off_uses_the_epoch(eth):
    # 91 rows (2017-09-22 20:00 .. 2017-09-26 18:00 by epoch) carry a date 4 h earlier than their epoch; the
    # epoch column is continuous with its neighbours' prices (open == previous close at 2017-09-26 19:00)
    assert len(eth.date_mismatches) == 91
    assert all("-4 h off" in note.reason for note in eth.date_mismatches)
    assert eth.at("2017-09-23 00:00").close == Decimal("261.14")  # dated "2017-09-22 08-PM" in the file
    assert eth.at("2017-09-22 20:00") is None
    assert eth.at("2017-09-26 19:00").open == eth.at("2017-09-26 18:00").close


def test_real_null_trade_counts_and_both_volumes(btc):
    old, new = btc.at("2017-08-17 05:00"), btc.at("2021-06-10 00:00")
    assert old.trades is None and old.volume == Decimal("23.23") and old.quote_volume == Decimal("100304.82")
    assert new.trades == 10_796 and new.volume == Decimal("798.27649900")


def test_real_bad_prints_flagged_and_closes_kept(btc, eth):
    assert btc.suspect == (utc("2017-08-17 04:00"),)  # 16,199.91 open among 4,300 prices
    assert btc[0].open == Decimal("16199.91") and hourly_closes(btc, hours=1)[0].price == Decimal("4308.83")
    assert utc("2017-08-17 04:00") in eth.suspect


def test_real_date_window(eth):
    path = hourly_closes(eth, start="2021-05-19", end="2021-05-20")
    assert [p.timestamp for p in path] == [utc("2021-05-19 00:00") + i * HOUR for i in range(24)]
    assert min(p.price for p in path) < Decimal(2500) < Decimal(3300) < max(p.price for p in path)  # the May crash
    week = hourly_closes(eth, start=datetime(2020, 3, 12, tzinfo=timezone.utc), hours=168)
    assert len(week) == 168 and week[0].timestamp == utc("2020-03-12 00:00")


# ----------------------------------------------------------------------------- quirks in small files


def test_url_and_comment_lines_before_the_header_are_skipped(tmp_path):
    path = csv_file(tmp_path, "https://www.CryptoDataDownload.com", "# hourly", HEADER,
                    row("1609462800", "101"), row("1609459200", "100"))
    candles = load_candles(path)
    assert [c.close for c in candles] == [Decimal(100), Decimal(101)]
    assert [n.line for n in candles.skipped] == [1, 2]


def test_other_text_before_the_header_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"candles.csv line 1: expected the header"):
        load_candles(csv_file(tmp_path, "prices exported by hand", HEADER, row("1609459200")))
    with pytest.raises(ValueError, match="no header row"):
        load_candles(csv_file(tmp_path, "https://example.com"))


def test_newest_first_rows_come_out_oldest_first(tmp_path):
    rows = [row(str(T0 + h * HOUR), str(100 + h)) for h in range(5)]
    candles = load_candles(csv_file(tmp_path, HEADER, *reversed(rows)))
    assert [c.timestamp for c in candles] == [T0 + h * HOUR for h in range(5)]
    assert [c.close for c in candles] == [Decimal(100 + h) for h in range(5)]


def test_every_timestamp_format(tmp_path):
    path = csv_file(
        tmp_path, HEADER,
        row(f"{T0 * 1000}", "1", date="2021-01-01 00:00:00"),  # ms epoch
        row(f"{T0 + HOUR}.0", "2", date="2021-01-01 01-AM"),  # float s epoch, 12-hour date
        row(f"{T0 + 2 * HOUR}", "3"),  # int s epoch, no date
        row("", "4", date="2021-01-01 03-AM"),  # no epoch: the date column (UTC)
        row("NULL", "5", date="2021-01-01T04:00:00Z"),  # ISO 8601
        row(f"{(T0 + 5 * HOUR) * 10**6}", "6"),  # microseconds
    )
    assert [c.timestamp for c in load_candles(path)] == [T0 + h * HOUR for h in range(6)]


def test_twelve_hour_dates_at_midnight_and_noon(tmp_path):
    path = csv_file(tmp_path, "date,open,high,low,close", "2021-01-01 12-PM,1,1,1,1", "2021-01-01 12-AM,2,2,2,2")
    assert [(c.timestamp, c.close) for c in load_candles(path)] == [(T0, 2), (T0 + 12 * HOUR, 1)]


def test_duplicates_prefer_the_millisecond_row_in_either_order(tmp_path):
    for order in (1, -1):
        lines = [row(f"{T0}.0", "100.1", trades="NULL"), row(f"{T0 * 1000}", "100.12345678", trades="9")][::order]
        candles = load_candles(csv_file(tmp_path, HEADER, *lines))
        assert len(candles) == 1 and candles[0].close == Decimal("100.12345678") and candles[0].trades == 9
        (dup,) = candles.duplicates
        assert dup.prices_differ and dup.kept_line == (3 if order == 1 else 2)


def test_duplicates_of_one_format_keep_the_first_line(tmp_path):
    candles = load_candles(csv_file(tmp_path, HEADER, row(f"{T0}", "5"), row(f"{T0}", "6"), row(f"{T0}", "6")))
    assert candles[0].close == Decimal(5)
    assert [(d.kept_line, d.discarded_line, d.prices_differ) for d in candles.duplicates] == [(2, 3, True), (2, 4, True)]


def test_null_and_non_positive_prices_drop_the_row_and_leave_a_gap(tmp_path):
    path = csv_file(
        tmp_path, HEADER,
        row(f"{T0}", "100"),
        row(f"{T0 + HOUR}", "NULL"),
        row(f"{T0 + 2 * HOUR}", ""),
        row(f"{T0 + 3 * HOUR}", "101", low="0"),
        row(f"{T0 + 4 * HOUR}", "-1"),
        row(f"{T0 + 5 * HOUR}", "102", volume="NULL", trades="NULL"),
    )
    candles = load_candles(path)
    assert [c.timestamp for c in candles] == [T0, T0 + 5 * HOUR]
    assert [n.line for n in candles.dropped] == [3, 4, 5, 6]
    assert "missing price" in candles.dropped[0].reason and "non-positive" in candles.dropped[2].reason
    assert [(g.first_missing, g.missing_hours) for g in candles.gaps] == [(T0 + HOUR, 4)]
    assert candles[1].volume is None and candles[1].trades is None
    closes = hourly_closes(candles)
    assert [p.price for p in closes] == [Decimal(100)] * 5 + [Decimal(102)]
    assert [p.filled for p in closes] == [False, True, True, True, True, False]


def test_a_null_duplicate_never_shadows_a_valid_row(tmp_path):
    candles = load_candles(csv_file(tmp_path, HEADER, row(f"{T0 * 1000}", "NULL"), row(f"{T0}.0", "100")))
    assert candles[0].close == Decimal(100) and not candles.duplicates and len(candles.dropped) == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (row(f"{T0}", "abc"), r"line 3: close 'abc' is not a number"),
        (row(f"{T0}", "inf"), r"line 3: close 'inf' is not a finite number"),
        (row(f"{T0}", "1", volume="lots"), r"line 3: volume 'lots' is not a number"),
        (row("yesterday", "1"), r"line 3: unreadable epoch timestamp 'yesterday'"),
        (row("", "1", date="soon"), r"line 3: unrecognised date 'soon'"),
        (row("", "1"), r"line 3: no timestamp"),
        (row(f"{T0 + 60}", "1"), r"line 3: timestamp .* is not on a whole hour"),
        (row(f"{T0}", "1", symbol="BTC/USDT"), r"line 3: symbol 'BTC/USDT' in a file of 'ETH/USDT'"),
        (row(f"{T0}", "1") + ",extra", r"line 3: 11 fields, the header has 10"),
    ],
)
def test_unparseable_lines_name_the_line(tmp_path, line, message):
    with pytest.raises(ValueError, match=message):
        load_candles(csv_file(tmp_path, HEADER, row(f"{T0 - HOUR}"), line))


def test_crlf_and_byte_order_mark(tmp_path):
    path = csv_file(tmp_path, HEADER, row(f"{T0}", "7"), newline="\r\n", bom=True)
    assert load_candles(path)[0].close == Decimal(7)


def test_hourly_closes_window_rules(tmp_path):
    path = csv_file(tmp_path, HEADER, *[row(str(T0 + h * HOUR), str(100 + h)) for h in range(10)])
    assert [p.price for p in hourly_closes(path, start=T0 + 2 * HOUR, end=T0 + 5 * HOUR)] == [102, 103, 104]
    assert [p.price for p in hourly_closes(path, start="2021-01-01 08:00", hours=5)] == [108, 109]
    assert len(hourly_closes(path, hours=3)) == 3
    with pytest.raises(ValueError, match="no candles in the window"):
        hourly_closes(path, start="2022-01-01")
    with pytest.raises(ValueError, match="end .* must be after start"):
        hourly_closes(path, start=T0 + HOUR, end=T0)
    with pytest.raises(ValueError, match="hours must be at least 1"):
        hourly_closes(path, hours=0)


def test_to_timestamp_forms():
    for value in (T0, T0 * 1000, f"{T0}.0", "2021-01-01", "2021-01-01 00:00:00", "2021-01-01T00:00:00+00:00",
                  datetime(2021, 1, 1), datetime(2021, 1, 1, tzinfo=timezone.utc)):
        assert to_timestamp(value) == T0, value


# ----------------------------------------------------------------------------- synthetic paths


def log_returns(points):
    return [math.log(b.price / a.price) for a, b in itertools.pairwise(points)]


def test_synthetic_path_is_a_pure_function_of_the_seed():
    a, b = synthetic_path(42, 500), synthetic_path(42, 500)
    assert a == b
    assert synthetic_path(43, 500) != a
    assert len(a) == 500 and a[0] == PricePoint(T0, Decimal(2000))
    assert [p.timestamp for p in a] == [T0 + i * HOUR for i in range(500)]
    assert all(p.price > 0 and p.price == p.price.quantize(Decimal("1e-8")) for p in a)


def test_synthetic_prices_stay_positive_under_extreme_parameters():
    path = synthetic_path(1, 2_000, start_price="0.01", volatility=5.0, jump_intensity=500, jump_mean=-0.5,
                          jump_stdev=0.5, decimals=8)
    assert all(p.price >= Decimal("1e-8") for p in path)


def test_synthetic_diffusion_statistics():
    drift, vol, n = 0.2, 0.8, 20_000
    run = simulate(7, n + 1, drift=drift, volatility=vol, jump_intensity=0)
    r = log_returns(run.points)
    sd = vol * math.sqrt(run.dt)
    assert not run.jumps
    assert abs(statistics.stdev(r) / sd - 1) < 0.03
    assert abs(statistics.fmean(r) - (drift - vol**2 / 2) * run.dt) < 4 * sd / math.sqrt(n)


def test_synthetic_jumps_arrive_at_the_expected_rate():
    intensity, hours = 100.0, 5 * 8_760  # 500 jumps expected over five years
    run = simulate(11, hours + 1, volatility=0.0, jump_intensity=intensity, jump_mean=-0.02, jump_stdev=0.05)
    assert 400 < run.jump_count < 600  # mean 500, Poisson sd 22
    # without diffusion, every step without a jump moves by exactly the compensated drift
    compensated = -intensity * (math.exp(-0.02 + 0.05**2 / 2) - 1) * run.dt
    moved = {i + 1 for i, x in enumerate(log_returns(run.points)) if abs(x - compensated) > 1e-9}
    assert moved == set(run.jumps)


def test_synthetic_parameters_are_validated():
    for kwargs in ({"hours": 0}, {"hours": 5, "start_price": 0}, {"hours": 5, "volatility": -0.1},
                   {"hours": 5, "jump_intensity": -1}):
        with pytest.raises(ValueError):
            synthetic_path(1, **kwargs)


# ----------------------------------------------------------------------------- the driver on Anvil


class FakeClock:
    """A monotonic clock that moves only when the driver sleeps."""

    def __init__(self):
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def hourly(*hours_and_prices) -> list[PricePoint]:
    return [PricePoint(T0 + h * HOUR, Decimal(str(p))) for h, p in hours_and_prices]


@pytest.fixture
def feed(owner):
    return project.MockAggregator.deploy(8, 2000 * 10**8, sender=owner)


def test_to_answer_rounds_half_even_and_refuses_non_positive():
    assert to_answer(Decimal("2012.34567891"), 8) == 201_234_567_891
    assert to_answer(Decimal("1234.5678905"), 6) == 1_234_567_890  # tie -> even
    assert to_answer(Decimal("1234.5678915"), 6) == 1_234_567_892
    assert to_answer(Decimal("1234.56789051"), 6) == 1_234_567_891
    assert to_answer(Decimal("37600.00000000"), 8) == 3_760_000_000_000
    assert to_answer(3, 0) == 3
    for bad in (Decimal("0.000000004"), Decimal(0), Decimal(-1), Decimal("Infinity")):
        with pytest.raises(ValueError):
            to_answer(bad, 8)


def test_driver_maps_path_time_onto_chain_time_with_exact_answers(feed, owner):
    start = chain.pending_timestamp + 1_000  # set the chain clock so the first point's time is known
    chain.pending_timestamp = start
    path = hourly((0, "2000.5"), (1, "2012.34567891"), (2, "1999.99999999"), (5, "1800"), (6, "1850.25"))
    seen = []
    run = FeedDriver(feed, owner, on_point=lambda point, receipt: seen.append((point, receipt))).push(path)

    assert run.chain_start == start
    assert [p.chain_timestamp - start for p in run.pushed] == [0, HOUR, 2 * HOUR, 5 * HOUR, 6 * HOUR]
    assert run.lagging == 0 and run.chain_end == start + 6 * HOUR
    assert [point for point, _ in seen] == path
    assert [str(receipt.txn_hash) for _, receipt in seen] == [p.txn_hash for p in run.pushed]
    first_round = feed.latestRound() - len(path) + 1
    for i, point in enumerate(path):
        assert feed.getAnswer(first_round + i) == to_answer(point.price, 8)
        assert feed.getTimestamp(first_round + i) == start + point.timestamp - T0
    _, answer, _, updated_at, _ = feed.latestRoundData()
    assert answer == 185_025_000_000 and updated_at == start + 6 * HOUR


def test_driver_never_moves_chain_time_backwards(feed, owner):
    chain.pending_timestamp = start = chain.pending_timestamp + 100

    def keeper_sleeps_ten_hours(point, receipt):
        if point.timestamp == T0:
            chain.pending_timestamp += 10 * HOUR
            chain.mine()

    path = hourly((0, 1), (1, 2), (2, 3), (3, 4), (12, 5))
    run = FeedDriver(feed, owner, on_point=keeper_sleeps_ten_hours).push(path)
    stamps = [p.chain_timestamp for p in run.pushed]
    assert stamps == sorted(stamps)
    assert all(t >= start + 10 * HOUR for t in stamps[1:4])  # behind schedule: pushed at once, not earlier
    assert run.lagging == 3
    assert stamps[4] == start + 12 * HOUR  # back on schedule
    assert feed.latestAnswer() == 5 * 10**8


def test_driver_rounds_to_the_feed_decimals_and_refuses_before_sending(owner):
    feed6 = project.MockAggregator.deploy(6, 2000 * 10**6, sender=owner)
    FeedDriver(feed6, owner).push(hourly((0, "1234.5678905"), (1, "1234.5678915")))
    assert feed6.getAnswer(feed6.latestRound() - 1) == 1_234_567_890
    assert feed6.latestAnswer() == 1_234_567_892
    rounds = feed6.latestRound()
    with pytest.raises(ValueError, match="must be positive"):
        FeedDriver(feed6, owner).push(hourly((0, "1"), (1, "0.0000004")))
    assert feed6.latestRound() == rounds  # nothing sent
    with pytest.raises(ValueError, match="must increase"):
        FeedDriver(feed6, owner).push(hourly((1, 1), (1, 2)))
    with pytest.raises(ValueError, match="empty"):
        FeedDriver(feed6, owner).push([])


def test_driver_paces_by_speedup_on_its_clock(feed, owner):
    path = hourly((0, 1), (1, 2), (2, 3), (5, 4))
    for speedup, expected in ((3600, [1.0, 1.0, 3.0]), (7200, [0.5, 0.5, 1.5])):
        clock = FakeClock()
        FeedDriver(feed, owner, speedup=speedup, clock=clock, sleep=clock.sleep).push(path)
        assert clock.sleeps == pytest.approx(expected)
    clock = FakeClock()
    FeedDriver(feed, owner, speedup=0, clock=clock, sleep=clock.sleep).push(path)
    assert clock.sleeps == []
    with pytest.raises(ValueError, match="speedup"):
        FeedDriver(feed, owner, speedup=-1)


def test_driver_pushes_a_synthetic_day(feed, owner):
    path = synthetic_path(3, 24)
    run = FeedDriver(feed, owner).push(path)
    assert [p.answer for p in run.pushed] == [to_answer(p.price, 8) for p in path]
    assert run.pushed[-1].chain_timestamp - run.chain_start == 23 * HOUR
    assert feed.latestAnswer() == to_answer(path[-1].price, 8)


def test_driver_falls_back_to_apes_call_for_an_account_without_a_key(feed, owner, accounts):
    impersonated = accounts["0x000000000000000000000000000000000000bEEF"]  # anvil impersonation, no signature
    owner.transfer(impersonated, 10**18)
    seen = []
    run = FeedDriver(feed, impersonated, on_point=lambda point, receipt: seen.append(receipt.sender)).push(
        hourly((0, "2100"), (1, "2200"))
    )
    assert feed.latestAnswer() == 2200 * 10**8 and run.pushed[1].lag == 0
    assert seen == [impersonated.address] * 2
