"""Oracle (SPEC section 6): only a positive, complete, not future-dated, at most maxPriceAge (1 h) old answer
is usable. Every state change that needs a price reverts with the custom error naming the cause; `price()`
reverts likewise; views never revert and value everything at the last settled mark price; the ERC-4626
limits drop to 0. Feeds of any decimals normalise to the same WAD price.

Scenario `live` (exact): alice ETH3L and bob ETH3S for 10,000 USDC each at 2,000 (100 tokens, x = 15 ETH
each; each first mint locks LOCKED_SUPPLY of the 100, the minter holds the rest); at 2,100 alice and bob
each redeem 1 token, which settles both series at 2,100:
  ETH3L E = 11,385, x = 14.85, NAV 115;  ETH3S E = 8,415, x = 14.85, NAV 85 (3.7x: a Drift rebalance is
  due); liabilities 19,800; poolAssets 1,019,800; reserve 1,000,000. Then the feed answers 2,200, which no
  state change has used yet, and breaks.
"""

import pytest
from ape import chain, project
from conftest import PRICE_DECIMALS, USDC, WAD, params, set_price, warp
from eth_abi import encode

from levtoken.model.libraries.series import LOCKED_SUPPLY

from helpers import (
    floor_of,
    leverage,
    only_event,
    reverts_with,
)

MARK = 2_100 * WAD
E_L, E_S = 11_385 * WAD, 8_415 * WAD
X = 1485 * WAD // 100
LIABILITIES = E_L + E_S
POOLED = 1_019_800 * USDC
RESERVE = 1_000_000 * WAD
MAX_AGE = 3_600


@pytest.fixture
def live(system, owner, alice, bob):
    usdc, oracle, pool, tokens = system
    long_, short = tokens["ETH3L"], tokens["ETH3S"]
    long_.mint(10_000 * USDC, 0, alice, sender=alice)
    short.mint(10_000 * USDC, 0, bob, sender=bob)
    set_price(oracle, 2_100, owner)
    long_.redeem(WAD, 0, alice, sender=alice)
    short.redeem(WAD, 0, bob, sender=bob)
    assert (pool.exposureOf(long_), pool.exposureOf(short)) == (X, X)
    assert short.rebalanceStatus() == 1  # Drift at 2,100 while the oracle is usable
    # performData of a due upkeep, taken while the oracle still answers
    needed, data = pool.checkUpkeep(b"")
    assert needed and data == encode(["uint256", "bool", "uint80[]"], [2, True, []])
    set_price(oracle, 2_200, owner)
    return usdc, oracle, pool, long_, short


def _break(mode, oracle, owner):
    """Makes the feed unusable in `mode`; returns (error name, expected args)."""
    answer = 2_200 * 10**PRICE_DECIMALS
    if mode == "stale":
        oracle.updateAnswer(answer, sender=owner)
        updated = oracle.latestTimestamp()  # what the pool reads (the block's time)
        warp(MAX_AGE + 1)
        return "StalePrice", {"updatedAt": updated, "maxAge": MAX_AGE}
    if mode == "zero":
        oracle.updateAnswer(0, sender=owner)
        return "InvalidPrice", {"answer": 0}
    if mode == "negative":
        oracle.updateAnswer(-1, sender=owner)
        return "InvalidPrice", {"answer": -1}
    if mode == "future":
        now = chain.blocks.head.timestamp
        oracle.updateRoundData(77, answer, now + 600, now, sender=owner)
        return "FuturePrice", {"updatedAt": now + 600}
    if mode == "incomplete":
        oracle.updateRoundData(78, answer, 0, 0, sender=owner)
        return "IncompleteRound", {"roundId": 78, "answeredInRound": 78}
    raise ValueError(mode)


MODES = ["stale", "zero", "negative", "future", "incomplete"]


def _check_future_time(info, updated_at):
    head = chain.blocks.head.timestamp
    assert head <= info.inputs["blockTimestamp"] <= head + 1 < updated_at


