"""`PoolModel`: one `ReservePool` with its `LeveragedToken`s, its settlement asset (`MockERC20`) and its
price feed (`MockV3Aggregator`), as plain Python state, operation by operation.

Like `contracts/ReservePool.sol`, this module holds only the pool's entry points (the rebalance and its
status; `executeOrders` is the orders module's, `pool_orders`; the LP orders are the LP module's,
`pool_lp_orders`, with `base/lp_claims` and `base/lp_orders_base`) and the one rebalance decision (`_decide`) that a rebalance and its status
view share; the rest lives where it lives in the contracts: the owner's functions in `pool_admin` (the
admin module), `base/` (storage, oracle, reserve book, parameters, views, LP vault, automation),
`libraries/` (`Series`, `SeriesMath`, `Liabilities`, `PoolBounds`, `OraclePrice`, `RebalancePolicy`),
`leveraged_token`, `periphery/pool_lens`, `mocks/`, and the OpenZeppelin code in `oz/`.

Each state-changing method mirrors one transaction: same checks in the same order, same errors, same
rounding, same storage truncations. A method that raises a `ContractError` leaves the model exactly as it
was (a journal of the small mutable state is restored), and a successful one sets `events` to the events
the transaction emitted, in order, as `(EventName, {field: value})` (ERC-20 Transfer/Approval excepted).

Addresses are strings, compared as given: spell each account one way (e.g. checksummed) throughout.
Amounts outside their ABI type raise `ValueError` (the chain's ABI encoder would refuse them).
`now` is block.timestamp for the next transaction and for every view.
"""

from __future__ import annotations

from .base.pool_automation import PoolAutomation
from .base.pool_views import PoolViews
from .base.reserve_vault import ReserveVault
from .errors import (
    LpOrdersDue,
    NoRebalanceTrigger,
    RebalanceTooSmall,
    ReserveBelowFloor,
    SafeCastOverflowedUintDowncast,
    SeriesKnockedOut,
    SeriesOrdersDue,
    SlippageExceeded,
    ZeroAddress,
    ZeroAmount,
)
from .evm import Event
from .interfaces import KNOCK_OUT, NONE
from .leveraged_token import LeveragedTokenCalls
from .libraries import series as Series
from .libraries.series import Plan, State, equity_now, equity_wad2, nav
from .libraries.series_math import WAD, claim_of, fee_of, leverage
from .mocks.mock_aggregator import MockAggregatorCalls, MockAggregatorModel
from .mocks.mock_erc20 import MockERC20Calls, MockERC20Model
from .oz.erc20 import ZERO_ADDRESS
from .oz.math import mul_div
from .oz.safe_cast import to_int256, to_uint128
from .periphery.pool_lens import PoolLens
from .pool_admin import PoolAdmin
from .pool_lp_orders import PoolLpOrders
from .pool_orders import PoolOrders
from .solidity import U112, U128, bytes32, checked_add, checked_mul, checked_sub

__all__ = ["Event", "PoolModel", "bytes32"]


# `ReservePool.Gate`: why a planned rebalance cannot go ahead (OPEN: it can), in the order in which
# `rebalance()` raises (plain ints, like the other enums on the hot path)
OPEN, NO_TRIGGER, PAUSED, TOO_SMALL, OVERFLOW, BELOW_FLOOR, OVER_CAP = 0, 1, 2, 3, 4, 5, 6


