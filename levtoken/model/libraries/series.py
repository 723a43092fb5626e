"""`libraries/Series.sol`: one leveraged series as its storage struct (`State`) and everything that happens
to it (SPEC section 3): valuation, settlement, knock-out, the share of a mint or a redeem, and the rebalance
plan that a rebalance, its status view and the keepers' checks all share. Pool-wide concerns (liabilities,
floor, pause, asset transfers) stay with the pool, which calls these functions on its book.

Each function takes the state first, like the Solidity library on a storage struct; `now` is
block.timestamp and `ev` the running transaction's event list (a library's `emit` is the pool's log).
The state stores what the contract stores, truncations included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import PANIC_OVERFLOW, InvalidLeverageBand, Panic, ParameterOutOfBounds
from ..evm import Event
from ..interfaces import DRIFT, FALLBACK, KNOCK_OUT, NONE, SeriesParams, SeriesState
from ..oz.erc20 import ZERO_ADDRESS, Ledger
from ..oz.safe_cast import to_uint112, to_uint128
from ..solidity import U32, U40, U112, bytes32, checked_add, checked_sub
from . import liabilities as agg
from .rebalance_policy import drifted, fallback_due
from .series_math import (
    WAD,
    equity_at,
    exposure_for,
    leverage,
    notional,
    scale_exposure,
    spread_cost,
    streaming_fee,
    tokens_for_mint,
)
from .series_math import exposure_after_mint as series_exposure_after_mint
from .series_math import nav as nav_at

MAX_LEVERAGE = 10 * WAD  # highest allowed max leverage (10x)
MAX_TRADE_FEE = WAD // 100  # highest mint or redeem fee (1%)
MAX_SPREAD = WAD // 100  # highest rebalance spread (1%)
MAX_STREAMING_FEE = WAD // 10  # highest streaming fee (10% a year)
MIN_FALLBACK = 3_600  # fallback interval bounds (0 disables the trigger)
MAX_FALLBACK = 7 * 86_400
MIN_INITIAL_NAV = 10**15  # initial NAV per token bounds (WAD)
MAX_INITIAL_NAV = 10**24
LOCKED_SUPPLY = 10**9  # tokens a first mint locks forever (SPEC "Minimum sizes")
MIN_BALANCE = 10**9  # smallest balance a redeem may leave its holder (0 is always allowed)
REFUNDED = (1 << 256) - 1  # `Series.REFUNDED`: what a batch returns for a refunded order
REFUNDED_CAPACITY = (1 << 256) - 2  # `Series.REFUNDED_CAPACITY`: a mint refunded for the floor or the cap
LOCK_ADDRESS = "0x000000000000000000000000000000000000dEaD"  # holder of the locked supply


@dataclass(slots=True, eq=False, kw_only=True)
class State:
    """`Series.State`, slot by slot (widths noted), plus `ledger`: not a storage field but the model's
    handle on the series token (`IERC20(token)`), whose ERC-20 ledger the pool reads for the supply."""

    # slot 0
    equity: int = 0  # E0, uint112 WAD
    exposure: int = 0  # x, uint112 WAD units of the underlying
    settled_at: int = 0  # uint32
    # slot 1
    mark_price: int = 0  # P0, uint128 WAD
    streaming_fee: int = 0  # uint64 WAD per 365 days
    last_rebalance: int = 0  # uint40
    is_long: bool = False
    knocked_out: bool = False
    # slot 2: what every rebalance reads
    target_leverage: int = 0  # uint64 each
    min_leverage: int = 0
    max_leverage: int = 0
    spread: int = 0
    # slot 3: trade fees and the time triggers
    mint_fee: int = 0  # uint64 each
    redeem_fee: int = 0
    fallback_interval: int = 0  # uint32
    schedule_offset: int = 0  # uint24, reserved (Scheduled trigger): never written
    scheduled: bool = False  # reserved: never written
    # slot 4
    token: str = ZERO_ADDRESS
    initial_nav: int = 0  # uint96 WAD
    # slot 5
    target_commitment: bytes = bytes(32)  # reserved (hidden target): never written
    ledger: Ledger
    book: Any = None  # the token's order book (`base.series_orders.OrderBook`), set by `create_series`

    def save(self) -> tuple[Any, ...]:
        """The fields a transaction can change and the token ledger, for `load` after a revert."""
        return (self.equity, self.exposure, self.settled_at, self.mark_price, self.last_rebalance,
                self.knocked_out, self.target_leverage, self.min_leverage, self.max_leverage,
                self.fallback_interval, self.mint_fee, self.redeem_fee, self.streaming_fee, self.spread,
                self.ledger.save(), self.book.save() if self.book is not None else None)

    def load(self, saved: tuple[Any, ...]) -> None:
        """Restores the fields from `save`."""
        (self.equity, self.exposure, self.settled_at, self.mark_price, self.last_rebalance,
         self.knocked_out, self.target_leverage, self.min_leverage, self.max_leverage,
         self.fallback_interval, self.mint_fee, self.redeem_fee, self.streaming_fee, self.spread,
         ledger, book) = saved
        self.ledger.load(ledger)
        if book is not None:
            self.book.load(book)


# `Series.Plan`: what a rebalance at one price would do, as a plain tuple (no object per call):
# (trigger, leverageBefore, exposureBefore, exposureAfter, cost, notional). `trigger` is NONE when no trigger
# holds (exposureAfter, cost and notional are then 0) and KNOCK_OUT when the spread cost would take all the
# equity; notional = |exposureAfter - exposureBefore|·p rounded down.
Plan = tuple[int, int, int, int, int, int]


# ----------------------------------------------------------------------------- valuation and settlement


def equity_now(s: State, p: int, now: int) -> int:
    """`Series.equityNow`: equity at `p` net of the streaming fee accrued since the last settlement; `p` = 0
    (oracle unusable, views only) values the series at its own last settled mark price."""
    p0 = s.mark_price
    equity = equity_at(s.equity, s.exposure, p0, p or p0, s.is_long)
    elapsed = now - s.settled_at
    if elapsed < 0:  # block.timestamp - settledAt is checked
        raise Panic(PANIC_OVERFLOW)
    rate = s.streaming_fee
    return equity - streaming_fee(equity, rate, elapsed) if rate else equity


def equity_wad2(s: State, p: int) -> int:
    """`Series.equityWad2`: equity at `p` in WAD², exact and before the accrued fee (0 at or past the
    knock-out price); `p` = 0 values the series at its own mark price."""
    p0 = s.mark_price
    return agg.equity_wad2(s.equity, s.exposure, p0, p or p0, s.is_long)


def terms(s: State) -> tuple[int, int]:
    """`Series.terms`: the series' offset c = E0·WAD − s·x·P0 and signed exposure s·x."""
    x = s.exposure
    return agg.offset_of(s.equity, x, s.mark_price, s.is_long), (x if s.is_long else -x)


