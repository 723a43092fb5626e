"""Mint: pricing of new tokens, exposure, fees, events and every refusal (SPEC section 3, "Mint")."""


from conftest import USDC, WAD, build_system, params, set_price
from helpers import ZERO_ADDRESS, ceil_div, leverage, new_series, reverts_with, wad_price

from levtoken.model.libraries.series import LOCK_ADDRESS, LOCKED_SUPPLY

SCALE = 10**12  # USDC (6 decimals) -> WAD
INITIAL_NAV = 100 * WAD


def test_first_mint_prices_tokens_at_initial_nav_and_sets_target_exposure(pool, eth3l, oracle, owner, alice):
    set_price(oracle, "1987.65432109", owner)
    p = wad_price("1987.65432109")
    assets = 1_234_567_891  # 1,234.567891 USDC
    net = assets * SCALE
    expected_tokens = net * WAD // INITIAL_NAV  # what the net amount buys; the first mint locks LOCKED_SUPPLY of it
    assert expected_tokens == 12_345_678_910_000_000_000
    expected_x = 3 * WAD * net // p  # floor(T*net/P)

    receipt = eth3l.mint(assets, 0, alice, sender=alice)

    assert receipt.return_value == expected_tokens - LOCKED_SUPPLY == 12_345_678_909_000_000_000
    assert eth3l.balanceOf(alice) == expected_tokens - LOCKED_SUPPLY
    assert eth3l.balanceOf(LOCK_ADDRESS) == LOCKED_SUPPLY
    assert eth3l.totalSupply() == expected_tokens
    assert eth3l.equity() == net
    assert eth3l.exposure() == expected_x
    assert eth3l.nav() == INITIAL_NAV
    lev = leverage(expected_x, p, net)
    assert eth3l.leverage() == lev
    assert 3 * WAD - 10 < lev <= 3 * WAD  # floor rounding: never above target
    state = pool.seriesState(eth3l)
    assert state.equity == net
    assert state.exposure == expected_x
    assert state.markPrice == p


def test_repeat_mint_keeps_nav_per_token_and_never_raises_leverage(eth3l, oracle, owner, alice, bob):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)  # 100 tokens, equity 10,000, exposure 15
    set_price(oracle, 2_100, owner)
    p = wad_price(2_100)
    supply = 100 * WAD
    e1 = 10_000 * WAD + 15 * WAD * 100  # long gain 15 * (2100 - 2000)
    x = 15 * WAD
    assert eth3l.nav() == 115 * WAD
    lev_before = leverage(x, p, e1)
    assert eth3l.leverage() == lev_before

    assets = 777_777_777  # 777.777777 USDC
    net = assets * SCALE
    expected_tokens = net * supply // e1  # floor(net*supply/E)
    expected_x = x * (e1 + net) // e1  # pro rata, floor
    receipt = eth3l.mint(assets, 0, bob, sender=bob)

    assert receipt.return_value == expected_tokens
    assert eth3l.balanceOf(bob) == expected_tokens
    assert eth3l.equity() == e1 + net
    assert eth3l.exposure() == expected_x
    nav_after = (e1 + net) * WAD // (supply + expected_tokens)
    assert eth3l.nav() == nav_after
    assert 115 * WAD <= nav_after <= 115 * WAD + 2  # creation never moves NAV (dust only in holders' favour of the pool)
    lev_after = leverage(expected_x, p, e1 + net)
    assert eth3l.leverage() == lev_after
    assert lev_before - 2 <= lev_after <= lev_before


def test_mint_fee_goes_to_the_reserve_and_net_to_the_series(pool, owner, alice):
    token = new_series(pool, owner, "FEE3L", params(mint_fee=0.003))
    assets = 1_000_000_001  # 1,000.000001 USDC
    gross = assets * SCALE
    fee = ceil_div(gross * 3 * 10**15, WAD)  # ceil(a*fm)
    net = gross - fee
    assert fee == 3_000_000_003 * 10**9  # exact: 0.3% of 1,000.000001
    reserve_before = pool.reserve()
    liabilities_before = pool.liabilities()

    receipt = token.mint(assets, 0, alice, sender=alice)

    assert receipt.return_value == net * WAD // INITIAL_NAV - LOCKED_SUPPLY  # first mint: LOCKED_SUPPLY locked
    assert pool.reserve() - reserve_before == fee
    assert pool.liabilities() - liabilities_before == net
    assert token.equity() == net
    assert token.nav() == INITIAL_NAV


def test_minted_event_carries_every_field(pool, owner, alice, bob):
    token = new_series(pool, owner, "FEE3L", params(mint_fee=0.01))
    assets = 2_500 * USDC
    fee = 25 * WAD
    tokens = (2_500 * WAD - fee) * WAD // INITIAL_NAV - LOCKED_SUPPLY  # the receiver's: first mint locks the rest

    receipt = token.mint(assets, 0, bob, sender=alice)

    events = receipt.events.filter(pool.Minted)
    assert len(events) == 1
    ev = events[0]
    assert ev.token == token.address
    assert ev.payer == alice.address
    assert ev.receiver == bob.address
    assert ev.assets == assets
    assert ev.tokens == tokens == 24_749_999_999_000_000_000
    assert ev.fee == fee
    assert ev.price == 2_000 * WAD


