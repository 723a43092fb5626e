"""Rebalance: triggers, target exposure, spread cost, events, status view, pause, keeper reward (SPEC 3, 5)."""


from ape import chain
from conftest import USDC, WAD, params, set_price, warp
from eth_abi import decode
from helpers import block_time, ceil_div, leverage, new_series, reverts_with

SCALE = 10**12
INITIAL_NAV = 100 * WAD
DAY = 86_400
NONE, DRIFT, FALLBACK, KNOCKOUT = 0, 1, 2, 4


def long_equity(e0, x, p0, p):
    """Equity of a long at p (gain rounds down, loss rounds up), floored at 0."""
    if p >= p0:
        return e0 + x * (p - p0) // WAD
    return max(0, e0 - ceil_div(x * (p0 - p), WAD))


def short_equity(e0, x, p0, p):
    if p <= p0:
        return e0 + x * (p0 - p) // WAD
    return max(0, e0 - ceil_div(x * (p - p0), WAD))


def seed(token, holder):
    """10,000 USDC at 2,000 into a 3x series: 100 tokens, equity 10,000, exposure 15."""
    token.mint(10_000 * USDC, 0, holder, sender=holder)
    assert token.exposure() == 15 * WAD


def test_drift_above_max_leverage_triggers_and_restores_target(pool, eth3l, oracle, owner, alice, keeper):
    seed(eth3l, alice)
    set_price(oracle, 1_800, owner)
    p = 1_800 * WAD
    equity = 7_000 * WAD
    lev = leverage(15 * WAD, p, equity)
    assert lev == 3_857_142_857_142_857_142 > 35 * WAD // 10
    assert eth3l.leverage() == lev
    assert eth3l.rebalanceStatus() == DRIFT

    receipt = eth3l.rebalance(sender=keeper)

    assert receipt.return_value == DRIFT
    assert receipt.events.filter(pool.Rebalanced)[0].trigger == DRIFT
    x_new = 3 * WAD * equity // p
    assert eth3l.exposure() == x_new
    assert eth3l.leverage() == leverage(x_new, p, equity)
    assert 3 * WAD - 2 <= eth3l.leverage() <= 3 * WAD
    assert eth3l.nav() == 70 * WAD  # zero spread: NAV unchanged
    assert eth3l.equity() == equity
    assert pool.seriesState(eth3l).lastRebalance == block_time(receipt)


def test_drift_below_min_leverage_triggers_and_restores_target(pool, eth3l, oracle, owner, alice, keeper):
    seed(eth3l, alice)
    set_price(oracle, 2_300, owner)
    p = 2_300 * WAD
    equity = 14_500 * WAD
    lev = leverage(15 * WAD, p, equity)
    assert lev == 2_379_310_344_827_586_206 < 25 * WAD // 10
    assert eth3l.rebalanceStatus() == DRIFT

    receipt = eth3l.rebalance(sender=keeper)

    assert receipt.return_value == DRIFT
    assert receipt.events.filter(pool.Rebalanced)[0].trigger == DRIFT
    x_new = 3 * WAD * equity // p
    assert eth3l.exposure() == x_new
    assert eth3l.leverage() == leverage(x_new, p, equity)
    assert 3 * WAD - 2 <= eth3l.leverage() <= 3 * WAD
    assert eth3l.nav() == 145 * WAD


def test_short_series_drifts_the_other_way(pool, eth3s, oracle, owner, alice, keeper):
    seed(eth3s, alice)
    set_price(oracle, 2_150, owner)
    p = 2_150 * WAD
    equity = short_equity(10_000 * WAD, 15 * WAD, 2_000 * WAD, p)
    assert equity == 7_750 * WAD
    assert eth3s.leverage() == leverage(15 * WAD, p, equity) > 35 * WAD // 10
    assert eth3s.rebalance(sender=keeper).return_value == DRIFT
    assert eth3s.exposure() == 3 * WAD * equity // p


