"""`base/ReserveBook.sol`: the pool's accounts (SPEC section 4): the book of series, the assets the pool
holds, and what follows from them at a price: liabilities, reserve, floor, net exposure, health, the keeper
reward's daily cap. Internal functions only, shared by the pool and its admin module (`pool_admin`); the
views over them are `pool_views`.

Reserve R = poolAssets*scale - liabilities, liabilities = sum of the series' equities at the mark price.
The pool counts the assets it was given (`pool_assets`), never its balance, so a direct transfer changes
nothing.
"""

from __future__ import annotations

from ..errors import UnknownSeries, UnsupportedDecimals, UtilizationCapExceeded
from ..libraries import liabilities as agg
from ..libraries import pool_math
from ..libraries.order_rounds import prev_at_of
from ..libraries.series import State, equity_wad2, settle, terms
from ..libraries.series_math import WAD
from ..oz.safe_cast import to_int256
from ..solidity import INT256_MAX, U32, U40, sdiv
from .oracle_reader import OracleReader

DAY = 86_400


class ReserveBook(OracleReader):
    """Valuation, floor, health, keeper reward; `_scale` = 10**(18 - asset decimals)."""

    def _init_reserve_book(self, asset_decimals: int) -> None:
        """`ReserveBook(assetDecimals)`: `UnsupportedDecimals` above 18 decimals."""
        if asset_decimals > 18:
            raise UnsupportedDecimals(asset_decimals)
        self._scale = 10 ** (18 - asset_decimals)

    # =============================================================== state changes

    def _settle(self, token: str, s: State, p: int, supply: int) -> int:
        """`_settle`: settles the series at `p` (`Series.settle`) and books the change in the aggregates."""
        c0, sx0 = terms(s)
        equity = settle(s, token, p, supply, self.now, self._ev)
        self._commit(s, c0, sx0, p)
        return equity

    def _commit(self, s: State, c0: int, sx0: int, p: int) -> None:
        """`_commit`: books a series' change from terms (`c0`, `sx0`); outside the frontiers at `p`, they are
        recomputed tightly from every series."""
        c1, sx1 = terms(s)
        a = self._aggregates
        agg.update(a, c0, sx0, c1, sx1, s.equity, s.exposure, s.mark_price, s.is_long)
        if agg.total_wad2(a, p)[0]:
            return
        long_k, short_k = 0, agg.UINT256_MAX
        for t in self._book:
            x = t.exposure
            if x == 0:
                continue
            if t.is_long:
                long_k = max(long_k, agg.long_knock_out(t.equity, x, t.mark_price))
            else:
                short_k = min(short_k, agg.short_knock_out(t.equity, x, t.mark_price))
        agg.set_frontiers(a, long_k, short_k)

    def _sync_floor_at(self, pooled: int, p: int) -> None:
        """`_syncFloorAt`: emits a floor flip as seen with `pooled` assets at price `p` (0: the views')."""
        r, fl = self._reserve_and_floor(pooled, self._liabilities(p))
        self._sync_floor(r, fl)

    def _sync_floor(self, r: int, fl: int) -> None:
        """`_syncFloor`: emits `ReserveFloorBreached` / `ReserveFloorRestored` when the floor state flips."""
        breached = r < to_int256(fl)
        if breached == self.floor_breached:
            return
        self.floor_breached = breached
        if breached:
            self._ev.append(("ReserveFloorBreached", {"reserve": r, "floor": fl}))
        else:
            self._ev.append(("ReserveFloorRestored", {"reserve": r, "floor": fl}))

    def _lp_due_before(self, t: int) -> bool:
        """`_lpDueBefore`: whether an LP order that has not met its round is due before time `t`."""
        due = self._lp_queues.nextDue
        return due != 0 and due < t

    def _lp_orders_first(self, at: int) -> bool:
        """`_lpOrdersFirst` (and the pool's `_lpFirst`, the same rule with the round walk in the LP module's
        `latestPrevAt`): whether an LP order is due at a round before the latest one (updated at `at`): it
        executes before any settlement at the latest round."""
        if not self._lp_due_before(at):
            return False
        latest = self.oracle.latest_round_data()[0]
        return self._lp_due_before(prev_at_of(self.oracle, self._oracle_decimals, latest, self.now)[0])

    def _report_health(self, p: int) -> None:
        """`_reportHealth`."""
        total = self._liabilities(p)
        r, fl = self._reserve_and_floor(self.pool_assets, total)
        net = self._net_exposure(p)
        coverage = INT256_MAX if total == 0 else sdiv(r * WAD, to_int256(total))
        utilization = self._utilization(net, p, r)
        self.last_health_report = self.now & U40
        self._sync_floor(r, fl)
        self._ev.append(("ReserveHealth", {"reserve": r, "liabilities": total, "coverage": coverage,
                                           "utilization": utilization, "bufferDepth": r - to_int256(fl),
                                           "netExposure": net, "price": p}))

    # =============================================================== valuation

    @staticmethod
    def _utilization(net: int, p: int, r: int) -> int:
        """`_utilization` (`PoolMath.utilization`)."""
        return pool_math.utilization(net, p, r)

    def _over_cap(self, net_before: int, net_after: int, p: int, r: int) -> bool:
        """`_overCap` (`PoolMath.overCap` with the pool's cap)."""
        return pool_math.over_cap(net_before, net_after, p, r, self.max_utilization)

    def _revert_over_cap(self, net: int, p: int, r: int) -> None:
        """`_revertOverCap`."""
        raise UtilizationCapExceeded(self._utilization(net, p, r), self.max_utilization)

    def _liabilities(self, p: int) -> int:
        """`_liabilities`: Σ max(0, E_i(p)) before accrued streaming fees, WAD rounded down."""
        return self._liabilities_wad2(p) // WAD

    def _liabilities_wad2(self, p: int) -> int:
        """`_liabilitiesWad2`: exact, from the aggregates inside the frontiers, else summed series by series."""
        inside, total = agg.total_wad2(self._aggregates, p)
        if inside:
            return total
        for s in self._book:
            total += equity_wad2(s, p)
        return total

    def _liabilities_wad2_pending(self, p: int, s: State, c0: int, sx0: int) -> int:
        """`_liabilitiesWad2(p, s, c0, sx0)`: exact, while `s` changed since the aggregates booked (c0, sx0)."""
        inside, total = agg.total_wad2(self._aggregates, p)
        if not inside:
            return self._liabilities_wad2(p)
        return total - (c0 + sx0 * p) + equity_wad2(s, p)

    def _net_exposure(self, p: int) -> int:
        """`_netExposure`: side*exposure summed over the series with equity left."""
        a = self._aggregates
        if agg.total_wad2(a, p)[0]:
            return a.exposure_sum
        net = 0
        for s in self._book:
            if equity_wad2(s, p) == 0:
                continue
            net += s.exposure if s.is_long else -s.exposure
        return net

    def _reserve_at(self, p: int) -> int:
        return self._reserve_and_floor(self.pool_assets, self._liabilities(p))[0]

    def _reserve_and_floor(self, pooled: int, total: int) -> tuple[int, int]:
        """`_reserveAndFloor`: (pooled*scale - liabilities, ceil(floorRatio*liabilities)) (`PoolMath`)."""
        return pool_math.reserve_of(pooled * self._scale, total), self._floor_of(total)

    def _floor_of(self, total: int) -> int:
        """`_floorOf`: ceil(floorRatio * liabilities) (`PoolMath.floorOf`)."""
        return pool_math.floor_of(total, self.floor_ratio)

    def _series_of(self, token: str) -> State:
        """`_seriesOf`: reverts `UnknownSeries`."""
        s = self._position.get(token)
        if s is None:
            raise UnknownSeries(token)
        return s

    def _take_keeper_reward(self, r: int, fl: int) -> int:
        """`_takeKeeperReward`: the reward due now (asset units, 0 if none), within what is left of today's
        cap, at most once per transaction, and only if paying it keeps the reserve `r` at or above the floor
        `fl`; records it."""
        reward = self.keeper_reward
        if reward == 0 or self._keeper_paid:
            return 0
        day = self.now // DAY
        paid = self._reward_paid_today if self._reward_day == day else 0
        cap = self.keeper_reward_daily_cap
        if paid >= cap:
            return 0
        if reward > cap - paid:
            reward = cap - paid
        if r - to_int256(reward * self._scale) < to_int256(fl):
            return 0
        self._reward_day = day & U32
        self._reward_paid_today = paid + reward
        self._keeper_paid = True
        return reward

    def _health_due(self) -> bool:
        """`_healthDue`: whether a health report is due."""
        last = self.last_health_report
        return last == 0 or self.now >= last + self.health_interval
