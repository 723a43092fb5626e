"""levtoken.model without a chain: the SPEC section 3 worked examples (the same numbers as
`test_worked_examples.py` gets on-chain), each operation, each rounding direction, floor, knock-out,
insolvency, keeper reward, upkeep, LP share maths, oracle failures, and that a reverted call changes
nothing. Expected values are computed here with plain integer arithmetic, not with the model's functions.
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

import pytest

from levtoken.lens import LensLayout
from levtoken.model import ContractError, PoolModel, bench, bytes32, decode_error, error_by_name
from levtoken.model import errors as E
from levtoken.model.libraries.series import LOCK_ADDRESS, LOCKED_SUPPLY, MIN_BALANCE
from levtoken.model.math import (
    Status,
    check,
    drifted,
    equity_at,
    fallback_due,
    leverage,
    mul_div,
    spread_cost,
    streaming_fee,
    to_wad,
)

WAD = 10**18
USDC = 10**6
SCALE = 10**12
M = 10**6 * WAD
MAX = 2**256 - 1
INT_MAX = 2**255 - 1
YEAR = 365 * 86_400
DAY = 86_400
T0 = 1_700_000_000
NONE, DRIFT, FALLBACK, KNOCKOUT = 0, 1, 2, 4
ZERO = "0x0000000000000000000000000000000000000000"


def _addr(i: int) -> str:
    return "0x" + f"{i:040x}"


POOL, ASSET, ORACLE, OWNER, LP, ALICE, BOB, KEEPER, STRANGER = (_addr(0xA00 + i) for i in range(9))
ACCOUNTS = [LP, ALICE, BOB, KEEPER]
LP_DELAY = 61  # the default minDelay (60 s) and one: `bench.deposit_now`'s wait


def wad(x: str | float) -> int:
    return int(Decimal(str(x)) * WAD)


def params(target=3, lo=2.5, hi=3.5, fallback=86_400, mint_fee=0, redeem_fee=0, streaming_fee=0, spread=0):
    """A SeriesParams tuple (target, min, max, fallback, mintFee, redeemFee, streamingFee, spread)."""
    return (wad(target), wad(lo), wad(hi), fallback, wad(mint_fee), wad(redeem_fee), wad(streaming_fee), wad(spread))


ETH3 = params()


def build(*, series=(("ETH3L", True), ("ETH3S", False)), series_params=ETH3, initial_nav=100 * WAD,
          lp_capital=1_000_000, price: int | str = 2_000, asset_decimals=6, feed_decimals=8,
          holders=(ALICE, BOB, KEEPER), max_utilization: int | None = 1_000 * WAD):
    """The on-chain tests' `build_system`: pool, series, funded holders with max approval, LP capital (and
    the utilization cap at its maximum unless given)."""
    unit = 10**asset_decimals
    # the LP capital is an LP order (ERC-7540): requested LP_DELAY before T0, executed at a round at T0
    m = PoolModel(address=POOL, asset_address=ASSET, oracle_address=ORACLE, owner=OWNER,
                  asset_decimals=asset_decimals, feed_decimals=feed_decimals, now=T0 - LP_DELAY if lp_capital else T0,
                  initial_answer=int(Decimal(str(price)) * 10**feed_decimals))
    if max_utilization is not None:
        m.set_max_utilization(OWNER, max_utilization)
    m.asset_mint(LP, 10_000_000 * unit)
    m.asset_approve(LP, POOL, MAX)
    if lp_capital:
        bench.deposit_now(m, LP, lp_capital * unit)
    tokens = {}
    for i, (symbol, is_long) in enumerate(series):
        tokens[symbol] = _addr(0xB00 + i)
        assert m.create_series(OWNER, tokens[symbol], is_long, initial_nav, series_params, symbol=symbol) == i
    for account in holders:
        m.asset_mint(account, 10_000_000 * unit)
        m.asset_approve(account, POOL, MAX)
    return m, tokens


def set_price(m: PoolModel, price: int | str, decimals: int = 8) -> None:
    m.set_answer(int(Decimal(str(price)) * 10**decimals))


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def eq_at(e0, x, p0, p, is_long):
    """Independent E(P): gain rounds down, loss rounds up, floored at 0."""
    pnl = x * (p - p0) * (1 if is_long else -1)
    if pnl >= 0:
        return e0 + pnl // WAD
    return max(0, e0 - ceil_div(-pnl, WAD))


def lev(x, p, e):
    return 0 if e == 0 else (x * p // WAD) * WAD // e


def cents(value):
    return (Decimal(value) / WAD).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def snapshot(m: PoolModel):
    """Everything a transaction could change, plus the last events."""
    return m._save(), list(m.events), m.now, m.latest_round_data(), m.lens(ACCOUNTS + [POOL, OWNER])


@contextmanager
def reverts(m: PoolModel, expected: ContractError | type[ContractError]):
    """The block raises `expected` (an error: name and arguments; a class: that error) and leaves the model
    unchanged."""
    before = snapshot(m)
    with pytest.raises(ContractError) as info:
        yield info
    if isinstance(expected, type):
        assert isinstance(info.value, expected), f"raised {info.value!r}, expected {expected.__name__}"
    else:
        assert info.value == expected, f"raised {info.value!r}, expected {expected!r}"
    assert snapshot(m) == before, "a reverted call changed the model"


def events(m: PoolModel, name: str) -> list[dict]:
    return [fields for event, fields in m.events if event == name]


def only(m: PoolModel, name: str) -> dict:
    found = events(m, name)
    assert len(found) == 1, f"expected one {name}, got {m.events}"
    return found[0]


# ============================================================================ worked examples (SPEC 3)


def test_seed_000_blvt_band_no_rebalance_at_1_73x_then_rebalance_to_1_7x():
    m, tokens = build(price=100, series=(("BTC1.8L", True),), series_params=params(1.8, 1.25, 4, 0),
                      lp_capital=0, holders=(ALICE,))
    token = tokens["BTC1.8L"]
    m.asset_mint(LP, 300_000_000 * USDC)
    bench.deposit_now(m, LP, 300_000_000 * USDC)
    m.asset_mint(ALICE, 100_000_000 * USDC)

    m.mint(ALICE, token, 100_000_000 * USDC, 0, ALICE)  # fund 100M
    assert m.equity_of(token) == 100 * M
    assert m.exposure_of(token) == 18 * M // 10  # position 180M at 100
    assert m.leverage_of(token) == 18 * WAD // 10

    m.warp(12)
    set_price(m, 105)  # +5%: fund 109M, position 189M, 1.73x inside [1.25x, 4x]
    assert m.equity_of(token) == 109 * M
    assert m.exposure_of(token) * 105 == 189 * M
    assert m.leverage_of(token) == 189 * WAD // 109 == 1_733_944_954_128_440_366
    assert cents(m.leverage_of(token)) == Decimal("1.73")
    assert m.rebalance_status_of(token) == NONE
    with reverts(m, E.NoRebalanceTrigger(1_733_944_954_128_440_366)):
        m.rebalance(ALICE, token)

    m.warp(12)
    set_price(m, 231)  # a further +120%: position 415.8M, fund 335.8M, 1.238x < 1.25x
    p, x, equity = 231 * WAD, 18 * M // 10, 3_358 * M // 10
    assert m.exposure_of(token) * p // WAD == 4_158 * M // 10
    assert m.equity_of(token) == equity
    assert m.leverage_of(token) == 4_158 * WAD // 3_358 == 1_238_237_045_860_631_328
    assert m.rebalance_status_of(token) == DRIFT

    m.set_series_params(OWNER, token, params(1.7, 1.25, 4, 0))
    assert m.series_params(token).targetLeverage == 17 * WAD // 10
    assert m.rebalance(ALICE, token) == DRIFT
    x_new = 17 * WAD // 10 * equity // p
    assert m.exposure_of(token) == x_new
    position = x_new * p // WAD
    assert 5_708_600 * M // 10_000 - 231 < position <= 5_708_600 * M // 10_000  # 570.86M
    assert 1_550_600 * M // 10_000 - 231 < position - 4_158 * M // 10 <= 1_550_600 * M // 10_000  # buys 155.06M
    assert m.equity_of(token) == equity
    ev = only(m, "Rebalanced")
    assert (ev["exposureBefore"], ev["exposureAfter"], ev["trigger"]) == (x, x_new, DRIFT)


def test_seed_004_nav_115_and_rebalance_adds_30():
    m, tokens = build(price=100, series=(("BTC3L", True),), series_params=params(3, 0, 4, 3_600), holders=(ALICE,))
    token = tokens["BTC3L"]
    assert m.mint(ALICE, token, 100 * USDC, 0, ALICE) == WAD - LOCKED_SUPPLY  # NAV 100, 1 token (less the lock)
    assert m.token_total_supply(token) == WAD
    assert m.exposure_of(token) == 3 * WAD  # 3 BTC at 100
    assert m.nav_of(token) == 100 * WAD

    m.warp(3_600)
    set_price(m, 105)
    p = 105 * WAD
    assert m.nav_of(token) == 115 * WAD
    assert m.exposure_of(token) * p // WAD == 315 * WAD
    assert m.leverage_of(token) == 2_739_130_434_782_608_695
    assert cents(m.leverage_of(token)) == Decimal("2.74")
    assert m.rebalance_status_of(token) == FALLBACK  # Lmin = 0: no lower drift trigger

    assert m.rebalance(KEEPER, token) == FALLBACK
    x_new = 3 * WAD * 115 * WAD // p
    assert m.exposure_of(token) == x_new == 3_285_714_285_714_285_714
    position = x_new * p // WAD
    assert 345 * WAD - 105 < position <= 345 * WAD  # position 345
    assert 30 * WAD - 105 < position - 315 * WAD <= 30 * WAD  # adds 30
    assert m.nav_of(token) == 115 * WAD


def test_seed_002_3x_long_and_short_rebalanced_every_step():
    m, tokens = build(price=10, series=(("XUP", True), ("XDOWN", False)),
                      series_params=params(3, 2.5, 3.5, 3_600), initial_nav=10 * WAD, holders=(ALICE, BOB))
    up, down = tokens["XUP"], tokens["XDOWN"]
    m.mint(ALICE, up, 1_000 * USDC, 0, ALICE)
    m.mint(BOB, down, 1_000 * USDC, 0, BOB)
    supply = 100 * WAD
    assert m.token_total_supply(up) == m.token_total_supply(down) == supply
    assert m.nav_of(up) == m.nav_of(down) == 10 * WAD

    expected = {up: ["7.00", "9.33", "6.53", "10.89", "7.92"], down: ["13.00", "8.67", "11.27", "3.76", "4.78"]}
    state = {up: [1_000 * WAD, 300 * WAD, True], down: [1_000 * WAD, 300 * WAD, False]}
    p0 = 10 * WAD
    for step, price in enumerate([9, 10, 9, 11, 10]):
        m.warp(3_600)
        set_price(m, price)
        p = price * WAD
        for token in (up, down):
            e, x, is_long = state[token]
            e = eq_at(e, x, p0, p, is_long)
            nav = e * WAD // supply
            assert m.equity_of(token) == e  # to the wei: the exposure has fractions, so rounding shows here
            assert m.nav_of(token) == nav
            assert cents(nav) == Decimal(expected[token][step])
            assert m.rebalance(KEEPER, token) in (DRIFT, FALLBACK)
            x = 3 * WAD * e // p
            assert m.exposure_of(token) == x
            assert m.nav_of(token) == nav  # no spread: NAV unchanged
            state[token] = [e, x, is_long]
        p0 = p


def test_pool_settles_holders_gains_rounded_down_and_losses_rounded_up():
    m, t = build()
    long_, short = t["ETH3L"], t["ETH3S"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    m.mint(BOB, short, 10_000 * USDC, 0, BOB)
    set_price(m, 1_800)
    m.rebalance(KEEPER, long_)
    m.rebalance(KEEPER, short)
    x_l, x_s = 3 * WAD * (7_000 * WAD) // (1_800 * WAD), 3 * WAD * (13_000 * WAD) // (1_800 * WAD)
    assert (x_l * 10**10) % WAD and (x_s * 10**10) % WAD  # a 1e-8 move leaves a fraction of a wei
    set_price(m, "1800.00000001")
    assert m.equity_of(long_) == 7_000 * WAD + x_l * 10**10 // WAD  # gain: down
    assert m.equity_of(short) == 13_000 * WAD - ceil_div(x_s * 10**10, WAD)  # loss: up
    p = wad("1800.00000001")
    e = m.equity_of(long_)
    assert m.leverage_of(long_) == (x_l * p // WAD) * WAD // e
    set_price(m, "1799.99999999")
    assert m.equity_of(long_) == 7_000 * WAD - ceil_div(x_l * 10**10, WAD)
    assert m.equity_of(short) == 13_000 * WAD + x_s * 10**10 // WAD


# ============================================================================ math and rounding


def test_mul_div_rounds_down_or_up_and_panics_like_openzeppelin():
    assert mul_div(7, 3, 2) == 10 and mul_div(7, 3, 2, ceil=True) == 11
    assert mul_div(6, 3, 2, ceil=True) == 9  # exact: no round-up
    assert mul_div(MAX, MAX, MAX) == MAX  # 512-bit intermediate
    with pytest.raises(E.Panic) as info:
        mul_div(1, 1, 0)
    assert info.value == E.Panic(0x12)
    with pytest.raises(E.Panic) as info:
        mul_div(MAX, 2, 1)
    assert info.value == E.Panic(0x11)
    x = 535_006_138_814_359  # a factor of 2**257 - 1: x*y = 2*MAX + 1
    y = (2**257 - 1) // x
    assert mul_div(x, y, 2) == MAX
    with pytest.raises(E.Panic) as info:  # the floor fits, rounding it up overflows
        mul_div(x, y, 2, ceil=True)
    assert info.value == E.Panic(0x11)


def test_equity_gain_rounds_down_loss_rounds_up_and_floors_at_zero():
    x = 3  # 3e-18 units: every P&L has a fraction
    assert equity_at(100, x, WAD, WAD + WAD // 2, True) == 100 + 1  # gain 1.5 wei -> 1
    assert equity_at(100, x, WAD, WAD + WAD // 2, False) == 100 - 2  # loss 1.5 wei -> 2
    assert equity_at(100, x, WAD + WAD // 2, WAD, False) == 101  # a short gains when the price falls
    assert equity_at(1, x, WAD, 2 * WAD, False) == 0  # loss 3 >= 1: floored at 0
    assert equity_at(7, 0, WAD, 5 * WAD, True) == 7  # no exposure, no P&L


def test_streaming_fee_rounds_up_and_never_takes_the_last_wei():
    assert streaming_fee(10_000 * WAD, wad("0.02"), YEAR) == 200 * WAD
    assert streaming_fee(WAD, wad("0.02"), 1) == ceil_div(WAD * wad("0.02"), WAD * YEAR)  # rounds up to 1 wei
    assert streaming_fee(5, wad("0.1"), 1_000 * YEAR) == 4  # capped at the equity less one wei
    assert streaming_fee(1, wad("0.1"), 1) == 0  # a fee rounding alone never knocks a series out
    assert streaming_fee(5 * WAD, 0, YEAR) == 0 and streaming_fee(5 * WAD, wad("0.1"), 0) == 0


def test_leverage_rounds_down_and_is_zero_without_equity():
    assert leverage(15 * WAD, 1_800 * WAD, 7_000 * WAD) == 3_857_142_857_142_857_142
    assert leverage(15 * WAD, 1_800 * WAD, 0) == 0
    assert leverage(3, WAD // 2, 1) == WAD  # floor(x*P) first: 1.5 wei of position -> 1, not 1.5x


def test_spread_cost_rounds_up_at_both_steps():
    traded, p, spread = 10**18 + 1, 3 * WAD, wad("0.0005")
    notional = ceil_div(traded * p, WAD)
    assert spread_cost(traded, p, spread) == ceil_div(notional * spread, WAD)
    assert spread_cost(1, 1, 1) == 1  # the tiniest trade still pays one wei
    assert spread_cost(0, p, spread) == 0 and spread_cost(traded, p, 0) == 0


def test_to_wad_scales_feed_decimals_down_and_flags_overflow():
    assert to_wad(2_000 * 10**8, 8) == (True, 2_000 * WAD)
    assert to_wad(123_456_789, 20) == (True, 1_234_567)  # rounds down
    assert to_wad(2**255, 0) == (False, 0)


def test_oracle_check_reports_the_first_failing_condition_in_contract_order():
    now, age = 10_000, 3_600
    assert check(1, 2_000 * 10**8, now, 1, age, 8, now) == (Status.Ok, 2_000 * WAD)
    assert check(2, -1, 0, 2, age, 8, now)[0] == Status.IncompleteRound  # before the invalid answer
    assert check(3, 5, now, 2, age, 8, now)[0] == Status.IncompleteRound  # answered in an earlier round
    assert check(1, 0, now + 1, 1, age, 8, now)[0] == Status.InvalidPrice  # before the future timestamp
    assert check(1, 10**28 + 1, now, 1, age, 8, now)[0] == Status.InvalidPrice  # above 1e36 WAD
    assert check(1, 1, now, 1, age, 20, now)[0] == Status.InvalidPrice  # rounds to 0 WAD
    assert check(1, 5, now + 1, 1, age, 8, now)[0] == Status.FuturePrice
    assert check(1, 5, now - age, 1, age, 8, now)[0] == Status.Ok  # exactly maxAge old is usable
    assert check(1, 5, now - age - 1, 1, age, 8, now)[0] == Status.StalePrice


def test_triggers_drift_outside_the_band_and_fallback_after_the_interval():
    assert drifted(wad("2.49"), wad("2.5"), wad("3.5")) and drifted(wad("3.51"), wad("2.5"), wad("3.5"))
    assert not drifted(wad("2.5"), wad("2.5"), wad("3.5")) and not drifted(wad("3.5"), wad("2.5"), wad("3.5"))
    assert not drifted(1, 0, wad(4))  # Lmin = 0 disables the lower edge
    assert fallback_due(3_600, 100, 3_700) and not fallback_due(3_600, 100, 3_699)
    assert not fallback_due(0, 0, 10**9)


# ============================================================================ mint


def test_first_mint_prices_at_initial_nav_and_sets_exposure_at_target():
    m, t = build()
    token = t["ETH3L"]
    assert m.nav_of(token) == 100 * WAD  # before the first mint
    assert m.series_state(token).lastRebalance == T0  # creation counts as a rebalance
    m.warp(100)
    set_price(m, 2_000)
    assert m.mint(ALICE, token, 10_000 * USDC, 0, ALICE) == 100 * WAD - LOCKED_SUPPLY  # the token locks the rest
    assert m.token_total_supply(token) == 100 * WAD and m.nav_of(token) == 100 * WAD
    assert m.exposure_of(token) == 15 * WAD  # 3 * 10,000 / 2,000
    state = m.series_state(token)
    t = T0 + 100
    assert (state.equity, state.markPrice, state.settledAt, state.lastRebalance) == (10_000 * WAD, 2_000 * WAD, t, t)
    assert m.asset_allowance(ALICE, POOL) == MAX  # an infinite allowance is never spent
    assert m.pool_assets == 1_010_000 * USDC
    assert m.asset_balance_of(POOL) == 1_010_000 * USDC
    assert m.asset_balance_of(ALICE) == 10_000_000 * USDC - 10_000 * USDC
    assert only(m, "Minted") == {"token": token, "payer": ALICE, "receiver": ALICE, "assets": 10_000 * USDC,
                                 "tokens": 100 * WAD - LOCKED_SUPPLY, "fee": 0, "price": 2_000 * WAD}


def test_mint_fee_rounds_up_tokens_round_down_and_nav_never_moves():
    m, t = build(series_params=params(mint_fee="0.003"))
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    net1 = 10_000 * WAD - 30 * WAD
    assert m.equity_of(token) == net1 and m.token_total_supply(token) == net1 * WAD // (100 * WAD)
    m.warp(60)
    set_price(m, "2000.37")
    e = eq_at(net1, 3 * net1 // 2_000, 2_000 * WAD, wad("2000.37"), True)
    supply = m.token_total_supply(token)
    nav_before = m.nav_of(token)
    assets = 333_333_333  # 333.333333 USDC
    fee = ceil_div(assets * SCALE * wad("0.003"), WAD)
    net = assets * SCALE - fee
    tokens = m.mint(BOB, token, assets, 0, BOB)
    assert tokens == net * supply // e
    assert only(m, "Minted")["fee"] == fee
    assert m.nav_of(token) >= nav_before  # rounding never dilutes holders
    assert m.reserve() == m.pool_assets * SCALE - m.liabilities()


def test_mint_reverts_in_contract_order_zero_amount_zero_receiver_then_pause():
    m, t = build()
    token = t["ETH3L"]
    m.pause(OWNER)
    with reverts(m, E.ZeroAmount()):  # the token checks its arguments before the pool's batch sees the pause
        m.mint(ALICE, token, 0, 0, ZERO)
    with reverts(m, E.ZeroAddress()):
        m.mint(ALICE, token, 1, 0, ZERO)
    with reverts(m, E.EnforcedPause()):
        m.mint(ALICE, token, 1_000 * USDC, 0, ALICE)


def test_mint_giving_zero_tokens_reverts_slippage_with_minimum_one():
    m, t = build(asset_decimals=18, initial_nav=10**24)
    with reverts(m, E.SlippageExceeded(0, 1)):
        m.mint(ALICE, t["ETH3L"], 10**5, 0, ALICE)  # 1e5 wei / 1e6 NAV -> 0 tokens
    with reverts(m, E.SlippageExceeded(10**18 * WAD // 10**24 - LOCKED_SUPPLY, 10**30)):  # first mint: less the lock
        m.mint(ALICE, t["ETH3L"], 10**18, 10**30, ALICE)


def test_mint_slippage_after_the_settlement_changes_nothing():
    m, t = build(series_params=params(streaming_fee="0.1"))
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    m.warp(DAY)
    set_price(m, 2_050)  # the next settlement moves equity, mark price, settledAt and the fee
    expected = 10_000 * USDC * SCALE * m.token_total_supply(token) // m.equity_of(token)
    with reverts(m, E.SlippageExceeded(expected, expected + 1)):
        m.mint(BOB, token, 10_000 * USDC, expected + 1, BOB)


def test_mint_pulls_the_assets_last_and_reverts_with_the_assets_allowance_error():
    m, t = build()
    m.asset_approve(ALICE, POOL, 5 * USDC)
    with reverts(m, E.ERC20InsufficientAllowance(POOL, 5 * USDC, 6 * USDC)):
        m.mint(ALICE, t["ETH3L"], 6 * USDC, 0, ALICE)
    m.asset_mint(STRANGER, 1 * USDC)
    m.asset_approve(STRANGER, POOL, MAX)
    with reverts(m, E.ERC20InsufficientBalance(STRANGER, 1 * USDC, 2 * USDC)):
        m.mint(STRANGER, t["ETH3L"], 2 * USDC, 0, STRANGER)


def test_mint_reverts_safecast_when_the_first_exposure_overflows_uint112():
    # 1e10 WAD, the smallest 8-decimal price; LP capital that keeps the floor (10% of 100,000,000) exactly, so
    # the batch's checks pass and the exposure's SafeCast is what fails
    m, t = build(price="0.00000001", lp_capital=10_000_000)
    m.asset_mint(ALICE, 10**9 * USDC)
    x = 3 * WAD * (100_000_000 * USDC * SCALE) // 10**10
    assert x > 2**112 - 1
    with reverts(m, E.SafeCastOverflowedUintDowncast(112, x)):
        m.mint(ALICE, t["ETH3L"], 100_000_000 * USDC, 0, ALICE)


def test_mint_of_an_overflowing_amount_panics_0x11():
    m, t = build()
    with reverts(m, E.Panic(0x11)):
        m.mint(ALICE, t["ETH3L"], MAX, 0, ALICE)  # assets * 10**12 overflows


# ============================================================================ redeem


def test_redeem_burns_first_so_an_overdraft_reverts_insufficient_balance():
    m, t = build()
    token = t["ETH3L"]
    m.mint(ALICE, token, 1_000 * USDC, 0, ALICE)
    balance = m.token_balance_of(token, ALICE)
    assert balance == 10 * WAD - LOCKED_SUPPLY
    with reverts(m, E.ERC20InsufficientBalance(ALICE, balance, balance + 1)):
        m.redeem(ALICE, token, balance + 1, 0, ZERO)  # the burn fails before the receiver check
    with reverts(m, E.ZeroAmount()):
        m.redeem(ALICE, token, 0, 0, ALICE)  # burning 0 succeeds; the pool then refuses
    with reverts(m, E.ZeroAddress()):
        m.redeem(ALICE, token, 1, 0, ZERO)


def test_redeem_fee_rounds_up_payout_rounds_down_and_exposure_scales_down():
    m, t = build(series_params=params(redeem_fee="0.001"))
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    m.warp(60)
    set_price(m, "2013.12345678")
    p = wad("2013.12345678")
    e = eq_at(10_000 * WAD, 15 * WAD, 2_000 * WAD, p, True)
    n = 33 * WAD + 7
    gross = n * e // (100 * WAD)
    fee = ceil_div(gross * wad("0.001"), WAD)
    paid = m.redeem(ALICE, token, n, 0, BOB)
    assert paid == (gross - fee) // SCALE
    assert only(m, "Redeemed") == {"token": token, "owner": ALICE, "receiver": BOB, "tokens": n, "assets": paid,
                                   "fee": fee, "price": p}
    assert m.asset_balance_of(BOB) == 10_000_000 * USDC + paid
    assert m.equity_of(token) == e - gross
    assert m.exposure_of(token) == 15 * WAD * (e - gross) // e  # floor: leverage never rises
    assert m.leverage_of(token) <= lev(15 * WAD, p, e)


def test_redeem_below_the_callers_minimum_reverts_slippage_after_burn_and_settlement():
    m, t = build()
    token = t["ETH3L"]
    m.mint(ALICE, token, 1_000 * USDC, 0, ALICE)
    set_price(m, 1_990)
    balance = m.token_balance_of(token, ALICE)  # all but the locked supply: equity 1,000 - 1.5 * 10 = 985
    paid = balance * (985 * WAD) // (10 * WAD) // SCALE
    assert paid == 985 * USDC - 1  # the locked tokens' share of 985 is 9.85e-8 USDC
    with reverts(m, E.SlippageExceeded(paid, 986 * USDC)):
        m.redeem(ALICE, token, balance, 986 * USDC, ALICE)


def test_pro_rata_redemption_when_the_reserve_is_negative():
    m, t = build(lp_capital=150)
    long_, short = t["ETH3L"], t["ETH3S"]
    m.mint(ALICE, long_, 600 * USDC, 0, ALICE)
    m.mint(BOB, long_, 400 * USDC, 0, BOB)
    m.mint(KEEPER, short, 200 * USDC, 0, KEEPER)
    set_price(m, "2213.37")
    e_l, e_s = 1_320_055 * WAD // 1000, 135_989 * WAD // 1000
    liabilities, pooled = e_l + e_s, 1_350 * USDC
    assert m.liabilities() == liabilities
    assert m.reserve() == pooled * SCALE - liabilities == -106_044 * WAD // 1000
    assert m.total_assets() == 0 and m.max_deposit(LP) == 0 and m.max_withdraw(LP) == 0

    a, k = m.token_balance_of(long_, ALICE), m.token_balance_of(short, KEEPER)  # first minters: less the lock
    assert (a, k) == (6 * WAD - LOCKED_SUPPLY, 2 * WAD - LOCKED_SUPPLY)
    gross_a = a * e_l // (10 * WAD)
    paid_a = m.redeem(ALICE, long_, a, 0, ALICE)
    assert paid_a == gross_a * (pooled * SCALE) // liabilities // SCALE
    assert paid_a < gross_a // SCALE  # a haircut
    gross_k = k * e_s // (2 * WAD)
    paid_k = m.redeem(KEEPER, short, k, 0, KEEPER)
    pooled -= paid_a
    assert paid_k == gross_k * (pooled * SCALE) // (liabilities - gross_a) // SCALE
    assert abs(paid_k - gross_k * 1_350 * USDC * SCALE // liabilities // SCALE) <= 1  # the same fraction


# ============================================================================ rebalance


def test_rebalance_without_a_trigger_reverts_with_the_current_leverage():
    m, t = build()
    token = t["ETH3L"]
    with reverts(m, E.NoRebalanceTrigger(0)):  # empty series: nothing to rebalance
        m.rebalance(KEEPER, token)
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    set_price(m, 2_100)
    e = 10_000 * WAD + 1_500 * WAD
    with reverts(m, E.NoRebalanceTrigger(lev(15 * WAD, 2_100 * WAD, e))):
        m.rebalance(KEEPER, token)


def test_rebalance_charges_the_spread_cost_rounded_up_to_the_reserve():
    m, t = build(series_params=params(spread="0.0005"))
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    set_price(m, "1800.00000001")
    p = wad("1800.00000001")
    e = eq_at(10_000 * WAD, 15 * WAD, 2_000 * WAD, p, True)
    reserve_before = m.reserve()
    x_new = 3 * WAD * e // p
    cost = ceil_div(ceil_div((15 * WAD - x_new) * p, WAD) * wad("0.0005"), WAD)
    assert m.rebalance(KEEPER, token) == DRIFT
    ev = only(m, "Rebalanced")
    assert ev == {"token": token, "trigger": DRIFT, "price": p, "leverageBefore": lev(15 * WAD, p, e),
                  "leverageAfter": lev(x_new, p, e - cost), "exposureBefore": 15 * WAD, "exposureAfter": x_new,
                  "navBefore": e * WAD // (100 * WAD), "navAfter": (e - cost) * WAD // (100 * WAD), "cost": cost,
                  "keeper": KEEPER}
    assert m.equity_of(token) == e - cost
    assert m.reserve() == reserve_before + cost
    assert m.series_state(token).lastRebalance == T0


def test_a_spread_cost_that_would_take_all_the_equity_knocks_the_series_out():
    m, t = build(series_params=params(spread="0.01"))
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    set_price(m, 1_334)  # loss 15 * 666 = 9,990: equity 10 at about 2,000x
    assert m.equity_of(token) == 10 * WAD
    x_new = 3 * WAD * (10 * WAD) // (1_334 * WAD)
    assert ceil_div(ceil_div((15 * WAD - x_new) * 1_334 * WAD, WAD) * wad("0.01"), WAD) > 10 * WAD
    assert m.rebalance_status_of(token) == KNOCKOUT
    reserve_before = m.reserve()
    assert m.rebalance(KEEPER, token) == KNOCKOUT
    assert [name for name, _ in m.events] == ["KnockedOut"]
    assert m.events[0][1] == {"token": token, "price": 1_334 * WAD, "lostEquity": 10 * WAD}
    state = m.series_state(token)
    assert (state.equity, state.exposure, state.knockedOut) == (0, 0, True)
    assert m.reserve() == reserve_before + 10 * WAD  # the reserve keeps what the series had


def test_fallback_trigger_fires_after_the_interval_inside_the_band():
    m, t = build(series_params=params(fallback=3_600))
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    m.warp(3_599)
    set_price(m, 2_010)  # 2.97x, inside the band; back to 3x buys about 0.149 ETH ($300, above the minimum)
    assert m.rebalance_status_of(token) == NONE
    m.warp(1)
    assert m.rebalance_status_of(token) == FALLBACK
    assert m.rebalance(KEEPER, token) == FALLBACK
    assert m.series_state(token).lastRebalance == T0 + 3_600
    assert m.exposure_of(token) == 3 * WAD * (10_150 * WAD) // (2_010 * WAD)


def test_pause_blocks_exposure_increasing_rebalances_only():
    m, t = build()
    long_, short = t["ETH3L"], t["ETH3S"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    m.mint(BOB, short, 10_000 * USDC, 0, BOB)
    set_price(m, 1_800)  # long sells (3.86x), short buys (2.08x)
    m.pause(OWNER)
    assert m.rebalance_status_of(short) == NONE and m.rebalance_status_of(long_) == DRIFT
    with reverts(m, E.EnforcedPause()):
        m.rebalance(KEEPER, short)
    assert m.rebalance(KEEPER, long_) == DRIFT


def test_streaming_fee_accrues_to_the_reserve_at_settlement():
    m, t = build(series_params=params(streaming_fee="0.02", fallback=0, lo=0, hi=10))
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    m.warp(YEAR // 4)
    set_price(m, 2_000)
    fee = ceil_div(10_000 * WAD * (wad("0.02") * (YEAR // 4)), WAD * YEAR)
    assert fee == 50 * WAD
    assert m.equity_of(token) == 10_000 * WAD - fee  # views are net of the accrued fee
    # the liabilities count the accrued fee as the holders' until the series settles
    assert m.liabilities() == 10_000 * WAD and m.reserve() == 1_000_000 * WAD
    m.redeem(ALICE, token, WAD, 0, ALICE)  # settles: the fee moves to the reserve
    assert m.series_state(token).settledAt == T0 + YEAR // 4
    assert m.reserve() == 1_000_000 * WAD + fee


# ============================================================================ knock-out


def test_gap_shows_the_series_dead_in_views_then_rebalance_latches_it_and_returns_4():
    m, t = build()
    long_, short = t["ETH3L"], t["ETH3S"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    m.mint(BOB, short, 10_000 * USDC, 0, BOB)
    set_price(m, 1_200)  # -40%: long 10,000 - 15 * 800 < 0
    assert (m.nav_of(long_), m.equity_of(long_), m.leverage_of(long_), m.exposure_of(long_)) == (0, 0, 0, 0)
    assert m.series_state(long_).exposure == 15 * WAD and not m.series_state(long_).knockedOut
    assert m.net_exposure() == -15 * WAD
    assert m.rebalance_status_of(long_) == KNOCKOUT
    assert m.check_upkeep() == (True, 0b11, True)

    assert m.rebalance(KEEPER, long_) == KNOCKOUT
    assert m.events == [("KnockedOut", {"token": long_, "price": 1_200 * WAD, "lostEquity": 10_000 * WAD})]
    state = m.series_state(long_)
    assert state.knockedOut and state.equity == 0 and state.exposure == 0
    assert m.rebalance_status_of(long_) == NONE
    assert m.reserve() == 1_000_000 * WAD + 20_000 * WAD - 22_000 * WAD  # the reserve keeps what the long had


def test_knocked_out_series_refuses_mints_and_rebalances_and_redeems_for_zero():
    m, t = build()
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    set_price(m, 1_200)
    with reverts(m, E.SeriesKnockedOut(token)):  # the mint's settlement finds it dead: nothing latched
        m.mint(BOB, token, 1_000 * USDC, 0, BOB)
    assert m.redeem(ALICE, token, 40 * WAD, 0, ALICE) == 0  # the redeem's settlement latches it
    assert events(m, "KnockedOut") and only(m, "Redeemed")["assets"] == 0
    set_price(m, 2_500)  # recovery changes nothing
    assert m.nav_of(token) == 0
    with reverts(m, E.SeriesKnockedOut(token)):
        m.mint(BOB, token, 1_000 * USDC, 0, BOB)
    with reverts(m, E.SeriesKnockedOut(token)):
        m.rebalance(KEEPER, token)
    rest = m.token_balance_of(token, ALICE)
    assert rest == 60 * WAD - LOCKED_SUPPLY
    with reverts(m, E.SlippageExceeded(0, 1)):
        m.redeem(ALICE, token, rest, 1, ALICE)
    assert m.redeem(ALICE, token, rest, 0, ALICE) == 0
    assert m.token_total_supply(token) == m.token_balance_of(token, LOCK_ADDRESS) == LOCKED_SUPPLY  # locked forever


# ============================================================================ floor


def test_floor_is_ten_percent_of_liabilities_rounded_up():
    m, t = build()
    set_price(m, "1999.99999999")
    m.mint(ALICE, t["ETH3L"], 7_777_777_777, 0, ALICE)
    set_price(m, "2100.12345678")  # the gain leaves odd wei
    liabilities = m.liabilities()
    assert liabilities % 10 != 0
    assert m.floor() == ceil_div(liabilities, 10)


def test_mint_leaving_the_reserve_below_the_floor_reverts_with_reserve_and_floor():
    m, t = build(lp_capital=1_000)
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)  # reserve 1,000 = floor of 10,000: allowed
    assert m.reserve() == m.floor() == 1_000 * WAD
    set_price(m, "2000.01")
    e = eq_at(10_000 * WAD, 15 * WAD, 2_000 * WAD, wad("2000.01"), True)
    r = 11_001 * WAD - (e + WAD)
    with reverts(m, E.ReserveBelowFloor(r, ceil_div(e + WAD, 10))):
        m.mint(BOB, token, 1 * USDC, 0, BOB)


def test_an_exposure_increase_whose_spread_cost_restores_the_floor_is_allowed_and_reported():
    m, t = build(lp_capital=4_200, series_params=params(spread="0.01"))
    short = t["ETH3S"]
    m.mint(BOB, short, 10_000 * USDC, 0, BOB)
    set_price(m, 1_800)  # short 13,000 at 2.08x: buys 6.67 ETH for a cost of 120
    assert m.reserve() == 1_200 * WAD < m.floor() == 1_300 * WAD
    x_new = 3 * WAD * (13_000 * WAD) // (1_800 * WAD)
    cost = ceil_div(ceil_div((x_new - 15 * WAD) * 1_800 * WAD, WAD) * wad("0.01"), WAD)
    assert 14_200 * WAD - (13_000 * WAD - cost) >= ceil_div(13_000 * WAD - cost, 10)  # after the cost: at the floor
    assert m.rebalance_status_of(short) == DRIFT
    assert m.rebalance(KEEPER, short) == DRIFT
    assert m.reserve() >= m.floor()


def test_an_exposure_reducing_rebalance_continues_below_the_floor():
    m, t = build(lp_capital=4_000)
    long_, short = t["ETH3L"], t["ETH3S"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    m.mint(BOB, short, 20_000 * USDC, 0, BOB)
    set_price(m, 1_800)  # the short gains 6,000, the long loses 3,000: reserve 1,000 < floor 3,300
    assert m.reserve() == 34_000 * WAD - 33_000 * WAD
    assert m.rebalance_status_of(long_) == DRIFT and m.rebalance_status_of(short) == NONE
    assert m.rebalance(KEEPER, long_) == DRIFT
    assert [name for name, _ in m.events] == ["Rebalanced", "ReserveFloorBreached"]
    with reverts(m, E.ReserveBelowFloor(1_000 * WAD, 3_300 * WAD)):
        m.rebalance(KEEPER, short)  # 0.8x: buying would add risk


def test_floor_breach_and_restore_events_fire_once_per_flip():
    m, t = build(lp_capital=2_000)
    long_ = t["ETH3L"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    set_price(m, 2_100)  # long gains 1,500: reserve 500 < floor 1,150
    assert not m.floor_breached
    m.redeem(ALICE, long_, WAD, 0, ALICE)  # the first state change that sees it flips the flag
    ev = only(m, "ReserveFloorBreached")
    assert ev["reserve"] == m.reserve() and ev["floor"] == m.floor() and m.floor_breached
    m.redeem(ALICE, long_, WAD, 0, ALICE)
    assert events(m, "ReserveFloorBreached") == []  # no flip, no event
    m.fund_reserve(LP, 5_000 * USDC)
    assert [name for name, _ in m.events] == ["ReserveFunded", "ReserveFloorRestored"]
    assert not m.floor_breached


# ============================================================================ keeper reward


def test_keeper_reward_is_paid_per_rebalance_up_to_the_daily_cap_and_resets_next_utc_day():
    m, t = build(series_params=params(fallback=3_600))
    token = t["ETH3L"]
    m.set_keeper_reward(OWNER, 5 * USDC, 12 * USDC)
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    m.set_time((T0 // DAY + 1) * DAY)  # start of a UTC day
    paid = []
    for price in (2_010, 2_000, 2_010, 2_000):  # each move makes the fallback trade real (about $300)
        m.warp(3_600)
        set_price(m, price)
        pool_assets = m.pool_assets
        m.rebalance(KEEPER, token)
        rewards = events(m, "KeeperRewarded")
        paid.append(rewards[0]["assets"] if rewards else 0)
        assert m.pool_assets == pool_assets - paid[-1]
    assert paid == [5 * USDC, 5 * USDC, 2 * USDC, 0]  # capped at 12 a day
    assert m.asset_balance_of(KEEPER) == 10_000_000 * USDC + 12 * USDC
    m.set_time(m.now + DAY)
    set_price(m, 2_010)
    m.rebalance(KEEPER, token)
    assert only(m, "KeeperRewarded") == {"keeper": KEEPER, "token": token, "assets": 5 * USDC}


def test_keeper_reward_is_skipped_when_it_would_put_the_reserve_below_the_floor():
    m, t = build(lp_capital=0, series_params=params(fallback=3_600))
    token = t["ETH3L"]
    m.fund_reserve(LP, 1_004 * USDC)
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)  # floor 1,000, reserve 1,004
    m.set_keeper_reward(OWNER, 5 * USDC, 100 * USDC)
    # the reserve and floor below are exact at an unchanged price, where a fallback trades nothing: the test
    # is about the reward's floor check, not the minimum trade, so the minimum is lifted
    m.set_min_trade_notional(OWNER, 0)
    m.warp(3_600)
    set_price(m, 2_000)
    assert m.rebalance(KEEPER, token) == FALLBACK
    assert events(m, "KeeperRewarded") == [] and m.reserve() == 1_004 * WAD
    m.set_keeper_reward(OWNER, 4 * USDC, 100 * USDC)
    m.warp(3_600)
    set_price(m, 2_000)
    m.rebalance(KEEPER, token)
    assert only(m, "KeeperRewarded")["assets"] == 4 * USDC and m.reserve() == m.floor() == 1_000 * WAD


# ============================================================================ automation and health


def test_check_upkeep_flags_series_and_health_and_is_empty_when_the_oracle_is_unusable():
    m, t = build()
    m.mint(ALICE, t["ETH3L"], 10_000 * USDC, 0, ALICE)
    m.mint(BOB, t["ETH3S"], 10_000 * USDC, 0, BOB)
    assert m.check_upkeep() == (True, 0, True)  # never reported: health due
    m.report_health(KEEPER)
    assert m.check_upkeep() == (False, 0, False)
    set_price(m, 2_200)  # ETH3L 2.54x in band, ETH3S 4.71x
    assert m.check_upkeep() == (True, 0b10, False)
    m.warp(3_601)  # stale
    assert m.check_upkeep() == (False, 0, False)


def test_perform_upkeep_isolates_a_failing_series_and_emits_upkeep_failed_with_the_reason():
    m, t = build()
    long_, short = t["ETH3L"], t["ETH3S"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    m.mint(BOB, short, 10_000 * USDC, 0, BOB)
    m.report_health(KEEPER)
    set_price(m, 1_800)
    assert m.check_upkeep() == (True, 0b11, False)
    m.pause(OWNER)
    m.warp(60)
    short_state = m.series_state(short)
    m.perform_upkeep(KEEPER, 0b11, False)
    assert [name for name, _ in m.events] == ["Rebalanced", "UpkeepFailed"]
    assert m.series_state(short) == short_state  # its settlement was rolled back with it
    failed = only(m, "UpkeepFailed")
    assert failed["token"] == short and failed["reason"] == E.EnforcedPause()
    assert failed["reason"].encode() == bytes.fromhex("d93c0665")  # EnforcedPause() selector
    assert m.exposure_of(long_) == 3 * WAD * 7_000 * WAD // (1_800 * WAD)
    assert m.exposure_of(short) == 15 * WAD  # rolled back


def test_perform_upkeep_with_nothing_done_reverts_no_upkeep_needed_or_the_oracle_error():
    m, t = build()
    m.mint(ALICE, t["ETH3L"], 10_000 * USDC, 0, ALICE)
    m.report_health(KEEPER)
    with reverts(m, E.NoUpkeepNeeded()):
        m.perform_upkeep(KEEPER, 0b1, True)  # not due: the rebalance fails, health is not due
    m.warp(3_601)
    updated_at = m.latest_round_data()[3]
    with reverts(m, E.StalePrice(updated_at, 3_600)):
        m.perform_upkeep(KEEPER, 0b11, False)


def test_report_health_figures_and_the_interval():
    m, t = build()
    m.mint(ALICE, t["ETH3L"], 10_000 * USDC, 0, ALICE)
    m.mint(BOB, t["ETH3S"], 4_000 * USDC, 0, BOB)
    set_price(m, "2100.00000037")
    p = wad("2100.00000037")
    e_l = eq_at(10_000 * WAD, 15 * WAD, 2_000 * WAD, p, True)
    e_s = eq_at(4_000 * WAD, 6 * WAD, 2_000 * WAD, p, False)
    total = e_l + e_s
    r = 1_014_000 * USDC * SCALE - total
    m.report_health(STRANGER)
    assert only(m, "ReserveHealth") == {
        "reserve": r, "liabilities": total, "coverage": r * WAD // total,
        "utilization": (9 * WAD * p // WAD) * WAD // r, "bufferDepth": r - ceil_div(total, 10),
        "netExposure": 9 * WAD, "price": p}
    assert m.last_health_report == T0
    m.warp(3_599)
    with reverts(m, E.HealthReportTooSoon(T0 + 3_600)):
        m.report_health(STRANGER)
    m.warp(1)
    set_price(m, 2_000)
    m.report_health(STRANGER)  # exactly one interval later
    assert m.last_health_report == T0 + 3_600


def test_report_health_when_insolvent_has_negative_coverage_and_max_utilization():
    m, t = build(lp_capital=100)
    m.mint(ALICE, t["ETH3L"], 1_000 * USDC, 0, ALICE)
    set_price(m, 2_500)  # long gains 750 > reserve 100
    m.report_health(KEEPER)
    ev = only(m, "ReserveHealth")
    r = 1_100 * WAD - 1_750 * WAD
    assert ev["reserve"] == r and ev["coverage"] == -(650 * WAD * WAD // (1_750 * WAD))  # truncated toward 0
    assert ev["utilization"] == MAX
    assert [name for name, _ in m.events] == ["ReserveFloorBreached", "ReserveHealth"]


# ============================================================================ LP vault


def lp_round(m: PoolModel, price: int | str = 2_000) -> int:
    """Waits out the LP orders' minDelay and publishes a round at `price`; returns its id."""
    m.warp(LP_DELAY)
    set_price(m, price)
    return m.latest_round_data()[0]


