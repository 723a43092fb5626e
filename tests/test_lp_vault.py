"""LP vault (SPEC section 4): ERC-4626 on the settlement asset with totalAssets = max(0, reserve) in asset
units, poolAssets accounting (donations by plain transfer count for nothing), withdrawals bounded by the
floor, zero amounts refused, virtual shares against the inflation attack, LPs on the other side of the
holders' P&L; the same with an 18-decimal asset.

Shares follow OZ ERC4626 with a decimals offset of 6: shares = assets*(supply + 1e6)/(totalAssets + 1).
"""

import pytest
from conftest import LP_CAPITAL, USDC, WAD, build_system, set_price

from helpers import (
    ceil_div,
    equity_at,
    exposure_for,
    floor_of,
    only_event,
    oz_to_assets,
    oz_to_shares,
    reverts_with,
)

SCALE = 10**12
P0 = 2_000 * WAD
LP_SHARES = LP_CAPITAL * USDC * 10**6  # first deposit: assets * (0 + 1e6) / (0 + 1)
# after `moved`: alice holds ETH3L for 100,000 USDC (x = 150 ETH) and the price fell to 1,937.53012345
P1 = 1_937_530_123_450_000_000_000
X = 150 * WAD
E1 = equity_at(100_000 * WAD, X, P0, P1, True)
POOLED1 = (LP_CAPITAL + 100_000) * USDC
R1 = POOLED1 * SCALE - E1
TA1 = R1 // SCALE


@pytest.fixture
def moved(system, owner, alice):
    usdc, oracle, pool, tokens = system
    tokens["ETH3L"].mint(100_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, "1937.53012345", owner)
    return usdc, oracle, pool, tokens["ETH3L"]


def test_initial_lp_deposit_minted_shares_with_the_virtual_offset(pool, usdc, lp):
    assert pool.asset() == usdc.address
    assert pool.decimals() == 6 + 6
    assert pool.balanceOf(lp) == pool.totalSupply() == LP_SHARES == oz_to_shares(LP_CAPITAL * USDC, 0, 0)
    assert pool.totalAssets() == LP_CAPITAL * USDC
    assert pool.poolAssets() == LP_CAPITAL * USDC


def test_total_assets_is_the_reserve_in_asset_units_rounded_down(moved):
    _, _, pool, _ = moved
    assert E1 == 90_629_518_517_500_000_000_000
    assert pool.reserve() == R1
    assert R1 % SCALE != 0
    assert pool.totalAssets() == TA1 == 1_009_370_481_482


