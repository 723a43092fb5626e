"""LP orders (SPEC sections 3a and 4; ERC-7540 on the pool's ERC-4626 shares): requests escrow and change no
share price; an execution at the first usable round after request + minDelay prices every LP order due at
that round at one share price, after the round's series orders and rebalances; deposits become claimable
shares, redeems claimable assets, first-come up to the headroom above the floor and the utilization cap; the
rest waits at the head and fills later; refunds (slippage, expiry, deficit); operators; claims; the order
rules against the series; and the attacks of issue 8 (trading ahead of the oracle, the LP sandwich).

Shares follow OZ ERC4626 with a decimals offset of 6: shares = assets*(supply + 1e6)/(totalAssets + 1).
"""

import pytest
from ape import chain, project
from conftest import LP_CAPITAL, USDC, WAD, build_system, lp_deposit, lp_round, set_price, warp

from helpers import ZERO_ADDRESS, exposure_for, equity_at, floor_of, only_event, oz_to_assets, oz_to_shares, reverts_with

SCALE = 10**12
P0 = 2_000 * WAD
LP_SHARES = LP_CAPITAL * USDC * 10**6  # the fixture's first deposit: assets * (0 + 1e6) / (0 + 1)
MIN_DELAY = 60
DEPOSIT, REDEEM = 0, 1
SLIPPAGE, EXPIRED, DEFICIT = 1, 2, 7
MAX = 2**256 - 1


def latest_round(oracle):
    return oracle.latestRoundData()[0]


def publish(oracle, owner, price, wait=MIN_DELAY + 1):
    """`wait` seconds on, a round at `price`; returns its id."""
    warp(wait)
    set_price(oracle, price, owner)
    return latest_round(oracle)


def request_deposit(pool, lp, assets, min_shares=None, controller=None):
    args = (assets, controller or lp, lp) + (() if min_shares is None else (min_shares,))
    return pool.requestDeposit(*args, sender=lp)


def request_redeem(pool, lp, shares, min_assets=None, controller=None):
    args = (shares, controller or lp, lp) + (() if min_assets is None else (min_assets,))
    return pool.requestRedeem(*args, sender=lp)


def refund_reasons(receipt, pool):
    return [(e.kind, e.id, e.reason) for e in receipt.events.filter(pool.LpOrderRefunded)]


@pytest.fixture
def loaded(system, owner, alice):
    """Alice holds ETH3L for 4,321,987.654321 USDC at 2,000: the floor binds the LP's exit."""
    usdc, oracle, pool, tokens = system
    tokens["ETH3L"].mint(4_321_987_654_321, 0, alice, sender=alice)
    liabilities = 4_321_987_654_321 * SCALE
    reserve = (LP_CAPITAL * USDC + 4_321_987_654_321) * SCALE - liabilities
    return usdc, oracle, pool, liabilities, reserve


# --------------------------------------------------------------------------- requests


def test_request_deposit_escrows_the_assets_and_changes_no_share_price(system, lp, bob):
    usdc, _, pool, _ = system
    before = (pool.totalAssets(), pool.totalSupply(), pool.poolAssets(), pool.convertToShares(10**6 * USDC))
    balance = usdc.balanceOf(pool)
    receipt = request_deposit(pool, bob, 1_000 * USDC, controller=lp)
    assert receipt.return_value == 0  # ERC-7540: requests aggregated per controller
    ev = only_event(receipt, pool.DepositRequest)
    assert (ev.controller, ev.owner, ev.requestId, ev.sender, ev.assets) == (lp, bob, 0, bob, 1_000 * USDC)
    queued = only_event(receipt, pool.LpOrderQueued)
    assert (queued.kind, queued.id, queued.controller, queued.amount) == (DEPOSIT, 1, lp, 1_000 * USDC)
    assert usdc.balanceOf(pool) == balance + 1_000 * USDC
    assert (pool.totalAssets(), pool.totalSupply(), pool.poolAssets(), pool.convertToShares(10**6 * USDC)) == before
    assert pool.pendingDepositRequest(0, lp) == 1_000 * USDC
    assert pool.pendingDepositRequest(0, bob) == 0
    assert pool.claimableDepositRequest(0, lp) == 0
    assert pool.lpOrder(DEPOSIT, 1).receiver == lp