def test_fallback_triggers_inside_band_after_interval(pool, eth3l, oracle, owner, alice, keeper):
    seed(eth3l, alice)
    warp(DAY)
    set_price(oracle, 2_050, owner)
    p = 2_050 * WAD
    equity = 10_750 * WAD
    lev = leverage(15 * WAD, p, equity)
    assert 25 * WAD // 10 <= lev <= 35 * WAD // 10
    assert eth3l.rebalanceStatus() == FALLBACK

    receipt = eth3l.rebalance(sender=keeper)

    assert receipt.return_value == FALLBACK
    assert receipt.events.filter(pool.Rebalanced)[0].trigger == FALLBACK
    assert eth3l.exposure() == 3 * WAD * equity // p
    # the fallback clock restarts: no trigger right after
    assert eth3l.rebalanceStatus() == NONE


def test_no_trigger_inside_band_before_fallback_reverts_with_leverage(pool, eth3l, oracle, owner, alice, keeper):
    seed(eth3l, alice)
    set_price(oracle, 2_050, owner)
    lev = leverage(15 * WAD, 2_050 * WAD, 10_750 * WAD)
    assert lev == 2_860_465_116_279_069_767
    assert eth3l.rebalanceStatus() == NONE
    with reverts_with(pool.NoRebalanceTrigger, leverage=lev):
        eth3l.rebalance(sender=keeper)


def test_rebalance_nav_changes_only_by_spread_cost_and_event_has_every_field(pool, oracle, owner, alice, keeper, usdc):
    token = new_series(pool, owner, "SPR3L", params(spread=0.001))
    seed(token, alice)
    set_price(oracle, 1_800, owner)
    p = 1_800 * WAD
    equity = 7_000 * WAD
    x = 15 * WAD
    x_new = 3 * WAD * equity // p
    cost = ceil_div(ceil_div((x - x_new) * p, WAD) * 10**15, WAD)  # ceil(|x'-x|*P*spread)
    assert cost == 6_000_000_000_000_000_002  # 0.1% of (15 - 11.666666666666666666) * 1,800, rounded up
    new_equity = equity - cost
    reserve_before = pool.reserve()
    keeper_cash = usdc.balanceOf(keeper)

    receipt = token.rebalance(sender=keeper)

    assert token.equity() == new_equity
    assert token.exposure() == x_new
    assert token.nav() == new_equity * WAD // (100 * WAD)
    assert pool.reserve() - reserve_before == cost
    assert usdc.balanceOf(keeper) == keeper_cash  # no keeper reward configured
    events = receipt.events.filter(pool.Rebalanced)
    assert len(events) == 1
    ev = events[0]
    assert ev.token == token.address
    assert ev.trigger == DRIFT
    assert ev.price == p
    assert ev.leverageBefore == leverage(x, p, equity)
    assert ev.leverageAfter == leverage(x_new, p, new_equity)
    assert ev.exposureBefore == x
    assert ev.exposureAfter == x_new
    assert ev.navBefore == 70 * WAD
    assert ev.navAfter == new_equity * WAD // (100 * WAD)
    assert ev.cost == cost
    assert ev.keeper == keeper.address
    assert len(receipt.events.filter(pool.KeeperRewarded)) == 0


def test_rebalance_status_agrees_with_rebalance(pool, eth3l, eth3s, oracle, owner, alice, bob, keeper):
    def check(token):
        status = token.rebalanceStatus()
        if status == NONE:
            with reverts_with(pool.NoRebalanceTrigger):
                token.rebalance(sender=keeper)
        else:
            assert token.rebalance(sender=keeper).return_value == status
        return status

    assert check(eth3s) == NONE  # empty
    seed(eth3l, alice)
    seed(eth3s, bob)
    assert check(eth3l) == NONE  # fresh, at target
    set_price(oracle, 2_100, owner)
    assert check(eth3l) == NONE  # inside band
    assert check(eth3s) == DRIFT  # short loses: 15*2100/8500 > 3.5
    warp(DAY)
    set_price(oracle, 2_100, owner)
    assert check(eth3l) == FALLBACK
    pool.pause(sender=owner)
    set_price(oracle, 2_400, owner)  # below the band, but the exposure would grow while paused
    assert eth3l.rebalanceStatus() == NONE
    with reverts_with(pool.EnforcedPause):
        eth3l.rebalance(sender=keeper)
    set_price(oracle, 1_900, owner)
    assert check(eth3l) == DRIFT  # exposure shrinks: allowed while paused
    set_price(oracle, 1_200, owner)
    assert check(eth3l) == KNOCKOUT


