"""The protocol invariants, checked after every fuzz step (issue 3's list, numbered as there).

Observations come from the model, which the harness proves equal to the chain at every step (raw state)
and every view (lens snapshot), so the invariants hold for the contracts' own numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from levtoken.fuzz.ops import Kind, Op
from levtoken.model.libraries import liabilities as agg
from levtoken.model.libraries.series import LOCKED_SUPPLY, equity_now, equity_wad2, nav, terms

if TYPE_CHECKING:
    from levtoken.fuzz.harness import Harness

WAD = 10**18
KNOCK_OUT = 4


@dataclass(frozen=True, slots=True)
class SeriesObs:
    supply: int
    equity: int  # view: at the price, net of the accrued streaming fee
    exposure: int
    nav: int
    knocked_out: bool
    last_rebalance: int
    balances: tuple[int, ...]
    stored_equity: int  # the settled state as stored (not the view)
    stored_exposure: int
    equity_wad2: int  # what the series adds to the liabilities (exact, before the accrued fee)
    escrowed: int  # tokens the token contract holds (redeem orders' escrow)
    cash: int  # settlement asset the token contract holds (mint orders' escrow and claimable pushes)


@dataclass(frozen=True, slots=True)
class Obs:
    now: int
    price: int  # 0 if the oracle is unusable
    pool_assets: int
    reserve: int
    liabilities: int
    liabilities_wad2: int
    floor: int
    lp_supply: int
    lp_balances: tuple[int, ...]
    cash: tuple[int, ...]  # asset balance of each account
    pool_cash: int
    series: tuple[SeriesObs, ...]
    net: int  # net exposure (the view's)
    pool_lp: int  # LP shares the pool holds (claimable deposits, escrowed redeems)


def observe(h: Harness) -> Obs:
    """What the invariants look at, computed with the model's own view internals in one pass (the
    rebalance status and leverage are read only where needed)."""
    m = h.model
    accounts = h.accounts
    p = m._view_price()
    now = m.now
    series = []
    total2 = m._liabilities_wad2(p)
    total = total2 // WAD
    for token in h.tokens:
        s = m._position[token]
        equity = equity_now(s, p, now)
        ledger = s.ledger
        held = ledger.balances
        supply = ledger.total_supply
        series.append(SeriesObs(
            supply, equity, 0 if equity == 0 else s.exposure, nav(s, equity, supply), s.knocked_out,
            s.last_rebalance, tuple(held.get(a, 0) for a in accounts), s.equity, s.exposure, equity_wad2(s, p),
            held.get(token, 0), m.asset.balances.get(token, 0),
        ))
    reserve, floor = m._reserve_and_floor(m.pool_assets, total)
    lp, cash = m.lp.balances, m.asset.balances
    return Obs(m.now, p, m.pool_assets, reserve, total, total2, floor, m.lp.total_supply,
               tuple(lp.get(a, 0) for a in accounts), tuple(cash.get(a, 0) for a in accounts),
               cash.get(h.pool, 0), tuple(series), m._net_exposure(p), lp.get(h.pool, 0))


def fail(msg: str) -> None:
    from levtoken.fuzz.harness import Divergence

    raise Divergence(f"invariant violated: {msg}")


def check(h: Harness, op: Op, before: Obs, after: Obs, outcomes: list[tuple[str, bool, Any]],
          status_before: int | None = None) -> None:
    """`status_before` = rebalanceStatusOf(op's series) before a REBALANCE."""
    scale = 10 ** (18 - h.config.asset_decimals)
    # 1. the pool's asset balance is its internal accounting (plus donations, which change nothing) plus what
    #    the LP orders hold: escrowed deposit assets and fees, escrowed redeem fees, claimable redeem assets and
    #    refunds to claim (15); no asset is created or lost across all actors and the pool
    lp_owed = _check_lp_orders(h, after)
    if after.pool_cash != after.pool_assets + h.donated + lp_owed:
        fail(f"pool holds {after.pool_cash}, accounts for {after.pool_assets} + donated {h.donated} + LP orders "
             f"{lp_owed}")
    escrow_cash = sum(y.cash for y in after.series)
    if sum(after.cash) + after.pool_cash + escrow_cash != h.total_cash:
        fail(f"asset total {sum(after.cash) + after.pool_cash + escrow_cash} != {h.total_cash}")
    # 13. orders' escrow is accounted exactly: a token holds the assets of its pending mint orders (with
    #     their execution fees) plus what failed pushes left claimable, and the tokens of its redeem orders
    position = h.model._position
    for j, (token, y) in enumerate(zip(h.tokens, after.series)):
        book = position[token].book
        mints, redeems = book.queues
        owed = sum(o.amount + o.execution_fee for o in mints.values()) if mints else 0
        if book.claimable:
            owed += sum(book.claimable.values())
        if y.cash != owed:
            fail(f"series {j}: token holds {y.cash} of the asset, owes {owed} (mint escrow + claimable)")
        escrow = sum(o.amount for o in redeems.values()) if redeems else 0
        if y.escrowed != escrow:
            fail(f"series {j}: token holds {y.escrowed} of its own tokens, redeem escrow is {escrow}")

    batched = {j for j, r in enumerate(h.upkeep_rounds) if r} if op.kind is Kind.UPKEEP else set()
    succeeded = [ok for _, ok, _ in outcomes]
    all_ok = bool(outcomes) and all(succeeded)
    k = op.kind
    s = op.series
    b, a = before.series[s], after.series[s]

    # 3. a mint or redeem never lowers the NAV per token of the other holders (same price, same time)
    if k in (Kind.MINT, Kind.REDEEM, Kind.MINT_REDEEM) and all_ok and b.supply and a.supply:
        if a.nav < b.nav:
            fail(f"{k.name} lowered NAV of series {s}: {b.nav} -> {a.nav}")
    if k in (Kind.MINT, Kind.REDEEM, Kind.MINT_REDEEM, Kind.TRANSFER):
        for j, (x, y) in enumerate(zip(before.series, after.series)):
            if j != s and (x.nav, x.equity, x.exposure) != (y.nav, y.equity, y.exposure):
                fail(f"{k.name} on series {s} changed series {j}")

    # 4. a rebalance succeeds exactly when a trigger holds, and leaves leverage at the target
    if k is Kind.REBALANCE:
        ok = outcomes[0][1]
        if ok != (status_before != 0):
            fail(f"rebalance {'succeeded' if ok else 'reverted'} with status {status_before} before")
        if ok and status_before != KNOCK_OUT:
            _at_target(h, s, b, a, after.price)
            # 4b. and it traded at least the minimum notional (a no-op rebalance reverts, pays no one)
            traded = abs(a.stored_exposure - b.stored_exposure) * after.price // WAD
            if traded < h.model.min_trade_notional:
                fail(f"rebalance of series {s} traded {traded} < minimum {h.model.min_trade_notional}")
    rebalanced = _rebalanced(h) if k is Kind.UPKEEP and all_ok else set()
    for j in rebalanced - batched:  # each series the upkeep rebalanced (its Rebalanced event), knocked out or
        _at_target(h, j, before.series[j], after.series[j], after.price)  # not, unless its orders ran first

    # 5. mint then redeem at one price never returns more than was paid
    if k is Kind.MINT_REDEEM and all_ok:
        actor = 1 + op.actor
        if after.cash[actor] > before.cash[actor]:
            fail(f"mint-then-redeem returned {after.cash[actor] - before.cash[actor]} more than paid")

    # 6. equity never negative (as stored and as valued); a knocked-out series holds nothing, stays out
    for j, (x, y) in enumerate(zip(before.series, after.series)):
        if min(y.equity, y.exposure, y.stored_equity, y.stored_exposure) < 0:
            fail(f"series {j}: negative equity or exposure {y}")
        if y.knocked_out and (y.stored_equity, y.stored_exposure, y.equity) != (0, 0, 0):
            fail(f"series {j} is knocked out but stores equity {y.stored_equity}, exposure {y.stored_exposure}")
        if x.knocked_out and not y.knocked_out:
            fail(f"series {j} revived after its knock-out")
        if y.stored_equity == 0 and y.stored_exposure != 0 and y.supply and x.stored_equity != 0:
            fail(f"series {j}: an operation left exposure {y.stored_exposure} with no equity behind it")

    # 7. after a successful mint, exposure-increasing rebalance (by anyone, upkeep included) or LP
    #    withdrawal (an LP execution that filled a redeem at the latest round, priced as the views): reserve
    #    >= floor
    # (an upkeep that executed orders is left out: a batch's floor and cap are checked at its round's price,
    #  the design of SPEC 3a, and at the latest price they need not hold; EXECUTE is left out for the same
    #  reason)
    increased = not batched and any(y.stored_exposure > x.stored_exposure and y.last_rebalance == after.now
                                    for x, y in zip(before.series, after.series))
    lp_exit = k is Kind.LP_EXECUTE and all_ok and _lp_exit_at_view_price(h, after)
    if all_ok and (k is Kind.MINT or lp_exit or (k in (Kind.REBALANCE, Kind.UPKEEP) and increased)):
        if after.reserve < after.floor:
            fail(f"{k.name} left reserve {after.reserve} below floor {after.floor}")

    # 12. the utilization cap: after a successful LP withdrawal, |net|·P <= u·R; after a successful mint or
    #     exposure-increasing rebalance, too, unless it did not raise |net| (what lowers it always passes).
    #     An upkeep is checked only when it rebalanced one series: a later series' exposure decrease may
    #     raise |net| (the other side's), and a decrease is never refused
    single = k is Kind.REBALANCE or (k is Kind.UPKEEP and len(rebalanced) == 1)
    if all_ok and after.price and (k is Kind.MINT or lp_exit or (single and increased)):
        if lp_exit or abs(after.net) > abs(before.net):
            u = h.model.max_utilization
            value = -(-abs(after.net) * after.price // WAD)
            if after.reserve <= 0 and after.net != 0 or after.reserve > 0 and value > after.reserve * u // WAD:
                fail(f"{k.name} left |net|·P {value} over the cap {u} x reserve {after.reserve}")

    # 9. balances add up to the supply (every holder is an observed account, and once a series has been
    #    minted its locked supply sits at LOCK_ADDRESS for good)
    for j, y in enumerate(after.series):
        if sum(y.balances) + y.escrowed + (LOCKED_SUPPLY if y.supply else 0) != y.supply:
            fail(f"series {j}: balances {sum(y.balances)} + escrow {y.escrowed} + locked != supply {y.supply}")

    # 14. no order executes at a price published at or before its request + minDelay, and the usable round
    #     before its round was published at or before that (so it is the first, for a feed whose updatedAt
    #     rises with the round id, as Chainlink's do)
    if k is Kind.EXECUTE and all_ok:
        _check_executions(h, s, "OrderExecuted")
    # 16. and no LP order either (a waiting redeem fills at a later round still)
    if k is Kind.LP_EXECUTE and all_ok:
        _check_executions(h, s, "LpOrderExecuted")
    if sum(after.lp_balances) + after.pool_lp != after.lp_supply:
        fail(f"LP shares: balances {sum(after.lp_balances)} + pool {after.pool_lp} != supply {after.lp_supply}")

    # 11. the aggregates equal the per-series sums in every state, and the frontiers bound every series'
    #     knock-out price (so liabilities from the aggregates are the exact sum of max(0, E_i))
    _check_aggregates(h, after.price)

    # 10. while the reserve is negative, redemptions are pro rata (everyone gets poolAssets/liabilities)
    if k is Kind.REDEEM and all_ok and before.reserve < 0:
        actor = 1 + op.actor
        burned = b.balances[actor] - a.balances[actor]
        paid = after.cash[actor] - before.cash[actor]
        gross = burned * b.equity // b.supply
        fee_rate = h.config.series[s].params[5]
        net = gross - -(-gross * fee_rate // WAD)
        pooled = before.pool_assets * scale
        # the liabilities once the redeeming series is settled (its accrued fee moved to the reserve)
        settled = (before.liabilities_wad2 - b.equity_wad2 + b.equity * WAD) // WAD
        fair = net * pooled // settled
        if fair // scale != paid:
            fail(f"insolvent redemption paid {paid}, pro rata share is {fair // scale}")


def _check_lp_orders(h: Harness, after: Obs) -> int:
    """15. the LP orders' escrow is accounted exactly: every controller's pending amounts are its queued
    orders', the pool holds the shares of the claimable deposits and of the pending redeems; returns the
    assets the LP orders hold (for invariant 1)."""
    m = h.model
    q = m._lp_queues
    deposits = [m._lp_deposits[i] for i in range(q.depositHead, q.depositTail)]
    redeems = [m._lp_redeems[i] for i in range(q.redeemHead, q.redeemTail)]
    accounts = m._lp_accounts.values()
    pending_assets = sum(a.pendingDepositAssets for a in accounts)
    pending_shares = sum(a.pendingRedeemShares for a in accounts)
    if pending_assets != sum(o.amount for o in deposits):
        fail(f"LP orders: pending deposit assets {pending_assets} != queued {sum(o.amount for o in deposits)}")
    if pending_shares != sum(o.amount for o in redeems):
        fail(f"LP orders: pending redeem shares {pending_shares} != queued {sum(o.amount for o in redeems)}")
    held = sum(a.claimableDepositShares for a in accounts) + pending_shares
    if after.pool_lp != held:
        fail(f"LP orders: the pool holds {after.pool_lp} shares, owes {held} (claimable deposits + redeem escrow)")
    unmet = [m._lp_redeems[i] for i in range(q.redeemNext, q.redeemTail)]  # their fee is still escrowed
    return (sum(o.amount + o.execution_fee for o in deposits) + sum(o.execution_fee for o in unmet)
            + sum(a.claimableRedeemAssets for a in accounts) + sum(m._refundable.values()))


def _lp_exit_at_view_price(h: Harness, after: Obs) -> bool:
    """Whether the last LP execution filled a redeem at the latest round, priced as the views price now."""
    from levtoken.model.libraries.oracle_price import read_round

    m = h.model
    latest = m.latest_round_data()[0]
    if not after.price or read_round(m.oracle, m._oracle_decimals, latest, m.now)[1] != after.price:
        return False
    return any(name == "LpOrderExecuted" and f["kind"] == 1 and f["out"] and f["roundId"] == latest
               for name, f in m.events)


def _check_executions(h: Harness, s: int, event: str) -> None:
    from levtoken.model.libraries.oracle_price import read_round

    m = h.model
    pending = h.orders_before
    waiting = pending[2] if len(pending) > 2 else 0  # LP redeems below it met their round before: they wait
    for name, f in m.events:
        if name != event:
            continue
        order = pending[f["kind"]][f["id"]]
        if f["kind"] == 1 and f["id"] < waiting:
            continue
        usable, _, at = read_round(m.oracle, m._oracle_decimals, f["roundId"], m.now)
        due = order.due_at
        if not usable or at <= due:
            fail(f"order {f['kind']}/{f['id']} executed at round {f['roundId']} (updatedAt {at}), due after {due}")
        for rid in range(f["roundId"] - 1, 0, -1):  # the latest usable round before it came at or before due
            ok, _, earlier = read_round(m.oracle, m._oracle_decimals, rid, m.now)
            if ok:
                if earlier > due:
                    fail(f"order {f['kind']}/{f['id']} executed at round {f['roundId']}, but round {rid} "
                         f"(updatedAt {earlier}) was due first")
                break


def _check_aggregates(h: Harness, p: int) -> None:
    m = h.model
    a = m._aggregates
    c = sx = exact = 0
    lo, hi = agg.decode(a.long_frontier), agg.decode(a.short_frontier)
    for j, s in enumerate(m._book):
        ci, sxi = terms(s)
        c += ci
        sx += sxi
        exact += equity_wad2(s, p)
        x = s.exposure
        if x and s.is_long and agg.long_knock_out(s.equity, x, s.mark_price) > lo:
            fail(f"series {j}: long knock-out price above the frontier {lo}")
        if x and not s.is_long and agg.short_knock_out(s.equity, x, s.mark_price) < hi:
            fail(f"series {j}: short knock-out price below the frontier {hi}")
    if (a.offset_sum, a.exposure_sum) != (c, sx):
        fail(f"aggregates {a.offset_sum}, {a.exposure_sum} != sums {c}, {sx}")
    if m._liabilities_wad2(p) != exact:
        fail(f"liabilities {m._liabilities_wad2(p)} != the exact sum {exact} at {p}")


def _rebalanced(h: Harness) -> set[int]:
    """Series the last model transaction rebalanced (from its `Rebalanced` events)."""
    index = {t: i for i, t in enumerate(h.tokens)}
    return {index[f["token"]] for name, f in h.model.events if name == "Rebalanced"}


def _at_target(h: Harness, s: int, b, a, price: int) -> None:
    """Leverage after a rebalance is the target up to rounding (and up to the spread cost taken)."""
    target = h.config.series[s].params[0]
    e0, e1, lev = b.equity, a.equity, h.model.leverage_of(h.tokens[s])
    if e1 == 0:
        return
    # x = floor(target*e0/p): lev*e1 <= target*e0, and (lev+1)*e1 >= target*e0 - p - WAD (two floors)
    if lev * e1 > target * e0 or (lev + 1) * e1 < target * e0 - price - WAD:
        fail(f"series {s} leverage {lev} after rebalance, target {target} (equity {e0} -> {e1})")


def model_storage(h: Harness) -> list[int]:
    """The model's state in the order of `StorageReader.read()`."""
    m = h.model
    accounts = h.accounts
    answer = m.latest_round_data()
    out = [
        m.lp_total_supply(), int(m.paused), m.pool_assets, len(h.tokens), m.floor_ratio, m.max_price_age,
        m.health_interval, m.last_health_report, int(m.floor_breached), m.keeper_reward, m.keeper_reward_daily_cap,
        m._reward_day, m._reward_paid_today, m.max_utilization, m.min_trade_notional, *m._aggregates.save(), answer[1] % 2**256, answer[3], answer[0],
    ]
    lp, cash = m.lp.balances, m.asset.balances
    out.append(lp.get(h.pool, 0))
    out += list(m._lp_queues)
    out += [lp.get(a, 0) for a in accounts]
    for a in accounts:
        out += list(m.lp_account(a))
    out += [cash.get(a, 0) for a in accounts]
    out.append(cash.get(h.pool, 0))
    for token in h.tokens:
        s = m._position[token]
        out += [s.equity, s.exposure, s.settled_at, s.mark_price, s.last_rebalance, int(s.knocked_out),
                s.ledger.total_supply]
        held = s.ledger.balances
        out += [held.get(a, 0) for a in accounts]
    return out
