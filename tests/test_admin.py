"""Admin (SPEC sections 4, 5, 7): series creation and bounded parameter setters with their events and
errors, owner-only access (OZ Ownable2Step), pause. Every admin failure leaves the state unchanged.
"""

import pytest
from ape import chain, project
from conftest import USDC, WAD, deploy_pool, params, set_price, warp

from helpers import YEAR, b32, block_time, events, mul_div_up, only_event, reverts_with

ZERO = "0x0000000000000000000000000000000000000000"
DEFAULT = params()  # ETH3L / ETH3S parameters


def fingerprint(pool):
    """Every piece of admin-controlled and series state, to compare before and after a failed call."""
    tokens = list(pool.series())
    return (
        tokens,
        [tuple(pool.seriesParams(t)) for t in tokens],
        [tuple(pool.seriesState(t)) for t in tokens],
        pool.floorRatio(), pool.maxPriceAge(), pool.healthInterval(),
        pool.keeperReward(), pool.keeperRewardDailyCap(),
        pool.owner(), pool.pendingOwner(), pool.paused(), pool.poolAssets(), pool.totalSupply(),
    )


def _struct(value):
    return tuple(value)


# --------------------------------------------------------------------------- createSeries


def test_create_series_emits_series_created_with_every_field(pool, owner):
    p = params(target=2, lo=1.5, hi=2.5, fallback=3_600, mint_fee=0.001, redeem_fee=0.002,
               streaming_fee=0.02, spread=0.0005)
    receipt = pool.createSeries("BTC 2x Long", "BTC2L", True, 50 * WAD, p, sender=owner)
    ev = only_event(receipt, pool.SeriesCreated)
    assert (ev.symbol, ev.isLong, ev.initialNav) == ("BTC2L", True, 50 * WAD)
    assert _struct(ev.params) == p
    token = project.LeveragedToken.at(ev.token)
    assert list(pool.series())[-1] == token.address
    assert len(pool.series()) == 3
    assert (token.name(), token.symbol(), token.pool(), token.decimals()) == ("BTC 2x Long", "BTC2L",
                                                                             pool.address, 18)
    assert _struct(pool.seriesParams(token)) == p
    state = pool.seriesState(token)
    assert (state.equity, state.exposure, state.initialNav, state.isLong, state.knockedOut) == (
        0, 0, 50 * WAD, True, False)
    assert state.lastRebalance == block_time(receipt)
    assert token.nav() == 50 * WAD
    assert token.targetLeverage() == 2 * WAD and token.isLong() is True
    deployed = [log for log in receipt.decode_logs() if log.event_name == "TokenDeployed"]
    assert len(deployed) == 1
    assert (deployed[0].pool, deployed[0].token, deployed[0].symbol) == (pool.address, token.address, "BTC2L")


def test_ninth_series_reverts_with_too_many_series(pool, owner):
    for i in range(6):
        pool.createSeries(f"S{i}", f"S{i}", i % 2 == 0, 100 * WAD, DEFAULT, sender=owner)
    assert len(pool.series()) == 8
    before = fingerprint(pool)
    with reverts_with(pool.TooManySeries, max=8):
        pool.createSeries("S9", "S9", True, 100 * WAD, DEFAULT, sender=owner)
    assert fingerprint(pool) == before


def test_initial_nav_out_of_bounds_reverts(pool, owner):
    before = fingerprint(pool)
    for value in (10**15 - 1, 10**24 + 1, 0):
        with reverts_with(pool.ParameterOutOfBounds, parameter=b32("initialNav"), value=value,
                          min=10**15, max=10**24):
            pool.createSeries("X", "X", True, value, DEFAULT, sender=owner)
    assert fingerprint(pool) == before
    for value in (10**15, 10**24):  # the bounds themselves are allowed
        receipt = pool.createSeries("X", "X", True, value, DEFAULT, sender=owner)
        assert only_event(receipt, pool.SeriesCreated).initialNav == value


