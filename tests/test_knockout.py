"""Knock-out: a gap that wipes a series' equity makes it terminal, without breaking views (SPEC section 3)."""

from conftest import USDC, WAD, set_price
from helpers import oz_to_assets, oz_to_shares, reverts_with
from eth_abi import decode

from levtoken.model.libraries.series import LOCK_ADDRESS, LOCKED_SUPPLY

SCALE = 10**12
NONE, DRIFT, KNOCKOUT = 0, 1, 4
LP_CAPITAL = 1_000_000 * WAD


def crash(eth3l, eth3s, oracle, owner, alice, bob):
    """3x long (alice) and 3x short (bob), 10,000 USDC each at 2,000, then a -40% gap to 1,200."""
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    eth3s.mint(10_000 * USDC, 0, bob, sender=bob)
    set_price(oracle, 1_200, owner)


def test_minus_40_percent_gap_leaves_nav_zero_and_no_view_reverts(pool, eth3l, eth3s, oracle, owner, lp, alice, bob):
    crash(eth3l, eth3s, oracle, owner, alice, bob)
    # long: 10,000 - 15 * 800 < 0 -> 0; short: 10,000 + 15 * 800 = 22,000
    assert eth3l.nav() == 0
    assert eth3l.equity() == 0
    assert eth3l.leverage() == 0
    assert eth3l.exposure() == 0  # dead in every view before the latch, though 15 units are still stored
    assert pool.seriesState(eth3l).exposure == 15 * WAD and not pool.seriesState(eth3l).knockedOut
    assert pool.netExposure() == -15 * WAD  # only the short is still exposed
    assert eth3l.rebalanceStatus() == KNOCKOUT
    assert pool.equityOf(eth3l) == 0 and pool.navOf(eth3l) == 0 and pool.leverageOf(eth3l) == 0
    assert eth3s.equity() == 22_000 * WAD
    assert eth3s.nav() == 220 * WAD
    assert eth3s.leverage() == 15 * 1_200 * WAD // 22_000 == 818_181_818_181_818_181
    assert eth3s.rebalanceStatus() == DRIFT

    liabilities = 22_000 * WAD
    reserve = LP_CAPITAL + 20_000 * WAD - liabilities
    floor = liabilities // 10
    assert pool.liabilities() == liabilities
    assert pool.reserve() == reserve == 998_000 * WAD
    assert pool.floor() == floor
    assert pool.totalAssets() == reserve // SCALE
    shares = pool.totalSupply()
    assert pool.convertToAssets(shares) == oz_to_assets(shares, shares, reserve // SCALE)
    assert pool.maxWithdraw(lp) == pool.maxRedeem(lp) == pool.maxDeposit(lp) == pool.maxMint(lp) == 0  # no claims
    assert pool.netExposure() == -15 * WAD  # the dead long no longer counts; the short still does
    needed, data = pool.checkUpkeep(b"")
    assert needed
    bitmap, health_due = decode(["uint256", "bool"], bytes(data))
    assert bitmap == 0b11  # the long to knock out, the short to rebalance
    assert health_due


def test_lp_orders_wait_for_the_knock_out_and_a_redeem_fills_up_to_the_headroom(
        pool, eth3l, eth3s, oracle, owner, lp, alice, bob, keeper):
    """LP orders at a round come after its rebalances (the knock-out latch included): the LP's redeem of all
    its shares waits for them, then fills first-come up to the reserve's headroom above the floor, 995,800
    USDC, and the rest waits in the queue."""
    crash(eth3l, eth3s, oracle, owner, alice, bob)
    shares = pool.balanceOf(lp)
    assert shares == pool.totalSupply() == LP_CAPITAL // SCALE * 10**6
    pool.requestRedeem(shares, lp, lp, sender=lp)
    assert pool.pendingRedeemRequest(0, lp) == shares and pool.balanceOf(lp) == 0
    chain_round = _next_round(oracle, owner)
    with reverts_with(pool.RebalanceDue, token=eth3l.address):  # the knock-out latch comes first
        pool.executeLpOrders(chain_round, 10, sender=keeper)
    assert eth3l.rebalance(sender=keeper).return_value == KNOCKOUT
    with reverts_with(pool.RebalanceDue, token=eth3s.address):  # the short's Drift (0.82x) too
        pool.executeLpOrders(chain_round, 10, sender=keeper)
    assert eth3s.rebalance(sender=keeper).return_value == DRIFT

    liabilities = 22_000 * WAD  # the short's equity (no spread: the rebalance moved no value)
    reserve = LP_CAPITAL + 20_000 * WAD - liabilities
    assert pool.reserve() == reserve and pool.floor() == liabilities // 10
    headroom = (reserve - liabilities // 10) // SCALE
    assert headroom == 995_800 * USDC  # the utilization cap needs less (55 ETH * 1,200 / 1,000x = 66 USDC)
    total_assets = reserve // SCALE
    filled = oz_to_shares(headroom, shares, total_assets)
    paid = oz_to_assets(filled, shares, total_assets)
    assert paid <= headroom < paid + 1 * USDC
    receipt = pool.executeLpOrders(chain_round, 10, sender=keeper)
    executed = receipt.events.filter(pool.LpOrderExecuted)
    assert [(e.kind, e.id, e.amount, e.out) for e in executed] == [(1, 0, filled, paid)]
    assert pool.maxRedeem(lp) == filled and pool.maxWithdraw(lp) == paid
    assert pool.pendingRedeemRequest(0, lp) == shares - filled  # waits for headroom
    assert pool.reserve() == reserve - paid * SCALE
    assert pool.reserve() - pool.floor() == (headroom - paid) * SCALE  # under 1 USDC of headroom left
    pool.withdraw(paid, lp, lp, sender=lp)
    assert pool.maxWithdraw(lp) == 0 and pool.totalSupply() == shares - filled


def _next_round(oracle, owner):
    """One minute on (past minDelay), a round at the same answer; its id."""
    from conftest import warp

    warp(61)
    oracle.updateAnswer(oracle.latestAnswer(), sender=owner)
    return oracle.latestRound()


def test_next_rebalance_latches_the_knock_out_without_reverting(pool, eth3l, eth3s, oracle, owner, alice, bob, keeper):
    crash(eth3l, eth3s, oracle, owner, alice, bob)
    receipt = eth3l.rebalance(sender=keeper)

    assert receipt.return_value == KNOCKOUT
    events = receipt.events.filter(pool.KnockedOut)
    assert len(events) == 1
    assert events[0].token == eth3l.address
    assert events[0].price == 1_200 * WAD
    assert events[0].lostEquity == 10_000 * WAD
    assert len(receipt.events.filter(pool.Rebalanced)) == 0
    state = pool.seriesState(eth3l)
    assert state.knockedOut
    assert state.equity == 0
    assert state.exposure == 0
    assert eth3l.exposure() == 0
    assert eth3l.rebalanceStatus() == NONE
    assert pool.netExposure() == -15 * WAD  # only the short is left
    assert eth3l.totalSupply() == 100 * WAD  # holders keep their (worthless) tokens


def test_reserve_gains_at_most_what_the_series_had(pool, eth3l, oracle, owner, alice, keeper):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    assert pool.liabilities() == 10_000 * WAD
    assert pool.reserve() == LP_CAPITAL
    set_price(oracle, 1_200, owner)
    # the loss is 12,000 but the series only had 10,000: liabilities drop by that equity, no more
    assert pool.liabilities() == 0
    assert pool.reserve() == LP_CAPITAL + 10_000 * WAD
    eth3l.rebalance(sender=keeper)
    assert pool.liabilities() == 0
    assert pool.reserve() == LP_CAPITAL + 10_000 * WAD
    assert pool.poolAssets() == (LP_CAPITAL + 10_000 * WAD) // SCALE


def test_knocked_out_series_stays_dead_after_the_price_recovers(pool, eth3l, usdc, oracle, owner, alice, bob, keeper):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, 1_200, owner)
    eth3l.rebalance(sender=keeper)
    set_price(oracle, 2_500, owner)  # well above the entry price

    assert eth3l.nav() == 0
    assert eth3l.equity() == 0
    assert eth3l.exposure() == 0
    assert eth3l.leverage() == 0
    assert eth3l.rebalanceStatus() == NONE
    assert pool.liabilities() == 0
    assert pool.reserve() == LP_CAPITAL + 10_000 * WAD
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        eth3l.mint(1_000 * USDC, 0, bob, sender=bob)
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        eth3l.rebalance(sender=keeper)
    held = eth3l.balanceOf(alice)
    assert held == 100 * WAD - LOCKED_SUPPLY  # her first mint locked LOCKED_SUPPLY of the 100 tokens
    with reverts_with(pool.SlippageExceeded, actual=0, minimum=1):
        eth3l.redeem(held, 1, alice, sender=alice)

    cash = usdc.balanceOf(alice)
    receipt = eth3l.redeem(held, 0, alice, sender=alice)
    assert receipt.return_value == 0
    ev = receipt.events.filter(pool.Redeemed)[0]
    assert ev.tokens == held and ev.assets == 0 and ev.fee == 0
    assert usdc.balanceOf(alice) == cash
    assert eth3l.balanceOf(alice) == 0
    assert eth3l.totalSupply() == eth3l.balanceOf(LOCK_ADDRESS) == LOCKED_SUPPLY  # the locked supply stays
    assert pool.reserve() == LP_CAPITAL + 10_000 * WAD
    # still terminal once only the locked supply is left
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        eth3l.mint(1_000 * USDC, 0, bob, sender=bob)


def test_redeem_settlement_latches_the_knock_out_and_pays_nothing(pool, eth3l, usdc, oracle, owner, alice):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, 1_200, owner)
    cash = usdc.balanceOf(alice)

    receipt = eth3l.redeem(40 * WAD, 0, alice, sender=alice)

    assert receipt.return_value == 0
    assert usdc.balanceOf(alice) == cash
    events = receipt.events.filter(pool.KnockedOut)
    assert len(events) == 1 and events[0].lostEquity == 10_000 * WAD and events[0].price == 1_200 * WAD
    assert pool.seriesState(eth3l).knockedOut
    assert eth3l.balanceOf(alice) == 60 * WAD - LOCKED_SUPPLY  # her first mint locked LOCKED_SUPPLY


