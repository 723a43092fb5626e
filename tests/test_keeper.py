"""The production keeper (levtoken.keeper) against Anvil.

Most tests run the keeper on ape's chain (its own HTTP client on the provider's URL) and drive it poll by
poll, so every assertion is about blocks, never wall-clock time. The outage test runs a private Anvil
(levtoken.keeper.devchain) that it kills and restarts under a running keeper loop; the loop's clock and
sleep are virtual, so 30 s of outage cost well under a second.

Default scenario (as tests/test_automation.py): alice ETH3L and bob ETH3S for 10,000 USDC each at 2,000,
band 2.5x-3.5x, 24 h fallback; at 1,800 both series drift (3.86x and 2.08x).
"""

from __future__ import annotations

import itertools
import json
import logging
import socket
import threading
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from ape import chain, networks, project
from click.testing import CliRunner
from conftest import USDC, set_price, warp
from eth_account import Account
from keeper_support import (
    ETHER,
    VirtualClock,
    fast_config,
    keeper_address,
    keeper_key,
    logs_between,
    make_keeper,
    poll_calls,
    wait_mined,
)

from levtoken.keeper import (
    ApeAccountSigner,
    Checkpoint,
    FeeCapExceeded,
    FeePolicy,
    Fees,
    Keeper,
    KeeperConfig,
    KeeperError,
    KeeperState,
    RpcClient,
    RpcUnavailable,
)
from levtoken.keeper import pool as pool_abi
from levtoken.keeper.__main__ import main as keeper_main
from levtoken.keeper.devchain import Anvil, deploy_system, free_port, fund

GWEI = 10**9


@pytest.fixture
def minted(system, alice, bob):
    _usdc, oracle, pool, tokens = system
    tokens["ETH3L"].mint(10_000 * USDC, 0, alice, sender=alice)
    tokens["ETH3S"].mint(10_000 * USDC, 0, bob, sender=bob)
    return oracle, pool, tokens["ETH3L"], tokens["ETH3S"]


@pytest.fixture
def rpc_url():
    return networks.provider.uri


@pytest.fixture
def new_keeper(minted, owner, tmp_path, rpc_url):
    """make(name, fund_eth=1, clock=None, preflight=True, **config) -> a Keeper on ape's chain."""
    pool = minted[1]

    def make(name="a", fund_eth="1", clock=None, preflight=True, **overrides):
        if fund_eth:
            owner.transfer(keeper_address(name), int(Decimal(str(fund_eth)) * ETHER))
        config = fast_config(rpc_url, pool.address, tmp_path, name, **overrides)
        return make_keeper(config, name, clock, preflight)

    return make


@pytest.fixture(autouse=True)
def _restore_levtoken_logging():
    """The command line reconfigures the `levtoken` loggers; undo that after each test."""
    logger = logging.getLogger("levtoken")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


def head() -> int:
    return chain.blocks.head.number


def settle(keeper):
    """Polls; if that sent an upkeep, waits until Anvil has mined it and polls again to read the receipt."""
    result = keeper.poll_once()
    if result.status == "sent":
        wait_mined(keeper, networks.provider.web3)
        keeper.poll_once()
    return result


# ============================================================================ triggers


def test_rebalances_in_the_block_after_the_oracle_update_that_drifts_a_series(minted, owner, new_keeper):
    oracle, pool, long_, short = minted
    pool.reportHealth(sender=owner)  # the drift is then the only work
    keeper = new_keeper("drift")
    assert keeper.poll_once().status == "nothing_due"

    set_price(oracle, 1_800, owner)
    trigger_block = head()
    result = settle(keeper)
    assert (result.status, result.block) == ("sent", trigger_block)

    [mined] = keeper.mined
    assert mined.success and mined.block == trigger_block + 1 and mined.reaction_blocks == 1
    logs = logs_between(pool.Rebalanced, trigger_block, head())
    assert {log.token for log in logs} == {long_.address, short.address}
    assert all(log.trigger == 1 and log.keeper == keeper.address for log in logs)
    assert {t for t, _ in mined.outcome.rebalanced} == {long_.address, short.address}
    assert long_.rebalanceStatus() == short.rebalanceStatus() == 0
    m = keeper.metrics
    assert m.value("levtoken_keeper_upkeeps_sent_total") == 1
    assert m.value("levtoken_keeper_rebalances_total", trigger="drift") == 2
    assert m.value("levtoken_keeper_gas_used_total") == mined.gas_used > 0
    assert m.value("levtoken_keeper_gas_spent_eth_total") > 0
    assert 0 < m.value("levtoken_keeper_balance_eth") <= 1
    assert m.value("levtoken_keeper_last_block") == head()


