"""`base/PoolAutomation.sol`: Chainlink Automation for the pool (SPEC section 7). `perform_upkeep`
re-validates and does what `check_upkeep` (the LP orders module's code: `pool_lp_claims`) found, each series
and the LP orders in an isolated call so that one failure never blocks the others; and `report_health` for
anyone else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import PANIC_OVERFLOW, ContractError, HealthReportTooSoon, NoUpkeepNeeded, Panic
from ..evm import tx
from ..libraries.series import State
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

    @tx
    def perform_upkeep(self, sender: str, bitmap: int, health_due: bool, rounds: Sequence[int] = (),
                       lp_round: int = 0) -> None:
        """`performUpkeep(abi.encode(bitmap, healthDue, rounds, lpRound))` sent by `sender`: first each series'
        orders at its round (`executeOrdersFor`, at most `MAX_UPKEEP_ORDERS` per queue; the LP orders at
        `lp_round` first when it is earlier than that series' round), then each flagged series is rebalanced in
        an isolated call (`upkeepRebalance`), then the LP orders at `lp_round` (`executeLpOrdersFor`, if not 0
        and not done yet); a failure is rolled back and emits `UpkeepFailed(token, reason)`
        (the pool's own address for the LP orders) with the `ContractError` as reason."""
        abi_uint(bitmap)
        abi_uint(lp_round, 80)
        ev = self._ev
        done = 0
        book = self._book
        n = len(book)
        for i, round_id in enumerate(rounds[:n]):
            if round_id == 0:
                continue
            # LP orders of an earlier round than this batch's go first (the batch waits for them)
            if lp_round != 0 and lp_round < round_id and self._upkeep_lp_orders(lp_round, sender):
                lp_round, done = 0, done + 1
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
        if lp_round != 0:
            done += self._upkeep_lp_orders(lp_round, sender)
        if health_due and self._health_due():
            self._report_health(self._price())
            done += 1
        if done == 0:
            self._price()  # an unusable oracle is why nothing succeeded: raise its cause
            raise NoUpkeepNeeded()

    def _upkeep_lp_orders(self, lp_round: int, sender: str) -> int:
        """`_upkeepLpOrders`: the LP orders at `lp_round` in an isolated call; 1 if they went, else 0 and
        `UpkeepFailed(pool, reason)`."""
        saved = self._save()
        ev = self._ev
        mark = len(ev)
        try:
            self._execute_lp(lp_round, MAX_UPKEEP_ORDERS, sender)
            return 1
        except ContractError as reason:
            self._load(saved)
            del ev[mark:]
            ev.append(("UpkeepFailed", {"token": self.address, "reason": reason}))
            return 0

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

    if TYPE_CHECKING:  # the LP orders module's `_execute` (`pool_lp_orders`; a sibling mixin: not shadowed)
        def _execute_lp(self, round_id: int, max_orders: int, executor: str) -> int: ...
