"""Chainlink's `MockV3Aggregator` (what `MockAggregator` is): the latest round's data only, since
`latestRoundData` reads nothing else and each update writes every field of the round it makes latest."""

from __future__ import annotations

__all__ = ["MockAggregatorModel"]

UINT80_MASK = (1 << 80) - 1
INT256_MIN = -(1 << 255)
INT256_MAX = (1 << 255) - 1


class MockAggregatorModel:
    """`MockV3Aggregator(decimals, initialAnswer)` deployed at block.timestamp `now`."""

    __slots__ = ("address", "answer", "decimals", "latest_round", "started_at", "updated_at")

    def __init__(self, address: str, decimals: int, initial_answer: int, now: int) -> None:
        self.address = address
        self.decimals = decimals
        self.latest_round = 0
        self.answer = 0
        self.started_at = 0
        self.updated_at = 0
        self.update_answer(initial_answer, now)

    def update_answer(self, answer: int, now: int) -> None:
        """`updateAnswer(answer)` in a block at `now`: a new round with updatedAt = startedAt = now."""
        _check_int256(answer)
        self.latest_round += 1
        self.answer = answer
        self.started_at = now
        self.updated_at = now

    def update_round_data(self, round_id: int, answer: int, timestamp: int, started_at: int) -> None:
        """`updateRoundData(roundId, answer, timestamp, startedAt)`: that round becomes the latest."""
        if not 0 <= round_id <= UINT80_MASK:
            raise ValueError("round_id must fit uint80")
        _check_int256(answer)
        self.latest_round = round_id
        self.answer = answer
        self.updated_at = timestamp
        self.started_at = started_at

    def latest_round_data(self) -> tuple[int, int, int, int, int]:
        """`latestRoundData()`: (roundId, answer, startedAt, updatedAt, answeredInRound)."""
        round_id = self.latest_round & UINT80_MASK
        return round_id, self.answer, self.started_at, self.updated_at, round_id


def _check_int256(answer: int) -> None:
    if not INT256_MIN <= answer <= INT256_MAX:
        raise ValueError("answer must fit int256")
