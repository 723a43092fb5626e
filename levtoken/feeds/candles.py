"""Hourly OHLCV candles from CSV files, and the hourly close path they define.

``load_candles(path)`` reads a CryptoDataDownload-style CSV (the Binance files in ``../shared/data``) and
returns a `CandleSet`: the candles oldest first, one per hour, plus a report of everything it had to
decide on the way. The rules (docs/feeds.md has the reasoning):

- Lines before the header that are blank, ``#`` comments or a URL (the CryptoDataDownload banner) are
  skipped; any other line before the header is an error. The header is the first row naming a ``close``
  column and a ``unix``/``timestamp``/``date`` column (any case, any column order).
- The timestamp comes from the epoch column (``unix``/``timestamp``/``time``): seconds, milliseconds or
  microseconds, told apart by magnitude, optionally written as a float (``1502942400.0``). Without an
  epoch value the date column is parsed as UTC (``2021-06-10 00:00:00``, ``2017-08-17 05-AM``, ISO 8601).
  When both are present and disagree, the epoch value wins and the line is reported (`date_mismatches`).
  A timestamp that is not on a whole hour is an error: these are hourly candles.
- A row whose open, high, low or close is missing (``NULL``, blank, ``NaN``) or not positive is dropped
  and reported (`dropped`); its hour becomes a gap. Missing volume or trade count is ``None``.
- Duplicate hours: the row with the finer epoch unit wins (milliseconds over seconds over a date string:
  the newer export, full-precision and final candle), then the first in file order. Dropped rows never
  take part, so a NULL duplicate cannot shadow a valid one. Every duplicate is reported (`duplicates`).
- Missing hours are reported as `Gap` s; the candles are not invented. `hourly_closes` can carry the last
  close across a gap (one point per hour, as a feed's heartbeat would).
- Candles whose high is more than ``spike_ratio`` times their low are reported (`suspect`) and kept:
  the path uses closes, and the known bad prints sit in opens and highs.
- Anything else that cannot be parsed (a price such as ``abc``, a wrong number of fields, an unreadable
  timestamp, a second symbol) raises ``ValueError`` naming the file and line.
"""

from __future__ import annotations

import csv
import itertools
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import overload

log = logging.getLogger(__name__)

HOUR = 3600

NULL_TOKENS = frozenset({"", "null", "none", "nan", "n/a", "na", "-"})
EPOCH_COLUMNS = ("unix", "timestamp", "time", "unix timestamp", "open time")
DATE_COLUMNS = ("date", "datetime")
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %I-%p",  # CryptoDataDownload's older rows: "2017-08-17 05-AM"
    "%Y-%m-%d %I %p",
    "%Y-%m-%d",
)
_NUMBER = re.compile(r"[+-]?\d+(\.\d*)?")

# Precedence of a row's timestamp source when two rows claim the same hour (higher wins).
_SOURCE_RANK = {"us": 4, "ms": 3, "s": 2, "date": 1}

TimeLike = int | str | datetime | date


@dataclass(frozen=True)
class Candle:
    """One hourly candle. ``timestamp`` is the UTC start of the hour in whole seconds."""

    timestamp: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal | None = None  # in the base asset (e.g. "Volume BTC")
    quote_volume: Decimal | None = None  # in the quote asset (e.g. "Volume USDT")
    trades: int | None = None

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, timezone.utc)


@dataclass(frozen=True)
class PricePoint:
    """One point of a price path: a UTC timestamp (seconds) and a price in quote units."""

    timestamp: int
    price: Decimal
    filled: bool = False  # True: carried forward across a gap in the source data


@dataclass(frozen=True)
class Gap:
    """Missing hours between two candles: ``after`` and ``before`` are the candles either side."""

    after: int
    before: int

    @property
    def missing_hours(self) -> int:
        return (self.before - self.after) // HOUR - 1

    @property
    def first_missing(self) -> int:
        return self.after + HOUR