def test_first_lp_deposit_gets_one_million_virtual_shares_per_asset_unit():
    m, _ = build(lp_capital=0)
    with reverts(m, E.AsyncPreview()):
        m.preview_deposit(1_000 * USDC)
    assert m.request_deposit(LP, 1_000 * USDC, BOB, LP) == 0
    assert m.events == [
        ("LpOrderQueued", {"kind": 0, "id": 0, "controller": BOB, "amount": 1_000 * USDC, "minOut": 0,
                           "dueAt": T0 + 60, "executionFee": 0}),
        ("DepositRequest", {"controller": BOB, "owner": LP, "requestId": 0, "sender": LP, "assets": 1_000 * USDC})]
    assert m.pending_deposit_request(BOB) == 1_000 * USDC and m.max_deposit(BOB) == 0
    assert m.lp_pending_round() == 0  # no round after its due time yet
    with reverts(m, E.NoLpOrdersDue(1)):
        m.execute_lp_orders(KEEPER, 1, 10)
    rid = lp_round(m)
    assert m.lp_pending_round() == rid == 2
    assert m.execute_lp_orders(KEEPER, rid, 10) == 1
    assert m.events == [("LpOrderExecuted", {"kind": 0, "id": 0, "controller": BOB, "roundId": 2,
                                             "amount": 1_000 * USDC, "out": 10**15})]
    assert m.pending_deposit_request(BOB) == 0 and m.claimable_deposit_request(BOB) == 1_000 * USDC
    assert m.max_mint(BOB) == m.lp_balance_of(POOL) == m.lp_total_supply() == 10**15  # held until claimed
    assert m.total_assets() == m.pool_assets == 1_000 * USDC
    with reverts(m, E.NotOperator(BOB, LP)):
        m.deposit(LP, 1_000 * USDC, LP, BOB)
    assert m.deposit(BOB, 1_000 * USDC, BOB) == 10**15
    assert m.events == [("Deposit", {"sender": BOB, "owner": BOB, "assets": 1_000 * USDC, "shares": 10**15})]
    assert m.lp_balance_of(BOB) == 10**15 and m.lp_balance_of(POOL) == 0 and m.max_deposit(BOB) == 0


