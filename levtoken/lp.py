"""An LP's deposit and redeem as orders (ERC-7540, SPEC section 3a) on the connected ape chain, for the demo
and the gas benchmark: request, then (past `minDelay`) a new round of the mock feed at the same answer, the
LP orders executed at it, then the claim.

Time moves with ``provider.set_timestamp`` (the next block's time), so this works both with Anvil's
automatic block times and with the demo's fixed ones (``anvil_setBlockTimestampInterval 0``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape import chain

LP_ORDER_WAIT = 61  # seconds: past the default minDelay (60 s)
MAX_LP_ORDERS = 100


@dataclass(frozen=True)
class LpOrderRun:
    """The receipts of one LP order's request, execution and claim, and what the claim paid (shares for a
    deposit, assets for a redeem)."""

    request: Any
    execute: Any
    claim: Any | None
    amount: int


def lp_round(pool: Any, oracle: Any, feed_owner: Any, executor: Any | None = None, wait: int = LP_ORDER_WAIT,
             max_orders: int = MAX_LP_ORDERS) -> Any:
    """`wait` seconds on, a round of the mock feed at its latest answer (sent by `feed_owner`), and the LP
    orders due at it executed by `executor` (default `feed_owner`); returns the execution's receipt."""
    provider = chain.provider
    provider.set_timestamp(int(provider.get_block("latest").timestamp) + wait)
    oracle.updateAnswer(oracle.latestAnswer(), sender=feed_owner)
    return pool.executeLpOrders(oracle.latestRound(), max_orders, sender=executor or feed_owner)


def lp_deposit(pool: Any, oracle: Any, feed_owner: Any, lp: Any, assets: int, executor: Any | None = None,
               wait: int = LP_ORDER_WAIT) -> LpOrderRun:
    """`lp` deposits `assets` (approved to the pool) by an order and claims every share it got."""
    request = pool.requestDeposit(assets, lp, lp, sender=lp)
    execute = lp_round(pool, oracle, feed_owner, executor, wait)
    shares = int(pool.maxMint(lp))
    claim = pool.deposit(int(pool.maxDeposit(lp)), lp, lp, sender=lp) if shares else None
    return LpOrderRun(request, execute, claim, shares)


def lp_redeem(pool: Any, oracle: Any, feed_owner: Any, lp: Any, shares: int, executor: Any | None = None,
              wait: int = LP_ORDER_WAIT) -> LpOrderRun:
    """`lp` redeems `shares` by an order and claims the assets of what filled (the rest, if the reserve's
    headroom was short, waits in the queue)."""
    request = pool.requestRedeem(shares, lp, lp, sender=lp)
    execute = lp_round(pool, oracle, feed_owner, executor, wait)
    assets = int(pool.maxWithdraw(lp))
    claim = pool.withdraw(assets, lp, lp, sender=lp) if assets else None
    return LpOrderRun(request, execute, claim, assets)