@dataclass(frozen=True)
class LineNote:
    """A line the loader skipped, dropped or had doubts about, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class Duplicate:
    """Two rows for one hour: which line was kept, which was discarded, and whether their prices differ."""

    timestamp: int
    kept_line: int
    discarded_line: int
    prices_differ: bool


@dataclass(frozen=True)
class CandleSet(Sequence[Candle]):
    """The candles of one file, oldest first, one per hour, with the loader's report.

    Behaves as a read-only sequence of `Candle`.
    """

    candles: tuple[Candle, ...]
    source: str = ""
    symbol: str | None = None
    gaps: tuple[Gap, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    dropped: tuple[LineNote, ...] = ()
    skipped: tuple[LineNote, ...] = ()
    date_mismatches: tuple[LineNote, ...] = ()
    suspect: tuple[int, ...] = ()  # timestamps of candles with an implausible high/low range
    _index: dict[int, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({c.timestamp: i for i, c in enumerate(self.candles)})

    @overload
    def __getitem__(self, i: int) -> Candle: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Candle, ...]: ...

    def __getitem__(self, i):
        return self.candles[i]

    def __len__(self) -> int:
        return len(self.candles)

    def __iter__(self) -> Iterator[Candle]:
        return iter(self.candles)

    def at(self, when: TimeLike) -> Candle | None:
        """The candle of the hour starting at ``when``, or None (missing hour)."""
        i = self._index.get(to_timestamp(when))
        return None if i is None else self.candles[i]

    @property
    def missing_hours(self) -> int:
        return sum(g.missing_hours for g in self.gaps)

    def summary(self) -> str:
        if not self.candles:
            return f"{self.source}: no candles"
        first, last = self.candles[0].time, self.candles[-1].time
        return (
            f"{self.source}: {len(self)} hourly candles {first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M} UTC; "
            f"{len(self.duplicates)} duplicate hours, {len(self.gaps)} gaps ({self.missing_hours} h), "
            f"{len(self.dropped)} rows dropped, {len(self.date_mismatches)} date-column mismatches, "
            f"{len(self.suspect)} suspect candles"
        )


# ----------------------------------------------------------------------------- timestamps


def parse_epoch(text: str) -> tuple[int, str]:
    """An epoch number as whole UTC seconds and its unit (``"s"``, ``"ms"`` or ``"us"``).

    The unit follows from the magnitude: below 1e11 seconds (the year 5138), below 1e14 milliseconds,
    else microseconds. ``1502942400.0`` is seconds. Raises ValueError for non-integral seconds.
    """
    value = Decimal(text.strip())
    magnitude = abs(value)
    if magnitude < Decimal(10) ** 11:
        unit, scale = "s", 1
    elif magnitude < Decimal(10) ** 14:
        unit, scale = "ms", 1_000
    else:
        unit, scale = "us", 1_000_000
    seconds = value / scale
    if seconds != seconds.to_integral_value():
        raise ValueError(f"epoch {text!r} is not a whole number of seconds")
    return int(seconds), unit


def parse_date(text: str) -> int:
    """A date/time string as UTC epoch seconds (naive times are UTC)."""
    s = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return int(datetime.strptime(s, fmt).replace(tzinfo=timezone.utc).timestamp())
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"unrecognised date {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp())


def to_timestamp(value: TimeLike) -> int:
    """UTC epoch seconds from an int (s/ms/us epoch), a numeric or date string, a datetime or a date.

    Naive datetimes and date strings are taken as UTC.
    """
    if isinstance(value, bool):
        raise TypeError("a timestamp cannot be a bool")
    if isinstance(value, int):
        return parse_epoch(str(value))[0]
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return int(aware.timestamp())
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp())
    if isinstance(value, str):
        if _NUMBER.fullmatch(value.strip()):
            return parse_epoch(value)[0]
        return parse_date(value)
    raise TypeError(f"cannot read a timestamp from {value!r}")


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M")


# ----------------------------------------------------------------------------- loading


@dataclass
class _Row:
    line: int
    rank: int
    candle: Candle


@dataclass(frozen=True)
class _Columns:
    epoch: int | None
    date: int | None
    symbol: int | None
    open: int
    high: int
    low: int
    close: int
    volume: int | None
    quote_volume: int | None
    trades: int | None
    width: int

    @classmethod
    def from_header(cls, header: list[str]) -> _Columns | None:
        names = [h.strip().lower() for h in header]

        def find(*candidates: str) -> int | None:
            return next((names.index(c) for c in candidates if c in names), None)

        ohlc = [find(n) for n in ("open", "high", "low", "close")]
        epoch, day = find(*EPOCH_COLUMNS), find(*DATE_COLUMNS)
        if any(i is None for i in ohlc) or (epoch is None and day is None):
            return None
        volumes = [i for i, n in enumerate(names) if n.startswith("volume")]
        return cls(
            epoch=epoch,
            date=day,
            symbol=find("symbol", "pair"),
            open=ohlc[0],  # type: ignore[arg-type]
            high=ohlc[1],  # type: ignore[arg-type]
            low=ohlc[2],  # type: ignore[arg-type]
            close=ohlc[3],  # type: ignore[arg-type]
            volume=volumes[0] if volumes else None,
            quote_volume=volumes[1] if len(volumes) > 1 else None,
            trades=find("tradecount", "trades", "trade count", "number of trades"),
            width=len(header),
        )


def _is_preamble(row: list[str]) -> bool:
    text = ",".join(row).strip()
    lowered = text.lower()
    return not text or text.startswith("#") or lowered.startswith(("http://", "https://", "www."))


def _is_null(text: str) -> bool:
    return text.strip().lower() in NULL_TOKENS


def _decimal(text: str, what: str, where: str) -> Decimal | None:
    """A finite Decimal, None for a NULL token; ValueError naming the place otherwise."""
    if _is_null(text):
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{where}: {what} {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{where}: {what} {text!r} is not a finite number")
    return value


def load_candles(path: str | Path, *, spike_ratio: Decimal | int = 2) -> CandleSet:
    """Loads an hourly candle CSV; see the module docstring for every rule. Returns a `CandleSet`."""
    path = Path(path)
    spike = Decimal(spike_ratio)
    skipped: list[LineNote] = []
    dropped: list[LineNote] = []
    mismatches: list[LineNote] = []
    best: dict[int, _Row] = {}
    duplicates: list[Duplicate] = []
    symbol: str | None = None
    columns: _Columns | None = None

    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        for row in reader:
            line = reader.line_num
            where = f"{path.name} line {line}"
            if columns is None:
                columns = _Columns.from_header(row)
                if columns is not None:
                    continue
                if _is_preamble(row):
                    skipped.append(LineNote(line, "before the header: " + ",".join(row)[:60]))
                    continue
                raise ValueError(
                    f"{where}: expected the header (a 'close' column and a 'unix'/'timestamp'/'date' "
                    f"column) or a URL/comment line, got {','.join(row)[:80]!r}"
                )
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                skipped.append(LineNote(line, "blank or comment"))
                continue
            if len(row) != columns.width:
                raise ValueError(f"{where}: {len(row)} fields, the header has {columns.width}")

            timestamp, rank = _row_time(row, columns, where, line, mismatches)
            if timestamp % HOUR:
                raise ValueError(f"{where}: timestamp {timestamp} ({_iso(timestamp)}) is not on a whole hour")

            if columns.symbol is not None and not _is_null(row[columns.symbol]):
                row_symbol = row[columns.symbol].strip()
                if symbol is None:
                    symbol = row_symbol
                elif row_symbol != symbol:
                    raise ValueError(f"{where}: symbol {row_symbol!r} in a file of {symbol!r}")

            prices = [
                _decimal(row[i], name, where)
                for i, name in ((columns.open, "open"), (columns.high, "high"), (columns.low, "low"),
                                (columns.close, "close"))
            ]
            if any(p is None or p <= 0 for p in prices):
                reason = "missing price" if any(p is None for p in prices) else "non-positive price"
                dropped.append(LineNote(line, f"{reason} at {_iso(timestamp)}"))
                continue
            open_, high, low, close = prices  # type: ignore[misc]
            candle = Candle(
                timestamp=timestamp, open=open_, high=high, low=low, close=close,
                volume=_optional(row, columns.volume, "volume", where),
                quote_volume=_optional(row, columns.quote_volume, "quote volume", where),
                trades=_trades(row, columns.trades, where),
            )
            _keep_best(best, duplicates, _Row(line, rank, candle))

    if columns is None:
        raise ValueError(f"{path.name}: no header row found")
    candles = tuple(best[t].candle for t in sorted(best))
    gaps = tuple(
        Gap(a.timestamp, b.timestamp) for a, b in itertools.pairwise(candles) if b.timestamp - a.timestamp != HOUR
    )
    suspect = tuple(c.timestamp for c in candles if c.high > c.low * spike)
    result = CandleSet(
        candles=candles, source=path.name, symbol=symbol, gaps=gaps,
        duplicates=tuple(sorted(duplicates, key=lambda d: d.timestamp)),
        dropped=tuple(dropped), skipped=tuple(skipped), date_mismatches=tuple(mismatches), suspect=suspect,
    )
    log.info("%s", result.summary())
    return result


def _row_time(row: list[str], columns: _Columns, where: str, line: int, mismatches: list[LineNote]) -> tuple[int, int]:
    """The row's timestamp and the rank of its source (see _SOURCE_RANK)."""
    epoch_text = row[columns.epoch] if columns.epoch is not None else ""
    date_text = row[columns.date] if columns.date is not None else ""
    if not _is_null(epoch_text):
        try:
            timestamp, unit = parse_epoch(epoch_text)
        except (InvalidOperation, ValueError):
            raise ValueError(f"{where}: unreadable epoch timestamp {epoch_text!r}") from None
        if not _is_null(date_text):
            try:
                stated = parse_date(date_text)
            except ValueError:
                mismatches.append(LineNote(line, f"unreadable date {date_text!r}; epoch {_iso(timestamp)} used"))
            else:
                if stated != timestamp:
                    mismatches.append(LineNote(
                        line, f"date {date_text!r} is {(stated - timestamp) / HOUR:+g} h off epoch {_iso(timestamp)}"
                    ))
        return timestamp, _SOURCE_RANK[unit]
    if _is_null(date_text):
        raise ValueError(f"{where}: no timestamp (epoch and date both empty)")
    try:
        return parse_date(date_text), _SOURCE_RANK["date"]
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _optional(row: list[str], index: int | None, what: str, where: str) -> Decimal | None:
    return None if index is None else _decimal(row[index], what, where)


