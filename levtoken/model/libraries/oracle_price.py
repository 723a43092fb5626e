"""`libraries/OraclePrice.sol`: reads a Chainlink `AggregatorV3Interface` and normalises the answer to WAD
(SPEC section 6). A price is usable only if the answer is positive, the round is complete, `updatedAt` is
not in the future and not older than `maxAge`."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from ..errors import FuturePrice, IncompleteRound, InvalidPrice, StalePrice
from ..solidity import UINT256_MAX

if TYPE_CHECKING:
    from ..mocks.mock_aggregator import MockAggregatorModel

MAX_PRICE = 10**36  # largest usable price, WAD


class Status(IntEnum):
    """`OraclePrice.Status`."""

    Ok = 0
    InvalidPrice = 1
    StalePrice = 2
    FuturePrice = 3
    IncompleteRound = 4
    Unreachable = 5  # latestRoundData reverted: the modelled feed never does


# plain ints for the hot path (IntEnum member lookups are slow); equal to the Status members
OK, INVALID_PRICE, STALE_PRICE, FUTURE_PRICE, INCOMPLETE_ROUND = 0, 1, 2, 3, 4


def to_wad(answer: int, feed_decimals: int) -> tuple[bool, int]:
    """`OraclePrice.toWad`: (ok, answer scaled to WAD, rounding down); not ok if it overflows uint256
    (`Math.tryMul`)."""
    if feed_decimals <= 18:
        wad = answer * 10 ** (18 - feed_decimals)
        return (True, wad) if wad <= UINT256_MAX else (False, 0)
    return True, answer // 10 ** (feed_decimals - 18)


def read(feed: MockAggregatorModel, feed_decimals: int, max_age: int, now: int) -> int:
    """`OraclePrice.read` at block.timestamp `now`: the usable price, or the error naming the cause."""
    round_id, answer, _, updated_at, answered_in_round = feed.latest_round_data()
    status, price = check(round_id, answer, updated_at, answered_in_round, max_age, feed_decimals, now)
    if status == OK:
        return price
    if status == INVALID_PRICE:
        raise InvalidPrice(answer)
    if status == INCOMPLETE_ROUND:
        raise IncompleteRound(round_id, answered_in_round)
    if status == FUTURE_PRICE:
        raise FuturePrice(updated_at, now)
    raise StalePrice(updated_at, max_age)


def try_read(feed: MockAggregatorModel, feed_decimals: int, max_age: int, now: int) -> tuple[int, int]:
    """`OraclePrice.tryRead`: like `read`, but `(Status.Ok, price)` or `(cause, 0)`, never raising."""
    round_id, answer, _, updated_at, answered_in_round = feed.latest_round_data()
    return check(round_id, answer, updated_at, answered_in_round, max_age, feed_decimals, now)


def check(round_id: int, answer: int, updated_at: int, answered_in_round: int, max_age: int,
          feed_decimals: int, now: int) -> tuple[int, int]:
    """`OraclePrice._check` at block.timestamp `now`: `(Status.Ok, price)` or `(cause, 0)`; the status is
    returned as a plain int equal to the `Status` member."""
    if updated_at == 0 or answered_in_round < round_id:
        return INCOMPLETE_ROUND, 0
    if answer <= 0:
        return INVALID_PRICE, 0
    ok, wad = to_wad(answer, feed_decimals)
    if not ok or wad == 0 or wad > MAX_PRICE:
        return INVALID_PRICE, 0
    if updated_at > now:
        return FUTURE_PRICE, 0
    if now - updated_at > max_age:
        return STALE_PRICE, 0
    return OK, wad


def read_round(feed: MockAggregatorModel, feed_decimals: int, round_id: int, now: int) -> tuple[bool, int, int]:
    """`OraclePrice.readRound`: (usable, WAD price, updatedAt) of round `round_id` for orders: positive,
    complete, not dated after `now`, no age limit; `(False, 0, updatedAt)` otherwise."""
    rid, answer, _, updated_at, answered_in_round = feed.get_round_data(round_id)
    status, price = check(rid, answer, updated_at, answered_in_round, UINT256_MAX, feed_decimals, now)
    return status == OK and rid == round_id, price, updated_at
