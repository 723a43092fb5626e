"""Named regressions for the bugs the model's differential runs found in the contracts (issue 3), and for
the attacks issue 8 measured that have a fix landed.

Each test also runs the same steps on `levtoken.model`, which must agree (same numbers, same errors).
"""

import pytest
from conftest import NO_UTILIZATION_CAP, USDC, WAD, build_system, lp_deposit, params, set_price, warp
from eth_abi import encode
from helpers import YEAR, block_time, ceil_div, only_event, reverts_with

from levtoken.model.errors import (
    NoUpkeepNeeded,
    RebalanceTooSmall,
    ResidualTooSmall,
    SafeCastOverflowedUintDowncast,
)
from levtoken.model.libraries.series import LOCK_ADDRESS, LOCKED_SUPPLY, MIN_BALANCE

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
    lp_deposit(pool, oracle, owner, lp, cash)
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
    lp_deposit(pool, oracle, owner, lp, cash)
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
    from levtoken.model.bench import deposit_now

    config = FuzzConfig(series=(SeriesSpec("ETH3L", True, params()),), actor_cash=10**16, lp_capital=2_000,
                        keeper_reward=0)
    factory, (owner, actors, *_, (long,)) = _model_only_factory(config)

    def new_model():  # as the chain tests' build_system: no utilization cap in practice (1,000x)
        m = factory()
        m.set_max_utilization(owner, NO_UTILIZATION_CAP)
        return m

    m = new_model()
    alice, whale = actors[1], actors[2]
    m.mint(alice, long, 10_000 * USDC, 0, alice)
    m.set_answer(2_200 * 10**8)  # the long gains 3,000: reserve 2,000 - 3,000 < floor, flag still down
    assert m.reserve() < m.floor() and not m.floor_breached
    m.set_series_params(owner, long, params())
    assert m.floor_breached and [n for n, _ in m.events][0] == "ReserveFloorBreached"

    m = new_model()
    m.asset_mint(whale, 4 * 10**15 * USDC)
    m.asset_mint(actors[0], 4 * 10**15 * USDC)
    deposit_now(m, actors[0], 4 * 10**15 * USDC)  # request, a round a minute on, execute, claim
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


# --------------------------------------------------------------------------- issue 8: dust states


