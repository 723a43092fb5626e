"""Manifest reuse checks of levtoken.deployment and the `ape run deploy` script (through click's CliRunner)."""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path

import pytest
from ape import project
from click.testing import CliRunner

from levtoken.config import ConfigError, DeploymentConfig, eth_preset
from levtoken.deployment import ConfigMismatchError, DeploymentError, attach, deploy, manifest_path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f"levtoken_script_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def edit_manifest(tmp_path, change) -> None:
    path = manifest_path(tmp_path)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def with_changes(config: DeploymentConfig, **series0) -> DeploymentConfig:
    return changed(config, series0=series0)


def changed(config: DeploymentConfig, **sections) -> DeploymentConfig:
    """`config` with keys of its sections replaced: changed(c, pool={...}, series1={...}, oracle={...})."""
    raw = config.model_dump(mode="json")
    for section, values in sections.items():
        part = raw["series"][int(section[-1])] if section.startswith("series") else raw[section]
        part.update(values)
    return DeploymentConfig.model_validate(raw)


def mismatch(config: DeploymentConfig, sender, tmp_path) -> ConfigMismatchError:
    """The error of reusing the manifest in `tmp_path` with `config`; checks that nothing was sent."""
    nonce = sender.nonce
    with pytest.raises(ConfigMismatchError) as info:
        deploy(config, sender, manifest_dir=tmp_path)
    assert sender.nonce == nonce
    return info.value


def test_deploy_takes_a_preset_name_and_attach_finds_it(owner, tmp_path):
    with pytest.raises(DeploymentError, match="no deployment manifest") as info:
        attach(tmp_path)
    assert "ape run deploy" in info.value.fix
    d = deploy("eth3", owner, manifest_dir=tmp_path)
    again = attach(tmp_path)
    assert again.pool.address == d.pool.address
    assert {s: t.address for s, t in again.tokens.items()} == {s: t.address for s, t in d.tokens.items()}


def test_reuse_refuses_a_manifest_whose_tokens_are_swapped(owner, tmp_path):
    deploy(eth_preset(), owner, manifest_dir=tmp_path)

    def swap(data):
        data["tokens"]["ETH3L"], data["tokens"]["ETH3S"] = data["tokens"]["ETH3S"], data["tokens"]["ETH3L"]

    edit_manifest(tmp_path, swap)
    nonce = owner.nonce
    with pytest.raises(DeploymentError, match="as ETH3L, but that token's symbol is ETH3S") as info:
        deploy(eth_preset(), owner, manifest_dir=tmp_path)
    assert "move it away" in info.value.fix
    assert owner.nonce == nonce
    with pytest.raises(DeploymentError, match="symbol is ETH3S"):
        attach(tmp_path)


def test_series_created_outside_deploy_are_picked_up(owner, tmp_path):
    from conftest import params
    from helpers import new_series

    d = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    extra = new_series(d.pool, owner, "ETH2L", params(target=2, lo=1.5, hi=2.5))
    assert attach(tmp_path).tokens["ETH2L"].address == extra.address
    again = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    assert json.loads(manifest_path(tmp_path).read_text())["tokens"]["ETH2L"] == str(extra.address)
    assert set(again.tokens) == {"ETH3L", "ETH3S", "ETH2L"}


def test_reuse_refuses_a_manifest_whose_asset_is_not_the_pools(owner, tmp_path):
    d = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    edit_manifest(tmp_path, lambda data: data.update(asset=str(d.oracle.address)))
    with pytest.raises(DeploymentError, match="but the pool's asset is"):
        deploy(eth_preset(), owner, manifest_dir=tmp_path)


def test_reuse_refuses_a_token_that_is_not_a_series_of_the_pool(owner, tmp_path):
    deploy(eth_preset(), owner, manifest_dir=tmp_path)
    other = project.MockERC20.deploy("Other", "ETH3L", 18, sender=owner)
    edit_manifest(tmp_path, lambda data: data["tokens"].update(ETH3L=str(other.address)))
    with pytest.raises(DeploymentError, match="is not a series of pool"):
        deploy(eth_preset(), owner, manifest_dir=tmp_path)


