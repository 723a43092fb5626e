"""The worked examples of SPEC section 3 (seeds 000, 004, 002), zero fees and spread, exactly on-chain."""

from decimal import ROUND_HALF_UP, Decimal

from conftest import USDC, WAD, build_system, lp_deposit, params, set_price, warp
from helpers import equity_at, leverage, reverts_with

from levtoken.model.libraries.series import LOCKED_SUPPLY

SCALE = 10**12
M = 10**6 * WAD  # one million, WAD
NONE, DRIFT, FALLBACK = 0, 1, 2


def cents(wad):
    return (Decimal(wad) / WAD).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_seed_000_blvt_band_no_rebalance_at_1_73x_then_rebalance_to_1_7x(owner, lp, alice):
    asset, oracle, pool, tokens = build_system(
        owner, lp, (alice,), price=100, series=(("BTC1.8L", True),),
        series_params=params(target=1.8, lo=1.25, hi=4, fallback=0), initial_nav=100 * WAD, lp_capital=0,
    )
    token = tokens["BTC1.8L"]
    # the reserve must cover the fund's later 235.8M gain and still sit above the 10% floor
    asset.mint(lp, 300_000_000 * USDC, sender=owner)
    lp_deposit(pool, oracle, owner, lp, 300_000_000 * USDC)  # an order: request, next round, claim
    asset.mint(alice, 100_000_000 * USDC, sender=owner)

    token.mint(100_000_000 * USDC, 0, alice, sender=alice)  # fund 100M
    assert token.equity() == 100 * M
    assert token.exposure() == 18 * M // 10  # 1.8M units at 100
    assert token.exposure() * 100 == 180 * M  # position 180M
    assert token.leverage() == 18 * WAD // 10

    # +5%: fund 109M, position 189M, leverage 1.73x, inside [1.25x, 4x]
    set_price(oracle, 105, owner)
    p = 105 * WAD
    assert token.equity() == 109 * M
    assert token.exposure() * p // WAD == 189 * M
    lev = leverage(token.exposure(), p, 109 * M)
    assert lev == 189 * WAD // 109 == 1_733_944_954_128_440_366
    assert token.leverage() == lev
    assert cents(lev) == Decimal("1.73")  # 1.73x
    assert token.rebalanceStatus() == NONE
    with reverts_with(pool.NoRebalanceTrigger, leverage=lev):
        token.rebalance(sender=alice)

    # a further +120%: 105 -> 231; position 415.8M, fund 335.8M, 1.238x < 1.25x
    set_price(oracle, 231, owner)
    p = 231 * WAD
    x = 18 * M // 10
    assert token.exposure() * p // WAD == 4_158 * M // 10
    equity = 3_358 * M // 10
    assert token.equity() == equity
    lev = leverage(x, p, equity)
    assert lev == 4_158 * WAD // 3_358 == 1_238_237_045_860_631_328
    assert (Decimal(lev) / WAD).quantize(Decimal("0.001")) == Decimal("1.238")  # 1.238x < 1.25x
    assert token.leverage() == lev
    assert token.rebalanceStatus() == DRIFT

    pool.setSeriesParams(token, params(target=1.7, lo=1.25, hi=4, fallback=0), sender=owner)
    assert token.targetLeverage() == 17 * WAD // 10
    receipt = token.rebalance(sender=alice)
    assert receipt.return_value == DRIFT

    x_new = 17 * WAD // 10 * equity // p  # floor(T*E/P)
    assert token.exposure() == x_new
    position = x_new * p // WAD
    # position 570.86M (1.7 * 335.8M), short of it only by the floor of the exposure (< one unit's price)
    assert 5_708_600 * M // 10_000 - 231 < position <= 5_708_600 * M // 10_000
    bought = position - 4_158 * M // 10
    assert 1_550_600 * M // 10_000 - 231 < bought <= 1_550_600 * M // 10_000  # buys 155.06M
    assert token.equity() == equity  # NAV unchanged by the rebalance
    assert token.leverage() == leverage(x_new, p, equity)
    ev = receipt.events.filter(pool.Rebalanced)[0]
    assert ev.exposureBefore == x and ev.exposureAfter == x_new


