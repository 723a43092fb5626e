"""Oracle (SPEC section 6): only a positive, complete, not future-dated, at most maxPriceAge (1 h) old answer
is usable. Every state change that needs a price reverts with the custom error naming the cause; `price()`
reverts likewise; views never revert and value everything at the last settled mark price. LP orders (SPEC
3a) need no price to be requested or claimed, and never execute at a broken round: they wait for the next
usable one. Feeds of any decimals normalise to the same WAD price.

Scenario `live` (exact): alice ETH3L and bob ETH3S for 10,000 USDC each at 2,000 (100 tokens, x = 15 ETH
each; each first mint locks LOCKED_SUPPLY of the 100, the minter holds the rest); at 2,100 alice and bob
each redeem 1 token, which settles both series at 2,100:
  ETH3L E = 11,385, x = 14.85, NAV 115;  ETH3S E = 8,415, x = 14.85, NAV 85 (3.7x: a Drift rebalance is
  due); liabilities 19,800; poolAssets 1,019,800; reserve 1,000,000. Then the feed answers 2,200, which no
  state change has used yet, and breaks.
"""

import pytest
from ape import chain, project
from conftest import PRICE_DECIMALS, USDC, WAD, deploy_pool, lp_deposit, params, set_price, warp
from eth_abi import encode

from levtoken.model.libraries.series import LOCKED_SUPPLY

from helpers import (
    floor_of,
    leverage,
    only_event,
    oz_to_assets,
    oz_to_shares,
    reverts_with,
)

