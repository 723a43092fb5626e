"""Manifest reuse checks of levtoken.deployment and the `ape run deploy` script (through click's CliRunner)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from ape import project
from click.testing import CliRunner

from levtoken.config import ConfigError, DeploymentConfig, eth_preset
from levtoken.deployment import DeploymentError, attach, deploy, manifest_path

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
    raw = config.model_dump(mode="json")
    raw["series"][0].update(series0)
    return DeploymentConfig.model_validate(raw)


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
    deploy(eth_preset(), owner, manifest_dir=tmp_path)
    elsewhere = project.MockERC20.deploy("Other USD", "OUSD", 6, sender=owner)
    raw = eth_preset().model_dump(mode="json")
    raw["asset"] = {"address": str(elsewhere.address)}
    with pytest.raises(ConfigError) as info:
        deploy(DeploymentConfig.model_validate(raw), owner, manifest_dir=tmp_path)
    (problem,) = info.value.problems
    assert problem.field == "asset.address" and "but the pool in" in problem.problem
    assert "move" in problem.fix


def test_reuse_refuses_a_flipped_side_and_reports_changed_parameters(owner, tmp_path):
    deploy(eth_preset(), owner, manifest_dir=tmp_path)
    with pytest.raises(ConfigError) as info:
        deploy(with_changes(eth_preset(), side="short"), owner, manifest_dir=tmp_path)
    (problem,) = info.value.problems
    assert problem.field == "series[0].side"
    assert "already exists" in problem.problem and "set side: long" in problem.fix

    nonce = owner.nonce
    changed = with_changes(eth_preset(), mint_fee="0.001", max_leverage=4)
    again = deploy(changed, owner, manifest_dir=tmp_path)
    assert owner.nonce == nonce  # deploy never changes an existing series
    assert any(line.startswith("series[0].max_leverage: ETH3L has 3.5 on-chain") for line in again.differences)
    assert any(line.startswith("series[0].mint_fee") and "setSeriesParams" in line for line in again.differences)


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
