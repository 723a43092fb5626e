"""Mint and redeem orders (SPEC section 3a, `ISeriesOrders`): escrow, the round that prices an order, batches
at one NAV, refunds (slippage, expiry, pause, knock-out, capacity), execution fees, and what due orders block.

An order requested at t is priced by the first usable round updated after t + minDelay (default 60 s); the
round before the one named must not be updated after t + minDelay (else `OrderDueEarlier`)."""

import pytest
from eth_abi import decode, encode
from ape import chain, project
from conftest import ETH3_PARAMS, USDC, WAD, set_price, warp
from helpers import b32, equity_at, events, new_series, only_event, reverts_with, wad_price

SCALE = 10**12  # USDC (6 decimals) -> WAD
INITIAL_NAV = 100 * WAD
LOCKED_SUPPLY = MIN_BALANCE = 10**9
LOCK_ADDRESS = "0x000000000000000000000000000000000000dEaD"
MIN_DELAY, MAX_AGE = 60, 86_400
MINT, REDEEM = 0, 1  # Kind
SLIPPAGE, EXPIRED, CAPACITY, KNOCKED_OUT, PAUSED, UNVERIFIABLE = 1, 2, 3, 4, 5, 6  # RefundReason
MAX = 2**256 - 1


# ----------------------------------------------------------------------------- helpers


def latest_round(oracle):
    return oracle.latestRoundData()[0]


def round_time(oracle, round_id):
    return oracle.getRoundData(round_id)[3]


def publish(oracle, owner, price, at=None):
    """A new oracle round at `price` (updated at `at` if given); returns its id."""
    if at is not None:
        chain.pending_timestamp = at
    set_price(oracle, price, owner)
    return latest_round(oracle)


def request_mint(token, usdc, holder, assets, min_tokens=0, receiver=None):
    """requestMint from `holder` (approving the token first); returns (order id, requestedAt)."""
    if usdc.allowance(holder, token) < 10**30:
        usdc.approve(token, MAX, sender=holder)
    receipt = token.requestMint(assets, min_tokens, receiver or holder, sender=holder)
    order_id = only_event(receipt, token.OrderRequested).id
    return order_id, requested_at(token, MINT, order_id)


def requested_at(token, kind, order_id):
    """The request time of a pending order: its `dueAt` less the `minDelay` in force (tests change it only
    while no order is pending)."""
    return token.pendingOrder(kind, order_id).dueAt - token.orderParams()[0]


def request_redeem(token, holder, tokens, min_assets=0, receiver=None):
    receipt = token.requestRedeem(tokens, min_assets, receiver or holder, sender=holder)
    order_id = only_event(receipt, token.OrderRequested).id
    return order_id, requested_at(token, REDEEM, order_id)


def due_round(oracle, owner, requested_at, price):
    """The first round that prices an order requested at `requested_at`: updated at requestedAt + minDelay + 1."""
    return publish(oracle, owner, price, at=requested_at + MIN_DELAY + 1)


def seed(token, holder):
    """10,000 USDC at 2,000 into a 3x series (immediate mint): 100 tokens, equity 10,000, exposure 15."""
    token.mint(10_000 * USDC, 0, holder, sender=holder)
    assert token.totalSupply() == 100 * WAD and token.exposure() == 15 * WAD


def tokens_for(assets, equity, supply):
    """What an immediate mint of `assets` (no fee) buys at `equity`/`supply`: floor(net*supply/equity)."""
    return assets * SCALE * supply // equity


def assets_for(tokens, equity, supply):
    return tokens * equity // supply // SCALE


def long_equity_at(price):
    """The seeded long series' equity at `price` (USD): 10,000 + 15*(P - 2,000), gains down, losses up."""
    return equity_at(10_000 * WAD, 15 * WAD, 2_000 * WAD, wad_price(price), True)


def refunds(receipt, token):
    return {(e.kind, e.id): e.reason for e in events(receipt, token.OrderRefunded)}


def executed(receipt, token):
    return {(e.kind, e.id): e.amountOut for e in events(receipt, token.OrderExecuted)}


def unusable_rounds_then_due(eth3l, usdc, oracle, owner, bob, n):
    """A mint order, then `n` rounds the feed does not have (unusable), then the round due for the order."""
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    chain.pending_timestamp = t + MIN_DELAY + 1
    oracle.updateRoundData(latest_round(oracle) + n + 1, 2_000 * 10**8, t + MIN_DELAY + 1, t + MIN_DELAY + 1, sender=owner)
    return t, latest_round(oracle)


# ----------------------------------------------------------------------------- request, round, execution


def test_request_mint_escrows_the_assets_and_changes_no_pool_state(pool, eth3l, usdc, alice, bob):
    seed(eth3l, alice)
    assets = 1_234_567_891
    before = (pool.poolAssets(), eth3l.equity(), eth3l.totalSupply(), eth3l.exposure(), pool.liabilities())
    cash = usdc.balanceOf(bob)
    usdc.approve(eth3l, MAX, sender=bob)
    receipt = eth3l.requestMint(assets, 7, alice, sender=bob)
    ev = only_event(receipt, eth3l.OrderRequested)
    assert (ev.kind, ev.id, ev.owner, ev.receiver) == (MINT, 0, bob.address, alice.address)
    assert (ev.amount, ev.minOut, ev.executionFee) == (assets, 7, 0)
    assert usdc.balanceOf(eth3l) == assets and cash - usdc.balanceOf(bob) == assets
    assert (pool.poolAssets(), eth3l.equity(), eth3l.totalSupply(), eth3l.exposure(), pool.liabilities()) == before
    assert eth3l.orderOwner(MINT, 0) == bob.address
    assert eth3l.pendingOrder(MINT, 0).amount == assets and eth3l.hasPendingOrders()
    assert tuple(eth3l.queues()) == (0, 1, 0, 0)