def test_total_assets_is_zero_not_negative_when_reserve_is_negative(owner, lp, alice):
    _, oracle, pool, tokens = build_system(owner, lp, (alice,), lp_capital=1_000)
    tokens["ETH3L"].mint(5_000 * USDC, 0, alice, sender=alice)  # x = 7.5 ETH
    set_price(oracle, 2_200, owner)  # holders gain 1,500 > reserve 1,000
    assert pool.reserve() == 6_000 * WAD - equity_at(5_000 * WAD, 75 * WAD // 10, P0, 2_200 * WAD, True)
    assert pool.reserve() == -500 * WAD
    assert pool.totalAssets() == 0
    assert pool.convertToAssets(10**18) == oz_to_assets(10**18, 1_000 * USDC * 10**6, 0)  # virtual asset only


def test_deposit_emits_deposit_and_mints_shares_rounded_down(moved, alice, bob):
    usdc, _, pool, _ = moved
    assets = 1_234_567_891
    shares = oz_to_shares(assets, LP_SHARES, TA1)
    assert pool.previewDeposit(assets) == shares
    before = usdc.balanceOf(alice)
    receipt = pool.deposit(assets, bob, sender=alice)
    ev = only_event(receipt, pool.Deposit)
    assert (ev.sender, ev.owner, ev.assets, ev.shares) == (alice.address, bob.address, assets, shares)
    assert receipt.return_value == shares
    assert pool.balanceOf(bob) == shares
    assert pool.balanceOf(alice) == 0
    assert before - usdc.balanceOf(alice) == assets
    assert pool.poolAssets() == POOLED1 + assets
    assert pool.totalAssets() == (R1 + assets * SCALE) // SCALE


def test_mint_pulls_assets_rounded_up_and_emits_deposit(moved, alice):
    usdc, _, pool, _ = moved
    shares = 777_777_777_777_777
    assets = oz_to_assets(shares, LP_SHARES, TA1, up=True)
    assert pool.previewMint(shares) == assets
    before = usdc.balanceOf(alice)
    receipt = pool.mint(shares, alice, sender=alice)
    ev = only_event(receipt, pool.Deposit)
    assert (ev.sender, ev.owner, ev.assets, ev.shares) == (alice.address, alice.address, assets, shares)
    assert before - usdc.balanceOf(alice) == assets
    assert pool.balanceOf(alice) == shares
    assert pool.poolAssets() == POOLED1 + assets


def test_withdraw_burns_shares_rounded_up_and_emits_withdraw(moved, lp, bob):
    usdc, _, pool, _ = moved
    assets = 12_345_678_901
    shares = oz_to_shares(assets, LP_SHARES, TA1, up=True)
    assert pool.previewWithdraw(assets) == shares
    before = usdc.balanceOf(bob)
    receipt = pool.withdraw(assets, bob, lp, sender=lp)
    ev = only_event(receipt, pool.Withdraw)
    assert (ev.sender, ev.receiver, ev.owner, ev.assets, ev.shares) == (
        lp.address, bob.address, lp.address, assets, shares)
    assert usdc.balanceOf(bob) - before == assets
    assert pool.balanceOf(lp) == LP_SHARES - shares
    assert pool.poolAssets() == POOLED1 - assets
    assert pool.reserve() == R1 - assets * SCALE


def test_withdraw_by_an_approved_spender_uses_the_share_allowance(moved, lp, bob):
    _, _, pool, _ = moved
    assets = 1_000 * USDC
    shares = oz_to_shares(assets, LP_SHARES, TA1, up=True)
    with reverts_with(pool.ERC20InsufficientAllowance, spender=bob.address, allowance=0, needed=shares):
        pool.withdraw(assets, bob, lp, sender=bob)
    pool.approve(bob, shares + 5, sender=lp)
    receipt = pool.withdraw(assets, bob, lp, sender=bob)
    ev = only_event(receipt, pool.Withdraw)
    assert (ev.sender, ev.receiver, ev.owner, ev.shares) == (bob.address, bob.address, lp.address, shares)
    assert pool.allowance(lp, bob) == 5


def test_redeem_pays_assets_rounded_down_and_emits_withdraw(moved, lp):
    usdc, _, pool, _ = moved
    shares = 123_456_789_012_345_678
    assets = oz_to_assets(shares, LP_SHARES, TA1)
    assert pool.previewRedeem(shares) == assets
    before = usdc.balanceOf(lp)
    receipt = pool.redeem(shares, lp, lp, sender=lp)
    ev = only_event(receipt, pool.Withdraw)
    assert (ev.assets, ev.shares) == (assets, shares)
    assert receipt.return_value == assets
    assert usdc.balanceOf(lp) - before == assets
    assert pool.poolAssets() == POOLED1 - assets


def test_direct_transfer_to_the_pool_changes_nothing(moved, alice, bob):
    usdc, _, pool, _ = moved
    usdc.transfer(pool, 50_000 * USDC, sender=alice)
    assert usdc.balanceOf(pool) == POOLED1 + 50_000 * USDC
    assert pool.poolAssets() == POOLED1
    assert pool.reserve() == R1
    assert pool.totalAssets() == TA1
    assert pool.convertToShares(10 * USDC) == oz_to_shares(10 * USDC, LP_SHARES, TA1)
    receipt = pool.deposit(10 * USDC, bob, sender=bob)
    assert only_event(receipt, pool.Deposit).shares == oz_to_shares(10 * USDC, LP_SHARES, TA1)


def test_zero_amounts_revert(pool, lp):
    with reverts_with(pool.ZeroAmount):
        pool.deposit(0, lp, sender=lp)
    with reverts_with(pool.ZeroAmount):
        pool.withdraw(0, lp, lp, sender=lp)
    with reverts_with(pool.ZeroAmount):
        pool.mint(0, lp, sender=lp)
    with reverts_with(pool.ZeroAmount):
        pool.redeem(0, lp, lp, sender=lp)
    assert pool.balanceOf(lp) == LP_SHARES


# --------------------------------------------------------------------------- floor-bounded withdrawals


@pytest.fixture
def loaded(system, owner, alice):
    """Alice holds ETH3L for 4,321,987.654321 USDC, priced at 2,000.01234567: the floor binds the LP."""
    usdc, oracle, pool, tokens = system
    tokens["ETH3L"].mint(4_321_987_654_321, 0, alice, sender=alice)
    set_price(oracle, "2000.01234567", owner)
    x = exposure_for(3 * WAD, 4_321_987_654_321 * SCALE, P0)
    liabilities = equity_at(4_321_987_654_321 * SCALE, x, P0, 2_000_012_345_670_000_000_000, True)
    pooled = LP_CAPITAL * USDC + 4_321_987_654_321
    reserve = pooled * SCALE - liabilities
    room = reserve - floor_of(liabilities)
    return pool, liabilities, reserve, room // SCALE


def test_max_withdraw_keeps_reserve_at_or_above_floor(loaded, lp):
    pool, liabilities, reserve, withdrawable = loaded
    assert liabilities % 10 != 0
    assert pool.liabilities() == liabilities
    own = oz_to_assets(LP_SHARES, LP_SHARES, reserve // SCALE)
    assert withdrawable < own
    assert pool.maxWithdraw(lp) == withdrawable
    with reverts_with(pool.ERC4626ExceededMaxWithdraw, owner=lp.address, assets=withdrawable + 1,
                      max=withdrawable):
        pool.withdraw(withdrawable + 1, lp, lp, sender=lp)
    pool.withdraw(withdrawable, lp, lp, sender=lp)
    left = reserve - withdrawable * SCALE
    assert pool.reserve() == left
    assert left >= floor_of(liabilities) == pool.floor()
    assert left - floor_of(liabilities) < SCALE  # no whole asset unit of room is left
    assert pool.maxWithdraw(lp) == 0
    assert pool.maxRedeem(lp) == 0
    with reverts_with(pool.ERC4626ExceededMaxWithdraw, owner=lp.address, assets=1, max=0):
        pool.withdraw(1, lp, lp, sender=lp)


def test_max_redeem_keeps_reserve_at_or_above_floor(loaded, lp):
    pool, liabilities, reserve, withdrawable = loaded
    total_assets = reserve // SCALE
    limit = oz_to_shares(withdrawable, LP_SHARES, total_assets)
    assert pool.maxRedeem(lp) == limit
    with reverts_with(pool.ERC4626ExceededMaxRedeem, owner=lp.address, shares=limit + 1, max=limit):
        pool.redeem(limit + 1, lp, lp, sender=lp)
    paid = pool.redeem(limit, lp, lp, sender=lp).return_value
    assert paid == oz_to_assets(limit, LP_SHARES, total_assets) <= withdrawable
    assert pool.reserve() == reserve - paid * SCALE >= floor_of(liabilities)


def test_small_lp_can_withdraw_everything_it_owns(loaded, bob):
    pool, liabilities, reserve, withdrawable = loaded
    shares = pool.deposit(100 * USDC, bob, sender=bob).return_value
    own = oz_to_assets(shares, LP_SHARES + shares, (reserve + 100 * WAD) // SCALE)
    assert pool.maxWithdraw(bob) == own
    assert pool.maxRedeem(bob) == shares
    assert pool.redeem(shares, bob, bob, sender=bob).return_value == own


# --------------------------------------------------------------------------- inflation attack


def test_inflation_attack_by_donation_does_not_pay(owner, lp, alice, bob):
    usdc, _, pool, _ = build_system(owner, lp, (alice, bob), lp_capital=0)
    attacker, victim = alice, bob
    start = usdc.balanceOf(attacker)
    assert pool.deposit(1, attacker, sender=attacker).return_value == 10**6
    pool.fundReserve(10_000 * USDC, sender=attacker)  # the donation, through the only counted path
    assert pool.totalAssets() == 10_000 * USDC + 1

    deposit = 1_000 * USDC
    shares = oz_to_shares(deposit, 10**6, 10_000 * USDC + 1)
    assert shares == 199_999
    assert pool.deposit(deposit, victim, sender=victim).return_value == shares
    total_assets = 11_000 * USDC + 1
    victim_value = oz_to_assets(shares, 10**6 + shares, total_assets)
    assert deposit - victim_value <= deposit // 100_000  # the victim keeps > 99.999%

    got = pool.redeem(shares, victim, victim, sender=victim).return_value
    assert got == victim_value
    attacker_out = pool.redeem(10**6, attacker, attacker, sender=attacker).return_value
    assert attacker_out == oz_to_assets(10**6, 10**6, total_assets - got)
    assert usdc.balanceOf(attacker) < start  # the attacker lost about half the donation
    assert start - usdc.balanceOf(attacker) > 4_000 * USDC


# --------------------------------------------------------------------------- LPs are the counterparty


def test_lp_shares_earn_when_holders_lose(moved, lp):
    _, _, pool, _ = moved
    assert TA1 > LP_CAPITAL * USDC
    value = oz_to_assets(LP_SHARES, LP_SHARES, TA1)
    assert pool.convertToAssets(LP_SHARES) == value
    assert value > LP_CAPITAL * USDC + 9_370 * USDC
    assert pool.maxWithdraw(lp) == min(value, (R1 - floor_of(E1)) // SCALE)


def test_lp_shares_lose_when_holders_win(system, owner, lp, alice):
    usdc, oracle, pool, tokens = system
    tokens["ETH3L"].mint(100_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, 2_100, owner)
    reserve = (LP_CAPITAL + 100_000) * WAD - equity_at(100_000 * WAD, X, P0, 2_100 * WAD, True)
    assert reserve == (LP_CAPITAL - 15_000) * WAD
    assert pool.totalAssets() == reserve // SCALE
    value = oz_to_assets(LP_SHARES, LP_SHARES, reserve // SCALE)
    assert pool.convertToAssets(LP_SHARES) == value < (LP_CAPITAL - 15_000 + 1) * USDC
    before = usdc.balanceOf(lp)
    half = LP_SHARES // 2
    pool.redeem(half, lp, lp, sender=lp)
    assert usdc.balanceOf(lp) - before == oz_to_assets(half, LP_SHARES, reserve // SCALE)


# --------------------------------------------------------------------------- 18-decimal asset


def test_lp_flow_with_an_18_decimal_asset(owner, lp, alice, bob):
    unit = 10**18
    asset, oracle, pool, tokens = build_system(owner, lp, (alice, bob), asset_decimals=18)
    lp_shares = LP_CAPITAL * unit * 10**6
    assert pool.decimals() == 24
    assert pool.balanceOf(lp) == lp_shares
    assert pool.totalAssets() == LP_CAPITAL * unit

    tokens["ETH3L"].mint(100_000 * unit, 0, alice, sender=alice)
    set_price(oracle, "1937.53012345", owner)
    reserve = (LP_CAPITAL + 100_000) * WAD - E1  # asset units are WAD: no rounding to the asset
    assert pool.reserve() == reserve
    assert pool.totalAssets() == reserve

    receipt = pool.deposit(1_234 * unit + 5, bob, sender=bob)
    dep_shares = oz_to_shares(1_234 * unit + 5, lp_shares, reserve)
    assert only_event(receipt, pool.Deposit).shares == dep_shares
    supply, total = lp_shares + dep_shares, reserve + 1_234 * unit + 5
    assert pool.totalAssets() == total

    mint_shares = 10**27
    minted = pool.mint(mint_shares, alice, sender=alice).return_value
    assert minted == oz_to_assets(mint_shares, supply, total, up=True)
    supply, total = supply + mint_shares, total + minted

    receipt = pool.withdraw(500 * unit, lp, lp, sender=lp)
    burned = oz_to_shares(500 * unit, supply, total, up=True)
    ev = only_event(receipt, pool.Withdraw)
    assert (ev.assets, ev.shares) == (500 * unit, burned)
    supply, total = supply - burned, total - 500 * unit

    paid = pool.redeem(dep_shares, bob, bob, sender=bob).return_value
    assert paid == oz_to_assets(dep_shares, supply, total)
    supply, total = supply - dep_shares, total - paid

    # the floor bound, to the wei
    assert pool.maxWithdraw(lp) == min(oz_to_assets(pool.balanceOf(lp), supply, total), total - floor_of(E1))
    with reverts_with(pool.ZeroAmount):
        pool.deposit(0, lp, sender=lp)
    assert asset.balanceOf(pool) == pool.poolAssets()


# --------------------------------------------------------------------------- max* are exact (issue 8)


def test_max_redeem_is_zero_when_the_shares_would_pay_nothing(loaded, lp, bob):
    """Issue 8: maxRedeem reported 1 for a holder of 1 share whose redeem(1) reverts ZeroAmount."""
    pool, *_ = loaded
    pool.transfer(bob, 1, sender=lp)
    assert pool.balanceOf(bob) == 1 and pool.convertToAssets(1) == 0
    assert pool.maxRedeem(bob) == 0  # the share that pays nothing is not redeemable, and the view says so
    with reverts_with(pool.ERC4626ExceededMaxRedeem, owner=bob.address, shares=1, max=0):
        pool.redeem(1, bob, bob, sender=bob)


def test_max_deposit_is_what_the_asset_counter_can_hold_and_exactly_that_deposits(loaded, usdc, owner, bob):
    """Issue 8: maxDeposit and maxMint reported 2**256 - 1 while a deposit past the uint128 counter reverts."""
    pool, *_ = loaded
    room = 2**128 - 1 - pool.poolAssets()
    assert pool.maxDeposit(bob) == room
    assert pool.maxMint(bob) == pool.convertToShares(room)
    usdc.mint(bob, room + 1, sender=owner)
    usdc.approve(pool, 2**256 - 1, sender=bob)
    with reverts_with(pool.ERC4626ExceededMaxDeposit, receiver=bob.address, assets=room + 1, max=room):
        pool.deposit(room + 1, bob, sender=bob)
    pool.deposit(room, bob, sender=bob)  # the maximum itself goes through
    assert pool.poolAssets() == 2**128 - 1 and pool.maxDeposit(bob) == 0 and pool.maxMint(bob) == 0


# --------------------------------------------------------------------------- utilization cap (step 2c)


@pytest.fixture
def capped(owner, lp, alice):
    """`moved` under the contract's default utilization cap, 5x: |net|·P = 150 · 1,937.53 = 290,630 needs a
    reserve of 58,126 (|net|·P / u, each step rounded up), well above the floor (9,063): the cap binds."""
    usdc, oracle, pool, tokens = build_system(owner, lp, (alice,), max_utilization=None)  # the default cap
    assert pool.maxUtilization() == 5 * WAD
    tokens["ETH3L"].mint(100_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, "1937.53012345", owner)
    needed = ceil_div(ceil_div(X * P1, WAD) * WAD, 5 * WAD)
    assert needed == 58_125_903_703_500_000_000_000 > floor_of(E1)
    return pool, tokens["ETH3L"], needed, (R1 - needed) // SCALE


def test_max_withdraw_is_exact_under_the_utilization_cap(capped, lp, alice):
    pool, long_, needed, withdrawable = capped
    assert (pool.reserve(), pool.netExposure(), pool.totalAssets()) == (R1, X, TA1)
    assert withdrawable < oz_to_assets(LP_SHARES, LP_SHARES, TA1)  # the LP owns more than the cap lets go
    assert pool.maxWithdraw(lp) == withdrawable
    with reverts_with(pool.ERC4626ExceededMaxWithdraw, owner=lp.address, assets=withdrawable + 1,
                      max=withdrawable):
        pool.withdraw(withdrawable + 1, lp, lp, sender=lp)
    pool.withdraw(withdrawable, lp, lp, sender=lp)
    left = R1 - withdrawable * SCALE
    assert pool.reserve() == left
    assert ceil_div(X * P1, WAD) <= left * 5  # |net|·P <= u·R still holds...
    assert 0 <= left - needed < SCALE  # ...with less than one asset unit of room
    assert pool.maxWithdraw(lp) == 0 and pool.maxRedeem(lp) == 0
    with reverts_with(pool.ERC4626ExceededMaxWithdraw, owner=lp.address, assets=1, max=0):
        pool.withdraw(1, lp, lp, sender=lp)
    # the pool is at its cap: a mint that raises |net| is refused (the reserve is unchanged by a mint)
    x_after = X * (E1 + 100 * WAD) // E1  # the mint scales the exposure pro rata
    utilization = (x_after * P1 // WAD) * WAD // left
    with reverts_with(pool.UtilizationCapExceeded, utilization=utilization, cap=5 * WAD):
        long_.mint(100 * USDC, 0, alice, sender=alice)


def test_max_redeem_is_exact_under_the_utilization_cap(capped, lp):
    pool, _, needed, withdrawable = capped
    limit = oz_to_shares(withdrawable, LP_SHARES, TA1)
    assert pool.maxRedeem(lp) == limit < LP_SHARES
    with reverts_with(pool.ERC4626ExceededMaxRedeem, owner=lp.address, shares=limit + 1, max=limit):
        pool.redeem(limit + 1, lp, lp, sender=lp)
    paid = pool.redeem(limit, lp, lp, sender=lp).return_value
    assert paid == oz_to_assets(limit, LP_SHARES, TA1) <= withdrawable
    assert pool.reserve() == R1 - paid * SCALE >= needed  # |net|·P <= u·R still holds
