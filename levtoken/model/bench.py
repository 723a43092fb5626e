"""Throughput of `PoolModel`: random operations, each followed by a `lens()` snapshot.

`python -m levtoken.model.bench [steps] [seed]` prints steps per second.
"""

from __future__ import annotations

import random
import sys
import time

from .errors import ContractError
from .pool import PoolModel

WAD = 10**18
UNIT = 10**6  # a 6-decimal settlement asset
FEED = 10**8  # an 8-decimal feed
MAX = 2**256 - 1


def _addr(i: int) -> str:
    return "0x" + f"{i:040x}"


POOL, ASSET, ORACLE, OWNER = (_addr(i) for i in (0x1000, 0x1001, 0x1002, 0x1003))
ACTORS = [_addr(0x2000 + i) for i in range(4)]
TOKENS = [_addr(0x3000 + i) for i in range(2)]
# 3x, band 2.5x-3.5x, 1 h fallback, 0.1% trade fees, 2% a year streaming fee, 0.05% spread
PARAMS = (3 * WAD, 25 * WAD // 10, 35 * WAD // 10, 3_600, WAD // 1000, WAD // 1000, WAD // 50, WAD // 2000)


def new_system(now: int = 1_700_000_000) -> PoolModel:
    """A pool at 2,000 with a 3x long and a 3x short, four funded actors and 100,000 of LP capital."""
    m = PoolModel(address=POOL, asset_address=ASSET, oracle_address=ORACLE, owner=OWNER, asset_decimals=6,
                  feed_decimals=8, now=now, initial_answer=2_000 * FEED)
    for token, is_long in zip(TOKENS, (True, False)):
        m.create_series(OWNER, token, is_long, 100 * WAD, PARAMS)
    m.set_keeper_reward(OWNER, 5 * UNIT, 20 * UNIT)
    for a in ACTORS:
        m.asset_mint(a, 10_000_000 * UNIT)
        m.asset_approve(a, POOL, MAX)
    deposit_now(m, ACTORS[0], 100_000 * UNIT)
    return m


def deposit_now(m: PoolModel, actor: str, assets: int) -> int:
    """An LP deposit the only way there is (ERC-7540): request it, wait out `minDelay`, publish a round at
    the same answer, execute the LP orders at it and claim the shares. Returns the shares."""
    m.request_deposit(actor, assets, actor, actor)
    m.warp(m._order_params.min_delay + 1)
    m.set_answer(m.latest_round_data()[1])
    m.execute_lp_orders(actor, m.latest_round_data()[0], 1)
    return m.deposit(actor, m.max_deposit(actor), actor)


def _step(m: PoolModel, r: random.Random) -> None:
    actor = r.choice(ACTORS)
    token = r.choice(TOKENS)
    op = r.randrange(14)
    if op == 0:
        m.mint(actor, token, r.randrange(1, 20_000 * UNIT), 0, actor)
    elif op == 1:
        m.redeem(actor, token, r.randrange(0, m.token_balance_of(token, actor) + 2), 0, actor)
    elif op == 2:
        m.token_transfer(actor, token, r.choice(ACTORS), r.randrange(0, m.token_balance_of(token, actor) + 2))
    elif op == 3:
        answer = m.latest_round_data()[1]
        m.set_answer(max(1, answer * r.randrange(900, 1_101) // 1_000))
    elif op == 4:
        m.warp(r.choice((1, 12, 600, 3_600, 86_400)))
    elif op == 5:
        m.rebalance(actor, token)
    elif op == 6:
        m.request_deposit(actor, r.randrange(0, 50_000 * UNIT), actor, actor)
    elif op == 7:
        m.request_redeem_shares(actor, r.randrange(0, m.lp_balance_of(actor) + 2), actor, actor)
    elif op == 8:
        m.fund_reserve(actor, r.randrange(0, 10_000 * UNIT))
    elif op == 9:
        m.report_health(actor)
    elif op == 10:
        _, bitmap, health_due, rounds, lp_round = m.check_upkeep_data()
        m.perform_upkeep(actor, bitmap, health_due, rounds, lp_round)
    elif op == 11:
        m.execute_lp_orders(actor, m.lp_pending_round() or m.latest_round_data()[0], 10)
    elif op == 12:
        m.deposit(actor, m.max_deposit(actor), actor)
    else:
        m.redeem_shares(actor, r.randrange(0, m.max_redeem(actor) + 2), actor, actor)


def run(steps: int = 10_000, seed: int = 0) -> float:
    """Applies `steps` random operations (reverts included), each followed by `lens()`; returns steps/s.

    Also checks, at every step, that the pool holds at least what it accounts for and that the lens
    timestamp is the model's.
    """
    r = random.Random(seed)
    m = new_system()
    accounts = ACTORS
    start = time.perf_counter()
    for _ in range(steps):
        try:
            _step(m, r)
        except ContractError:
            pass
        values, failed = m.lens(accounts)
        if failed or values[10] < values[0] or values[15] != m.now:
            raise AssertionError(f"inconsistent lens at t={m.now}: failed={failed}")
    return steps / (time.perf_counter() - start)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    s = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    print(f"{run(n, s):,.0f} steps/s")