BAD_BANDS = {
    "min equal to target": (3, 3, 3.5),
    "min above target": (3.1, 3, 3.5),
    "target equal to max": (2.5, 3.5, 3.5),
    "target above max": (2.5, 4, 3.5),
    "max above 10x": (2.5, 3, "10.000000000000000001"),
    "min at 1x": (1, 3, 3.5),
    "min below 1x": (0.5, 3, 3.5),
    "target at 1x with min 0": (0, 1, 3),
    "target below 1x with min 0": (0, 0.5, 3),
}


def _band(lo, target, hi):
    return params(target=target, lo=lo, hi=hi)


def test_invalid_leverage_bands_revert_on_create_and_on_set(pool, eth3l, owner):
    before = fingerprint(pool)
    for label, (lo, target, hi) in BAD_BANDS.items():
        p = _band(lo, target, hi)
        try:
            band = {"minLeverage": p[1], "targetLeverage": p[0], "maxLeverage": p[2]}
            with reverts_with(pool.InvalidLeverageBand, **band):
                pool.createSeries("X", "X", True, 100 * WAD, p, sender=owner)
            with reverts_with(pool.InvalidLeverageBand, **band):
                pool.setSeriesParams(eth3l, p, sender=owner)
        except AssertionError as err:
            raise AssertionError(f"{label}: {err}") from err
    assert fingerprint(pool) == before


def test_band_edges_that_are_allowed(pool, eth3l, owner):
    for lo, target, hi in ((0, 3, 4), (0, "1.000000000000000001", 2), (1.01, 9, 10)):
        p = _band(lo, target, hi)
        receipt = pool.createSeries("X", "X", False, 100 * WAD, p, sender=owner)
        assert _struct(pool.seriesParams(only_event(receipt, pool.SeriesCreated).token)) == p
    pool.setSeriesParams(eth3l, _band(0, 3, 10), sender=owner)
    assert _struct(pool.seriesParams(eth3l)) == _band(0, 3, 10)


# --------------------------------------------------------------------------- setSeriesParams

