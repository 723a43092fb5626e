"""Retiring a knocked-out series (SPEC section 3, "Minimum sizes"): the owner frees its slot, so that the
market knocking series out can never leave all `MAX_SERIES` slots dead. Only a knocked-out series can be
retired; whatever its supply, its tokens are worth nothing, and the pool's accounts do not change."""

import pytest
from conftest import USDC, WAD, build_system, params, set_price

from helpers import events, only_event, reverts_with


@pytest.fixture(scope="module")
def three(system, owner, lp, alice, bob):
    """ETH3L and two 3x short series, each with a holder; then the price falls 35%: ETH3L is dead."""
    asset, oracle, pool, tokens = build_system(
        owner, lp, (alice, bob), series=(("ETH3L", True), ("ETH3S", False), ("ETH3S2", False)))
    long3, short3, long2 = tokens["ETH3L"], tokens["ETH3S"], tokens["ETH3S2"]
    long3.mint(1_000 * USDC, 0, alice, sender=alice)
    short3.mint(1_000 * USDC, 0, bob, sender=bob)
    long2.mint(1_000 * USDC, 0, bob, sender=bob)
    set_price(oracle, 1_300, owner)
    assert long3.equity() == 0
    return asset, oracle, pool, long3, short3, long2


def test_a_live_series_cannot_be_retired(three, owner):
    _, _, pool, _, short3, long2 = three
    for token in (short3, long2):
        with reverts_with(pool.SeriesNotRetirable, token=token.address):
            pool.retireSeries(token, sender=owner)


def test_a_series_with_no_equity_is_retired_only_once_its_knock_out_is_settled(three, owner, alice):
    _, _, pool, long3, _, _ = three
    with reverts_with(pool.SeriesNotRetirable, token=long3.address):
        pool.retireSeries(long3, sender=owner)  # equity 0 at the mark, not yet latched
    long3.rebalance(sender=alice)  # the settlement latches the knock-out
    assert pool.seriesState(long3).knockedOut
    pool.retireSeries(long3, sender=owner)


def test_retiring_moves_the_last_series_into_the_slot_and_changes_no_account(three, owner, alice, stranger):
    _, _, pool, long3, short3, long2 = three
    long3.rebalance(sender=alice)
    before = (pool.liabilities(), pool.reserve(), pool.netExposure(), pool.poolAssets(), pool.floor())
    supply = long3.totalSupply()
    assert supply > 0  # alice still holds her worthless tokens: no reason to wait for her
    with reverts_with(pool.OwnableUnauthorizedAccount, account=stranger.address):
        pool.retireSeries(long3, sender=stranger)
    receipt = pool.retireSeries(long3, sender=owner)
    assert only_event(receipt, pool.SeriesRetired).token == long3.address
    assert list(pool.series()) == [long2.address, short3.address]
    assert (pool.liabilities(), pool.reserve(), pool.netExposure(), pool.poolAssets(), pool.floor()) == before
    assert long3.totalSupply() == supply  # the token contract lives on as a plain ERC-20

    # the moved series works from its new slot; the retired one is no longer a series
    assert pool.equityOf(long2) == long2.equity() > 0
    long2.mint(100 * USDC, 0, alice, sender=alice)
    with reverts_with(pool.UnknownSeries, token=long3.address):
        pool.equityOf(long3)
    with reverts_with(pool.OnlySeries, caller=long3.address):
        long3.mint(100 * USDC, 0, alice, sender=alice)
    with reverts_with(pool.OnlySeries, caller=long3.address):
        long3.rebalance(sender=alice)
    with reverts_with(pool.UnknownSeries, token=long3.address):
        pool.retireSeries(long3, sender=owner)


def test_a_freed_slot_takes_a_new_series_when_all_slots_were_used(system, owner, lp, alice):
    """The dust bricking of issue 8: every slot dead forever. Now a dead series' slot is reused."""
    symbols = [(f"S{i}", True) for i in range(8)]
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), series=symbols)
    with reverts_with(pool.TooManySeries, max=8):
        pool.createSeries("S8", "S8", True, 100 * WAD, params(), sender=owner)
    tokens["S3"].mint(10 * USDC, 0, alice, sender=alice)
    set_price(oracle, 1_300, owner)
    tokens["S3"].rebalance(sender=alice)  # knocked out
    pool.retireSeries(tokens["S3"], sender=owner)
    receipt = pool.createSeries("S8", "S8", True, 100 * WAD, params(), sender=owner)
    new = only_event(receipt, pool.SeriesCreated).token
    assert len(pool.series()) == 8 and pool.series()[-1] == new
    assert events(receipt, pool.SeriesRetired) == []
    assert pool.seriesParams(new).targetLeverage == 3 * WAD