def test_executes_a_due_lp_deposit_and_counts_it(minted, owner, lp, new_keeper):
    oracle, pool, _long, _short = minted
    pool.reportHealth(sender=owner)
    keeper = new_keeper("lp")
    pool.requestDeposit(1_000 * USDC, lp, lp, sender=lp)
    assert keeper.poll_once().status == "nothing_due"  # not due before a round after minDelay
    warp(61)
    set_price(oracle, 2_000, owner)
    result = settle(keeper)
    assert result.status == "sent"
    [mined] = keeper.mined
    assert mined.success and mined.outcome.lp_orders_executed == 1
    assert pool.maxDeposit(lp) == 1_000 * USDC
    assert keeper.metrics.value("levtoken_keeper_lp_orders_executed_total") == 1


def test_sends_nothing_and_reads_twice_per_block_when_no_trigger_holds(minted, owner, new_keeper):
    oracle, pool, *_ = minted
    pool.reportHealth(sender=owner)
    keeper = new_keeper("idle")
    keeper.poll_once()
    for price in (2_010, 1_990, 2_050, 1_960):  # every series stays inside 2.5x-3.5x
        set_price(oracle, price, owner)
        result, calls = poll_calls(keeper)
        assert (result.status, result.block) == ("nothing_due", head())
        assert calls == {"eth_blockNumber": 1, "eth_call": 1}
    chain.mine(3)
    result, calls = poll_calls(keeper)
    assert result.status == "nothing_due" and calls == {"eth_blockNumber": 1, "eth_call": 1}
    result, calls = poll_calls(keeper)  # same head: one request only
    assert result.status == "idle" and calls == {"eth_blockNumber": 1}
    assert keeper.sent == [] and keeper.simulation_reverts == 0
    assert networks.provider.get_nonce(keeper.address) == 0
    assert keeper.metrics.value("levtoken_keeper_upkeeps_sent_total") == 0


def test_performs_the_fallback_after_24_hours_of_chain_time(minted, owner, new_keeper):
    oracle, pool, long_, short = minted
    start = head()
    keeper = new_keeper("fallback")
    assert settle(keeper).status == "sent"  # the first health report
    warp(86_400 - 900)
    set_price(oracle, 2_000, owner)  # a fresh answer: the oracle is not stale
    assert settle(keeper).status == "sent"  # health is due again (hourly), no series is
    assert logs_between(pool.Rebalanced, start, head()) == []
    assert long_.rebalanceStatus() == short.rebalanceStatus() == 0

    warp(900)
    set_price(oracle, 2_000, owner)
    # 24 h have passed, but at the price of the last rebalance both series are at target: the Fallback would
    # trade nothing (below the minimum notional), so it is not flagged and the keeper sends nothing
    assert long_.rebalanceStatus() == short.rebalanceStatus() == 0
    assert pool.checkUpkeep(b"")[0] is False
    assert settle(keeper).status == "nothing_due"

    set_price(oracle, 2_001, owner)  # 1 higher: the Fallback now trades about 30 (long) and 60 (short)
    trigger_block = head()
    assert long_.rebalanceStatus() == short.rebalanceStatus() == 2  # Fallback
    assert settle(keeper).status == "sent"
    logs = logs_between(pool.Rebalanced, start, head())
    assert sorted(log.token for log in logs) == sorted([long_.address, short.address])
    assert all(log.trigger == 2 and log.keeper == keeper.address for log in logs)
    assert keeper.mined[-1].block == trigger_block + 1
    assert keeper.metrics.value("levtoken_keeper_rebalances_total", trigger="fallback") == 2