def test_pause_blocks_exposure_increasing_rebalance(pool, eth3l, oracle, owner, alice, keeper):
    seed(eth3l, alice)
    pool.pause(sender=owner)
    set_price(oracle, 2_300, owner)  # long gained: target exposure 3*14,500/2,300 > 15
    assert eth3l.rebalanceStatus() == NONE
    with reverts_with(pool.EnforcedPause):
        eth3l.rebalance(sender=keeper)
    pool.unpause(sender=owner)
    assert eth3l.rebalanceStatus() == DRIFT
    assert eth3l.rebalance(sender=keeper).return_value == DRIFT
    assert eth3l.exposure() == 3 * WAD * 14_500 * WAD // (2_300 * WAD) > 15 * WAD


def test_pause_allows_exposure_reducing_rebalance(pool, eth3l, oracle, owner, alice, keeper):
    seed(eth3l, alice)
    pool.pause(sender=owner)
    set_price(oracle, 1_800, owner)  # long lost: target exposure 3*7,000/1,800 < 15
    assert eth3l.rebalanceStatus() == DRIFT
    assert eth3l.rebalance(sender=keeper).return_value == DRIFT
    assert eth3l.exposure() == 3 * WAD * 7_000 * WAD // (1_800 * WAD) < 15 * WAD


