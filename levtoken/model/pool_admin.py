"""`PoolAdmin.sol`: the owner's functions of a pool (`IPoolAdmin`): creating series and setting their and
the pool's bounded parameters (each change emits `ParametersUpdated`).

On chain the pool checks that the caller is its owner and runs the module's code by delegatecall in its own
storage, so every method here starts with the pool's `onlyOwner` and then does what the module does. The
module's own `NotDelegated` (a direct call to the module) has no model counterpart: the model has no module
address to call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .base.reserve_book import ReserveBook
from .base.series_orders import OrderBook, OrderParams
from .errors import SeriesHasOrders, SeriesNotRetirable, SeriesOrdersDue, TooManySeries
from .evm import tx
from .interfaces import PARAM_NAMES, as_series_params
from .libraries import series as Series
from .libraries.pool_bounds import (
    MAX_EXECUTION_FEE,
    MAX_FLOOR_RATIO,
    MAX_MIN_MINT,
    MAX_ORDER_AGE,
    MAX_ORDER_DELAY,
    MIN_ORDER_AGE,
    MIN_ORDER_DELAY,
    MAX_HEALTH_INTERVAL,
    MAX_KEEPER_REWARD,
    MAX_KEEPER_REWARD_DAILY,
    MAX_MIN_TRADE_NOTIONAL,
    MAX_PRICE_AGE,
    MAX_UTILIZATION_CAP,
    MIN_UTILIZATION_CAP,
    MIN_FLOOR_RATIO,
    MIN_HEALTH_INTERVAL,
    MIN_PRICE_AGE,
)
from .libraries.series import State, check_bounds
from .oz.erc20 import Ledger
from .solidity import abi_uint, bytes32


class PoolAdmin(ReserveBook):
    """`createSeries`, `setSeriesParams` and the pool-wide setters. `_only_owner` (`Ownable.onlyOwner`) is
    the pool's check, from `oz.ownable` through the pool."""

    _only_owner: Callable[[str], None]

    @tx
    def create_series(self, sender: str, token: str, is_long: bool, initial_nav: int,
                      params: Sequence[int], symbol: str = "") -> int:
        """`createSeries(name, symbol, isLong, initialNav, params)` with the token address the deployer
        would create; returns the series index."""
        p = as_series_params(params)
        abi_uint(initial_nav)
        if token in self._position:
            raise ValueError(f"{token} is already a series token")
        self._only_owner(sender)
        n = len(self._book)
        if n >= self.MAX_SERIES:
            raise TooManySeries(self.MAX_SERIES)
        Series.validate_new(initial_nav, p)
        s = State(ledger=Ledger(token), book=OrderBook(self._order_params))  # `_deployer.deploy` + `setOrderParams`
        Series.initialize(s, token, bool(is_long), initial_nav, p, self.now)
        self._book.append(s)
        self._position[token] = s
        self._ev.append(("SeriesCreated", {"token": token, "symbol": symbol, "isLong": bool(is_long),
                                           "initialNav": initial_nav, "params": p}))
        return n

    @tx
    def set_series_params(self, sender: str, token: str, params: Sequence[int]) -> None:
        """`setSeriesParams(token, params)`: settles the series first, then one `ParametersUpdated` per
        changed field."""
        p = as_series_params(params)
        self._only_owner(sender)
        s = self._series_of(token)
        Series.validate(p)
        price = self._price()
        if s.book.due_by(self.oracle.updated_at):
            raise SeriesOrdersDue(token)  # they settle first
        self._settle(token, s, price, s.ledger.total_supply)
        old = Series.params(s)
        Series.store(s, p)
        self._sync_floor_at(self.pool_assets, price)  # the settlement may knock out
        for name, before, after in zip(PARAM_NAMES, old, p):
            self._emit_changed(token, name, before, after)

    def _emit_changed(self, token: str, name: str, old: int, value: int) -> None:
        if old != value:
            self._ev.append(("ParametersUpdated",
                             {"target": token, "parameter": bytes32(name), "value": value}))

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
    def set_max_utilization(self, sender: str, cap: int) -> None:
        """`setMaxUtilization(cap)` (10%..1,000x)."""
        self._only_owner(sender)
        check_bounds("maxUtilization", abi_uint(cap), MIN_UTILIZATION_CAP, MAX_UTILIZATION_CAP)
        self.max_utilization = cap
        self._param_event("maxUtilization", cap)

    @tx
    def set_min_trade_notional(self, sender: str, notional: int) -> None:
        """`setMinTradeNotional(notional)` (WAD value, at most 10 units)."""
        self._only_owner(sender)
        check_bounds("minTradeNotional", abi_uint(notional), 0, MAX_MIN_TRADE_NOTIONAL)
        self.min_trade_notional = notional
        self._param_event("minTradeNotional", notional)

    @tx
    def set_order_params(self, sender: str, params: Sequence[int]) -> None:
        """`setOrderParams((minDelay, maxOrderAge, executionFee, minMintAssets))`: every series and later ones."""
        op = OrderParams(*map(abi_uint, params))
        self._only_owner(sender)
        scale = self._scale
        check_bounds("minDelay", op.min_delay, MIN_ORDER_DELAY, MAX_ORDER_DELAY)
        check_bounds("maxOrderAge", op.max_order_age, MIN_ORDER_AGE, MAX_ORDER_AGE)
        check_bounds("executionFee", op.execution_fee, 0, MAX_EXECUTION_FEE // scale)
        check_bounds("minMintAssets", op.min_mint_assets, 0, MAX_MIN_MINT // scale)
        self._order_params = op
        for s in self._book:
            s.book.params = op
            self._ev.append(("OrderParamsUpdated", {"params": tuple(op)}))
        for name, value in zip(("minDelay", "maxOrderAge", "executionFee", "minMintAssets"), op):
            self._param_event(name, value)

    @tx
    def retire_series(self, sender: str, token: str) -> None:
        """`retireSeries(token)`: a knocked-out series leaves the book; the last series takes its place."""
        self._only_owner(sender)
        s = self._series_of(token)
        if not s.knocked_out:
            raise SeriesNotRetirable(token)
        if s.book.heads != s.book.tails:
            raise SeriesHasOrders(token)  # their escrow needs the pool
        book = self._book
        i = book.index(s)
        book[i] = book[-1]
        book.pop()
        del self._position[token]
        self._retired[token] = s
        self._ev.append(("SeriesRetired", {"token": token}))

    def _param_event(self, name: str, value: int) -> None:
        self._ev.append(("ParametersUpdated",
                         {"target": self.address, "parameter": bytes32(name), "value": value}))
