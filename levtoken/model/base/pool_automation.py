"""`base/PoolAutomation.sol`: Chainlink Automation for the pool (SPEC section 7). `check_upkeep` flags
every series whose rebalance would succeed now (the same decision as `rebalance()` and
`rebalanceStatus()`), the round each series' due orders execute at, and a due health report; `perform_upkeep` re-validates and does them, each series in an
isolated call so that one failure never blocks the others; and `report_health` for anyone else."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import PANIC_OVERFLOW, ContractError, HealthReportTooSoon, NoUpkeepNeeded, Panic
from ..evm import tx
from ..libraries.series import State, equity_now
from ..solidity import U40, abi_uint
from .pool_parameters import PoolParameters

MAX_UPKEEP_ORDERS = 50  # `PoolAutomation.MAX_UPKEEP_ORDERS`


class PoolAutomation(PoolParameters):
    """`reportHealth`, `checkUpkeep`, `performUpkeep`, `upkeepRebalance`; the pool defines `_status` and
    `_rebalance`."""

    @tx
    def report_health(self, sender: str) -> None:
        """`reportHealth()` sent by `sender`."""
        if not self._health_due():
            next_at = self.last_health_report + self.health_interval
            if next_at > U40:  # uint40 + uint32 is checked uint40 arithmetic
                raise Panic(PANIC_OVERFLOW)
            raise HealthReportTooSoon(next_at)
        self._report_health(self._price())

    def check_upkeep(self) -> tuple[bool, int, bool]:
        """`checkUpkeep("")` as (upkeepNeeded, series bitmap, healthDue) (see `check_upkeep_rounds`)."""
        return self.check_upkeep_rounds()[:3]  # type: ignore[return-value]

    def check_upkeep_rounds(self) -> tuple[bool, int, bool, list[int]]:
        """`checkUpkeep("")` as (upkeepNeeded, series bitmap, healthDue, rounds): `rounds[i]` is the round
        series i's orders execute at (`pendingRound`, 0: none), empty when no series has one; a series with
        due orders is not flagged for a rebalance. Never raises a `ContractError`."""
        ok, p = self._price_usable()
        bitmap = 0
        now = self.now
        rounds = [self.pending_round(s.token) for s in self._book]
        for i, s in enumerate(self._book):
            if rounds[i] == 0 and ok and self._status(s, p, equity_now(s, p, now)) != 0:
                bitmap |= 1 << i
        orders = any(rounds)
        health_due = ok and self._health_due()
        return bitmap != 0 or health_due or orders, bitmap, health_due, rounds if orders else []

    @tx
    def perform_upkeep(self, sender: str, bitmap: int, health_due: bool, rounds: Sequence[int] = ()) -> None:
        """`performUpkeep(abi.encode(bitmap, healthDue, rounds))` sent by `sender`: first each series'
        orders at its round (`executeOrdersFor`, at most `MAX_UPKEEP_ORDERS` per queue), then each flagged
        series is rebalanced in an isolated call (`upkeepRebalance`); a failure is rolled back and emits
        `UpkeepFailed(token, reason)` with the `ContractError` as reason."""
        abi_uint(bitmap)
        ev = self._ev
        done = 0
        book = self._book
        n = len(book)
        for i, round_id in enumerate(rounds[:n]):
            if round_id == 0:
                continue
            token = book[i].token
            saved = self._save()
            mark = len(ev)
            try:
                self._execute(token, round_id, MAX_UPKEEP_ORDERS, sender)
                done += 1
            except ContractError as reason:
                self._load(saved)
                del ev[mark:]
                ev.append(("UpkeepFailed", {"token": token, "reason": reason}))
        i = 0
        while i < n and bitmap >> i != 0:
            if bitmap >> i & 1:
                token = book[i].token
                saved = self._save()
                mark = len(ev)
                try:
                    self._upkeep_rebalance(token, sender)
                    done += 1
                except ContractError as reason:
                    self._load(saved)
                    del ev[mark:]
                    ev.append(("UpkeepFailed", {"token": token, "reason": reason}))
            i += 1
        if health_due and self._health_due():
            self._report_health(self._price())
            done += 1
        if done == 0:
            self._price()  # an unusable oracle is why nothing succeeded: raise its cause
            raise NoUpkeepNeeded()

    def _upkeep_rebalance(self, token: str, keeper: str) -> int:
        """`upkeepRebalance(token, keeper)`: the isolated rebalance of one series (only the pool calls it)."""
        s = self._series_of(token)
        return self._rebalance(token, s, keeper, s.ledger.total_supply)

    def _status(self, s: State, p: int, equity: int, total: int | None = None) -> int:
        """The trigger a rebalance of the series at `p` would fire, `NONE` if it would revert."""
        raise NotImplementedError

    def _rebalance(self, token: str, s: State, keeper: str, supply: int) -> int:
        """Rebalances the series (raises when `_status` would say `NONE`)."""
        raise NotImplementedError