def _trades(row: list[str], index: int | None, where: str) -> int | None:
    value = _optional(row, index, "trade count", where)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise ValueError(f"{where}: trade count {row[index]!r} is not a whole number")  # type: ignore[index]
    return int(value)


def _keep_best(best: dict[int, _Row], duplicates: list[Duplicate], row: _Row) -> None:
    """Applies the duplicate rule: higher source rank wins, then the earlier line."""
    current = best.get(row.candle.timestamp)
    if current is None:
        best[row.candle.timestamp] = row
        return
    keep, drop = (row, current) if row.rank > current.rank else (current, row)
    a, b = keep.candle, drop.candle
    differ = (a.open, a.high, a.low, a.close) != (b.open, b.high, b.low, b.close)
    duplicates.append(Duplicate(a.timestamp, keep.line, drop.line, differ))
    best[a.timestamp] = keep


# ----------------------------------------------------------------------------- the close path


def hourly_closes(
    source: CandleSet | Sequence[Candle] | str | Path,
    *,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    hours: int | None = None,
    fill_gaps: bool = True,
) -> list[PricePoint]:
    """The hourly close path of ``source`` (a file or loaded candles), oldest first.

    ``start`` is inclusive and ``end`` exclusive (UTC; ints are epochs, strings epochs or dates);
    ``hours`` then keeps at most that many points from the start of the window. With ``fill_gaps``
    (default) each missing hour inside the window gets the previous close, marked ``filled=True``, so the
    path has one point per hour; without it, missing hours are simply absent.
    """
    candles: Sequence[Candle] = load_candles(source) if isinstance(source, (str, Path)) else source
    lo = None if start is None else to_timestamp(start)
    hi = None if end is None else to_timestamp(end)
    if hours is not None and hours < 1:
        raise ValueError(f"hours must be at least 1, got {hours}")
    if lo is not None and hi is not None and hi <= lo:
        raise ValueError(f"end ({_iso(hi)}) must be after start ({_iso(lo)})")

    points: list[PricePoint] = []
    for candle in candles:
        if (lo is not None and candle.timestamp < lo) or (hi is not None and candle.timestamp >= hi):
            continue
        if fill_gaps and points:
            previous = points[-1]
            for t in range(previous.timestamp + HOUR, candle.timestamp, HOUR):
                points.append(PricePoint(t, previous.price, filled=True))
        points.append(PricePoint(candle.timestamp, candle.close))
        if hours is not None and len(points) >= hours:
            break
    if hours is not None:
        del points[hours:]
    if not points:
        window = f"{_iso(lo) if lo is not None else 'start'} .. {_iso(hi) if hi is not None else 'end'}"
        raise ValueError(f"no candles in the window {window}")
    return points
