"""levtoken.config: presets, YAML round trip, and errors that name the field and the fix."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from levtoken.accounts import UnsafeAccountError, check_account
from levtoken.config import (
    ConfigError,
    DeploymentConfig,
    eth_preset,
    is_local_network,
    load_config,
    parse_config,
    preset_names,
)

SEPOLIA_USDC = "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238"
SEPOLIA_ETH_USD = "0x694AA1769357215DE4FAC081bf1f309aDC325306"


def raw_preset() -> dict:
    return eth_preset().model_dump(mode="json")


def only_problem(raw) -> tuple[str, str, str]:
    with pytest.raises(ConfigError) as info:
        parse_config(raw, "test.yaml")
    assert len(info.value.problems) == 1, str(info.value)
    return info.value.problems[0]


# ----------------------------------------------------------------------------- presets


def test_eth3_preset_is_the_python_preset():
    assert "eth3" in preset_names()
    assert load_config("eth3") == eth_preset()
    assert load_config() == eth_preset()  # the default preset
    assert load_config(eth_preset()) is not None


def test_every_shipped_preset_is_valid_and_has_eth3l_and_eth3s():
    for name in preset_names():
        config = load_config(name)
        assert [s.symbol for s in config.series] == ["ETH3L", "ETH3S"]
        assert [s.side for s in config.series] == ["long", "short"]


def test_sepolia_preset_uses_real_addresses_and_passes_the_network_check():
    config = load_config("eth3-sepolia")
    assert (config.asset.address, config.oracle.address) == (SEPOLIA_USDC, SEPOLIA_ETH_USD)
    assert config.uses_mocks() == []
    config.check_network("ethereum:sepolia:node", 11_155_111)  # no mocks: allowed anywhere


def test_a_path_and_a_preset_name_load_the_same(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(eth_preset().to_yaml())
    assert load_config(str(path)) == load_config(path) == load_config("eth3")
    assert DeploymentConfig.from_yaml(path) == eth_preset()


def test_unknown_preset_lists_the_presets():
    with pytest.raises(ConfigError) as info:
        load_config("eth5")
    (problem,) = info.value.problems
    assert problem.field == "config" and "eth3" in problem.fix and "eth3-sepolia" in problem.fix
    with pytest.raises(ConfigError, match="does not exist"):
        load_config("missing/file.yaml")


# ----------------------------------------------------------------------------- YAML round trip


def test_yaml_round_trip_is_exact(tmp_path):
    raw = raw_preset()
    raw["asset"] = {"address": SEPOLIA_USDC.lower()}
    raw["oracle"] = {"address": SEPOLIA_ETH_USD, "decimals": 8}
    raw["pool"].update(floor_ratio="0.125", keeper_reward="2.5", keeper_reward_daily_cap=25)
    raw["series"][0].update(mint_fee="0.00125", redeem_fee="0.001", streaming_fee="0.0123456789",
                            spread="0.0005", initial_nav="12.34")
    config = DeploymentConfig.model_validate(raw)
    for original in (config, eth_preset(), load_config("eth3-sepolia")):
        path = tmp_path / "round.yaml"
        path.write_text(original.to_yaml())
        again = load_config(path)
        assert again == original
        assert again.series[0].params() == original.series[0].params()
    text = config.to_yaml()
    assert "initial_price" not in text  # mock-only keys left out next to an address
    assert f"address: '{SEPOLIA_USDC}'" in text  # checksummed, quoted
    assert "&id" not in text  # no YAML anchors for shared values


# ----------------------------------------------------------------------------- errors name field and fix


def _set(path: str, value):
    def change(raw):
        node = raw
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        node[keys[-1]] = value
    return change


def _delete(path: str):
    def change(raw):
        section, index, key = path.split(".")
        del raw[section][int(index)][key]
    return change


CASES = [
    (_set("series.0.min_leverage", "3.2"), "series[0].min_leverage",
     "1 < min_leverage < target_leverage < max_leverage", "min_leverage between 1 and target_leverage 3"),
    (_set("series.0.max_leverage", 3), "series[0].max_leverage", "got 2.5 / 3 / 3", "raise max_leverage"),
    (_set("series.0.max_leverage", 12), "series[0].max_leverage", "out of range", "at most 10"),
    (_set("series.1.fallback_interval", 60), "series[1].fallback_interval",
     "must be 0 (off) or between 3600 and 604800", "at least 3600"),
    (_set("series.0.side", "sideways"), "series[0].side", "'sideways' is not allowed", "'long' or 'short'"),
    (_set("series.0.mint_fee", "0.5"), "series[0].mint_fee", "out of range", "at most 0.01"),
    (_set("series.0.streaming_fee", -1), "series[0].streaming_fee", "out of range", "at least 0"),
    (_set("series.0.target_leverage", "three"), "series[0].target_leverage", "not a number", "plain number"),
    (_set("series.0.fallback_interval", 1.5), "series[0].fallback_interval", "not a whole number", "integer"),
    (_set("series.0.symbol", "ETH3LONGTOKEN"), "series[0].symbol", "wrong length", "at most 11 characters"),
    (_delete("series.0.name"), "series[0].name", "required but missing", "add `name:`"),
    (_set("pool.floor", "0.1"), "pool.floor", "unknown key", "did you mean `floor_ratio`"),
    (_set("serie", []), "serie", "unknown key", "did you mean `series`"),
    (_set("series.1.symbol", "ETH3L"), "series[1].symbol", "repeated: ETH3L", "its own symbol"),
    (_set("pool.keeper_reward", 5), "pool.keeper_reward_daily_cap", "must be at least keeper_reward",
     "raise keeper_reward_daily_cap to 5"),
    (_set("pool.floor_ratio", "0.001"), "pool.floor_ratio", "out of range", "at least 0.01 and at most 1"),
    (_set("pool.max_price_age", 10), "pool.max_price_age", "out of range", "at least 60"),
    (_set("asset.decimals", 19), "asset.decimals", "out of range", "at most 18"),
    (_set("asset.address", SEPOLIA_USDC[:-1] + "9"), "asset.address", "EIP-55 checksum", "copy the address again"),
    (_set("asset.address", "0x1234"), "asset.address", "not a 20-byte hex address", "0x + 40 hex digits"),
    (_set("oracle.address", "0x" + "0" * 40), "oracle.address", "zero address", "remove the key to deploy a mock"),
    (_set("oracle.address", int(SEPOLIA_ETH_USD, 16)), "oracle.address", "not quoted", f'"{SEPOLIA_ETH_USD}"'),
    (_set("series", []), "series", "at least 1", "between 1 and 8 series"),
    (_set("asset", SEPOLIA_USDC), "asset", "expected a mapping", "write `asset:`"),
]


@pytest.mark.parametrize("change, field, problem, fix", CASES, ids=[c[1] + ":" + c[2][:20] for c in CASES])
def test_each_mistake_names_the_field_and_the_fix(change, field, problem, fix):
    raw = raw_preset()
    change(raw)
    got = only_problem(raw)
    assert got.field == field
    assert problem in got.problem, got
    assert fix in got.fix, got
    assert str(got) == f"{got.field}: {got.problem} → {got.fix}"


def test_all_problems_are_listed_at_once():
    raw = raw_preset()
    raw["series"][0]["side"] = "up"
    raw["series"][1]["mint_fee"] = 1
    raw["pool"]["health"] = 5
    with pytest.raises(ConfigError) as info:
        parse_config(raw, "mine.yaml")
    fields = [p.field for p in info.value.problems]
    assert fields == ["pool.health", "series[0].side", "series[1].mint_fee"]
    message = str(info.value)
    assert message.startswith("invalid deployment config (mine.yaml): 3 problems")
    assert message.count("→") == 3


def test_model_validate_still_raises_pydantic_errors_with_the_fix_inside():
    raw = raw_preset()
    raw["series"][0]["min_leverage"] = "3.2"
    with pytest.raises(ValidationError) as info:
        DeploymentConfig.model_validate(raw)
    assert "→ set min_leverage between 1 and target_leverage" in str(info.value)
    converted = ConfigError.from_validation_error(info.value)
    assert converted.problems[0].field == "series[0].min_leverage"


def test_addresses_are_checksummed():
    raw = raw_preset()
    raw["asset"] = {"address": SEPOLIA_USDC.lower()}
    raw["oracle"] = {"address": "0x" + SEPOLIA_ETH_USD[2:].upper()}
    config = parse_config(raw)
    assert config.asset.address == SEPOLIA_USDC
    assert config.oracle.address == SEPOLIA_ETH_USD


# ----------------------------------------------------------------------------- YAML files

UNQUOTED_ADDRESS_YAML = (
    "oracle:\n  address: 0x694AA1769357215DE4FAC081bf1f309aDC325306\nseries:\n"
    "  - {symbol: A, name: A, side: long, target_leverage: 3, min_leverage: 0, max_leverage: 4}\n"
)


@pytest.mark.parametrize(
    "text, field, problem",
    [
        ("series:\n  - symbol: ETH3L\n   name: x\n", "(yaml)", "not valid YAML at line 3"),
        ("pool:\n  floor_ratio: 0.1\n  floor_ratio: 0.2\nseries: []\n", "floor_ratio", "appears twice"),
        ("", "(file)", "empty"),
        ("- ETH3L\n", "(top level)", "expected a mapping"),
        (UNQUOTED_ADDRESS_YAML,
         "oracle.address", "not quoted"),
    ],
    ids=["indentation", "duplicate-key", "empty", "list", "unquoted-address"],
)
def test_yaml_file_mistakes(tmp_path, text, field, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    first = info.value.problems[0]
    assert first.field == field and problem in first.problem, str(info.value)
    assert first.fix
    assert info.value.source == str(path)


# ----------------------------------------------------------------------------- networks


def test_mocks_are_refused_on_a_non_local_network():
    with pytest.raises(ConfigError) as info:
        eth_preset().check_network("ethereum:sepolia:node", 11_155_111)
    assert [p.field for p in info.value.problems] == ["asset.address", "oracle.address"]
    assert "not a local chain" in info.value.problems[0].problem
    assert "set asset.address" in info.value.problems[0].fix
    raw = raw_preset()
    raw["asset"] = {"address": SEPOLIA_USDC}
    with pytest.raises(ConfigError) as info:
        parse_config(raw).check_network("ethereum:mainnet:node", 1)
    assert [p.field for p in info.value.problems] == ["oracle.address"]


@pytest.mark.parametrize(
    "choice, chain_id, local",
    [("ethereum:local:foundry", 31337, True), ("ethereum:mainnet-fork:foundry", 1, True),
     ("ethereum:local:node", None, True), ("ethereum:sepolia:node", 11_155_111, False),
     ("arbitrum:mainnet:node", 42_161, False), ("ethereum:custom", 31337, True)],
)
def test_local_networks(choice, chain_id, local):
    assert is_local_network(choice, chain_id) is local
    if local:
        eth_preset().check_network(choice, chain_id)


def test_deploy_refuses_mocks_before_sending_anything(owner, tmp_path, monkeypatch):
    import levtoken.config as config_module
    from levtoken import deployment

    monkeypatch.setattr(deployment, "_network", lambda: "ethereum:sepolia:node")
    monkeypatch.setattr(config_module, "LOCAL_CHAIN_IDS", frozenset())
    nonce = owner.nonce
    with pytest.raises(ConfigError, match="asset.address: not set, so a MockERC20 would be deployed"):
        deployment.deploy("eth3", owner, manifest_dir=tmp_path)
    assert owner.nonce == nonce
    assert not any(tmp_path.iterdir())


def test_test_accounts_are_refused_outside_local_chains(accounts):
    check_account(accounts[0], "ethereum:local:foundry", 31337)
    with pytest.raises(UnsafeAccountError, match="test account, whose key is public") as info:
        check_account(accounts[0], "ethereum:sepolia:node", 11_155_111)
    assert "ape accounts import" in str(info.value)


def test_decimals_are_plain_decimals():
    config = load_config("eth3-sepolia")
    assert config.series[0].mint_fee == Decimal("0.001")
    assert config.series[0].params()[4] == 10**15
