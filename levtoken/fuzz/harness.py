"""Runs fuzz programs on a chain backend and the model side by side, comparing after every step.

* every transaction: success on one side iff success on the other; the same custom error with the same
  arguments when both revert; the same return value where the backend gives it (in-process);
* every step: the whole state (the `PoolLens` snapshot of every view on Anvil; raw storage in-process,
  with the lens snapshot every `lens_every` steps and at the end of each program);
* every step: the protocol invariants (`levtoken.fuzz.invariants`).

With `backend=None` the model runs alone (model-only fuzzing: the same programs and invariants; no view
of the model may raise, checked every `lens_every` steps and at the end of each program).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from levtoken.backends.abi import calldata
from levtoken.fuzz import invariants
from levtoken.fuzz.lp_ops import LP_KINDS, lp_plan
from levtoken.fuzz.ops import (
    lp_order_round,
    order_round,
    MAX_ANSWER,
    MIN_ANSWER,
    WAD,
    WARPS,
    Kind,
    Op,
    amount,
    band_edge_answer,
    decode_program,
    floor_answer,
    new_answer,
)
from levtoken.fuzz.system import LP_SEED_DELAY, SEL, FuzzConfig, FuzzSystem, perform_data, seed_lp
from levtoken.lens import LensLayout
from levtoken.model import ContractError

log = logging.getLogger(__name__)


class Divergence(AssertionError):
    """The chain and the model disagree (or an invariant failed): the message says where."""


@dataclass
class Stats:
    steps: int = 0
    transactions: int = 0
    reverts: int = 0
    lens_reads: int = 0
    events_compared: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    succeeded: dict[str, int] = field(default_factory=dict)  # steps of each kind in which nothing reverted
    errors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Tx:
    label: str
    sender: str
    to: str
    data: bytes
    model: Callable[[], Any]


# The owner's settings the PAUSE op draws (0: a random value in bounds, one past a bound reverts on both sides)
_CAPS = (WAD // 10, WAD, 3 * WAD, 5 * WAD, 50 * WAD, 1_000 * WAD, 1_000 * WAD + 1, 0)
_NOTIONALS = (0, 1, WAD, 10 * WAD, 10 * WAD + 1, 0)


class Harness:
    """One deployed system (or none) and a model; `reset()` before each program, `run(program)`."""

    def __init__(self, backend=None, config: FuzzConfig | None = None, lens_every: int = 1,
                 compare_events: bool = False) -> None:
        self.backend = backend
        self.compare_events = compare_events
        self.config = config or FuzzConfig()
        self.lens_every = max(1, lens_every)
        self.stats = Stats()
        if backend is not None:
            self.system = FuzzSystem(backend, self.config)
            self.system.fund_actors()
            self.snapshot_id = backend.snapshot()
            self.storage = None
            evm = getattr(backend, "_evm", None)
            if evm is not None:
                from levtoken.fuzz.storage import StorageReader

                s = self.system
                self.storage = StorageReader(evm, s.pool, s.asset, s.oracle, s.tokens, s.lens_accounts)
            self._factory = self.system.new_model
            self.accounts = self.system.lens_accounts
            self.actors = self.system.actors
            self.owner = self.system.owner
            self.pool, self.asset, self.oracle, self.tokens = (self.system.pool, self.system.asset,
                                                               self.system.oracle, self.system.tokens)
        else:
            self.system = None
            self.storage = None
            self._factory, addresses = _model_only_factory(self.config)
            self.owner, self.actors, self.pool, self.asset, self.oracle, self.tokens = addresses
            self.accounts = [self.owner, *self.actors]
        self.unit = 10**self.config.asset_decimals
        self.layout = LensLayout(len(self.accounts), len(self.tokens))
        self.model = self._factory()
        self.donated = 0
        self._obs = None
        self.upkeep_rounds: list[int] = []
        self.orders_before: tuple = ({}, {})
        self.total_cash = sum(self.model.asset_balance_of(a) for a in self.accounts) + \
            self.model.asset_balance_of(self.pool)
        if backend is not None:
            self.compare_lens("after setup")

    # ------------------------------------------------------------------ program

    def reset(self) -> None:
        """Back to the state right after setup, on both sides."""
        if self.backend is not None:
            self.backend.revert_to(self.snapshot_id)
        self.model = self._factory()
        self.donated = 0
        self._obs = None

    def run(self, program: bytes, final_lens: bool = True) -> int:
        """Runs every operation of `program`; raises `Divergence` at the first disagreement. In-process,
        every view is compared every `lens_every` steps and after the last one (unless `final_lens` is
        False: the state machine compares at the end of each example instead)."""
        ops = decode_program(program, len(self.actors), len(self.tokens))
        for i, op in enumerate(ops):
            try:
                self.step(op)
                if self.backend is not None and (self.storage is None or self.stats.steps % self.lens_every == 0
                                                 or (final_lens and i == len(ops) - 1)):
                    self.compare_lens(op)
                elif self.backend is None and final_lens and i == len(ops) - 1:
                    self._model_views_hold(op)
            except Divergence as exc:
                trace = "\n    ".join(repr(o) for o in ops[max(0, i - 39): i + 1])
                raise Divergence(f"{exc}\n  after ops:\n    {trace}") from None
        return len(ops)

    def step(self, op: Op) -> None:
        before = self._obs or invariants.observe(self)
        status = self.model.rebalance_status_of(self.tokens[op.series]) if op.kind is Kind.REBALANCE else None
        if op.kind is Kind.EXECUTE:  # invariant 14 needs the request times of what executes
            book = self.model._token(self.tokens[op.series]).book
            self.orders_before = (dict(book.queues[0]), dict(book.queues[1]))
        elif op.kind is Kind.LP_EXECUTE:  # and so does invariant 16
            m = self.model
            self.orders_before = (dict(m._lp_deposits), dict(m._lp_redeems), m._lp_queues.redeemNext)
        outcomes = [self._transact(tx if isinstance(tx, Tx) else tx()) for tx in self._plan(op)]
        after = self._obs = invariants.observe(self)
        if self.storage is not None:
            self.compare_storage(op)
        elif self.backend is None and self.stats.steps % self.lens_every == 0:  # model-only: invariant 8
            self._model_views_hold(op)
        invariants.check(self, op, before, after, outcomes, status)
        st = self.stats
        st.steps += 1
        name = op.kind.name
        st.by_kind[name] = st.by_kind.get(name, 0) + 1
        if all(ok for _, ok, _ in outcomes):
            st.succeeded[name] = st.succeeded.get(name, 0) + 1

    def _model_views_hold(self, where: object) -> None:
        """Invariant 8 without a chain: no view of the model raises (the lens' failed bitmap is 0)."""
        if self.model.lens(self.accounts)[1]:
            raise Divergence(f"{where}: a view of the model raised (lens failed bitmap)")

    # ------------------------------------------------------------------ one transaction, both sides

    def _transact(self, tx: Tx) -> tuple[str, bool, Any]:
        st = self.stats
        st.transactions += 1
        try:
            ret = tx.model()
            model_ok, model_err = True, None
        except ContractError as exc:
            ret, model_ok, model_err = None, False, exc
        if self.backend is not None:
            if self.compare_events:
                result = self.backend.transact(tx.sender, tx.to, tx.data)
                ok, out = result.success, result.output
                if ok and model_ok:
                    self._compare_events(tx.label, result.logs)
            else:
                ok, out = self.backend.transact_fast(tx.sender, tx.to, tx.data)
            if ok != model_ok:
                chain_err = None if ok else self.system.codec.decode_error(out)
                raise Divergence(f"{tx.label}: chain {'succeeded' if ok else f'reverted {chain_err}'}, model "
                                 f"{'succeeded' if model_ok else f'raised {_err(model_err)}'}")
            if not ok and out != self._encode_error(model_err):
                chain_err = self.system.codec.decode_error(out)
                if chain_err != _err(model_err):
                    raise Divergence(f"{tx.label}: chain reverted {chain_err}, model raised {_err(model_err)}")
            elif isinstance(ret, int) and not isinstance(ret, bool) and len(out) == 32:
                if int.from_bytes(out, "big") != ret:
                    raise Divergence(f"{tx.label}: chain returned {int.from_bytes(out, 'big')}, model {ret}")
        if not model_ok:
            st.reverts += 1
            st.errors[model_err.name] = st.errors.get(model_err.name, 0) + 1
        return tx.label, model_ok, ret if model_ok else model_err

    def _compare_events(self, label: str, logs) -> None:
        """The protocol's events, in order, field by field (ERC-20 Transfer/Approval and the mock feed's
        events are not modelled)."""
        codec = self.system.codec
        chain = []
        for lg in logs:
            decoded = codec.decode_event(list(lg.topics), lg.data)
            if decoded is not None and decoded[0] not in _UNMODELLED_EVENTS:
                chain.append(decoded)
        model = [(name, {k: _event_value(codec, v) for k, v in fields.items()}) for name, fields in self.model.events]
        if chain != model:
            raise Divergence(f"{label}: events differ:\n  chain {chain}\n  model {model}")
        self.stats.events_compared += len(chain)

    def _encode_error(self, exc: ContractError) -> bytes | None:
        try:
            return self.system.codec.encode_error(exc.name, tuple(exc.args))
        except (KeyError, TypeError, ValueError):
            return None  # compared decoded instead

    # ------------------------------------------------------------------ state comparison

    def compare_lens(self, where: object) -> None:
        values, failed = self.system.read()
        model_values, model_failed = self.model.lens(self.accounts)
        self.stats.lens_reads += 1
        if failed:
            raise Divergence(f"{where}: a view reverted on chain (failed bitmap {failed:#x})")
        if values != model_values or failed != model_failed:
            raise Divergence(f"{where}: lens differs:\n  " + "\n  ".join(self.layout.diff(values, model_values)))

    def compare_storage(self, where: object) -> None:
        chain = self.storage.read()
        model = invariants.model_storage(self)
        if chain != model:
            lines = [f"{n}: chain {c} != model {m}" for n, c, m in zip(self.storage.names, chain, model) if c != m]
            raise Divergence(f"{where}: storage differs:\n  " + "\n  ".join(lines))

    # ------------------------------------------------------------------ operations -> transactions

    def _plan(self, op: Op) -> list[Tx | Callable[[], Tx]]:
        m = self.model
        actor = self.actors[op.actor]
        other = self.actors[op.other]
        token = self.tokens[op.series]
        r = op.r
        k = op.kind
        unit = self.unit
        if k is Kind.MINT:
            assets = amount(r, m.asset_balance_of(actor), unit)
            min_tokens = {7: 2**255, 6: 1}.get(op.aux % 8, 0)  # 1 in 8: a bound no mint can meet
            return [self._mint(actor, token, assets, min_tokens)]
        if k is Kind.REDEEM:
            tokens = amount(r, m.token_balance_of(token, actor), WAD)
            min_assets = 2**255 if op.aux % 16 == 0 else 0  # 1 in 16: a bound no redeem can meet
            return [self._redeem(actor, token, tokens, min_assets)]
        if k is Kind.MINT_REDEEM:
            assets = amount(r, m.asset_balance_of(actor), unit)
            before = m.token_balance_of(token, actor)
            mint = self._mint(actor, token, assets, 0)
            # the redeem amount is only known after the mint: planned when the redeem runs
            return [mint, lambda: self._redeem(actor, token, m.token_balance_of(token, actor) - before, 0)]
        if k is Kind.TRANSFER:
            n = amount(r, m.token_balance_of(token, actor), WAD)
            return [Tx("transfer", actor, token, calldata(SEL["transfer"], other, n),
                       lambda: m.token_transfer(actor, token, other, n))]
        if k is Kind.PRICE:
            special = op.aux % 16  # 1 in 4 price ops: a round the pool must skip, or a price on an edge
            if special == 0:  # a future-dated round: the pool must refuse it (FuturePrice) until it is due
                return [self._round(new_answer(r, m.latest_round_data()[1]), m.now + 1 + (r >> 20) % 3_600)]
            if special == 1:  # an incomplete round (updatedAt 0): IncompleteRound
                return [self._round(new_answer(r, m.latest_round_data()[1]), 0)]
            if special in (2, 3):  # exactly on a band edge of this series, or on the pool's floor
                edge = band_edge_answer(m, token, r) if special == 2 else floor_answer(m)
                if edge is not None:
                    return [self._price(min(MAX_ANSWER, max(MIN_ANSWER, edge + (r >> 30) % 3 - 1)))]
            answer = new_answer(r, m.latest_round_data()[1])
            return [self._price(answer)]
        if k is Kind.WARP:
            seconds = WARPS[r % len(WARPS)] if (r >> 4) & 1 else 1 + (r >> 5) % 86_400
            self._warp(seconds)
            if (r >> 30) & 3:  # usually the feed updates too (else the oracle goes stale)
                return [self._price(m.latest_round_data()[1])]
            return []
        if k is Kind.REBALANCE:
            return [Tx("rebalance", actor, token, SEL["rebalance"], lambda: m.rebalance(actor, token))]
        if k is Kind.UPKEEP:
            needed, bitmap, health_due, rounds, lp_round = m.check_upkeep_data()
            if not needed or (r & 7) == 0:  # a stale or made-up performData: everything re-validates
                bitmap, health_due = (r >> 3) & ((1 << len(self.tokens)) - 1), bool((r >> 8) & 1)
                rounds = [order_round(m, t, r >> 9) for t in self.tokens] if (r >> 9) & 1 else []
                lp_round = lp_order_round(m, r >> 10) if (r >> 10) & 1 else 0
            self.upkeep_rounds = rounds  # invariant 4 skips a series whose batch ran before its rebalance
            return [Tx("performUpkeep", actor, self.pool, perform_data(bitmap, health_due, rounds, lp_round),
                       lambda: m.perform_upkeep(actor, bitmap, health_due, rounds, lp_round))]
        if k in LP_KINDS:
            return lp_plan(self, op, actor, other)
        if k is Kind.FUND:
            assets = amount(r, m.asset_balance_of(actor), unit)
            return [Tx("fundReserve", actor, self.pool, calldata(SEL["fundReserve"], assets),
                       lambda: m.fund_reserve(actor, assets))]
        if k is Kind.HEALTH:
            return [Tx("reportHealth", actor, self.pool, SEL["reportHealth"], lambda: m.report_health(actor))]
        if k is Kind.PAUSE:  # the owner's levers: pause, the utilization cap, the minimum notional
            owner = self.owner
            lever = (r >> 5) & 7
            if lever == 1:
                cap = _CAPS[(r >> 8) % len(_CAPS)] or WAD // 10 + (r >> 12) % (1_000 * WAD)
                return [Tx("setMaxUtilization", owner, self.pool, calldata(SEL["setMaxUtilization"], cap),
                           lambda: m.set_max_utilization(owner, cap))]
            if lever == 2:
                notional = _NOTIONALS[(r >> 8) % len(_NOTIONALS)] or (r >> 12) % (10 * WAD + 2)
                return [Tx("setMinTradeNotional", owner, self.pool, calldata(SEL["setMinTradeNotional"], notional),
                           lambda: m.set_min_trade_notional(owner, notional))]
            if r & 3 == 3:  # a stranger's attempt must fail the same way on both sides
                return [Tx("pause by stranger", actor, self.pool, SEL["pause"], lambda: m.pause(actor))]
            if m.paused:
                return [Tx("unpause", owner, self.pool, SEL["unpause"], lambda: m.unpause(owner))]
            if (r >> 2) & 7:  # pause 1 time in 8, so the pool is paused for short stretches (about 1 step in 7)
                return []
            return [Tx("pause", owner, self.pool, SEL["pause"], lambda: m.pause(owner))]
        if k is Kind.DONATE:
            assets = amount(r, m.asset_balance_of(actor), unit)
            return [_donation(self, actor, assets)]
        if k is Kind.ORDER_MINT:
            assets = amount(r, m.asset_balance_of(actor), unit)
            min_tokens = {7: 2**127, 6: 1}.get(op.aux % 8, 0)  # 1 in 8: a bound no batch can meet
            return [Tx("requestMint", actor, token, calldata(SEL["requestMint"], assets, min_tokens, other),
                       lambda: m.request_mint(actor, token, assets, min_tokens, other))]
        if k is Kind.ORDER_REDEEM:
            tokens = amount(r, m.token_balance_of(token, actor), WAD)
            min_assets = 2**127 if op.aux % 16 == 0 else 0
            return [Tx("requestRedeem", actor, token, calldata(SEL["requestRedeem"], tokens, min_assets, other),
                       lambda: m.request_redeem(actor, token, tokens, min_assets, other))]
        if k is Kind.EXECUTE:
            round_id = order_round(m, token, r)
            max_orders = (1, 2, 3, 10)[(r >> 8) & 3]
            return [Tx("executeOrders", actor, token, calldata(SEL["executeOrders"], round_id, max_orders),
                       lambda: m.execute_orders(actor, token, round_id, max_orders))]
        raise AssertionError(f"unhandled {k}")

    def _mint(self, actor: str, token: str, assets: int, min_tokens: int) -> Tx:
        m = self.model
        return Tx("mint", actor, token, calldata(SEL["mint"], assets, min_tokens, actor),
                  lambda: m.mint(actor, token, assets, min_tokens, actor))

    def _redeem(self, actor: str, token: str, tokens: int, min_assets: int) -> Tx:
        m = self.model
        return Tx("redeem", actor, token, calldata(SEL["redeem"], tokens, min_assets, actor),
                  lambda: m.redeem(actor, token, tokens, min_assets, actor))

    def _price(self, answer: int) -> Tx:
        m = self.model
        return Tx("updateAnswer", self.owner, self.oracle, calldata(SEL["updateAnswer"], answer),
                  lambda: m.set_answer(answer))

    def _round(self, answer: int, updated_at: int) -> Tx:
        """`updateRoundData(latest + 1, answer, updatedAt, startedAt = now)`: a round with a chosen time."""
        m = self.model
        round_id = m.latest_round_data()[0] + 1
        now = m.now
        return Tx("updateRoundData", self.owner, self.oracle,
                  calldata(SEL["updateRoundData"], round_id, answer, updated_at, now),
                  lambda: m.update_round_data(round_id, answer, updated_at, now))

    def _warp(self, seconds: int) -> None:
        t = self.model.now + seconds
        self.model.set_time(t)
        if self.backend is not None:
            self.backend.set_time(t)


def _donation(h: Harness, actor: str, assets: int) -> Tx:
    """A direct asset transfer to the pool: it must change nothing the pool accounts for."""
    m = h.model

    def model() -> None:
        m.asset_transfer(actor, h.pool, assets)
        h.donated += assets

    return Tx("donate", actor, h.asset, calldata(SEL["transfer"], h.pool, assets), model)


_UNMODELLED_EVENTS = {"Transfer", "Approval", "AnswerUpdated", "NewRound"}


def _event_value(codec, v: Any) -> Any:
    """A model event field as the chain's decoded log shows it (an UpkeepFailed reason is revert data)."""
    if isinstance(v, ContractError):
        return codec.encode_error(v.name, tuple(v.args))
    return v



def _err(exc: ContractError | None) -> tuple[str, tuple] | None:
    return None if exc is None else (exc.name, tuple(exc.args))


def _model_only_factory(config: FuzzConfig):
    """Addresses and a model factory for model-only fuzzing (no chain)."""
    from eth_utils import to_checksum_address

    def addr(i: int) -> str:
        return to_checksum_address(f"0x{0xA000 + i:040x}")

    owner = addr(0)
    actors = [addr(1 + i) for i in range(config.n_actors)]
    pool, asset, oracle = addr(100), addr(101), addr(102)
    tokens = [addr(200 + i) for i in range(len(config.series))]
    start = 1_700_000_000
    unit = 10**config.asset_decimals

    def factory():
        from levtoken.model import PoolModel

        m = PoolModel(address=pool, asset_address=asset, oracle_address=oracle, owner=owner,
                      asset_decimals=config.asset_decimals, feed_decimals=config.feed_decimals, now=start,
                      initial_answer=config.initial_price * 10**config.feed_decimals)
        for spec, token in zip(config.series, tokens):
            m.create_series(owner, token, spec.is_long, spec.initial_nav, spec.params)
        if config.keeper_reward:
            m.set_keeper_reward(owner, config.keeper_reward * unit, config.keeper_reward_daily_cap * unit)
        for a in actors:
            m.asset_mint(a, config.actor_cash * unit)
            m.asset_approve(a, pool, 2**256 - 1)
            for token in tokens:
                m.asset_approve(a, token, 2**256 - 1)
        if config.lp_capital:
            seed_lp(m, actors[0], config.lp_capital * unit, start + LP_SEED_DELAY)
        return m

    return factory, (owner, actors, pool, asset, oracle, tokens)