@pytest.mark.parametrize("mode", MODES)
def test_every_priced_state_change_reverts_with_the_cause(live, mode, owner, lp, alice, bob, keeper):
    usdc, oracle, pool, long_, short = live
    name, args = _break(mode, oracle, owner)
    error = getattr(pool, name)
    due_with_health = encode(["uint256", "bool", "uint80[]"], [2, True, []])
    due_without_health = encode(["uint256", "bool", "uint80[]"], [2, False, []])
    operations = {
        "price": lambda: pool.price(),
        "mint": lambda: long_.mint(100 * USDC, 0, alice, sender=alice),
        "redeem": lambda: long_.redeem(WAD, 0, alice, sender=alice),
        "rebalance": lambda: short.rebalance(sender=keeper),
        "reportHealth": lambda: pool.reportHealth(sender=keeper),
        "lp deposit": lambda: pool.deposit(100 * USDC, lp, sender=lp),
        "lp mint": lambda: pool.mint(10**15, lp, sender=lp),
        "lp withdraw": lambda: pool.withdraw(100 * USDC, lp, lp, sender=lp),
        "lp redeem": lambda: pool.redeem(10**15, lp, lp, sender=lp),
        "setSeriesParams": lambda: pool.setSeriesParams(long_, params(mint_fee=0.001), sender=owner),
        "performUpkeep": lambda: pool.performUpkeep(due_with_health, sender=keeper),
        "performUpkeep, no health due": lambda: pool.performUpkeep(due_without_health, sender=keeper),
    }
    for label, op in operations.items():
        try:
            with reverts_with(error, **args) as info:
                op()
        except AssertionError as err:
            raise AssertionError(f"{mode} / {label}: {err}") from err
        if mode == "future":
            _check_future_time(info, args["updatedAt"])
    # nothing moved
    assert pool.poolAssets() == POOLED
    assert long_.balanceOf(alice) == 99 * WAD - LOCKED_SUPPLY  # her first mint locked LOCKED_SUPPLY
    assert pool.exposureOf(short) == X
    assert pool.lastHealthReport() == 0


@pytest.mark.parametrize("mode", MODES)
def test_views_fall_back_to_the_last_settled_mark_price(live, mode, owner, lp):
    usdc, oracle, pool, long_, short = live
    _break(mode, oracle, owner)
    assert pool.markPrice() == MARK
    assert long_.equity() == pool.equityOf(long_) == E_L
    assert short.equity() == E_S
    assert long_.nav() == E_L * WAD // (99 * WAD) == 115 * WAD
    assert short.nav() == 85 * WAD
    assert long_.leverage() == leverage(X, MARK, E_L)
    assert short.leverage() == leverage(X, MARK, E_S)
    assert pool.liabilities() == LIABILITIES
    assert pool.reserve() == POOLED * 10**12 - LIABILITIES == RESERVE
    assert pool.floor() == floor_of(LIABILITIES)
    assert pool.totalAssets() == RESERVE // 10**12
    assert pool.netExposure() == 0
    assert short.rebalanceStatus() == 0
    assert long_.rebalanceStatus() == 0
    assert pool.checkUpkeep(b"") == (False, b"")
    assert pool.maxDeposit(lp) == 0
    assert pool.maxMint(lp) == 0
    assert pool.maxWithdraw(lp) == 0
    assert pool.maxRedeem(lp) == 0


def test_usable_oracle_values_views_at_the_live_price(live, lp):
    """Control for the fallback test: the same views move to 2,200 while the feed is usable."""
    usdc, oracle, pool, long_, short = live
    assert pool.markPrice() == pool.price() == 2_200 * WAD
    assert long_.equity() == E_L + X * 100
    assert short.equity() == E_S - X * 100
    assert pool.maxDeposit(lp) == 2**128 - 1 - pool.poolAssets()
    assert pool.maxWithdraw(lp) > 0
    assert pool.checkUpkeep(b"")[0] is True


