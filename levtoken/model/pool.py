"""`PoolModel`: one `ReservePool`, its `LeveragedToken`s, its settlement asset (`MockERC20`) and its price
feed (`MockV3Aggregator`), as plain Python state, operation by operation.

Each state-changing method mirrors one transaction: same checks in the same order, same errors, same
rounding, same storage truncations. A method that raises a `ContractError` leaves the model exactly as it
was (a journal of the small mutable state is restored), and a successful one sets `events` to the events
the transaction emitted, in order, as `(EventName, {field: value})` (ERC-20 Transfer/Approval excepted).

Addresses are strings, compared as given: spell each account one way (e.g. checksummed) throughout.
Amounts outside their ABI type raise `ValueError` (the chain's ABI encoder would refuse them).
`now` is block.timestamp for the next transaction and for every view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from .erc20 import ZERO_ADDRESS, Ledger
from .errors import (
    PANIC_OVERFLOW,
    ContractError,
    EnforcedPause,
    ERC4626ExceededMaxDeposit,
    ERC4626ExceededMaxMint,
    ERC4626ExceededMaxRedeem,
    ERC4626ExceededMaxWithdraw,
    ExpectedPause,
    FuturePrice,
    HealthReportTooSoon,
    IncompleteRound,
    InvalidLeverageBand,
    InvalidPrice,
    NoRebalanceTrigger,
    NoUpkeepNeeded,
    OwnableInvalidOwner,
    OwnableUnauthorizedAccount,
    Panic,
    ParameterOutOfBounds,
    ReserveBelowFloor,
    SeriesKnockedOut,
    SlippageExceeded,
    StalePrice,
    TooManySeries,
    UnknownSeries,
    UnsupportedDecimals,
    ZeroAddress,
    ZeroAmount,
)
from .math import (
    FUTURE_PRICE,
    INCOMPLETE_ROUND,
    INT256_MAX,
    INVALID_PRICE,
    UINT256_MAX,
    WAD,
    check,
    checked_add,
    checked_mul,
    checked_sub,
    claim_of,
    drifted,
    equity_at,
    exposure_for,
    fallback_due,
    fee_of,
    leverage,
    mul_div,
    scale_exposure,
    sdiv,
    spread_cost,
    streaming_fee,
    to_int256,
    to_uint112,
    to_uint128,
    tokens_for_mint,
)
from .oracle import MockAggregatorModel
from .series import DRIFT, FALLBACK, KNOCK_OUT, NONE, PARAM_BITS, Series, SeriesParams, SeriesState

__all__ = ["Event", "PoolModel", "bytes32"]

Event = tuple[str, dict[str, Any]]

U32 = (1 << 32) - 1
U40 = (1 << 40) - 1
U80 = (1 << 80) - 1
U112 = (1 << 112) - 1
U128 = (1 << 128) - 1
TWO_256 = 1 << 256
DAY = 86_400
VIRTUAL_SHARES = 10**6  # 10 ** _decimalsOffset()

# ReservePool constants
MAX_SERIES = 8
MAX_LEVERAGE = 10 * WAD
MAX_TRADE_FEE = WAD // 100
MAX_SPREAD = WAD // 100
MAX_STREAMING_FEE = WAD // 10
MIN_FALLBACK = 3_600
MAX_FALLBACK = 7 * DAY
MIN_FLOOR_RATIO = WAD // 100
MAX_FLOOR_RATIO = WAD
MIN_PRICE_AGE = 60
MAX_PRICE_AGE = 2 * DAY
MIN_HEALTH_INTERVAL = 300
MAX_HEALTH_INTERVAL = DAY
MIN_INITIAL_NAV = 10**15
MAX_INITIAL_NAV = 10**24
MAX_KEEPER_REWARD = 1_000 * WAD
MAX_KEEPER_REWARD_DAILY = 100_000 * WAD

PARAM_NAMES = ("targetLeverage", "minLeverage", "maxLeverage", "fallbackInterval", "mintFee", "redeemFee",
               "streamingFee", "spread")


def bytes32(name: str) -> bytes:
    """A Solidity string literal as bytes32 (left-aligned, zero-padded), e.g. `"floorRatio"`."""
    return name.encode().ljust(32, b"\0")


_NAMES = {name: bytes32(name) for name in (*PARAM_NAMES, "initialNav", "floorRatio", "maxPriceAge",
                                            "healthInterval", "keeperReward", "keeperRewardDailyCap")}


def _uint(value: int, bits: int = 256) -> int:
    if not 0 <= value < 1 << bits:
        raise ValueError(f"{value!r} does not fit uint{bits}")
    return value


P = ParamSpec("P")
R = TypeVar("R")


def _tx(method: Callable[Concatenate[PoolModel, P], R]) -> Callable[Concatenate[PoolModel, P], R]:
    """Runs `method` as one transaction: on any exception the model is restored; on success `events`
    is set to what it emitted."""

    @wraps(method)
    def transaction(self: PoolModel, *args: P.args, **kwargs: P.kwargs) -> R:
        saved = self._save()
        events: list[Event] = []
        self._ev = events
        try:
            result = method(self, *args, **kwargs)
        except BaseException:
            self._load(saved)
            raise
        self.events = events
        return result

    return transaction  # type: ignore[return-value]  # functools.wraps' _Wrapped is that callable


class PoolModel:
    """`ReservePool` + its series tokens + settlement asset + price feed (see the module notes)."""

    MAX_SERIES = MAX_SERIES

    def __init__(self, *, address: str, asset_address: str, oracle_address: str, owner: str,
                 asset_decimals: int, feed_decimals: int, now: int, initial_answer: int,
                 oracle_updated_at: int | None = None) -> None:
        """The pool's constructor (`Ownable(owner)`, then `ZeroAddress`, then `UnsupportedDecimals` for the
        asset, then for the feed) with the defaults floorRatio 10%, maxPriceAge 1 h, healthInterval 1 h.
        The feed is deployed like `MockV3Aggregator(feed_decimals, initial_answer)` at `oracle_updated_at`
        (default `now`)."""
        if owner == ZERO_ADDRESS:
            raise OwnableInvalidOwner(ZERO_ADDRESS)
        if oracle_address == ZERO_ADDRESS:
            raise ZeroAddress()
        if asset_decimals > 18:
            raise UnsupportedDecimals(asset_decimals)
        if feed_decimals > 36:
            raise UnsupportedDecimals(feed_decimals)
        self.now = now
        self.address = address
        self.owner = owner
        self.pending_owner = ZERO_ADDRESS
        self.asset_decimals = asset_decimals
        self.asset = Ledger(asset_address)
        self.lp = Ledger(address)
        self.oracle = MockAggregatorModel(oracle_address, feed_decimals, initial_answer,
                                          now if oracle_updated_at is None else oracle_updated_at)
        self._scale: int = 10 ** (18 - asset_decimals)
        self._feed_decimals = feed_decimals
        self._book: list[Series] = []
        self._position: dict[str, Series] = {}
        self.pool_assets = 0
        self.floor_ratio = WAD // 10
        self.max_price_age = 3_600
        self.health_interval = 3_600
        self.last_health_report = 0
        self.floor_breached = False
        self.keeper_reward = 0
        self.keeper_reward_daily_cap = 0
        self._reward_day = 0
        self._reward_paid_today = 0
        self.paused = False
        self.events: list[Event] = []
        self._ev: list[Event] = []

    # =============================================================== journal

    def _save(self) -> tuple[Any, ...]:
        book = self._book
        return (
            self.pool_assets, self.floor_ratio, self.max_price_age, self.health_interval, self.last_health_report,
            self.floor_breached, self.keeper_reward, self.keeper_reward_daily_cap, self._reward_day,
            self._reward_paid_today, self.paused, self.owner, self.pending_owner,
            len(book), [s.save() for s in book], self.asset.save(), self.lp.save(),
        )

    def _load(self, saved: tuple[Any, ...]) -> None:
        (self.pool_assets, self.floor_ratio, self.max_price_age, self.health_interval, self.last_health_report,
         self.floor_breached, self.keeper_reward, self.keeper_reward_daily_cap, self._reward_day,
         self._reward_paid_today, self.paused, self.owner, self.pending_owner,
         n, series, asset, lp) = saved
        book = self._book
        for s in book[n:]:
            del self._position[s.token]
        del book[n:]
        for s, state in zip(book, series):
            s.load(state)
        self.asset.load(asset)
        self.lp.load(lp)

    # =============================================================== time

    def warp(self, seconds: int) -> None:
        """Moves block.timestamp forward by `seconds`."""
        self.set_time(self.now + seconds)

    def set_time(self, timestamp: int) -> None:
        """Sets block.timestamp (never backwards)."""
        if timestamp < self.now:
            raise ValueError("time cannot go backwards")
        self.now = timestamp

    # =============================================================== settlement asset (MockERC20)

    @_tx
    def asset_mint(self, to: str, amount: int) -> None:
        """`MockERC20.mint(to, amount)`."""
        self.asset.mint(to, _uint(amount))

    @_tx
    def asset_approve(self, owner: str, spender: str, amount: int) -> None:
        """`approve(spender, amount)` sent by `owner`."""
        self.asset.approve(owner, spender, _uint(amount))

    @_tx
    def asset_transfer(self, sender: str, to: str, amount: int) -> None:
        """`transfer(to, amount)` sent by `sender` (to the pool: a donation `poolAssets` ignores)."""
        self.asset.transfer(sender, to, _uint(amount))

    @_tx
    def asset_transfer_from(self, sender: str, from_: str, to: str, amount: int) -> None:
        """`transferFrom(from_, to, amount)` sent by `sender`."""
        self.asset.transfer_from(sender, from_, to, _uint(amount))

    def asset_balance_of(self, account: str) -> int:
        return self.asset.balance_of(account)

    def asset_allowance(self, owner: str, spender: str) -> int:
        return self.asset.allowance(owner, spender)

    # =============================================================== price feed (MockV3Aggregator)

    @_tx
    def set_answer(self, answer: int) -> None:
        """`updateAnswer(answer)` at `now`: a new round, updatedAt = startedAt = now."""
        self.oracle.update_answer(answer, self.now)

    @_tx
    def update_round_data(self, round_id: int, answer: int, timestamp: int, started_at: int) -> None:
        """`updateRoundData(roundId, answer, timestamp, startedAt)`."""
        self.oracle.update_round_data(round_id, answer, _uint(timestamp), _uint(started_at))

    def latest_round_data(self) -> tuple[int, int, int, int, int]:
        """`latestRoundData()`: (roundId, answer, startedAt, updatedAt, answeredInRound)."""
        return self.oracle.latest_round_data()

    # =============================================================== oracle reads (OraclePrice)

    def _try_price(self) -> tuple[int, int]:
        """`OraclePrice.tryRead`: (status, price); the mock answers in the round it reports."""
        o = self.oracle
        round_id = o.latest_round & U80
        return check(round_id, o.answer, o.updated_at, round_id, self.max_price_age, self._feed_decimals, self.now)

    def _price(self) -> int:
        """`ReservePool._price` / `OraclePrice.read`: the price or the cause's revert."""
        status, p = self._try_price()
        if status == 0:
            return p
        o = self.oracle
        if status == INVALID_PRICE:
            raise InvalidPrice(o.answer)
        if status == INCOMPLETE_ROUND:
            round_id = o.latest_round & U80
            raise IncompleteRound(round_id, round_id)
        if status == FUTURE_PRICE:
            raise FuturePrice(o.updated_at, self.now)
        raise StalePrice(o.updated_at, self.max_price_age)

    def _view_price(self) -> int:
        """`ReservePool._viewPrice`: the price, or 0 when the oracle is unusable."""
        status, p = self._try_price()
        return p if status == 0 else 0

    # =============================================================== valuation internals

    def _equity_now(self, s: Series, p: int) -> int:
        """`ReservePool._equityNow`: equity at `p` (0: at the series' mark price) net of the accrued fee."""
        p0 = s.mark_price
        equity = equity_at(s.equity, s.exposure, p0, p or p0, s.is_long)
        elapsed = self.now - s.settled_at
        if elapsed < 0:  # block.timestamp - settledAt is checked
            raise Panic(PANIC_OVERFLOW)
        rate = s.streaming_fee
        return equity - streaming_fee(equity, rate, elapsed) if rate else equity

    def _liabilities(self, p: int) -> int:
        """`ReservePool._liabilities`."""
        total = 0
        for s in self._book:
            total += self._equity_now(s, p)
        if total > UINT256_MAX:
            raise Panic(PANIC_OVERFLOW)
        return total

    def _net_exposure(self, p: int) -> int:
        """`ReservePool._netExposure`."""
        net = 0
        for s in self._book:
            if self._equity_now(s, p) == 0:
                continue
            net += s.exposure if s.is_long else -s.exposure
        return net

    def _reserve_and_floor(self, pooled: int, total: int) -> tuple[int, int]:
        """`ReservePool._reserveAndFloor`: (pooled*scale - liabilities, ceil(floorRatio*liabilities))."""
        r = to_int256(pooled * self._scale) - to_int256(total)
        return r, self._floor_of(total)

    def _floor_of(self, total: int) -> int:
        """`ReservePool._floorOf`: ceil(floorRatio * liabilities) (a stricter floor)."""
        return mul_div(total, self.floor_ratio, WAD, True)

    def _reserve_at(self, p: int) -> int:
        return self._reserve_and_floor(self.pool_assets, self._liabilities(p))[0]

    def _sync_floor(self, r: int, fl: int) -> None:
        """`ReservePool._syncFloor`: emits on a flip of the floor state."""
        breached = r < to_int256(fl)
        if breached == self.floor_breached:
            return
        self.floor_breached = breached
        if breached:
            self._ev.append(("ReserveFloorBreached", {"reserve": r, "floor": fl}))
        else:
            self._ev.append(("ReserveFloorRestored", {"reserve": r, "floor": fl}))

    def _settle(self, token: str, s: Series, p: int, supply: int) -> int:
        """`ReservePool._settle`: accrues the fee, marks equity and price, latches a knock-out."""
        if s.knocked_out:
            return 0
        equity = self._equity_now(s, p)
        if equity == 0 and supply != 0:
            self._ev.append(("KnockedOut", {"token": token, "price": p, "lostEquity": s.equity}))
            s.equity = 0
            s.exposure = 0
            s.knocked_out = True
        else:
            s.equity = to_uint112(equity)  # a gain past uint112 reverts (SafeCast)
        s.mark_price = to_uint128(p)
        s.settled_at = self.now & U32
        return equity

    def _nav(self, s: Series, equity: int, supply: int) -> int:
        """`ReservePool._nav`."""
        if supply == 0:
            return s.initial_nav
        return mul_div(equity, WAD, supply)

    def _trigger(self, s: Series, lev: int) -> int:
        """`ReservePool._trigger`: Drift, then Fallback."""
        if drifted(lev, s.min_leverage, s.max_leverage):
            return DRIFT
        if fallback_due(s.fallback_interval, s.last_rebalance, self.now):
            return FALLBACK
        return NONE

    def _status(self, s: Series, p: int, equity: int, total: int | None = None) -> int:
        """`ReservePool._status` with `equity` = `_equityNow(s, p)` and `total` = `_liabilities(p)` (computed
        here if None)."""
        if s.knocked_out:
            return NONE
        if equity == 0:
            return NONE if s.ledger.total_supply == 0 else KNOCK_OUT
        x = s.exposure
        trigger = self._trigger(s, leverage(x, p, equity))
        if trigger == NONE:
            return NONE
        x_new = exposure_for(s.target_leverage, equity, p)
        increase = x_new > x
        if increase and self.paused:
            return NONE
        cost = spread_cost(x_new - x if increase else x - x_new, p, s.spread)
        if cost >= equity:
            return KNOCK_OUT  # the rebalance would knock the series out
        if not increase:
            return trigger
        if x_new > U112:
            return NONE  # the rebalance would revert (SafeCast)
        if total is None:
            total = self._liabilities(p)
        r, fl = self._reserve_and_floor(self.pool_assets, checked_sub(total, cost))
        return NONE if r < to_int256(fl) else trigger

    def _health_due(self) -> bool:
        last = self.last_health_report
        return last == 0 or self.now >= last + self.health_interval

    def _deposits_open(self) -> bool:
        status, p = self._try_price()
        if status != 0:
            return False
        return self._reserve_at(p) >= 0

    def _withdrawable(self) -> int:
        """`ReservePool._withdrawable`: max(0, R - floor) in asset units; 0 if the oracle is unusable."""
        status, p = self._try_price()
        if status != 0:
            return 0
        r, fl = self._reserve_and_floor(self.pool_assets, self._liabilities(p))
        room = r - to_int256(fl)
        return 0 if room <= 0 else room // self._scale

    # =============================================================== lookups

    def _series_of(self, token: str) -> Series:
        """`ReservePool._seriesOf`: reverts `UnknownSeries`."""
        s = self._position.get(token)
        if s is None:
            raise UnknownSeries(token)
        return s

    def _token(self, token: str) -> Series:
        """The series behind a token contract the caller talks to (not a contract error: no such token)."""
        s = self._position.get(token)
        if s is None:
            raise ValueError(f"{token} is not a series token of this pool")
        return s

    def _only_owner(self, sender: str) -> None:
        if sender != self.owner:
            raise OwnableUnauthorizedAccount(sender)

    # =============================================================== admin

    @_tx
    def create_series(self, sender: str, token: str, is_long: bool, initial_nav: int,
                      params: Sequence[int], symbol: str = "") -> int:
        """`createSeries(name, symbol, isLong, initialNav, params)` with the token address the deployer
        would create; returns the series index."""
        p = self._params(params)
        _uint(initial_nav)
        if token in self._position:
            raise ValueError(f"{token} is already a series token")
        self._only_owner(sender)
        n = len(self._book)
        if n >= MAX_SERIES:
            raise TooManySeries(MAX_SERIES)
        if initial_nav < MIN_INITIAL_NAV or initial_nav > MAX_INITIAL_NAV:
            raise ParameterOutOfBounds(_NAMES["initialNav"], initial_nav, MIN_INITIAL_NAV, MAX_INITIAL_NAV)
        self._validate(p)
        s = Series(token, bool(is_long), initial_nav, self.now, p)
        self._book.append(s)
        self._position[token] = s
        self._ev.append(("SeriesCreated", {"token": token, "symbol": symbol, "isLong": bool(is_long),
                                           "initialNav": initial_nav, "params": p}))
        return n

    @_tx
    def set_series_params(self, sender: str, token: str, params: Sequence[int]) -> None:
        """`setSeriesParams(token, params)`: settles the series first, then one `ParametersUpdated` per
        changed field."""
        p = self._params(params)
        self._only_owner(sender)
        s = self._series_of(token)
        self._validate(p)
        price = self._price()
        self._settle(token, s, price, s.ledger.total_supply)
        old = s.params()
        s.store(p)
        r, fl = self._reserve_and_floor(self.pool_assets, self._liabilities(price))  # the settlement may knock out
        self._sync_floor(r, fl)
        ev = self._ev
        for name, before, after in zip(PARAM_NAMES, old, p):
            if before != after:
                ev.append(("ParametersUpdated", {"target": token, "parameter": _NAMES[name], "value": after}))

    @_tx
    def set_floor_ratio(self, sender: str, ratio: int) -> None:
        """`setFloorRatio(ratio)` (1%..100%)."""
        self._only_owner(sender)
        self._check_bounds("floorRatio", _uint(ratio), MIN_FLOOR_RATIO, MAX_FLOOR_RATIO)
        self.floor_ratio = ratio
        self._param_event("floorRatio", ratio)

    @_tx
    def set_max_price_age(self, sender: str, age: int) -> None:
        """`setMaxPriceAge(age)` (1 min..2 days)."""
        self._only_owner(sender)
        self._check_bounds("maxPriceAge", _uint(age), MIN_PRICE_AGE, MAX_PRICE_AGE)
        self.max_price_age = age
        self._param_event("maxPriceAge", age)

    @_tx
    def set_health_interval(self, sender: str, interval: int) -> None:
        """`setHealthInterval(interval)` (5 min..1 day)."""
        self._only_owner(sender)
        self._check_bounds("healthInterval", _uint(interval), MIN_HEALTH_INTERVAL, MAX_HEALTH_INTERVAL)
        self.health_interval = interval
        self._param_event("healthInterval", interval)

    @_tx
    def set_keeper_reward(self, sender: str, reward: int, daily_cap: int) -> None:
        """`setKeeperReward(reward, dailyCap)` (asset units)."""
        self._only_owner(sender)
        self._check_bounds("keeperReward", _uint(reward), 0, MAX_KEEPER_REWARD // self._scale)
        self._check_bounds("keeperRewardDailyCap", _uint(daily_cap), reward, MAX_KEEPER_REWARD_DAILY // self._scale)
        self.keeper_reward = reward
        self.keeper_reward_daily_cap = daily_cap
        self._param_event("keeperReward", reward)
        self._param_event("keeperRewardDailyCap", daily_cap)

    @_tx
    def pause(self, sender: str) -> None:
        """`pause()`."""
        self._only_owner(sender)
        if self.paused:
            raise EnforcedPause()
        self.paused = True
        self._ev.append(("Paused", {"account": sender}))

    @_tx
    def unpause(self, sender: str) -> None:
        """`unpause()`."""
        self._only_owner(sender)
        if not self.paused:
            raise ExpectedPause()
        self.paused = False
        self._ev.append(("Unpaused", {"account": sender}))

    @_tx
    def transfer_ownership(self, sender: str, new_owner: str) -> None:
        """`Ownable2Step.transferOwnership(newOwner)`."""
        self._only_owner(sender)
        self.pending_owner = new_owner
        self._ev.append(("OwnershipTransferStarted", {"previousOwner": self.owner, "newOwner": new_owner}))

    @_tx
    def accept_ownership(self, sender: str) -> None:
        """`Ownable2Step.acceptOwnership()`."""
        if sender != self.pending_owner:
            raise OwnableUnauthorizedAccount(sender)
        previous = self.owner
        self.pending_owner = ZERO_ADDRESS
        self.owner = sender
        self._ev.append(("OwnershipTransferred", {"previousOwner": previous, "newOwner": sender}))

    @staticmethod
    def _params(params: Sequence[int]) -> SeriesParams:
        if len(params) != 8:
            raise ValueError("SeriesParams has 8 fields")
        for value, bits in zip(params, PARAM_BITS):
            _uint(value, bits)
        return SeriesParams(*params)

    @staticmethod
    def _validate(p: SeriesParams) -> None:
        """`ReservePool._validate`."""
        min_l, target, max_l = p.minLeverage, p.targetLeverage, p.maxLeverage
        band_ok = (target > WAD and target < max_l and max_l <= MAX_LEVERAGE
                   and (min_l == 0 or (min_l > WAD and min_l < target)))
        if not band_ok:
            raise InvalidLeverageBand(min_l, target, max_l)
        if p.fallbackInterval != 0:
            PoolModel._check_bounds("fallbackInterval", p.fallbackInterval, MIN_FALLBACK, MAX_FALLBACK)
        PoolModel._check_bounds("mintFee", p.mintFee, 0, MAX_TRADE_FEE)
        PoolModel._check_bounds("redeemFee", p.redeemFee, 0, MAX_TRADE_FEE)
        PoolModel._check_bounds("streamingFee", p.streamingFee, 0, MAX_STREAMING_FEE)
        PoolModel._check_bounds("spread", p.spread, 0, MAX_SPREAD)

    @staticmethod
    def _check_bounds(name: str, value: int, lo: int, hi: int) -> None:
        if value < lo or value > hi:
            raise ParameterOutOfBounds(_NAMES[name], value, lo, hi)

    def _param_event(self, name: str, value: int) -> None:
        self._ev.append(("ParametersUpdated", {"target": self.address, "parameter": _NAMES[name], "value": value}))

    # =============================================================== series token operations

    @_tx
    def mint(self, sender: str, token: str, assets: int, min_tokens: int, receiver: str) -> int:
        """`LeveragedToken.mint(assets, minTokens, receiver)` sent by `sender`: the pool's `mintFor`, then
        the token mints what it returned. Returns the tokens."""
        s = self._token(token)
        tokens = self._mint_for(token, s, sender, _uint(assets), _uint(min_tokens), receiver, s.ledger.total_supply)
        s.ledger.mint(receiver, tokens)
        return tokens

    @_tx
    def redeem(self, sender: str, token: str, tokens: int, min_assets: int, receiver: str) -> int:
        """`LeveragedToken.redeem(tokens, minAssets, receiver)` sent by `sender`: burns first, then the
        pool's `redeemFor` pays. Returns the assets paid."""
        s = self._token(token)
        ledger = s.ledger
        supply = ledger.total_supply
        ledger.burn(sender, _uint(tokens))
        return self._redeem_for(token, s, sender, tokens, _uint(min_assets), receiver, supply)

    @_tx
    def rebalance(self, sender: str, token: str) -> int:
        """`LeveragedToken.rebalance()` sent by `sender` (the keeper): returns the trigger (`Trigger`)."""
        s = self._token(token)
        return self._rebalance(token, s, sender, s.ledger.total_supply)

    @_tx
    def token_transfer(self, sender: str, token: str, to: str, amount: int) -> None:
        """`LeveragedToken.transfer(to, amount)` sent by `sender`."""
        self._token(token).ledger.transfer(sender, to, _uint(amount))

    @_tx
    def token_approve(self, sender: str, token: str, spender: str, amount: int) -> None:
        """`LeveragedToken.approve(spender, amount)` sent by `sender`."""
        self._token(token).ledger.approve(sender, spender, _uint(amount))

    @_tx
    def token_transfer_from(self, sender: str, token: str, from_: str, to: str, amount: int) -> None:
        """`LeveragedToken.transferFrom(from_, to, amount)` sent by `sender`."""
        self._token(token).ledger.transfer_from(sender, from_, to, _uint(amount))

    def token_balance_of(self, token: str, account: str) -> int:
        return self._token(token).ledger.balance_of(account)

    def token_total_supply(self, token: str) -> int:
        return self._token(token).ledger.total_supply

    def token_allowance(self, token: str, owner: str, spender: str) -> int:
        return self._token(token).ledger.allowance(owner, spender)

    def _mint_for(self, token: str, s: Series, payer: str, assets: int, min_tokens: int, receiver: str,
                  supply: int) -> int:
        """`ReservePool.mintFor`."""
        if self.paused:
            raise EnforcedPause()
        if assets == 0:
            raise ZeroAmount()
        if receiver == ZERO_ADDRESS:
            raise ZeroAddress()
        if s.knocked_out:
            raise SeriesKnockedOut(token)
        price = self._price()
        equity = self._settle(token, s, price, supply)
        if s.knocked_out:
            raise SeriesKnockedOut(token)

        gross = checked_mul(assets, self._scale)
        fee = fee_of(gross, s.mint_fee)
        net = gross - fee
        tokens = tokens_for_mint(net, supply, equity, s.initial_nav if supply == 0 else 0)
        if tokens == 0 or tokens < min_tokens:
            raise SlippageExceeded(tokens, min_tokens or 1)

        new_equity = checked_add(equity, net)
        if supply == 0:
            s.exposure = to_uint112(exposure_for(s.target_leverage, net, price))
            s.last_rebalance = self.now & U40
        else:
            s.exposure = to_uint112(scale_exposure(s.exposure, new_equity, equity))
        s.equity = to_uint112(new_equity)
        pooled = checked_add(self.pool_assets, assets)
        self.pool_assets = to_uint128(pooled)

        r, fl = self._reserve_and_floor(pooled, self._liabilities(price))
        if r < to_int256(fl):
            raise ReserveBelowFloor(r, fl)
        self._sync_floor(r, fl)

        self.asset.transfer_from(self.address, payer, self.address, assets)
        self._ev.append(("Minted", {"token": token, "payer": payer, "receiver": receiver, "assets": assets,
                                    "tokens": tokens, "fee": fee, "price": price}))
        return tokens

    def _redeem_for(self, token: str, s: Series, owner: str, tokens: int, min_assets: int, receiver: str,
                    supply: int) -> int:
        """`ReservePool.redeemFor`."""
        if tokens == 0:
            raise ZeroAmount()
        if receiver == ZERO_ADDRESS:
            raise ZeroAddress()
        price = self._price()
        equity = self._settle(token, s, price, supply)

        liabilities_before = self._liabilities(price)
        scale = self._scale
        pooled_wad = self.pool_assets * scale
        gross = claim_of(tokens, supply, equity)
        fee = fee_of(gross, s.redeem_fee)
        payout = gross - fee
        if pooled_wad < liabilities_before:  # insolvent: pro rata poolAssets/liabilities
            payout = mul_div(payout, pooled_wad, liabilities_before)
        assets = payout // scale
        if assets < min_assets:
            raise SlippageExceeded(assets, min_assets)

        new_equity = checked_sub(equity, gross)
        s.exposure = to_uint112(scale_exposure(s.exposure, new_equity, equity))
        s.equity = new_equity & U112
        pooled = checked_sub(self.pool_assets, assets)
        self.pool_assets = pooled & U128
        r, fl = self._reserve_and_floor(pooled, checked_sub(liabilities_before, gross))
        self._sync_floor(r, fl)

        if assets != 0:
            self.asset.transfer(self.address, receiver, assets)
        self._ev.append(("Redeemed", {"token": token, "owner": owner, "receiver": receiver, "tokens": tokens,
                                      "assets": assets, "fee": fee, "price": price}))
        return assets

    def _rebalance(self, token: str, s: Series, keeper: str, supply: int) -> int:
        """`ReservePool._rebalance`."""
        if s.knocked_out:
            raise SeriesKnockedOut(token)
        p = self._price()
        equity = self._settle(token, s, p, supply)
        if s.knocked_out:
            rk, flk = self._reserve_and_floor(self.pool_assets, self._liabilities(p))
            self._sync_floor(rk, flk)
            return KNOCK_OUT
        if equity == 0:
            raise NoRebalanceTrigger(0)
        x = s.exposure
        lev_before = leverage(x, p, equity)
        trigger = self._trigger(s, lev_before)
        if trigger == NONE:
            raise NoRebalanceTrigger(lev_before)

        x_new = exposure_for(s.target_leverage, equity, p)
        increase = x_new > x
        if increase and self.paused:
            raise EnforcedPause()
        cost = spread_cost(x_new - x if increase else x - x_new, p, s.spread)
        if cost >= equity:  # the spread would take all the equity: the series ends (`_knockOut`)
            s.equity = 0
            s.exposure = 0
            s.knocked_out = True
            self._ev.append(("KnockedOut", {"token": token, "price": p, "lostEquity": equity}))
            r, fl = self._reserve_and_floor(self.pool_assets, self._liabilities(p))
            self._sync_floor(r, fl)
            return KNOCK_OUT
        new_equity = equity - cost
        s.equity = new_equity & U112
        s.exposure = to_uint112(x_new)
        s.last_rebalance = self.now & U40

        pooled = self.pool_assets
        r, fl = self._reserve_and_floor(pooled, self._liabilities(p))
        if increase and r < to_int256(fl):
            raise ReserveBelowFloor(r, fl)
        self._ev.append(("Rebalanced", {
            "token": token, "trigger": trigger, "price": p,
            "leverageBefore": lev_before, "leverageAfter": leverage(x_new, p, new_equity),
            "exposureBefore": x, "exposureAfter": x_new,
            "navBefore": self._nav(s, equity, supply), "navAfter": self._nav(s, new_equity, supply),
            "cost": cost, "keeper": keeper,
        }))
        r = self._pay_keeper(keeper, token, pooled, r, fl)
        self._sync_floor(r, fl)
        return trigger

    def _pay_keeper(self, keeper: str, token: str, pooled: int, r: int, fl: int) -> int:
        """`ReservePool._payKeeper`: the reward within today's cap, only if the reserve stays >= floor."""
        reward = self.keeper_reward
        if reward == 0:
            return r
        day = self.now // DAY
        paid = self._reward_paid_today if self._reward_day == day else 0
        cap = self.keeper_reward_daily_cap
        if paid >= cap:
            return r
        reward = min(reward, cap - paid)
        after = r - to_int256(reward * self._scale)
        if after < to_int256(fl):
            return r
        self._reward_day = day & U32
        self._reward_paid_today = paid + reward
        self.pool_assets = checked_sub(pooled, reward) & U128
        self.asset.transfer(self.address, keeper, reward)
        self._ev.append(("KeeperRewarded", {"keeper": keeper, "token": token, "assets": reward}))
        return after

    # =============================================================== reserve

    @_tx
    def fund_reserve(self, sender: str, assets: int) -> None:
        """`fundReserve(assets)` sent by `sender`: capital without shares."""
        if _uint(assets) == 0:
            raise ZeroAmount()
        pooled = checked_add(self.pool_assets, assets)
        self.pool_assets = to_uint128(pooled)
        self.asset.transfer_from(self.address, sender, self.address, assets)
        self._ev.append(("ReserveFunded", {"funder": sender, "assets": assets}))
        r, fl = self._reserve_and_floor(pooled, self._liabilities(self._view_price()))
        self._sync_floor(r, fl)

    @_tx
    def report_health(self, sender: str) -> None:
        """`reportHealth()` sent by `sender`."""
        if not self._health_due():
            next_at = self.last_health_report + self.health_interval
            if next_at > U40:  # uint40 + uint32 is checked uint40 arithmetic
                raise Panic(PANIC_OVERFLOW)
            raise HealthReportTooSoon(next_at)
        self._report_health(self._price())

    def _report_health(self, p: int) -> None:
        """`ReservePool._reportHealth`."""
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

    # =============================================================== Chainlink Automation

    def check_upkeep(self) -> tuple[bool, int, bool]:
        """`checkUpkeep("")` as (upkeepNeeded, series bitmap, healthDue); (False, 0, False) when the oracle
        is unusable (performData is then empty)."""
        status, p = self._try_price()
        if status != 0:
            return False, 0, False
        bitmap = 0
        total = None
        for i, s in enumerate(self._book):
            if self._status(s, p, self._equity_now(s, p), total) != NONE:
                bitmap |= 1 << i
        health_due = self._health_due()
        return bitmap != 0 or health_due, bitmap, health_due

    @_tx
    def perform_upkeep(self, sender: str, bitmap: int, health_due: bool) -> None:
        """`performUpkeep(abi.encode(bitmap, healthDue))` sent by `sender`: each flagged series is rebalanced
        in an isolated call (`upkeepRebalance`); a failure is rolled back and emits `UpkeepFailed(token,
        reason)` with the `ContractError` as reason."""
        _uint(bitmap)
        ev = self._ev
        done = 0
        book = self._book
        n = len(book)
        i = 0
        while i < n and bitmap >> i != 0:
            if bitmap >> i & 1:
                s = book[i]
                token = s.token
                saved = self._save()
                mark = len(ev)
                try:
                    self._rebalance(token, s, sender, s.ledger.total_supply)
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
            self._price()
            raise NoUpkeepNeeded()

    # =============================================================== ERC-4626 (LP shares)

    def total_assets(self) -> int:
        """`totalAssets()`: max(0, R) in asset units, rounded down."""
        r = self._reserve_at(self._view_price())
        return 0 if r <= 0 else r // self._scale

    def _convert_to_shares(self, assets: int, ceil: bool) -> int:
        return mul_div(assets, self.lp.total_supply + VIRTUAL_SHARES, self.total_assets() + 1, ceil)

    def _convert_to_assets(self, shares: int, ceil: bool) -> int:
        return mul_div(shares, self.total_assets() + 1, self.lp.total_supply + VIRTUAL_SHARES, ceil)

    def convert_to_shares(self, assets: int) -> int:
        return self._convert_to_shares(assets, False)

    def convert_to_assets(self, shares: int) -> int:
        return self._convert_to_assets(shares, False)

    def preview_deposit(self, assets: int) -> int:
        return self._convert_to_shares(assets, False)

    def preview_mint(self, shares: int) -> int:
        return self._convert_to_assets(shares, True)

    def preview_withdraw(self, assets: int) -> int:
        return self._convert_to_shares(assets, True)

    def preview_redeem(self, shares: int) -> int:
        return self._convert_to_assets(shares, False)

    def max_deposit(self, receiver: str = ZERO_ADDRESS) -> int:
        """2**256 - 1 while the oracle is usable and R >= 0, else 0."""
        return UINT256_MAX if self._deposits_open() else 0

    def max_mint(self, receiver: str = ZERO_ADDRESS) -> int:
        return UINT256_MAX if self._deposits_open() else 0

    def max_withdraw(self, owner: str) -> int:
        """min(owner's assets rounded down, withdrawable above the floor)."""
        return min(self._convert_to_assets(self.lp.balance_of(owner), False), self._withdrawable())

    def max_redeem(self, owner: str) -> int:
        return min(self.lp.balance_of(owner), self._convert_to_shares(self._withdrawable(), False))

    @_tx
    def deposit(self, sender: str, assets: int, receiver: str) -> int:
        """`deposit(assets, receiver)` sent by `sender`: returns the shares."""
        self._price()
        max_assets = self.max_deposit(receiver)
        if _uint(assets) > max_assets:
            raise ERC4626ExceededMaxDeposit(receiver, assets, max_assets)
        shares = self.preview_deposit(assets)
        self._deposit(sender, receiver, assets, shares)
        return shares

    @_tx
    def mint_shares(self, sender: str, shares: int, receiver: str) -> int:
        """ERC-4626 `mint(shares, receiver)` sent by `sender`: returns the assets paid."""
        self._price()
        max_shares = self.max_mint(receiver)
        if _uint(shares) > max_shares:
            raise ERC4626ExceededMaxMint(receiver, shares, max_shares)
        assets = self.preview_mint(shares)
        self._deposit(sender, receiver, assets, shares)
        return assets

    @_tx
    def withdraw(self, sender: str, assets: int, receiver: str, owner: str) -> int:
        """`withdraw(assets, receiver, owner)` sent by `sender`: returns the shares burned."""
        self._price()
        max_assets = self.max_withdraw(owner)
        if _uint(assets) > max_assets:
            raise ERC4626ExceededMaxWithdraw(owner, assets, max_assets)
        shares = self.preview_withdraw(assets)
        self._withdraw(sender, receiver, owner, assets, shares)
        return shares

    @_tx
    def redeem_shares(self, sender: str, shares: int, receiver: str, owner: str) -> int:
        """ERC-4626 `redeem(shares, receiver, owner)` sent by `sender`: returns the assets paid."""
        self._price()
        max_shares = self.max_redeem(owner)
        if _uint(shares) > max_shares:
            raise ERC4626ExceededMaxRedeem(owner, shares, max_shares)
        assets = self.preview_redeem(shares)
        self._withdraw(sender, receiver, owner, assets, shares)
        return assets

    def _deposit(self, caller: str, receiver: str, assets: int, shares: int) -> None:
        """`ReservePool._deposit` -> `ERC4626._deposit`."""
        if assets == 0 or shares == 0:
            raise ZeroAmount()
        pooled = checked_add(self.pool_assets, assets)
        self.pool_assets = to_uint128(pooled)
        self.asset.transfer_from(self.address, caller, self.address, assets)
        self.lp.mint(receiver, shares)
        self._ev.append(("Deposit", {"sender": caller, "owner": receiver, "assets": assets, "shares": shares}))
        r, fl = self._reserve_and_floor(pooled, self._liabilities(self._view_price()))
        self._sync_floor(r, fl)

    def _withdraw(self, caller: str, receiver: str, owner: str, assets: int, shares: int) -> None:
        """`ReservePool._withdraw` -> `ERC4626._withdraw`."""
        if assets == 0 or shares == 0:
            raise ZeroAmount()
        pooled = checked_sub(self.pool_assets, assets)
        self.pool_assets = pooled
        if caller != owner:
            self.lp.spend_allowance(owner, caller, shares)
        self.lp.burn(owner, shares)
        self.asset.transfer(self.address, receiver, assets)
        self._ev.append(("Withdraw", {"sender": caller, "receiver": receiver, "owner": owner, "assets": assets,
                                      "shares": shares}))
        r, fl = self._reserve_and_floor(pooled, self._liabilities(self._view_price()))
        self._sync_floor(r, fl)

    @_tx
    def lp_transfer(self, sender: str, to: str, amount: int) -> None:
        """LP share `transfer(to, amount)` sent by `sender`."""
        self.lp.transfer(sender, to, _uint(amount))

    @_tx
    def lp_approve(self, sender: str, spender: str, amount: int) -> None:
        """LP share `approve(spender, amount)` sent by `sender`."""
        self.lp.approve(sender, spender, _uint(amount))

    @_tx
    def lp_transfer_from(self, sender: str, from_: str, to: str, amount: int) -> None:
        """LP share `transferFrom(from_, to, amount)` sent by `sender`."""
        self.lp.transfer_from(sender, from_, to, _uint(amount))

    def lp_balance_of(self, account: str) -> int:
        return self.lp.balance_of(account)

    def lp_total_supply(self) -> int:
        return self.lp.total_supply

    def lp_allowance(self, owner: str, spender: str) -> int:
        return self.lp.allowance(owner, spender)

    # =============================================================== views

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
        return self._equity_now(self._series_of(token), self._view_price())

    def exposure_of(self, token: str) -> int:
        """`exposureOf(token)`: 0 once the equity is 0."""
        s = self._series_of(token)
        return 0 if self._equity_now(s, self._view_price()) == 0 else s.exposure

    def nav_of(self, token: str) -> int:
        """`navOf(token)`."""
        s = self._series_of(token)
        return self._nav(s, self._equity_now(s, self._view_price()), s.ledger.total_supply)

    def leverage_of(self, token: str) -> int:
        """`leverageOf(token)`."""
        s = self._series_of(token)
        p = self._view_price()
        equity = self._equity_now(s, p)
        return leverage(s.exposure, s.mark_price if p == 0 else p, equity)

    def rebalance_status_of(self, token: str) -> int:
        """`rebalanceStatusOf(token)`: the trigger a rebalance would fire now (0 if it would revert)."""
        s = self._series_of(token)
        status, p = self._try_price()
        if status != 0:
            return NONE
        return self._status(s, p, self._equity_now(s, p))

    def series_params(self, token: str) -> SeriesParams:
        """`seriesParams(token)`."""
        return self._series_of(token).params()

    def series_state(self, token: str) -> SeriesState:
        """`seriesState(token)`."""
        return self._series_of(token).state()

    def target_leverage_of(self, token: str) -> int:
        """`LeveragedToken.targetLeverage()`."""
        return self._series_of(token).target_leverage

    def health_due(self) -> bool:
        """Whether `reportHealth` would be accepted now."""
        return self._health_due()

    # =============================================================== PoolLens

    def lens(self, accounts: Sequence[str]) -> tuple[list[int], int]:
        """`PoolLens.snapshot(pool, accounts)`: (values, failed), signed values as two's complement."""
        try:
            return self._lens_fast(accounts)
        except ContractError:
            return self._lens_slow(accounts)

    def _lens_fast(self, accounts: Sequence[str]) -> tuple[list[int], int]:
        book = self._book
        status, p = self._try_price()
        ok = status == 0
        vp = p if ok else 0
        equity_now = self._equity_now
        equities = [equity_now(s, vp) for s in book]
        total = sum(equities)
        if total > UINT256_MAX:
            raise Panic(PANIC_OVERFLOW)
        scale = self._scale
        pooled = self.pool_assets
        r = to_int256(pooled * scale) - to_int256(total)
        fl = self._floor_of(total)
        net = 0
        for s, e in zip(book, equities):
            if e:
                net += s.exposure if s.is_long else -s.exposure
        mark = vp or self.mark_price()
        total_assets = r // scale if r > 0 else 0
        lp = self.lp
        lp_supply = lp.total_supply
        if ok:
            statuses = [self._status(s, p, e, total) for s, e in zip(book, equities)]
            bitmap = 0
            for i, st in enumerate(statuses):
                if st:
                    bitmap |= 1 << i
            health_due = self._health_due()
            needed = bitmap != 0 or health_due
            max_deposit = UINT256_MAX if r >= 0 else 0
            room = r - to_int256(fl)
            withdrawable = room // scale if room > 0 else 0
        else:
            statuses = [NONE] * len(book)
            bitmap = 0
            health_due = needed = False
            max_deposit = 0
            withdrawable = 0
        asset_balances = self.asset.balances
        values = [
            pooled, r % TWO_256, total, net % TWO_256, fl, mark, total_assets, lp_supply,
            int(self.floor_breached), self.last_health_report, asset_balances.get(self.address, 0),
            int(needed), bitmap, int(health_due), max_deposit, self.now,
        ]
        virtual_supply = lp_supply + VIRTUAL_SHARES
        virtual_assets = total_assets + 1
        redeem_cap = mul_div(withdrawable, virtual_supply, virtual_assets)
        lp_balances = lp.balances
        append = values.append
        for a in accounts:
            shares = lp_balances.get(a, 0)
            owned = mul_div(shares, virtual_assets, virtual_supply)
            append(asset_balances.get(a, 0))
            append(shares)
            append(min(withdrawable, owned))
            append(min(redeem_cap, shares))
        for s, e, st in zip(book, equities, statuses):
            ledger = s.ledger
            supply = ledger.total_supply
            x = s.exposure
            values += (
                supply, e, x if e else 0,
                s.initial_nav if supply == 0 else mul_div(e, WAD, supply),
                leverage(x, vp or s.mark_price, e), st,
                s.equity, x, s.mark_price, s.settled_at, s.last_rebalance, int(s.knocked_out), int(s.is_long),
            )
            balances = ledger.balances
            values += [balances.get(a, 0) for a in accounts]
        return values, 0

    def _lens_slow(self, accounts: Sequence[str]) -> tuple[list[int], int]:
        """The lens view by view, each failure recorded in `failed` (as the contract's staticcalls)."""
        values: list[int] = []
        failed = 0
        call = 0

        def read(fn: Callable[[], int], width: int = 1) -> None:
            nonlocal failed, call
            try:
                v = fn()
            except ContractError:
                failed |= (1 << call) & UINT256_MAX
                values.extend([0] * width)
            else:
                if width == 1:
                    values.append(int(v) % TWO_256)
                else:
                    values.extend(v)  # type: ignore[arg-type]
            call += 1

        read(lambda: self.pool_assets)
        read(self.reserve)
        read(self.liabilities)
        read(self.net_exposure)
        read(self.floor)
        read(self.mark_price)
        read(self.total_assets)
        read(lambda: self.lp.total_supply)
        read(lambda: int(self.floor_breached))
        read(lambda: self.last_health_report)
        read(lambda: self.asset.balance_of(self.address))
        read(lambda: [int(v) for v in self.check_upkeep()], 3)  # type: ignore[arg-type,return-value]
        read(lambda: self.max_deposit(accounts[0] if accounts else ZERO_ADDRESS))
        values.append(self.now)
        for a in accounts:
            read(lambda a=a: self.asset.balance_of(a))  # type: ignore[misc]
            read(lambda a=a: self.lp.balance_of(a))  # type: ignore[misc]
            read(lambda a=a: self.max_withdraw(a))  # type: ignore[misc]
            read(lambda a=a: self.max_redeem(a))  # type: ignore[misc]
        for s in self._book:
            t = s.token
            read(lambda: s.ledger.total_supply)  # noqa: B023
            read(lambda: self.equity_of(t))  # noqa: B023
            read(lambda: self.exposure_of(t))  # noqa: B023
            read(lambda: self.nav_of(t))  # noqa: B023
            read(lambda: self.leverage_of(t))  # noqa: B023
            read(lambda: self.rebalance_status_of(t))  # noqa: B023
            st = s.state()
            state = [st.equity, st.exposure, st.markPrice, st.settledAt, st.lastRebalance, int(st.knockedOut),
                     int(st.isLong)]
            read(lambda state=state: state, 7)  # type: ignore[misc]
            for a in accounts:
                read(lambda a=a: s.ledger.balance_of(a))  # type: ignore[misc]  # noqa: B023
        return values, failed
