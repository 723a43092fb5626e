"""Insolvent pool (SPEC section 4): when the reserve is negative, every redemption is paid at the same
fraction poolAssets/liabilities of its claim, whoever redeems first and whatever the series; LP orders
(SPEC 3a) executed in a deficit are refunded (reason Deficit: a deposit would pay for the deficit, a redeem
would get nothing), with or without LP shares; `fundReserve` recapitalises and LP deposits fill again.

Scenario: LP 150 USDC; alice ETH3L 600 (6 tokens, less the LOCKED_SUPPLY her first mint locks), bob ETH3L
400 (4 tokens), keeper ETH3S 200 (2 tokens, less the locked supply) at 2,000: x_L = 1.5 ETH, x_S = 0.3 ETH, poolAssets 1,350. At 2,213.37 the holders' net 1.2 ETH long has
gained more than the reserve: liabilities 1,456.044, reserve -106.044.
"""

import pytest
from conftest import USDC, WAD, build_system, lp_round, set_price

from helpers import UINT256_MAX, equity_at, floor_of, mul_div, only_event, oz_to_shares, reverts_with
from levtoken.model.libraries.series import LOCKED_SUPPLY

SCALE = 10**12
P0 = 2_000 * WAD
P1 = 2_213_370_000_000_000_000_000  # 2,213.37
X_L = 15 * WAD // 10
X_S = 3 * WAD // 10
POOLED = 1_350 * USDC
E_L = equity_at(1_000 * WAD, X_L, P0, P1, True)
E_S = equity_at(200 * WAD, X_S, P0, P1, False)
LIABILITIES = E_L + E_S
A = 6 * WAD - LOCKED_SUPPLY  # alice's long tokens (her mint was the series' first)
K = 2 * WAD - LOCKED_SUPPLY  # the keeper's short tokens (likewise)
GROSS_A = A * E_L // (10 * WAD)  # alice's claim: her share of the 10-token long supply
GROSS_K = K * E_S // (2 * WAD)
DEPOSIT, REDEEM = 0, 1  # ILpOrders.LpKind
DEFICIT = 7  # ISeriesOrders.RefundReason.Deficit


@pytest.fixture(scope="module")
def insolvent(system, owner, lp, alice, bob, keeper):
    asset, oracle, pool, tokens = build_system(owner, lp, (alice, bob, keeper), lp_capital=150)
    long_, short = tokens["ETH3L"], tokens["ETH3S"]
    long_.mint(600 * USDC, 0, alice, sender=alice)
    long_.mint(400 * USDC, 0, bob, sender=bob)
    short.mint(200 * USDC, 0, keeper, sender=keeper)
    assert pool.exposureOf(long_) == X_L and pool.exposureOf(short) == X_S
    set_price(oracle, "2213.37", owner)
    return asset, oracle, pool, long_, short


def _payout(gross, pooled_units, liabilities):
    """The contract's insolvent payout: floor(gross * poolAssets / liabilities), in asset units."""
    return mul_div(gross, pooled_units * SCALE, liabilities) // SCALE