def test_lp_conversions_and_claims_round_in_the_vaults_favour_with_offset_6():
    m, t = build()
    m.mint(ALICE, t["ETH3L"], 100_000 * USDC, 0, ALICE)
    assets = 1_234_567_891
    m.request_deposit(ALICE, assets, BOB, ALICE)
    rid = lp_round(m, "1937.53012345")
    p1 = 1_937_530_123_450_000_000_000
    e1 = eq_at(100_000 * WAD, 150 * WAD, 2_000 * WAD, p1, True)
    assert e1 == 90_629_518_517_500_000_000_000
    ta = (1_100_000 * USDC * SCALE - e1) // SCALE
    assert m.total_assets() == ta == 1_009_370_481_482
    supply = 1_000_000 * USDC * 10**6
    shares = assets * (supply + 10**6) // (ta + 1)
    assert m.convert_to_shares(assets) == shares
    assert m.convert_to_assets(shares) == shares * (ta + 1) // (supply + 10**6)
    for preview in (m.preview_deposit, m.preview_mint, m.preview_withdraw, m.preview_redeem):
        with reverts(m, E.AsyncPreview()):
            preview(1)
    m.execute_lp_orders(KEEPER, rid, 1)
    assert m.max_mint(BOB) == shares and m.max_deposit(BOB) == assets
    # a claim by assets receives shares rounded down; one by shares uses assets rounded up; the last, the rest
    part = 1_000_000
    assert m.deposit(BOB, part, BOB) == part * shares // assets
    got = part * shares // assets
    assert m.mint_shares(BOB, 10**12, ALICE, BOB) == ceil_div(10**12 * (assets - part), shares - got)
    used = part + ceil_div(10**12 * (assets - part), shares - got)
    assert m.events == [("Deposit", {"sender": BOB, "owner": ALICE, "assets": used - part, "shares": 10**12})]
    with reverts(m, E.ClaimExceeded(assets - used + 1, assets - used)):
        m.deposit(BOB, assets - used + 1, BOB)
    assert m.deposit(BOB, assets - used, BOB) == shares - got - 10**12
    assert m.lp_balance_of(BOB) + m.lp_balance_of(ALICE) == shares and m.max_mint(BOB) == 0
    with reverts(m, E.ZeroAmount()):
        m.deposit(BOB, 0, BOB)


