"""The two execution backends behave alike: deploy, call, transact, revert data, snapshots, time."""

import pytest
from eth_abi import encode

from levtoken.backends import Codec, load_artifacts, open_backend
from levtoken.backends.abi import calldata, selector
from levtoken.fuzz.storage import StorageReader
from levtoken.fuzz.system import SEL, FuzzSystem

ARTS = load_artifacts()
CODEC = Codec(ARTS.all_abis())
MINT = selector("mint(address,uint256)")
TRANSFER = selector("transfer(address,uint256)")
BALANCE = selector("balanceOf(address)")


@pytest.fixture(scope="module", params=["revm", "anvil"])
def backend(request):
    b = open_backend(request.param)
    yield b
    b.close()


def _token(b):
    return b.deploy(b.accounts[0], ARTS["MockERC20"].bytecode + encode(["string", "string", "uint8"], ["U", "U", 6]))


def _balance(b, token, who):
    return int.from_bytes(b.call(token, calldata(BALANCE, who)), "big")


def test_transaction_commits_and_call_reads_it(backend):
    token = _token(backend)
    a = backend.accounts[0]
    result = backend.transact(a, token, calldata(MINT, a, 123))
    assert result.success and result.gas_used > 0
    assert len(result.logs) == 1 and result.logs[0].address == token
    assert _balance(backend, token, a) == 123


# Runtime code: without calldata, sstore(0, tload(0)) then tstore(0, 1); with calldata, return sload(0).
# Slot 0 stays 0 as long as every transaction starts with empty transient storage.
_TRANSIENT_PROBE = bytes.fromhex("6016600a5f3960165ff3" + "36600d575f5c5f5560015f5d005b5f545f5260205ff3")


def test_every_transaction_and_call_starts_with_empty_transient_storage(backend):
    """EIP-1153: transient storage lasts one transaction. pyrevm keeps it between message calls unless
    the backend clears it; the pool's one-keeper-reward-per-call flag depends on it."""
    probe = backend.deploy(backend.accounts[0], _TRANSIENT_PROBE)
    a = backend.accounts[0]
    for _ in range(2):
        assert backend.transact(a, probe, b"").success
        assert backend.transact_fast(a, probe, b"")[0]
        assert int.from_bytes(backend.call(probe, b"\x01"), "big") == 0


def test_revert_returns_the_custom_error_and_commits_nothing(backend):
    token = _token(backend)
    a, b = backend.accounts[:2]
    backend.transact(a, token, calldata(MINT, a, 5))
    result = backend.transact(a, token, calldata(TRANSFER, b, 6))
    assert not result.success
    assert CODEC.decode_error(result.output) == ("ERC20InsufficientBalance", (a, 5, 6))
    assert _balance(backend, token, a) == 5 and _balance(backend, token, b) == 0


def test_snapshot_restores_state_and_time_and_stays_reusable(backend):
    token = _token(backend)
    a = backend.accounts[0]
    t0 = backend.time
    snap = backend.snapshot()
    for round_ in range(2):
        backend.set_time(t0 + 3_600)
        backend.transact(a, token, calldata(MINT, a, 7))
        assert _balance(backend, token, a) == 7 and backend.time == t0 + 3_600
        backend.revert_to(snap)
        assert _balance(backend, token, a) == 0 and backend.time == t0, f"round {round_}"


def test_time_moves_only_forward_and_is_block_timestamp(backend):
    t0 = backend.time
    backend.set_time(t0 + 86_400)
    with pytest.raises(ValueError):
        backend.set_time(t0)
    # the MockAggregator stamps updatedAt with block.timestamp
    feed = backend.deploy(backend.accounts[0], ARTS["MockAggregator"].bytecode + encode(["uint8", "int256"], [8, 1]))
    assert int.from_bytes(backend.call(feed, selector("latestTimestamp()")), "big") == t0 + 86_400


def test_both_backends_deploy_the_fuzz_system_at_the_same_addresses_with_equal_state():
    systems = []
    for kind in ("revm", "anvil"):
        b = open_backend(kind)
        s = FuzzSystem(b)
        s.fund_actors()
        systems.append((s.pool, s.tokens, s.read()))
        b.close()
    assert systems[0] == systems[1]
    assert systems[0][2][1] == 0  # no view failed


def test_storage_layout_matches_the_views():
    """The in-process fuzzer reads raw slots; this pins the layout to what the views say."""
    b = open_backend("revm")
    s = FuzzSystem(b)
    s.fund_actors()
    a = s.actors[1]
    assert b.transact_fast(a, s.tokens[0], calldata(SEL["mint"], 10_000 * 10**6, 0, a))[0]
    assert b.transact_fast(s.owner, s.pool, SEL["pause"])[0]
    reader = StorageReader(b._evm, s.pool, s.asset, s.oracle, s.tokens, s.lens_accounts)
    raw = dict(zip(reader.names, reader.read()))

    def view(sig, *args, to=None):
        return int.from_bytes(b.call(to or s.pool, calldata(selector(sig), *args))[:32], "big")

    state = b.call(s.pool, calldata(selector("seriesState(address)"), s.tokens[0]))
    words = [int.from_bytes(state[i:i + 32], "big") for i in range(0, len(state), 32)]
    assert raw["paused"] == view("paused()") == 1
    assert raw["poolAssets"] == view("poolAssets()")
    assert raw["seriesCount"] == 2
    assert raw["floorRatio"] == view("floorRatio()")
    assert raw["maxPriceAge"] == view("maxPriceAge()")
    assert raw["healthInterval"] == view("healthInterval()")
    assert raw["keeperReward"] == view("keeperReward()") == 5 * 10**6
    assert raw["keeperRewardDailyCap"] == view("keeperRewardDailyCap()") == 20 * 10**6
    assert raw["lpSupply"] == view("totalSupply()")
    assert raw["oracleAnswer"] == 2_000 * 10**8
    assert [raw[f"series0.{f}"] for f in ("equity", "exposure", "markPrice", "settledAt", "lastRebalance")] == \
        words[:5]
    assert raw["series0.supply"] == view("totalSupply()", to=s.tokens[0]) > 0
    assert raw["series0.balance2"] == view("balanceOf(address)", a, to=s.tokens[0])
    assert raw["account2.assetBalance"] == view("balanceOf(address)", a, to=s.asset)
    assert raw["pool.assetBalance"] == view("balanceOf(address)", s.pool, to=s.asset)
