"""Reserve floor (SPEC section 4): below floorRatio (10%) of liabilities, mints and exposure-increasing
rebalances are suspended; redemptions and exposure-reducing rebalances continue; the state flip emits
`ReserveFloorBreached` once and the recovery `ReserveFloorRestored` once.

Scenario (small LP capital so a 5% move breaches the floor), all values exact:
  LP 2,000 USDC; alice mints ETH3L for 10,000 (100 tokens, x = 15 ETH); bob mints ETH3S for 2,000
  (20 tokens, x = 3 ETH) at 2,000. poolAssets 14,000.
  At 2,100: E_L = 11,500, E_S = 1,700, liabilities 13,200, reserve 800 < floor 1,320.
"""

import pytest
from conftest import USDC, WAD, build_system, set_price, warp

from levtoken.model.libraries.series import LOCKED_SUPPLY

from helpers import (
    FLOOR_RATIO,
    equity_at,
    events,
    exposure_for,
    floor_of,
    only_event,
    reverts_with,
)

X_L = 15 * WAD
X_S = 3 * WAD
P0 = 2_000 * WAD
P1 = 2_100 * WAD


@pytest.fixture(scope="module")
def small(system, owner, lp, alice, bob):  # `system` first: session fixtures before this module's state
    asset, oracle, pool, tokens = build_system(owner, lp, (alice, bob), lp_capital=2_000)
    long_, short = tokens["ETH3L"], tokens["ETH3S"]
    long_.mint(10_000 * USDC, 0, alice, sender=alice)
    short.mint(2_000 * USDC, 0, bob, sender=bob)
    return asset, oracle, pool, long_, short


def _state_at_p1():
    e_l = equity_at(10_000 * WAD, X_L, P0, P1, True)
    e_s = equity_at(2_000 * WAD, X_S, P0, P1, False)
    assert (e_l, e_s) == (11_500 * WAD, 1_700 * WAD)
    liabilities = e_l + e_s
    reserve = 14_000 * WAD - liabilities
    return e_l, e_s, liabilities, reserve


def test_setup_is_above_floor_until_the_price_move(small):
    _, oracle, pool, long_, short = small
    assert pool.poolAssets() == 14_000 * USDC
    assert pool.liabilities() == 12_000 * WAD
    assert pool.reserve() == 2_000 * WAD
    assert pool.floor() == 1_200 * WAD
    assert pool.floorBreached() is False


def test_price_move_puts_reserve_below_floor_in_the_views(small, owner):
    _, oracle, pool, long_, short = small
    set_price(oracle, 2100, owner)
    _, _, liabilities, reserve = _state_at_p1()
    assert pool.liabilities() == liabilities == 13_200 * WAD
    assert pool.reserve() == reserve == 800 * WAD
    assert pool.floor() == floor_of(liabilities) == 1_320 * WAD
    # nothing changed state yet: the flag flips only with the next successful state change
    assert pool.floorBreached() is False


def test_floor_view_is_ceil_of_ten_percent_of_liabilities(system, alice, owner):
    _, oracle, pool, tokens = system
    eth3l = tokens["ETH3L"]
    set_price(oracle, "1999.99999999", owner)
    eth3l.mint(7_777_777_777, 0, alice, sender=alice)  # 7,777.777777 USDC
    p0 = 1_999_999_999_990_000_000_000
    x = exposure_for(3 * WAD, 7_777_777_777 * 10**12, p0)
    set_price(oracle, "2100.12345678", owner)
    liabilities = equity_at(7_777_777_777 * 10**12, x, p0, 2_100_123_456_780_000_000_000, True)
    assert liabilities % 10 != 0  # the rounding direction matters for this value
    assert pool.liabilities() == liabilities
    assert pool.floor() == liabilities // 10 + 1 == floor_of(liabilities)


def test_mint_reverts_with_reserve_below_floor_after_price_move(small, owner, alice, bob):
    _, oracle, pool, long_, short = small
    set_price(oracle, 2100, owner)
    _, _, liabilities, reserve = _state_at_p1()
    # the mint adds its net to both poolAssets and liabilities: the reserve stays, the floor rises
    with reverts_with(pool.ReserveBelowFloor, reserve=reserve, floor=floor_of(liabilities + 1_000 * WAD)):
        long_.mint(1_000 * USDC, 0, alice, sender=alice)
    with reverts_with(pool.ReserveBelowFloor, reserve=reserve, floor=floor_of(liabilities + 500 * WAD)):
        short.mint(500 * USDC, 0, bob, sender=bob)
    assert long_.balanceOf(alice) == 100 * WAD - LOCKED_SUPPLY  # her mint was the series' first
    assert short.balanceOf(bob) == 20 * WAD - LOCKED_SUPPLY
    assert pool.poolAssets() == 14_000 * USDC
    assert pool.floorBreached() is False  # a reverted operation latches nothing