def test_keeper_reward_is_paid_to_caller_and_capped_per_utc_day(pool, eth3l, eth3s, usdc, oracle, owner, alice, bob,
                                                               keeper, stranger):
    reward, cap = 10 * USDC, 15 * USDC
    pool.setKeeperReward(reward, cap, sender=owner)
    # start at 01:00 UTC of a fresh day so every call below falls on the same UTC day
    now = chain.pending_timestamp
    warp((now // DAY + 1) * DAY + 3_600 - now)
    set_price(oracle, 2_000, owner)
    seed(eth3l, alice)
    seed(eth3s, bob)
    set_price(oracle, 2_300, owner)  # both drift

    def rebalance(token, caller):
        cash = usdc.balanceOf(caller)
        pooled = pool.poolAssets()
        receipt = token.rebalance(sender=caller)
        assert receipt.events.filter(pool.Rebalanced)[0].keeper == caller.address
        paid = usdc.balanceOf(caller) - cash
        assert pooled - pool.poolAssets() == paid  # paid by the reserve
        rewarded = receipt.events.filter(pool.KeeperRewarded)
        if paid:
            assert len(rewarded) == 1
            assert rewarded[0].keeper == caller.address
            assert rewarded[0].token == token.address
            assert rewarded[0].assets == paid
        else:
            assert len(rewarded) == 0
        return paid

    reserve_before = pool.reserve()
    assert rebalance(eth3l, keeper) == reward
    assert pool.reserve() == reserve_before - reward * SCALE
    assert rebalance(eth3s, stranger) == cap - reward  # second of the day: what is left of the cap
    set_price(oracle, 2_600, owner)
    assert eth3l.rebalanceStatus() == DRIFT
    assert rebalance(eth3l, keeper) == 0  # third: cap used up
    assert usdc.balanceOf(stranger) == cap - reward

    warp(DAY)  # next UTC day: the cap resets
    # a fresh answer 10 above: ETH3L (at target since 2,600) has its Fallback and now trades ~2·x·10 = 466
    # of notional; at 2,600 itself it would trade nothing and revert RebalanceTooSmall (and pay nothing)
    set_price(oracle, 2_610, owner)
    assert eth3l.rebalanceStatus() == FALLBACK
    assert rebalance(eth3l, keeper) == reward
    assert rebalance(eth3s, keeper) == cap - reward


def test_empty_series_never_has_a_trigger(pool, eth3s, oracle, owner, keeper):
    warp(3 * DAY)
    set_price(oracle, 2_900, owner)
    assert eth3s.totalSupply() == 0
    assert eth3s.rebalanceStatus() == NONE
    with reverts_with(pool.NoRebalanceTrigger, leverage=0):
        eth3s.rebalance(sender=keeper)


def test_rebalance_of_knocked_out_series_reverts(pool, eth3l, oracle, owner, alice, keeper):
    seed(eth3l, alice)
    set_price(oracle, 1_200, owner)
    assert eth3l.rebalance(sender=keeper).return_value == KNOCKOUT  # latches the knock-out
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        eth3l.rebalance(sender=keeper)


def test_rebalance_for_called_directly_reverts_only_series(pool, stranger):
    with reverts_with(pool.OnlySeries, caller=stranger.address):
        pool.rebalanceFor(stranger, WAD, sender=stranger)


def test_leverage_exactly_on_either_band_edge_is_inside_the_band(pool, eth3l, oracle, owner, alice, keeper):
    # Issue 8's mutation pass: no test put the leverage exactly on an edge, so Drift at `lev >= max` (or
    # `lev <= min`) survived. The band is moved onto the series' current (rounded) leverage: on the edge is
    # inside, one wei past it is Drift.
    seed(eth3l, alice)
    for price, equity in ((1_900, 8_500), (2_100, 11_500)):
        set_price(oracle, price, owner)
        lev = leverage(15 * WAD, price * WAD, equity * WAD)
        assert eth3l.leverage() == lev and lev % 10**17 != 0  # not a round number: the edge is hit exactly
        above = lev > 3 * WAD
        for edge, status in ((lev - 1 if above else lev + 1, DRIFT), (lev, NONE)):
            band = (25 * WAD // 10, edge) if above else (edge, 35 * WAD // 10)
            pool.setSeriesParams(eth3l, (3 * WAD, *band, DAY, 0, 0, 0, 0), sender=owner)
            assert eth3l.leverage() == lev  # settling at the same price moved nothing
            assert eth3l.rebalanceStatus() == status
        with reverts_with(pool.NoRebalanceTrigger, leverage=lev):  # the band ends on the edge
            eth3l.rebalance(sender=keeper)


def test_pause_allows_a_fallback_rebalance_that_keeps_the_exposure(pool, eth3l, oracle, owner, alice, keeper):
    # Issue 8's mutation pass: a rebalance whose new exposure equals the old one is not an increase, so a
    # pause does not stop it; no test had one (`after >= before` counted as an increase survived). Step 2c:
    # that rebalance trades nothing, so under the default minimum notional (1e18) it reverts
    # RebalanceTooSmall(0, 1e18), and not EnforcedPause, which the pause gate (checked first, for increases
    # only) raises for an increase; with the minimum at 0 it goes ahead while paused, as before.
    seed(eth3l, alice)
    warp(DAY)
    set_price(oracle, 2_000, owner)  # same price: the target exposure is the current one
    assert 3 * WAD * (10_000 * WAD) // (2_000 * WAD) == 15 * WAD
    pool.pause(sender=owner)
    assert pool.minTradeNotional() == WAD
    assert eth3l.rebalanceStatus() == NONE
    with reverts_with(pool.RebalanceTooSmall, notional=0, minimum=WAD):
        eth3l.rebalance(sender=keeper)
    pool.setMinTradeNotional(0, sender=owner)
    assert eth3l.rebalanceStatus() == FALLBACK

    receipt = eth3l.rebalance(sender=keeper)

    assert receipt.return_value == FALLBACK
    ev = receipt.events.filter(pool.Rebalanced)[0]
    assert ev.exposureBefore == ev.exposureAfter == eth3l.exposure() == 15 * WAD
    assert pool.seriesState(eth3l).lastRebalance == block_time(receipt)


# --------------------------------------------------------------------------- step 2c: minimum notional,
# keeper reward per transaction, utilization cap


def _bitmap(pool):
    _, data = pool.checkUpkeep(b"")
    return decode(["uint256", "bool"], bytes(data))[0]


def test_a_rebalance_of_exactly_the_minimum_notional_goes_ahead_and_one_wei_less_does_not(
        pool, eth3l, oracle, owner, alice, keeper):
    seed(eth3l, alice)
    warp(DAY)
    set_price(oracle, "2000.1", owner)  # inside the band: a Fallback that buys a little
    p = 2_000_100_000_000_000_000_000
    equity = 10_000 * WAD + 15 * WAD * (p - 2_000 * WAD) // WAD
    x_new = 3 * WAD * equity // p
    notional = (x_new - 15 * WAD) * p // WAD  # |x' - x|·P, rounded down
    assert equity == 10_001_500_000_000_000_000_000 and notional == 2_999_999_999_999_998_981
    assert eth3l.rebalanceStatus() == FALLBACK  # about 3 of notional: above the default minimum, 1e18

    pool.setMinTradeNotional(notional + 1, sender=owner)
    assert eth3l.rebalanceStatus() == NONE  # so keepers are never flagged for it
    assert _bitmap(pool) == 0
    with reverts_with(pool.RebalanceTooSmall, notional=notional, minimum=notional + 1):
        eth3l.rebalance(sender=keeper)

    pool.setMinTradeNotional(notional, sender=owner)
    assert eth3l.rebalanceStatus() == FALLBACK
    assert _bitmap(pool) == 0b01
    receipt = eth3l.rebalance(sender=keeper)
    assert receipt.return_value == FALLBACK
    ev = receipt.events.filter(pool.Rebalanced)[0]
    assert (ev.exposureBefore, ev.exposureAfter) == (15 * WAD, x_new) and eth3l.exposure() == x_new


def test_perform_upkeep_over_two_series_pays_one_keeper_reward(pool, eth3l, eth3s, usdc, oracle, owner, alice,
                                                              bob, keeper):
    """Step 2c: at most one keeper reward per transaction, however many series it rebalances; each
    transaction may be paid (within the daily cap)."""
    reward = 10 * USDC
    pool.setKeeperReward(reward, 100 * USDC, sender=owner)
    now = chain.pending_timestamp  # start at 01:00 UTC of a fresh day: both upkeeps fall on one UTC day
    warp((now // DAY + 1) * DAY + 3_600 - now)
    set_price(oracle, 2_000, owner)
    seed(eth3l, alice)
    seed(eth3s, bob)
    for price in (2_300, 2_600):  # both series drift each time
        set_price(oracle, price, owner)
        assert _bitmap(pool) == 0b11
        _, data = pool.checkUpkeep(b"")
        cash, pooled = usdc.balanceOf(keeper), pool.poolAssets()

        receipt = pool.performUpkeep(data, sender=keeper)

        rebalanced = receipt.events.filter(pool.Rebalanced)
        assert sorted(e.token for e in rebalanced) == sorted([eth3l.address, eth3s.address])
        assert all(e.keeper == keeper.address for e in rebalanced)
        rewarded = receipt.events.filter(pool.KeeperRewarded)
        assert len(rewarded) == 1  # one reward for the transaction, not one per series
        assert (rewarded[0].keeper, rewarded[0].token, rewarded[0].assets) == (keeper.address, eth3l.address,
                                                                              reward)
        assert usdc.balanceOf(keeper) - cash == reward == pooled - pool.poolAssets()
        assert eth3l.rebalanceStatus() == eth3s.rebalanceStatus() == NONE


def test_an_exposure_increase_over_the_utilization_cap_is_suspended_and_a_decrease_goes_through(
        owner, lp, alice, keeper):
    from conftest import build_system

    _, oracle, pool, tokens = build_system(owner, lp, (alice,), series=(("ETH3L", True),), lp_capital=100_000)
    long_ = tokens["ETH3L"]
    seed(long_, alice)  # |net|·P = 15 * 2,000 = 30,000 on a reserve of 100,000
    pool.setMaxUtilization(WAD // 10, sender=owner)  # the owner lowers the cap to its minimum: now over it
    pooled = 110_000 * WAD

    def utilization(x, p, equity):
        return (x * p // WAD) * WAD // (pooled - equity)  # |net|·P / reserve, both rounded down

    # 2,300: the long gained (E 14,500, 2.38x) and would buy up to 3x: raising |net| over the cap, suspended
    set_price(oracle, 2_300, owner)
    x_up = 3 * WAD * (14_500 * WAD) // (2_300 * WAD)
    assert pool.reserve() == pooled - 14_500 * WAD
    assert long_.rebalanceStatus() == NONE and _bitmap(pool) == 0
    with reverts_with(pool.UtilizationCapExceeded, utilization=utilization(x_up, 2_300 * WAD, 14_500 * WAD),
                      cap=WAD // 10):
        long_.rebalance(sender=keeper)
    assert long_.exposure() == 15 * WAD

    # 1,800: the long lost (E 7,000, 3.86x) and sells: a decrease goes through though still over the cap
    set_price(oracle, 1_800, owner)
    x_down = 3 * WAD * (7_000 * WAD) // (1_800 * WAD)
    assert utilization(x_down, 1_800 * WAD, 7_000 * WAD) > WAD // 10
    assert long_.rebalanceStatus() == DRIFT
    assert long_.rebalance(sender=keeper).return_value == DRIFT
    assert long_.exposure() == x_down

    # 2,100: an increase exactly at the cap goes ahead, one wei of cap less suspends it. The cap test is
    # ceil(|net'|·P) <= floor(u·R), so the smallest cap that admits it is ceil(ceil(|net'|·P)·1e18 / R).
    set_price(oracle, 2_100, owner)
    p = 2_100 * WAD
    equity = 7_000 * WAD + x_down * (300 * WAD) // WAD
    x_new = 3 * WAD * equity // p
    reserve = pooled - equity
    assert pool.reserve() == reserve and x_new > x_down
    needed = ceil_div(x_new * p, WAD)
    cap = ceil_div(needed * WAD, reserve)
    assert reserve * cap // WAD >= needed > reserve * (cap - 1) // WAD
    pool.setMaxUtilization(cap - 1, sender=owner)
    assert long_.rebalanceStatus() == NONE
    with reverts_with(pool.UtilizationCapExceeded, utilization=utilization(x_new, p, equity), cap=cap - 1):
        long_.rebalance(sender=keeper)
    pool.setMaxUtilization(cap, sender=owner)
    assert long_.rebalanceStatus() == DRIFT
    assert long_.rebalance(sender=keeper).return_value == DRIFT
    assert long_.exposure() == x_new


def test_the_minimum_notional_gate_comes_after_the_pause_and_before_the_floor_and_the_cap(
        owner, lp, alice, keeper):
    # `_decide`'s order: no trigger, paused increase, knock-out, too small, overflow, below floor, over cap
    # (a knock-out below the minimum notional: test_knockout's spread cost of exactly all the equity).
    from conftest import build_system

    _, oracle, pool, tokens = build_system(owner, lp, (alice,), series=(("ETH3L", True),), lp_capital=1_000)
    long_ = tokens["ETH3L"]
    seed(long_, alice)  # reserve 1,000 = the floor, 10% of 10,000, exactly
    warp(DAY)
    set_price(oracle, "2000.01", owner)  # a Fallback that buys 2·15·0.01 = 0.3 of notional
    p = 2_000_010_000_000_000_000_000
    equity = 10_000 * WAD + 15 * WAD * (p - 2_000 * WAD) // WAD
    x_new = 3 * WAD * equity // p
    notional = (x_new - 15 * WAD) * p // WAD
    reserve = 11_000 * WAD - equity
    assert notional == 299_999_999_999_998_037 and reserve < ceil_div(equity, 10)  # below the floor as well

    pool.pause(sender=owner)
    assert long_.rebalanceStatus() == NONE
    with reverts_with(pool.EnforcedPause):  # paused increase: before the minimum notional
        long_.rebalance(sender=keeper)
    pool.unpause(sender=owner)
    pool.setMaxUtilization(WAD // 10, sender=owner)  # and over the cap: 30,000 > 0.1 * 999.85
    with reverts_with(pool.RebalanceTooSmall, notional=notional, minimum=WAD):  # before the floor and the cap
        long_.rebalance(sender=keeper)
    pool.setMinTradeNotional(0, sender=owner)
    assert long_.rebalanceStatus() == NONE
    with reverts_with(pool.ReserveBelowFloor, reserve=reserve, floor=ceil_div(equity, 10)):  # before the cap
        long_.rebalance(sender=keeper)
    pool.setFloorRatio(WAD // 100, sender=owner)
    assert long_.rebalanceStatus() == NONE
    utilization = (x_new * p // WAD) * WAD // reserve
    with reverts_with(pool.UtilizationCapExceeded, utilization=utilization, cap=WAD // 10):
        long_.rebalance(sender=keeper)
    pool.setMaxUtilization(1_000 * WAD, sender=owner)
    assert long_.rebalanceStatus() == FALLBACK
    assert long_.rebalance(sender=keeper).return_value == FALLBACK