def test_seed_004_nav_115_and_rebalance_adds_30(owner, lp, alice, keeper):
    _, oracle, pool, tokens = build_system(
        owner, lp, (alice,), price=100, series=(("BTC3L", True),),
        series_params=params(target=3, lo=0, hi=4, fallback=3_600), initial_nav=100 * WAD,
    )
    token = tokens["BTC3L"]
    token.mint(100 * USDC, 0, alice, sender=alice)  # NAV 100, 1 token (LOCKED_SUPPLY of it locked)
    assert token.totalSupply() == WAD
    assert token.balanceOf(alice) == WAD - LOCKED_SUPPLY
    assert token.exposure() == 3 * WAD  # 3 BTC at 100
    assert token.nav() == 100 * WAD

    warp(3_600)  # the daily rebalance instant (stand-in: a 1 h fallback)
    set_price(oracle, 105, owner)  # +5%
    p = 105 * WAD
    assert token.nav() == 115 * WAD
    assert token.exposure() * p // WAD == 315 * WAD
    lev = leverage(3 * WAD, p, 115 * WAD)
    assert lev == 2_739_130_434_782_608_695
    assert cents(lev) == Decimal("2.74")  # 2.74x
    assert token.leverage() == lev
    assert token.rebalanceStatus() == FALLBACK  # Lmin = 0: no lower drift trigger

    assert token.rebalance(sender=keeper).return_value == FALLBACK
    x_new = 3 * WAD * 115 * WAD // p
    assert token.exposure() == x_new == 3_285_714_285_714_285_714
    position = x_new * p // WAD
    assert 345 * WAD - 105 < position <= 345 * WAD  # position 345
    assert 30 * WAD - 105 < position - 315 * WAD <= 30 * WAD  # adds 30
    assert token.nav() == 115 * WAD
    assert token.leverage() == leverage(x_new, p, 115 * WAD)


def test_seed_002_3x_long_and_short_rebalanced_every_step(owner, lp, alice, bob, keeper):
    _, oracle, pool, tokens = build_system(
        owner, lp, (alice, bob), price=10, series=(("XUP", True), ("XDOWN", False)),
        series_params=params(target=3, lo=2.5, hi=3.5, fallback=3_600), initial_nav=10 * WAD,
    )
    up, down = tokens["XUP"], tokens["XDOWN"]
    up.mint(1_000 * USDC, 0, alice, sender=alice)
    down.mint(1_000 * USDC, 0, bob, sender=bob)
    supply = 100 * WAD
    assert up.totalSupply() == down.totalSupply() == supply
    assert up.nav() == down.nav() == 10 * WAD

    expected_up = ["7.00", "9.33", "6.53", "10.89", "7.92"]
    expected_down = ["13.00", "8.67", "11.27", "3.76", "4.78"]
    state = {True: [1_000 * WAD, 300 * WAD], False: [1_000 * WAD, 300 * WAD]}  # equity, exposure
    p0 = 10 * WAD
    for step, price in enumerate([9, 10, 9, 11, 10]):
        warp(3_600)
        set_price(oracle, price, owner)
        p = price * WAD
        for token, is_long, expected in ((up, True, expected_up), (down, False, expected_down)):
            e, x = state[is_long]
            e = equity_at(e, x, p0, p, is_long)
            nav = e * WAD // supply
            assert token.nav() == nav
            assert cents(nav) == Decimal(expected[step]), (token.symbol(), price)
            trigger = token.rebalance(sender=keeper).return_value
            assert trigger in (DRIFT, FALLBACK)
            x = 3 * WAD * e // p
            assert token.exposure() == x
            assert token.nav() == nav  # rebalancing never moves NAV (no spread)
            state[is_long] = [e, x]
        p0 = p