def _fee(equity, elapsed, rate=WAD // 10):
    """The streaming fee of `equity` over `elapsed` seconds: ceil(E * rate * t / (WAD * YEAR)), capped at
    equity - 1 (SeriesMath.streamingFee)."""
    if equity == 0 or elapsed == 0:
        return 0
    return min(equity - 1, ceil_div(equity * rate * elapsed, WAD * YEAR))


def _dust_price(e0, x, p0, step=10**10):
    """The lowest price on an 8-decimal feed (multiples of `step` wei) at which a long with equity `e0` and
    exposure `x` marked at `p0` keeps equity > 0, and that equity. The loss ceil(x*move) stays below e0 while
    x*move <= e0 - 1, so the largest move is floor((e0 - 1) / (x*step)) steps; one step more loses at most
    ceil(x*step) = 2 wei more (x = 1.5e8: 1.5 wei a step), so the equity left is 1 or 2 wei."""
    k = (e0 - 1) * WAD // (x * step)
    left = e0 - ceil_div(x * k * step, WAD)
    assert e0 - ceil_div(x * (k + 1) * step, WAD) <= 0 < left <= 2
    return p0 - k * step, left


def test_a_dust_series_pays_no_keeper_for_rebalances_that_trade_nothing(owner, lp, keeper):
    """Issue 8 ("dust states"): an attacker minted 1 unit into a fresh series and redeemed all but 1 wei of
    the tokens. The series kept 100 wei of equity and an exposure rounded to 0: leverage 0 < 2.5x, a Drift
    that no rebalance could cure, so every `rebalance()` "succeeded" without trading and was paid the keeper
    reward, up to the daily cap, every day, out of the LPs' reserve. Step 2c closes each step: the first mint
    locks LOCKED_SUPPLY tokens and a redeem may not leave 0 < balance < MIN_BALANCE, so the least the attacker
    can leave is the locked supply, at NAV 100 and 3x like the rest of the series; and a rebalance that trades
    less than the minimum notional reverts RebalanceTooSmall, is never flagged by checkUpkeep, and pays
    nothing, however it is called."""
    usdc, oracle, pool, tokens = build_system(owner, lp, (keeper,), series=(("ETH3L", True),),
                                              series_params=params(fallback=3_600))  # a Fallback due hourly
    long = tokens["ETH3L"]
    pool.setKeeperReward(USDC, 24 * USDC, sender=owner)  # 1 unit a rebalance, 24 a day
    start, pooled = usdc.balanceOf(keeper), pool.poolAssets()

    long.mint(1, 0, keeper, sender=keeper)  # 1 unit = 1e12 wei buys 1e10 tokens at NAV 100
    held = long.balanceOf(keeper)
    assert held == 10**10 - LOCKED_SUPPLY and long.balanceOf(LOCK_ADDRESS) == LOCKED_SUPPLY
    for keep in (1, MIN_BALANCE - 1):  # the old dust position, and the largest residual still refused
        with reverts_with(long.ResidualTooSmall, remaining=keep, minimum=MIN_BALANCE):
            long.redeem(held - keep, 0, keeper, sender=keeper)
    assert long.redeem(held, 0, keeper, sender=keeper).return_value == 0  # 9e11 wei: under 1 unit
    # the locked supply keeps E = 1e12 - floor(9e9 * 1e12 / 1e10) = 1e11 wei, x = floor(1.5e9 * 1e11 / 1e12)
    state = pool.seriesState(long)
    assert long.totalSupply() == LOCKED_SUPPLY
    assert (state.equity, state.exposure) == (10**11, 15 * 10**7) and long.leverage() == 3 * WAD

    forced = encode(["uint256", "bool", "uint80[]"], [1, False, []])  # performData naming the series, no health report
    for _ in range(24):  # a day of hourly attempts: the Fallback is due, but the series is at target
        warp(3_600)
        set_price(oracle, 2_000, owner)
        assert long.rebalanceStatus() == NONE
        _, data = pool.checkUpkeep(b"")
        assert int.from_bytes(data[:32], "big") == 0  # not flagged
        with reverts_with(pool.RebalanceTooSmall, notional=0, minimum=WAD):
            long.rebalance(sender=keeper)
        with reverts_with(pool.NoUpkeepNeeded):  # forced through performUpkeep: UpkeepFailed, nothing done
            pool.performUpkeep(forced, sender=keeper)
    # a fall to 1,800 drifts it out of its band (E 7e10, 3.86x), but the trade is worth 6e-8 of a unit
    set_price(oracle, 1_800, owner)
    x_new = 3 * WAD * (7 * 10**10) // (1_800 * WAD)
    notional = (15 * 10**7 - x_new) * 1_800
    assert long.leverage() > 35 * WAD // 10 and long.rebalanceStatus() == NONE
    with reverts_with(pool.RebalanceTooSmall, notional=notional, minimum=WAD):
        long.rebalance(sender=keeper)

    assert usdc.balanceOf(keeper) == start - 1  # the attacker lost the unit it minted with, gained nothing
    assert pool.poolAssets() == pooled + 1  # and the reserve paid no reward


def test_model_pays_no_keeper_for_a_dust_series_rebalances_that_trade_nothing():
    from levtoken.fuzz.harness import _model_only_factory
    from levtoken.fuzz.system import FuzzConfig, SeriesSpec

    config = FuzzConfig(series=(SeriesSpec("ETH3L", True, params(fallback=3_600)),), actor_cash=10**16,
                        lp_capital=1_000_000, keeper_reward=1, keeper_reward_daily_cap=24)
    factory, (_, actors, *_, (long,)) = _model_only_factory(config)
    m = factory()
    attacker = actors[1]
    start, pooled = m.asset_balance_of(attacker), m.pool_assets
    held = m.mint(attacker, long, 1, 0, attacker)
    assert held == 10**10 - LOCKED_SUPPLY and m.token_balance_of(long, LOCK_ADDRESS) == LOCKED_SUPPLY
    for keep in (1, MIN_BALANCE - 1):
        with pytest.raises(ResidualTooSmall) as info:
            m.redeem(attacker, long, held - keep, 0, attacker)
        assert info.value == ResidualTooSmall(keep, MIN_BALANCE)
    assert m.redeem(attacker, long, held, 0, attacker) == 0
    state = m.series_state(long)
    assert (state.equity, state.exposure) == (10**11, 15 * 10**7)
    assert m.token_total_supply(long) == LOCKED_SUPPLY
    for _ in range(24):
        m.warp(3_600)
        m.set_answer(2_000 * 10**8)
        assert m.rebalance_status_of(long) == NONE and m.check_upkeep()[1] == 0
        with pytest.raises(RebalanceTooSmall) as info:
            m.rebalance(attacker, long)
        assert info.value == RebalanceTooSmall(0, WAD)
        with pytest.raises(NoUpkeepNeeded):
            m.perform_upkeep(attacker, 1, False)
    m.set_answer(1_800 * 10**8)
    with pytest.raises(RebalanceTooSmall) as info:
        m.rebalance(attacker, long)
    x_new = 3 * WAD * (7 * 10**10) // (1_800 * WAD)
    assert info.value == RebalanceTooSmall((15 * 10**7 - x_new) * 1_800, WAD)
    assert m.asset_balance_of(attacker) == start - 1 and m.pool_assets == pooled + 1


def test_streaming_fee_rounding_alone_never_knocks_out_a_dust_series(owner, lp, alice):
    """Issue 8: with any streaming fee, each settlement of a 100-wei series took a rounded-up wei, so about
    100 rebalances knocked it out and left a dead slot for good (all MAX_SERIES slots could be bricked for
    a few units each). The fee is now capped at equity - 1 wei: only the market knocks a series out.
    Step 2c: that 100-wei series can no longer be made (a redeem leaves 0 or at least MIN_BALANCE, and the
    locked supply keeps about 1e11 wei), so here the market makes the dust: a fall to the last feed step
    above the knock-out price leaves the locked supply 1 or 2 wei. Its rebalance trades less than the
    minimum notional, so it reverts and settles nothing; with the minimum at 0 (the owner's choice) each
    rebalance settles again, and 110 of them, an hour of the 10% fee each, still leave 1 wei."""
    p = params(fallback=3_600, streaming_fee=0.1)  # 10% a year: ceil() makes each hourly fee on dust 1 wei
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), series=(("ETH3L", True),), series_params=p)
    long = tokens["ETH3L"]
    t_mint = block_time(long.mint(1, 0, alice, sender=alice))
    held = long.balanceOf(alice)
    assert held == 10**10 - LOCKED_SUPPLY
    with reverts_with(long.ResidualTooSmall, remaining=1, minimum=MIN_BALANCE):
        long.redeem(held - 1, 0, alice, sender=alice)  # the old dust position
    t_redeem = block_time(long.redeem(held, 0, alice, sender=alice))
    equity = 10**12 - _fee(10**12, t_redeem - t_mint)  # settled by the redeem
    e0 = equity - held * equity // 10**10  # what the locked supply keeps
    x = 15 * 10**8 * e0 // equity
    state = pool.seriesState(long)
    assert (state.equity, state.exposure, state.markPrice) == (e0, x, 2_000 * WAD)
    assert e0 > 10**11 - 10**3 and x == 15 * 10**7  # LOCKED_SUPPLY at NAV 100, less seconds of fee: not dust

    price, left = _dust_price(e0, x, 2_000 * WAD)
    warp(3_600)
    oracle.updateAnswer(price // 10**10, sender=owner)
    assert pool.equityOf(long) == 1  # `left` (1 or 2 wei) less an hour's fee, capped at left - 1
    assert long.rebalanceStatus() == NONE  # a Drift (leverage ~2e11x) that trades ~2e-7 of a unit
    with reverts_with(pool.RebalanceTooSmall, notional=x * price // WAD, minimum=WAD):
        long.rebalance(sender=alice)
    assert pool.seriesState(long).settledAt == state.settledAt  # nothing settled

    pool.setMinTradeNotional(0, sender=owner)
    for _ in range(110):  # more settlements than a 100-wei series had wei
        warp(3_600)
        oracle.updateAnswer(price // 10**10, sender=owner)  # a fresh answer at the same price
        long.rebalance(sender=alice)
    state = pool.seriesState(long)
    assert not state.knockedOut and state.equity == 1 and state.exposure == 0
    assert pool.liabilities() == 1


def test_model_never_knocks_out_a_dust_series_through_fee_rounding():
    from levtoken.fuzz.harness import _model_only_factory
    from levtoken.fuzz.system import FuzzConfig, SeriesSpec

    config = FuzzConfig(series=(SeriesSpec("ETH3L", True, params(fallback=3_600, streaming_fee=0.1)),),
                        actor_cash=10**16, lp_capital=10**13, keeper_reward=0)
    factory, (owner, actors, *_, (long,)) = _model_only_factory(config)
    m = factory()
    alice = actors[1]
    held = m.mint(alice, long, 1, 0, alice)
    assert held == 10**10 - LOCKED_SUPPLY
    with pytest.raises(ResidualTooSmall):
        m.redeem(alice, long, held - 1, 0, alice)
    m.warp(1)
    m.redeem(alice, long, held, 0, alice)
    equity = 10**12 - _fee(10**12, 1)
    e0 = equity - held * equity // 10**10
    state = m.series_state(long)
    assert (state.equity, state.exposure) == (e0, 15 * 10**8 * e0 // equity)
    price, _ = _dust_price(e0, state.exposure, 2_000 * WAD)
    m.warp(3_600)
    m.set_answer(price // 10**10)
    assert m.equity_of(long) == 1 and m.rebalance_status_of(long) == NONE
    with pytest.raises(RebalanceTooSmall) as info:
        m.rebalance(alice, long)
    assert info.value == RebalanceTooSmall(state.exposure * price // WAD, WAD)
    m.set_min_trade_notional(owner, 0)
    for _ in range(110):
        m.warp(3_600)
        m.set_answer(price // 10**10)
        m.rebalance(alice, long)
    state = m.series_state(long)
    assert not state.knockedOut and state.equity == 1 and state.exposure == 0


def test_a_mint_into_a_series_stuck_outside_its_band_enters_at_target_not_at_the_drifted_leverage(
        owner, lp, alice, bob):
    """Found while landing step 2c: a series too small to trade the minimum notional cannot be rebalanced,
    so after a fall its leverage can reach 1e11x. A mint that kept that leverage gave 1 unit of USDC 150 ETH
    of exposure, and a +1% move then paid 2,000 USDC from the reserve. A mint into a series outside its
    band now enters at target: the attacker's gain is the honest 3x of the move, and the series is back
    in its band."""
    asset, oracle, pool, tokens = build_system(owner, lp, (alice, bob), series=(("ETH3L", True),))
    long_ = tokens["ETH3L"]
    long_.mint(1, 0, alice, sender=alice)  # 1e-6 USDC: 1e10 tokens, 1e9 of them locked
    long_.redeem(long_.balanceOf(alice), 0, alice, sender=alice)
    assert long_.totalSupply() == LOCKED_SUPPLY
    set_price(oracle, "1333.33333334", owner)  # the locked supply's equity falls to a few wei
    assert long_.leverage() > 10**10 * WAD
    assert long_.rebalanceStatus() == 0  # its rebalance would trade far less than the minimum notional

    before, reserve = asset.balanceOf(bob), pool.reserve()
    long_.mint(1, 0, bob, sender=bob)  # the attack: 1 unit (1e-6 USDC) just before a +1% update
    assert 25 * WAD // 10 <= long_.leverage() <= 35 * WAD // 10  # back in the band, at about 3x
    set_price(oracle, "1346.66666671", owner)  # +1%
    long_.redeem(long_.balanceOf(bob), 0, bob, sender=bob)
    assert asset.balanceOf(bob) - before <= 0  # 3% of 1 unit rounds to nothing (it was +2,000 USDC)
    assert pool.reserve() >= reserve - WAD // 10**6  # the reserve lost at most dust
