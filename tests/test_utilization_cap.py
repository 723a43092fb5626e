"""The utilization cap (SPEC section 4): |net exposure|·P <= u·R. Mints and exposure-increasing rebalances
that would raise |net exposure| beyond it are refused (the rebalance's status is None, so keepers are
not flagged); what lowers |net exposure| always goes through; LP redeem orders fill only up to the room the
cap leaves (exactly), and the rest waits in the queue until that room grows.

Scenario: LP 1,000 USDC, one 3x long series (band 2.5x-3.5x), price 2,000, the contract's default cap 5x.
A long mint of E USDC exposes the pool to 3E of the underlying's value against a reserve of 1,000: the cap
allows E up to 1,666.66... USDC.
"""

import pytest
from conftest import USDC, WAD, build_system, lp_round, params, set_price

from helpers import b32, mul_div, mul_div_up, only_event, oz_to_assets, oz_to_shares, reverts_with

CAP = 5 * WAD
P0 = 2_000 * WAD
REDEEM = 1  # ILpOrders.LpKind


@pytest.fixture(scope="module")
def capped(system, owner, lp, alice, bob):
    """The contract's default cap (build_system is told not to lift it), one long and one short series."""
    asset, oracle, pool, tokens = build_system(owner, lp, (alice, bob), lp_capital=1_000, max_utilization=None)
    return asset, oracle, pool, tokens["ETH3L"], tokens["ETH3S"]


def _exposure_value(pool, p):
    return mul_div_up(abs(pool.netExposure()), p, WAD)


