"""`base/PoolParameters.sol`: the pool-wide parameters (floor ratio, oracle max age, health interval,
keeper reward), their bounded owner-only setters (each emits `ParametersUpdated`), the pause, the keeper
reward's daily accounting and whether a health report is due."""

from __future__ import annotations

from ..evm import tx
from ..libraries import series
from ..libraries.series import check_bounds
from ..oz.ownable import Ownable2Step
from ..oz.pausable import Pausable
from ..oz.safe_cast import to_int256
from ..solidity import U32, abi_uint, bytes32
from .pool_storage import PoolStorage

WAD = 10**18
DAY = 86_400

MAX_LEVERAGE = series.MAX_LEVERAGE
MAX_TRADE_FEE = series.MAX_TRADE_FEE
MAX_SPREAD = series.MAX_SPREAD
MAX_STREAMING_FEE = series.MAX_STREAMING_FEE
MIN_FALLBACK = series.MIN_FALLBACK
MAX_FALLBACK = series.MAX_FALLBACK
MIN_INITIAL_NAV = series.MIN_INITIAL_NAV
MAX_INITIAL_NAV = series.MAX_INITIAL_NAV
MIN_FLOOR_RATIO = WAD // 100  # floor ratio bounds (1%..100% of liabilities)
MAX_FLOOR_RATIO = WAD
MIN_PRICE_AGE = 60  # oracle max price age bounds
MAX_PRICE_AGE = 2 * DAY
MIN_HEALTH_INTERVAL = 300  # health report interval bounds
MAX_HEALTH_INTERVAL = DAY
MAX_KEEPER_REWARD = 1_000 * WAD  # keeper reward bounds, WAD value (per rebalance, per day)
MAX_KEEPER_REWARD_DAILY = 100_000 * WAD


class PoolParameters(Ownable2Step, Pausable, PoolStorage):
    """The parameters' setters and the pause; `_scale` (`_assetScale()`) is set by `ReserveBook`."""

    address: str
    _scale: int  # 10**(18 - asset decimals): asset units -> WAD

    def _init_parameters(self) -> None:
        """The constructor's defaults: floor ratio 10%, max price age 1 h, health interval 1 h."""
        self.floor_ratio = WAD // 10
        self.max_price_age = 3_600
        self.health_interval = 3_600

    @tx
    def set_floor_ratio(self, sender: str, ratio: int) -> None:
        """`setFloorRatio(ratio)` (1%..100%)."""
        self._only_owner(sender)
        check_bounds("floorRatio", abi_uint(ratio), MIN_FLOOR_RATIO, MAX_FLOOR_RATIO)
        self.floor_ratio = ratio
        self._param_event("floorRatio", ratio)

    @tx
    def set_max_price_age(self, sender: str, age: int) -> None:
        """`setMaxPriceAge(age)` (1 min..2 days)."""
        self._only_owner(sender)
        check_bounds("maxPriceAge", abi_uint(age), MIN_PRICE_AGE, MAX_PRICE_AGE)
        self.max_price_age = age
        self._param_event("maxPriceAge", age)

    @tx
    def set_health_interval(self, sender: str, interval: int) -> None:
        """`setHealthInterval(interval)` (5 min..1 day)."""
        self._only_owner(sender)
        check_bounds("healthInterval", abi_uint(interval), MIN_HEALTH_INTERVAL, MAX_HEALTH_INTERVAL)
        self.health_interval = interval
        self._param_event("healthInterval", interval)

    @tx
    def set_keeper_reward(self, sender: str, reward: int, daily_cap: int) -> None:
        """`setKeeperReward(reward, dailyCap)` (asset units)."""
        self._only_owner(sender)
        scale = self._scale
        check_bounds("keeperReward", abi_uint(reward), 0, MAX_KEEPER_REWARD // scale)
        check_bounds("keeperRewardDailyCap", abi_uint(daily_cap), reward, MAX_KEEPER_REWARD_DAILY // scale)
        self.keeper_reward = reward
        self.keeper_reward_daily_cap = daily_cap
        self._param_event("keeperReward", reward)
        self._param_event("keeperRewardDailyCap", daily_cap)

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

    def _param_event(self, name: str, value: int) -> None:
        self._ev.append(("ParametersUpdated",
                         {"target": self.address, "parameter": bytes32(name), "value": value}))

    def _take_keeper_reward(self, r: int, fl: int) -> int:
        """`_takeKeeperReward`: the reward due now (asset units, 0 if none), within what is left of today's
        cap and only if paying it keeps the reserve `r` at or above the floor `fl`; records it."""
        reward = self.keeper_reward
        if reward == 0:
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
        return reward

    def _health_due(self) -> bool:
        """`_healthDue`: whether a health report is due."""
        last = self.last_health_report
        return last == 0 or self.now >= last + self.health_interval

    def health_due(self) -> bool:
        """Whether `reportHealth` would be accepted now."""
        return self._health_due()
