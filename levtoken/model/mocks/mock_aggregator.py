"""`mocks/MockAggregator.sol`, Chainlink's `MockV3Aggregator`: the latest round's data only, since
each update writes every field of the round it makes latest, and every round's (answer, startedAt,
updatedAt) for `getRoundData`; and the `PoolModel` calls that send transactions to it."""

from __future__ import annotations

from ..evm import Chain, tx
from ..solidity import INT256_MAX, INT256_MIN, U80, abi_uint


class MockAggregatorModel:
    """`MockV3Aggregator(decimals, initialAnswer)` deployed at block.timestamp `now`."""

    __slots__ = ("address", "answer", "decimals", "latest_round", "rounds", "started_at", "updated_at")

    def __init__(self, address: str, decimals: int, initial_answer: int, now: int) -> None:
        self.address = address
        self.decimals = decimals
        self.latest_round = 0
        self.answer = 0
        self.started_at = 0
        self.updated_at = 0
        self.rounds: dict[int, tuple[int, int, int]] = {}  # round id -> (answer, startedAt, updatedAt)
        self.update_answer(initial_answer, now)

    def update_answer(self, answer: int, now: int) -> None:
        """`updateAnswer(answer)` in a block at `now`: a new round with updatedAt = startedAt = now."""
        _check_int256(answer)
        self.latest_round += 1
        self.answer = answer
        self.started_at = now
        self.updated_at = now
        self.rounds[self.latest_round] = (answer, now, now)

    def update_round_data(self, round_id: int, answer: int, timestamp: int, started_at: int) -> None:
        """`updateRoundData(roundId, answer, timestamp, startedAt)`: that round becomes the latest."""
        if not 0 <= round_id <= U80:
            raise ValueError("round_id must fit uint80")
        _check_int256(answer)
        self.latest_round = round_id
        self.answer = answer
        self.updated_at = timestamp
        self.started_at = started_at
        self.rounds[round_id] = (answer, started_at, timestamp)

    def get_round_data(self, round_id: int) -> tuple[int, int, int, int, int]:
        """`getRoundData(roundId)`: (roundId, answer, startedAt, updatedAt, roundId); zeros for a round never
        written (the mock does not revert)."""
        answer, started_at, updated_at = self.rounds.get(round_id, (0, 0, 0))
        return round_id, answer, started_at, updated_at, round_id

    def latest_round_data(self) -> tuple[int, int, int, int, int]:
        """`latestRoundData()`: (roundId, answer, startedAt, updatedAt, answeredInRound)."""
        round_id = self.latest_round & U80
        return round_id, self.answer, self.started_at, self.updated_at, round_id


def _check_int256(answer: int) -> None:
    if not INT256_MIN <= answer <= INT256_MAX:
        raise ValueError("answer must fit int256")


class MockAggregatorCalls(Chain):
    """Transactions to and views of the price feed (`oracle`)."""

    oracle: MockAggregatorModel

    @tx
    def set_answer(self, answer: int) -> None:
        """`updateAnswer(answer)` at `now`: a new round, updatedAt = startedAt = now."""
        self.oracle.update_answer(answer, self.now)

    @tx
    def update_round_data(self, round_id: int, answer: int, timestamp: int, started_at: int) -> None:
        """`updateRoundData(roundId, answer, timestamp, startedAt)`."""
        self.oracle.update_round_data(round_id, answer, abi_uint(timestamp), abi_uint(started_at))

    def latest_round_data(self) -> tuple[int, int, int, int, int]:
        """`latestRoundData()`: (roundId, answer, startedAt, updatedAt, answeredInRound)."""
        return self.oracle.latest_round_data()

    def get_round_data(self, round_id: int) -> tuple[int, int, int, int, int]:
        """`getRoundData(roundId)`."""
        return self.oracle.get_round_data(round_id)
