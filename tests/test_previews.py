"""The token's quotes (SPEC section 7): `previewMint(assets)` / `previewRedeem(tokens)` are what an order would
get if it executed now, alone in a batch at the latest price, priced by the same library functions
(`OrderPricing`) as the pool's batches: equal to the executed order at the same price, 0 where the order would
be refunded, and never reverting. The model mirrors them (`token_preview_mint` / `token_preview_redeem`); the
differential tests also compare both on every step through the lens."""

import pytest
from ape import project
from conftest import USDC, WAD, build_system, params, set_price, warp
from helpers import events, new_series, reverts_with
from test_orders import (
    INITIAL_NAV,
    LOCKED_SUPPLY,
    MAX_AGE,
    MIN_DELAY,
    MINT,
    REDEEM,
    SCALE,
    due_round,
    executed,
    request_mint,
    request_redeem,
    seed,
)

FEES = params(mint_fee=0.003, redeem_fee=0.002)


def test_preview_mint_equals_what_a_mint_order_gets_in_a_batch_of_one_at_the_same_price(pool, usdc, oracle, owner, alice, bob, keeper):
    token = new_series(pool, owner, "FEE3L", FEES)
    seed_assets = 10_000 * USDC
    token.mint(seed_assets, 0, alice, sender=alice)
    assets = 1_234_567_891  # 1,234.567891 USDC
    order_id, t = request_mint(token, usdc, bob, assets)
    r = due_round(oracle, owner, t, 2_103.17)
    quote = token.previewMint(assets)
    assert quote != assets * SCALE * token.totalSupply() // token.equity()  # the fee is in the quote
    receipt = token.executeOrders(r, 10, sender=keeper)
    assert executed(receipt, token) == {(MINT, order_id): quote}
    assert quote > 0