def test_mint_pulls_the_asset_from_the_caller_and_credits_the_receiver(pool, eth3l, usdc, alice, bob):
    alice_before = usdc.balanceOf(alice)
    bob_before = usdc.balanceOf(bob)
    pool_before = usdc.balanceOf(pool)
    pooled_before = pool.poolAssets()
    assets = 4_321_123_456

    eth3l.mint(assets, 0, bob, sender=alice)

    assert alice_before - usdc.balanceOf(alice) == assets
    assert usdc.balanceOf(bob) == bob_before
    assert usdc.balanceOf(pool) - pool_before == assets
    assert pool.poolAssets() - pooled_before == assets
    assert eth3l.balanceOf(alice) == 0
    assert eth3l.balanceOf(bob) == assets * SCALE * WAD // INITIAL_NAV - LOCKED_SUPPLY  # first mint


def test_mint_reverts_with_slippage_when_min_tokens_too_high(pool, eth3l, alice, bob):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    expected = 10 * WAD  # 1,000 USDC at NAV 100
    with reverts_with(pool.SlippageExceeded, actual=expected, minimum=expected + 1):
        eth3l.mint(1_000 * USDC, expected + 1, bob, sender=bob)
    assert eth3l.mint(1_000 * USDC, expected, bob, sender=bob).return_value == expected  # exact bound passes


def test_mint_reverts_with_slippage_when_output_would_be_zero(owner, lp, alice):
    # 18-decimal asset: 99 wei at NAV 100 buys floor(99e18/100e18) = 0 tokens.
    asset, _, pool, tokens = build_system(owner, lp, (alice,), asset_decimals=18)
    token = tokens["ETH3L"]
    with reverts_with(pool.SlippageExceeded, actual=0, minimum=1):
        token.mint(99, 0, alice, sender=alice)
    # a first mint must buy more than the LOCKED_SUPPLY it locks: 100*(LOCKED_SUPPLY + 1) - 1 wei buys exactly
    # LOCKED_SUPPLY, which leaves the minter 0
    with reverts_with(pool.SlippageExceeded, actual=0, minimum=1):
        token.mint(100 * (LOCKED_SUPPLY + 1) - 1, 0, alice, sender=alice)
    assert token.totalSupply() == 0
    assert token.mint(100 * (LOCKED_SUPPLY + 1), 0, alice, sender=alice).return_value == 1
    assert token.balanceOf(LOCK_ADDRESS) == LOCKED_SUPPLY and token.totalSupply() == LOCKED_SUPPLY + 1
    # later mints lock nothing: at NAV 100, 99 wei still buys 0 tokens and 100 wei one
    with reverts_with(pool.SlippageExceeded, actual=0, minimum=1):
        token.mint(99, 0, alice, sender=alice)
    assert token.mint(100, 0, alice, sender=alice).return_value == 1


def test_mint_of_zero_assets_reverts_zero_amount(pool, eth3l, alice):
    with reverts_with(pool.ZeroAmount):
        eth3l.mint(0, 0, alice, sender=alice)


def test_mint_to_zero_receiver_reverts_zero_address(pool, eth3l, alice):
    with reverts_with(pool.ZeroAddress):
        eth3l.mint(100 * USDC, 0, ZERO_ADDRESS, sender=alice)


def test_mint_reverts_enforced_pause_while_paused(pool, eth3l, owner, alice):
    pool.pause(sender=owner)
    with reverts_with(pool.EnforcedPause):
        eth3l.mint(100 * USDC, 0, alice, sender=alice)
    pool.unpause(sender=owner)
    assert eth3l.mint(100 * USDC, 0, alice, sender=alice).return_value == WAD - LOCKED_SUPPLY  # first mint


def test_mint_into_knocked_out_series_reverts(pool, eth3l, oracle, owner, alice, bob, keeper):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, 1_200, owner)  # -40%: a 3x long loses everything
    # before the knock-out is latched, the mint's own settlement finds equity 0
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        eth3l.mint(1_000 * USDC, 0, bob, sender=bob)
    eth3l.rebalance(sender=keeper)  # latches the knock-out
    assert pool.seriesState(eth3l).knockedOut
    with reverts_with(pool.SeriesKnockedOut, token=eth3l.address):
        eth3l.mint(1_000 * USDC, 0, bob, sender=bob)


def test_the_pools_batch_entry_point_called_directly_reverts_only_series(pool, stranger, alice):
    with reverts_with(pool.OnlySeries, caller=stranger.address):
        pool.executeOrders(0, 0, 0, [(alice, stranger, 100 * USDC, 0)], [], True, sender=stranger)


def test_mint_fee_rounds_up_when_it_is_not_exact(owner, lp, alice):
    # Issue 8's mutation pass: every other fee test uses a rate and an amount for which gross*rate is a
    # multiple of 1e18 (6-decimal asset, round rates), so a mint fee rounded down went unnoticed. Here the
    # asset has 18 decimals (gross = assets, no scaling) and neither the rate nor the amount is round.
    rate = 3 * 10**15 + 1  # 0.3% + 1 wei
    series_params = (3 * WAD, 25 * WAD // 10, 35 * WAD // 10, 86_400, rate, 0, 0, 0)
    _, _, pool, tokens = build_system(owner, lp, (alice,), asset_decimals=18, series_params=series_params)
    token = tokens["ETH3L"]
    assets = 1_000 * WAD + 7
    assert assets * rate % WAD != 0  # the fee is not exact: ceil and floor differ by one wei
    fee = ceil_div(assets * rate, WAD)
    reserve_before = pool.reserve()

    receipt = token.mint(assets, 0, alice, sender=alice)

    assert receipt.events.filter(pool.Minted)[0].fee == fee
    assert token.equity() == assets - fee
    assert pool.reserve() - reserve_before == fee
    assert receipt.return_value == (assets - fee) * WAD // INITIAL_NAV - LOCKED_SUPPLY  # first mint