def test_reports_health_once_an_hour(minted, owner, keeper):
    """20-minute steps over 200 minutes (the feed refreshed each step): a report at 0, 60, 120, 180 min.
    This keeper signs through an ape account (ApeAccountSigner)."""
    oracle, pool, *_ = minted
    start = head()
    config = fast_config(networks.provider.uri, pool.address, Path("/nonexistent"), "ape", checkpoint_path=None)
    clock = VirtualClock()
    bot = Keeper(config, ApeAccountSigner(keeper), clock=clock.now, sleep=clock.sleep)
    bot.preflight()
    settle(bot)
    for _ in range(10):
        warp(1_200)
        set_price(oracle, 2_000, owner)
        settle(bot)
    reports = logs_between(pool.ReserveHealth, start, head())
    times = [chain.provider.get_block(log.block_number).timestamp for log in reports]
    assert len(reports) == 4
    assert all(3_600 <= b - a < 3_600 + 1_200 for a, b in itertools.pairwise(times))
    senders = {chain.provider.get_receipt(log.transaction_hash).sender for log in reports}
    assert senders == {keeper.address}
    assert bot.metrics.value("levtoken_keeper_health_reports_total") == 4
    assert logs_between(pool.Rebalanced, start, head()) == []


# ============================================================================ races and restarts


def test_two_keepers_on_one_trigger_make_one_rebalance_and_the_loser_sends_nothing(minted, owner, new_keeper):
    oracle, pool, long_, short = minted
    pool.reportHealth(sender=owner)
    winner, loser = new_keeper("race-a"), new_keeper("race-b")
    winner.poll_once(), loser.poll_once()
    set_price(oracle, 1_800, owner)
    trigger_block = head()
    networks.provider.auto_mine = False
    try:
        first, second = winner.poll_once(), loser.poll_once()  # both see the trigger in the same block
        assert (first.status, first.block) == ("sent", trigger_block)
        assert (second.status, second.block) == ("simulation_reverted", trigger_block)
        chain.mine()
    finally:
        networks.provider.auto_mine = True
    winner.poll_once(), loser.poll_once()
    logs = logs_between(pool.Rebalanced, trigger_block, head())
    assert sorted(log.token for log in logs) == sorted([long_.address, short.address])
    assert {log.keeper for log in logs} == {winner.address}
    assert loser.sent == [] and networks.provider.get_nonce(loser.address) == 0
    assert loser.simulation_reverts == 1
    assert loser.metrics.value("levtoken_keeper_simulation_reverts_total") == 1
    assert winner.mined[0].reaction_blocks == 1


def test_restart_resumes_from_the_checkpoint_without_sending_twice(minted, owner, new_keeper, tmp_path):
    oracle, pool, *_ = minted
    pool.reportHealth(sender=owner)
    first = new_keeper("restart")
    first.poll_once()
    set_price(oracle, 1_800, owner)
    trigger_block = head()
    networks.provider.auto_mine = False
    try:
        assert first.poll_once().status == "sent"  # ...and the process dies before the receipt
        saved = json.loads(first.config.checkpoint_path.read_text())
        assert saved["last_block"] == trigger_block and saved["in_flight"]["nonce"] == 0
        second = new_keeper("restart", fund_eth=0)  # same account, same checkpoint
        assert second.state.last_block == trigger_block and second.state.in_flight is not None
        assert second.poll_once().status == "idle"
        chain.mine()
    finally:
        networks.provider.auto_mine = True
    second.poll_once()
    assert [m.tx_hash for m in second.mined] == [first.sent[0].tx_hash] and second.sent == []
    assert len(logs_between(pool.Rebalanced, trigger_block, head())) == 2
    assert networks.provider.get_nonce(second.address) == 1