class PoolModel(ReserveVault, PoolViews, PoolAutomation, PoolAdmin, PoolOrders, PoolLpOrders,
                LeveragedTokenCalls, MockERC20Calls, MockAggregatorCalls, PoolLens):
    """`ReservePool` + its series tokens + settlement asset + price feed (see the module notes)."""

    def __init__(self, *, address: str, asset_address: str, oracle_address: str, owner: str,
                 asset_decimals: int, feed_decimals: int, now: int, initial_answer: int,
                 oracle_updated_at: int | None = None) -> None:
        """The pool's constructor: its bases' checks in the contract's order (`Ownable(owner)`, then
        `OracleReader`: `ZeroAddress`, `UnsupportedDecimals` for the feed, then `ReserveBook`:
        `UnsupportedDecimals` for the asset), with the defaults floorRatio 10%, maxPriceAge 1 h,
        healthInterval 1 h. The feed is deployed like `MockV3Aggregator(feed_decimals, initial_answer)` at
        `oracle_updated_at` (default `now`)."""
        self._init_ownable(owner)
        self._init_oracle_reader(oracle_address, feed_decimals)
        self._init_reserve_book(asset_decimals)
        self.now = now
        self.address = address
        self.asset_decimals = asset_decimals
        self.asset = MockERC20Model(asset_address, asset_decimals)
        self.oracle = MockAggregatorModel(oracle_address, feed_decimals, initial_answer,
                                          now if oracle_updated_at is None else oracle_updated_at)
        self._init_storage(address)
        self._init_parameters()
        self.events: list[Event] = []
        self._ev: list[Event] = []

    # =============================================================== series operations

    def _require_mints_open(self, token: str) -> None:
        """`requireMintsOpen(token)`: `SeriesKnockedOut`, then `EnforcedPause`."""
        if self._series_of(token).knocked_out:
            raise SeriesKnockedOut(token)
        self._require_not_paused()

    def require_mints_open(self, token: str) -> None:
        """The view `requireMintsOpen(token)`: raises what it reverts with."""
        self._require_mints_open(token)

    def rebalance_status_of(self, token: str) -> int:
        """`rebalanceStatusOf(token)`: the trigger a rebalance would fire now (0 if it would revert)."""
        s = self._series_of(token)
        ok, p = self._price_usable()
        return self._status(s, p, equity_now(s, p, self.now)) if ok else NONE

    # =============================================================== rebalance: one decision

    def _decide(self, s: State, p: int, equity: int, settled: bool, c0: int = 0,
                sx0: int = 0) -> tuple[Plan, int, int, int]:
        """`_decide`: the one decision of a rebalance of the series, settled at `p` with `equity` > 0: its
        plan and whether it may go ahead (`Gate`: a trade of at least the minimum notional; for an exposure
        increase: not paused, no overflow, reserve at or above the floor after the cost, net exposure within
        the utilization cap, `r` and `fl` then being that reserve and floor). `settled`:
        whether the series is settled in storage but not yet booked with its old terms (`c0`, `sx0`: a
        rebalance) or not settled (a status view, which settles it in thought)."""
        pl = Series.plan(s, p, equity, self.now)
        trigger, _, x, x_new, cost, notional = pl
        if trigger == NONE:
            return pl, NO_TRIGGER, 0, 0
        increase = x_new > x
        if increase and self.paused:
            return pl, PAUSED, 0, 0
        if trigger == KNOCK_OUT:
            return pl, OPEN, 0, 0
        if notional < self.min_trade_notional:
            return pl, TOO_SMALL, 0, 0
        if not increase:
            return pl, OPEN, 0, 0
        if x_new > U112:
            return pl, OVERFLOW, 0, 0
        # after the spread cost (and the settlement's fee), both moved from this series' equity to the reserve
        if settled:
            total = self._liabilities_wad2_pending(p, s, c0, sx0)
        else:  # settled at p: E0 = equity, P0 = p
            total = self._liabilities_wad2(p) - equity_wad2(s, p) + equity * WAD
        r, fl = self._reserve_and_floor(self.pool_assets, checked_sub(total // WAD, cost))
        if r < to_int256(fl):
            return pl, BELOW_FLOOR, r, fl
        net = self._net_exposure(p)
        return pl, (OVER_CAP if self._over_cap(net, self._net_after(s, net, pl), p, r) else OPEN), r, fl

    @staticmethod
    def _net_after(s: State, net: int, pl: Plan) -> int:
        """`_netAfter`: net exposure `net` once the plan's exposure increase of series `s` is booked."""
        delta = to_int256(pl[3] - pl[2])
        return net + (delta if s.is_long else -delta)

    def _status(self, s: State, p: int, equity: int) -> int:
        """`_status`, with `equity` = `equity_now(s, p)`: the trigger a rebalance at `p` would fire, `NONE` if
        it would revert."""
        at = self.oracle.updated_at
        if s.knocked_out or s.book.due_by(at) or self._lp_orders_first(at):
            return NONE
        if equity == 0:
            return NONE if s.ledger.total_supply == 0 else KNOCK_OUT
        pl, gate, _, _ = self._decide(s, p, equity, False)
        return pl[0] if gate == OPEN else NONE

    def _rebalance(self, token: str, s: State, keeper: str, supply: int) -> int:
        """`_rebalance` (`rebalanceFor` from the token, `upkeepRebalance` from `perform_upkeep`)."""
        if s.knocked_out:
            raise SeriesKnockedOut(token)
        p = self._price()
        if s.book.due_by(self.oracle.updated_at):  # orders due at an earlier round execute first
            raise SeriesOrdersDue(token)
        if self._lp_orders_first(self.oracle.updated_at):  # and LP orders due at an earlier round
            raise LpOrdersDue()
        c0, sx0 = Series.terms(s)
        equity = Series.settle(s, token, p, supply, self.now, self._ev)
        if s.knocked_out:
            self._commit(s, c0, sx0, p)
            self._sync_floor_at(self.pool_assets, p)
            return KNOCK_OUT
        if equity == 0:
            raise NoRebalanceTrigger(0)  # an empty series has nothing to rebalance
        pl, gate, r, fl = self._decide(s, p, equity, True, c0, sx0)
        trigger, lev_before, x, x_new, cost, notional = pl
        if gate == NO_TRIGGER:
            raise NoRebalanceTrigger(lev_before)
        if gate == PAUSED:
            self._require_not_paused()
        if trigger == KNOCK_OUT:
            Series.knock_out(s, token, p, equity, self._ev)
            self._commit(s, c0, sx0, p)
            self._sync_floor_at(self.pool_assets, p)
            return KNOCK_OUT
        if gate == TOO_SMALL:
            raise RebalanceTooSmall(notional, self.min_trade_notional)
        if gate == OVERFLOW:
            raise SafeCastOverflowedUintDowncast(112, x_new)
        if gate == BELOW_FLOOR:
            raise ReserveBelowFloor(r, fl)
        if gate == OVER_CAP:
            self._revert_over_cap(self._net_after(s, self._net_exposure(p), pl), p, r)

        new_equity = Series.rebalance(s, pl, equity, self.now)
        self._commit(s, c0, sx0, p)
        pooled = self.pool_assets
        if x_new <= x:  # an increase was priced by `_decide`
            r, fl = self._reserve_and_floor(pooled, self._liabilities(p))
        self._ev.append(("Rebalanced", {
            "token": token, "trigger": trigger, "price": p,
            "leverageBefore": lev_before, "leverageAfter": leverage(x_new, p, new_equity),
            "exposureBefore": x, "exposureAfter": x_new,
            "navBefore": nav(s, equity, supply), "navAfter": nav(s, new_equity, supply),
            "cost": cost, "keeper": keeper,
        }))
        self._sync_floor(self._pay_keeper(keeper, token, pooled, r, fl), fl)
        return trigger

    def _pay_keeper(self, keeper: str, token: str, pooled: int, r: int, fl: int) -> int:
        """`_payKeeper`: pays the reward due (`_take_keeper_reward`) out of `pooled`; returns the reserve
        after."""
        reward = self._take_keeper_reward(r, fl)
        if reward == 0:
            return r
        self.pool_assets = checked_sub(pooled, reward) & U128
        self.asset.transfer(self.address, keeper, reward)
        self._ev.append(("KeeperRewarded", {"keeper": keeper, "token": token, "assets": reward}))
        return r - to_int256(reward * self._scale)
