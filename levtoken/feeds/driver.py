"""Pushes a price path into a mock Chainlink feed (``MockAggregator.updateAnswer``) on the connected chain.

Time mapping: the first point is answered at the current chain time (``chain.pending_timestamp``) and
every later point at that time plus its offset from the path's first timestamp, one path second per chain
second, so an hourly path answers once per chain hour and a gap in the path is a gap on the chain.
Before each update the driver sets the next block's timestamp (``evm_setNextBlockTimestamp`` through
``provider.set_timestamp``); the update's block, hence the feed's ``updatedAt``, carries exactly that
time. Chain time never moves backwards: when something else (a keeper, a test's callback) has already
taken the chain past a point's time, the point is pushed at once, at whatever time the next block gets,
and counted as lagging; the schedule itself is not shifted, so later points land on time again.

Price conversion: ``answer = price * 10**decimals`` of the feed, rounded half-even to an integer
(exact for the Binance CSVs and the synthetic paths, which have at most 8 decimals, on an 8-decimal feed).
An answer that would be zero or negative, or overflow int256, is refused before anything is sent.

Gas: unless ``tx_kwargs`` names a ``gas`` limit, the first update's gas is estimated once and every
update is sent with 1.5 times that limit (a MockV3Aggregator round always writes the same slots, so the
cost does not vary), which saves ape's gas estimate on every update.

Receipts: ape waits for a receipt with web3's 0.1 s poll, and once a local chain has a few hundred
blocks Anvil's automine usually misses the first poll, so every update would cost at least 0.1 s. The
driver therefore signs through ape (``as_transaction(..., sign=True)``, any ape account), sends the raw
transaction, polls for the receipt every 2 ms and hands back ape's receipt for it; a sender that does not
produce a signature (an impersonated account) goes through ape's ordinary ``updateAnswer(...)`` call.

Pacing: ``speedup`` is path seconds per wall-clock second (3600 = one hour of path per second); the
driver sleeps until each point is due. 0 pushes as fast as the node accepts transactions.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from ape import chain
from eth_utils import to_hex

from levtoken.feeds.candles import PricePoint

log = logging.getLogger(__name__)

INT256_MAX = 2**255 - 1
GAS_MARGIN = Decimal("1.5")
RECEIPT_POLL_SECONDS = 0.002

PointCallback = Callable[[PricePoint, Any], None]


def to_answer(price: Decimal | int | str, decimals: int) -> int:
    """``price`` in feed units (``decimals`` places), rounded half-even; ValueError unless 0 < answer <= int256 max."""
    with localcontext() as ctx:
        ctx.prec = 200
        value = Decimal(str(price)) if not isinstance(price, Decimal) else price
        if not value.is_finite():
            raise ValueError(f"price {price} is not a finite number")
        answer = int(value.scaleb(decimals).to_integral_value(rounding=ROUND_HALF_EVEN))
    if answer <= 0:
        raise ValueError(f"price {price} is {answer} at {decimals} decimals: a feed answer must be positive")
    if answer > INT256_MAX:
        raise ValueError(f"price {price} overflows an int256 answer at {decimals} decimals")
    return answer


@dataclass(frozen=True)
class PushedPoint:
    """One update the driver sent."""

    index: int
    point: PricePoint
    answer: int  # in feed units
    target_timestamp: int  # chain time the point maps to
    chain_timestamp: int  # block timestamp of the update (the feed's updatedAt)
    txn_hash: str

    @property
    def lag(self) -> int:
        """Seconds the update landed after its mapped time (0 when on schedule)."""
        return self.chain_timestamp - self.target_timestamp


@dataclass
class FeedRun:
    """What a `FeedDriver.push` did."""

    chain_start: int
    pushed: list[PushedPoint] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def lagging(self) -> int:
        return sum(1 for p in self.pushed if p.lag > 0)

    @property
    def chain_end(self) -> int | None:
        return self.pushed[-1].chain_timestamp if self.pushed else None


class FeedDriver:
    """Pushes `PricePoint` paths into ``feed`` (a MockAggregator contract) from ``sender``.

    ``on_point`` (one callable or several) is called as ``on_point(point, receipt)`` after each update,
    in path order; it may send transactions and move chain time. ``clock``/``sleep`` exist so pacing can
    be tested without waiting. ``move_time=False`` leaves chain time alone (networks whose clock cannot
    be set); points then carry whatever time their block gets. ``tx_kwargs`` go to every ``updateAnswer``.
    """

    def __init__(
        self,
        feed: Any,
        sender: Any,
        *,
        speedup: float = 0.0,
        on_point: PointCallback | Iterable[PointCallback] | None = None,
        move_time: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        tx_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if speedup < 0:
            raise ValueError(f"speedup must be 0 (as fast as possible) or positive, got {speedup}")
        self.feed = feed
        self.sender = sender
        self.speedup = float(speedup)
        if on_point is None:
            self.callbacks: list[PointCallback] = []
        elif callable(on_point):
            self.callbacks = [on_point]
        else:
            self.callbacks = list(on_point)
        self.move_time = move_time
        self.clock = clock
        self.sleep = sleep
        self.tx_kwargs = dict(tx_kwargs or {})
        self._decimals: int | None = None

    @property
    def decimals(self) -> int:
        if self._decimals is None:
            self._decimals = int(self.feed.decimals())
        return self._decimals

    def push(self, path: Sequence[PricePoint]) -> FeedRun:
        """Pushes every point of ``path`` (strictly increasing timestamps); returns a `FeedRun`."""
        if not path:
            raise ValueError("empty price path")
        for a, b in itertools.pairwise(path):
            if b.timestamp <= a.timestamp:
                raise ValueError(f"path timestamps must increase: {a.timestamp} then {b.timestamp}")
        answers = [to_answer(p.price, self.decimals) for p in path]  # refuse bad prices before sending

        provider = chain.provider
        tx_kwargs = dict(self.tx_kwargs)
        if "gas" not in tx_kwargs and "gas_limit" not in tx_kwargs:
            estimate = self.feed.updateAnswer.estimate_gas_cost(answers[0], sender=self.sender)
            tx_kwargs["gas"] = int(estimate * GAS_MARGIN)
        t0 = path[0].timestamp
        run = FeedRun(chain_start=max(chain.pending_timestamp, provider.get_block("latest").timestamp))
        wall_start = self.clock()
        log.info(
            "pushing %d points (%d h of path) into %s from chain time %d, speedup %s",
            len(path), (path[-1].timestamp - t0) // 3600, self.feed.address, run.chain_start, self.speedup or "max",
        )
        for index, (point, answer) in enumerate(zip(path, answers)):
            offset = point.timestamp - t0
            if self.speedup:
                delay = wall_start + offset / self.speedup - self.clock()
                if delay > 0:
                    self.sleep(delay)
            target = run.chain_start + offset
            if self.move_time:
                latest = provider.get_block("latest").timestamp
                if target >= latest:
                    provider.set_timestamp(target)
                else:
                    log.debug("point %d: chain time %d is past its time %d; pushing now", index, latest, target)
            receipt = self._update(answer, tx_kwargs)
            pushed = PushedPoint(index, point, answer, target, receipt.timestamp, str(receipt.txn_hash))
            run.pushed.append(pushed)
            log.debug("point %d: %s -> answer %d at chain time %d", index, point.price, answer, pushed.chain_timestamp)
            for callback in self.callbacks:
                callback(point, receipt)
        run.wall_seconds = self.clock() - wall_start
        if run.lagging:
            log.warning("%d of %d points landed after their mapped chain time", run.lagging, len(path))
        log.info("pushed %d points in %.2f s; chain time now %s", len(run.pushed), run.wall_seconds, run.chain_end)
        return run

    def _update(self, answer: int, tx_kwargs: dict[str, Any]) -> Any:
        """Sends ``updateAnswer(answer)`` and returns ape's receipt (see "Receipts" in the module doc)."""
        provider = chain.provider
        txn = self.feed.updateAnswer.as_transaction(answer, sender=self.sender, sign=True, **tx_kwargs)
        if not txn.signature:
            return self.feed.updateAnswer(answer, sender=self.sender, **tx_kwargs)
        web3 = provider.web3
        txn_hash = to_hex(web3.eth.send_raw_transaction(txn.serialize_transaction()))
        web3.eth.wait_for_transaction_receipt(
            txn_hash, timeout=provider.network.transaction_acceptance_timeout, poll_latency=RECEIPT_POLL_SECONDS
        )
        receipt = provider.get_receipt(txn_hash, transaction=txn)
        receipt.raise_for_status()
        return receipt