def test_survives_the_rpc_going_away_for_30s_and_anvil_restarting(tmp_path):
    """A private Anvil with a state file: the keeper loop runs throughout; the test acts between polls
    (from the loop's virtual sleep). Anvil is stopped for >= 30 s of the keeper's time, restarted on the
    same port with the same chain, and the keeper's account is used by someone else meanwhile (an
    operator's manual transaction), so the keeper must re-read its nonce."""
    anvil = Anvil(state_path=tmp_path / "anvil-state.json").start()
    try:
        system = deploy_system(anvil.w3)
        system.transact(system.pool.functions.reportHealth())
        name = "outage"
        fund(anvil.w3, keeper_address(name), ETHER)
        events: list[str] = []
        down: dict[str, float] = {}

        def scenario(_seconds: float) -> None:
            keeper = box["keeper"]
            if len(clock.sleeps) > 500:
                keeper.stop()
                raise AssertionError(f"scenario stuck after {events}")
            if anvil.running and keeper.state.in_flight is not None:
                wait_mined(keeper, anvil.w3)
            if not events and keeper.state.last_block == anvil.w3.eth.block_number:
                events.append("drift-1")
                system.set_price(1_800)
            elif events[-1:] == ["drift-1"] and len(keeper.mined) == 1:
                events.append("anvil-stopped")
                anvil.stop()
                down["since"] = clock.now()
            elif events[-1:] == ["anvil-stopped"] and clock.now() - down["since"] >= 30:
                events.append("anvil-restarted")
                anvil.start()
                manual = Account.from_key(keeper_key(name)).sign_transaction({
                    "to": keeper.address, "value": 0, "gas": 21_000, "maxFeePerGas": 10 * GWEI,
                    "maxPriorityFeePerGas": GWEI, "nonce": anvil.w3.eth.get_transaction_count(keeper.address),
                    "chainId": 31337,
                })
                anvil.w3.eth.send_raw_transaction(manual.raw_transaction)
                system.set_price(1_900)  # after the rebalance at 1,800: ETH3S 3.80x drifts, ETH3L 2.71x
            elif events[-1:] == ["anvil-restarted"] and len(keeper.mined) == 2:
                events.append("done")
                keeper.stop()

        clock = VirtualClock(hook=scenario)
        config = fast_config(anvil.url, system.pool.address, tmp_path, name, rpc_retries=2)
        box = {"keeper": make_keeper(config, name, clock, preflight=False)}
        keeper = box["keeper"]
        keeper.run()  # returns when the scenario stops it

        assert events == ["drift-1", "anvil-stopped", "anvil-restarted", "done"]
        assert len(keeper.outages) == 1 and keeper.outages[0] >= 30
        assert keeper.metrics.value("levtoken_keeper_failures_total", kind="rpc") >= 3
        assert keeper.metrics.value("levtoken_keeper_rpc_up") == 1
        first, second = keeper.mined
        assert first.success and second.success and len(first.outcome.rebalanced) == 2
        assert second.outcome.rebalanced == ((system.tokens["ETH3S"].address, "drift"),)
        assert [s.nonce for s in keeper.sent] == [0, 2]  # nonce 1 was the operator's transaction
        assert second.reaction_blocks == 1
        assert system.pool.functions.rebalanceStatusOf(system.tokens["ETH3S"].address).call() == 0
    finally:
        anvil.kill()


def test_a_rewound_chain_is_re_read_from_its_head(minted, owner, new_keeper):
    oracle, pool, *_ = minted
    pool.reportHealth(sender=owner)
    keeper = new_keeper("rewind")
    snapshot = chain.snapshot()
    chain.mine(5)
    keeper.poll_once()
    chain.restore(snapshot)  # the node went back (restart from older state, reorg)
    set_price(oracle, 1_800, owner)
    assert head() < keeper.state.last_block
    assert settle(keeper).status == "sent"
    assert len(keeper.mined[0].outcome.rebalanced) == 2


def test_a_dropped_transaction_is_replaced_with_higher_fees_under_the_cap(minted, owner, new_keeper):
    oracle, pool, *_ = minted
    pool.reportHealth(sender=owner)
    keeper = new_keeper("bump", priority_fee_gwei="1", max_fee_gwei="5", confirmation_blocks=2)
    keeper.poll_once()
    set_price(oracle, 1_800, owner)
    networks.provider.auto_mine = False
    try:
        assert keeper.poll_once().status == "sent"
        networks.provider.make_request("anvil_dropAllTransactions", [])  # the mempool lost it
        chain.mine()
        assert keeper.poll_once().status == "in_flight"
        chain.mine()
        result = keeper.poll_once()
        assert result.status == "sent"
        chain.mine()
    finally:
        networks.provider.auto_mine = True
    keeper.poll_once()
    original, replacement = keeper.sent
    assert replacement.replacement and replacement.nonce == original.nonce == 0
    assert replacement.fees.priority_fee >= original.fees.priority_fee * 1.2
    assert replacement.fees.max_fee >= original.fees.max_fee * 1.2
    assert replacement.fees.max_fee <= 5 * GWEI
    assert [m.tx_hash for m in keeper.mined] == [replacement.tx_hash]
    assert len(keeper.mined[0].outcome.rebalanced) == 2
    assert keeper.metrics.value("levtoken_keeper_replacements_total") == 1