def test_a_redeem_order_fills_up_to_the_floor_and_the_rest_waits_at_the_head():
    m, t = build(lp_capital=2_000)
    m.mint(ALICE, t["ETH3L"], 10_000 * USDC, 0, ALICE)
    room = (12_000 * WAD - 10_000 * WAD - 1_000 * WAD) // SCALE  # the reserve above the floor
    assert room == 1_000 * USDC
    supply = 2_000 * USDC * 10**6
    m.request_redeem_shares(LP, supply, LP, LP)
    assert m.lp_balance_of(POOL) == supply and m.pending_redeem_request(LP) == supply
    rid = lp_round(m)
    assert m.execute_lp_orders(KEEPER, rid, 10) == 1  # one order, filled in part
    ta = 2_000 * USDC
    shares = room * (supply + 10**6) // (ta + 1)
    assets = shares * (ta + 1) // (supply + 10**6)
    assert assets <= room and m.events[0] == ("LpOrderExecuted", {"kind": 1, "id": 0, "controller": LP,
                                                                  "roundId": rid, "amount": shares, "out": assets})
    assert m.reserve() >= m.floor() and m.pool_assets == 12_000 * USDC - assets
    assert m.claimable_redeem_request(LP) == shares and m.max_withdraw(LP) == assets
    assert m.pending_redeem_request(LP) == supply - shares
    q = m.lp_queues()
    assert (q.redeemHead, q.redeemNext, q.redeemTail, q.nextDue) == (0, 1, 1, 0)  # it waits at the head
    assert m.lp_order(1, 0).amount == supply - shares
    assert m.lp_pending_round() == 0  # no headroom: nothing to do
    m.fund_reserve(BOB, 500 * USDC)
    assert m.lp_pending_round() == rid  # waiting orders fill at the latest round
    assert m.execute_lp_orders(KEEPER, rid, 10) == 1
    assert m.events[0][1]["amount"] < supply - shares and m.reserve() >= m.floor()
    # claims: by assets uses shares rounded up, by shares receives assets rounded down
    cs, ca = m.max_redeem(LP), m.max_withdraw(LP)
    with reverts(m, E.ClaimExceeded(ca + 1, ca)):
        m.withdraw(LP, ca + 1, LP, LP)
    assert m.withdraw(LP, 10 * USDC, ALICE, LP) == ceil_div(10 * USDC * cs, ca)
    assert m.events == [("Withdraw", {"sender": LP, "receiver": ALICE, "owner": LP, "assets": 10 * USDC,
                                      "shares": ceil_div(10 * USDC * cs, ca)})]
    cs2 = cs - ceil_div(10 * USDC * cs, ca)
    assert m.redeem_shares(LP, cs2, LP, LP) == ca - 10 * USDC  # the last claim takes exactly the rest
    assert m.max_withdraw(LP) == m.max_redeem(LP) == 0


