"""Knock-out: a gap that wipes a series' equity makes it terminal, without breaking views (SPEC section 3)."""

from conftest import USDC, WAD, set_price
from helpers import reverts_with
from eth_abi import decode

SCALE = 10**12
NONE, DRIFT, KNOCKOUT = 0, 1, 4
LP_CAPITAL = 1_000_000 * WAD


def crash(eth3l, eth3s, oracle, owner, alice, bob):
    """3x long (alice) and 3x short (bob), 10,000 USDC each at 2,000, then a -40% gap to 1,200."""
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    eth3s.mint(10_000 * USDC, 0, bob, sender=bob)
    set_price(oracle, 1_200, owner)


def test_minus_40_percent_gap_leaves_nav_zero_and_no_view_reverts(pool, eth3l, eth3s, oracle, owner, lp, alice, bob):
    crash(eth3l, eth3s, oracle, owner, alice, bob)
    # long: 10,000 - 15 * 800 < 0 -> 0; short: 10,000 + 15 * 800 = 22,000
    assert eth3l.nav() == 0
    assert eth3l.equity() == 0
    assert eth3l.leverage() == 0
    assert eth3l.exposure() == 0  # dead in every view before the latch, though 15 units are still stored
    assert pool.seriesState(eth3l).exposure == 15 * WAD and not pool.seriesState(eth3l).knockedOut
    assert pool.netExposure() == -15 * WAD  # only the short is still exposed
    assert eth3l.rebalanceStatus() == KNOCKOUT
    assert pool.equityOf(eth3l) == 0 and pool.navOf(eth3l) == 0 and pool.leverageOf(eth3l) == 0
    assert eth3s.equity() == 22_000 * WAD
    assert eth3s.nav() == 220 * WAD
    assert eth3s.leverage() == 15 * 1_200 * WAD // 22_000 == 818_181_818_181_818_181
    assert eth3s.rebalanceStatus() == DRIFT

    liabilities = 22_000 * WAD
    reserve = LP_CAPITAL + 20_000 * WAD - liabilities
    floor = liabilities // 10
    assert pool.liabilities() == liabilities
    assert pool.reserve() == reserve == 998_000 * WAD
    assert pool.floor() == floor
    assert pool.totalAssets() == reserve // SCALE
    assert pool.maxWithdraw(lp) == (reserve - floor) // SCALE == 995_800 * USDC
    shares = pool.totalSupply()
    assert pool.maxRedeem(lp) == (reserve - floor) // SCALE * (shares + 10**6) // (reserve // SCALE + 1)
    assert pool.maxDeposit(lp) == 2**128 - 1 - pool.poolAssets()
    assert pool.maxMint(lp) == pool.convertToShares(pool.maxDeposit(lp))
    assert pool.netExposure() == -15 * WAD  # the dead long no longer counts; the short still does
    needed, data = pool.checkUpkeep(b"")
    assert needed
    bitmap, health_due = decode(["uint256", "bool"], bytes(data))
    assert bitmap == 0b11  # the long to knock out, the short to rebalance
    assert health_due


def test_next_rebalance_latches_the_knock_out_without_reverting(pool, eth3l, eth3s, oracle, owner, alice, bob, keeper):
    crash(eth3l, eth3s, oracle, owner, alice, bob)
    receipt = eth3l.rebalance(sender=keeper)

    assert receipt.return_value == KNOCKOUT
    events = receipt.events.filter(pool.KnockedOut)
    assert len(events) == 1
    assert events[0].token == eth3l.address
    assert events[0].price == 1_200 * WAD
    assert events[0].lostEquity == 10_000 * WAD
    assert len(receipt.events.filter(pool.Rebalanced)) == 0
    state = pool.seriesState(eth3l)
    assert state.knockedOut
    assert state.equity == 0
    assert state.exposure == 0
    assert eth3l.exposure() == 0
    assert eth3l.rebalanceStatus() == NONE
    assert pool.netExposure() == -15 * WAD  # only the short is left
    assert eth3l.totalSupply() == 100 * WAD  # holders keep their (worthless) tokens


def test_reserve_gains_at_most_what_the_series_had(pool, eth3l, oracle, owner, alice, keeper):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    assert pool.liabilities() == 10_000 * WAD
    assert pool.reserve() == LP_CAPITAL
    set_price(oracle, 1_200, owner)
    # the loss is 12,000 but the series only had 10,000: liabilities drop by that equity, no more
    assert pool.liabilities() == 0
    assert pool.reserve() == LP_CAPITAL + 10_000 * WAD
    eth3l.rebalance(sender=keeper)
    assert pool.liabilities() == 0
    assert pool.reserve() == LP_CAPITAL + 10_000 * WAD
    assert pool.poolAssets() == (LP_CAPITAL + 10_000 * WAD) // SCALE


def test_knocked_out_series_stays_dead_after_the_price_recovers(pool, eth3l, usdc, oracle, owner, alice, bob, keeper):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, 1_200, owner)
    eth3l.rebalance(sender=keeper)
    set_price(oracle, 2_500, owner)  # well above the entry price

    assert eth3l.nav() == 0
    assert eth3l.equity() == 0
    assert eth3l.exposure() == 0
    assert eth3l.leverage() == 0
    assert eth3l.rebalanceStatus() == NONE
    assert pool.liabilities() == 0
    assert pool.reserve() == LP_CAPITAL + 10_000 * WAD
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        eth3l.mint(1_000 * USDC, 0, bob, sender=bob)
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        eth3l.rebalance(sender=keeper)
    with reverts_with(pool.SlippageExceeded, actual=0, minimum=1):
        eth3l.redeem(100 * WAD, 1, alice, sender=alice)

    cash = usdc.balanceOf(alice)
    receipt = eth3l.redeem(100 * WAD, 0, alice, sender=alice)
    assert receipt.return_value == 0
    ev = receipt.events.filter(pool.Redeemed)[0]
    assert ev.tokens == 100 * WAD and ev.assets == 0 and ev.fee == 0
    assert usdc.balanceOf(alice) == cash
    assert eth3l.balanceOf(alice) == 0
    assert eth3l.totalSupply() == 0
    assert pool.reserve() == LP_CAPITAL + 10_000 * WAD
    # still terminal once empty
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        eth3l.mint(1_000 * USDC, 0, bob, sender=bob)


def test_redeem_settlement_latches_the_knock_out_and_pays_nothing(pool, eth3l, usdc, oracle, owner, alice):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, 1_200, owner)
    cash = usdc.balanceOf(alice)

    receipt = eth3l.redeem(40 * WAD, 0, alice, sender=alice)

    assert receipt.return_value == 0
    assert usdc.balanceOf(alice) == cash
    events = receipt.events.filter(pool.KnockedOut)
    assert len(events) == 1 and events[0].lostEquity == 10_000 * WAD and events[0].price == 1_200 * WAD
    assert pool.seriesState(eth3l).knockedOut
    assert eth3l.balanceOf(alice) == 60 * WAD
