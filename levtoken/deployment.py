"""Deploys a levtoken system on any ape network and keeps its manifest (SPEC section 8).

``deploy(config, sender)`` deploys (or reuses) the settlement asset, the oracle, the token deployer, the
reserve pool and every series of ``config``, applies the pool parameters, and writes
``deployments/<network-choice>.json`` (the choice's ``:`` written as ``-``, e.g.
``deployments/ethereum-local-foundry.json``). Run again against an existing manifest, it reuses every
contract that still has code on the chain and deploys only what is missing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape import chain, networks, project

from levtoken.config import DeploymentConfig, SeriesConfig
from levtoken.units import to_units, to_wad

log = logging.getLogger(__name__)

DEFAULT_MANIFEST_DIR = Path("deployments")


@dataclass
class Deployment:
    """Handles on a deployed system."""

    asset: Any
    oracle: Any
    deployer: Any
    pool: Any
    tokens: dict[str, Any] = field(default_factory=dict)
    manifest_path: Path | None = None
    reused: bool = False

    def manifest(self) -> dict[str, Any]:
        """The manifest content: addresses of asset, oracle, pool and each token by symbol."""
        return {
            "network": networks.provider.network_choice,
            "chain_id": chain.chain_id,
            "asset": str(self.asset.address),
            "oracle": str(self.oracle.address),
            "deployer": str(self.deployer.address),
            "pool": str(self.pool.address),
            "tokens": {symbol: str(token.address) for symbol, token in self.tokens.items()},
        }


def manifest_path(directory: Path = DEFAULT_MANIFEST_DIR) -> Path:
    """Where the manifest of the connected network lives."""
    return Path(directory) / f"{networks.provider.network_choice.replace(':', '-')}.json"


def _has_code(address: str | None) -> bool:
    return bool(address) and len(chain.provider.get_code(address)) > 0


def _asset_at(address: str, mock: bool) -> Any:
    return project.MockERC20.at(address) if mock else project.ISettlementAsset.at(address)


def _oracle_at(address: str, mock: bool) -> Any:
    return project.MockAggregator.at(address) if mock else project.IPriceFeed.at(address)


def _load_manifest(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    if data.get("chain_id") != chain.chain_id or not _has_code(data.get("pool")):
        log.info("manifest %s does not match the connected chain; deploying afresh", path)
        return None
    return data


def _series_args(series: SeriesConfig) -> tuple:
    return (series.name, series.symbol, series.side == "long", to_wad(series.initial_nav), series.params())


def deploy(config: DeploymentConfig, sender, manifest_dir: Path = DEFAULT_MANIFEST_DIR) -> Deployment:
    """Deploys `config` from `sender` (an ape account), reusing what an existing manifest records.

    Returns a `Deployment` with `.asset`, `.oracle`, `.pool` and `.tokens` (symbol -> contract); the
    manifest is written before returning.
    """
    path = manifest_path(manifest_dir)
    existing = _load_manifest(path)
    if existing is not None:
        deployment = Deployment(
            asset=_asset_at(existing["asset"], mock=config.asset.address is None),
            oracle=_oracle_at(existing["oracle"], mock=config.oracle.address is None),
            deployer=project.LeveragedTokenDeployer.at(existing["deployer"]),
            pool=project.ReservePool.at(existing["pool"]),
            tokens={s: project.LeveragedToken.at(a) for s, a in existing["tokens"].items()},
            manifest_path=path,
            reused=True,
        )
        log.info("reusing pool %s from %s", existing["pool"], path)
    else:
        deployment = _deploy_core(config, sender)
        deployment.manifest_path = path

    on_chain = {project.LeveragedToken.at(t).symbol(): t for t in deployment.pool.series()}
    for series in config.series:
        if series.symbol in on_chain:
            deployment.tokens[series.symbol] = project.LeveragedToken.at(on_chain[series.symbol])
            continue
        receipt = deployment.pool.createSeries(*_series_args(series), sender=sender)
        token = receipt.events.filter(deployment.pool.SeriesCreated)[0].token
        deployment.tokens[series.symbol] = project.LeveragedToken.at(token)
        log.info("created series %s at %s", series.symbol, token)

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(deployment.manifest(), indent=2) + "\n")
    return deployment


def _deploy_core(config: DeploymentConfig, sender) -> Deployment:
    if config.asset.address:
        asset = _asset_at(config.asset.address, mock=False)
    else:
        asset = project.MockERC20.deploy(config.asset.name, config.asset.symbol, config.asset.decimals, sender=sender)
    if config.oracle.address:
        oracle = _oracle_at(config.oracle.address, mock=False)
    else:
        oracle = project.MockAggregator.deploy(
            config.oracle.decimals, to_units(config.oracle.initial_price, config.oracle.decimals), sender=sender
        )
    deployer = project.LeveragedTokenDeployer.deploy(sender=sender)
    pool = project.ReservePool.deploy(
        asset.address, oracle.address, deployer.address, config.pool.name, config.pool.symbol, sender.address,
        sender=sender,
    )
    _apply_pool_params(pool, config, asset.decimals(), sender)
    log.info("deployed pool %s (asset %s, oracle %s)", pool.address, asset.address, oracle.address)
    return Deployment(asset=asset, oracle=oracle, deployer=deployer, pool=pool)


def _apply_pool_params(pool, config: DeploymentConfig, asset_decimals: int, sender) -> None:
    p = config.pool
    if to_wad(p.floor_ratio) != pool.floorRatio():
        pool.setFloorRatio(to_wad(p.floor_ratio), sender=sender)
    if p.max_price_age != pool.maxPriceAge():
        pool.setMaxPriceAge(p.max_price_age, sender=sender)
    if p.health_interval != pool.healthInterval():
        pool.setHealthInterval(p.health_interval, sender=sender)
    reward = to_units(p.keeper_reward, asset_decimals)
    cap = to_units(p.keeper_reward_daily_cap, asset_decimals)
    if (reward, cap) != (pool.keeperReward(), pool.keeperRewardDailyCap()):
        pool.setKeeperReward(reward, cap, sender=sender)