def _given_up_at_the_cap(minted, owner, new_keeper, name, then=None):
    """A keeper (1 gwei priority, 1.1 gwei cap) sends an upkeep that the mempool then loses; a
    replacement (+20%) would pass the cap, so it gives up. `then(keeper)` runs before auto-mining resumes."""
    oracle, pool, *_ = minted
    pool.reportHealth(sender=owner)
    keeper = new_keeper(name, priority_fee_gwei="1", max_fee_gwei="1.1", confirmation_blocks=1)
    keeper.poll_once()
    set_price(oracle, 1_800, owner)
    networks.provider.auto_mine = False
    try:
        assert keeper.poll_once().status == "sent"
        networks.provider.make_request("anvil_dropAllTransactions", [])
        chain.mine()
        assert keeper.poll_once().status == "fee_cap"  # +20% of 1 gwei > 1.1 gwei: give up
        assert keeper.state.in_flight is None
        if then:
            then(keeper)
    finally:
        networks.provider.auto_mine = True
    return keeper


def test_a_stuck_transaction_is_given_up_at_the_fee_cap_and_the_nonce_resynced(minted, owner, new_keeper):
    def still_at_the_cap(keeper):
        assert keeper.nonces.peek(keeper.rpc) == 0
        chain.mine()
        assert keeper.poll_once().status == "fee_cap"  # a new offer must outbid the dropped one

    keeper = _given_up_at_the_cap(minted, owner, new_keeper, "cap", then=still_at_the_cap)
    assert keeper.metrics.value("levtoken_keeper_failures_total", kind="stuck") == 1
    assert len(keeper.sent) == 1


def test_a_nonce_used_after_a_give_up_at_the_cap_does_not_block_the_next_upkeep(minted, owner, new_keeper):
    """Regression (review): after giving up at the fee cap, the keeper kept its cached nonce and that
    nonce's replacement floor (above the cap) even once the nonce was used on chain, and so answered
    every later trigger with fee_cap, for good."""
    keeper = _given_up_at_the_cap(minted, owner, new_keeper, "late")
    web3 = networks.provider.web3
    manual = Account.from_key(keeper_key("late")).sign_transaction({  # nonce 0 used by the operator
        "to": keeper.address, "value": 0, "gas": 21_000, "maxFeePerGas": 10 * GWEI, "maxPriorityFeePerGas": GWEI,
        "nonce": 0, "chainId": 31337,
    })
    web3.eth.wait_for_transaction_receipt(web3.eth.send_raw_transaction(manual.raw_transaction), timeout=60)
    chain.mine()
    result = keeper.poll_once()  # the trigger still holds: the upkeep goes out with the next nonce
    assert result.status == "sent", result
    assert keeper.sent[-1].nonce == 1


def test_a_nonce_used_elsewhere_is_resynced_and_the_upkeep_sent_in_the_same_block(minted, owner, new_keeper):
    oracle, pool, *_ = minted
    pool.reportHealth(sender=owner)
    keeper = new_keeper("nonce")
    keeper.poll_once()
    assert keeper.nonces.peek(keeper.rpc) == 0
    web3 = networks.provider.web3
    manual = Account.from_key(keeper_key("nonce")).sign_transaction({  # the operator, by hand
        "to": keeper.address, "value": 0, "gas": 21_000, "maxFeePerGas": 10 * GWEI, "maxPriorityFeePerGas": GWEI,
        "nonce": 0, "chainId": 31337,
    })
    web3.eth.wait_for_transaction_receipt(web3.eth.send_raw_transaction(manual.raw_transaction), timeout=60)
    set_price(oracle, 1_800, owner)
    trigger_block = head()
    result = settle(keeper)
    assert (result.status, result.block) == ("sent", trigger_block)
    assert [s.nonce for s in keeper.sent] == [1]
    assert keeper.mined[0].block == trigger_block + 1 and len(keeper.mined[0].outcome.rebalanced) == 2


