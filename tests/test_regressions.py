"""Named regressions for the bugs the model's differential runs found in the contracts (issue 3), and for
the attacks issue 8 measured that have a fix landed.

Each test also runs the same steps on `levtoken.model`, which must agree (same numbers, same errors).
"""

from conftest import USDC, WAD, build_system, params, set_price, warp
from helpers import only_event, reverts_with

from levtoken.model.errors import SafeCastOverflowedUintDowncast

NONE, DRIFT, KNOCK_OUT = 0, 1, 4
U112 = 2**112 - 1


def test_a_spread_that_would_take_all_equity_knocks_the_series_out(owner, lp, alice):
    """Before: the cost was capped at the equity, leaving equity 0 with exposure still open and the series
    alive; a later rise then created equity from nothing, paid by the reserve."""
    p = params(target=3, lo=2.5, hi=3.5, spread=0.01)
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), series=(("ETH3L", True),), series_params=p)
    long = tokens["ETH3L"]
    long.mint(100 * USDC, 0, alice, sender=alice)  # E = 100, x = 0.15 at 2,000
    set_price(oracle, 1_335, owner)  # E = 100 - 0.15 * 665 = 0.25, leverage 801x, not yet 0
    equity = pool.equityOf(long)
    assert equity == WAD // 4
    assert long.rebalanceStatus() == KNOCK_OUT  # the spread (1% of ~200 traded) exceeds the equity

    receipt = long.rebalance(sender=alice)
    event = only_event(receipt, pool.KnockedOut)
    assert event.lostEquity == equity and event.price == 1_335 * WAD
    assert not list(receipt.events.filter(pool.Rebalanced))
    state = pool.seriesState(long)
    assert state.knockedOut and state.equity == 0 and state.exposure == 0
    set_price(oracle, 3_000, owner)  # a recovery gives the dead series nothing
    assert pool.equityOf(long) == 0 and long.nav() == 0
    with reverts_with(pool.SeriesKnockedOut, token=long.address):
        long.mint(100 * USDC, 0, alice, sender=alice)


def test_an_exposure_past_uint112_is_not_flagged_for_upkeep_and_reverts_with_its_cause(owner, lp, alice):
    """Before: `rebalanceStatusOf`/`checkUpkeep` flagged a rebalance whose new exposure overflows uint112,
    so keepers paid for a revert."""
    asset, oracle, pool, tokens = build_system(owner, lp, (alice,), series=(("ETH3S", False),))
    short = tokens["ETH3S"]
    cash = 10**13 * USDC  # ten trillion: E = 1e13, x = 1.5e10 units at 2,000
    asset.mint(alice, cash, sender=owner)
    asset.mint(lp, cash, sender=owner)
    pool.deposit(cash, lp, sender=lp)
    short.mint(cash, 0, alice, sender=alice)
    set_price(oracle, "0.01", owner)  # the short gains ~3e13; x' = 3 * 4e13 / 0.01 = 1.2e16 units > 5.19e15
    equity = pool.equityOf(short)
    x_new = 3 * WAD * equity // (WAD // 100)
    assert x_new > U112
    assert short.leverage() < 25 * WAD // 10  # drifted below its band...
    assert short.rebalanceStatus() == NONE  # ...but the rebalance cannot be done
    _, perform_data = pool.checkUpkeep(b"")
    assert int.from_bytes(perform_data[:32], "big") == 0  # no series bit set (a health report may be due)
    with reverts_with(pool.SafeCastOverflowedUintDowncast, bits=112, value=x_new):
        short.rebalance(sender=alice)


def test_a_gain_past_uint112_reverts_instead_of_truncating_the_equity(owner, lp, alice):
    """Before: `_settle` stored `uint112(equity)` unchecked: a gain past 2**112 wei silently vanished."""
    asset, oracle, pool, tokens = build_system(owner, lp, (alice,), series=(("ETH3L", True),))
    long = tokens["ETH3L"]
    cash = 4 * 10**15 * USDC  # E = 4e15 (< 2**112 wei = 5.19e15)
    asset.mint(alice, cash, sender=owner)
    asset.mint(lp, cash, sender=owner)
    pool.deposit(cash, lp, sender=lp)
    long.mint(cash, 0, alice, sender=alice)
    set_price(oracle, 3_000, owner)  # +50%: E = 4e15 * 2.5 = 1e16 > 2**112 wei
    equity = pool.equityOf(long)
    assert equity > U112
    with reverts_with(pool.SafeCastOverflowedUintDowncast, bits=112, value=equity):
        long.redeem(WAD, 0, alice, sender=alice)
    set_price(oracle, 2_000, owner)  # back in range: the holder's equity was never cut
    assert pool.equityOf(long) == cash * 10**12
    long.redeem(WAD, 0, alice, sender=alice)


def test_set_series_params_emits_the_floor_breach_its_settlement_reveals(owner, lp, alice):
    """Before: `setSeriesParams` settled (possibly latching a knock-out) but never synced the floor flag."""
    p = params()
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), series=(("ETH3L", True),),
                                           series_params=p, lp_capital=2_000)
    long = tokens["ETH3L"]
    long.mint(10_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, 2_200, owner)  # +10%: the long gains 3,000; reserve 2,000 - 3,000 < floor
    assert pool.reserve() < pool.floor() and not pool.floorBreached()
    receipt = pool.setSeriesParams(long, p, sender=owner)
    event = only_event(receipt, pool.ReserveFloorBreached)
    assert event.reserve == pool.reserve() and event.floor == pool.floor()
    assert pool.floorBreached()