def test_price_just_inside_max_age_is_usable_and_one_second_later_is_stale(live, owner):
    usdc, oracle, pool, long_, short = live
    oracle.updateAnswer(2_200 * 10**PRICE_DECIMALS, sender=owner)
    updated = oracle.latestTimestamp()
    chain.pending_timestamp = updated + MAX_AGE
    chain.mine()
    assert chain.blocks.head.timestamp == updated + MAX_AGE
    assert pool.price() == 2_200 * WAD
    chain.pending_timestamp = updated + MAX_AGE + 1
    chain.mine()
    with reverts_with(pool.StalePrice, updatedAt=updated, maxAge=MAX_AGE):
        pool.price()


def test_price_above_the_sanity_cap_is_invalid(live, owner):
    usdc, oracle, pool, long_, short = live
    too_big = 10**28 + 1  # 8 decimals: > 1e36 once scaled to WAD
    oracle.updateAnswer(too_big, sender=owner)
    with reverts_with(pool.InvalidPrice, answer=too_big):
        pool.price()
    assert pool.markPrice() == MARK


def test_a_fresh_answer_makes_the_pool_usable_again(live, owner, alice):
    usdc, oracle, pool, long_, short = live
    _break("stale", oracle, owner)
    set_price(oracle, 2_200, owner)
    receipt = long_.mint(100 * USDC, 0, alice, sender=alice)
    assert only_event(receipt, pool.Minted).price == 2_200 * WAD


@pytest.mark.parametrize("decimals", [6, 8, 18, 20])
def test_feed_decimals_normalise_to_the_same_wad_price(usdc, owner, lp, decimals):
    """2,000.123456 quoted by feeds of 6, 8, 18 and 20 decimals is 2000.123456e18 (rounding down)."""
    answer = 2_000_123_456 * 10**decimals // 10**6
    feed = project.MockAggregator.deploy(decimals, answer, sender=owner)
    deployer = project.LeveragedTokenDeployer.deploy(sender=owner)
    pool = project.ReservePool.deploy(usdc, feed, deployer, "r", "r", owner, sender=owner)
    wad = 2_000_123_456 * 10**12
    assert pool.price() == wad
    assert pool.markPrice() == wad
    receipt = pool.createSeries("L", "L", True, 100 * WAD, params(), sender=owner)
    token = project.LeveragedToken.at(receipt.events.filter(pool.SeriesCreated)[0].token)
    usdc.approve(pool, 2**256 - 1, sender=lp)
    pool.deposit(10_000 * USDC, lp, sender=lp)
    token.mint(1_000 * USDC, 0, lp, sender=lp)
    assert pool.exposureOf(token) == 3 * WAD * (1_000 * WAD) // wad  # floor(T*E/P) at the same price


def test_feed_with_more_than_18_decimals_rounds_down(usdc, owner):
    feed = project.MockAggregator.deploy(20, 2_000 * 10**20 + 99, sender=owner)
    deployer = project.LeveragedTokenDeployer.deploy(sender=owner)
    pool = project.ReservePool.deploy(usdc, feed, deployer, "r", "r", owner, sender=owner)
    assert pool.price() == 2_000 * WAD


def test_a_price_exactly_at_the_sanity_cap_is_usable(live, owner):
    # Issue 8's mutation pass: only a price far above the cap was tested (1e28 with 8 decimals is 1e38 in
    # WAD), so refusing the cap itself survived. One wei of the feed above it is invalid.
    usdc, oracle, pool, long_, short = live
    oracle.updateAnswer(10**26, sender=owner)  # 8 decimals: exactly MAX_PRICE = 1e36 once scaled to WAD
    assert pool.price() == 10**36
    oracle.updateAnswer(10**26 + 1, sender=owner)
    with reverts_with(pool.InvalidPrice, answer=10**26 + 1):
        pool.price()