def test_lp_orders_in_a_deficit_are_refunded_and_expire_without_a_round():
    m, t = build(lp_capital=100)
    m.mint(ALICE, t["ETH3L"], 1_000 * USDC, 0, ALICE)
    m.request_deposit(BOB, 10 * USDC, BOB, BOB)
    m.request_redeem_shares(LP, 10**12, LP, LP)
    rid = lp_round(m, 2_500)
    assert m.reserve() < 0
    assert m.execute_lp_orders(KEEPER, rid, 10) == 2  # each order counts once
    assert [e for e in m.events if e[0] == "LpOrderRefunded"] == [
        ("LpOrderRefunded", {"kind": 0, "id": 1, "controller": BOB, "reason": 7}),
        ("LpOrderRefunded", {"kind": 1, "id": 0, "controller": LP, "reason": 7})]
    assert m.asset_balance_of(BOB) == 10_000_000 * USDC and m.lp_balance_of(LP) == 100 * USDC * 10**6
    with reverts(m, E.LpOrderTooSmall(9 * USDC, 10 * USDC)):
        m.request_deposit(BOB, 9 * USDC, BOB, BOB)
    m.request_deposit(BOB, 10 * USDC, BOB, BOB)
    m.warp(DAY + 61)  # no round within maxOrderAge: it expires at the latest round
    assert m.lp_pending_round() == rid
    m.execute_lp_orders(KEEPER, rid, 10)
    assert m.events[-1] == ("LpOrderRefunded", {"kind": 0, "id": 2, "controller": BOB, "reason": 2})


