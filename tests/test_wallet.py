"""levtoken.wallet and `ape run wallet ...` on a local chain: quotes from the contracts' previews, mint and
redeem as orders (placed, then waited for: the tests drive the mock feed, the wallet never does), the
result of each command, refusals (problems, and slippage when the price moves between quote and send)
that send nothing, pending orders and claims, and the status report."""

from __future__ import annotations

import functools
import importlib.util
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from ape import chain
from click.testing import CliRunner
from conftest import NO_UTILIZATION_CAP, USDC, WAD, lp_deposit, set_price, warp

import levtoken.wallet_orders as wallet_orders

from levtoken.config import DeploymentConfig, eth_preset
from levtoken.deployment import deploy
from levtoken.model.libraries.series import LOCKED_SUPPLY
from levtoken.units import parse_units
from levtoken.wallet import (
    MAX_UINT256,
    PlacedOrder,
    SlippageRefused,
    Wallet,
    WalletError,
    WalletInputError,
    check_address,
    parse_amount,
)

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "wallet.py"
ALICE, BOB = "TEST::2", "TEST::3"  # accounts[2], accounts[3] (the conftest's alice and bob)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@pytest.fixture(scope="module")
def env(owner, lp, alice, tmp_path_factory):
    """ETH3L (mint fee 0.1%, redeem fee 0.2%) and ETH3S from the manifest in `env.dir`; 1M USDC of LP
    capital; alice holds 100k USDC (no approval yet)."""
    directory = tmp_path_factory.mktemp("wallet")
    raw = eth_preset().model_dump(mode="json")
    raw["series"][0].update(mint_fee="0.001", redeem_fee="0.002")
    d = deploy(DeploymentConfig.model_validate(raw), owner, manifest_dir=directory)
    d.asset.mint(lp, 1_000_000 * USDC, sender=owner)
    d.asset.approve(d.pool, MAX_UINT256, sender=lp)
    lp_deposit(d.pool, d.oracle, owner, lp, 1_000_000 * USDC)  # an LP order: request, a round, execute, claim
    d.asset.mint(alice, 100_000 * USDC, sender=owner)
    return SimpleNamespace(dir=directory, d=d)


@pytest.fixture
def wallet(env, alice):
    return Wallet.open(alice, env.dir)


@pytest.fixture
def cli():
    """The click group of scripts/wallet.py (loaded once; a plain fixture keeps ape's snapshots simple)."""
    return _wallet_script().cli


