"""Chainlink Automation (SPEC sections 5, 7): `checkUpkeep` flags the series to rebalance (bit i =
`series()[i]`) and whether a health report is due; `performUpkeep` re-validates, rebalances every flagged
series it can, reports health, and never lets one failing series block the others.

Default scenario: alice ETH3L and bob ETH3S for 10,000 USDC each at 2,000 (x = 15 ETH each), band
2.5x-3.5x. At 1,800: ETH3L E = 7,000 (3.86x, sells), ETH3S E = 13,000 (2.08x, buys): both drift.
"""

import pytest
from conftest import USDC, WAD, build_system, params, set_price
from eth_abi import encode
from eth_utils import keccak

from helpers import block_time, events, exposure_for, leverage, only_event, reverts_with


def data(bitmap, health):
    return encode(["uint256", "bool", "uint80[]", "uint80"], [bitmap, health, [], 0])


NOTHING = (False, data(0, False))


@pytest.fixture
def both(system, alice, bob):
    usdc, oracle, pool, tokens = system
    tokens["ETH3L"].mint(10_000 * USDC, 0, alice, sender=alice)
    tokens["ETH3S"].mint(10_000 * USDC, 0, bob, sender=bob)
    return oracle, pool, tokens["ETH3L"], tokens["ETH3S"]


def test_check_upkeep_is_false_when_nothing_is_due_after_a_first_health_report(both, keeper):
    oracle, pool, long_, short = both
    assert pool.checkUpkeep(b"") == (True, data(0, True))  # never reported: health due
    pool.reportHealth(sender=keeper)
    assert pool.checkUpkeep(b"") == NOTHING


def test_check_upkeep_flags_the_right_series_and_health(both, owner, keeper):
    oracle, pool, long_, short = both
    pool.reportHealth(sender=keeper)
    set_price(oracle, 2_200, owner)  # ETH3L 2.54x in band, ETH3S 4.71x drifts
    assert (long_.rebalanceStatus(), short.rebalanceStatus()) == (0, 1)
    assert pool.checkUpkeep(b"") == (True, data(0b10, False))
    set_price(oracle, 1_800, owner)
    assert pool.checkUpkeep(b"") == (True, data(0b11, False))


def test_perform_upkeep_rebalances_every_flagged_series_and_reports_health(both, owner, keeper):
    oracle, pool, long_, short = both
    set_price(oracle, 1_800, owner)
    needed, perform = pool.checkUpkeep(b"")
    assert (needed, perform) == (True, data(0b11, True))
    receipt = pool.performUpkeep(perform, sender=keeper)
    p = 1_800 * WAD
    rebalanced = {log.token: log for log in events(receipt, pool.Rebalanced)}
    assert set(rebalanced) == {long_.address, short.address}
    for token, equity in ((long_, 7_000 * WAD), (short, 13_000 * WAD)):
        log = rebalanced[token.address]
        assert (log.trigger, log.keeper, log.price) == (1, keeper.address, p)
        assert (log.exposureBefore, log.exposureAfter) == (15 * WAD, exposure_for(3 * WAD, equity, p))
        assert pool.exposureOf(token) == exposure_for(3 * WAD, equity, p)
    health = only_event(receipt, pool.ReserveHealth)
    assert health.price == p
    assert pool.lastHealthReport() == block_time(receipt)
    assert events(receipt, pool.UpkeepFailed) == []
    assert pool.checkUpkeep(b"") == NOTHING


def test_perform_upkeep_with_a_single_series(owner, lp, alice, keeper):
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), series=(("ETH3L", True),))
    token = tokens["ETH3L"]
    token.mint(10_000 * USDC, 0, alice, sender=alice)
    pool.reportHealth(sender=keeper)
    set_price(oracle, 1_800, owner)
    assert pool.checkUpkeep(b"") == (True, data(1, False))
    receipt = pool.performUpkeep(data(1, False), sender=keeper)
    assert only_event(receipt, pool.Rebalanced).token == token.address
    assert events(receipt, pool.ReserveHealth) == []
    assert pool.exposureOf(token) == exposure_for(3 * WAD, 7_000 * WAD, 1_800 * WAD)
    assert pool.checkUpkeep(b"") == NOTHING


def test_perform_upkeep_with_four_series(owner, lp, alice, keeper):
    series = (("A3L", True), ("A3S", False), ("B3L", True), ("B3S", False))
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), series=series,
                                           series_params=params(lo=2.9, hi=3.1))
    for symbol, _ in series:
        tokens[symbol].mint(1_000 * USDC, 0, alice, sender=alice)  # x = 1.5 ETH each
    set_price(oracle, 2_100, owner)  # longs 2.74x, shorts 3.71x: all outside 2.9x-3.1x
    assert pool.checkUpkeep(b"") == (True, data(0b1111, True))
    receipt = pool.performUpkeep(data(0b1111, True), sender=keeper)
    logs = events(receipt, pool.Rebalanced)
    assert [log.token for log in logs] == [tokens[s].address for s, _ in series]
    p = 2_100 * WAD
    for symbol, is_long in series:
        equity = 1_150 * WAD if is_long else 850 * WAD
        assert pool.exposureOf(tokens[symbol]) == exposure_for(3 * WAD, equity, p)
    assert len(events(receipt, pool.ReserveHealth)) == 1
    assert pool.checkUpkeep(b"") == NOTHING


