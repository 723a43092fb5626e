"""`base/PoolViews.sol`: every view of the pool and of its series over `reserve_book`'s accounts. None
raises a `ContractError` except `price()` (an unusable oracle values each series at its own last settled
mark price)."""

from __future__ import annotations

from ..interfaces import SeriesParams, SeriesState
from ..libraries.series import equity_now, nav, params, state
from ..libraries.series_math import leverage
from .pool_parameters import PoolParameters


class PoolViews(PoolParameters):
    """`price()`, `markPrice()`, the pool's accounts and the series views."""

    def price(self) -> int:
        """`price()`: the oracle price (WAD); raises the oracle's error when unusable."""
        return self._price()

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

    def health_due(self) -> bool:
        """Whether `reportHealth` would be accepted now."""
        return self._health_due()
