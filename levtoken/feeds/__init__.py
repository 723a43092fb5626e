"""Price paths for local feeds: real hourly candles (CSV), seeded synthetic paths, and the driver that
pushes a path into a MockAggregator while moving chain time (``ape run feed``; docs/feeds.md).

The driver imports ape, so it is not imported here: ``from levtoken.feeds.driver import FeedDriver``.
"""

from levtoken.feeds.candles import (
    Candle,
    CandleSet,
    Duplicate,
    Gap,
    LineNote,
    PricePoint,
    hourly_closes,
    load_candles,
    to_timestamp,
)
from levtoken.feeds.synthetic import SyntheticPath, simulate, synthetic_path

__all__ = [
    "Candle",
    "CandleSet",
    "Duplicate",
    "Gap",
    "LineNote",
    "PricePoint",
    "SyntheticPath",
    "hourly_closes",
    "load_candles",
    "simulate",
    "synthetic_path",
    "to_timestamp",
]