def test_an_unreadable_checkpoint_is_moved_aside(tmp_path):
    path = tmp_path / "keeper.json"
    path.write_text("{not json")
    assert Checkpoint(path).load(31337, "0xPool", "0xKeeper") is None
    assert not path.exists() and (tmp_path / "keeper.json.corrupt").exists()
    state = KeeperState(31337, "0xPool", "0xKeeper", last_block=7)
    Checkpoint(path).save(state)
    assert Checkpoint(path).load(31337, "0xpool", "0xkeeper") == state
    assert Checkpoint(path).load(1, "0xPool", "0xKeeper") is None  # another chain: ignored
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# ============================================================================ operator errors


def test_errors_clearly_on_a_balance_too_low_to_pay_gas(minted, owner, new_keeper, rpc_url):
    oracle, pool, *_ = minted
    with pytest.raises(KeeperError) as info:
        new_keeper("poor", fund_eth="0.0001", min_balance_eth="0.01")
    message = str(info.value)
    assert "balance too low" in message and keeper_address("poor") in message
    assert "0.000100 ETH" in message and "0.010000 ETH" in message

    # the same from the command line: exit code 2, one clear line
    result = CliRunner().invoke(keeper_main, [
        "--rpc", rpc_url, "--pool", pool.address, "--private-key", "0x" + keeper_key("poor").hex(), "--once",
        "--min-balance-eth", "0.01", "--checkpoint", "/tmp/unused-keeper-checkpoint.json"])
    assert result.exit_code == 2 and "balance too low to pay gas" in result.output

    # running, below what one upkeep may cost: logged, nothing sent, the loop goes on
    keeper = new_keeper("poor", fund_eth=0, min_balance_eth="0", priority_fee_gwei="1")
    set_price(oracle, 1_800, owner)
    assert keeper.poll_once().status == "low_balance"
    assert keeper.sent == [] and keeper.metrics.value("levtoken_keeper_failures_total", kind="balance") == 1


def test_errors_clearly_on_a_wrong_network_a_missing_account_or_pool(minted, owner, new_keeper, rpc_url,
                                                                     tmp_path):
    oracle, pool, *_ = minted
    with pytest.raises(KeeperError, match="wrong network: the node at .* is chain 31337, but the pool .* "
                                          "is on chain 1"):
        new_keeper("net", chain_id=1)
    manifest = tmp_path / "stale.json"
    manifest.write_text(json.dumps({"chain_id": 31337, "pool": oracle.address}))  # not a pool
    with pytest.raises(KeeperError, match="is not a ReservePool"):
        new_keeper("net", fund_eth=0, pool=None, manifest=manifest)
    with pytest.raises(KeeperError, match="no contract at the pool address"):
        new_keeper("net", fund_eth=0, pool="0x000000000000000000000000000000000000dEaD")
    with pytest.raises(KeeperError, match="manifest .* not found"):
        new_keeper("net", fund_eth=0, pool=None, manifest=tmp_path / "missing.json")
    with pytest.raises(ValueError, match="bump_percent"):
        KeeperConfig(rpc_url=rpc_url, pool=pool.address, bump_percent="10")
    with pytest.raises(ValueError, match="exactly one of pool"):
        KeeperConfig(rpc_url=rpc_url)

    runner = CliRunner()
    result = runner.invoke(keeper_main, ["--rpc", rpc_url, "--pool", pool.address, "--once"], env={
        "LEVTOKEN_KEEPER_KEY": ""})
    assert result.exit_code == 2 and "no keeper account: pass --private-key" in result.output
    result = runner.invoke(keeper_main, ["--rpc", rpc_url, "--pool", pool.address, "--unlocked",
                                         keeper_address("net"), "--once", "--checkpoint", str(tmp_path / "c")])
    assert result.exit_code == 2 and "is not unlocked on the node" in result.output