def test_mint_exactly_at_floor_succeeds_and_one_unit_more_reverts(owner, lp, alice):
    _, _, pool, tokens = build_system(owner, lp, (alice,), lp_capital=1_000)
    long_ = tokens["ETH3L"]
    receipt = long_.mint(10_000 * USDC, 0, alice, sender=alice)  # reserve 1,000 == floor 1,000
    assert pool.reserve() == 1_000 * WAD
    assert pool.floor() == 1_000 * WAD
    assert events(receipt, pool.ReserveFloorBreached) == []
    assert pool.floorBreached() is False
    with reverts_with(pool.ReserveBelowFloor, reserve=1_000 * WAD, floor=floor_of(10_001 * WAD)):
        long_.mint(1 * USDC, 0, alice, sender=alice)
    assert floor_of(10_001 * WAD) == 1_000_100_000_000_000_000_000


def test_exposure_increasing_rebalance_is_suspended_below_floor(small, owner, keeper):
    _, oracle, pool, long_, short = small
    warp(86_400)  # the fallback trigger holds for ETH3L (inside its band at 2,100)
    set_price(oracle, 2100, owner)
    e_l, _, liabilities, reserve = _state_at_p1()
    assert exposure_for(3 * WAD, e_l, P1) > X_L  # the long's rebalance would add exposure
    assert long_.rebalanceStatus() == 0  # the view reports that it would revert
    with reverts_with(pool.ReserveBelowFloor, reserve=reserve, floor=floor_of(liabilities)):
        long_.rebalance(sender=keeper)
    assert pool.exposureOf(long_) == X_L
    assert pool.floorBreached() is False


def test_exposure_reducing_rebalance_continues_below_floor_and_emits_breach(small, owner, keeper):
    _, oracle, pool, long_, short = small
    set_price(oracle, 2100, owner)
    _, e_s, liabilities, reserve = _state_at_p1()
    x_new = exposure_for(3 * WAD, e_s, P1)
    assert x_new == 2_428_571_428_571_428_571 < X_S
    assert short.rebalanceStatus() == 1  # Drift: 3*2100/1700 = 3.7x > 3.5x
    receipt = short.rebalance(sender=keeper)
    reb = only_event(receipt, pool.Rebalanced)
    assert (reb.trigger, reb.exposureBefore, reb.exposureAfter) == (1, X_S, x_new)
    ev = only_event(receipt, pool.ReserveFloorBreached)
    assert (ev.reserve, ev.floor) == (reserve, floor_of(liabilities)) == (800 * WAD, 1_320 * WAD)
    assert pool.floorBreached() is True
    assert pool.exposureOf(short) == x_new


