"""`base/PoolParameters.sol`: the owner (`Ownable2Step`), the pause (mints and exposure increases;
redemptions are never paused), the pool-wide parameters' defaults and every parameter bound (public
constants). The bounded setters are the admin module's (`pool_admin`)."""

from __future__ import annotations

from ..evm import tx
from ..libraries import series
from .series_orders import OrderParams
from ..libraries.pool_bounds import (
    DEFAULT_MIN_MINT,
    DEFAULT_ORDER_AGE,
    DEFAULT_ORDER_DELAY,  # noqa: F401  (the pool's public constants)
    MAX_FLOOR_RATIO,
    MAX_HEALTH_INTERVAL,
    MAX_KEEPER_REWARD,
    MAX_KEEPER_REWARD_DAILY,
    MAX_MIN_TRADE_NOTIONAL,
    MAX_PRICE_AGE,
    DEFAULT_UTILIZATION_CAP,
    MAX_UTILIZATION_CAP,
    MIN_UTILIZATION_CAP,
    MIN_FLOOR_RATIO,
    MIN_HEALTH_INTERVAL,
    MIN_PRICE_AGE,
)
from ..oz.ownable import Ownable2Step
from ..oz.pausable import Pausable
from .reserve_book import ReserveBook

WAD = 10**18

MAX_LEVERAGE = series.MAX_LEVERAGE
MAX_TRADE_FEE = series.MAX_TRADE_FEE
MAX_SPREAD = series.MAX_SPREAD
MAX_STREAMING_FEE = series.MAX_STREAMING_FEE
MIN_FALLBACK = series.MIN_FALLBACK
MAX_FALLBACK = series.MAX_FALLBACK
MIN_INITIAL_NAV = series.MIN_INITIAL_NAV
MAX_INITIAL_NAV = series.MAX_INITIAL_NAV


class PoolParameters(Ownable2Step, Pausable, ReserveBook):
    """The defaults and the pause."""

    def _init_parameters(self) -> None:
        """The constructor's defaults: floor ratio 10%, max price age 1 h, health interval 1 h."""
        self.floor_ratio = WAD // 10
        self.max_price_age = 3_600
        self.health_interval = 3_600
        self.max_utilization = DEFAULT_UTILIZATION_CAP
        self.min_trade_notional = WAD
        self._order_params = OrderParams(DEFAULT_ORDER_DELAY, DEFAULT_ORDER_AGE, 0, DEFAULT_MIN_MINT // self._scale)

    @tx
    def pause(self, sender: str) -> None:
        """`pause()`: mints and exposure-increasing rebalances (redemptions are never paused)."""
        self._only_owner(sender)
        self._pause(sender)

    @tx
    def unpause(self, sender: str) -> None:
        """`unpause()`."""
        self._only_owner(sender)
        self._unpause(sender)