def test_lp_requests_for_another_owner_need_an_operator_or_a_share_allowance():
    m, _ = build()
    with reverts(m, E.NotOperator(LP, BOB)):
        m.request_deposit(BOB, 10 * USDC, BOB, LP)
    with reverts(m, E.ERC20InsufficientAllowance(BOB, 0, 10**12)):
        m.request_redeem_shares(BOB, 10**12, BOB, LP)
    m.lp_approve(LP, BOB, 5 * 10**12)
    m.request_redeem_shares(BOB, 10**12, ALICE, LP)
    assert m.lp_allowance(LP, BOB) == 4 * 10**12 and m.pending_redeem_request(ALICE) == 10**12
    assert m.set_operator(LP, BOB, True) and m.is_operator(LP, BOB)
    assert m.events == [("OperatorSet", {"controller": LP, "operator": BOB, "approved": True})]
    m.request_deposit(BOB, 10 * USDC, BOB, LP)  # an operator spends the owner's assets
    m.request_redeem_shares(BOB, 10**12, BOB, LP)  # and its shares, without an allowance
    assert m.lp_allowance(LP, BOB) == 4 * 10**12
    with reverts(m, E.ZeroAddress()):
        m.request_deposit(LP, 10 * USDC, ZERO, LP)
    with reverts(m, E.ZeroAmount()):
        m.request_redeem_shares(LP, 0, LP, LP)
    with reverts(m, E.NoRefund()):
        m.claim_refund(LP)