def test_request_redeem_escrows_the_shares_in_the_pool(system, lp):
    _, _, pool, _ = system
    receipt = request_redeem(pool, lp, LP_SHARES // 4)
    ev = only_event(receipt, pool.RedeemRequest)
    assert (ev.controller, ev.owner, ev.shares) == (lp, lp, LP_SHARES // 4)
    assert pool.balanceOf(lp) == LP_SHARES - LP_SHARES // 4
    assert pool.balanceOf(pool) == LP_SHARES // 4
    assert pool.totalSupply() == LP_SHARES
    assert pool.pendingRedeemRequest(0, lp) == LP_SHARES // 4


def test_requests_refuse_zero_small_unauthorised_and_zero_controller(system, lp, bob, stranger):
    _, _, pool, _ = system
    with reverts_with(pool.LpOrderTooSmall, assets=0, minimum=10 * USDC):
        request_deposit(pool, lp, 0)
    with reverts_with(pool.LpOrderTooSmall, assets=10 * USDC - 1, minimum=10 * USDC):
        request_deposit(pool, lp, 10 * USDC - 1)
    with reverts_with(pool.ZeroAmount):
        request_redeem(pool, lp, 0)
    with reverts_with(pool.NotOperator, controller=lp.address, caller=stranger.address):
        pool.requestDeposit(100 * USDC, stranger, lp, sender=stranger)
    with reverts_with(pool.ERC20InsufficientAllowance):
        pool.requestRedeem(WAD, stranger, lp, sender=stranger)
    with reverts_with(pool.ZeroAddress):
        pool.requestDeposit(100 * USDC, ZERO_ADDRESS, lp, sender=lp)


def test_previews_revert_for_an_asynchronous_vault(system):
    pool = system[2]
    for preview in (pool.previewDeposit, pool.previewMint, pool.previewWithdraw, pool.previewRedeem):
        with reverts_with(pool.AsyncPreview):
            preview(1)


def test_supports_the_erc7540_erc7575_and_erc165_interfaces(system):
    pool = system[2]
    for interface_id in ("0x01ffc9a7", "0xe3bc4e65", "0xce3bbe50", "0x620ee8e4", "0x2f0a18c5"):
        assert pool.supportsInterface(interface_id)
    assert not pool.supportsInterface("0xffffffff")
    assert pool.share() == pool.address


# --------------------------------------------------------------------------- execution and claims


def test_a_deposit_executes_at_the_first_round_after_min_delay_at_that_rounds_share_price(system, owner, lp, bob):
    usdc, oracle, pool, _ = system
    request_deposit(pool, bob, 1_000 * USDC)
    early = publish(oracle, owner, 2_000, wait=MIN_DELAY - 5)  # before dueAt: not its round
    with reverts_with(pool.NoLpOrdersDue, roundId=early):
        pool.executeLpOrders(early, 10, sender=bob)
    due = publish(oracle, owner, 2_000, wait=10)
    ta, supply = pool.totalAssets(), pool.totalSupply()
    receipt = pool.executeLpOrders(due, 10, sender=bob)
    shares = oz_to_shares(1_000 * USDC, supply, ta)
    ev = only_event(receipt, pool.LpOrderExecuted)
    assert (ev.kind, ev.id, ev.controller, ev.roundId, ev.amount, ev.out) == (DEPOSIT, 1, bob, due, 1_000 * USDC, shares)
    assert pool.pendingDepositRequest(0, bob) == 0
    assert pool.claimableDepositRequest(0, bob) == pool.maxDeposit(bob) == 1_000 * USDC
    assert pool.maxMint(bob) == shares
    assert pool.balanceOf(pool) == shares and pool.totalSupply() == supply + shares
    assert pool.poolAssets() == (LP_CAPITAL + 1_000) * USDC
    claim = pool.deposit(1_000 * USDC, bob, sender=bob)  # ERC-4626 form: controller = caller
    assert claim.return_value == shares
    dep = only_event(claim, pool.Deposit)
    assert (dep.sender, dep.owner, dep.assets, dep.shares) == (bob, bob, 1_000 * USDC, shares)
    assert pool.balanceOf(bob) == shares and pool.balanceOf(pool) == 0
    assert pool.maxDeposit(bob) == pool.maxMint(bob) == 0


def test_late_execution_keeps_the_due_rounds_price_and_a_later_round_reverts_lp_order_due_earlier(system, owner, lp, bob):
    usdc, oracle, pool, _ = system
    request_deposit(pool, bob, 1_000 * USDC)
    due = publish(oracle, owner, 2_000)
    later = publish(oracle, owner, 2_100)
    with reverts_with(pool.LpOrderDueEarlier, kind=DEPOSIT, id=1, roundId=later):
        pool.executeLpOrders(later, 10, sender=bob)
    pool.executeLpOrders(due, 10, sender=bob)
    assert pool.maxMint(bob) == oz_to_shares(1_000 * USDC, LP_SHARES, LP_CAPITAL * USDC)


def test_partial_claims_round_against_the_claimant_and_the_last_claim_takes_the_rest(system, owner, lp, bob, alice):
    usdc, oracle, pool, _ = system
    request_deposit(pool, bob, 1_000 * USDC + 7)
    lp_round(pool, oracle, owner)
    assets, shares = pool.maxDeposit(bob), pool.maxMint(bob)
    first = pool.deposit(333 * USDC, alice, bob, sender=bob).return_value
    assert first == 333 * USDC * shares // assets  # shares received: down
    used = pool.mint(shares // 3, alice, bob, sender=bob).return_value
    assert used == -(-(shares // 3) * (assets - 333 * USDC) // (shares - first))  # assets used up: up
    with reverts_with(pool.ClaimExceeded, requested=assets, claimable=pool.maxDeposit(bob)):
        pool.deposit(assets, bob, bob, sender=bob)
    with reverts_with(pool.ZeroAmount):
        pool.deposit(0, bob, bob, sender=bob)
    pool.mint(pool.maxMint(bob), alice, bob, sender=bob)
    assert pool.balanceOf(alice) == shares and pool.maxDeposit(bob) == 0


def test_deposits_and_redeems_of_one_round_share_one_share_price(system, owner, lp, bob, alice):
    usdc, oracle, pool, tokens = system
    tokens["ETH3L"].mint(100_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, "1990", owner)  # holders lose: LP shares gain, inside the band
    request_deposit(pool, bob, 50_000 * USDC)
    request_redeem(pool, lp, LP_SHARES // 10)
    ta, supply = pool.totalAssets(), pool.totalSupply()
    due = publish(oracle, owner, "1990")
    assert pool.totalAssets() == ta
    receipt = pool.executeLpOrders(due, 10, sender=alice)
    dep, red = receipt.events.filter(pool.LpOrderExecuted)
    assert dep.out == oz_to_shares(50_000 * USDC, supply, ta)
    assert red.out == oz_to_assets(LP_SHARES // 10, supply, ta)
    cash = usdc.balanceOf(lp)
    pool.redeem(LP_SHARES // 10, lp, lp, sender=lp)
    assert usdc.balanceOf(lp) == cash + red.out and pool.maxWithdraw(lp) == 0


def test_a_redeem_fills_up_to_the_floor_and_the_rest_waits_at_the_head_until_headroom_appears(loaded, owner, lp, bob):
    usdc, oracle, pool, liabilities, reserve = loaded
    ta = reserve // SCALE
    room = (reserve - floor_of(liabilities)) // SCALE
    request_redeem(pool, lp, LP_SHARES * 3 // 4, min_assets=1)
    receipt = lp_round(pool, oracle, owner)
    ev = only_event(receipt, pool.LpOrderExecuted)
    filled = oz_to_shares(room, LP_SHARES, ta)
    assert (ev.amount, ev.out) == (filled, oz_to_assets(filled, LP_SHARES, ta))
    assert ev.out <= room
    assert pool.reserve() >= pool.floor()
    waiting = pool.lpOrder(REDEEM, 0)
    assert waiting.amount == LP_SHARES * 3 // 4 - filled
    q = pool.lpQueues()
    assert (q.redeemHead, q.redeemNext, q.redeemTail, q.nextDue) == (0, 1, 1, 0)
    # A later redeem order waits behind it; a deposit brings headroom, and the head fills first.
    lp_deposit(pool, oracle, owner, bob, 10 * USDC)
    request_redeem(pool, bob, pool.balanceOf(bob))
    request_deposit(pool, bob, 500_000 * USDC)
    receipt = lp_round(pool, oracle, owner)
    executed = [(e.kind, e.id) for e in receipt.events.filter(pool.LpOrderExecuted)]
    assert executed == [(DEPOSIT, 2), (REDEEM, 0), (REDEEM, 1)]
    assert receipt.return_value == 3  # each order counted once
    assert pool.pendingRedeemRequest(0, lp) == 0
    assert pool.lpQueues().redeemHead == 2


def test_a_waiting_redeem_fills_at_the_latest_round_once_headroom_appears(loaded, owner, lp, stranger):
    usdc, oracle, pool, liabilities, reserve = loaded
    request_redeem(pool, lp, LP_SHARES * 3 // 4)
    lp_round(pool, oracle, owner)
    latest = latest_round(oracle)
    with reverts_with(pool.NoLpOrdersDue, roundId=latest):
        pool.executeLpOrders(latest, 10, sender=stranger)  # no headroom: nothing to do
    assert pool.lpPendingRound() == 0
    usdc.mint(stranger, 1_000_000 * USDC, sender=owner)
    usdc.approve(pool, MAX, sender=stranger)
    pool.fundReserve(1_000_000 * USDC, sender=stranger)
    assert pool.lpPendingRound() == latest
    pool.executeLpOrders(latest, 10, sender=stranger)
    assert pool.pendingRedeemRequest(0, lp) == 0


def test_orders_below_their_bound_are_refunded_and_the_others_execute(system, owner, lp, bob):
    usdc, oracle, pool, _ = system
    shares = oz_to_shares(1_000 * USDC, LP_SHARES, LP_CAPITAL * USDC)
    request_deposit(pool, bob, 1_000 * USDC, min_shares=shares + 1)
    request_deposit(pool, bob, 1_000 * USDC, min_shares=shares)
    request_redeem(pool, lp, 10**12, min_assets=10**6 + 1)
    cash = usdc.balanceOf(bob)
    receipt = lp_round(pool, oracle, owner)
    assert refund_reasons(receipt, pool) == [(DEPOSIT, 1, SLIPPAGE), (REDEEM, 0, SLIPPAGE)]
    assert usdc.balanceOf(bob) == cash + 1_000 * USDC
    assert pool.maxMint(bob) == shares
    assert pool.balanceOf(lp) == LP_SHARES and pool.pendingRedeemRequest(0, lp) == 0


def test_an_order_without_a_round_for_max_order_age_is_refunded_with_its_fee(system, owner, lp, bob, stranger):
    usdc, oracle, pool, _ = system
    request_deposit(pool, bob, 1_000 * USDC)
    cash = usdc.balanceOf(bob)
    warp(MIN_DELAY + 86_400 + 1)  # no round in the whole window
    latest = latest_round(oracle)
    assert pool.lpPendingRound() == latest
    receipt = pool.executeLpOrders(latest, 10, sender=stranger)
    assert refund_reasons(receipt, pool) == [(DEPOSIT, 1, EXPIRED)]
    assert usdc.balanceOf(bob) == cash + 1_000 * USDC
    assert pool.pendingDepositRequest(0, bob) == 0


def test_deposits_into_a_deficit_are_refunded(owner, lp, alice, bob):
    usdc, oracle, pool, tokens = build_system(owner, lp, (alice, bob), lp_capital=100_000)
    tokens["ETH3L"].mint(100_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, "2800", owner)  # holders gain 120,000 > the LP's 100,000: R < 0
    assert pool.reserve() < 0
    request_deposit(pool, bob, 1_000 * USDC)
    due = publish(oracle, owner, "2800")
    assert tokens["ETH3L"].rebalanceStatus() == 0  # an increase below the floor waits
    receipt = pool.executeLpOrders(due, 10, sender=bob)
    assert refund_reasons(receipt, pool) == [(DEPOSIT, 1, DEFICIT)]


# --------------------------------------------------------------------------- operators


def test_an_operator_requests_and_claims_for_its_controller(system, owner, lp, bob, stranger):
    usdc, oracle, pool, _ = system
    receipt = pool.setOperator(stranger, True, sender=lp)
    ev = only_event(receipt, pool.OperatorSet)
    assert (ev.controller, ev.operator, ev.approved) == (lp, stranger, True)
    assert pool.isOperator(lp, stranger)
    pool.requestRedeem(LP_SHARES // 10, lp, lp, sender=stranger)  # operator of the owner: no allowance needed
    lp_round(pool, oracle, owner)
    assets = pool.maxWithdraw(lp)
    with reverts_with(pool.NotOperator, controller=lp.address, caller=bob.address):
        pool.withdraw(assets, bob, lp, sender=bob)
    receipt = pool.withdraw(assets, stranger, lp, sender=stranger)
    w = only_event(receipt, pool.Withdraw)
    assert (w.sender, w.receiver, w.owner, w.assets) == (stranger, stranger, lp, assets)
    assert usdc.balanceOf(stranger) >= assets
    pool.setOperator(stranger, False, sender=lp)
    with reverts_with(pool.NotOperator, controller=lp.address, caller=stranger.address):
        pool.requestDeposit(100 * USDC, lp, lp, sender=stranger)


def test_a_share_allowance_lets_a_spender_request_a_redeem(system, owner, lp, bob):
    _, oracle, pool, _ = system
    pool.approve(bob, WAD, sender=lp)
    pool.requestRedeem(WAD, bob, lp, sender=bob)
    assert pool.allowance(lp, bob) == 0
    assert pool.pendingRedeemRequest(0, bob) == WAD


def test_claim_refund_without_a_refund_reverts(system, bob):
    pool = system[2]
    assert pool.refundable(bob) == 0
    with reverts_with(pool.NoRefund):
        pool.claimRefund(sender=bob)


def test_the_lp_module_called_directly_reverts_not_delegated(system, stranger):
    pool = system[2]
    module = project.PoolLpOrders.at(pool.lpOrdersModule())
    with reverts_with(module.NotDelegated):
        module.executeLpOrders(1, 1, sender=stranger)
    with reverts_with(module.NotDelegated):
        module.requestDeposit(100 * USDC, stranger, stranger, sender=stranger)


# --------------------------------------------------------------------------- order against the series


def test_series_orders_of_the_round_execute_before_its_lp_orders(system, owner, lp, alice):
    usdc, oracle, pool, tokens = system
    eth3l = tokens["ETH3L"]
    usdc.approve(eth3l, MAX, sender=alice)
    eth3l.requestMint(1_000 * USDC, 0, alice, sender=alice)
    request_deposit(pool, lp, 1_000 * USDC)
    due = publish(oracle, owner, 2_000)
    with reverts_with(pool.SeriesOrdersDue, token=eth3l.address):
        pool.executeLpOrders(due, 10, sender=lp)
    eth3l.executeOrders(due, 10, sender=lp)
    pool.executeLpOrders(due, 10, sender=lp)


def test_a_rebalance_due_at_the_latest_round_comes_before_its_lp_orders(system, owner, lp, alice):
    usdc, oracle, pool, tokens = system
    eth3l = tokens["ETH3L"]
    eth3l.mint(100_000 * USDC, 0, alice, sender=alice)
    request_deposit(pool, lp, 1_000 * USDC)
    due = publish(oracle, owner, 2_300)  # leverage out of the band
    assert eth3l.rebalanceStatus() != 0
    with reverts_with(pool.RebalanceDue, token=eth3l.address):
        pool.executeLpOrders(due, 10, sender=lp)
    eth3l.rebalance(sender=lp)
    pool.executeLpOrders(due, 10, sender=lp)


def test_lp_orders_of_an_earlier_round_block_later_settlements(system, owner, lp, alice):
    usdc, oracle, pool, tokens = system
    eth3l = tokens["ETH3L"]
    eth3l.mint(100_000 * USDC, 0, alice, sender=alice)
    request_deposit(pool, lp, 1_000 * USDC)
    due = publish(oracle, owner, 2_000)
    publish(oracle, owner, 2_300)  # a later round: the rebalance would settle at it
    assert eth3l.rebalanceStatus() == 0
    with reverts_with(pool.LpOrdersDue):
        eth3l.rebalance(sender=lp)
    with reverts_with(pool.LpOrdersDue):
        eth3l.mint(1_000 * USDC, 0, alice, sender=alice)
    pool.executeLpOrders(due, 10, sender=lp)
    assert eth3l.rebalanceStatus() != 0
    eth3l.rebalance(sender=lp)


def test_perform_upkeep_executes_due_lp_orders_after_the_rebalances(system, owner, lp, keeper):
    _, oracle, pool, _ = system
    request_deposit(pool, lp, 1_000 * USDC)
    due = publish(oracle, owner, 2_000)
    needed, data = pool.checkUpkeep(b"")
    assert needed
    from eth_abi import decode

    bitmap, _, rounds, lp_round_id = decode(["uint256", "bool", "uint80[]", "uint80"], bytes(data))
    assert (bitmap, lp_round_id) == (0, due)
    pool.performUpkeep(data, sender=keeper)
    assert pool.maxDeposit(lp) == 1_000 * USDC


# --------------------------------------------------------------------------- attacks (issue 8)


def test_an_lp_who_sees_a_gain_coming_cannot_deposit_before_it(loaded, owner, lp, bob):
    """The sandwich: deposit just before a round that moves the reserve up, redeem after. The deposit is
    priced at the first round after its dueAt, i.e. after the move it saw coming; the round trip loses."""
    usdc, oracle, pool, liabilities, reserve = loaded
    pool.setFloorRatio(10**16, sender=owner)
    cash = usdc.balanceOf(bob)
    request_deposit(pool, bob, 1_000_000 * USDC)
    publish(oracle, owner, "1990", wait=30)  # the move it saw (holders of ETH3L lose: LPs gain), before dueAt
    lp_round(pool, oracle, owner)
    shares = pool.maxMint(bob)
    pool.mint(shares, bob, bob, sender=bob)
    request_redeem(pool, bob, shares)
    lp_round(pool, oracle, owner)
    pool.withdraw(pool.maxWithdraw(bob), bob, bob, sender=bob)
    profit = usdc.balanceOf(bob) - cash
    assert profit <= 0


def test_an_lp_who_sees_a_loss_coming_cannot_leave_before_it(loaded, owner, lp):
    usdc, oracle, pool, liabilities, reserve = loaded
    pool.setFloorRatio(10**16, sender=owner)
    set_price(oracle, "1990", owner)  # start from some room
    ta_before_loss = pool.totalAssets()
    request_redeem(pool, lp, LP_SHARES // 10)
    publish(oracle, owner, "2000", wait=30)  # the loss it saw coming (ETH3L gains), before dueAt
    lp_round(pool, oracle, owner)
    paid = pool.maxWithdraw(lp)
    assert paid == oz_to_assets(LP_SHARES // 10, LP_SHARES, pool.totalAssets() + paid)
    assert paid < oz_to_assets(LP_SHARES // 10, LP_SHARES, ta_before_loss)


def test_an_lp_who_sees_a_rebalance_coming_does_not_capture_its_spread(owner, lp, alice, bob):
    """Deposit when a trigger is visible, leave after the rebalance paid its spread into the reserve: the
    deposit executes only after that round's rebalance (`RebalanceDue` otherwise), so it buys the spread at
    its price; the round trip earns nothing."""
    from conftest import params

    usdc, oracle, pool, tokens = build_system(owner, lp, (alice, bob), series_params=params(spread=0.01))
    eth3l = tokens["ETH3L"]
    eth3l.mint(500_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, 2_300, owner)  # leverage leaves the band: a rebalance with a 1% spread is visible
    assert eth3l.rebalanceStatus() != 0
    cash = usdc.balanceOf(bob)
    request_deposit(pool, bob, 1_000_000 * USDC)
    due = publish(oracle, owner, 2_300)
    with reverts_with(pool.RebalanceDue, token=eth3l.address):
        pool.executeLpOrders(due, 10, sender=bob)
    r_before = pool.reserve()
    eth3l.rebalance(sender=owner)
    spread = pool.reserve() - r_before
    assert spread > 1_000 * WAD  # what was there to capture
    pool.executeLpOrders(due, 10, sender=bob)
    shares = pool.maxMint(bob)
    pool.mint(shares, bob, bob, sender=bob)
    request_redeem(pool, bob, shares)
    lp_round(pool, oracle, owner)
    pool.withdraw(pool.maxWithdraw(bob), bob, bob, sender=bob)
    assert usdc.balanceOf(bob) - cash <= 0


def test_perform_upkeep_runs_lp_orders_of_an_earlier_round_before_a_later_series_batch(system, owner, lp, alice, keeper):
    usdc, oracle, pool, tokens = system
    eth3l = tokens["ETH3L"]
    usdc.approve(eth3l, MAX, sender=alice)
    request_deposit(pool, lp, 1_000 * USDC)
    lp_due = publish(oracle, owner, 2_000)
    eth3l.requestMint(1_000 * USDC, 0, alice, sender=alice)
    series_due = publish(oracle, owner, 2_000)
    needed, data = pool.checkUpkeep(b"")
    from eth_abi import decode

    _, _, rounds, lp_round_id = decode(["uint256", "bool", "uint80[]", "uint80"], bytes(data))
    assert needed and list(rounds)[0] == series_due and lp_round_id == lp_due
    receipt = pool.performUpkeep(data, sender=keeper)
    assert list(receipt.events.filter(pool.UpkeepFailed)) == []
    assert pool.maxDeposit(lp) == 1_000 * USDC and eth3l.balanceOf(alice) > 0