# field index in the SeriesParams tuple, bytes32 name, a bad value, [min, max]
OUT_OF_BOUNDS = [
    (3, "fallbackInterval", 3_599, 3_600, 7 * 86_400),
    (3, "fallbackInterval", 7 * 86_400 + 1, 3_600, 7 * 86_400),
    (3, "fallbackInterval", 1, 3_600, 7 * 86_400),
    (4, "mintFee", WAD // 100 + 1, 0, WAD // 100),
    (5, "redeemFee", WAD // 100 + 1, 0, WAD // 100),
    (6, "streamingFee", WAD // 10 + 1, 0, WAD // 10),
    (7, "spread", WAD // 100 + 1, 0, WAD // 100),
]


def test_set_series_params_reverts_for_each_field_out_of_bounds(pool, eth3l, owner):
    before = fingerprint(pool)
    for index, name, value, lo, hi in OUT_OF_BOUNDS:
        p = list(DEFAULT)
        p[index] = value
        with reverts_with(pool.ParameterOutOfBounds, parameter=b32(name), value=value, min=lo, max=hi):
            pool.setSeriesParams(eth3l, tuple(p), sender=owner)
        with reverts_with(pool.ParameterOutOfBounds, parameter=b32(name), value=value, min=lo, max=hi):
            pool.createSeries("X", "X", True, 100 * WAD, tuple(p), sender=owner)
    assert fingerprint(pool) == before


def test_fallback_may_be_zero_or_between_one_hour_and_seven_days(pool, eth3l, owner):
    for fallback in (0, 3_600, 7 * 86_400):
        pool.setSeriesParams(eth3l, params(fallback=fallback), sender=owner)
        assert pool.seriesParams(eth3l).fallbackInterval == fallback
    # and fees at their caps
    capped = params(mint_fee=0.01, redeem_fee=0.01, streaming_fee=0.1, spread=0.01)
    pool.setSeriesParams(eth3l, capped, sender=owner)
    assert _struct(pool.seriesParams(eth3l)) == capped


def test_parameters_updated_is_emitted_only_for_changed_fields(pool, eth3l, owner):
    receipt = pool.setSeriesParams(eth3l, params(mint_fee=0.001, spread=0.002), sender=owner)
    logs = events(receipt, pool.ParametersUpdated)
    got = [(log.target, bytes(log.parameter), log.value) for log in logs]
    assert got == [(eth3l.address, b32("mintFee"), WAD // 1000),
                   (eth3l.address, b32("spread"), 2 * WAD // 1000)]

    receipt = pool.setSeriesParams(eth3l, params(mint_fee=0.001, spread=0.002), sender=owner)
    assert events(receipt, pool.ParametersUpdated) == []

    new = params(target=2, lo=1.5, hi=2.8, fallback=7_200, mint_fee=0.002, redeem_fee=0.003,
                 streaming_fee=0.01, spread=0.001)
    receipt = pool.setSeriesParams(eth3l, new, sender=owner)
    got = [(bytes(log.parameter), log.value) for log in events(receipt, pool.ParametersUpdated)]
    names = ["targetLeverage", "minLeverage", "maxLeverage", "fallbackInterval", "mintFee", "redeemFee",
             "streamingFee", "spread"]
    assert got == [(b32(n), v) for n, v in zip(names, new)]
    assert _struct(pool.seriesParams(eth3l)) == new


def test_set_series_params_settles_first_so_a_streaming_fee_is_not_retroactive(pool, eth3l, oracle, owner,
                                                                                alice):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    equity = 10_000 * WAD
    warp(30 * 86_400)
    set_price(oracle, 2_000, owner)
    rate = WAD // 10
    receipt = pool.setSeriesParams(eth3l, params(streaming_fee=0.1), sender=owner)
    t1 = block_time(receipt)
    state = pool.seriesState(eth3l)
    assert (state.equity, state.settledAt, state.markPrice) == (equity, t1, 2_000 * WAD)  # no fee for 30 days
    warp(10 * 86_400)
    set_price(oracle, 2_000, owner)
    now = chain.blocks.head.timestamp
    fee = mul_div_up(equity, rate * (now - t1), WAD * YEAR)
    retroactive = mul_div_up(equity, rate * (now - state.lastRebalance), WAD * YEAR)
    assert fee < retroactive
    assert eth3l.equity() == equity - fee


# --------------------------------------------------------------------------- pool parameters

POOL_SETTERS = [
    ("setFloorRatio", "floorRatio", WAD // 100, WAD, WAD // 5),
    ("setMaxPriceAge", "maxPriceAge", 60, 2 * 86_400, 7_200),
    ("setHealthInterval", "healthInterval", 300, 86_400, 600),
]


@pytest.mark.parametrize("setter,name,lo,hi,good", POOL_SETTERS)
def test_pool_setter_bounds_and_event(pool, owner, setter, name, lo, hi, good):
    fn = getattr(pool, setter)
    before = fingerprint(pool)
    for bad in (lo - 1, hi + 1):
        with reverts_with(pool.ParameterOutOfBounds, parameter=b32(name), value=bad, min=lo, max=hi):
            fn(bad, sender=owner)
    assert fingerprint(pool) == before
    for value in (lo, hi, good):
        receipt = fn(value, sender=owner)
        ev = only_event(receipt, pool.ParametersUpdated)
        assert (ev.target, bytes(ev.parameter), ev.value) == (pool.address, b32(name), value)
        assert getattr(pool, name)() == value


def test_max_price_age_setting_takes_effect(pool, oracle, owner):
    pool.setMaxPriceAge(7_200, sender=owner)
    set_price(oracle, 2_000, owner)
    warp(3_601)
    assert pool.price() == 2_000 * WAD
    pool.setMaxPriceAge(60, sender=owner)
    with reverts_with(pool.StalePrice, maxAge=60):
        pool.price()


def test_keeper_reward_bounds_and_events(pool, owner):
    before = fingerprint(pool)
    with reverts_with(pool.ParameterOutOfBounds, parameter=b32("keeperReward"), value=1_000 * USDC + 1, min=0,
                      max=1_000 * USDC):
        pool.setKeeperReward(1_000 * USDC + 1, 2_000 * USDC, sender=owner)
    with reverts_with(pool.ParameterOutOfBounds, parameter=b32("keeperRewardDailyCap"), value=4 * USDC,
                      min=5 * USDC, max=100_000 * USDC):
        pool.setKeeperReward(5 * USDC, 4 * USDC, sender=owner)
    with reverts_with(pool.ParameterOutOfBounds, parameter=b32("keeperRewardDailyCap"),
                      value=100_000 * USDC + 1, min=5 * USDC, max=100_000 * USDC):
        pool.setKeeperReward(5 * USDC, 100_000 * USDC + 1, sender=owner)
    assert fingerprint(pool) == before
    receipt = pool.setKeeperReward(5 * USDC, 50 * USDC, sender=owner)
    got = [(log.target, bytes(log.parameter), log.value) for log in events(receipt, pool.ParametersUpdated)]
    assert got == [(pool.address, b32("keeperReward"), 5 * USDC),
                   (pool.address, b32("keeperRewardDailyCap"), 50 * USDC)]
    assert (pool.keeperReward(), pool.keeperRewardDailyCap()) == (5 * USDC, 50 * USDC)
    pool.setKeeperReward(0, 0, sender=owner)  # 0 disables
    assert (pool.keeperReward(), pool.keeperRewardDailyCap()) == (0, 0)


# --------------------------------------------------------------------------- unknown series


def test_unknown_series_reverts_in_views_and_set_series_params(pool, usdc, owner, stranger):
    for who in (stranger.address, usdc.address, pool.address):
        for view in ("equityOf", "exposureOf", "navOf", "leverageOf", "rebalanceStatusOf", "seriesParams",
                     "seriesState"):
            with reverts_with(pool.UnknownSeries, token=who):
                getattr(pool, view)(who)
    before = fingerprint(pool)
    with reverts_with(pool.UnknownSeries, token=stranger.address):
        pool.setSeriesParams(stranger, DEFAULT, sender=owner)
    assert fingerprint(pool) == before


# --------------------------------------------------------------------------- access control


def test_every_admin_function_is_owner_only(pool, eth3l, stranger):
    calls = {
        "createSeries": lambda: pool.createSeries("X", "X", True, 100 * WAD, DEFAULT, sender=stranger),
        "setSeriesParams": lambda: pool.setSeriesParams(eth3l, DEFAULT, sender=stranger),
        "setFloorRatio": lambda: pool.setFloorRatio(WAD // 5, sender=stranger),
        "setMaxPriceAge": lambda: pool.setMaxPriceAge(600, sender=stranger),
        "setHealthInterval": lambda: pool.setHealthInterval(600, sender=stranger),
        "setKeeperReward": lambda: pool.setKeeperReward(1, 1, sender=stranger),
        "pause": lambda: pool.pause(sender=stranger),
        "unpause": lambda: pool.unpause(sender=stranger),
        "transferOwnership": lambda: pool.transferOwnership(stranger, sender=stranger),
        "renounceOwnership": lambda: pool.renounceOwnership(sender=stranger),
    }
    before = fingerprint(pool)
    for label, call in calls.items():
        try:
            with reverts_with(pool.OwnableUnauthorizedAccount, account=stranger.address):
                call()
        except AssertionError as err:
            raise AssertionError(f"{label}: {err}") from err
    assert fingerprint(pool) == before


def test_ownership_transfer_is_two_step(pool, owner, alice, bob):
    receipt = pool.transferOwnership(alice, sender=owner)
    ev = only_event(receipt, pool.OwnershipTransferStarted)
    assert (ev.previousOwner, ev.newOwner) == (owner.address, alice.address)
    assert pool.owner() == owner.address
    assert pool.pendingOwner() == alice.address
    pool.setFloorRatio(WAD // 5, sender=owner)  # still the owner until accepted

    before = fingerprint(pool)
    with reverts_with(pool.OwnableUnauthorizedAccount, account=bob.address):
        pool.acceptOwnership(sender=bob)
    assert fingerprint(pool) == before

    receipt = pool.acceptOwnership(sender=alice)
    ev = only_event(receipt, pool.OwnershipTransferred)
    assert (ev.previousOwner, ev.newOwner) == (owner.address, alice.address)
    assert (pool.owner(), pool.pendingOwner()) == (alice.address, ZERO)
    with reverts_with(pool.OwnableUnauthorizedAccount, account=owner.address):
        pool.pause(sender=owner)
    pool.pause(sender=alice)
    assert pool.paused() is True


# --------------------------------------------------------------------------- pause


def test_pause_blocks_mints_and_exposure_increases_but_never_redemptions(pool, eth3l, eth3s, oracle, usdc,
                                                                         owner, alice, bob, keeper):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    eth3s.mint(10_000 * USDC, 0, bob, sender=bob)
    receipt = pool.pause(sender=owner)
    assert only_event(receipt, pool.Paused).account == owner.address
    assert pool.paused() is True

    with reverts_with(pool.EnforcedPause):
        eth3l.mint(100 * USDC, 0, alice, sender=alice)
    with reverts_with(pool.EnforcedPause):
        pool.pause(sender=owner)

    before = usdc.balanceOf(alice)
    eth3l.redeem(10 * WAD, 0, alice, sender=alice)
    assert usdc.balanceOf(alice) - before == 1_000 * USDC

    # at 1,800 the long is at 3.86x (rebalance sells: allowed), the short at 2.08x (buys: paused)
    set_price(oracle, 1_800, owner)
    assert eth3l.rebalanceStatus() == 1
    assert eth3s.rebalanceStatus() == 0
    eth3l.rebalance(sender=keeper)
    with reverts_with(pool.EnforcedPause):
        eth3s.rebalance(sender=keeper)

    receipt = pool.unpause(sender=owner)
    assert only_event(receipt, pool.Unpaused).account == owner.address
    with reverts_with(pool.ExpectedPause):
        pool.unpause(sender=owner)
    assert eth3s.rebalanceStatus() == 1
    eth3s.rebalance(sender=keeper)
    eth3l.mint(100 * USDC, 0, alice, sender=alice)


# --------------------------------------------------------------------------- construction


def test_pool_constructor_rejects_too_many_decimals_and_zero_addresses(pool, usdc, oracle, owner):
    deployer = project.LeveragedTokenDeployer.deploy(sender=owner)
    module = pool.lpOrdersModule()  # a working LP orders module (the checks below come first)
    asset19 = project.MockERC20.deploy("Too precise", "TP", 19, sender=owner)
    with reverts_with(pool.UnsupportedDecimals, decimals=19):
        project.ReservePool.deploy(asset19, oracle, deployer, "r", "r", owner, module, sender=owner)
    with reverts_with(pool.UnsupportedDecimals, decimals=19):  # nor is a module built for it
        project.PoolLpOrders.deploy(oracle, asset19, sender=owner)
    with reverts_with(pool.ZeroAddress):
        project.ReservePool.deploy(usdc, ZERO, deployer, "r", "r", owner, module, sender=owner)
    with reverts_with(pool.ZeroAddress):
        project.ReservePool.deploy(usdc, oracle, ZERO, "r", "r", owner, module, sender=owner)
    feed37 = project.MockAggregator.deploy(37, 2_000 * 10**37, sender=owner)
    with reverts_with(pool.UnsupportedDecimals, decimals=37):
        project.ReservePool.deploy(usdc, feed37, deployer, "r", "r", owner, module, sender=owner)
    asset18 = project.MockERC20.deploy("Fine", "F", 18, sender=owner)
    feed36 = project.MockAggregator.deploy(36, 2_000 * 10**36, sender=owner)
    fine = deploy_pool(asset18, feed36, deployer, owner, name="r", symbol="r")
    assert fine.asset() == asset18.address
    assert fine.price() == 2_000 * 10**18


def test_pool_constructor_rejects_an_lp_orders_module_built_for_another_oracle_or_asset(pool, usdc, oracle, owner,
                                                                                         stranger):
    deployer = project.LeveragedTokenDeployer.deploy(sender=owner)
    other_feed = project.MockAggregator.deploy(8, 2_000 * 10**8, sender=owner)
    other_asset = project.MockERC20.deploy("Other USD", "OUSD", 6, sender=owner)
    for module in (project.PoolLpOrders.deploy(other_feed, usdc, sender=owner),
                   project.PoolLpOrders.deploy(oracle, other_asset, sender=owner)):
        with reverts_with(pool.ModuleMismatch, module=module.address):
            project.ReservePool.deploy(usdc, oracle, deployer, "r", "r", owner, module, sender=owner)
    with reverts_with(pool.ModuleMismatch, module=stranger.address):  # no code at all
        project.ReservePool.deploy(usdc, oracle, deployer, "r", "r", owner, stranger, sender=owner)
    module = project.PoolLpOrders.deploy(oracle, usdc, sender=owner)
    assert (module.oracle(), module.lpAsset()) == (oracle.address, usdc.address)
    built = project.ReservePool.deploy(usdc, oracle, deployer, "r", "r", owner, module, sender=owner)
    assert built.lpOrdersModule() == module.address


def test_hard_bounds_are_the_documented_ones(pool, oracle):
    """The bounds docs/architecture.md (decision 19) and the deployment config promise."""
    assert pool.oracle() == oracle.address
    assert pool.MAX_SERIES() == 8
    assert pool.MAX_LEVERAGE() == 10 * WAD
    assert (pool.MAX_TRADE_FEE(), pool.MAX_SPREAD(), pool.MAX_STREAMING_FEE()) == (WAD // 100, WAD // 100, WAD // 10)
    assert (pool.MIN_FALLBACK(), pool.MAX_FALLBACK()) == (3_600, 7 * 86_400)
    assert (pool.MIN_FLOOR_RATIO(), pool.MAX_FLOOR_RATIO()) == (WAD // 100, WAD)
    assert (pool.MIN_PRICE_AGE(), pool.MAX_PRICE_AGE()) == (60, 2 * 86_400)
    assert (pool.MIN_HEALTH_INTERVAL(), pool.MAX_HEALTH_INTERVAL()) == (300, 86_400)
    assert (pool.MIN_INITIAL_NAV(), pool.MAX_INITIAL_NAV()) == (WAD // 1000, 10**6 * WAD)
    assert (pool.MAX_KEEPER_REWARD(), pool.MAX_KEEPER_REWARD_DAILY()) == (1_000 * WAD, 100_000 * WAD)


# --------------------------------------------------------------------------- minimum trade notional


def test_min_trade_notional_defaults_to_one_unit_is_bounded_and_emits(pool, owner, stranger):
    assert pool.minTradeNotional() == WAD
    assert pool.MAX_MIN_TRADE_NOTIONAL() == 10 * WAD
    receipt = pool.setMinTradeNotional(0, sender=owner)  # 0: any trade counts (the rebalance still needs a trigger)
    ev = only_event(receipt, pool.ParametersUpdated)
    assert (ev.target, ev.parameter, ev.value) == (pool.address, b32("minTradeNotional"), 0)
    pool.setMinTradeNotional(10 * WAD, sender=owner)
    assert pool.minTradeNotional() == 10 * WAD
    with reverts_with(pool.ParameterOutOfBounds, parameter=b32("minTradeNotional"), value=10 * WAD + 1, min=0,
                      max=10 * WAD):
        pool.setMinTradeNotional(10 * WAD + 1, sender=owner)
    with reverts_with(pool.OwnableUnauthorizedAccount, account=stranger.address):
        pool.setMinTradeNotional(0, sender=stranger)
