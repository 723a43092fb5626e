"""Reserve health and funding (SPEC section 4): `reportHealth` emits `ReserveHealth(reserve, liabilities,
coverage, utilization, bufferDepth, netExposure, price)` at most once per health interval, callable by
anyone; `fundReserve` adds capital without shares; the reserve views agree with each other.

Default scenario `book`: alice ETH3L for 10,000 (x = 15 ETH) and bob ETH3S for 4,000 (x = 6 ETH) at
2,000, then 2,100.00000037 (a price whose P&L does not round evenly).
"""

import pytest
from conftest import LP_CAPITAL, USDC, WAD, build_system, set_price, warp

from helpers import (
    INT256_MAX,
    UINT256_MAX,
    block_time,
    equity_at,
    events,
    floor_of,
    mul_div,
    only_event,
    reverts_with,
    sdiv,
)

P0 = 2_000 * WAD
P1 = 2_100_000_000_370_000_000_000
X_L, X_S = 15 * WAD, 6 * WAD
E_L = equity_at(10_000 * WAD, X_L, P0, P1, True)
E_S = equity_at(4_000 * WAD, X_S, P0, P1, False)
LIABILITIES = E_L + E_S
POOLED = (LP_CAPITAL + 14_000) * USDC
RESERVE = POOLED * 10**12 - LIABILITIES
NET = X_L - X_S


def expected_health(reserve, liabilities, net, price):
    coverage = INT256_MAX if liabilities == 0 else sdiv(reserve * WAD, liabilities)
    if net == 0:
        utilization = 0
    elif reserve <= 0:
        utilization = UINT256_MAX
    else:
        utilization = mul_div(abs(net) * price // WAD, WAD, reserve)
    return (reserve, liabilities, coverage, utilization, reserve - floor_of(liabilities), net, price)


def fields(ev):
    return (ev.reserve, ev.liabilities, ev.coverage, ev.utilization, ev.bufferDepth, ev.netExposure, ev.price)


@pytest.fixture
def book(system, owner, alice, bob):
    usdc, oracle, pool, tokens = system
    tokens["ETH3L"].mint(10_000 * USDC, 0, alice, sender=alice)
    tokens["ETH3S"].mint(4_000 * USDC, 0, bob, sender=bob)
    set_price(oracle, "2100.00000037", owner)
    return usdc, oracle, pool, tokens["ETH3L"], tokens["ETH3S"]


def test_report_health_fields_match_an_independent_computation(book, stranger):
    _, _, pool, _, _ = book
    assert E_L == 11_500_000_005_550_000_000_000 and E_S == 3_399_999_997_780_000_000_000
    receipt = pool.reportHealth(sender=stranger)  # anyone may call
    ev = only_event(receipt, pool.ReserveHealth)
    want = expected_health(RESERVE, LIABILITIES, NET, P1)
    assert fields(ev) == want
    assert want[2] == RESERVE * WAD // LIABILITIES
    assert want[3] == mul_div(9 * WAD * P1 // WAD, WAD, RESERVE)
    assert want[4] == RESERVE - (LIABILITIES // 10 + (LIABILITIES % 10 != 0))
    assert pool.lastHealthReport() == block_time(receipt)


def test_report_health_with_no_liabilities(pool, keeper):
    ev = only_event(pool.reportHealth(sender=keeper), pool.ReserveHealth)
    reserve = LP_CAPITAL * WAD
    assert fields(ev) == (reserve, 0, INT256_MAX, 0, reserve, 0, 2_000 * WAD)


def test_report_health_when_insolvent(system, owner, lp, alice, keeper):
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), lp_capital=100)
    tokens["ETH3L"].mint(1_000 * USDC, 0, alice, sender=alice)  # x = 1.5 ETH
    set_price(oracle, "2213.37", owner)
    liabilities = equity_at(1_000 * WAD, 15 * WAD // 10, P0, 2_213_370_000_000_000_000_000, True)
    reserve = 1_100 * WAD - liabilities
    assert reserve < 0
    receipt = pool.reportHealth(sender=keeper)
    ev = only_event(receipt, pool.ReserveHealth)
    want = expected_health(reserve, liabilities, 15 * WAD // 10, 2_213_370_000_000_000_000_000)
    assert fields(ev) == want
    assert want[3] == UINT256_MAX
    assert want[2] == -((-reserve * WAD) // liabilities)  # truncated toward zero, like Solidity
    # the report also latches the floor state
    breach = only_event(receipt, pool.ReserveFloorBreached)
    assert (breach.reserve, breach.floor) == (reserve, floor_of(liabilities))
    assert pool.floorBreached() is True


def test_report_health_at_most_once_per_interval(book, owner, keeper, stranger):
    _, oracle, pool, _, _ = book
    t0 = block_time(pool.reportHealth(sender=keeper))
    with reverts_with(pool.HealthReportTooSoon, nextAllowedAt=t0 + 3_600):
        pool.reportHealth(sender=stranger)
    warp(1_800)
    set_price(oracle, "2100.00000037", owner)
    with reverts_with(pool.HealthReportTooSoon, nextAllowedAt=t0 + 3_600):
        pool.reportHealth(sender=keeper)
    assert pool.lastHealthReport() == t0

    warp(1_800)
    set_price(oracle, "2100.00000037", owner)
    receipt = pool.reportHealth(sender=stranger)
    assert fields(only_event(receipt, pool.ReserveHealth)) == expected_health(RESERVE, LIABILITIES, NET, P1)
    t1 = block_time(receipt)
    assert t1 >= t0 + 3_600
    assert pool.lastHealthReport() == t1
    with reverts_with(pool.HealthReportTooSoon, nextAllowedAt=t1 + 3_600):
        pool.reportHealth(sender=keeper)


def test_fund_reserve_adds_capital_without_shares(book, alice):
    usdc, _, pool, _, _ = book
    supply, alice_shares = pool.totalSupply(), pool.balanceOf(alice)
    balance = usdc.balanceOf(pool)
    receipt = pool.fundReserve(12_345_678_901, sender=alice)
    ev = only_event(receipt, pool.ReserveFunded)
    assert (ev.funder, ev.assets) == (alice.address, 12_345_678_901)
    assert pool.reserve() == RESERVE + 12_345_678_901 * 10**12
    assert pool.poolAssets() == POOLED + 12_345_678_901
    assert usdc.balanceOf(pool) - balance == 12_345_678_901
    assert pool.totalSupply() == supply
    assert pool.balanceOf(alice) == alice_shares == 0
    assert events(receipt, pool.Deposit) == []
    assert pool.liabilities() == LIABILITIES


def test_fund_reserve_rejects_zero(pool, alice):
    with reverts_with(pool.ZeroAmount):
        pool.fundReserve(0, sender=alice)
    assert pool.poolAssets() == LP_CAPITAL * USDC


def test_reserve_views_are_consistent(book):
    _, _, pool, long_, short = book
    assert list(pool.series()) == [long_.address, short.address]
    assert pool.equityOf(long_) == E_L
    assert pool.equityOf(short) == E_S
    assert pool.liabilities() == LIABILITIES == pool.equityOf(long_) + pool.equityOf(short)
    assert pool.exposureOf(long_) == X_L
    assert pool.exposureOf(short) == X_S
    assert pool.netExposure() == NET
    assert pool.poolAssets() == POOLED
    assert pool.reserve() == RESERVE == pool.poolAssets() * 10**12 - pool.liabilities()
    assert pool.floor() == floor_of(LIABILITIES)
    assert pool.totalAssets() == RESERVE // 10**12
    assert pool.markPrice() == pool.price() == P1