def test_adverse_move_makes_reserve_negative_and_lp_orders_are_refunded(insolvent, owner, lp, keeper):
    asset, oracle, pool, _, short = insolvent
    assert (E_L, E_S) == (1_320_055 * WAD // 1000, 135_989 * WAD // 1000)
    assert pool.liabilities() == LIABILITIES
    assert pool.reserve() == POOLED * SCALE - LIABILITIES == -106_044 * WAD // 1000
    assert pool.totalAssets() == 0
    shares = pool.totalSupply()
    assert shares == pool.balanceOf(lp) == 150 * USDC * 10**6  # the first deposit: 10**6 shares per unit
    cash = asset.balanceOf(lp)

    # A deposit and a redeem of every share, both executed at the next round, where R < 0: both refunded in
    # full (a deposit would pay for the deficit, a redeem would get 0), nothing claimable. The short's Drift
    # rebalance (4.9x) comes first at that round (SPEC 3a); without a spread it moves no value.
    short.rebalance(sender=keeper)
    assert pool.reserve() == POOLED * SCALE - LIABILITIES
    pool.requestDeposit(10 * USDC, lp, lp, sender=lp)
    pool.requestRedeem(shares, lp, lp, sender=lp)
    assert asset.balanceOf(lp) == cash - 10 * USDC and pool.balanceOf(lp) == 0  # escrowed
    receipt = lp_round(pool, oracle, owner)
    refunds = [(e.kind, e.id, e.controller, e.reason) for e in receipt.events.filter(pool.LpOrderRefunded)]
    assert refunds == [(DEPOSIT, 1, lp.address, DEFICIT), (REDEEM, 0, lp.address, DEFICIT)]  # deposit 0: the LP capital
    assert not receipt.events.filter(pool.LpOrderExecuted)
    assert asset.balanceOf(lp) == cash and pool.balanceOf(lp) == shares
    assert pool.totalSupply() == shares and pool.poolAssets() == POOLED
    assert pool.reserve() == POOLED * SCALE - LIABILITIES
    assert pool.pendingDepositRequest(0, lp) == 0 and pool.pendingRedeemRequest(0, lp) == 0
    assert pool.maxDeposit(lp) == 0
    assert pool.maxMint(lp) == 0
    assert pool.maxWithdraw(lp) == 0
    assert pool.maxRedeem(lp) == 0
    with reverts_with(pool.ClaimExceeded, requested=10 * USDC, claimable=0):
        pool.deposit(10 * USDC, lp, sender=lp)
    with reverts_with(pool.ClaimExceeded, requested=1, claimable=0):
        pool.withdraw(1, lp, lp, sender=lp)
    assert receipt.return_value == 2  # orders executed, filled in part, or refunded: two refunded


def test_same_series_holders_redeeming_in_turn_get_the_same_fraction(insolvent, alice, bob):
    asset, _, pool, long_, _ = insolvent
    gross_a = GROSS_A
    want_a = _payout(gross_a, POOLED, LIABILITIES)
    before = asset.balanceOf(alice)
    receipt = long_.redeem(A, 0, alice, sender=alice)
    assert asset.balanceOf(alice) - before == want_a
    assert only_event(receipt, pool.Redeemed).assets == want_a
    assert want_a < gross_a // SCALE  # a haircut, not the full claim

    pooled = POOLED - want_a
    assert pool.poolAssets() == pooled
    assert pool.liabilities() == LIABILITIES - gross_a

    # bob's 4 tokens and the locked supply are what is left of the long series
    gross_b = 4 * WAD * (E_L - gross_a) // (4 * WAD + LOCKED_SUPPLY)
    want_b = _payout(gross_b, pooled, LIABILITIES - gross_a)
    before = asset.balanceOf(bob)
    long_.redeem(4 * WAD, 0, bob, sender=bob)
    assert asset.balanceOf(bob) - before == want_b
    # same fraction poolAssets/liabilities as alice: within 1 unit of the asset of the first-seen fraction
    assert abs(want_b - _payout(gross_b, POOLED, LIABILITIES)) <= 1
    # cross-multiplied: each payout is floored to whole asset units once, so they differ by under one unit
    # each from the exact fraction (bob's fraction is not rounded against him: alice's floor left more behind)
    assert abs(want_b * gross_a - want_a * gross_b) <= gross_a + gross_b
    assert long_.totalSupply() == LOCKED_SUPPLY  # the locked supply never leaves


def test_other_series_holder_gets_the_same_fraction(insolvent, alice, bob, keeper):
    asset, _, pool, long_, short = insolvent
    paid_a = long_.redeem(A, 0, alice, sender=alice).return_value
    assert paid_a == _payout(GROSS_A, POOLED, LIABILITIES)
    long_.redeem(4 * WAD, 0, bob, sender=bob)
    pooled = pool.poolAssets()
    locked_long = pool.equityOf(long_)  # the locked supply's equity stays a liability
    assert 0 < locked_long == (E_L - GROSS_A) - 4 * WAD * (E_L - GROSS_A) // (4 * WAD + LOCKED_SUPPLY)
    assert pool.liabilities() == E_S + locked_long

    before = asset.balanceOf(keeper)
    short.redeem(K, 0, keeper, sender=keeper)
    paid_k = asset.balanceOf(keeper) - before
    assert paid_k == _payout(GROSS_K, pooled, E_S + locked_long)
    assert abs(paid_k - _payout(GROSS_K, POOLED, LIABILITIES)) <= 1
    # everything but the locked supplies' dust is paid out: holders shared the deficit, the LPs' capital is gone
    assert pool.liabilities() == locked_long + (E_S - GROSS_K)
    assert pool.poolAssets() == pooled - paid_k
    assert pool.reserve() == pool.poolAssets() * SCALE - pool.liabilities()


def test_short_holder_redeeming_first_gets_the_same_fraction_as_later_long_holders(insolvent, alice, keeper):
    asset, _, pool, long_, short = insolvent
    before = asset.balanceOf(keeper)
    short.redeem(K, 0, keeper, sender=keeper)
    paid_k = asset.balanceOf(keeper) - before
    assert paid_k == _payout(GROSS_K, POOLED, LIABILITIES)
    before = asset.balanceOf(alice)
    long_.redeem(A, 0, alice, sender=alice)
    paid_a = asset.balanceOf(alice) - before
    assert paid_a == _payout(GROSS_A, POOLED - paid_k, LIABILITIES - GROSS_K)
    assert abs(paid_a - _payout(GROSS_A, POOLED, LIABILITIES)) <= 1


def test_mint_reverts_while_insolvent(insolvent, alice, keeper):
    _, _, pool, long_, short = insolvent
    reserve = POOLED * SCALE - LIABILITIES
    with reverts_with(pool.ReserveBelowFloor, reserve=reserve, floor=floor_of(LIABILITIES + 100 * WAD)):
        long_.mint(100 * USDC, 0, alice, sender=alice)
    with reverts_with(pool.ReserveBelowFloor, reserve=reserve, floor=floor_of(LIABILITIES + 50 * WAD)):
        short.mint(50 * USDC, 0, keeper, sender=keeper)


def test_fund_reserve_recapitalises(insolvent, owner, lp, alice, keeper):
    asset, oracle, pool, long_, short = insolvent
    shares_before = pool.totalSupply()
    receipt = pool.fundReserve(300 * USDC, sender=lp)
    assert only_event(receipt, pool.ReserveFunded).assets == 300 * USDC
    reserve = (POOLED + 300 * USDC) * SCALE - LIABILITIES
    assert reserve == 193_956 * WAD // 1000
    assert pool.reserve() == reserve
    assert pool.totalAssets() == reserve // SCALE
    assert pool.totalSupply() == shares_before  # no shares for the funder
    assert reserve >= floor_of(LIABILITIES)
    assert pool.floorBreached() is False

    # claims are paid in full again
    gross_a = GROSS_A
    before = asset.balanceOf(alice)
    long_.redeem(A, 0, alice, sender=alice)
    assert asset.balanceOf(alice) - before == gross_a // SCALE

    # and an LP deposit order fills at the recapitalised share price
    total_assets = pool.totalAssets()
    pooled = POOLED + 300 * USDC - gross_a // SCALE
    assert total_assets == (pooled * SCALE - (LIABILITIES - gross_a)) // SCALE
    short.rebalance(sender=keeper)  # its Drift comes before the LP orders; no spread: no value moves
    assert pool.totalAssets() == total_assets
    pool.requestDeposit(100 * USDC, lp, lp, sender=lp)
    receipt = lp_round(pool, oracle, owner)
    want = oz_to_shares(100 * USDC, shares_before, total_assets)
    executed = only_event(receipt, pool.LpOrderExecuted)
    assert (executed.kind, executed.amount, executed.out) == (DEPOSIT, 100 * USDC, want)
    assert pool.maxDeposit(lp) == 100 * USDC and pool.maxMint(lp) == want
    assert pool.poolAssets() == pooled + 100 * USDC
    dep = only_event(pool.deposit(100 * USDC, lp, sender=lp), pool.Deposit)
    assert (dep.assets, dep.shares) == (100 * USDC, want)
    assert pool.balanceOf(lp) == shares_before + want


def test_deposits_stay_closed_in_a_deficit_even_without_lp_shares(system, owner, lp, alice, bob, keeper):
    """A first LP deposit into a deficit would pay for it: refused (refunded at its round) until
    `fundReserve` closes the gap."""
    asset, oracle, pool, tokens = build_system(owner, lp, (alice, bob, keeper), lp_capital=0)
    pool.fundReserve(150 * USDC, sender=lp)  # the same capital as the scenario above, but without shares
    tokens["ETH3L"].mint(1_000 * USDC, 0, alice, sender=alice)
    tokens["ETH3S"].mint(200 * USDC, 0, keeper, sender=keeper)
    set_price(oracle, "2213.37", owner)
    assert pool.totalSupply() == 0
    assert pool.reserve() == POOLED * SCALE - LIABILITIES < 0
    tokens["ETH3S"].rebalance(sender=keeper)  # its Drift comes before the LP orders; no spread: no value moves
    assert pool.reserve() == POOLED * SCALE - LIABILITIES
    cash = asset.balanceOf(lp)
    pool.requestDeposit(10 * USDC, lp, lp, sender=lp)
    receipt = lp_round(pool, oracle, owner)
    refunded = only_event(receipt, pool.LpOrderRefunded)
    assert (refunded.kind, refunded.reason) == (DEPOSIT, DEFICIT)
    assert asset.balanceOf(lp) == cash and pool.totalSupply() == 0
    assert pool.maxDeposit(lp) == 0 and pool.maxMint(lp) == 0
    with reverts_with(pool.ClaimExceeded, requested=10 * USDC, claimable=0):
        pool.deposit(10 * USDC, lp, sender=lp)

    deficit_units = -(-(LIABILITIES - POOLED * SCALE) // SCALE)  # rounded up to whole asset units
    pool.fundReserve(deficit_units, sender=lp)
    assert 0 <= pool.reserve() < SCALE and pool.totalAssets() == 0
    pool.requestDeposit(10 * USDC, lp, lp, sender=lp)
    receipt = lp_round(pool, oracle, owner)
    executed = only_event(receipt, pool.LpOrderExecuted)
    assert executed.out == oz_to_shares(10 * USDC, 0, 0) == 10 * USDC * 10**6  # the first share price
    assert pool.maxDeposit(lp) == 10 * USDC and pool.maxMint(lp) == executed.out