def test_model_agrees_on_each_regression():
    """The model mirrors each fix (the fuzzer compares it with the chain on every step as well)."""
    from levtoken.fuzz.harness import _model_only_factory
    from levtoken.fuzz.system import FuzzConfig, SeriesSpec

    spread = params(target=3, lo=2.5, hi=3.5, spread=0.01)
    config = FuzzConfig(series=(SeriesSpec("ETH3L", True, spread), SeriesSpec("ETH3S", False, params())),
                        actor_cash=10**16, lp_capital=10**13, keeper_reward=0)
    factory, (_, actors, _, _, _, (long, short)) = _model_only_factory(config)
    m = factory()
    alice = actors[1]
    m.mint(alice, long, 100 * USDC, 0, alice)
    m.set_answer(1_335 * 10**8)
    assert m.rebalance_status_of(long) == KNOCK_OUT
    assert m.rebalance(alice, long) == KNOCK_OUT
    assert m.events[0][0] == "KnockedOut" and m.series_state(long).exposure == 0

    m.mint(alice, short, 10**13 * USDC, 0, alice)
    m.set_answer(10**6)
    assert m.rebalance_status_of(short) == NONE
    try:
        m.rebalance(alice, short)
    except SafeCastOverflowedUintDowncast as exc:
        assert exc.args[0] == 112 and exc.args[1] > U112
    else:
        raise AssertionError("the model rebalanced an exposure past uint112")


def test_model_reverts_a_gain_past_uint112_and_syncs_the_floor_in_set_series_params():
    from levtoken.fuzz.harness import _model_only_factory
    from levtoken.fuzz.system import FuzzConfig, SeriesSpec

    config = FuzzConfig(series=(SeriesSpec("ETH3L", True, params()),), actor_cash=10**16, lp_capital=2_000,
                        keeper_reward=0)
    factory, (owner, actors, *_, (long,)) = _model_only_factory(config)
    m = factory()
    alice, whale = actors[1], actors[2]
    m.mint(alice, long, 10_000 * USDC, 0, alice)
    m.set_answer(2_200 * 10**8)  # the long gains 3,000: reserve 2,000 - 3,000 < floor, flag still down
    assert m.reserve() < m.floor() and not m.floor_breached
    m.set_series_params(owner, long, params())
    assert m.floor_breached and [n for n, _ in m.events][0] == "ReserveFloorBreached"

    m = factory()
    m.asset_mint(whale, 4 * 10**15 * USDC)
    m.asset_mint(actors[0], 4 * 10**15 * USDC)
    m.deposit(actors[0], 4 * 10**15 * USDC, actors[0])
    m.mint(whale, long, 4 * 10**15 * USDC, 0, whale)
    m.set_answer(3_000 * 10**8)
    equity = m.equity_of(long)
    assert equity > U112
    try:
        m.redeem(whale, long, WAD, 0, whale)
    except SafeCastOverflowedUintDowncast as exc:
        assert tuple(exc.args) == (112, equity)
    else:
        raise AssertionError("the model stored an equity past uint112")


def test_streaming_fee_rounding_alone_never_knocks_out_a_dust_series(owner, lp, alice):
    """Issue 8: with any streaming fee, each settlement of a 100-wei series took a rounded-up wei, so about
    100 rebalances knocked it out and left a dead slot for good (all MAX_SERIES slots could be bricked for
    a few units each). The fee is now capped at equity - 1 wei: only the market knocks a series out."""
    p = params(streaming_fee=0.1)  # 10% a year: ceil() makes each hourly fee on 100 wei one whole wei
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), series=(("ETH3L", True),), series_params=p)
    long = tokens["ETH3L"]
    long.mint(1, 0, alice, sender=alice)
    held = long.balanceOf(alice)
    assert held == 10**10
    long.redeem(held - 1, 0, alice, sender=alice)
    assert pool.equityOf(long) == 100 and pool.seriesState(long).exposure == 0
    for _ in range(110):  # more settlements than the equity has wei
        warp(3_600)
        set_price(oracle, 2_000, owner)  # a fresh answer at the same price
        long.rebalance(sender=alice)
    state = pool.seriesState(long)
    assert not state.knockedOut and state.equity == 1
    assert pool.liabilities() == 1


def test_model_never_knocks_out_a_dust_series_through_fee_rounding():
    from levtoken.fuzz.harness import _model_only_factory
    from levtoken.fuzz.system import FuzzConfig, SeriesSpec

    config = FuzzConfig(series=(SeriesSpec("ETH3L", True, params(streaming_fee=0.1)),), actor_cash=10**16,
                        lp_capital=10**13, keeper_reward=0)
    factory, (_, actors, *_, (long,)) = _model_only_factory(config)
    m = factory()
    alice = actors[1]
    tokens = m.mint(alice, long, 1, 0, alice)
    assert tokens == 10**10
    m.redeem(alice, long, tokens - 1, 0, alice)
    assert m.equity_of(long) == 100
    for _ in range(110):
        m.warp(3_600)
        m.set_answer(2_000 * 10**8)
        m.rebalance(alice, long)
    assert not m.series_state(long).knockedOut and m.series_state(long).equity == 1