def settle(s: State, token: str, p: int, supply: int, now: int, ev: list[Event]) -> int:
    """`Series.settle`: accrues the fee, marks equity and price, and knocks the series out if it has
    holders (`supply` > 0) and no equity left. Returns the settled equity (0 once knocked out)."""
    if s.knocked_out:
        return 0
    equity = equity_now(s, p, now)
    if equity == 0 and supply != 0:
        ev.append(("KnockedOut", {"token": token, "price": p, "lostEquity": s.equity}))
        s.equity = 0
        s.exposure = 0
        s.knocked_out = True
    else:
        s.equity = to_uint112(equity)  # a gain past uint112 reverts instead of vanishing
    s.mark_price = to_uint128(p)
    s.settled_at = now & U32
    return equity


def knock_out(s: State, token: str, p: int, equity: int, ev: list[Event]) -> None:
    """`Series.knockOut`: ends the series when a rebalance's spread cost would take all of its `equity`."""
    s.equity = 0
    s.exposure = 0
    s.knocked_out = True
    ev.append(("KnockedOut", {"token": token, "price": p, "lostEquity": equity}))


def nav(s: State, equity: int, supply: int) -> int:
    """`Series.nav`: NAV per token (`initialNav` for an empty series)."""
    return nav_at(equity, supply, s.initial_nav if supply == 0 else 0)


# ----------------------------------------------------------------------------- mint and redeem


def tokens_for(s: State, net: int, equity: int, supply: int) -> int:
    """`Series.tokensFor`: tokens `net` (WAD, after the fee) buys at the NAV of the settled series, rounded
    down (`initialNav` for an empty series); every order of a batch is priced at the same NAV."""
    return tokens_for_mint(net, supply, equity, s.initial_nav if supply == 0 else 0)


def exposure_after_mint(s: State, p: int, equity: int, supply: int, net: int) -> int:
    """`Series.exposureAfterMint`: `series_math.exposure_after_mint` on the series' exposure and band."""
    return series_exposure_after_mint(s.exposure, p, equity, supply, net, s.target_leverage, s.min_leverage,
                                      s.max_leverage)


def mint(s: State, p: int, equity: int, supply: int, net: int, now: int) -> None:
    """`Series.mint`: adds a batch's `net` (WAD) to the settled series at `exposure_after_mint`; a first mint
    counts as a rebalance for the fallback."""
    s.exposure = to_uint112(exposure_after_mint(s, p, equity, supply, net))
    if supply == 0:
        s.last_rebalance = now & U40
    s.equity = to_uint112(checked_add(equity, net))


