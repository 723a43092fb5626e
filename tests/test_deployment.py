"""levtoken.deployment.deploy: a whole system from a config, a manifest, and reuse on a second run."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from levtoken.config import DeploymentConfig, SeriesConfig, eth_preset
from levtoken.deployment import deploy, manifest_path

WAD = 10**18


def test_deploy_writes_a_manifest_with_every_address(owner, tmp_path):
    d = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    data = json.loads(manifest_path(tmp_path).read_text())
    assert data["pool"] == str(d.pool.address)
    assert data["asset"] == str(d.asset.address)
    assert data["oracle"] == str(d.oracle.address)
    assert set(data["tokens"]) == {"ETH3L", "ETH3S"}
    assert d.asset.decimals() == 6 and d.oracle.decimals() == 8
    assert d.pool.markPrice() == 2000 * WAD
    assert d.tokens["ETH3L"].isLong() and not d.tokens["ETH3S"].isLong()
    assert d.tokens["ETH3L"].targetLeverage() == 3 * WAD
    params = d.pool.seriesParams(d.tokens["ETH3S"])
    assert (params.minLeverage, params.maxLeverage, params.fallbackInterval) == (25 * WAD // 10, 35 * WAD // 10, 86_400)
    assert manifest_path(tmp_path).name == "ethereum-local-foundry.json"


def test_second_run_reuses_the_manifest_and_adds_only_new_series(owner, tmp_path, chain):
    first = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    nonce = owner.nonce
    again = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    assert again.reused and owner.nonce == nonce  # nothing sent
    assert again.pool.address == first.pool.address
    assert {s: t.address for s, t in again.tokens.items()} == {s: t.address for s, t in first.tokens.items()}

    grown = eth_preset().model_copy(update={"series": [
        *eth_preset().series,
        SeriesConfig(symbol="ETH2L", name="ETH 2x Long", side="long", target_leverage=2, min_leverage="1.5",
                     max_leverage="2.5"),
    ]})
    third = deploy(grown, owner, manifest_dir=tmp_path)
    assert third.pool.address == first.pool.address
    assert owner.nonce == nonce + 1  # one createSeries
    assert list(third.pool.series()) == [first.tokens["ETH3L"].address, first.tokens["ETH3S"].address,
                                         third.tokens["ETH2L"].address]


def test_manifest_of_another_chain_is_not_reused(owner, tmp_path):
    path = manifest_path(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"chain_id": 1, "pool": "0x" + "11" * 20, "tokens": {}}))
    d = deploy(eth_preset(), owner, manifest_dir=tmp_path)
    assert not d.reused
    assert json.loads(path.read_text())["chain_id"] != 1


def test_pool_parameters_from_config_are_applied(owner, tmp_path):
    raw = eth_preset().model_dump(mode="json")
    raw["pool"].update(floor_ratio="0.2", max_price_age=7200, keeper_reward=5, keeper_reward_daily_cap=50,
                       max_utilization="2.5", min_trade_notional="0.5")
    d = deploy(DeploymentConfig.model_validate(raw), owner, manifest_dir=tmp_path)
    assert d.pool.floorRatio() == 2 * WAD // 10
    assert d.pool.maxPriceAge() == 7200
    assert (d.pool.maxUtilization(), d.pool.minTradeNotional()) == (25 * WAD // 10, WAD // 2)
    assert (d.pool.keeperReward(), d.pool.keeperRewardDailyCap()) == (5_000_000, 50_000_000)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"min_leverage": "3.2"}, "1 < min_leverage < target_leverage < max_leverage"),
        ({"max_leverage": 12}, "max_leverage"),
        ({"fallback_interval": 60}, "fallback_interval must be 0 (off) or between 3600 and 604800"),
        ({"side": "sideways"}, "side"),
        ({"mint_fee": "0.5"}, "mint_fee"),
    ],
)
def test_invalid_series_config_names_the_field(change, message):
    raw = eth_preset().model_dump(mode="json")
    raw["series"][0].update(change)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        DeploymentConfig.model_validate(raw)


def test_duplicate_symbols_and_unknown_fields_are_rejected():
    raw = eth_preset().model_dump(mode="json")
    raw["series"][1]["symbol"] = "ETH3L"
    with pytest.raises(ValidationError, match="repeated: ETH3L"):
        DeploymentConfig.model_validate(raw)
    raw = eth_preset().model_dump(mode="json")
    raw["pool"]["floor"] = "0.1"
    with pytest.raises(ValidationError, match="floor"):
        DeploymentConfig.model_validate(raw)


def test_yaml_config_loads(tmp_path):
    path = tmp_path / "eth.yaml"
    path.write_text(
        "series:\n"
        "  - {symbol: ETH3L, name: ETH 3x Long, side: long, target_leverage: 3, min_leverage: 2.5, max_leverage: 3.5}\n"
    )
    config = DeploymentConfig.from_yaml(path)
    assert config.series[0].params()[:3] == (3 * WAD, 25 * WAD // 10, 35 * WAD // 10)
    assert config.asset.decimals == 6


def test_existing_asset_and_feed_are_used_instead_of_mocks(owner, tmp_path):
    from ape import project

    asset = project.MockERC20.deploy("Existing USD", "EUSD", 18, sender=owner)
    feed = project.MockAggregator.deploy(18, 3_000 * WAD, sender=owner)
    raw = eth_preset().model_dump(mode="json")
    raw["asset"] = {"address": str(asset.address)}
    raw["oracle"] = {"address": str(feed.address)}
    d = deploy(DeploymentConfig.model_validate(raw), owner, manifest_dir=tmp_path)
    assert d.asset.decimals() == 18 and d.asset.symbol() == "EUSD"
    assert d.oracle.latestRoundData()[1] == 3_000 * WAD
    assert d.pool.asset() == asset.address and d.pool.oracle() == feed.address
    assert d.pool.markPrice() == 3_000 * WAD