def test_redemptions_continue_below_floor_and_breach_is_emitted_once(small, owner, alice, bob):
    asset, oracle, pool, long_, short = small
    set_price(oracle, 2100, owner)
    e_l, e_s, liabilities, reserve = _state_at_p1()

    before = asset.balanceOf(alice)
    receipt = long_.redeem(10 * WAD, 0, alice, sender=alice)
    gross = 10 * WAD * e_l // (100 * WAD)
    assert gross == 1_150 * WAD
    assert asset.balanceOf(alice) - before == gross // 10**12
    assert only_event(receipt, pool.Redeemed).assets == 1_150 * USDC
    ev = only_event(receipt, pool.ReserveFloorBreached)
    # poolAssets and liabilities both fall by the claim: reserve stays, floor follows the liabilities
    assert (ev.reserve, ev.floor) == (reserve, floor_of(liabilities - gross)) == (800 * WAD, 1_205 * WAD)
    assert pool.floorBreached() is True

    receipt = short.redeem(5 * WAD, 0, bob, sender=bob)
    assert only_event(receipt, pool.Redeemed).assets == (5 * WAD * e_s // (20 * WAD)) // 10**12
    assert events(receipt, pool.ReserveFloorBreached) == []
    assert events(receipt, pool.ReserveFloorRestored) == []
    assert pool.floorBreached() is True


def _breach_by_redemption(small, owner, alice):
    _, oracle, pool, long_, _ = small
    set_price(oracle, 2100, owner)
    receipt = long_.redeem(10 * WAD, 0, alice, sender=alice)
    assert len(events(receipt, pool.ReserveFloorBreached)) == 1
    # ETH3L now: E0 = 10,350 at 2,100, x = 15 * 10,350 / 11,500 = 13.5 ETH; poolAssets 12,850
    assert pool.exposureOf(long_) == 135 * WAD // 10


def test_price_recovery_restores_floor_once(small, owner, alice, bob):
    _, oracle, pool, long_, short = small
    _breach_by_redemption(small, owner, alice)
    set_price(oracle, 2000, owner)
    e_l = equity_at(10_350 * WAD, 135 * WAD // 10, P1, P0, True)
    e_s = 2_000 * WAD  # ETH3S was last settled at 2,000
    assert e_l == 9_000 * WAD
    assert pool.reserve() == 12_850 * WAD - e_l - e_s
    assert pool.floorBreached() is True  # still latched until a state change

    receipt = long_.mint(1_000 * USDC, 0, alice, sender=alice)
    ev = only_event(receipt, pool.ReserveFloorRestored)
    liabilities = e_l + e_s + 1_000 * WAD
    assert (ev.reserve, ev.floor) == (13_850 * WAD - liabilities, floor_of(liabilities))
    assert (ev.reserve, ev.floor) == (1_850 * WAD, 1_200 * WAD)
    assert events(receipt, pool.ReserveFloorBreached) == []
    assert pool.floorBreached() is False

    receipt = short.mint(100 * USDC, 0, bob, sender=bob)
    assert events(receipt, pool.ReserveFloorRestored) == []
    assert events(receipt, pool.ReserveFloorBreached) == []
    assert pool.floorBreached() is False


def test_fund_reserve_restores_floor_once(small, owner, lp, alice):
    _, oracle, pool, long_, _ = small
    _breach_by_redemption(small, owner, alice)
    # at 2,100: reserve 800, liabilities 12,050, floor 1,205
    receipt = pool.fundReserve(100 * USDC, sender=lp)  # 900 < 1,205: still breached
    assert events(receipt, pool.ReserveFloorRestored) == []
    assert pool.floorBreached() is True

    receipt = pool.fundReserve(400 * USDC, sender=lp)
    ev = only_event(receipt, pool.ReserveFloorRestored)
    assert (ev.reserve, ev.floor) == (1_300 * WAD, floor_of(12_050 * WAD))
    assert pool.floorBreached() is False

    receipt = pool.fundReserve(1 * USDC, sender=lp)
    assert events(receipt, pool.ReserveFloorRestored) == []
    assert events(receipt, pool.ReserveFloorBreached) == []

    # mints work again (1,301 >= ceil(0.1 * 12,150))
    receipt = long_.mint(100 * USDC, 0, alice, sender=alice)
    assert only_event(receipt, pool.Minted).tokens == 100 * WAD * (90 * WAD) // (10_350 * WAD)


def test_floor_follows_floor_ratio(small, owner, alice):
    _, oracle, pool, long_, _ = small
    # at 2,000 the reserve is 2,000 on liabilities 12,000: a 20% floor (2,400) breaches it
    pool.setFloorRatio(FLOOR_RATIO * 2, sender=owner)
    assert pool.floor() == floor_of(12_000 * WAD, FLOOR_RATIO * 2) == 2_400 * WAD
    with reverts_with(pool.ReserveBelowFloor, reserve=2_000 * WAD, floor=2_420 * WAD):
        long_.mint(100 * USDC, 0, alice, sender=alice)


def test_exposure_increasing_rebalance_exactly_at_floor_goes_ahead(owner, lp, alice, keeper):
    # Issue 8's mutation pass: no rebalance left the reserve exactly on the floor, so refusing it there
    # (`r <= floor`) survived. An 18-decimal asset lets fundReserve put the reserve on the floor to the wei.
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), asset_decimals=18, lp_capital=1_200)
    long_ = tokens["ETH3L"]
    long_.mint(10_000 * WAD, 0, alice, sender=alice)
    set_price(oracle, 2_300, owner)  # equity 14,500, leverage 2.38 < 2.5: Drift, exposure up to 18.9
    assert exposure_for(3 * WAD, 14_500 * WAD, 2_300 * WAD) > X_L
    gap = pool.floor() - pool.reserve()  # no spread: the rebalance leaves liabilities as they are
    assert gap > 0
    pool.fundReserve(gap - 1, sender=lp)  # one wei short of the floor: suspended
    assert long_.rebalanceStatus() == 0
    with reverts_with(pool.ReserveBelowFloor, reserve=pool.floor() - 1, floor=pool.floor()):
        long_.rebalance(sender=keeper)
    pool.fundReserve(1, sender=lp)  # exactly on the floor: allowed
    assert pool.reserve() == pool.floor() == floor_of(14_500 * WAD)
    assert long_.rebalanceStatus() == 1

    receipt = long_.rebalance(sender=keeper)

    assert receipt.return_value == 1
    assert pool.exposureOf(long_) == exposure_for(3 * WAD, 14_500 * WAD, 2_300 * WAD)
    assert pool.reserve() == pool.floor()