def test_a_spread_cost_of_exactly_all_the_equity_knocks_out(owner, lp, alice, keeper):
    # Issue 8's mutation pass: the knock-out at `cost >= equity` was never hit with equality, so `cost > equity`
    # (a rebalance that leaves exposure on zero equity) survived. An 18-decimal asset and a tiny series keep
    # the traded value below 1e18, so some spread gives ceil(value * spread / 1e18) == equity exactly.
    # That value is also below the minimum trade notional (1e18): the knock-out gate comes first (step 2c).
    from conftest import ETH3_PARAMS, build_system
    from helpers import ceil_div

    _, oracle, pool, tokens = build_system(owner, lp, (alice,), asset_decimals=18)
    token = tokens["ETH3L"]
    token.mint(10**16, 0, alice, sender=alice)  # 0.01 at 2,000: exposure 1.5e13
    set_price(oracle, 1_340, owner)  # near the knock-out (1,333.33): leverage about 200
    p, equity, x = 1_340 * WAD, token.equity(), token.exposure()
    traded_value = ceil_div((x - 3 * WAD * equity // p) * p, WAD)
    assert 0 < equity and traded_value < WAD == pool.minTradeNotional()
    spread = equity * WAD // traded_value
    assert ceil_div(traded_value * spread, WAD) == equity and spread <= WAD // 100  # cost == equity, in bounds
    pool.setSeriesParams(token, ETH3_PARAMS[:7] + (spread,), sender=owner)
    assert token.rebalanceStatus() == KNOCKOUT

    receipt = token.rebalance(sender=keeper)

    assert receipt.return_value == KNOCKOUT
    state = pool.seriesState(token)
    assert state.knockedOut and state.equity == 0 and state.exposure == 0


def test_a_price_exactly_on_the_long_frontier_recomputes_the_frontiers(owner, lp, alice):
    # Issue 8's mutation pass: the aggregates are used only strictly inside the knock-out frontiers; a price
    # exactly on one makes the next state change recompute them tightly. No test put the price on a frontier,
    # so `p < longFrontier` survived (every value is the same either way: only the cached frontier word,
    # storage slot 60, stays stale). An 18-decimal feed can answer the frontier's exact value.
    from ape import chain, project
    from conftest import ETH3_PARAMS, deploy_pool, lp_deposit

    asset = project.MockERC20.deploy("Mock USD Coin", "USDC", 6, sender=owner)
    oracle = project.MockAggregator.deploy(18, 2_000 * WAD, sender=owner)
    deployer = project.LeveragedTokenDeployer.deploy(sender=owner)
    pool = deploy_pool(asset, oracle, deployer, owner)
    long_, short = (
        project.LeveragedToken.at(pool.createSeries(f"{s} token", s, is_long, 100 * WAD, ETH3_PARAMS, sender=owner)
                                  .events.filter(pool.SeriesCreated)[0].token)
        for s, is_long in (("ETH3L", True), ("ETH3S", False))
    )
    for account in (lp, alice):
        asset.mint(account, 1_000_000 * USDC, sender=owner)
        asset.approve(pool, 2**256 - 1, sender=account)
    lp_deposit(pool, oracle, owner, lp, 100_000 * USDC)

    def long_frontier() -> int:  # Liabilities.State slot 1: int128 exposureSum | uint64 long | uint64 short
        word = int.from_bytes(bytes(chain.provider.get_storage(pool.address, 60)), "big")
        encoded = (word >> 128) & (2**64 - 1)
        return (encoded & (2**56 - 1)) << (encoded >> 56)

    long_.mint(10_000 * USDC, 0, alice, sender=alice)
    frontier = long_frontier()
    knock_out = 2_000 * WAD - 10_000 * WAD * WAD // (15 * WAD)
    assert knock_out <= frontier < knock_out + 2**16  # rounded up by the 56-bit encoding
    # A Drift rebalance at 1,800 (3.86x) cuts the exposure to 3 * 7,000 / 1,800: the long's knock-out price
    # falls to 1,800 - 7,000/x' (about 1,200), but the frontier only widens: stale. (Before step 2c a full
    # redeem emptied the long instead; the locked supply now keeps its exposure and knock-out price.)
    oracle.updateAnswer(1_800 * WAD, sender=owner)
    assert long_.rebalance(sender=alice).return_value == DRIFT
    x_new = 3 * WAD * (7_000 * WAD) // (1_800 * WAD)
    assert long_.exposure() == x_new and long_.equity() == 7_000 * WAD
    tight = 1_800 * WAD - 7_000 * WAD * WAD // x_new
    assert tight == 1_199_999_999_999_999_999_966
    assert long_frontier() == frontier  # stale: 1,333.33 while the long dies only at 1,200

    oracle.updateAnswer(frontier, sender=owner)  # exactly on the frontier: not inside
    short.mint(1_000 * USDC, 0, alice, sender=alice)  # a state change at that price

    assert tight <= long_frontier() < tight + 2**16  # recomputed tightly: the long's own knock-out price