def test_the_immediate_mint_gets_the_preview_at_the_same_price(pool, eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    set_price(oracle, 2_050, owner)
    quote = eth3l.previewMint(777 * USDC)
    before = eth3l.balanceOf(bob)
    eth3l.mint(777 * USDC, quote, bob, sender=bob)
    assert eth3l.balanceOf(bob) - before == quote > 0


def test_preview_redeem_is_what_a_redeem_order_pays_before_its_execution_fee(pool, usdc, oracle, owner, alice, keeper):
    pool.setOrderParams((MIN_DELAY, MAX_AGE, 2 * USDC, 10 * USDC), sender=owner)
    token = new_series(pool, owner, "FEE3S", FEES, is_long=False)
    token.mint(10_000 * USDC, 0, alice, sender=alice)
    tokens = 33_333_333_333_333_333_333
    order_id, t = request_redeem(token, alice, tokens)
    r = due_round(oracle, owner, t, 1_987.65)
    quote = token.previewRedeem(tokens)
    cash = usdc.balanceOf(alice)
    receipt = token.executeOrders(r, 10, sender=keeper)
    assert executed(receipt, token) == {(REDEEM, order_id): quote - 2 * USDC}
    assert usdc.balanceOf(alice) - cash == quote - 2 * USDC
    assert events(receipt, pool.Redeemed)[0].assets == quote  # the pool's payout, before the execution fee


def test_the_first_mint_preview_pays_for_the_locked_supply(eth3s, usdc, oracle, owner, bob, keeper):
    assert eth3s.totalSupply() == 0
    quote = eth3s.previewMint(1_000 * USDC)
    assert quote == 1_000 * USDC * SCALE * WAD // INITIAL_NAV - LOCKED_SUPPLY
    order_id, t = request_mint(eth3s, usdc, bob, 1_000 * USDC)
    receipt = eth3s.executeOrders(due_round(oracle, owner, t, 2_000), 10, sender=keeper)
    assert executed(receipt, eth3s) == {(MINT, order_id): quote}


def test_an_insolvent_pool_previews_the_pro_rata_payout_it_executes(owner, lp, alice, bob, keeper):
    usdc, oracle, pool, tokens = build_system(owner, lp, (alice, bob, keeper), lp_capital=100)
    short = tokens["ETH3S"]
    short.mint(1_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, 1_500, owner)  # the short gains 750, more than the reserve of 100
    assert pool.reserve() < 0
    tokens_in = short.balanceOf(alice) // 3
    full = tokens_in * short.equity() // short.totalSupply() // SCALE
    order_id, t = request_redeem(short, alice, tokens_in)
    r = due_round(oracle, owner, t, 1_500)
    quote = short.previewRedeem(tokens_in)
    assert 0 < quote < full
    receipt = short.executeOrders(r, 10, sender=keeper)
    assert executed(receipt, short) == {(REDEEM, order_id): quote}


# ----------------------------------------------------------------------------- 0 where the order would be refunded


def test_previews_are_zero_while_the_oracle_is_unusable(eth3l, oracle, owner, alice):
    seed(eth3l, alice)
    warp(3_601)  # maxPriceAge 1 h
    assert (eth3l.previewMint(1_000 * USDC), eth3l.previewRedeem(10 * WAD)) == (0, 0)
    set_price(oracle, 2_000, owner)
    assert eth3l.previewMint(1_000 * USDC) == 10 * WAD and eth3l.previewRedeem(10 * WAD) == 1_000 * USDC


def test_preview_mint_is_zero_while_the_pool_is_paused_and_redeems_still_quote(pool, eth3l, owner, alice):
    seed(eth3l, alice)
    pool.pause(sender=owner)
    assert eth3l.previewMint(1_000 * USDC) == 0
    assert eth3l.previewRedeem(10 * WAD) == 1_000 * USDC
    pool.unpause(sender=owner)
    assert eth3l.previewMint(1_000 * USDC) == 10 * WAD


def test_previews_are_zero_for_a_series_the_next_settlement_knocks_out_and_once_it_is_retired(pool, eth3l, oracle, owner, alice, keeper):
    seed(eth3l, alice)
    set_price(oracle, 1_300, owner)  # -35%: the 3x long is worth nothing, not yet settled
    assert not pool.seriesState(eth3l).knockedOut
    assert (eth3l.previewMint(1_000 * USDC), eth3l.previewRedeem(10 * WAD)) == (0, 0)
    eth3l.rebalance(sender=keeper)  # latches the knock-out
    assert (eth3l.previewMint(1_000 * USDC), eth3l.previewRedeem(10 * WAD)) == (0, 0)
    pool.retireSeries(eth3l, sender=owner)
    assert (eth3l.previewMint(1_000 * USDC), eth3l.previewRedeem(10 * WAD)) == (0, 0)  # the pool no longer knows it


def test_previews_are_zero_for_zero_output_below_the_minimum_order_or_beyond_the_supply(eth3l, usdc, alice, bob):
    seed(eth3l, alice)
    assert eth3l.previewRedeem(1) == 0  # 1e-18 tokens: less than one unit of the asset
    assert eth3l.previewRedeem(0) == eth3l.previewMint(0) == 0
    assert eth3l.previewMint(10 * USDC - 1) == 0  # below minMintAssets: requestMint reverts
    with reverts_with(eth3l.OrderTooSmall, assets=10 * USDC - 1, minimum=10 * USDC):
        request_mint(eth3l, usdc, bob, 10 * USDC - 1)
    assert eth3l.previewMint(10 * USDC) == WAD // 10
    assert eth3l.previewRedeem(eth3l.totalSupply() + 1) == 0
    assert eth3l.previewRedeem(eth3l.totalSupply()) == 10_000 * USDC
    assert eth3l.previewMint(2**256 - 1) == 0 and eth3l.previewRedeem(2**256 - 1) == 0  # never reverts


@pytest.mark.parametrize("limit", ["floor", "cap"])
def test_preview_mint_is_zero_for_a_mint_the_floor_or_the_cap_would_refund(pool, eth3l, usdc, oracle, owner, alice, keeper, limit):
    # reserve 1,000,000: a floor of 20% of liabilities takes a 4,900,000 mint but not 5,100,000; a cap of
    # 0.1 x reserve takes 60,000 of exposure value (20,000 at 3x) but not 40,000 of assets
    fits, breaks = (4_900_000 * USDC, 5_100_000 * USDC) if limit == "floor" else (20_000 * USDC, 40_000 * USDC)
    if limit == "cap":
        pool.setMaxUtilization(WAD // 10, sender=owner)
    else:
        pool.setFloorRatio(WAD // 5, sender=owner)
    assert eth3l.previewMint(fits) > 0
    assert eth3l.previewMint(breaks) == 0
    order_id, t = request_mint(eth3l, usdc, alice, breaks)
    receipt = eth3l.executeOrders(due_round(oracle, owner, t, 2_000), 10, sender=keeper)
    assert {(e.kind, e.id): e.reason for e in events(receipt, eth3l.OrderRefunded)} == {(MINT, order_id): 3}


def test_the_pools_preview_answers_only_its_series(pool, stranger):
    with reverts_with(pool.OnlySeries, caller=stranger.address):
        pool.previewOrder(0, True, 1_000 * USDC, sender=stranger)
    module = project.PoolOrders.at(pool.ordersModule())
    with reverts_with(module.NotDelegated):
        module.previewOrder.transact(0, True, 1_000 * USDC, sender=stranger)


# ----------------------------------------------------------------------------- the model mirrors the previews


def _model_round(m, price):
    """A model oracle round at `price`, more than minDelay after the pending orders; returns its id."""
    from test_model import set_price as model_set_price

    m.warp(MIN_DELAY + 1)
    model_set_price(m, price)
    return m.latest_round_data()[0]


def test_the_model_previews_what_its_batch_of_one_executes_with_fees_and_in_insolvency():
    from test_model import ALICE, BOB, KEEPER, build, events as model_events, params as model_params
    from test_model import set_price as model_set_price

    m, t = build(series_params=model_params(mint_fee=0.003, redeem_fee=0.002), lp_capital=300)
    long_, short = t["ETH3L"], t["ETH3S"]
    assert m.token_preview_mint(long_, 1_000 * USDC) == 1_000 * USDC * SCALE * 997 // 1_000 * WAD // INITIAL_NAV - LOCKED_SUPPLY
    m.mint(ALICE, short, 1_000 * USDC, 0, ALICE)
    m.asset_approve(BOB, short, 2**256 - 1)
    m.request_mint(BOB, short, 123_456_789, 0, BOB)
    r = _model_round(m, 1_990)
    quote = m.token_preview_mint(short, 123_456_789)
    m.execute_orders(KEEPER, short, r, 10)
    assert [e["amountOut"] for e in model_events(m, "OrderExecuted")] == [quote] and quote > 0
    model_set_price(m, 1_500)  # the short gains about 825, more than the reserve of 300: insolvent
    assert m.reserve() < 0
    n = m.token_balance_of(short, ALICE) // 3
    m.request_redeem(ALICE, short, n, 0, ALICE)
    r = _model_round(m, 1_500)
    quote = m.token_preview_redeem(short, n)
    m.execute_orders(KEEPER, short, r, 10)
    assert [e["amountOut"] for e in model_events(m, "OrderExecuted")] == [quote]
    assert 0 < quote < n * m.equity_of(short) // m.token_total_supply(short) // SCALE


def test_the_model_previews_zero_where_its_orders_would_be_refunded():
    from test_model import ALICE, KEEPER, OWNER, build
    from test_model import set_price as model_set_price

    m, t = build()
    long_ = t["ETH3L"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    assert m.token_preview_mint(long_, 1_000 * USDC) == 10 * WAD and m.token_preview_redeem(long_, 10 * WAD) == 1_000 * USDC
    m.set_floor_ratio(OWNER, WAD // 5)
    assert m.token_preview_mint(long_, 4_900_000 * USDC) > 0 and m.token_preview_mint(long_, 5_100_000 * USDC) == 0
    m.pause(OWNER)
    assert m.token_preview_mint(long_, 1_000 * USDC) == 0 and m.token_preview_redeem(long_, 10 * WAD) == 1_000 * USDC
    m.unpause(OWNER)
    m.warp(3_601)  # stale
    assert m.token_preview_mint(long_, 1_000 * USDC) == m.token_preview_redeem(long_, 10 * WAD) == 0
    model_set_price(m, 1_300)  # the next settlement knocks the long out
    assert m.token_preview_mint(long_, 1_000 * USDC) == m.token_preview_redeem(long_, 10 * WAD) == 0
    m.rebalance(KEEPER, long_)
    m.retire_series(OWNER, long_)
    assert m.token_preview_mint(long_, 1_000 * USDC) == m.token_preview_redeem(long_, 10 * WAD) == 0
