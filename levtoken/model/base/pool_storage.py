"""`base/PoolStorage.sol`: every storage variable of the pool, and the model's journal of them (`_save`,
`_load`: what `evm.tx` restores when a transaction raises). The journal also covers the OpenZeppelin state
the pool inherits (owner, pending owner, pause flag, LP share ledger) and the settlement asset's ledger,
which the same transactions change."""

from __future__ import annotations

from typing import Any

from ..evm import Chain
from ..interfaces import LpAccount, LpQueues
from ..libraries import liabilities
from ..libraries.series import State
from ..oz.erc20 import Ledger
from .series_orders import Order, OrderParams


class PoolStorage(Chain):
    """The book of series and the three packed pool words (widths noted)."""

    MAX_SERIES = 8  # most series one pool backs (bounds the liabilities loop of every operation)

    # the book: `Series.State[MAX_SERIES] _book` holds len(_book) series (`_seriesCount`, uint8)
    _book: list[State]
    _position: dict[str, State]  # token -> its series (the contract keeps index + 1; 0 = not a series)
    _retired: dict[str, State]  # not storage: the retired series' tokens, whose ERC-20 ledgers live on
    # pool word 1: read by every operation
    pool_assets: int  # `_poolAssets`, uint128 asset units
    floor_ratio: int  # uint64 WAD
    max_price_age: int  # uint32 seconds
    # pool word 2
    health_interval: int  # uint32 seconds
    last_health_report: int  # uint40 timestamp (0 = never)
    floor_breached: bool
    keeper_reward: int  # uint80 asset units
    keeper_reward_daily_cap: int  # uint96 asset units
    # pool word 3: read by mints, rebalances and LP withdrawals
    _reward_day: int  # uint32
    _reward_paid_today: int  # uint80
    max_utilization: int  # uint80 WAD (the utilization cap u)
    min_trade_notional: int  # uint64 WAD value
    # transient (EIP-1153): cleared at the start of every transaction (`evm.tx`), journaled like storage
    _keeper_paid: bool
    # liabilities and net exposure of all series, kept incrementally (two words)
    _aggregates: liabilities.State
    _order_params: OrderParams  # what every series token holds a copy of; the LP orders' too
    # LP orders (`PoolLpOrders`): the queues' counters, the orders (executed ones are dropped: the contract's
    # mapping keeps them, unreachable outside [head, tail)), each controller's amounts, operators, refunds
    _lp_queues: LpQueues
    _lp_deposits: dict[int, Order]
    _lp_redeems: dict[int, Order]
    _lp_accounts: dict[str, LpAccount]
    _operators: dict[tuple[str, str], bool]  # (controller, operator) -> approved
    _refundable: dict[str, int]
    # inherited or foreign state the journal covers (see the module notes)
    owner: str
    pending_owner: str
    paused: bool
    lp: Ledger
    asset: Ledger

    def _init_storage(self, address: str) -> None:
        """Every variable at zero (the pool at `address` is its own LP share token)."""
        self._book = []
        self._position = {}
        self._retired = {}
        self.pool_assets = 0
        self.floor_ratio = 0
        self.max_price_age = 0
        self.health_interval = 0
        self.last_health_report = 0
        self.floor_breached = False
        self.keeper_reward = 0
        self.keeper_reward_daily_cap = 0
        self._reward_day = 0
        self._reward_paid_today = 0
        self.max_utilization = 0
        self.min_trade_notional = 0
        self._keeper_paid = False
        self._aggregates = liabilities.State()
        self._lp_queues = LpQueues()
        self._lp_deposits = {}
        self._lp_redeems = {}
        self._lp_accounts = {}
        self._operators = {}
        self._refundable = {}
        self.paused = False
        self.lp = Ledger(address)

    def _begin_transaction(self) -> None:
        self._keeper_paid = False

    def _save(self) -> tuple[Any, ...]:
        book = self._book
        return (
            self.pool_assets, self.floor_ratio, self.max_price_age, self.health_interval,
            self.last_health_report, self.floor_breached, self.keeper_reward, self.keeper_reward_daily_cap,
            self._reward_day, self._reward_paid_today, self.max_utilization, self.min_trade_notional,
            self._keeper_paid, self.paused, self.owner, self.pending_owner,
            list(book), [s.save() for s in book], self.asset.save(), self.lp.save(), self._aggregates.save(),
            [s.ledger.save() for s in self._retired.values()],  # a retired token's ERC-20 still transacts
            self._order_params, self._lp_queues, self._save_lp(),
        )

    def _save_lp(self) -> tuple[dict[Any, Any], ...] | None:
        """The LP orders' mappings (None while all are empty: the hot path of the fuzzers)."""
        maps = (self._lp_deposits, self._lp_redeems, self._lp_accounts, self._operators, self._refundable)
        return tuple(dict(d) for d in maps) if any(maps) else None

    def _load(self, saved: tuple[Any, ...]) -> None:
        (self.pool_assets, self.floor_ratio, self.max_price_age, self.health_interval,
         self.last_health_report, self.floor_breached, self.keeper_reward, self.keeper_reward_daily_cap,
         self._reward_day, self._reward_paid_today, self.max_utilization, self.min_trade_notional,
         self._keeper_paid, self.paused, self.owner, self.pending_owner,
         book, series, asset, lp, aggregates, retired, self._order_params, self._lp_queues, lp_maps) = saved
        self._book[:] = book  # creation appends, retirement moves and removes: the list itself is restored
        self._position.clear()
        for s, state in zip(book, series):
            s.load(state)
            self._position[s.token] = s
        for s, ledger in zip(self._retired.values(), retired):
            s.ledger.load(ledger)
        self.asset.load(asset)
        self.lp.load(lp)
        self._aggregates.load(aggregates)
        maps = (self._lp_deposits, self._lp_redeems, self._lp_accounts, self._operators, self._refundable)
        if lp_maps is None and not any(maps):
            return
        for d, old in zip(maps, lp_maps or ({},) * 5):
            d.clear()
            d.update(old)