def test_an_order_is_not_priced_before_a_round_published_more_than_min_delay_after_it(eth3l, usdc, oracle, owner, bob):
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    r0 = latest_round(oracle)
    with reverts_with(eth3l.NoOrdersDue, roundId=r0):
        eth3l.executeOrders(r0, 10, sender=bob)  # the round before the request
    r1 = publish(oracle, owner, 2_100, at=t + MIN_DELAY)  # exactly requestedAt + minDelay: not after it
    assert round_time(oracle, r1) == t + MIN_DELAY
    with reverts_with(eth3l.NoOrdersDue, roundId=r1):
        eth3l.executeOrders(r1, 10, sender=bob)
    r2 = publish(oracle, owner, 2_100, at=t + MIN_DELAY + 1)
    assert eth3l.executeOrders(r2, 10, sender=bob).return_value == 1


def test_a_due_mint_order_executes_at_its_rounds_price_like_an_immediate_mint(pool, eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    assets = 1_234_567_891
    _, t = request_mint(eth3l, usdc, bob, assets)
    pooled = pool.poolAssets()
    r = due_round(oracle, owner, t, "2050.5")
    expected = tokens_for(assets, long_equity_at("2050.5"), 100 * WAD)  # equity 10,757.5
    receipt = eth3l.executeOrders(r, 10, sender=bob)
    ev = only_event(receipt, eth3l.OrderExecuted)
    assert (ev.kind, ev.id, ev.receiver, ev.roundId, ev.amountOut) == (MINT, 0, bob.address, r, expected)
    assert eth3l.balanceOf(bob) == expected
    assert pool.poolAssets() - pooled == assets
    assert usdc.balanceOf(eth3l) == 0  # escrow moved to the pool
    assert eth3l.equity() == long_equity_at("2050.5") + assets * SCALE
    assert only_event(receipt, pool.Minted).price == wad_price("2050.5")
    assert not eth3l.hasPendingOrders() and eth3l.pendingOrder(MINT, 0).amount == 0


def test_the_first_mint_order_buys_at_initial_nav_and_locks_the_locked_supply(eth3s, usdc, oracle, owner, bob):
    assets = 2_500 * USDC
    _, t = request_mint(eth3s, usdc, bob, assets)
    r = due_round(oracle, owner, t, 1_900)
    receipt = eth3s.executeOrders(r, 10, sender=bob)
    expected = assets * SCALE * WAD // INITIAL_NAV - LOCKED_SUPPLY
    assert executed(receipt, eth3s) == {(MINT, 0): expected}
    assert eth3s.balanceOf(bob) == expected and eth3s.balanceOf(LOCK_ADDRESS) == LOCKED_SUPPLY
    assert eth3s.totalSupply() == assets * SCALE * WAD // INITIAL_NAV
    assert eth3s.nav() == INITIAL_NAV


def test_late_execution_uses_the_due_rounds_price_and_a_later_round_reverts_order_due_earlier(eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    assets = 3_000 * USDC
    _, t = request_mint(eth3l, usdc, bob, assets)
    r_due = due_round(oracle, owner, t, 2_100)
    warp(600)
    r_later = publish(oracle, owner, 2_300)
    publish(oracle, owner, 1_900)
    with reverts_with(eth3l.OrderDueEarlier, kind=MINT, id=0, roundId=r_later):
        eth3l.executeOrders(r_later, 10, sender=bob)
    with reverts_with(eth3l.OrderDueEarlier, kind=MINT, id=0, roundId=latest_round(oracle)):
        eth3l.executeOrders(latest_round(oracle), 10, sender=bob)
    receipt = eth3l.executeOrders(r_due, 10, sender=bob)
    assert executed(receipt, eth3l) == {(MINT, 0): tokens_for(assets, long_equity_at(2_100), 100 * WAD)}
    assert only_event(receipt, eth3l.OrderExecuted).roundId == r_due


def test_a_batch_of_mints_and_redeems_from_several_holders_is_priced_at_one_nav(pool, eth3l, usdc, oracle, owner, alice, bob, keeper, stranger):
    seed(eth3l, alice)
    eth3l.transfer(bob, 20 * WAD, sender=alice)
    supply, pool_cash = eth3l.totalSupply(), usdc.balanceOf(pool)
    mints = {bob: 500 * USDC, keeper: 777_777_777}
    redeems = {alice: 33_333_333_333_333_333_333, bob: 7 * WAD}
    ids = {}
    for who, assets in mints.items():
        ids[(MINT, who)] = request_mint(eth3l, usdc, who, assets)[0]
    for who, tokens in redeems.items():
        ids[(REDEEM, who)] = request_redeem(eth3l, who, tokens, receiver=stranger if who == bob else None)[0]
    t_last = requested_at(eth3l, REDEEM, 1)
    r = due_round(oracle, owner, t_last, "2013.37")
    equity = long_equity_at("2013.37")
    nav_before = equity * WAD // supply
    cash_before = {who: usdc.balanceOf(who) for who in (alice, stranger)}
    receipt = eth3l.executeOrders(r, 10, sender=keeper)
    assert receipt.return_value == 4
    out = executed(receipt, eth3l)
    for who, assets in mints.items():  # every mint at the same equity/supply
        assert out[(MINT, ids[(MINT, who)])] == tokens_for(assets, equity, supply)
    for who, tokens in redeems.items():
        assert out[(REDEEM, ids[(REDEEM, who)])] == assets_for(tokens, equity, supply)
    assert usdc.balanceOf(alice) - cash_before[alice] == assets_for(redeems[alice], equity, supply)
    assert usdc.balanceOf(stranger) - cash_before[stranger] == assets_for(redeems[bob], equity, supply)
    assert {e.roundId for e in events(receipt, eth3l.OrderExecuted)} == {r}
    assert eth3l.nav() >= nav_before
    assert eth3l.totalSupply() == supply + sum(out[(MINT, i)] for i in (0, 1)) - sum(redeems.values())
    flow = sum(mints.values()) - out[(REDEEM, 0)] - out[(REDEEM, 1)]
    assert usdc.balanceOf(pool) - pool_cash == flow and usdc.balanceOf(eth3l) == 0
    assert eth3l.balanceOf(eth3l) == 0  # escrowed redeem tokens burned


def test_max_orders_splits_a_batch_and_the_next_call_goes_on_at_the_same_round(eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    for _ in range(3):
        request_mint(eth3l, usdc, bob, 100 * USDC)
    r = due_round(oracle, owner, requested_at(eth3l, MINT, 2), 2_000)
    assert eth3l.executeOrders(r, 2, sender=bob).return_value == 2
    assert tuple(eth3l.queues()) == (2, 3, 0, 0)
    supply, equity = eth3l.totalSupply(), eth3l.equity()
    receipt = eth3l.executeOrders(r, 2, sender=bob)
    assert executed(receipt, eth3l) == {(MINT, 2): tokens_for(100 * USDC, equity, supply)}
    assert not eth3l.hasPendingOrders()


# ----------------------------------------------------------------------------- refunds


def test_a_mint_below_its_bound_is_refunded_to_its_owner_and_the_batch_goes_on(eth3l, usdc, oracle, owner, alice, bob, keeper, stranger):
    seed(eth3l, alice)
    expected = tokens_for(1_000 * USDC, 10_000 * WAD, 100 * WAD)  # 10 tokens at NAV 100
    cash = usdc.balanceOf(bob)
    request_mint(eth3l, usdc, bob, 1_000 * USDC, min_tokens=expected + 1, receiver=stranger)
    request_mint(eth3l, usdc, keeper, 1_000 * USDC, min_tokens=expected)
    r = due_round(oracle, owner, requested_at(eth3l, MINT, 1), 2_000)
    receipt = eth3l.executeOrders(r, 10, sender=alice)
    assert refunds(receipt, eth3l) == {(MINT, 0): SLIPPAGE}
    assert only_event(receipt, eth3l.OrderRefunded).owner == bob.address  # the owner, not the receiver
    assert usdc.balanceOf(bob) == cash and eth3l.balanceOf(stranger) == 0
    assert executed(receipt, eth3l) == {(MINT, 1): expected}
    assert eth3l.balanceOf(keeper) == expected


def test_a_mint_order_without_a_round_expires_only_after_max_order_age(eth3l, usdc, oracle, bob, keeper):
    cash = usdc.balanceOf(bob)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    r = latest_round(oracle)
    chain.pending_timestamp = t + MIN_DELAY + MAX_AGE - 30
    chain.mine()
    with reverts_with(eth3l.NoOrdersDue, roundId=r):  # it could still execute: no refund (and no cancel)
        eth3l.executeOrders(r, 10, sender=keeper)
    chain.pending_timestamp = t + MIN_DELAY + MAX_AGE + 1
    receipt = eth3l.executeOrders(r, 10, sender=keeper)
    assert refunds(receipt, eth3l) == {(MINT, 0): EXPIRED}
    assert usdc.balanceOf(bob) == cash and usdc.balanceOf(eth3l) == 0
    assert not eth3l.hasPendingOrders()


def test_an_order_whose_first_round_comes_after_max_order_age_is_refunded_as_expired(eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    tokens = 10 * WAD
    _, t = request_redeem(eth3l, alice, tokens)
    balance = eth3l.balanceOf(alice)
    r = publish(oracle, owner, 2_500, at=t + MIN_DELAY + MAX_AGE + 1)  # the first round after the request: too late
    receipt = eth3l.executeOrders(r, 10, sender=bob)
    assert refunds(receipt, eth3l) == {(REDEEM, 0): EXPIRED}
    assert eth3l.balanceOf(alice) == balance + tokens and eth3l.balanceOf(eth3l) == 0


def test_expiry_with_a_round_that_is_not_the_latest_is_not_refunded(eth3l, usdc, oracle, owner, bob):
    """Without a due round, only the latest round can expire an order (an older one says nothing)."""
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    r_old = latest_round(oracle)
    publish(oracle, owner, 2_000, at=t + 10)  # within minDelay: prices nothing
    chain.pending_timestamp = t + MIN_DELAY + MAX_AGE + 100
    chain.mine()
    with reverts_with(eth3l.NoOrdersDue, roundId=r_old):
        eth3l.executeOrders(r_old, 10, sender=bob)
    assert refunds(eth3l.executeOrders(latest_round(oracle), 10, sender=bob), eth3l) == {(MINT, 0): EXPIRED}


@pytest.mark.parametrize("limit", ["floor", "cap"])
def test_a_batch_fills_mints_in_queue_order_and_refunds_the_one_that_no_longer_fits_for_capacity(pool, eth3l, usdc, oracle, owner, alice, bob, keeper, limit):
    # reserve 1,000,000: the floor (10% of liabilities) takes 6,000,000 but not 12,000,000; a cap of
    # 0.1 x reserve takes 60,000 of exposure value (20,000 at 3x) but not 120,000
    assets = 6_000_000 * USDC if limit == "floor" else 20_000 * USDC
    if limit == "cap":
        pool.setMaxUtilization(WAD // 10, sender=owner)
    cash = {who: usdc.balanceOf(who) for who in (alice, bob)}
    request_mint(eth3l, usdc, alice, assets)
    request_mint(eth3l, usdc, bob, assets)
    r = due_round(oracle, owner, requested_at(eth3l, MINT, 1), 2_000)
    pooled = pool.poolAssets()
    receipt = eth3l.executeOrders(r, 10, sender=keeper)
    # the first fits and fills (and pays for the locked supply); the second alone is refunded
    assert executed(receipt, eth3l) == {(MINT, 0): assets * SCALE * WAD // INITIAL_NAV - LOCKED_SUPPLY}
    assert refunds(receipt, eth3l) == {(MINT, 1): CAPACITY}
    assert usdc.balanceOf(bob) == cash[bob] and cash[alice] - usdc.balanceOf(alice) == assets
    assert pool.poolAssets() == pooled + assets and eth3l.totalSupply() == assets * SCALE * WAD // INITIAL_NAV
    assert [e.receiver for e in events(receipt, pool.Minted)] == [alice.address]


def test_one_batch_refunds_an_expired_order_and_executes_a_due_one_behind_it(eth3l, usdc, oracle, owner, alice, bob, keeper):
    seed(eth3l, alice)
    cash = usdc.balanceOf(bob)
    _, t0 = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    chain.pending_timestamp = t0 + MIN_DELAY + MAX_AGE - 100
    request_mint(eth3l, usdc, keeper, 1_000 * USDC)
    r = publish(oracle, owner, 2_000, at=t0 + MIN_DELAY + MAX_AGE + 5)  # the first round for both: too late for the first
    receipt = eth3l.executeOrders(r, 10, sender=alice)
    assert refunds(receipt, eth3l) == {(MINT, 0): EXPIRED}
    assert executed(receipt, eth3l) == {(MINT, 1): 10 * WAD}
    assert usdc.balanceOf(bob) == cash


def test_a_mint_order_placed_before_a_knock_out_is_refunded_and_the_series_retires_after(pool, eth3l, usdc, oracle, owner, alice, bob, keeper):
    seed(eth3l, alice)
    cash = usdc.balanceOf(bob)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    publish(oracle, owner, 1_300, at=t + 5)  # -35%: the 3x long is worth nothing; within minDelay
    eth3l.rebalance(sender=keeper)  # latches the knock-out (no order is due at this round)
    assert pool.seriesState(eth3l).knockedOut
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        request_mint(eth3l, usdc, bob, 1_000 * USDC)
    with reverts_with(pool.SeriesHasOrders, token=eth3l.address):
        pool.retireSeries(eth3l, sender=owner)  # the escrow needs the pool
    r = due_round(oracle, owner, t, 1_300)
    receipt = eth3l.executeOrders(r, 10, sender=keeper)
    assert refunds(receipt, eth3l) == {(MINT, 0): KNOCKED_OUT}
    assert usdc.balanceOf(bob) == cash
    pool.retireSeries(eth3l, sender=owner)


# ----------------------------------------------------------------------------- redeem orders


def test_request_redeem_escrows_the_tokens_and_execution_pays_the_receiver(pool, eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    tokens, balance = 33_333_333_333_333_333_333, eth3l.balanceOf(alice)
    pooled, cash = pool.poolAssets(), usdc.balanceOf(bob)
    _, t = request_redeem(eth3l, alice, tokens, receiver=bob)
    assert eth3l.balanceOf(eth3l) == tokens and eth3l.balanceOf(alice) == balance - tokens
    assert eth3l.totalSupply() == 100 * WAD and pool.poolAssets() == pooled  # nothing settled yet
    r = due_round(oracle, owner, t, "2013.37")
    expected = assets_for(tokens, long_equity_at("2013.37"), 100 * WAD)
    receipt = eth3l.executeOrders(r, 10, sender=alice)
    ev = only_event(receipt, eth3l.OrderExecuted)
    assert (ev.kind, ev.id, ev.receiver, ev.roundId, ev.amountOut) == (REDEEM, 0, bob.address, r, expected)
    assert expected == 3_400_183_333
    assert usdc.balanceOf(bob) - cash == expected and pooled - pool.poolAssets() == expected
    assert eth3l.totalSupply() == 100 * WAD - tokens and eth3l.balanceOf(eth3l) == 0


def test_request_redeem_leaving_a_residual_below_the_minimum_balance_reverts(eth3l, alice):
    seed(eth3l, alice)
    balance = eth3l.balanceOf(alice)
    with reverts_with(eth3l.ResidualTooSmall, remaining=MIN_BALANCE - 1, minimum=MIN_BALANCE):
        eth3l.requestRedeem(balance - MIN_BALANCE + 1, 0, alice, sender=alice)
    with reverts_with(eth3l.ERC20InsufficientBalance):
        eth3l.requestRedeem(balance + 1, 0, alice, sender=alice)
    eth3l.requestRedeem(balance - MIN_BALANCE, 0, alice, sender=alice)  # exactly the minimum left
    eth3l.requestRedeem(MIN_BALANCE, 0, alice, sender=alice)  # and then all of it


def test_a_redeem_below_its_bound_returns_the_tokens(eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    tokens, balance, cash = 10 * WAD, eth3l.balanceOf(alice), usdc.balanceOf(alice)
    _, t = request_redeem(eth3l, alice, tokens, min_assets=1_000 * USDC + 1)  # worth exactly 1,000 at 2,000
    r = due_round(oracle, owner, t, 2_000)
    receipt = eth3l.executeOrders(r, 10, sender=bob)
    assert refunds(receipt, eth3l) == {(REDEEM, 0): SLIPPAGE}
    assert eth3l.balanceOf(alice) == balance and usdc.balanceOf(alice) == cash
    assert eth3l.totalSupply() == 100 * WAD and eth3l.balanceOf(eth3l) == 0


# ----------------------------------------------------------------------------- execution fee


def test_the_execution_fee_is_escrowed_with_a_mint_taken_from_a_redeem_and_paid_to_the_executor(pool, eth3l, usdc, oracle, owner, alice, bob, keeper):
    fee = 2 * USDC
    pool.setOrderParams((MIN_DELAY, MAX_AGE, fee, 10 * USDC), sender=owner)
    seed(eth3l, alice)
    cash_bob, cash_alice, cash_keeper = usdc.balanceOf(bob), usdc.balanceOf(alice), usdc.balanceOf(keeper)
    request_mint(eth3l, usdc, bob, 1_000 * USDC)
    assert cash_bob - usdc.balanceOf(bob) == 1_000 * USDC + fee and usdc.balanceOf(eth3l) == 1_000 * USDC + fee
    assert eth3l.pendingOrder(MINT, 0).executionFee == fee
    request_mint(eth3l, usdc, bob, 1_000 * USDC, min_tokens=10 * WAD + 1)  # refunded: fee included
    request_redeem(eth3l, alice, 10 * WAD, min_assets=1_000 * USDC - fee)  # the bound is net of the fee
    _, t = request_redeem(eth3l, alice, 10 * WAD, min_assets=1_000 * USDC - fee + 1)
    r = due_round(oracle, owner, t, 2_000)
    receipt = eth3l.executeOrders(r, 10, sender=keeper)
    assert executed(receipt, eth3l) == {(MINT, 0): 10 * WAD, (REDEEM, 0): 1_000 * USDC - fee}
    assert refunds(receipt, eth3l) == {(MINT, 1): SLIPPAGE, (REDEEM, 1): SLIPPAGE}
    assert cash_bob - usdc.balanceOf(bob) == 1_000 * USDC + fee
    assert usdc.balanceOf(alice) - cash_alice == 1_000 * USDC - fee
    assert usdc.balanceOf(keeper) - cash_keeper == 2 * fee  # refunded orders pay the executor nothing
    assert usdc.balanceOf(eth3l) == 0


def test_order_params_are_bounded_owner_only_and_reach_every_series(pool, eth3l, eth3s, owner, stranger):
    assert tuple(eth3l.orderParams()) == (MIN_DELAY, MAX_AGE, 0, 10 * USDC)  # the defaults
    for bad, name, value, lo, hi in (
        ((11, MAX_AGE, 0, 0), "minDelay", 11, 12, 3_600),
        ((3_601, MAX_AGE, 0, 0), "minDelay", 3_601, 12, 3_600),
        ((60, 3_599, 0, 0), "maxOrderAge", 3_599, 3_600, 604_800),
        ((60, 604_801, 0, 0), "maxOrderAge", 604_801, 3_600, 604_800),
        ((60, MAX_AGE, 10 * USDC + 1, 0), "executionFee", 10 * USDC + 1, 0, 10 * USDC),
        ((60, MAX_AGE, 0, 100_000 * USDC + 1), "minMintAssets", 100_000 * USDC + 1, 0, 100_000 * USDC),
    ):
        with reverts_with(pool.ParameterOutOfBounds, parameter=b32(name), value=value, min=lo, max=hi):
            pool.setOrderParams(bad, sender=owner)
    with reverts_with(pool.OwnableUnauthorizedAccount, account=stranger.address):
        pool.setOrderParams((12, 3_600, 0, 0), sender=stranger)
    with reverts_with(eth3l.OnlyPool, caller=stranger.address):
        eth3l.setOrderParams((12, 3_600, 0, 0), sender=stranger)  # the token takes them from its pool only
    new = (3_600, 604_800, 10 * USDC, 100_000 * USDC)
    pool.setOrderParams(new, sender=owner)
    assert tuple(eth3l.orderParams()) == tuple(eth3s.orderParams()) == new
    later = new_series(pool, owner, "NEW3L", (3 * WAD, 25 * WAD // 10, 35 * WAD // 10, 86_400, 0, 0, 0, 0))
    assert tuple(later.orderParams()) == new


def test_a_mint_order_below_the_minimum_reverts_order_too_small(pool, eth3l, usdc, owner, bob):
    usdc.approve(eth3l, MAX, sender=bob)
    with reverts_with(eth3l.OrderTooSmall, assets=10 * USDC - 1, minimum=10 * USDC):
        eth3l.requestMint(10 * USDC - 1, 0, bob, sender=bob)
    eth3l.requestMint(10 * USDC, 0, bob, sender=bob)
    pool.setOrderParams((MIN_DELAY, MAX_AGE, 0, 0), sender=owner)
    with reverts_with(eth3l.OrderTooSmall, assets=0, minimum=0):
        eth3l.requestMint(0, 0, bob, sender=bob)
    with reverts_with(pool.ZeroAddress):
        eth3l.requestMint(USDC, 0, "0x0000000000000000000000000000000000000000", sender=bob)
    with reverts_with(pool.ZeroAmount):
        eth3l.requestRedeem(0, 0, bob, sender=bob)


# ----------------------------------------------------------------------------- pause


def test_request_mint_reverts_enforced_pause_while_the_pool_is_paused(pool, eth3l, usdc, owner, bob):
    usdc.approve(eth3l, MAX, sender=bob)
    pool.pause(sender=owner)
    with reverts_with(pool.EnforcedPause):
        eth3l.requestMint(100 * USDC, 0, bob, sender=bob)


def test_a_mint_order_placed_before_a_pause_is_refunded_and_redeems_still_execute(pool, eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    cash, cash_alice = usdc.balanceOf(bob), usdc.balanceOf(alice)
    request_mint(eth3l, usdc, bob, 1_000 * USDC)
    _, t = request_redeem(eth3l, alice, 10 * WAD)
    pool.pause(sender=owner)
    r = due_round(oracle, owner, t, 2_000)
    receipt = eth3l.executeOrders(r, 10, sender=bob)
    assert refunds(receipt, eth3l) == {(MINT, 0): PAUSED}
    assert executed(receipt, eth3l) == {(REDEEM, 0): 1_000 * USDC}
    assert usdc.balanceOf(bob) == cash and usdc.balanceOf(alice) - cash_alice == 1_000 * USDC


# ----------------------------------------------------------------------------- due orders first


def test_due_orders_block_rebalance_and_immediate_mint_and_redeem_until_executed(pool, eth3l, eth3s, usdc, oracle, owner, alice, bob, keeper):
    seed(eth3l, alice)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    r = due_round(oracle, owner, t, 1_800)  # -10%: leverage 3.86, a drift trigger
    assert eth3l.ordersDueBy(round_time(oracle, r)) and not eth3l.ordersDueBy(t + MIN_DELAY)
    assert eth3l.rebalanceStatus() == 0
    with reverts_with(pool.SeriesOrdersDue, token=eth3l.address):
        eth3l.rebalance(sender=keeper)
    with reverts_with(eth3l.OrdersDue):
        eth3l.mint(100 * USDC, 0, alice, sender=alice)
    with reverts_with(eth3l.OrdersDue):
        eth3l.redeem(WAD, 0, alice, sender=alice)
    eth3s.mint(100 * USDC, 0, alice, sender=alice)  # another series is not blocked
    eth3l.executeOrders(r, 10, sender=keeper)
    assert eth3l.rebalanceStatus() == 1  # DRIFT
    assert eth3l.rebalance(sender=keeper).return_value == 1
    eth3l.mint(100 * USDC, 0, alice, sender=alice)
    eth3l.redeem(WAD, 0, alice, sender=alice)


def test_an_order_not_yet_due_blocks_nothing(eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    publish(oracle, owner, 2_000, at=t + MIN_DELAY)
    assert eth3l.mint(1_000 * USDC, 0, alice, sender=alice).return_value == 10 * WAD
    eth3l.redeem(WAD, 0, alice, sender=alice)


def test_an_unusable_round_prices_nothing_and_the_next_usable_round_does(eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    chain.pending_timestamp = t + MIN_DELAY + 1
    oracle.updateAnswer(0, sender=owner)  # a complete round with an invalid answer
    bad = latest_round(oracle)
    with reverts_with(eth3l.NoOrdersDue, roundId=bad):
        eth3l.executeOrders(bad, 10, sender=bob)
    good = publish(oracle, owner, 2_200)
    receipt = eth3l.executeOrders(good, 10, sender=bob)
    assert executed(receipt, eth3l) == {(MINT, 0): tokens_for(1_000 * USDC, long_equity_at(2_200), 100 * WAD)}
    with reverts_with(eth3l.NoOrdersDue, roundId=good + 40):
        eth3l.executeOrders(good + 40, 10, sender=bob)  # rounds the feed does not have are unusable


# ----------------------------------------------------------------------------- front-running (the reason for orders)


def test_immediate_entry_points_let_a_front_runner_profit_from_a_known_update(eth3l, usdc, oracle, owner, alice, bob):
    """The baseline the orders close: mint at the old price, redeem at the published one (+0.5%)."""
    seed(eth3l, alice)
    cash = usdc.balanceOf(bob)
    tokens = eth3l.mint(100_000 * USDC, 0, bob, sender=bob).return_value
    set_price(oracle, 2_010, owner)
    eth3l.redeem(tokens, 0, bob, sender=bob)
    assert usdc.balanceOf(bob) - cash > 1_400 * USDC  # about 3 x 0.5% of 100,000


@pytest.mark.parametrize("fee", [0, USDC])
def test_a_mint_order_placed_before_a_known_update_is_priced_after_it_and_earns_nothing(pool, eth3l, usdc, oracle, owner, alice, bob, keeper, fee):
    pool.setOrderParams((MIN_DELAY, MAX_AGE, fee, 10 * USDC), sender=owner)
    seed(eth3l, alice)
    cash = usdc.balanceOf(bob)
    _, t = request_mint(eth3l, usdc, bob, 100_000 * USDC)  # bob knows the next round is +0.5%
    r_update = publish(oracle, owner, 2_010, at=t + 5)  # published within minDelay of the request
    with reverts_with(eth3l.NoOrdersDue, roundId=r_update):
        eth3l.executeOrders(r_update, 10, sender=keeper)
    r_mint = due_round(oracle, owner, t, 2_010)  # the price then stays flat
    receipt = eth3l.executeOrders(r_mint, 10, sender=keeper)
    assert only_event(receipt, eth3l.OrderExecuted).roundId == r_mint
    assert round_time(oracle, r_mint) > t + MIN_DELAY
    assert only_event(receipt, pool.Minted).price == 2_010 * WAD
    _, t2 = request_redeem(eth3l, bob, eth3l.balanceOf(bob))
    eth3l.executeOrders(due_round(oracle, owner, t2, 2_010), 10, sender=keeper)
    profit = usdc.balanceOf(bob) - cash
    assert eth3l.balanceOf(bob) == 0
    assert profit <= -2 * fee and profit > -2 * fee - 10  # only rounding dust and the fees lost


def test_a_redeem_order_placed_before_a_known_drop_is_priced_after_it(eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    tokens = 50 * WAD
    cash = usdc.balanceOf(alice)
    _, t = request_redeem(eth3l, alice, tokens)  # alice knows the next round is -0.5%
    publish(oracle, owner, 1_990, at=t + 5)
    eth3l.executeOrders(due_round(oracle, owner, t, 1_990), 10, sender=bob)
    assert usdc.balanceOf(alice) - cash == assets_for(tokens, long_equity_at(1_990), 100 * WAD)
    assert usdc.balanceOf(alice) - cash < 5_000 * USDC  # not the 5,000 of the old price


# ----------------------------------------------------------------------------- executors


def test_an_executor_that_lost_the_race_reverts_no_orders_due_cheaply(eth3l, usdc, oracle, owner, alice, bob, keeper, stranger):
    seed(eth3l, alice)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    r = due_round(oracle, owner, t, 2_000)
    won = eth3l.executeOrders(r, 10, sender=keeper)
    with reverts_with(eth3l.NoOrdersDue, roundId=r):
        eth3l.executeOrders(r, 10, sender=stranger)
    lost = eth3l.executeOrders(r, 10, sender=stranger, gas_limit=500_000, raise_on_revert=False)
    assert lost.failed
    print(f"executeOrders gas: winner {won.gas_used}, loser {lost.gas_used}")
    assert lost.gas_used < 60_000 and lost.gas_used * 3 < won.gas_used  # 21,000 of it intrinsic


def test_claim_with_nothing_claimable_reverts(eth3l, bob):
    assert eth3l.claimable(bob) == 0
    with reverts_with(eth3l.NothingToClaim):
        eth3l.claim(sender=bob)


def test_the_orders_module_called_directly_reverts_not_delegated(pool, stranger):
    module = project.PoolOrders.at(pool.ordersModule())
    with reverts_with(module.NotDelegated):
        module.executeOrders(0, 0, 0, [], [], True, sender=stranger)
    with reverts_with(module.NotDelegated):
        module.executeOrders(2_000 * WAD, 0, WAD, [], [(stranger, stranger, WAD, 0)], False, sender=stranger)


def test_a_full_queue_reverts_queue_full_and_an_executed_slot_is_reused(eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    usdc.approve(eth3l, MAX, sender=bob)
    web3 = chain.provider.web3
    data = eth3l.requestMint.encode_input(10 * USDC, 0, bob)
    size = eth3l.QUEUE_SIZE()
    for _ in range(size):
        web3.eth.send_transaction({"from": bob.address, "to": eth3l.address, "data": data, "gas": 300_000})
    assert tuple(eth3l.queues()) == (0, size, 0, 0)
    with reverts_with(eth3l.QueueFull, kind=MINT):
        eth3l.requestMint(10 * USDC, 0, bob, sender=bob)
    r = due_round(oracle, owner, requested_at(eth3l, MINT, size - 1), 2_000)
    assert eth3l.executeOrders(r, 3, sender=bob).return_value == 3
    order_id, _ = request_mint(eth3l, usdc, alice, 11 * USDC, receiver=bob)  # slot 0, written before
    assert order_id == size
    o = eth3l.pendingOrder(MINT, size)
    assert (o.receiver, o.amount, o.minOut) == (bob.address, 11 * USDC, 0)
    assert eth3l.orderOwner(MINT, size) == alice.address and eth3l.pendingOrder(MINT, 0).amount == 0


@pytest.mark.parametrize("n", [31, 32])
def test_up_to_max_unusable_rounds_before_the_due_round_are_walked_over(eth3l, usdc, oracle, owner, bob, n):
    _, r = unusable_rounds_then_due(eth3l, usdc, oracle, owner, bob, n)  # only "more than max" cannot be checked
    receipt = eth3l.executeOrders(r, 10, sender=bob)
    assert receipt.return_value == 1 and len(executed(receipt, eth3l)) == 1


def test_an_order_behind_too_many_unusable_rounds_is_refunded_unverifiable_not_stranded(eth3l, usdc, oracle, owner, bob):
    # Found by this file's first version: 40 unusable rounds before the due round made it revert, and every
    # later round revert OrderDueEarlier, so the escrow was locked and the series blocked for good.
    cash = usdc.balanceOf(bob)
    _, r = unusable_rounds_then_due(eth3l, usdc, oracle, owner, bob, 40)
    receipt = eth3l.executeOrders(r, 10, sender=bob)
    refund = only_event(receipt, eth3l.OrderRefunded)
    assert (refund.kind, refund.id, refund.owner, refund.reason) == (MINT, 0, bob.address, UNVERIFIABLE)
    assert not eth3l.hasPendingOrders() and usdc.balanceOf(bob) == cash and eth3l.totalSupply() == 0


def test_a_pending_order_keeps_the_delay_in_force_when_it_was_placed(pool, eth3l, usdc, oracle, owner, alice, bob):
    # minDelay is fixed into each order's dueAt: the owner cannot move a pending order to another round.
    seed(eth3l, alice)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    pool.setOrderParams((3_600, MAX_AGE, 0, 10 * USDC), sender=owner)
    r = publish(oracle, owner, 2_100, at=t + MIN_DELAY + 1)
    receipt = eth3l.executeOrders(r, 10, sender=bob)
    assert executed(receipt, eth3l) == {(MINT, 0): tokens_for(1_000 * USDC, long_equity_at(2_100), 100 * WAD)}


def test_set_series_params_waits_for_due_orders(pool, eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    r = due_round(oracle, owner, t, 2_000)
    with reverts_with(pool.SeriesOrdersDue, token=eth3l.address):
        pool.setSeriesParams(eth3l, ETH3_PARAMS, sender=owner)
    eth3l.executeOrders(r, 10, sender=bob)
    pool.setSeriesParams(eth3l, ETH3_PARAMS, sender=owner)


# ----------------------------------------------------------------------------- orders in Automation


def _perform_data(pool):
    needed, data = pool.checkUpkeep(b"")
    bitmap, health, rounds, lp_round_id = decode(["uint256", "bool", "uint80[]", "uint80"], bytes(data))
    return needed, bitmap, health, list(rounds)


def test_check_upkeep_names_the_pending_round_and_perform_upkeep_executes_the_orders(
        pool, eth3l, usdc, oracle, owner, alice, bob, keeper, stranger):
    seed(eth3l, alice)
    pool.setOrderParams((MIN_DELAY, MAX_AGE, USDC, 10 * USDC), sender=owner)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    assert eth3l.pendingRound() == 0 and _perform_data(pool)[3] == []  # not due: nothing to name
    r = due_round(oracle, owner, t, 2_100)
    publish(oracle, owner, 2_150)  # a later round: the order's is still r
    needed, bitmap, _, rounds = _perform_data(pool)
    assert needed and eth3l.pendingRound() == r and rounds == [r, 0] and bitmap & 1 == 0
    cash = usdc.balanceOf(keeper)
    data = encode(["uint256", "bool", "uint80[]", "uint80"], [0, False, rounds, 0])
    receipt = pool.performUpkeep(data, sender=keeper)
    assert executed(receipt, eth3l) == {(MINT, 0): tokens_for(1_000 * USDC, long_equity_at(2_100), 100 * WAD)}
    assert usdc.balanceOf(keeper) == cash + USDC  # the execution fee goes to the keeper, not the pool
    assert not eth3l.hasPendingOrders() and eth3l.pendingRound() == 0
    with reverts_with(pool.NoUpkeepNeeded):  # the keeper that lost the race
        pool.performUpkeep(data, sender=stranger)


def test_only_the_pool_executes_orders_for_another_executor(eth3l, alice):
    with reverts_with(eth3l.OnlyPool, caller=alice.address):
        eth3l.executeOrdersFor(1, 10, alice, sender=alice)


def test_pending_round_names_the_latest_round_for_an_order_that_expired_without_one(eth3l, usdc, oracle, bob):
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    chain.pending_timestamp = t + MIN_DELAY + MAX_AGE + 1
    chain.mine()
    assert eth3l.pendingRound() == latest_round(oracle)
    assert refunds(eth3l.executeOrders(eth3l.pendingRound(), 10, sender=bob), eth3l) == {(MINT, 0): EXPIRED}


# ----------------------------------------------------------------------------- the window's edges (mutants O03, O04)


def test_a_round_updated_exactly_at_the_end_of_the_window_still_prices_the_order(eth3l, usdc, oracle, owner, alice, bob):
    seed(eth3l, alice)
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    r = publish(oracle, owner, 2_000, at=t + MIN_DELAY + MAX_AGE)  # dueAt + maxOrderAge: inside the window
    receipt = eth3l.executeOrders(r, 10, sender=bob)
    assert refunds(receipt, eth3l) == {} and executed(receipt, eth3l) == {(MINT, 0): 10 * WAD}


def test_an_order_without_a_round_is_not_expired_at_the_last_second_of_its_window(eth3l, usdc, oracle, bob):
    _, t = request_mint(eth3l, usdc, bob, 1_000 * USDC)
    r = latest_round(oracle)
    chain.pending_timestamp = t + MIN_DELAY + MAX_AGE  # a round could still come in this very second
    with reverts_with(eth3l.NoOrdersDue, roundId=r):
        eth3l.executeOrders(r, 10, sender=bob)
    chain.pending_timestamp = t + MIN_DELAY + MAX_AGE + 1
    assert refunds(eth3l.executeOrders(r, 10, sender=bob), eth3l) == {(MINT, 0): EXPIRED}