def test_reuse_refuses_a_config_with_another_asset(owner, tmp_path):
    d = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    elsewhere = project.MockERC20.deploy("Other USD", "OUSD", 6, sender=owner)
    raw = eth_preset().model_dump(mode="json")
    raw["asset"] = {"address": str(elsewhere.address)}
    with pytest.raises(ConfigError) as info:  # a ConfigMismatchError is a ConfigError
        deploy(DeploymentConfig.model_validate(raw), owner, manifest_dir=tmp_path)
    (problem,) = info.value.problems
    assert problem.field == "asset.address"
    assert problem.problem == f"on-chain {d.asset.address}, config {elsewhere.address}"
    assert "move" in problem.fix


def test_reuse_refuses_a_flipped_side(owner, tmp_path):
    deploy(eth_preset(), owner, manifest_dir=tmp_path)
    (problem,) = mismatch(with_changes(eth_preset(), side="short"), owner, tmp_path).problems
    assert (problem.field, problem.problem) == ("series[0].side", "on-chain long, config short")
    assert "set series[0].side: long" in problem.fix and "a symbol other than ETH3L" in problem.fix


def test_configured_addresses_must_have_code_and_matching_decimals(owner, tmp_path):
    raw = eth_preset().model_dump(mode="json")
    raw["asset"] = {"address": "0x" + "12" * 20}
    with pytest.raises(ConfigError) as info:
        deploy(DeploymentConfig.model_validate(raw), owner, manifest_dir=tmp_path)
    assert info.value.problems[0].field == "asset.address" and "no contract" in info.value.problems[0].problem

    usdc = project.MockERC20.deploy("USD Coin", "USDC", 6, sender=owner)
    raw["asset"] = {"address": str(usdc.address), "decimals": 18}
    with pytest.raises(ConfigError) as info:
        deploy(DeploymentConfig.model_validate(raw), owner, manifest_dir=tmp_path)
    (problem,) = info.value.problems
    assert problem.field == "asset.decimals" and "has 6" in problem.problem
    assert "remove asset.decimals" in problem.fix


def test_only_the_pool_owner_may_add_series(owner, stranger, tmp_path):
    deploy(eth_preset(), owner, manifest_dir=tmp_path)
    raw = eth_preset().model_dump(mode="json")
    raw["series"].append({"symbol": "ETH2L", "name": "ETH 2x Long", "side": "long", "target_leverage": 2,
                          "min_leverage": "1.5", "max_leverage": "2.5"})
    nonce = stranger.nonce
    with pytest.raises(DeploymentError, match="must be created by the pool owner") as info:
        deploy(DeploymentConfig.model_validate(raw), stranger, manifest_dir=tmp_path)
    assert str(owner.address) in str(info.value) and "--account" in info.value.fix
    assert stranger.nonce == nonce