def test_one_failing_series_never_blocks_the_others(both, owner, keeper):
    oracle, pool, long_, short = both
    pool.reportHealth(sender=keeper)
    set_price(oracle, 1_800, owner)
    needed, perform = pool.checkUpkeep(b"")
    assert perform == data(0b11, False)
    pool.pause(sender=owner)  # the short's rebalance adds exposure: paused
    receipt = pool.performUpkeep(perform, sender=keeper)
    failed = only_event(receipt, pool.UpkeepFailed)
    assert failed.token == short.address
    assert bytes(failed.reason) == keccak(text="EnforcedPause()")[:4]
    assert only_event(receipt, pool.Rebalanced).token == long_.address
    assert pool.exposureOf(long_) == exposure_for(3 * WAD, 7_000 * WAD, 1_800 * WAD)
    assert pool.exposureOf(short) == 15 * WAD


def test_perform_upkeep_revalidates_a_series_that_is_not_due(both, owner, keeper):
    oracle, pool, long_, short = both
    pool.reportHealth(sender=keeper)
    set_price(oracle, 2_200, owner)  # only ETH3S is due; ETH3L is flagged anyway
    receipt = pool.performUpkeep(data(0b11, False), sender=keeper)
    failed = only_event(receipt, pool.UpkeepFailed)
    lev = leverage(15 * WAD, 2_200 * WAD, 13_000 * WAD)
    assert failed.token == long_.address
    assert bytes(failed.reason) == keccak(text="NoRebalanceTrigger(uint256)")[:4] + encode(["uint256"], [lev])
    assert only_event(receipt, pool.Rebalanced).token == short.address


def test_no_upkeep_needed_when_performdata_is_stale(both, owner, keeper, stranger):
    oracle, pool, long_, short = both
    pool.reportHealth(sender=keeper)
    set_price(oracle, 1_800, owner)
    _, perform = pool.checkUpkeep(b"")
    long_.rebalance(sender=keeper)  # another keeper got there first
    short.rebalance(sender=keeper)
    with reverts_with(pool.NoUpkeepNeeded):
        pool.performUpkeep(perform, sender=stranger)
    # a health flag is re-validated too
    with reverts_with(pool.NoUpkeepNeeded):
        pool.performUpkeep(data(0, True), sender=stranger)
    with reverts_with(pool.NoUpkeepNeeded):
        pool.performUpkeep(data(0, False), sender=stranger)


def test_upkeep_rebalance_is_only_callable_by_the_pool_itself(pool, eth3l, owner, stranger):
    with reverts_with(pool.OnlySelf, caller=stranger.address):
        pool.upkeepRebalance(eth3l, stranger, sender=stranger)
    with reverts_with(pool.OnlySelf, caller=owner.address):
        pool.upkeepRebalance(eth3l, owner, sender=owner)


def test_knocked_out_but_unsettled_series_is_flagged_and_latched_by_perform_upkeep(system, owner, alice,
                                                                                   keeper):
    usdc, oracle, pool, tokens = system
    long_ = tokens["ETH3L"]
    long_.mint(10_000 * USDC, 0, alice, sender=alice)
    pool.reportHealth(sender=keeper)
    set_price(oracle, 1_320, owner)  # 15 ETH * 680 = 10,200 > 10,000: equity 0
    assert long_.equity() == 0
    assert pool.seriesState(long_).knockedOut is False
    assert long_.rebalanceStatus() == 4  # KnockOut
    assert pool.checkUpkeep(b"") == (True, data(1, False))

    receipt = pool.performUpkeep(data(1, False), sender=keeper)
    ko = only_event(receipt, pool.KnockedOut)
    assert (ko.token, ko.price, ko.lostEquity) == (long_.address, 1_320 * WAD, 10_000 * WAD)
    assert events(receipt, pool.Rebalanced) == []
    assert events(receipt, pool.UpkeepFailed) == []
    state = pool.seriesState(long_)
    assert (state.knockedOut, state.equity, state.exposure) == (True, 0, 0)
    assert pool.reserve() == 1_010_000 * WAD  # the series' assets are the reserve's now
    assert pool.checkUpkeep(b"") == NOTHING
    with reverts_with(pool.SeriesKnockedOut, token=long_.address):
        long_.rebalance(sender=keeper)
