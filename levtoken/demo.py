"""The README's demo: a local chain, the ETH3L/ETH3S presets, a drift and a fallback rebalance.

Deploys through ``levtoken.deployment.deploy``, funds an LP and two holders, moves the mock ETH/USD feed
so that both series drift out of their band, lets a day pass for the fallback trigger, and returns the
states and rebalance events it saw, for ``scripts/demo.py`` to print.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ape import chain

from levtoken.config import DeploymentConfig, eth_preset
from levtoken.deployment import Deployment, deploy
from levtoken.units import from_units, from_wad, to_units

log = logging.getLogger(__name__)

TRIGGERS = {0: "none", 1: "drift", 2: "fallback", 3: "scheduled", 4: "knock-out"}


@dataclass(frozen=True)
class Snapshot:
    """Series state after one step of the demo."""

    step: str
    price: Decimal
    symbol: str
    nav: Decimal
    leverage: Decimal
    equity: Decimal
    reserve: Decimal


@dataclass(frozen=True)
class RebalanceRow:
    """One `Rebalanced` event."""

    step: str
    symbol: str
    trigger: str
    price: Decimal
    leverage_before: Decimal
    leverage_after: Decimal
    nav_before: Decimal
    nav_after: Decimal


@dataclass
class DemoResult:
    deployment: Deployment
    snapshots: list[Snapshot]
    rebalances: list[RebalanceRow]
    lp_assets: Decimal  # what the LP's shares are worth once every holder has redeemed


def _push_price(deployment: Deployment, price: Decimal, sender) -> None:
    decimals = deployment.oracle.decimals()
    deployment.oracle.updateAnswer(to_units(price, decimals), sender=sender)


def _snap(deployment: Deployment, step: str) -> list[Snapshot]:
    pool = deployment.pool
    price = from_wad(pool.markPrice())
    reserve = from_wad(pool.reserve())
    return [
        Snapshot(step, price, symbol, from_wad(t.nav()), from_wad(t.leverage()), from_wad(t.equity()), reserve)
        for symbol, t in deployment.tokens.items()
    ]


def _rebalance_due(deployment: Deployment, step: str, keeper) -> list[RebalanceRow]:
    """Rebalances every series whose trigger holds, as a keeper would, and returns the events."""
    rows = []
    symbols = {str(t.address): s for s, t in deployment.tokens.items()}
    for token in deployment.tokens.values():
        if token.rebalanceStatus() == 0:
            continue
        receipt = token.rebalance(sender=keeper)
        for ev in receipt.events.filter(deployment.pool.Rebalanced):
            rows.append(
                RebalanceRow(
                    step,
                    symbols[str(ev.token)],
                    TRIGGERS[ev.trigger],
                    from_wad(ev.price),
                    from_wad(ev.leverageBefore),
                    from_wad(ev.leverageAfter),
                    from_wad(ev.navBefore),
                    from_wad(ev.navAfter),
                )
            )
    return rows


def run(accounts, config: DeploymentConfig | None = None, manifest_dir: Path = Path("deployments")) -> DemoResult:
    """Runs the demo with ape test accounts: [0] deployer, [1] LP, [2] and [3] holders, [4] keeper."""
    owner, lp, alice, bob, keeper = accounts[:5]
    config = config or eth_preset()
    d = deploy(config, owner, manifest_dir=manifest_dir)
    decimals = d.asset.decimals()
    for account, amount in ((lp, 1_000_000), (alice, 50_000), (bob, 50_000)):
        d.asset.mint(account, to_units(amount, decimals), sender=owner)
        d.asset.approve(d.pool, 2**256 - 1, sender=account)
    d.pool.deposit(to_units(1_000_000, decimals), lp, sender=lp)
    d.tokens["ETH3L"].mint(to_units(20_000, decimals), 0, alice, sender=alice)
    d.tokens["ETH3S"].mint(to_units(20_000, decimals), 0, bob, sender=bob)
    log.info("LP capital 1,000,000 %s; ETH3L and ETH3S minted for 20,000 each", d.asset.symbol())

    snapshots = _snap(d, "mint")
    rebalances: list[RebalanceRow] = []
    start = from_wad(d.pool.markPrice())
    steps = [
        ("+8%", start * Decimal("1.08"), 3600),
        ("+8%", start * Decimal("1.1664"), 3600),
        ("-3%", start * Decimal("1.1314"), 3600),
        ("+24h", start * Decimal("1.1314"), 86_400),
    ]
    for label, price, seconds in steps:
        chain.pending_timestamp += seconds
        _push_price(d, price.quantize(Decimal("0.01")), owner)
        rebalances += _rebalance_due(d, label, keeper)
        snapshots += _snap(d, label)

    # Holders take profit or cut losses at the end: everything settles back into the pool.
    for symbol, holder in (("ETH3L", alice), ("ETH3S", bob)):
        token = d.tokens[symbol]
        token.redeem(token.balanceOf(holder), 0, holder, sender=holder)
    lp_assets = from_units(d.pool.convertToAssets(d.pool.balanceOf(lp)), decimals)
    return DemoResult(d, snapshots, rebalances, lp_assets)
