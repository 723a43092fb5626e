"""`libraries/OrderRounds.sol`: which oracle round prices an order (SPEC section 3a), shared by the series
orders (`base/series_orders`) and the LP orders (`pool_lp_orders`): an order due at `dueAt` (its request
time plus `minDelay`) executes at the first usable round whose `updatedAt` is after `dueAt`. An executor
names the round; `read` finds the latest usable round before it (over at most `MAX_UNUSABLE_ROUNDS`
unusable ones) and `classify` tells, for one order, whether the named round is its round."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..solidity import abi_uint
from .oracle_price import read_round

if TYPE_CHECKING:
    from ..mocks.mock_aggregator import MockAggregatorModel

MAX_UNUSABLE_ROUNDS = 32
MAX_ROUND_SCAN = 256
U64 = (1 << 64) - 1

# `OrderRounds.Verdict`
NOT_DUE, DUE, EARLIER, EXPIRED, UNVERIFIABLE = 0, 1, 2, 3, 4


class Round:
    """`OrderRounds.Round`: a round an execution names, and what bounds it (`latest_known`/`is_latest`
    remember the one read of the latest round id, as the memory struct does)."""

    __slots__ = ("at", "id", "is_latest", "latest_known", "max_age", "prev_at", "price", "usable", "verifiable")

    def __init__(self, round_id: int, usable: bool, price: int, at: int, prev_at: int, verifiable: bool,
                 max_age: int) -> None:
        self.id = round_id
        self.usable = usable
        self.price = price
        self.at = at  # updatedAt
        self.prev_at = prev_at  # updatedAt of the latest usable round before it (0: none in this phase)
        self.verifiable = verifiable  # that round was found within MAX_UNUSABLE_ROUNDS
        self.max_age = max_age  # maxOrderAge
        self.latest_known = False
        self.is_latest = False


def read(feed: MockAggregatorModel, feed_decimals: int, round_id: int, max_age: int, now: int) -> Round:
    """`OrderRounds.read`: round `round_id` of `feed` and the latest usable round before it."""
    usable, price, at = read_round(feed, feed_decimals, abi_uint(round_id, 80), now)
    prev_at, verifiable = prev_at_of(feed, feed_decimals, round_id, now)
    return Round(round_id, usable, price, at, prev_at, verifiable, max_age)


def prev_at_of(feed: MockAggregatorModel, feed_decimals: int, round_id: int, now: int) -> tuple[int, bool]:
    """`OrderRounds.prevAt`: `updatedAt` of the latest usable round before `round_id` (0 if none in its
    phase), and whether it was found within `MAX_UNUSABLE_ROUNDS` unusable rounds."""
    rid, skipped = round_id, 0
    while rid & U64 > 1:
        rid -= 1
        usable, _, at = read_round(feed, feed_decimals, rid, now)
        if usable:
            return at, True
        skipped += 1
        if skipped > MAX_UNUSABLE_ROUNDS:
            return 0, False
    return 0, True


def classify(rd: Round, due: int, feed: MockAggregatorModel, now: int) -> int:
    """`OrderRounds.classify`: what round `rd` is for an order due at `due` (a `Verdict`)."""
    if due < rd.prev_at:
        return EARLIER
    deadline = due + rd.max_age
    if rd.usable and due < rd.at:
        if rd.at > deadline:
            return EXPIRED
        return DUE if rd.verifiable else UNVERIFIABLE
    # not due at this round: expired only if no round can come in its window any more
    if now <= deadline:
        return NOT_DUE
    if not is_latest(rd, feed):
        return NOT_DUE
    return EXPIRED


def is_latest(rd: Round, feed: MockAggregatorModel) -> bool:
    """`OrderRounds.isLatest`: whether `rd` is the feed's latest round (read once, then remembered)."""
    if not rd.latest_known:
        rd.latest_known, rd.is_latest = True, feed.latest_round_data()[0] == rd.id
    return rd.is_latest


def pending_round(feed: MockAggregatorModel, feed_decimals: int, due: int, max_age: int, now: int) -> int:
    """`OrderRounds.pendingRound`: the first usable round after `due` within the last `MAX_ROUND_SCAN`
    rounds; else, once no round can come within the window, the latest round (which refunds); else 0."""
    latest = feed.latest_round_data()[0]
    found, rid = 0, latest
    for _ in range(MAX_ROUND_SCAN):
        if rid & U64 == 0:
            break
        usable, _, at = read_round(feed, feed_decimals, rid, now)
        if usable:
            if at <= due:
                break
            found = rid
        rid -= 1
    if found == 0 and now > due + max_age:
        found = latest
    return found
