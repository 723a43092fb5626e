"""`base/ReserveBook.sol`: the pool's accounts (SPEC section 4): the book of series, the assets the pool
holds, and what follows from them at a price: liabilities, reserve, floor, net exposure, health. Every view
of the pool and of a series is here; none raises a `ContractError` (an unusable oracle values each series
at its own last settled mark price).

Reserve R = poolAssets*scale - liabilities, liabilities = sum of the series' equities at the mark price.
The pool counts the assets it was given (`pool_assets`), never its balance, so a direct transfer changes
nothing.
"""

from __future__ import annotations

from ..errors import PANIC_OVERFLOW, HealthReportTooSoon, Panic, UnknownSeries, UnsupportedDecimals
from ..evm import tx
from ..interfaces import SeriesParams, SeriesState
from ..libraries import liabilities as agg
from ..libraries.series import State, equity_now, equity_wad2, nav, params, settle, state, terms
from ..libraries.series_math import WAD, leverage
from ..oz.math import mul_div
from ..oz.safe_cast import to_int256
from ..solidity import INT256_MAX, U40, UINT256_MAX, sdiv
from .oracle_reader import OracleReader


class ReserveBook(OracleReader):
    """Valuation, floor, health and every view; `_scale` = 10**(18 - asset decimals)."""

    def _init_reserve_book(self, asset_decimals: int) -> None:
        """`ReserveBook(assetDecimals)`: `UnsupportedDecimals` above 18 decimals."""
        if asset_decimals > 18:
            raise UnsupportedDecimals(asset_decimals)
        self._scale = 10 ** (18 - asset_decimals)

    # =============================================================== state changes

    @tx
    def report_health(self, sender: str) -> None:
        """`reportHealth()` sent by `sender`."""
        if not self._health_due():
            next_at = self.last_health_report + self.health_interval
            if next_at > U40:  # uint40 + uint32 is checked uint40 arithmetic
                raise Panic(PANIC_OVERFLOW)
            raise HealthReportTooSoon(next_at)
        self._report_health(self._price())

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

    def _report_health(self, p: int) -> None:
        """`_reportHealth`."""
        total = self._liabilities(p)
        r, fl = self._reserve_and_floor(self.pool_assets, total)
        net = self._net_exposure(p)
        coverage = INT256_MAX if total == 0 else sdiv(r * WAD, to_int256(total))
        abs_net = -net if net < 0 else net
        if abs_net == 0:
            utilization = 0
        elif r <= 0:
            utilization = UINT256_MAX
        else:
            utilization = mul_div(mul_div(abs_net, p, WAD), WAD, r)
        self.last_health_report = self.now & U40
        self._sync_floor(r, fl)
        self._ev.append(("ReserveHealth", {"reserve": r, "liabilities": total, "coverage": coverage,
                                           "utilization": utilization, "bufferDepth": r - to_int256(fl),
                                           "netExposure": net, "price": p}))

    # =============================================================== valuation

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
        """`_reserveAndFloor`: (pooled*scale - liabilities, ceil(floorRatio*liabilities))."""
        r = to_int256(pooled * self._scale) - to_int256(total)
        return r, self._floor_of(total)

    def _floor_of(self, total: int) -> int:
        """`_floorOf`: ceil(floorRatio * liabilities) (a stricter floor)."""
        return mul_div(total, self.floor_ratio, WAD, True)

    def _series_of(self, token: str) -> State:
        """`_seriesOf`: reverts `UnknownSeries`."""
        s = self._position.get(token)
        if s is None:
            raise UnknownSeries(token)
        return s

    def _price_usable(self) -> tuple[bool, int]:
        """`_priceUsable`: (whether the oracle is usable, its price)."""
        status, p = self._try_price()
        return status == 0, p

    # =============================================================== views

    def mark_price(self) -> int:
        """`markPrice()`: the oracle price, or the mark price of the most recently settled series."""
        p = self._view_price()
        if p != 0:
            return p
        latest = 0
        for s in self._book:
            if s.settled_at >= latest and s.mark_price != 0:
                latest, p = s.settled_at, s.mark_price
        return p

    def reserve(self) -> int:
        """`reserve()` (int256 WAD)."""
        return self._reserve_at(self._view_price())

    def liabilities(self) -> int:
        """`liabilities()` (WAD)."""
        return self._liabilities(self._view_price())

    def net_exposure(self) -> int:
        """`netExposure()` (int256 WAD)."""
        return self._net_exposure(self._view_price())

    def floor(self) -> int:
        """`floor()`: ceil(floorRatio * liabilities)."""
        return self._floor_of(self._liabilities(self._view_price()))

    def series(self) -> list[str]:
        """`series()`: the tokens in creation order."""
        return [s.token for s in self._book]

    def equity_of(self, token: str) -> int:
        """`equityOf(token)`."""
        return equity_now(self._series_of(token), self._view_price(), self.now)

    def exposure_of(self, token: str) -> int:
        """`exposureOf(token)`: 0 once the equity is 0."""
        s = self._series_of(token)
        return 0 if equity_now(s, self._view_price(), self.now) == 0 else s.exposure

    def nav_of(self, token: str) -> int:
        """`navOf(token)`."""
        s = self._series_of(token)
        return nav(s, equity_now(s, self._view_price(), self.now), s.ledger.total_supply)

    def leverage_of(self, token: str) -> int:
        """`leverageOf(token)` (oracle unusable: the exposure at the series' own mark price)."""
        s = self._series_of(token)
        p = self._view_price()
        return leverage(s.exposure, s.mark_price if p == 0 else p, equity_now(s, p, self.now))

    def series_params(self, token: str) -> SeriesParams:
        """`seriesParams(token)`."""
        return params(self._series_of(token))

    def series_state(self, token: str) -> SeriesState:
        """`seriesState(token)`."""
        return state(self._series_of(token))