def test_command_line_once_performs_the_upkeep_and_dry_run_sends_nothing(minted, owner, rpc_url, tmp_path):
    oracle, pool, long_, short = minted
    owner.transfer(keeper_address("cli"), ETHER)
    set_price(oracle, 1_800, owner)
    args = ["--rpc", rpc_url, "--pool", pool.address, "--private-key", "0x" + keeper_key("cli").hex(),
            "--checkpoint", str(tmp_path / "cli.json"), "--poll-interval", "0.05"]
    dry = CliRunner().invoke(keeper_main, [*args, "--once", "--dry-run"])
    assert dry.exit_code == 0 and "keeper: dry_run" in dry.output
    assert networks.provider.get_nonce(keeper_address("cli")) == 0
    done = CliRunner().invoke(keeper_main, [*args, "--once"])
    assert done.exit_code == 0 and "keeper: mined" in done.output, done.output
    assert long_.rebalanceStatus() == short.rebalanceStatus() == 0


# ============================================================================ building blocks


def test_metrics_endpoint_serves_the_keeper_metrics(minted, owner, new_keeper):
    keeper = new_keeper("metrics")
    keeper.poll_once()
    port = free_port()
    server = keeper.metrics.serve(port)
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    finally:
        server.shutdown()
    for name in ("levtoken_keeper_upkeeps_sent_total", "levtoken_keeper_failures_total",
                 "levtoken_keeper_lag_blocks", "levtoken_keeper_gas_spent_eth_total",
                 "levtoken_keeper_balance_eth", "levtoken_keeper_rpc_calls_total"):
        assert name in body


def test_rpc_client_times_out_retries_with_backoff_and_reports_unavailable():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never answers
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        silent.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(silent.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    delays: list[float] = []
    try:
        client = RpcClient(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.1, retries=2,
                           backoff_initial=0.5, backoff_max=8, sleep=delays.append)
        with pytest.raises(RpcUnavailable, match="eth_blockNumber failed after 3 attempts"):
            client.block_number()
        refused = RpcClient(f"http://127.0.0.1:{free_port()}", retries=1, sleep=delays.append)
        with pytest.raises(RpcUnavailable):
            refused.chain_id()
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        silent.close()
    assert client.calls == {"eth_blockNumber": 3} and refused.calls == {"eth_chainId": 2}
    assert delays[:2] == [0.5, 1.0]  # exponential backoff


def test_fee_policy_caps_and_bumps():
    policy = FeePolicy(cap_wei=50 * GWEI, bump_percent=Decimal("12.5"))
    assert policy.offer(10 * GWEI, 2 * GWEI) == Fees(22 * GWEI, 2 * GWEI)
    assert policy.offer(30 * GWEI, 2 * GWEI) == Fees(50 * GWEI, 2 * GWEI)  # capped
    with pytest.raises(FeeCapExceeded):
        policy.offer(51 * GWEI, 2 * GWEI)
    bumped = policy.bump(Fees(22 * GWEI, 2 * GWEI), 10 * GWEI, 2 * GWEI)
    assert bumped == Fees(24_750_000_000, 2_250_000_000)  # +12.5% each
    assert policy.bump(Fees(20 * GWEI, 2 * GWEI), 20 * GWEI, 2 * GWEI) == Fees(42 * GWEI, 2_250_000_000)
    assert policy.bump(Fees(45 * GWEI, 2 * GWEI), 10 * GWEI, 2 * GWEI) is None  # 50.6 > cap
    assert policy.bump(Fees(0, 0), 0, 0) == Fees(1, 1)  # strictly more, even from zero
    fixed = FeePolicy(cap_wei=GWEI, bump_percent=Decimal(20), priority_wei=3 * GWEI)
    assert fixed.offer(0, 5 * GWEI) == Fees(GWEI, GWEI)  # priority never above the max fee


def test_the_keeper_abi_matches_the_compiled_pool():
    signatures = {entry.selector for entry in project.ReservePool.contract_type.abi if hasattr(entry, "selector")}
    used = [pool_abi.CHECK_UPKEEP, pool_abi.PERFORM_UPKEEP, pool_abi.REPORT_HEALTH, pool_abi.HEALTH_INTERVAL,
            pool_abi.LAST_HEALTH_REPORT, pool_abi.SERIES, pool_abi.REBALANCED, pool_abi.UPKEEP_FAILED,
            pool_abi.RESERVE_HEALTH, pool_abi.KNOCKED_OUT, pool_abi.LP_ORDER_EXECUTED, pool_abi.LP_ORDER_REFUNDED]
    errors = [e for e in pool_abi.ERRORS if e not in ("Error(string)", "Panic(uint256)")]
    assert [s for s in used + errors if s not in signatures] == []
