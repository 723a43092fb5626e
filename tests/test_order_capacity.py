"""First-come filling of mint capacity (SPEC sections 3a and 4): within a batch, mints fill in queue order, each
if it still fits the reserve floor and the utilization cap on the running totals of the mints filled before
it; one that does not fit is refunded alone (`Capacity`) and later, smaller ones may still fill. The
attacker's view: a whale order queued first cannot block the mints behind it; it is refunded in full, and the
model prices the same batch the same way."""

import pytest
from conftest import USDC, WAD
from helpers import events
from test_orders import (
    CAPACITY,
    INITIAL_NAV,
    LOCKED_SUPPLY,
    MIN_DELAY,
    MINT,
    SCALE,
    due_round,
    executed,
    refunds,
    request_mint,
    requested_at,
)

# reserve 1,000,000 and a floor of 50% of liabilities: mints of 2,000,000 in all fit
FLOOR_RATIO = WAD // 2
WHALE, SMALL, MEDIUM = 3_000_000 * USDC, 1_000 * USDC, 1_000_000 * USDC


def _tokens(assets, first=False):
    return assets * SCALE * WAD // INITIAL_NAV - (LOCKED_SUPPLY if first else 0)


def test_a_whale_mint_queued_first_cannot_block_the_mints_behind_it(pool, eth3l, usdc, oracle, owner, alice, bob, keeper):
    pool.setFloorRatio(FLOOR_RATIO, sender=owner)
    cash = usdc.balanceOf(alice)
    request_mint(eth3l, usdc, alice, WHALE)  # alone it would take the floor to 1,500,000 > reserve
    request_mint(eth3l, usdc, bob, SMALL)
    request_mint(eth3l, usdc, keeper, MEDIUM)
    r = due_round(oracle, owner, requested_at(eth3l, MINT, 2), 2_000)
    receipt = eth3l.executeOrders(r, 10, sender=keeper)
    assert refunds(receipt, eth3l) == {(MINT, 0): CAPACITY}
    # the first order that fills pays for the locked supply, though it is not the first in the queue
    assert executed(receipt, eth3l) == {(MINT, 1): _tokens(SMALL, first=True), (MINT, 2): _tokens(MEDIUM)}
    assert usdc.balanceOf(alice) == cash  # the whale's refund is whole
    assert pool.reserve() >= pool.floor()


def test_a_mint_that_fits_takes_the_capacity_and_a_later_big_one_is_refunded_while_a_small_one_fills(pool, eth3l, usdc, oracle, owner, alice, bob, keeper):
    pool.setFloorRatio(FLOOR_RATIO, sender=owner)
    request_mint(eth3l, usdc, alice, 1_500_000 * USDC)  # floor 750,000: fits
    request_mint(eth3l, usdc, bob, 1_000_000 * USDC)  # floor 1,250,000 with it: refunded
    request_mint(eth3l, usdc, keeper, 400_000 * USDC)  # floor 950,000: fits
    r = due_round(oracle, owner, requested_at(eth3l, MINT, 2), 2_000)
    receipt = eth3l.executeOrders(r, 10, sender=keeper)
    assert refunds(receipt, eth3l) == {(MINT, 1): CAPACITY}
    assert set(executed(receipt, eth3l)) == {(MINT, 0), (MINT, 2)}
    assert [e.assets for e in events(receipt, pool.Minted)] == [1_500_000 * USDC, 400_000 * USDC]


def test_the_cap_fills_first_come_too(pool, eth3l, usdc, oracle, owner, alice, bob, keeper):
    pool.setMaxUtilization(WAD // 10, sender=owner)  # 100,000 of exposure value: 33,333 of assets at 3x
    request_mint(eth3l, usdc, alice, 30_000 * USDC)  # 90,000: fits
    request_mint(eth3l, usdc, bob, 10_000 * USDC)  # 120,000 with it: refunded
    request_mint(eth3l, usdc, keeper, 3_000 * USDC)  # 99,000: fits
    r = due_round(oracle, owner, requested_at(eth3l, MINT, 2), 2_000)
    receipt = eth3l.executeOrders(r, 10, sender=keeper)
    assert refunds(receipt, eth3l) == {(MINT, 1): CAPACITY}
    assert executed(receipt, eth3l) == {(MINT, 0): _tokens(30_000 * USDC, first=True), (MINT, 2): _tokens(3_000 * USDC)}


@pytest.mark.parametrize("whale_first", [True, False])
def test_the_model_fills_the_same_mints_as_the_chain(pool, eth3l, usdc, oracle, owner, alice, bob, keeper, whale_first):
    from test_model import ALICE, BOB, KEEPER, OWNER, build, events as model_events
    from test_model import set_price as model_set_price

    pool.setFloorRatio(FLOOR_RATIO, sender=owner)
    sizes = [WHALE, SMALL, MEDIUM, 800_000 * USDC] if whale_first else [MEDIUM, WHALE, 800_000 * USDC, SMALL]
    chain_holders, model_holders = (alice, bob, keeper, alice), (ALICE, BOB, KEEPER, ALICE)
    for who, assets in zip(chain_holders, sizes):
        request_mint(eth3l, usdc, who, assets)
    receipt = eth3l.executeOrders(due_round(oracle, owner, requested_at(eth3l, MINT, 3), 2_000), 10, sender=keeper)

    m, t = build()
    m.set_floor_ratio(OWNER, FLOOR_RATIO)
    token = t["ETH3L"]
    for who, assets in zip(model_holders, sizes):
        m.asset_approve(who, token, 2**256 - 1)
        m.request_mint(who, token, assets, 0, who)
    m.warp(MIN_DELAY + 1)
    model_set_price(m, 2_000)
    m.execute_orders(KEEPER, token, m.latest_round_data()[0], 10)
    assert {(e["kind"], e["id"]): e["amountOut"] for e in model_events(m, "OrderExecuted")} == executed(receipt, eth3l)
    assert {(e["kind"], e["id"]): e["reason"] for e in model_events(m, "OrderRefunded")} == refunds(receipt, eth3l)
    assert CAPACITY in refunds(receipt, eth3l).values() and len(executed(receipt, eth3l)) >= 2