def redeem(s: State, equity: int, gross: int) -> None:
    """`Series.redeem`: takes `gross` out of the settled series; exposure shrinks pro rata, rounded down."""
    new_equity = checked_sub(equity, gross)
    s.exposure = to_uint112(scale_exposure(s.exposure, new_equity, equity))
    s.equity = new_equity & U112


# ----------------------------------------------------------------------------- rebalance


def trigger_at(s: State, lev: int, now: int) -> int:
    """`Series.triggerAt`: the trigger that holds at leverage `lev`, Drift first, then Fallback."""
    if drifted(lev, s.min_leverage, s.max_leverage):
        return DRIFT
    if fallback_due(s.fallback_interval, s.last_rebalance, now):
        return FALLBACK
    return NONE


def plan(s: State, p: int, equity: int, now: int) -> Plan:
    """`Series.plan`: what a rebalance of the series, settled at `p` with `equity` > 0, would do."""
    x = s.exposure
    lev = leverage(x, p, equity)
    trigger = trigger_at(s, lev, now)
    if trigger == NONE:
        return NONE, lev, x, 0, 0, 0
    x_new = exposure_for(s.target_leverage, equity, p)
    traded = x_new - x if x_new > x else x - x_new
    cost = spread_cost(traded, p, s.spread)
    return (KNOCK_OUT if cost >= equity else trigger), lev, x, x_new, cost, notional(traded, p)


def rebalance(s: State, pl: Plan, equity: int, now: int) -> int:
    """`Series.rebalance`: applies a plan whose trigger fired; returns the equity after the cost."""
    new_equity = equity - pl[4]
    s.equity = new_equity & U112
    s.exposure = to_uint112(pl[3])
    s.last_rebalance = now & U40
    return new_equity


# ----------------------------------------------------------------------------- parameters


def validate_new(initial_nav: int, p: SeriesParams) -> None:
    """`Series.validateNew`: `initialNav` and the parameters within bounds."""
    check_bounds("initialNav", initial_nav, MIN_INITIAL_NAV, MAX_INITIAL_NAV)
    validate(p)


def initialize(s: State, token: str, is_long: bool, initial_nav: int, p: SeriesParams, now: int) -> None:
    """`Series.initialize`: the series in an empty slot, with parameters `validate_new` accepted."""
    s.token = token
    s.is_long = is_long
    s.initial_nav = initial_nav
    s.settled_at = now & U32
    s.last_rebalance = now & U40
    store(s, p)


def validate(p: SeriesParams) -> None:
    """`Series.validate`: 1x < min < target < max <= 10x (or min = 0), fallback 0 or 1 h..7 d, fees and
    spread within their caps."""
    min_l, target, max_l = p.minLeverage, p.targetLeverage, p.maxLeverage
    band_ok = (target > WAD and target < max_l and max_l <= MAX_LEVERAGE
               and (min_l == 0 or (min_l > WAD and min_l < target)))
    if not band_ok:
        raise InvalidLeverageBand(min_l, target, max_l)
    if p.fallbackInterval != 0:
        check_bounds("fallbackInterval", p.fallbackInterval, MIN_FALLBACK, MAX_FALLBACK)
    check_bounds("mintFee", p.mintFee, 0, MAX_TRADE_FEE)
    check_bounds("redeemFee", p.redeemFee, 0, MAX_TRADE_FEE)
    check_bounds("streamingFee", p.streamingFee, 0, MAX_STREAMING_FEE)
    check_bounds("spread", p.spread, 0, MAX_SPREAD)


def check_bounds(name: str, value: int, lo: int, hi: int) -> None:
    """`Series.checkBounds`: `ParameterOutOfBounds(bytes32(name), value, lo, hi)` unless lo <= value <= hi."""
    if value < lo or value > hi:
        raise ParameterOutOfBounds(bytes32(name), value, lo, hi)


def store(s: State, p: SeriesParams) -> None:
    """`Series.store`: validated parameters."""
    (s.target_leverage, s.min_leverage, s.max_leverage, s.fallback_interval,
     s.mint_fee, s.redeem_fee, s.streaming_fee, s.spread) = p


def params(s: State) -> SeriesParams:
    """`Series.params`."""
    return SeriesParams(s.target_leverage, s.min_leverage, s.max_leverage, s.fallback_interval,
                        s.mint_fee, s.redeem_fee, s.streaming_fee, s.spread)


def state(s: State) -> SeriesState:
    """`Series.state`: the settled state."""
    return SeriesState(s.equity, s.exposure, s.mark_price, s.settled_at, s.last_rebalance,
                       s.initial_nav, s.is_long, s.knocked_out)