MARK = 2_100 * WAD
E_L, E_S = 11_385 * WAD, 8_415 * WAD
X = 1485 * WAD // 100
LIABILITIES = E_L + E_S
POOLED = 1_019_800 * USDC
RESERVE = 1_000_000 * WAD
MAX_AGE = 3_600
UPKEEP_DATA = ["uint256", "bool", "uint80[]", "uint80"]  # bitmap, health due, series rounds, LP round
DEPOSIT, REDEEM = 0, 1  # ILpOrders.LpKind
UNVERIFIABLE = 6  # ISeriesOrders.RefundReason.Unverifiable


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
    assert needed and data == encode(UPKEEP_DATA, [2, True, [], 0])
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
    due_with_health = encode(UPKEEP_DATA, [2, True, [], 0])
    due_without_health = encode(UPKEEP_DATA, [2, False, [], 0])
    operations = {
        "price": lambda: pool.price(),
        "mint": lambda: long_.mint(100 * USDC, 0, alice, sender=alice),
        "redeem": lambda: long_.redeem(WAD, 0, alice, sender=alice),
        "rebalance": lambda: short.rebalance(sender=keeper),
        "reportHealth": lambda: pool.reportHealth(sender=keeper),
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
    assert pool.lpPendingRound() == 0
    shares = pool.totalSupply()
    assert pool.convertToAssets(shares) == oz_to_assets(shares, shares, RESERVE // 10**12)  # at the mark price
    assert pool.convertToShares(100 * USDC) == oz_to_shares(100 * USDC, shares, RESERVE // 10**12)
    # the max* views are the claimable amounts of executed orders: none here (see the LP orders test below)
    assert pool.maxDeposit(lp) == 0
    assert pool.maxMint(lp) == 0
    assert pool.maxWithdraw(lp) == 0
    assert pool.maxRedeem(lp) == 0


@pytest.mark.parametrize("mode", MODES)
def test_lp_orders_are_requested_without_a_price_and_wait_out_a_broken_round(live, mode, owner, lp, keeper):
    """An LP request needs no price (its round comes later), so a broken feed refuses none; no LP order
    executes at the broken round (NoLpOrdersDue); they execute at the next usable round, after its
    rebalances, at that round's share price; their claims need no price either."""
    usdc, oracle, pool, long_, short = live
    _break(mode, oracle, owner)
    shares, cash = pool.balanceOf(lp), usdc.balanceOf(lp)
    pool.requestDeposit(100 * USDC, lp, lp, sender=lp)
    pool.requestRedeem(10**15, lp, lp, sender=lp)
    assert usdc.balanceOf(lp) == cash - 100 * USDC and pool.balanceOf(lp) == shares - 10**15  # escrowed
    assert pool.pendingDepositRequest(0, lp) == 100 * USDC and pool.pendingRedeemRequest(0, lp) == 10**15
    broken = oracle.latestRound()
    with reverts_with(pool.NoLpOrdersDue, roundId=broken):
        pool.executeLpOrders(broken, 10, sender=keeper)
    warp(61)
    with reverts_with(pool.NoLpOrdersDue, roundId=broken):  # still nothing after minDelay: no new round
        pool.executeLpOrders(broken, 10, sender=keeper)
    assert pool.poolAssets() == POOLED and pool.totalSupply() == shares  # nothing moved

    set_price(oracle, 2_200, owner)  # the next usable round
    fresh = oracle.latestRound()
    if mode in ("future", "incomplete"):
        # `_break` jumped the feed's round id to 77/78: more than MAX_UNUSABLE_ROUNDS (32) missing rounds
        # precede the fresh one, so nothing proves it is the orders' first usable round: both are refunded
        # in full (reason Unverifiable), and the share price is never read.
        receipt = pool.executeLpOrders(fresh, 10, sender=keeper)
        refunds = [(e.kind, e.reason) for e in receipt.events.filter(pool.LpOrderRefunded)]
        assert refunds == [(DEPOSIT, UNVERIFIABLE), (REDEEM, UNVERIFIABLE)]
        assert usdc.balanceOf(lp) == cash and pool.balanceOf(lp) == shares
        assert pool.poolAssets() == POOLED and pool.totalSupply() == shares
        return
    with reverts_with(pool.RebalanceDue, token=short.address):  # ETH3S 4.7x: its rebalance comes first
        pool.executeLpOrders(fresh, 10, sender=keeper)
    short.rebalance(sender=keeper)
    total_assets, supply = pool.totalAssets(), pool.totalSupply()
    want_shares = oz_to_shares(100 * USDC, supply, total_assets)
    want_assets = oz_to_assets(10**15, supply, total_assets)
    receipt = pool.executeLpOrders(fresh, 10, sender=keeper)
    executed = [(e.kind, e.roundId, e.amount, e.out) for e in receipt.events.filter(pool.LpOrderExecuted)]
    assert executed == [(DEPOSIT, fresh, 100 * USDC, want_shares), (REDEEM, fresh, 10**15, want_assets)]
    assert pool.poolAssets() == POOLED + 100 * USDC - want_assets

    _break(mode, oracle, owner)  # claims read no price
    assert pool.maxMint(lp) == want_shares and pool.maxWithdraw(lp) == want_assets
    pool.deposit(100 * USDC, lp, sender=lp)
    pool.withdraw(want_assets, lp, lp, sender=lp)
    assert pool.balanceOf(lp) == shares - 10**15 + want_shares
    assert usdc.balanceOf(lp) == cash - 100 * USDC + want_assets


def test_usable_oracle_values_views_at_the_live_price(live, lp):
    """Control for the fallback test: the same views move to 2,200 while the feed is usable."""
    usdc, oracle, pool, long_, short = live
    assert pool.markPrice() == pool.price() == 2_200 * WAD
    assert long_.equity() == E_L + X * 100
    assert short.equity() == E_S - X * 100
    reserve = POOLED * 10**12 - pool.liabilities()
    assert pool.totalAssets() == reserve // 10**12
    assert pool.convertToShares(100 * USDC) == oz_to_shares(100 * USDC, pool.totalSupply(), reserve // 10**12)
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
    pool = deploy_pool(usdc, feed, deployer, owner, name="r", symbol="r")
    wad = 2_000_123_456 * 10**12
    assert pool.price() == wad
    assert pool.markPrice() == wad
    receipt = pool.createSeries("L", "L", True, 100 * WAD, params(), sender=owner)
    token = project.LeveragedToken.at(receipt.events.filter(pool.SeriesCreated)[0].token)
    usdc.approve(pool, 2**256 - 1, sender=lp)
    lp_deposit(pool, feed, owner, lp, 10_000 * USDC)
    token.mint(1_000 * USDC, 0, lp, sender=lp)
    assert pool.exposureOf(token) == 3 * WAD * (1_000 * WAD) // wad  # floor(T*E/P) at the same price


def test_feed_with_more_than_18_decimals_rounds_down(usdc, owner):
    feed = project.MockAggregator.deploy(20, 2_000 * 10**20 + 99, sender=owner)
    deployer = project.LeveragedTokenDeployer.deploy(sender=owner)
    pool = deploy_pool(usdc, feed, deployer, owner, name="r", symbol="r")
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