@functools.lru_cache(maxsize=1)
def _wallet_script():
    spec = importlib.util.spec_from_file_location("levtoken_script_wallet", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(cli, env, *args, input=None):
    return CliRunner().invoke(cli, [*args, "--deployments", str(env.dir)], input=input)


def publish_after(env, owner, placed: PlacedOrder, price=None):
    """Drives the mock feed as its operator would: a round updated after the order's dueAt, at `price`
    (default: the latest answer again)."""
    chain.pending_timestamp = max(chain.pending_timestamp, placed.due_at + 1)
    if price is None:
        env.d.oracle.updateAnswer(env.d.oracle.latestRoundData()[1], sender=owner)
    else:
        set_price(env.d.oracle, price, owner)


def round_trip(wallet, env, owner, quote, price=None):
    """Places the order, publishes a round after its due time, and waits (the wallet executes the batch)."""
    placed = wallet.place(quote)
    publish_after(env, owner, placed, price)
    return placed, wallet.wait(placed, timeout=0)


def approve_and_mint(wallet, env, owner, symbol="ETH3L", amount="1000"):
    wallet.execute(wallet.quote_approve(None, symbol))
    return round_trip(wallet, env, owner, wallet.quote_mint(symbol, amount))


@pytest.fixture
def feed_on_sleep(env, owner, monkeypatch):
    """While the wallet waits (its `_sleep` hook), the feed publishes a round at the latest answer: the
    keeper-less local chain of a CLI session, driven by the test, never by the wallet."""
    def publish(seconds):
        chain.pending_timestamp = max(chain.pending_timestamp, int(chain.blocks.head.timestamp) + 61)
        env.d.oracle.updateAnswer(env.d.oracle.latestRoundData()[1], sender=owner)

    monkeypatch.setattr(wallet_orders, "_sleep", publish)


# ----------------------------------------------------------------------------- library: quotes and results


def test_a_first_mint_quote_is_the_tokens_preview_and_the_order_round_trips(wallet, env, alice, owner):
    token = env.d.tokens["ETH3L"]
    wallet.execute(wallet.quote_approve(None, "ETH3L"))  # mint orders escrow the asset in the token
    quote = wallet.quote_mint("eth3l", "1000")  # symbols are case-insensitive
    assert quote.ok and quote.symbol == "ETH3L"
    # the contract's preview, fee and locked supply included: 999 net at NAV 100, less LOCKED_SUPPLY
    assert quote.expected_tokens == token.previewMint(1000 * USDC) == 999 * WAD * WAD // (100 * WAD) - LOCKED_SUPPLY
    assert quote.min_tokens == quote.expected_tokens * 9_950 // 10_000
    assert (quote.execution_fee, quote.min_delay, quote.fee_rate) == (0, 60, 10**15)
    assert any("first mint" in note for note in quote.notes) and any("60 s after" in n for n in quote.notes)
    placed = wallet.place(quote)
    assert token.pendingOrder(0, placed.order_id).minOut == quote.min_tokens  # the bound goes on chain
    assert placed.due_at == chain.blocks.head.timestamp + 60 and token.balanceOf(alice) == 0
    assert wallet.wait(placed, timeout=0).status == "pending"  # no round after dueAt yet
    publish_after(env, owner, placed)
    outcome = wallet.wait(placed, timeout=0)
    assert (outcome.status, outcome.amount_out, outcome.executed_by_wallet) == ("executed", quote.expected_tokens, True)
    assert outcome.round_id == env.d.oracle.latestRoundData()[0]
    assert token.balanceOf(alice) == quote.expected_tokens


def test_a_later_mint_gets_its_quote_at_the_same_price(wallet, env, owner):
    approve_and_mint(wallet, env, owner)
    set_price(env.d.oracle, 2_100, owner)
    token, pool = env.d.tokens["ETH3L"], env.d.pool
    quote = wallet.quote_mint("ETH3L", "500.5", slippage_bps=100)
    assert quote.expected_tokens == token.previewMint(500_500_000) > 0
    assert quote.expected_tokens < 500_500_000 * 10**12 * token.totalSupply() // pool.equityOf(token)  # the fee
    assert quote.min_tokens == quote.expected_tokens * 9_900 // 10_000
    _, outcome = round_trip(wallet, env, owner, quote, price=2_100)
    assert outcome.amount_out == quote.expected_tokens


def test_a_redeem_quote_is_the_preview_less_the_execution_fee(wallet, env, alice, owner):
    approve_and_mint(wallet, env, owner)
    env.d.pool.setOrderParams((60, 86_400, 2 * USDC, 10 * USDC), sender=owner)
    token = env.d.tokens["ETH3L"]
    held = token.balanceOf(alice)
    quote = wallet.quote_redeem("ETH3L", None)  # everything held
    assert quote.amount == held and quote.pro_rata is None
    assert quote.payout == token.previewRedeem(held) and quote.execution_fee == 2 * USDC
    assert quote.expected_assets == quote.payout - 2 * USDC
    assert quote.min_assets == quote.expected_assets * 9_950 // 10_000
    before = env.d.asset.balanceOf(alice)
    placed, outcome = round_trip(wallet, env, owner, quote)
    assert token.pendingOrder(1, placed.order_id).receiver == "0x" + "0" * 40  # done
    assert (outcome.status, outcome.amount_out) == ("executed", quote.expected_assets)
    # the wallet executed the batch, so its execution fee came back to it
    assert env.d.asset.balanceOf(alice) - before == quote.expected_assets + 2 * USDC
    assert token.balanceOf(alice) == 0


def test_redeem_is_quoted_pro_rata_when_the_reserve_is_negative(owner, lp, alice, tmp_path):
    d = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    d.pool.setMaxUtilization(NO_UTILIZATION_CAP, sender=owner)  # the preset's 5x cap would refuse this 15x mint
    for account, cash in ((lp, 1_000), (alice, 5_000)):
        d.asset.mint(account, cash * USDC, sender=owner)
        d.asset.approve(d.pool, MAX_UINT256, sender=account)
    lp_deposit(d.pool, d.oracle, owner, lp, 1_000 * USDC)
    w = Wallet.open(alice, tmp_path)
    env = SimpleNamespace(d=d)
    w.execute(w.quote_approve(None, "ETH3L"))
    round_trip(w, env, owner, w.quote_mint("ETH3L", "5000"))
    set_price(d.oracle, 2_800, owner)  # +40%: ETH3L equity 11,000 against 6,000 of pool assets
    assert d.pool.reserve() == -5_000 * WAD
    quote = w.quote_redeem("ETH3L", None)
    held = 50 * WAD - LOCKED_SUPPLY  # the first mint locked LOCKED_SUPPLY: their claim stays in the series
    assert quote.amount == held
    assert quote.pro_rata == Decimal(6_000) / Decimal(11_000)
    gross = held * 11_000 * WAD // (50 * WAD)
    assert quote.expected_assets == quote.payout == d.tokens["ETH3L"].previewRedeem(held) == gross * 6_000 // 11_000 // 10**12
    assert any("reserve is negative" in note for note in quote.notes)
    assert round_trip(w, env, owner, quote, price=2_800)[1].amount_out == quote.expected_assets


def test_lp_deposit_and_withdrawals_are_orders_claimed_after_their_round(wallet, env, alice, feed_on_sleep):
    wallet.execute(wallet.quote_approve("20000"))
    pool = env.d.pool
    deposit = wallet.quote_lp_deposit("10000")
    assert deposit.expected_shares == pool.convertToShares(10_000 * USDC)
    assert deposit.min_shares == deposit.expected_shares * 9_950 // 10_000
    result = wallet.execute(deposit)  # request, a round (the feed), execute, claim
    assert (result.spent, result.received) == (10_000 * USDC, deposit.expected_shares)
    assert pool.balanceOf(alice) == deposit.expected_shares and pool.maxDeposit(alice) == 0

    partial = wallet.quote_lp_withdraw("4000")
    assert not partial.by_shares and pool.convertToAssets(partial.amount) >= 4_000 * USDC
    assert partial.bound == partial.expected_assets * 9_950 // 10_000
    result = wallet.execute(partial)
    assert (result.received, result.spent) == (partial.expected_assets, partial.amount)
    assert result.received >= 4_000 * USDC

    rest = wallet.quote_lp_withdraw(None)
    assert rest.by_shares and rest.amount == pool.balanceOf(alice)
    assert wallet.execute(rest).received == rest.expected_assets
    assert pool.balanceOf(alice) == 0 and pool.pendingRedeemRequest(0, alice) == 0


def test_approve_sets_the_allowance_of_the_pool_or_of_a_series_token(wallet, env, alice):
    quote = wallet.quote_approve("250.5")
    assert (quote.current, quote.amount, quote.spender_name) == (0, 250_500_000, "the pool")
    wallet.execute(quote)
    assert env.d.asset.allowance(alice, env.d.pool) == 250_500_000
    token = env.d.tokens["ETH3S"]
    series = wallet.quote_approve("10", "eth3s")
    assert (series.spender, series.spender_name) == (str(token.address), "ETH3S")
    wallet.execute(series)
    assert env.d.asset.allowance(alice, token) == 10 * USDC


# ----------------------------------------------------------------------------- library: refusals send nothing


def test_slippage_refused_when_the_price_moves_between_quote_and_send(wallet, env, alice, owner):
    approve_and_mint(wallet, env, owner)
    token, asset = env.d.tokens["ETH3L"], env.d.asset
    mint = wallet.quote_mint("ETH3L", "1000")
    redeem = wallet.quote_redeem("ETH3L", "5")
    set_price(env.d.oracle, 2_020, owner)  # +1%: ETH3L NAV +3%, fewer tokens per USDC
    nonce, tokens, cash = alice.nonce, token.balanceOf(alice), asset.balanceOf(alice)
    with pytest.raises(SlippageRefused, match="mint refused, nothing sent") as info:
        wallet.place(mint)
    assert info.value.simulated == token.previewMint(1000 * USDC) < mint.min_tokens
    set_price(env.d.oracle, 1_980, owner)  # -1% from the quote: the redemption pays 3% less
    with pytest.raises(SlippageRefused, match="redeem refused, nothing sent"):
        wallet.place(redeem)
    assert (alice.nonce, token.balanceOf(alice), asset.balanceOf(alice)) == (nonce, tokens, cash)
    # a wider bound accepts the same move
    _, outcome = round_trip(wallet, env, owner, wallet.quote_redeem("ETH3L", "5", slippage_bps=500))
    assert outcome.status == "executed" and outcome.amount_out > 0


def test_the_contract_enforces_the_bound_at_execution_and_refunds_the_order(wallet, env, alice, owner):
    approve_and_mint(wallet, env, owner)
    token, asset = env.d.tokens["ETH3L"], env.d.asset
    quote = wallet.quote_mint("ETH3L", "1000")
    cash, held = asset.balanceOf(alice), token.balanceOf(alice)
    placed = wallet.place(quote)
    publish_after(env, owner, placed, price=2_030)  # the round that prices it moved 1.5%: the bound fails
    outcome = wallet.wait(placed, timeout=0)
    assert outcome.status == "refunded" and outcome.reason.startswith("slippage")
    assert (asset.balanceOf(alice), token.balanceOf(alice)) == (cash, held)


def test_a_mint_refunded_because_the_pool_paused_reports_why(wallet, env, alice, owner):
    wallet.execute(wallet.quote_approve(None, "ETH3L"))
    placed = wallet.place(wallet.quote_mint("ETH3L", "1000"))
    env.d.pool.pause(sender=owner)
    publish_after(env, owner, placed)
    outcome = wallet.wait(placed, timeout=0)
    assert outcome.status == "refunded" and outcome.reason.startswith("paused")
    env.d.pool.unpause(sender=owner)


def test_keeper_only_waits_for_someone_else_to_execute(wallet, env, alice, bob, owner):
    wallet.execute(wallet.quote_approve(None, "ETH3L"))
    placed = wallet.place(wallet.quote_mint("ETH3L", "1000"))
    publish_after(env, owner, placed)
    token = env.d.tokens["ETH3L"]
    assert wallet.wait(placed, timeout=0, execute=False).status == "pending"  # no keeper ran
    token.executeOrders(token.pendingRound(), 10, sender=bob)  # a keeper
    outcome = wallet.wait(placed, timeout=0, execute=False)
    assert outcome.status == "executed" and not outcome.executed_by_wallet
    assert outcome.amount_out == token.balanceOf(alice) > 0


def test_lp_withdrawal_is_refused_when_the_reserve_moves(wallet, env, alice, owner, feed_on_sleep):
    approve_and_mint(wallet, env, owner)
    wallet.execute(wallet.quote_approve(None))
    wallet.execute(wallet.quote_lp_deposit("10000"))
    quote = wallet.quote_lp_withdraw(None, slippage_bps=0)
    set_price(env.d.oracle, 2_100, owner)  # ETH3L gains: the reserve (LP capital) loses
    nonce, shares = alice.nonce, env.d.pool.balanceOf(alice)
    with pytest.raises(SlippageRefused, match="LP withdrawal refused, nothing sent"):
        wallet.execute(quote)
    assert (alice.nonce, env.d.pool.balanceOf(alice)) == (nonce, shares)


def test_quotes_with_problems_are_refused(wallet, env, alice):
    nonce = alice.nonce
    quote = wallet.quote_mint("ETH3L", "1000")  # no approval yet
    assert not quote.ok and any("the ETH3L token may spend only 0" in p and "approve it first" in p
                                and "--series ETH3L" in p for p in quote.problems)
    with pytest.raises(WalletError, match="mint refused, nothing sent"):
        wallet.place(quote)
    with pytest.raises(WalletError, match="is an order"):
        wallet.execute(quote)
    too_much = wallet.quote_mint("ETH3L", "1000000")
    assert any("balance is 100000" in p for p in too_much.problems)
    assert any("you hold no ETH3L" in p for p in wallet.quote_redeem("ETH3L", None).problems)
    assert any("withdraw at most 0" in p for p in wallet.quote_lp_withdraw("1").problems)
    assert alice.nonce == nonce
    with pytest.raises(WalletError, match="use one of: ETH3L, ETH3S"):
        wallet.quote_mint("BTC3L", "1")


def test_mint_below_the_floor_is_a_problem(owner, lp, alice, tmp_path):
    d = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    d.asset.mint(alice, 10_000 * USDC, sender=owner)
    w = Wallet.open(alice, tmp_path)
    w.execute(w.quote_approve(None, "ETH3L"))
    quote = w.quote_mint("ETH3L", "1000")  # no LP capital: the reserve (0) would be below 10% of 1,000
    assert quote.expected_tokens == d.tokens["ETH3L"].previewMint(1000 * USDC) == 0
    assert any("below its floor" in p for p in quote.problems)
    below = w.quote_mint("ETH3L", "9.999999")  # the minimum mint order is 10
    assert any("below the minimum mint order of 10" in p for p in below.problems)


# ----------------------------------------------------------------------------- status


def test_status_reports_every_series_and_the_reserve(wallet, env, alice, owner):
    wallet.execute(wallet.quote_approve(None))
    approve_and_mint(wallet, env, owner)
    pool, token = env.d.pool, env.d.tokens["ETH3L"]
    s = wallet.status()
    assert [x.symbol for x in s.series] == ["ETH3L", "ETH3S"]
    long, short = s.series
    assert (long.side, long.target_leverage, long.min_leverage, long.max_leverage) == ("long", 3 * WAD, 25 * WAD // 10,
                                                                                      35 * WAD // 10)
    assert long.nav == token.nav() and long.leverage == token.leverage()
    assert abs(long.leverage - 3 * WAD) < 10**6
    assert long.next_fallback == pool.seriesState(token).lastRebalance + 86_400
    assert long.trigger == "none" and long.balance == token.balanceOf(alice)
    assert short.next_fallback is None and short.supply == 0  # no holders: no fallback pending
    assert (s.reserve, s.liabilities, s.floor) == (pool.reserve(), pool.liabilities(), pool.floor())
    assert s.coverage == Decimal(s.reserve) / Decimal(s.liabilities)
    assert s.health == "healthy" and s.price == 2_000 * WAD
    assert s.account.allowance == MAX_UINT256 and s.account.asset_balance == env.d.asset.balanceOf(alice)

    set_price(env.d.oracle, 2_400, owner)  # +20%: 3x long drifts to 2.25x
    assert wallet.status().series[0].trigger == "drift"
    warp(86_400)
    # back in the band (2.74x), a day later: a fallback that trades (at 2,000 the series would be at target,
    # its rebalance below the minimum notional, and the status "none")
    set_price(env.d.oracle, 2_100, owner)
    assert env.d.pool.rebalanceStatusOf(token) == 2
    assert wallet.status().series[0].trigger == "fallback"
    warp(7_200)  # no new answer for 2 h: the oracle is stale
    stale = wallet.status()
    assert stale.price is None and "StalePrice" in stale.oracle_problem
    assert stale.series[0].trigger == "none"


# ----------------------------------------------------------------------------- the click commands


def test_every_command_through_the_cli(cli, env, accounts, feed_on_sleep):
    bob = accounts[3]
    steps = [
        ("faucet", "5000"),
        ("approve", "unlimited", "--yes"),
        ("approve", "unlimited", "--series", "ETH3S", "--yes"),
        ("mint", "ETH3S", "1000", "--yes"),  # placed, then waited for: the feed publishes while it sleeps
        ("redeem", "ETH3S", "2.5", "--yes"),
        ("lp-deposit", "1000", "--yes"),
        ("lp-withdraw", "400", "--yes"),
        ("lp-withdraw", "all", "--yes"),
        ("redeem", "ETH3S", "all", "--yes"),
    ]
    for step in steps:
        result = run(cli, env, *step, "--account", BOB)
        assert result.exit_code == 0, (step, result.output)
        assert "done:" in result.output, (step, result.output)
    assert env.d.tokens["ETH3S"].balanceOf(bob) == 0 and env.d.pool.balanceOf(bob) == 0

    shown = run(cli, env, "mint", "ETH3S", "100", "--slippage-bps", "25", "--account", BOB, input="n\n")
    for text in ("expected (previewMint)", "at least (25 bps)", "mint fee", "NAV now", "execution fee",
                 "executes", "minDelay"):
        assert text in shown.output, text
    assert shown.exit_code == 1 and "Aborted" in shown.output


def test_no_wait_returns_the_order_id_and_orders_lists_it_until_it_executes(cli, env, wallet, alice, owner):
    wallet.execute(wallet.quote_approve(None, "ETH3L"))
    placed_out = run(cli, env, "mint", "ETH3L", "1000", "--no-wait", "--yes", "--account", ALICE)
    assert placed_out.exit_code == 0, placed_out.output
    assert "placed: mint order #0 of ETH3L" in placed_out.output and "not waiting" in placed_out.output
    report = wallet.pending_orders()
    assert [(o.symbol, o.kind, o.order_id, o.amount, o.status) for o in report.orders] == [
        ("ETH3L", "mint", 0, 1000 * USDC, "waiting for minDelay")]
    listed = run(cli, env, "orders", "--account", ALICE)
    assert listed.exit_code == 0, listed.output
    for text in ("pending orders of", "ETH3L", "mint", "1,000", ">=", "waiting"):  # (rich wraps the cells)
        assert text in listed.output, text
    token = env.d.tokens["ETH3L"]
    placed = PlacedOrder(kind="mint", symbol="ETH3L", token=str(token.address), order_id=0,
                         due_at=token.pendingOrder(0, 0).dueAt, amount=1000 * USDC, min_out=0, execution_fee=0,
                         receiver=str(alice.address), txn_hash="", gas_used=0, block=0)
    publish_after(env, owner, placed)
    assert wallet.pending_orders().orders[0].status.startswith("executable now (round")
    assert wallet.wait(placed, timeout=0).status == "executed"
    assert wallet.pending_orders().orders == ()
    assert "no pending orders" in run(cli, env, "orders", "--account", ALICE).output


def test_a_cli_order_without_a_round_before_the_timeout_is_reported_pending(cli, env, wallet, monkeypatch):
    wallet.execute(wallet.quote_approve(None, "ETH3L"))
    monkeypatch.setattr(wallet_orders, "_sleep", lambda seconds: None)  # nobody publishes a round
    result = run(cli, env, "mint", "ETH3L", "1000", "--timeout", "0", "--yes", "--account", ALICE)
    assert result.exit_code == 1 and "still pending" in result.output and "orders" in result.output
    assert len(wallet.pending_orders().orders) == 1


def _claimable_slot(token, account) -> int:
    """The storage slot of `claimable[account]` in a series token, found by writing candidates (the mapping
    follows the two rings of 2 x 1,024 slots each)."""
    from eth_utils import keccak as _keccak
    from ape import networks

    provider = networks.provider
    for slot in range(4_000, 4_200):
        key = int.from_bytes(_keccak(bytes.fromhex(str(account.address)[2:].lower()).rjust(32, b"\0")
                                     + slot.to_bytes(32, "big")), "big")
        provider.set_storage(token.address, key, (1).to_bytes(32, "big"))
        if token.claimable(account) == 1:
            return key
        provider.set_storage(token.address, key, bytes(32))
    raise AssertionError("claimable's slot not found")


def test_orders_shows_a_claimable_balance_and_claim_collects_it(cli, env, wallet, alice, owner):
    token = env.d.tokens["ETH3S"]
    with pytest.raises(WalletError, match="nothing to claim"):
        wallet.claim()
    # a push that failed leaves a claimable balance (the mock asset never fails one: written directly)
    from ape import networks

    networks.provider.set_storage(token.address, _claimable_slot(token, alice), (7 * USDC).to_bytes(32, "big"))
    env.d.asset.mint(token, 7 * USDC, sender=owner)
    assert wallet.pending_orders().claimable == {"ETH3S": 7 * USDC}
    listed = run(cli, env, "orders", "--account", ALICE)
    assert "claimable from ETH3S: 7 USDC" in listed.output
    before = env.d.asset.balanceOf(alice)
    claimed = run(cli, env, "claim", "ETH3S", "--account", ALICE)
    assert claimed.exit_code == 0 and "done: claim ETH3S: 7 USDC" in claimed.output, claimed.output
    assert env.d.asset.balanceOf(alice) - before == 7 * USDC and token.claimable(alice) == 0


def test_status_through_the_cli(cli, env, wallet, owner):
    approve_and_mint(wallet, env, owner)
    result = run(cli, env, "status", "--account", ALICE)
    assert result.exit_code == 0, result.output
    for text in ("ETH3L", "ETH3S", "NAV", "leverage", "band", "2.500x - 3.500x", "next fallback", "rebalance",
                 "reserve", "liabilities", "floor", "coverage", "healthy", "your balance"):
        assert text in result.output, text
    assert run(cli, env, "status").exit_code == 0  # no account needed


def test_cli_refuses_when_the_price_moves_before_sending(cli, env, wallet, alice, owner, monkeypatch):
    approve_and_mint(wallet, env, owner)
    token = env.d.tokens["ETH3L"]

    def user_reads_the_quote_while_the_price_moves(*args, **kwargs):
        set_price(env.d.oracle, 2_030, owner)
        return True

    monkeypatch.setattr(click, "confirm", user_reads_the_quote_while_the_price_moves)
    nonce, held = alice.nonce, token.balanceOf(alice)
    result = run(cli, env, "mint", "ETH3L", "1000", "--account", ALICE)
    assert result.exit_code == 1
    assert "mint refused, nothing sent" in result.output and "below the bound" in result.output
    assert (alice.nonce, token.balanceOf(alice)) == (nonce, held)


def test_a_cli_order_refunded_at_execution_exits_1_with_its_reason(cli, env, wallet, owner, monkeypatch):
    wallet.execute(wallet.quote_approve(None, "ETH3L"))

    def round_after_a_pause(seconds):
        env.d.pool.pause(sender=owner)
        chain.pending_timestamp = max(chain.pending_timestamp, int(chain.blocks.head.timestamp) + 61)
        env.d.oracle.updateAnswer(env.d.oracle.latestRoundData()[1], sender=owner)

    monkeypatch.setattr(wallet_orders, "_sleep", round_after_a_pause)
    result = run(cli, env, "mint", "ETH3L", "1000", "--yes", "--account", ALICE)
    assert result.exit_code == 1, result.output
    assert "refunded: mint order #0: paused" in result.output


def test_cli_problems_and_declines_send_nothing(cli, env, alice):
    nonce = alice.nonce
    refused = run(cli, env, "mint", "ETH3L", "1000", "--yes", "--account", ALICE)  # not approved
    assert refused.exit_code == 1
    assert "problem:" in refused.output and "approve it first" in refused.output
    assert "mint refused, nothing sent" in refused.output
    declined = run(cli, env, "approve", "100", "--account", ALICE, input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    unknown = run(cli, env, "redeem", "BTC3L", "1", "--account", ALICE)
    assert unknown.exit_code == 1 and "use one of: ETH3L, ETH3S" in unknown.output
    assert "Traceback" not in unknown.output
    assert alice.nonce == nonce


# ----------------------------------------------------------------------------- input strictness: amounts


@pytest.mark.parametrize("text, rule", [
    ("1,5", "contains ','"),  # was read as 15
    ("1,000", "contains ','"),
    ("1_000", "digit separator"),
    ("1 000", "digit separator"),
    ("1e3", "has an exponent"),
    ("1E-2", "has an exponent"),
    ("-1", "has a sign"),
    ("+1", "has a sign"),
    ("", "is empty"),
    (" 5", "has spaces around it"),
    ("5\n", "has spaces around it"),
    (".5", "starts with '.'"),
    ("5.", "ends with '.'"),
    ("nan", "not a finite number"),
    ("Infinity", "not a finite number"),
    ("0x10", "not a plain decimal amount"),
    ("1.2.3", "not a plain decimal amount"),
    ("\u0661\u0662", "not a plain decimal amount"),  # Arabic-Indic digits, which Decimal() would accept
    ("0", "is zero"),
    ("0.000", "is zero"),
])
def test_amount_format_rules(wallet, text, rule):
    with pytest.raises(WalletInputError, match=re.escape(rule)) as info:
        wallet.quote_lp_deposit(text)
    assert info.value.field == "amount" and info.value.value == text
    assert rule in info.value.rule and str(info.value).startswith(f"amount: {text!r} {info.value.rule} → ")
    assert isinstance(info.value, ValueError) and isinstance(info.value, WalletError)


def test_too_many_decimals_is_an_error_not_a_truncation(wallet):
    with pytest.raises(WalletInputError, match="has 7 decimals, more than the 6 the token has"):
        wallet.quote_mint("ETH3L", "1.0000001")  # USDC: 6
    with pytest.raises(WalletInputError, match="has 7 decimals"):
        wallet.quote_approve("1.0000000")  # counted as written, even when the extra digits are zeros
    with pytest.raises(WalletInputError, match="has 19 decimals, more than the 18"):
        wallet.quote_redeem("ETH3L", "0." + "1" * 19)  # series tokens: 18
    assert wallet.quote_mint("ETH3L", "1.000001").amount == 1_000_001
    assert wallet.quote_redeem("ETH3L", "0." + "1" * 18).amount == int("1" * 18)


def test_amounts_are_exact_and_bounded():
    digits = "123456789012345678901234567890.123456789012345678"  # beyond Decimal's 28-digit context
    assert parse_units(digits, 18) == int(digits.replace(".", ""))
    assert parse_amount("007.5", 6) == 7_500_000  # leading zeros are harmless
    with pytest.raises(WalletInputError, match="larger than any token amount"):
        parse_amount("1" + "0" * 60, 18)


def test_python_amount_types(wallet):
    assert wallet.quote_approve(250).amount == 250 * USDC  # an int is a whole amount, not units
    assert wallet.quote_approve(Decimal("0.5")).amount == USDC // 2
    with pytest.raises(WalletInputError, match="is a float"):
        wallet.quote_approve(0.1)
    with pytest.raises(WalletInputError, match="has a sign"):
        wallet.quote_approve(Decimal("-1"))
    with pytest.raises(WalletInputError, match="is a bool"):
        wallet.quote_approve(True)


def test_zero_is_refused_except_to_revoke_an_approval(wallet, env, alice):
    for quote in (lambda: wallet.quote_mint("ETH3L", "0"), lambda: wallet.quote_redeem("ETH3L", "0"),
                  lambda: wallet.quote_lp_withdraw("0"), lambda: wallet.faucet("0")):
        with pytest.raises(WalletInputError, match="is zero"):
            quote()
    wallet.execute(wallet.quote_approve("100"))
    revoke = wallet.quote_approve("0")
    assert revoke.amount == 0
    wallet.execute(revoke)
    assert env.d.asset.allowance(alice, env.d.pool) == 0


# ----------------------------------------------------------------------------- input strictness: addresses


def wrong_checksum(address: str) -> str:
    """`address` with the case of one letter flipped: still mixed-case, no longer its EIP-55 form."""
    i = next(i for i, c in enumerate(address) if i > 1 and c.isalpha())
    return address[:i] + address[i].swapcase() + address[i + 1:]


@pytest.fixture
def bob_address(bob) -> str:
    return str(bob.address)


def test_a_wrong_checksum_is_always_refused(wallet, bob_address):
    bad = wrong_checksum(bob_address)
    assert bad.lower() == bob_address.lower() and bad != bob_address
    for allow in (False, True):
        with pytest.raises(WalletInputError, match="fails its EIP-55 checksum") as info:
            check_address(bad, "receiver", allow_lowercase=allow)
        assert info.value.field == "receiver"
    with pytest.raises(WalletInputError, match=r"^receiver: .* fails its EIP-55 checksum"):
        wallet.quote_mint("ETH3L", "10", receiver=bad)
    lenient = Wallet(wallet.deployment, wallet.account, allow_lowercase=True)
    with pytest.raises(WalletInputError, match="fails its EIP-55 checksum"):
        lenient.quote_mint("ETH3L", "10", receiver=bad)


@pytest.mark.parametrize("form", [str.lower, str.upper], ids=["lowercase", "uppercase"])
def test_an_address_without_checksum_needs_the_flag(wallet, bob_address, form):
    plain = "0x" + form(bob_address[2:])
    with pytest.raises(WalletInputError, match="has no EIP-55 checksum") as info:
        wallet.quote_mint("ETH3L", "10", receiver=plain)
    assert "--allow-lowercase" in info.value.fix
    lenient = Wallet(wallet.deployment, wallet.account, allow_lowercase=True)
    assert lenient.quote_mint("ETH3L", "10", receiver=plain).receiver == bob_address  # checksummed


def test_the_checksummed_form_needs_no_flag(wallet, bob_address):
    assert wallet.quote_mint("ETH3L", "10", receiver=bob_address).receiver == bob_address
    digits_only = "0x" + "12" * 20  # no letters: its EIP-55 form is itself
    assert check_address(digits_only, "receiver") == digits_only


@pytest.mark.parametrize("value, rule", [
    ("0x" + "0" * 40, "is the zero address"),
    ("0x1234", "is not 40 hex digits after 0x"),
    ("0x" + "g" * 40, "is not 40 hex digits after 0x"),
    ("90F79bf6EB2c4f870365E785982E1f101E93b906", "does not start with 0x"),
    ("0X90F79bf6EB2c4f870365E785982E1f101E93b906", "does not start with 0x"),
    (" 0x90F79bf6EB2c4f870365E785982E1f101E93b906", "has spaces around it"),
    ("", "does not start with 0x"),
])
def test_malformed_addresses_are_refused(value, rule):
    with pytest.raises(WalletInputError, match=re.escape(rule)):
        check_address(value, "receiver", allow_lowercase=True)


def test_a_series_can_be_named_by_its_checked_token_address(wallet, env):
    address = str(env.d.tokens["ETH3S"].address)
    assert wallet.quote_mint(address, "10").symbol == "ETH3S"
    with pytest.raises(WalletInputError, match=r"^symbol: .* fails its EIP-55 checksum"):
        wallet.quote_mint(wrong_checksum(address), "10")
    with pytest.raises(WalletInputError, match="has no EIP-55 checksum"):
        wallet.quote_redeem(address.lower(), "1")
    with pytest.raises(WalletError, match="is not a series token"):
        wallet.quote_mint(str(env.d.asset.address), "10")


def test_a_hand_built_quote_with_a_bad_receiver_is_not_sent(wallet, env, alice, bob_address):
    from dataclasses import replace

    wallet.execute(wallet.quote_approve(None, "ETH3L"))
    quote = replace(wallet.quote_mint("ETH3L", "10"), receiver=wrong_checksum(bob_address))
    nonce = alice.nonce
    with pytest.raises(WalletInputError, match="fails its EIP-55 checksum"):
        wallet.place(quote)
    assert alice.nonce == nonce


# ----------------------------------------------------------------------------- bad input sends nothing


def snapshot(env, alice, bob) -> tuple:
    d = env.d
    return (alice.nonce, d.asset.balanceOf(alice), d.asset.allowance(alice, d.pool), d.pool.balanceOf(alice),
            *(t.balanceOf(who) for t in d.tokens.values() for who in (alice, bob)), d.asset.balanceOf(bob))


BAD_COMMANDS = [
    # the measured bugs: a mistyped receiver was paid, 1,5 was read as 15, 1e3 and 1,000 passed
    pytest.param(("mint", "ETH3L", "100", "--receiver", "BAD", "--yes"), "Invalid value for '--receiver'",
                 "fails its EIP-55 checksum", id="mint-wrong-checksum"),
    pytest.param(("lp-deposit", "100", "--receiver", "BAD", "--allow-lowercase", "--yes"),
                 "Invalid value for '--receiver'", "fails its EIP-55 checksum", id="deposit-wrong-checksum-flag"),
    pytest.param(("mint", "ETH3L", "100", "--receiver", "LOWER", "--yes"), "Invalid value for '--receiver'",
                 "has no EIP-55 checksum", id="mint-lowercase-receiver"),
    pytest.param(("mint", "LOWER", "100", "--yes"), "Invalid value for 'SYMBOL'", "has no EIP-55 checksum",
                 id="mint-lowercase-token"),
    pytest.param(("approve", "1,5", "--yes"), "Invalid value for 'AMOUNT'", "contains ','", id="approve-1,5"),
    pytest.param(("mint", "ETH3L", "1,000", "--yes"), "Invalid value for 'AMOUNT'", "contains ','", id="mint-1,000"),
    pytest.param(("mint", "ETH3L", "1e3", "--yes"), "Invalid value for 'AMOUNT'", "has an exponent", id="mint-1e3"),
    pytest.param(("lp-deposit", "1_000", "--yes"), "Invalid value for 'AMOUNT'", "digit separator",
                 id="deposit-1_000"),
    pytest.param(("redeem", "ETH3L", "+1", "--yes"), "Invalid value for 'AMOUNT'", "has a sign", id="redeem-+1"),
    pytest.param(("lp-withdraw", "-1", "--yes"), "No such option: -1", "", id="withdraw--1"),  # click's own refusal
    pytest.param(("lp-withdraw", "0", "--yes"), "Invalid value for 'AMOUNT'", "is zero", id="withdraw-0"),
    pytest.param(("faucet", ""), "Invalid value for 'AMOUNT'", "is empty", id="faucet-empty"),
    pytest.param(("faucet", " 5"), "Invalid value for 'AMOUNT'", "has spaces around it", id="faucet-space"),
]


@pytest.mark.parametrize("args, where, rule", BAD_COMMANDS)
def test_cli_refuses_bad_input_before_connecting(cli, env, wallet, alice, bob, bob_address, monkeypatch,
                                                 args, where, rule):
    wallet.execute(wallet.quote_approve(None))  # a valid command would go through
    args = [{"BAD": wrong_checksum(bob_address), "LOWER": bob_address.lower()}.get(a, a) for a in args]
    before = snapshot(env, alice, bob)

    def opened(*a, **k):
        raise AssertionError("the wallet was opened (the chain read) despite the bad input")

    monkeypatch.setattr(Wallet, "open", opened)
    result = run(cli, env, *args, "--account", ALICE)
    assert result.exit_code == 2, result.output  # a usage error
    assert where in result.output and rule in result.output, result.output
    assert "Traceback" not in result.output and "opened" not in result.output
    assert snapshot(env, alice, bob) == before


def test_cli_too_many_decimals_is_a_usage_error_and_sends_nothing(cli, env, wallet, alice, bob):
    wallet.execute(wallet.quote_approve(None))
    before = snapshot(env, alice, bob)
    result = run(cli, env, "mint", "ETH3L", "1.0000001", "--yes", "--account", ALICE)
    assert result.exit_code == 2, result.output
    assert "amount: '1.0000001' has 7 decimals, more than the 6 the token has" in result.output
    assert "Usage:" in result.output and "Traceback" not in result.output
    assert snapshot(env, alice, bob) == before


def test_cli_allow_lowercase_accepts_a_checksumless_receiver(cli, env, wallet, bob, bob_address, feed_on_sleep):
    wallet.execute(wallet.quote_approve(None, "ETH3S"))
    # the flag after the address: click parses it first (eager), so the order does not matter
    result = run(cli, env, "mint", "ETH3S", "100", "--receiver", bob_address.lower(), "--allow-lowercase", "--yes",
                 "--account", ALICE)
    assert result.exit_code == 0, result.output
    assert env.d.tokens["ETH3S"].balanceOf(bob) > 0
    refused = run(cli, env, "mint", "ETH3S", "100", "--receiver", wrong_checksum(bob_address), "--allow-lowercase",
                  "--yes", "--account", ALICE)
    assert refused.exit_code == 2 and "fails its EIP-55 checksum" in refused.output
