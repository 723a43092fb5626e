"""Shared fixtures: one deployment per session (ape's snapshots isolate every test).

The default system is the SPEC's local one: mock USDC (6 decimals), a mock ETH/USD feed (8 decimals) at
2,000, a pool with LP capital, and ETH3L / ETH3S (3x, band 2.5x-3.5x, 24 h fallback, no fees).
"""

from __future__ import annotations

import pytest
from ape import chain, project

WAD = 10**18
USDC = 10**6
PRICE_DECIMALS = 8
INITIAL_PRICE = 2_000
LP_CAPITAL = 1_000_000  # USDC
HOLDER_CASH = 1_000_000  # USDC minted to each holder

NO_UTILIZATION_CAP = 1_000 * WAD  # `MAX_UTILIZATION_CAP`: the test systems' default (see build_system)

# SeriesParams tuple order: target, min, max, fallback, mintFee, redeemFee, streamingFee, spread
ETH3_PARAMS = (3 * WAD, 25 * WAD // 10, 35 * WAD // 10, 86_400, 0, 0, 0, 0)


def params(target=3, lo=2.5, hi=3.5, fallback=86_400, mint_fee=0, redeem_fee=0, streaming_fee=0, spread=0):
    """A SeriesParams tuple from plain numbers (leverage/fees as decimals, fallback in seconds)."""
    from levtoken.units import to_wad

    return (
        to_wad(target), to_wad(lo), to_wad(hi), int(fallback),
        to_wad(mint_fee), to_wad(redeem_fee), to_wad(streaming_fee), to_wad(spread),
    )


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def lp(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def keeper(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def stranger(accounts):
    return accounts[5]


def build_system(owner, lp, holders, asset_decimals=6, price=INITIAL_PRICE, series=(("ETH3L", True), ("ETH3S", False)),
                 series_params=ETH3_PARAMS, initial_nav=100 * WAD, lp_capital=LP_CAPITAL,
                 max_utilization=NO_UTILIZATION_CAP):
    """Deploys asset, feed, deployer, pool and series; funds the LP and holders and approves the pool.
    The utilization cap is set to its maximum unless given, so that the floor and solvency tests see the
    floor alone (the cap's own tests and the deployment presets set it)."""
    unit = 10**asset_decimals
    asset = project.MockERC20.deploy("Mock USD Coin", "USDC", asset_decimals, sender=owner)
    oracle = project.MockAggregator.deploy(PRICE_DECIMALS, price * 10**PRICE_DECIMALS, sender=owner)
    deployer = project.LeveragedTokenDeployer.deploy(sender=owner)
    pool = deploy_pool(asset, oracle, deployer, owner)
    if max_utilization is not None:
        pool.setMaxUtilization(max_utilization, sender=owner)
    tokens = {}
    for symbol, is_long in series:
        receipt = pool.createSeries(f"{symbol} token", symbol, is_long, initial_nav, series_params, sender=owner)
        tokens[symbol] = project.LeveragedToken.at(receipt.events.filter(pool.SeriesCreated)[0].token)
    for account in (lp, *holders):
        asset.mint(account, HOLDER_CASH * unit * 10, sender=owner)
        asset.approve(pool, 2**256 - 1, sender=account)
    if lp_capital:
        lp_deposit(pool, oracle, owner, lp, lp_capital * unit)
    return asset, oracle, pool, tokens


def deploy_pool(asset, oracle, deployer, owner, name="levtoken reserve", symbol="rUSDC", lp_orders=None):
    """A `ReservePool` with its LP orders module (deployed for `asset` and `oracle` unless given)."""
    if lp_orders is None:
        lp_orders = project.PoolLpOrders.deploy(oracle, asset, sender=owner)
    return project.ReservePool.deploy(asset, oracle, deployer, name, symbol, owner, lp_orders, sender=owner)


LP_ORDER_WAIT = 61  # seconds: past the default minDelay (60 s)


def lp_round(pool, oracle, owner, max_orders=100):
    """One minute on, a round at the same answer, and the LP orders due at it executed (by `owner`)."""
    warp(LP_ORDER_WAIT)
    oracle.updateAnswer(oracle.latestAnswer(), sender=owner)
    return pool.executeLpOrders(oracle.latestRound(), max_orders, sender=owner)


def lp_deposit(pool, oracle, owner, lp, assets, receiver=None):
    """An LP deposit as an order (SPEC 3a): request, `lp_round`, claim; returns the shares."""
    pool.requestDeposit(assets, lp, lp, sender=lp)
    lp_round(pool, oracle, owner)
    shares = pool.maxMint(lp)
    pool.deposit(assets, receiver or lp, lp, sender=lp)
    return shares


def lp_redeem(pool, oracle, owner, lp, shares, receiver=None):
    """An LP redeem as an order: request, `lp_round`, claim all that filled; returns the assets paid."""
    pool.requestRedeem(shares, lp, lp, sender=lp)
    lp_round(pool, oracle, owner)
    assets = pool.maxWithdraw(lp)
    if assets:
        pool.withdraw(assets, receiver or lp, lp, sender=lp)
    return assets


@pytest.fixture(scope="session")
def system(owner, lp, alice, bob, keeper):
    return build_system(owner, lp, (alice, bob, keeper))


@pytest.fixture(scope="session")
def usdc(system):
    return system[0]


@pytest.fixture(scope="session")
def oracle(system):
    return system[1]


@pytest.fixture(scope="session")
def pool(system):
    return system[2]


@pytest.fixture(scope="session")
def eth3l(system):
    return system[3]["ETH3L"]


@pytest.fixture(scope="session")
def eth3s(system):
    return system[3]["ETH3S"]


def set_price(oracle, price, owner):
    """Pushes `price` (a number in USD) to the mock feed (8 decimals)."""
    from decimal import Decimal

    oracle.updateAnswer(int(Decimal(str(price)) * 10**PRICE_DECIMALS), sender=owner)


def warp(seconds):
    """Advances chain time by `seconds` (mines a block)."""
    chain.pending_timestamp += int(seconds)
    chain.mine()