def test_a_broken_manifest_is_reported(owner, tmp_path):
    path = manifest_path(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    with pytest.raises(DeploymentError, match="is not valid JSON"):
        deploy(eth_preset(), owner, manifest_dir=tmp_path)


def test_a_manifest_of_another_chain_is_never_overwritten_on_a_real_network(owner, tmp_path, monkeypatch):
    from levtoken import deployment

    path = manifest_path(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = json.dumps({"chain_id": 1, "pool": "0x" + "11" * 20, "tokens": {}})
    path.write_text(content)
    monkeypatch.setattr(deployment, "_is_local", lambda: False)
    with pytest.raises(DeploymentError, match="records chain id 1"):
        deployment._load_manifest(path)
    assert path.read_text() == content


# ----------------------------------------------------------------------------- reuse: on-chain values vs the config


DIFFERENCES = [  # a config change, the field it names, the on-chain value and the config's
    ({"pool": {"floor_ratio": "0.2"}}, "pool.floor_ratio", "0.1", "0.2"),
    ({"pool": {"max_price_age": 7200}}, "pool.max_price_age", "3600", "7200"),
    ({"pool": {"health_interval": 600}}, "pool.health_interval", "3600", "600"),
    ({"pool": {"keeper_reward_daily_cap": "50"}}, "pool.keeper_reward_daily_cap", "0", "50"),
    ({"pool": {"max_utilization": "3"}}, "pool.max_utilization", "5", "3"),
    ({"pool": {"min_trade_notional": "2.5"}}, "pool.min_trade_notional", "1", "2.5"),
    ({"pool": {"name": "other reserve"}}, "pool.name", "levtoken ETH reserve", "other reserve"),
    ({"pool": {"symbol": "rX"}}, "pool.symbol", "rETH-USDC", "rX"),
    ({"series0": {"target_leverage": "3.2"}}, "series[0].target_leverage", "3", "3.2"),
    ({"series1": {"min_leverage": "2"}}, "series[1].min_leverage", "2.5", "2"),
    ({"series1": {"max_leverage": 4}}, "series[1].max_leverage", "3.5", "4"),
    ({"series0": {"fallback_interval": 3600}}, "series[0].fallback_interval", "86400", "3600"),
    ({"series0": {"mint_fee": "0.001"}}, "series[0].mint_fee", "0", "0.001"),
    ({"series1": {"redeem_fee": "0.002"}}, "series[1].redeem_fee", "0", "0.002"),
    ({"series0": {"streaming_fee": "0.02"}}, "series[0].streaming_fee", "0", "0.02"),
    ({"series0": {"spread": "0.0005"}}, "series[0].spread", "0", "0.0005"),
    ({"series0": {"initial_nav": 50}}, "series[0].initial_nav", "100", "50"),
    ({"series1": {"name": "Short"}}, "series[1].name", "ETH 3x Short", "Short"),
    ({"oracle": {"initial_price": 2100}}, "oracle.initial_price", "2000", "2100"),
    ({"oracle": {"decimals": 18}}, "oracle.decimals", "8", "18"),  # the price is compared in the feed's decimals
    ({"asset": {"decimals": 18}}, "asset.decimals", "6", "18"),
    ({"asset": {"symbol": "DAI"}}, "asset.symbol", "USDC", "DAI"),
]


@pytest.mark.parametrize("sections, field, on_chain, wanted", DIFFERENCES, ids=[case[1] for case in DIFFERENCES])
def test_each_difference_from_the_config_is_an_error_naming_the_field(owner, tmp_path, sections, field, on_chain,
                                                                      wanted):
    deploy(eth_preset(), owner, manifest_dir=tmp_path)
    (problem,) = mismatch(changed(eth_preset(), **sections), owner, tmp_path).problems
    assert problem.field == field
    assert str(problem).startswith(f"{field}: on-chain {on_chain}, config {wanted} → ")
    assert f"set {field}: {on_chain} to keep" in problem.fix


def test_every_difference_is_named_at_once(owner, tmp_path):
    deploy(eth_preset(), owner, manifest_dir=tmp_path)
    config = changed(eth_preset(), oracle={"initial_price": 1900}, pool={"floor_ratio": "0.2"},
                     series1={"side": "long", "redeem_fee": "0.002"})
    error = mismatch(config, owner, tmp_path)
    assert [p.field for p in error.problems] == ["oracle.initial_price", "pool.floor_ratio", "series[1].side",
                                                 "series[1].redeem_fee"]
    lines = str(error).splitlines()
    assert lines[0].startswith(f"the config differs from the deployment in {manifest_path(tmp_path)}")
    assert lines[0].endswith("4 differences; deploy changes no existing contract, nothing was sent")
    assert [line.split(" → ")[0].strip() for line in lines[1:]] == [
        "oracle.initial_price: on-chain 2000, config 1900", "pool.floor_ratio: on-chain 0.1, config 0.2",
        "series[1].side: on-chain short, config long", "series[1].redeem_fee: on-chain 0, config 0.002"]
    assert "pool.setSeriesParams" in error.problems[3].fix and "pool.setFloorRatio" in error.problems[1].fix


def test_an_identical_config_is_reused_silently(owner, tmp_path, caplog):
    config = changed(
        eth_preset(),
        asset={"name": "Mock DAI", "symbol": "DAI", "decimals": 18},
        oracle={"decimals": 8, "initial_price": "1234.5678"},
        pool={"floor_ratio": "0.25", "max_price_age": 7200, "health_interval": 900, "keeper_reward": "2.5",
              "keeper_reward_daily_cap": "40"},
        series0={"mint_fee": "0.001", "redeem_fee": "0.0015", "streaming_fee": "0.02", "spread": "0.0005",
                 "initial_nav": "12.5", "fallback_interval": 0, "min_leverage": 0},
    )
    first = deploy(config, owner, manifest_dir=tmp_path)
    nonce = owner.nonce
    with caplog.at_level(logging.INFO, logger="levtoken"):
        again = deploy(config, owner, manifest_dir=tmp_path)
        path = tmp_path / "same.yaml"
        path.write_text(config.to_yaml())
        deploy(path, owner, manifest_dir=tmp_path)  # the same config through YAML
    assert again.reused and again.pool.address == first.pool.address and owner.nonce == nonce
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert again.differences == []


def test_the_initial_price_is_compared_only_while_no_price_was_pushed(owner, tmp_path, caplog):
    from conftest import set_price

    d = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    other_price = changed(eth_preset(), oracle={"initial_price": 2100})
    assert mismatch(other_price, owner, tmp_path).problems[0].field == "oracle.initial_price"
    set_price(d.oracle, 2_000, owner)  # round 2, even at the same price: the first answer is history
    with caplog.at_level(logging.INFO, logger="levtoken"):
        assert deploy(other_price, owner, manifest_dir=tmp_path).reused
    assert "oracle.initial_price not compared" in caplog.text
    (problem,) = mismatch(changed(other_price, oracle={"decimals": 18}), owner, tmp_path).problems
    assert problem.field == "oracle.decimals"  # what stays observable is still compared


def test_a_mock_config_is_compared_with_the_feed_a_pool_was_given(owner, tmp_path):
    feed = project.MockAggregator.deploy(18, 3_000 * 10**18, sender=owner)
    raw = eth_preset().model_dump(mode="json")
    raw["oracle"] = {"address": str(feed.address)}
    deploy(DeploymentConfig.model_validate(raw), owner, manifest_dir=tmp_path)
    error = mismatch(eth_preset(), owner, tmp_path)  # the preset would deploy its own mock (8 decimals, 2000)
    assert [str(p).split(" → ")[0] for p in error.problems] == [
        "oracle.decimals: on-chain 18, config 8", "oracle.initial_price: on-chain 3000, config 2000"]


# ----------------------------------------------------------------------------- the script


def test_deploy_script_deploys_then_reuses(owner, tmp_path):
    cli = load_script("deploy").cli
    runner = CliRunner()
    args = ["--account", "TEST::0", "--config", "eth3", "--deployments", str(tmp_path)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "deployed: manifest" in first.output
    manifest = json.loads(manifest_path(tmp_path).read_text())
    assert set(manifest["tokens"]) == {"ETH3L", "ETH3S"}

    nonce = owner.nonce
    second = runner.invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert "reused: manifest" in second.output and manifest["pool"] in second.output
    assert owner.nonce == nonce


def test_deploy_script_reports_config_errors_without_a_traceback(owner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(eth_preset().to_yaml().replace("max_leverage: 3.5", "max_leverage: 2", 1))
    result = CliRunner().invoke(load_script("deploy").cli,
                                ["--account", "TEST::0", "--config", str(bad), "--deployments", str(tmp_path)])
    assert result.exit_code == 1
    assert "invalid deployment config" in result.output
    assert "series[0].max_leverage" in result.output and "→ raise max_leverage" in result.output
    assert "Traceback" not in result.output
    assert not manifest_path(tmp_path).exists()


def test_deploy_script_lists_every_difference_without_a_traceback(owner, tmp_path):
    cli = load_script("deploy").cli
    args = ["--account", "TEST::0", "--deployments", str(tmp_path)]
    assert CliRunner().invoke(cli, [*args, "--config", "eth3"]).exit_code == 0
    mine = tmp_path / "mine.yaml"
    mine.write_text(changed(eth_preset(), pool={"floor_ratio": "0.2"}, series0={"mint_fee": "0.001"}).to_yaml())
    nonce = owner.nonce
    result = CliRunner().invoke(cli, [*args, "--config", str(mine)])
    assert result.exit_code == 1, result.output
    assert "2 differences" in result.output
    assert "pool.floor_ratio: on-chain 0.1, config 0.2" in result.output
    assert "series[0].mint_fee: on-chain 0, config 0.001" in result.output
    assert "Traceback" not in result.output and owner.nonce == nonce