def test_the_default_cap_is_5x_and_the_setter_is_bounded_and_emits(capped, owner):
    _, _, pool, _, _ = capped
    assert pool.maxUtilization() == CAP
    assert (pool.MIN_UTILIZATION_CAP(), pool.MAX_UTILIZATION_CAP()) == (WAD // 10, 1_000 * WAD)
    receipt = pool.setMaxUtilization(3 * WAD, sender=owner)
    ev = only_event(receipt, pool.ParametersUpdated)
    assert (ev.target, ev.parameter, ev.value) == (pool.address, b32("maxUtilization"), 3 * WAD)
    assert pool.maxUtilization() == 3 * WAD
    for bad in (WAD // 10 - 1, 1_000 * WAD + 1):
        with reverts_with(pool.ParameterOutOfBounds, parameter=b32("maxUtilization"), value=bad,
                          min=WAD // 10, max=1_000 * WAD):
            pool.setMaxUtilization(bad, sender=owner)


def test_a_mint_up_to_the_cap_passes_and_one_unit_over_reverts_with_the_utilization(capped, alice):
    _, _, pool, long_, _ = capped
    long_.mint(1_666 * USDC, 0, alice, sender=alice)  # |net|·P = 4,998 <= 5 · 1,000
    assert _exposure_value(pool, P0) == 4_998 * WAD
    # one more USDC: x = floor(3 · 1,667 / 2,000) = 2.5005 exactly, |net|·P = 5,001 over 5,000
    with reverts_with(pool.UtilizationCapExceeded, utilization=mul_div(5_001 * WAD, WAD, 1_000 * WAD), cap=CAP):
        long_.mint(1 * USDC, 0, alice, sender=alice)
    long_.mint(USDC // 2, 0, alice, sender=alice)  # 4,999.5: still within
    assert pool.reserve() == 1_000 * WAD


def test_exactly_at_the_cap_passes(capped, owner, alice):
    _, _, pool, long_, _ = capped
    pool.setMaxUtilization(3 * WAD, sender=owner)
    long_.mint(1_000 * USDC, 0, alice, sender=alice)  # |net|·P = 3,000 = 3 · 1,000
    assert _exposure_value(pool, P0) == 3_000 * WAD == mul_div(pool.reserve(), 3 * WAD, WAD)
    with reverts_with(pool.UtilizationCapExceeded, cap=3 * WAD):
        long_.mint(USDC // 1_000, 0, alice, sender=alice)


def test_over_the_cap_after_a_move_only_what_lowers_net_exposure_goes_through(capped, owner, alice, bob):
    _, oracle, pool, long_, short = capped
    long_.mint(1_600 * USDC, 0, alice, sender=alice)  # 4,800 of 5,000
    set_price(oracle, 2_100, owner)  # the long gains 240 from the reserve: 5,040 of 5 · 760
    assert _exposure_value(pool, 2_100 * WAD) > mul_div(pool.reserve(), CAP, WAD)
    with reverts_with(pool.UtilizationCapExceeded, cap=CAP) as info:
        long_.mint(10 * USDC, 0, alice, sender=alice)
    assert info.inputs["utilization"] > CAP
    short.mint(100 * USDC, 0, bob, sender=bob)  # lowers |net|: allowed although the pool is over the cap
    long_.redeem(10 * WAD, 0, alice, sender=alice)  # redemptions always go through
    assert short.balanceOf(bob) > 0


def test_an_exposure_increasing_rebalance_over_the_cap_is_suspended_and_a_decrease_goes_through(capped, owner, alice):
    _, oracle, pool, long_, _ = capped
    long_.mint(1_666 * USDC, 0, alice, sender=alice)
    set_price(oracle, 2_300, owner)  # +15%: the long is at 2.38x < 2.5x and wants more exposure
    assert long_.leverage() < 25 * WAD // 10
    assert pool.reserve() > pool.floor()  # the floor would allow it: the cap is what stops it
    assert long_.rebalanceStatus() == 0
    _, perform_data = pool.checkUpkeep(b"")
    assert int.from_bytes(bytes(perform_data)[:32], "big") == 0  # no series flagged (health may be due)
    with reverts_with(pool.UtilizationCapExceeded, cap=CAP):
        long_.rebalance(sender=alice)
    set_price(oracle, 1_800, owner)  # -10% from the start: 3.86x, above the band: the decrease goes ahead
    assert long_.rebalanceStatus() == 1
    receipt = long_.rebalance(sender=alice)
    ev = only_event(receipt, pool.Rebalanced)
    assert ev.exposureAfter < ev.exposureBefore


def _cap_room(pool):
    """Assets LP redeems may take: the reserve above what the cap needs (|net|·P/u, each step rounded up) and
    above the floor, in whole asset units."""
    needed = mul_div_up(mul_div_up(abs(pool.netExposure()), pool.price(), WAD), WAD, pool.maxUtilization())
    return (pool.reserve() - max(needed, pool.floor())) // 10**12


def _fill(shares, room, supply, total_assets):
    """(shares, assets) of a redeem order of `shares` that fills first-come up to `room` at one share price."""
    whole = oz_to_assets(shares, supply, total_assets)
    if whole <= room:
        return shares, whole
    filled = oz_to_shares(room, supply, total_assets)
    return filled, oz_to_assets(filled, supply, total_assets)


def test_an_lp_redeem_fills_exactly_up_to_the_caps_room_and_the_rest_waits(system, owner, lp, alice):
    asset, oracle, pool, tokens = build_system(owner, lp, (alice,), lp_capital=10_000, max_utilization=None,
                                               series=(("ETH3L", True),), series_params=params())
    long_ = tokens["ETH3L"]
    long_.mint(10_000 * USDC, 0, alice, sender=alice)  # |net|·P = 30,000 against R = 10,000
    # the cap needs R >= 30,000 / 5 = 6,000; the floor only 10% of 10,000 = 1,000
    needed = mul_div_up(mul_div_up(abs(pool.netExposure()), P0, WAD), WAD, CAP)
    assert needed == 6_000 * WAD > pool.floor()
    room = (pool.reserve() - needed) // 10**12
    assert room == _cap_room(pool) == 4_000 * USDC
    shares, supply, total_assets = pool.balanceOf(lp), pool.totalSupply(), pool.totalAssets()
    filled, paid = _fill(shares, room, supply, total_assets)
    assert filled < shares and room - USDC < paid <= room

    pool.requestRedeem(shares, lp, lp, sender=lp)  # every share: more than the cap lets out
    receipt = lp_round(pool, oracle, owner)
    executed = [(e.kind, e.amount, e.out) for e in receipt.events.filter(pool.LpOrderExecuted)]
    assert executed == [(REDEEM, filled, paid)]
    assert pool.maxRedeem(lp) == filled and pool.maxWithdraw(lp) == paid
    assert pool.pendingRedeemRequest(0, lp) == shares - filled  # the rest waits at the head of the queue
    assert pool.reserve() == 10_000 * WAD - paid * 10**12
    assert _exposure_value(pool, P0) <= mul_div(pool.reserve(), CAP, WAD)  # still within the cap
    assert _cap_room(pool) == 0
    pool.withdraw(paid, lp, lp, sender=lp)
    assert pool.maxWithdraw(lp) == 0

    # alice's redemption lowers |net exposure|: room appears and the waiting rest fills at the next round
    long_.redeem(long_.balanceOf(alice) // 2, 0, alice, sender=alice)
    room, supply, total_assets = _cap_room(pool), pool.totalSupply(), pool.totalAssets()
    assert room > 0
    filled2, paid2 = _fill(shares - filled, room, supply, total_assets)
    receipt = lp_round(pool, oracle, owner)
    executed = [(e.kind, e.amount, e.out) for e in receipt.events.filter(pool.LpOrderExecuted)]
    assert executed == [(REDEEM, filled2, paid2)]
    assert pool.maxWithdraw(lp) == paid2
    assert pool.pendingRedeemRequest(0, lp) == shares - filled - filled2
    assert _exposure_value(pool, P0) <= mul_div(pool.reserve(), CAP, WAD)


def test_the_cap_rounds_the_exposure_value_up(system, owner, lp, alice):
    """|net|·P is compared rounded up. With a reserve of exactly 1 unit, u·R = u, so a cap equal to
    floor(|net|·P) refuses a mint whose |net|·P is not a whole number, and one wei more of cap admits it."""
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), lp_capital=0, max_utilization=None,
                                          series=(("ETH3L", True),))
    pool.fundReserve(USDC, sender=lp)  # R = 1 WAD (an LP deposit order of 1 USDC is below the minimum order)
    long_ = tokens["ETH3L"]
    pool.setFloorRatio(WAD // 100, sender=owner)  # 1%: the floor stays below the 1-unit reserve
    set_price(oracle, "2000.12345678", owner)
    p = pool.price()
    assets = 99 * USDC + 123_457
    x = 3 * WAD * assets * 10**12 // p  # the first mint's exposure: floor(T·net/P)
    value = x * p  # |net|·P in WAD², not a whole WAD
    assert value % WAD != 0
    cap = value // WAD  # u·R = floor(|net|·P) with R = 1 WAD
    pool.setMaxUtilization(cap, sender=owner)
    with reverts_with(pool.UtilizationCapExceeded, cap=cap):
        long_.mint(assets, 0, alice, sender=alice)
    pool.setMaxUtilization(cap + 1, sender=owner)  # u·R = ceil(|net|·P)
    long_.mint(assets, 0, alice, sender=alice)
    assert pool.reserve() == WAD and abs(pool.netExposure()) == x