def test_lp_orders_due_at_an_earlier_round_execute_before_any_settlement():
    m, t = build()
    long_ = t["ETH3L"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    m.request_deposit(BOB, 10 * USDC, BOB, BOB)
    first = lp_round(m)  # the order's round
    m.mint(ALICE, long_, 100 * USDC, 0, ALICE)  # at its round: series first, LP orders after
    m.warp(10)
    set_price(m, 2_001)  # a later round: the LP order now comes first
    for op in (lambda: m.mint(ALICE, long_, 100 * USDC, 0, ALICE), lambda: m.redeem(ALICE, long_, WAD, 0, ALICE),
               lambda: m.rebalance(KEEPER, long_)):
        with reverts(m, E.LpOrdersDue()):
            op()
    assert m.rebalance_status_of(long_) == NONE
    with reverts(m, E.LpOrderDueEarlier(0, 1, first + 1)):
        m.execute_lp_orders(KEEPER, first + 1, 10)
    needed, _, _, rounds, lp_round_ = m.check_upkeep_data()
    assert needed and rounds == [] and lp_round_ == first
    m.perform_upkeep(KEEPER, 0, False, [], lp_round_)
    assert [e[0] for e in m.events] == ["LpOrderExecuted"] and m.claimable_deposit_request(BOB) == 10 * USDC
    m.mint(ALICE, long_, 100 * USDC, 0, ALICE)


def test_a_series_batch_waits_for_lp_orders_due_before_its_round():
    m, t = build()
    long_ = t["ETH3L"]
    m.asset_approve(ALICE, long_, MAX)
    m.request_deposit(BOB, 10 * USDC, BOB, BOB)  # due T0 + 60
    first = lp_round(m)
    m.request_mint(ALICE, long_, 10 * USDC, 0, ALICE)  # due T0 + 121
    second = lp_round(m)
    assert m.pending_round(long_) == second and m.lp_pending_round() == first
    with reverts(m, E.LpOrdersDue()):  # the LP order's round comes before this batch's
        m.execute_orders(KEEPER, long_, second, 10)
    assert m.check_upkeep_data()[3:] == ([second, 0], first)  # both named; the LP orders go first
    m.execute_lp_orders(KEEPER, first, 10)
    assert m.execute_orders(KEEPER, long_, second, 10) == 1


def test_a_new_order_is_due_no_earlier_than_the_last_when_min_delay_is_lowered():
    m, t = build()
    long_ = t["ETH3L"]
    m.set_order_params(OWNER, (3_600, DAY, 0, 10 * USDC))
    for holder in (ALICE, BOB):
        m.asset_approve(holder, long_, MAX)
    m.request_mint(ALICE, long_, 10 * USDC, 0, ALICE)
    m.request_deposit(BOB, 10 * USDC, BOB, BOB)
    m.set_order_params(OWNER, (12, DAY, 0, 10 * USDC))
    m.request_redeem_shares(LP, 10**12, LP, LP)
    m.request_mint(BOB, long_, 10 * USDC, 0, BOB)
    assert m.pending_order(long_, 0, 1).due_at == m.pending_order(long_, 0, 0).due_at == T0 + 3_600
    assert m.lp_order(1, 0).due_at == m.lp_order(0, 1).due_at == T0 + 3_600 == m.lp_queues().lastDue


def test_a_donation_by_plain_transfer_is_not_counted():
    m, _ = build()
    m.asset_transfer(ALICE, POOL, 500 * USDC)
    assert m.asset_balance_of(POOL) == 1_000_500 * USDC
    assert m.pool_assets == 1_000_000 * USDC and m.total_assets() == 1_000_000 * USDC


# ============================================================================ oracle


def test_each_oracle_failure_reverts_with_its_cause_and_views_fall_back_to_the_mark_price():
    m, t = build()
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    m.warp(10)
    set_price(m, 2_100)
    equity_live = m.equity_of(token)
    cases = [
        (lambda: m.update_round_data(7, 2_000 * 10**8, 0, 0), E.IncompleteRound(7, 7)),
        (lambda: m.set_answer(0), E.InvalidPrice(0)),
        (lambda: m.set_answer(-5), E.InvalidPrice(-5)),
        (lambda: m.set_answer(10**28 + 1), E.InvalidPrice(10**28 + 1)),  # above 1e36 WAD
        (lambda: m.update_round_data(9, 2_000 * 10**8, m.now + 1, m.now), E.FuturePrice(m.now + 1, m.now)),
    ]
    for break_oracle, error in cases:
        break_oracle()
        for op in (lambda: m.price(), lambda: m.mint(BOB, token, USDC, 0, BOB),
                   lambda: m.redeem(ALICE, token, WAD, 0, ALICE), lambda: m.rebalance(KEEPER, token),
                   lambda: m.report_health(KEEPER)):
            with reverts(m, error):
                op()
        # views value the series at its own mark price 2,000
        assert m.equity_of(token) == 10_000 * WAD and m.mark_price() == 2_000 * WAD
        assert m.rebalance_status_of(token) == NONE and m.total_assets() == 1_000_000 * USDC
    set_price(m, 2_100)
    assert m.equity_of(token) == equity_live
    m.warp(3_600)
    assert m.price() == 2_100 * WAD  # exactly maxPriceAge old: still usable
    m.warp(1)
    with reverts(m, E.StalePrice(m.now - 3_601, 3_600)):
        m.price()


def test_feed_decimals_normalise_to_wad():
    for decimals, answer, expected in ((0, 2_000, 2_000 * WAD), (18, 2_000 * WAD, 2_000 * WAD),
                                       (24, 2_000 * 10**24 + 999_999, 2_000 * WAD)):
        m = PoolModel(address=POOL, asset_address=ASSET, oracle_address=ORACLE, owner=OWNER, asset_decimals=6,
                      feed_decimals=decimals, now=T0, initial_answer=answer)
        assert m.price() == expected


# ============================================================================ admin


def test_admin_calls_are_owner_only():
    m, t = build()
    for call in (lambda: m.create_series(STRANGER, _addr(1), True, WAD, ETH3),
                 lambda: m.set_series_params(STRANGER, t["ETH3L"], ETH3),
                 lambda: m.set_floor_ratio(STRANGER, WAD // 5), lambda: m.set_max_price_age(STRANGER, 60),
                 lambda: m.set_health_interval(STRANGER, 300), lambda: m.set_keeper_reward(STRANGER, 0, 0),
                 lambda: m.pause(STRANGER), lambda: m.unpause(STRANGER)):
        with reverts(m, E.OwnableUnauthorizedAccount(STRANGER)):
            call()


def test_parameter_bounds_revert_with_the_bytes32_name_and_bounds():
    m, t = build()
    with reverts(m, E.ParameterOutOfBounds(bytes32("floorRatio"), WAD + 1, WAD // 100, WAD)):
        m.set_floor_ratio(OWNER, WAD + 1)
    with reverts(m, E.ParameterOutOfBounds(b"maxPriceAge".ljust(32, b"\0"), 59, 60, 2 * DAY)):
        m.set_max_price_age(OWNER, 59)
    with reverts(m, E.ParameterOutOfBounds(bytes32("keeperRewardDailyCap"), 4, 5, 100_000 * USDC)):
        m.set_keeper_reward(OWNER, 5, 4)
    with reverts(m, E.ParameterOutOfBounds(bytes32("initialNav"), 10**15 - 1, 10**15, 10**24)):
        m.create_series(OWNER, _addr(1), True, 10**15 - 1, ETH3)
    with reverts(m, E.ParameterOutOfBounds(bytes32("fallbackInterval"), 3_599, 3_600, 7 * DAY)):
        m.set_series_params(OWNER, t["ETH3L"], params(fallback=3_599))
    with reverts(m, E.ParameterOutOfBounds(bytes32("spread"), wad("0.011"), 0, wad("0.01"))):
        m.set_series_params(OWNER, t["ETH3L"], params(spread="0.011"))
    with reverts(m, E.InvalidLeverageBand(wad(1), wad(3), wad(4))):
        m.set_series_params(OWNER, t["ETH3L"], params(lo=1, hi=4))
    with reverts(m, E.InvalidLeverageBand(0, wad(3), wad(11))):
        m.create_series(OWNER, _addr(1), True, WAD, params(lo=0, hi=11))
    with reverts(m, E.UnknownSeries(STRANGER)):
        m.set_series_params(OWNER, STRANGER, ETH3)
    with pytest.raises(E.UnknownSeries):
        m.equity_of(STRANGER)


def test_set_series_params_settles_first_and_emits_one_event_per_changed_field():
    m, t = build()
    token = t["ETH3L"]
    m.mint(ALICE, token, 10_000 * USDC, 0, ALICE)
    m.warp(YEAR)
    set_price(m, 2_000)
    m.set_series_params(OWNER, token, params(hi=4, streaming_fee="0.1"))
    assert m.events == [
        ("ParametersUpdated", {"target": token, "parameter": bytes32("maxLeverage"), "value": 4 * WAD}),
        ("ParametersUpdated", {"target": token, "parameter": bytes32("streamingFee"), "value": wad("0.1")}),
    ]
    assert m.series_state(token).settledAt == T0 + YEAR  # the new fee starts now
    assert m.equity_of(token) == 10_000 * WAD


def test_the_ninth_series_reverts_too_many_series():
    m, _ = build(series=tuple((f"S{i}", True) for i in range(8)))
    with reverts(m, E.TooManySeries(8)):
        m.create_series(OWNER, _addr(99), True, WAD, ETH3)


def test_ownership_moves_in_two_steps_and_only_the_pending_owner_may_accept():
    m, _ = build()
    with reverts(m, E.OwnableUnauthorizedAccount(ALICE)):
        m.accept_ownership(ALICE)
    m.transfer_ownership(OWNER, ALICE)
    assert m.events == [("OwnershipTransferStarted", {"previousOwner": OWNER, "newOwner": ALICE})]
    assert m.owner == OWNER
    with reverts(m, E.OwnableUnauthorizedAccount(BOB)):
        m.accept_ownership(BOB)
    m.accept_ownership(ALICE)
    assert m.owner == ALICE and m.pending_owner == ZERO
    with reverts(m, E.OwnableUnauthorizedAccount(OWNER)):
        m.pause(OWNER)
    m.pause(ALICE)


def test_pause_twice_reverts_enforced_pause_and_unpause_while_running_reverts_expected_pause():
    m, _ = build()
    with reverts(m, E.ExpectedPause()):
        m.unpause(OWNER)
    m.pause(OWNER)
    assert m.events == [("Paused", {"account": OWNER})] and m.paused
    with reverts(m, E.EnforcedPause()):
        m.pause(OWNER)


# ============================================================= minimum sizes, utilization cap, retirement


def test_first_mint_locks_locked_supply_at_the_lock_address_and_the_receiver_gets_the_rest():
    m, t = build()
    token = t["ETH3L"]
    assert m.mint(ALICE, token, 10_000 * USDC, 0, BOB) == 100 * WAD - LOCKED_SUPPLY
    assert m.token_balance_of(token, LOCK_ADDRESS) == LOCKED_SUPPLY
    assert m.token_balance_of(token, BOB) == 100 * WAD - LOCKED_SUPPLY and m.token_balance_of(token, ALICE) == 0
    assert m.token_total_supply(token) == 100 * WAD and m.nav_of(token) == 100 * WAD  # the lock is paid for
    assert only(m, "Minted")["tokens"] == 100 * WAD - LOCKED_SUPPLY
    assert m.mint(ALICE, token, 1_000 * USDC, 0, ALICE) == 10 * WAD  # a later mint locks nothing
    assert m.token_balance_of(token, LOCK_ADDRESS) == LOCKED_SUPPLY and m.token_total_supply(token) == 110 * WAD


def test_a_first_mint_buying_no_more_than_locked_supply_reverts_slippage_and_one_more_token_passes():
    m, t = build(asset_decimals=18, initial_nav=10**24)  # 1 token per 10**6 asset wei
    token = t["ETH3L"]
    with reverts(m, E.SlippageExceeded(0, 1)):
        m.mint(ALICE, token, LOCKED_SUPPLY * 10**6, 0, ALICE)  # buys exactly the locked supply
    assert m.mint(ALICE, token, (LOCKED_SUPPLY + 1) * 10**6, 0, ALICE) == 1
    assert m.token_total_supply(token) == LOCKED_SUPPLY + 1
    assert m.token_balance_of(token, LOCK_ADDRESS) == LOCKED_SUPPLY


def test_redeem_leaving_less_than_min_balance_reverts_residual_too_small_and_exactly_min_balance_or_zero_passes():
    m, t = build()
    token = t["ETH3L"]
    m.mint(ALICE, token, 1_000 * USDC, 0, ALICE)
    balance = m.token_balance_of(token, ALICE)
    with reverts(m, E.ResidualTooSmall(1, MIN_BALANCE)):
        m.redeem(ALICE, token, balance - 1, 0, ZERO)  # the token checks the residual before the pool's checks
    with reverts(m, E.ResidualTooSmall(MIN_BALANCE - 1, MIN_BALANCE)):
        m.redeem(ALICE, token, balance - MIN_BALANCE + 1, 0, ALICE)
    m.redeem(ALICE, token, balance - MIN_BALANCE, 0, ALICE)
    assert m.token_balance_of(token, ALICE) == MIN_BALANCE
    m.redeem(ALICE, token, MIN_BALANCE, 0, ALICE)  # to 0: always allowed
    assert m.token_balance_of(token, ALICE) == 0 and m.token_total_supply(token) == LOCKED_SUPPLY


def test_rebalance_below_the_minimum_notional_reverts_rebalance_too_small_with_status_none_and_one_at_it_goes_ahead():
    m, t = build(series_params=params(fallback=3_600))
    token = t["ETH3L"]
    m.mint(ALICE, token, 1_000 * USDC, 0, ALICE)  # 1.5 ETH at 2,000
    m.warp(3_600)
    set_price(m, 2_000)  # the fallback is due but the series is at target: nothing to trade
    assert m.min_trade_notional == WAD  # the default: 1 unit of value
    assert m.rebalance_status_of(token) == NONE and m.check_upkeep()[1] == 0  # upkeep does not flag it
    with reverts(m, E.RebalanceTooSmall(0, WAD)):
        m.rebalance(KEEPER, token)
    set_price(m, 2_001)  # equity 1,001.5: back to 3x buys about 0.0015 ETH, about $3
    p, e = 2_001 * WAD, 1_001_500 * WAD // 1000
    n = (3 * WAD * e // p - 15 * WAD // 10) * p // WAD
    assert 2 * WAD < n < 4 * WAD
    m.set_min_trade_notional(OWNER, n + 1)
    assert m.rebalance_status_of(token) == NONE
    with reverts(m, E.RebalanceTooSmall(n, n + 1)):
        m.rebalance(KEEPER, token)
    m.set_min_trade_notional(OWNER, n)  # exactly the trade's notional
    assert m.rebalance_status_of(token) == FALLBACK
    assert m.rebalance(KEEPER, token) == FALLBACK
    assert m.exposure_of(token) == 3 * WAD * e // p


def test_perform_upkeep_over_two_series_pays_one_keeper_reward_and_separate_transactions_each_pay():
    m, t = build()
    long_, short = t["ETH3L"], t["ETH3S"]
    m.set_keeper_reward(OWNER, 5 * USDC, 100 * USDC)
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    m.mint(BOB, short, 10_000 * USDC, 0, BOB)
    m.report_health(KEEPER)
    set_price(m, 1_800)  # both drift
    assert m.check_upkeep() == (True, 0b11, False)
    pool_assets = m.pool_assets
    m.perform_upkeep(KEEPER, 0b11, False)
    assert [name for name, _ in m.events] == ["Rebalanced", "KeeperRewarded", "Rebalanced"]
    assert only(m, "KeeperRewarded") == {"keeper": KEEPER, "token": long_, "assets": 5 * USDC}
    assert m.pool_assets == pool_assets - 5 * USDC
    assert m.asset_balance_of(KEEPER) == 10_000_000 * USDC + 5 * USDC
    set_price(m, 2_200)  # both drift again (2.2x and 11x)
    for token in (long_, short):  # one transaction each: each pays
        m.rebalance(KEEPER, token)
        assert only(m, "KeeperRewarded") == {"keeper": KEEPER, "token": token, "assets": 5 * USDC}
    assert m.asset_balance_of(KEEPER) == 10_000_000 * USDC + 15 * USDC


def test_retire_series_of_a_live_series_reverts_and_of_a_knocked_out_one_moves_the_last_series_into_its_slot():
    m, t = build(series=(("A", True), ("B", False), ("C", True)))
    a, b, c = t["A"], t["B"], t["C"]
    m.mint(ALICE, a, 10_000 * USDC, 0, ALICE)
    m.mint(BOB, b, 10_000 * USDC, 0, BOB)
    with reverts(m, E.OwnableUnauthorizedAccount(STRANGER)):
        m.retire_series(STRANGER, a)
    for live in (a, b, c):  # with holders, or never minted: not knocked out
        with reverts(m, E.SeriesNotRetirable(live)):
            m.retire_series(OWNER, live)
    set_price(m, 1_200)  # A's equity is gone; the views show it dead, but it is not latched yet
    with reverts(m, E.SeriesNotRetirable(a)):
        m.retire_series(OWNER, a)
    assert m.rebalance(KEEPER, a) == KNOCKOUT
    reserve, liabilities, net = m.reserve(), m.liabilities(), m.net_exposure()
    balance = m.token_balance_of(a, ALICE)
    assert balance == 100 * WAD - LOCKED_SUPPLY  # any supply: the holders' tokens are worth 0
    m.retire_series(OWNER, a)
    assert m.events == [("SeriesRetired", {"token": a})]
    assert m.series() == [c, b]  # the last series takes the retired one's slot
    assert (m.reserve(), m.liabilities(), m.net_exposure()) == (reserve, liabilities, net)
    with reverts(m, E.UnknownSeries(a)):
        m.retire_series(OWNER, a)
    with pytest.raises(E.UnknownSeries):
        m.series_state(a)
    with reverts(m, E.OnlySeries(a)):
        m.mint(ALICE, a, 1_000 * USDC, 0, ALICE)
    assert m.token_balance_of(a, ALICE) == balance  # the token's ERC-20 ledger lives on
    assert m.check_upkeep()[1] == 0b10  # bit 1 is B, now at index 1 (drifted to 0.8x at 1,200)
    m.mint(ALICE, c, 1_000 * USDC, 0, ALICE)  # C works from its new slot
    assert m.series()[0] == c and m.equity_of(c) == 1_000 * WAD


def test_mint_over_the_utilization_cap_reverts_with_utilization_and_cap_and_exactly_at_the_cap_passes():
    m, t = build(lp_capital=1_000, max_utilization=3 * WAD)
    long_, short = t["ETH3L"], t["ETH3S"]
    # a mint leaves R = 1,000 (it adds as much to the pool as to the liabilities); |net|·P = 3·assets
    over = 1_000 * USDC + 1
    x_over = 3 * WAD * (over * SCALE) // (2_000 * WAD)
    util = x_over * 2_000 * WAD // (1_000 * WAD)
    assert util == 3 * WAD + 3 * 10**9
    with reverts(m, E.UtilizationCapExceeded(util, 3 * WAD)):
        m.mint(ALICE, long_, over, 0, ALICE)
    m.mint(ALICE, long_, 1_000 * USDC, 0, ALICE)  # |net|·P = 3,000 = 3 · R exactly
    assert m.net_exposure() * 2_000 == 3 * m.reserve() == 3_000 * WAD
    set_price(m, 2_100)  # the long gains 150 from the reserve: 3,150 against 3 · 850, over the cap
    p, r = 2_100 * WAD, 850 * WAD
    assert m.reserve() == r and m.net_exposure() * p // WAD > 3 * r
    x = 15 * WAD // 10 * (1_151 * WAD) // (1_150 * WAD)  # a 1 USDC long mint scales the exposure
    with reverts(m, E.UtilizationCapExceeded((x * p // WAD) * WAD // r, 3 * WAD)):
        m.mint(BOB, long_, 1 * USDC, 0, BOB)
    m.mint(BOB, short, 100 * USDC, 0, BOB)  # lowers |net|: allowed although still over the cap
    assert m.net_exposure() == 15 * WAD // 10 - 3 * WAD * (100 * WAD) // p
    assert m.net_exposure() * p // WAD > 3 * m.reserve()


def test_a_redeem_order_keeps_net_exposure_within_the_utilization_cap_exactly():
    m, t = build(lp_capital=2_000, max_utilization=7 * WAD)
    m.mint(ALICE, t["ETH3L"], 1_000 * USDC, 0, ALICE)  # |net|·P = 3,000: R must stay >= 3,000 / 7
    needed = ceil_div(3_000 * WAD * WAD, 7 * WAD)  # above the floor of 100
    room = (2_000 * WAD - needed) // SCALE
    assert room == 1_571_428_571
    supply = 2_000 * USDC * 10**6
    m.request_redeem_shares(LP, supply, LP, LP)
    m.execute_lp_orders(KEEPER, lp_round(m), 10)
    shares = room * (supply + 10**6) // (2_000 * USDC + 1)
    assert m.max_redeem(LP) == shares and m.max_withdraw(LP) <= room
    assert 3_000 * WAD > 7 * (2_000 * WAD - (room + 1) * SCALE)  # one unit more would break the cap
    assert m.net_exposure() * 2_000 <= 7 * m.reserve()
    assert m.lp_pending_round() == 0  # the rest waits: no headroom left

def test_every_reverting_operation_leaves_the_model_unchanged():
    m, t = build(lp_capital=2_000, series_params=params(streaming_fee="0.1", mint_fee="0.001", spread="0.001"))
    long_, short = t["ETH3L"], t["ETH3S"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    m.mint(BOB, short, 5_000 * USDC, 0, BOB)
    m.set_keeper_reward(OWNER, 5 * USDC, 20 * USDC)
    m.lp_approve(STRANGER, BOB, 10)
    m.report_health(KEEPER)
    m.warp(DAY)
    set_price(m, 1_830)  # every later settlement writes equity, mark price and settledAt

    # each of these fails after the contract has written state (settlement, burn, poolAssets, allowance)
    with reverts(m, E.SlippageExceeded):
        m.mint(BOB, long_, 10_000 * USDC, MAX, BOB)
    with reverts(m, E.ReserveBelowFloor):
        m.mint(BOB, short, 100_000 * USDC, 0, BOB)
    with reverts(m, E.ERC20InsufficientAllowance(POOL, 0, USDC)):
        m.mint(STRANGER, long_, USDC, 0, STRANGER)
    with reverts(m, E.SlippageExceeded):
        m.redeem(ALICE, long_, WAD, MAX, ALICE)
    m.pause(OWNER)
    with reverts(m, E.EnforcedPause()):
        m.rebalance(KEEPER, short)  # the short buys: paused after its settlement
    m.unpause(OWNER)
    with reverts(m, E.ERC20InsufficientAllowance(POOL, 0, 10 * USDC)):
        m.request_deposit(STRANGER, 10 * USDC, STRANGER, STRANGER)  # after the order is queued
    with reverts(m, E.ERC20InsufficientAllowance(POOL, 0, 1)):
        m.fund_reserve(STRANGER, 1)
    with reverts(m, E.ERC20InsufficientBalance(STRANGER, 0, 10)):
        m.lp_transfer_from(BOB, STRANGER, BOB, 10)
    with reverts(m, E.ERC20InsufficientAllowance(KEEPER, 0, 1)):
        m.token_transfer_from(KEEPER, long_, ALICE, BOB, 1)
    m.warp(3_601)
    with reverts(m, E.StalePrice(m.now - 3_601, 3_600)):
        m.perform_upkeep(KEEPER, 0b11, True)  # both isolated rebalances fail, then the oracle's cause


def test_lens_values_match_the_individual_views_in_the_documented_layout():
    m, t = build()
    long_, short = t["ETH3L"], t["ETH3S"]
    m.mint(ALICE, long_, 10_000 * USDC, 0, ALICE)
    m.mint(BOB, short, 4_000 * USDC, 0, ALICE)
    m.report_health(KEEPER)
    set_price(m, 2_200)  # the short drifts, the long does not
    accounts = [LP, ALICE, BOB]
    values, failed = m.lens(accounts)
    assert failed == 0 and values[11:14] == [1, 0b10, 0]
    assert len(values) == 16 + 4 * len(accounts) + 2 * (16 + len(accounts))
    needed, bitmap, due = m.check_upkeep()
    assert values[:16] == [m.pool_assets, m.reserve(), m.liabilities(), m.net_exposure() % 2**256, m.floor(),
                           m.mark_price(), m.total_assets(), m.lp_total_supply(), int(m.floor_breached),
                           m.last_health_report, m.asset_balance_of(POOL), int(needed), bitmap, int(due),
                           m.max_deposit(LP), m.now]
    i = 16
    for a in accounts:
        assert values[i:i + 4] == [m.asset_balance_of(a), m.lp_balance_of(a), m.max_withdraw(a), m.max_redeem(a)]
        i += 4
    for token in (long_, short):
        s = m.series_state(token)
        supply = m.token_total_supply(token)
        assert values[i:i + 16 + 3] == [
            supply, m.equity_of(token), m.exposure_of(token), m.nav_of(token),
            m.leverage_of(token), m.rebalance_status_of(token), s.equity, s.exposure, s.markPrice, s.settledAt,
            s.lastRebalance, int(s.knockedOut), int(s.isLong), m.token_preview_mint(token, m.pool_assets // 64),
            m.token_preview_mint(token, m.pool_assets // 4), m.token_preview_redeem(token, supply // 2),
            *(m.token_balance_of(token, a) for a in accounts)]
        assert values[i + 13] > 0 and values[i + 15] > 0  # a small mint fits; half the supply redeems
        i += 19
    assert m.token_balance_of(short, ALICE) == 40 * WAD - LOCKED_SUPPLY  # minted by bob to alice (first mint)


def test_lens_encodes_negative_reserve_and_net_exposure_as_twos_complement_and_upkeep_as_zeros_when_stale():
    m, t = build(lp_capital=100)
    m.mint(ALICE, t["ETH3S"], 1_000 * USDC, 0, ALICE)
    set_price(m, 1_500)  # short gains 750 > reserve 100
    values, _ = m.lens([])
    assert values[1] == 2**256 - 650 * WAD and values[3] == 2**256 - 15 * WAD // 10
    assert values[14] == 0  # maxDeposit: nothing claimable
    m.warp(3_601)
    values, failed = m.lens([])
    assert values[11:14] == [0, 0, 0] and failed == 0
    assert values[5] == 2_000 * WAD  # markPrice: the mark price of the series settled last (the mint)
    assert values[16 + 5] == NONE


def test_lens_falls_back_to_per_view_reads_and_flags_what_reverts():
    m, t = build()
    m.mint(ALICE, t["ETH3L"], 10_000 * USDC, 0, ALICE)
    m.mint(BOB, t["ETH3S"], 10_000 * USDC, 0, BOB)
    set_price(m, 1_800)  # both drift
    fast = m.lens(ACCOUNTS)
    assert fast[0][12] == 0b11 and m._lens_slow(ACCOUNTS) == fast
    m._book[0].settled_at = m.now + 1  # a state the chain cannot reach: block.timestamp - settledAt underflows
    values, failed = m.lens(ACCOUNTS)
    equity_call = 13 + 4 * len(ACCOUNTS) + 1  # the 13 pool calls, 4 per account, then series 0's supply
    equity = LensLayout(len(ACCOUNTS), 2).series(0, "equity")
    # the views that value series 0 net of its accrued fee revert (checkUpkeep, call 11, reads the status);
    # the liabilities do not accrue the fee, so reserve() and liabilities() still answer
    assert [i for i in range(64) if failed >> i & 1] == [11] + list(range(equity_call, equity_call + 5))
    assert values[equity] == 0 and values[equity - 1] == m._book[0].ledger.total_supply > 0
    assert values[LensLayout(len(ACCOUNTS), 2).pool("reserve")] == m.reserve() != 0


def test_errors_compare_by_name_and_arguments_and_round_trip_through_abi_encoding():
    assert len(error_by_name) >= 19 + 15
    for name in ("ZeroAmount", "ZeroAddress", "SlippageExceeded", "NoRebalanceTrigger", "SeriesKnockedOut",
                 "UnknownSeries", "OnlySeries", "OnlySelf", "ReserveBelowFloor", "TooManySeries",
                 "ParameterOutOfBounds", "InvalidLeverageBand", "InvalidPrice", "StalePrice", "FuturePrice",
                 "IncompleteRound", "HealthReportTooSoon", "NoUpkeepNeeded", "UnsupportedDecimals"):
        assert error_by_name[name].__name__ == name
    err = E.ReserveBelowFloor(-5, 7)
    assert err.name == "ReserveBelowFloor" and err.args == (-5, 7) and err.inputs == {"reserve": -5, "floor": 7}
    assert err == E.ReserveBelowFloor(-5, 7) and err != E.ReserveBelowFloor(-5, 8) and err != E.SlippageExceeded(-5, 7)
    assert E.UnknownSeries(ALICE.upper().replace("0X", "0x")) == E.UnknownSeries(ALICE)
    for e in (err, E.Panic(0x11), E.ParameterOutOfBounds(bytes32("spread"), 1, 2, 3), E.NoUpkeepNeeded(),
              E.ERC20InsufficientBalance(ALICE, 1, 2), E.IncompleteRound(3, 3)):
        assert decode_error(e.encode()) == e
    assert E.Panic(0x12).encode()[:4].hex() == "4e487b71"


def test_constructor_rejects_zero_owner_zero_oracle_and_too_many_decimals():
    base = {"address": POOL, "asset_address": ASSET, "oracle_address": ORACLE, "owner": OWNER,
            "asset_decimals": 6, "feed_decimals": 8, "now": T0, "initial_answer": 1}
    for change, error in (({"owner": ZERO}, E.OwnableInvalidOwner(ZERO)), ({"oracle_address": ZERO}, E.ZeroAddress()),
                          ({"asset_decimals": 19}, E.UnsupportedDecimals(19)),
                          ({"feed_decimals": 37}, E.UnsupportedDecimals(37))):
        with pytest.raises(ContractError) as info:
            PoolModel(**{**base, **change})
        assert info.value == error


def test_benchmark_runs_random_operations_with_a_lens_each_step():
    assert bench.run(300, 1) > 0
