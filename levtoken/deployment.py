"""Deploys a levtoken system on any ape network and keeps its manifest (SPEC section 8).

``deploy(config, sender)`` deploys (or reuses) the settlement asset, the oracle, the token deployer, the
reserve pool and every series of ``config``, applies the pool parameters, and writes
``deployments/<network-choice>.json`` (the choice's ``:`` written as ``-``, e.g.
``deployments/ethereum-local-foundry.json``). Run again against an existing manifest, it checks that the
recorded contracts are still there and still match the manifest and the config, reuses them, and deploys
only the series that are missing. ``attach()`` opens the manifest of the connected network without
deploying anything (the wallet commands use it).

Mistakes in the config raise ``levtoken.config.ConfigError`` (naming the field); a reused deployment whose
on-chain values differ from the config raises ``ConfigMismatchError`` (a ``ConfigError`` naming every
difference, ``field: on-chain X, config Y``); a manifest or chain that does not fit raises
``DeploymentError``. Every message ends with ``→ fix``.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from collections.abc import Callable
from typing import Any, NamedTuple

from ape import chain, networks, project
from eth_utils import to_checksum_address

from levtoken.accounts import UnsafeAccountError, check_account
from levtoken.config import (
    ConfigError,
    ConfigProblem,
    DeploymentConfig,
    SeriesConfig,
    is_local_network,
    load_config,
)
from levtoken.units import from_units, from_wad, to_units, to_wad

log = logging.getLogger(__name__)

DEFAULT_MANIFEST_DIR = Path("deployments")
_MANIFEST_KEYS = ("asset", "oracle", "deployer", "pool", "tokens")
# SeriesConfig field -> on-chain SeriesParams field, in the struct's order (that of SeriesConfig.params())
_SERIES_PARAMS = (("target_leverage", "targetLeverage"), ("min_leverage", "minLeverage"),
                  ("max_leverage", "maxLeverage"), ("fallback_interval", "fallbackInterval"), ("mint_fee", "mintFee"),
                  ("redeem_fee", "redeemFee"), ("streaming_fee", "streamingFee"), ("spread", "spread"))
MOCK_FEED_DESCRIPTION = "v0.8/tests/MockV3Aggregator.sol"  # what MockAggregator's description() answers


class ConfigMismatchError(ConfigError):
    """A reused deployment differs from the config. ``problems`` holds every difference at once, each as
    ``field: on-chain X, config Y → fix`` (values in the config's units). Nothing was sent."""

    def __init__(self, problems: list[ConfigProblem], manifest: Path, pool: str):
        self.manifest, self.pool = manifest, pool
        super().__init__(problems, str(manifest))

    def __str__(self) -> str:
        count = len(self.problems)
        head = (f"the config differs from the deployment in {self.manifest} (pool {self.pool}): {count} "
                f"difference{'s' if count != 1 else ''}; deploy changes no existing contract, nothing was sent")
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class DeploymentError(RuntimeError):
    """The manifest or the chain does not fit what deploy/attach expects: ``problem → fix``."""

    def __init__(self, problem: str, fix: str):
        self.problem, self.fix = problem, fix
        super().__init__(f"{problem} → {fix}")


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
    # always empty: a reused deployment that differs from the config raises ConfigMismatchError instead
    # (kept because scripts/deploy.py still prints it)
    differences: list[str] = field(default_factory=list)

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


def _network() -> str:
    return networks.provider.network_choice


def _is_local() -> bool:
    return is_local_network(_network(), chain.chain_id)


def _has_code(address: str | None) -> bool:
    return bool(address) and len(chain.provider.get_code(address)) > 0


def _asset_at(address: str, mock: bool) -> Any:
    return project.MockERC20.at(address) if mock else project.ISettlementAsset.at(address)


def _oracle_at(address: str, mock: bool) -> Any:
    return project.MockAggregator.at(address) if mock else project.IPriceFeed.at(address)


def _series_args(series: SeriesConfig) -> tuple:
    return (series.name, series.symbol, series.side == "long", to_wad(series.initial_nav), series.params())


# ----------------------------------------------------------------------------- manifest


def _read_manifest(path: Path, complete: bool = True) -> dict[str, Any]:
    """The manifest's content, checked for shape (every key if `complete`); raises ``DeploymentError``."""
    move_away = f"fix {path}, or move it away to deploy afresh"
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise DeploymentError(f"manifest {path} is not valid JSON ({err})", move_away) from None
    if not isinstance(data, dict):
        raise DeploymentError(f"manifest {path} is not a JSON object", move_away)
    missing = [key for key in ("chain_id", *(_MANIFEST_KEYS if complete else ())) if key not in data]
    if missing:
        raise DeploymentError(f"manifest {path} lacks {', '.join(missing)}", move_away)
    if complete and not isinstance(data["tokens"], dict):
        raise DeploymentError(f"manifest {path}: tokens must map symbols to addresses", move_away)
    return data


def _load_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest to reuse, or None to deploy afresh (no manifest, or a stale one on a local chain).

    On a local chain a manifest of another chain id, or whose pool has no code (a restarted Anvil), is
    stale and replaced. On any other network that is an error: a manifest of real contracts is never
    silently overwritten.
    """
    if not path.exists():
        return None
    data = _read_manifest(path, complete=False)
    local = _is_local()
    if data["chain_id"] != chain.chain_id:
        if local:
            log.info("manifest %s is of chain %s, not %s; deploying afresh", path, data["chain_id"], chain.chain_id)
            return None
        raise DeploymentError(
            f"manifest {path} records chain id {data['chain_id']}, but {_network()} is chain {chain.chain_id}",
            "connect to the network the manifest was written for, or move the manifest away to deploy afresh",
        )
    if not _has_code(data.get("pool")):
        if local:
            log.info("manifest %s: no pool at %s on this chain (restarted?); deploying afresh", path, data.get("pool"))
            return None
        raise DeploymentError(
            f"manifest {path}: the pool {data.get('pool')} has no code on {_network()}",
            "check the RPC endpoint and --network; move the manifest away only if that pool really is gone",
        )
    return _read_manifest(path)


def _verify_manifest(data: dict[str, Any], path: Path) -> Deployment:
    """Handles on the manifest's contracts after checking each has code and matches the pool.

    Checks: asset, oracle and deployer have code; the pool answers asset()/oracle() with the manifest's
    addresses; every manifest token is a series of the pool and has the symbol it is listed under. On a
    local chain, a token the pool no longer has and without code (a reverted snapshot) is dropped. Series
    of the pool missing from the manifest are added under their symbols.
    """
    fix = f"the manifest was edited or belongs to another deployment: correct {path}, or move it away to deploy afresh"
    for key in ("asset", "oracle", "deployer"):
        if not _has_code(data[key]):
            raise DeploymentError(f"manifest {path}: the {key} {data[key]} has no code on {_network()}", fix)
    pool = project.ReservePool.at(data["pool"])
    try:
        pool_asset, pool_oracle, series = str(pool.asset()), str(pool.oracle()), [str(t) for t in pool.series()]
    except Exception as err:  # noqa: BLE001 - anything that is not our pool
        raise DeploymentError(f"manifest {path}: {data['pool']} does not answer as a ReservePool ({err})", fix) from None
    for key, actual in (("asset", pool_asset), ("oracle", pool_oracle)):
        if actual.lower() != str(data[key]).lower():
            raise DeploymentError(f"manifest {path} lists {key} {data[key]}, but the pool's {key} is {actual}", fix)

    tokens: dict[str, Any] = {}
    for symbol, address in data["tokens"].items():
        if str(address).lower() not in {s.lower() for s in series}:
            if _is_local() and not _has_code(address):
                log.info("manifest %s: token %s at %s is gone from this chain; dropping it", path, symbol, address)
                continue
            raise DeploymentError(f"manifest {path}: token {symbol} at {address} is not a series of pool {pool.address}",
                                  fix)
        token = project.LeveragedToken.at(address)
        actual = token.symbol()
        if actual != symbol:
            raise DeploymentError(f"manifest {path} lists {address} as {symbol}, but that token's symbol is {actual}", fix)
        tokens[symbol] = token
    listed = {str(t.address).lower() for t in tokens.values()}
    for address in series:  # series created outside deploy (by the owner directly): keep them in view
        if address.lower() not in listed:
            token = project.LeveragedToken.at(address)
            symbol = token.symbol()
            if symbol in tokens:
                log.warning("pool series %s at %s has the symbol of another series; left out", symbol, address)
                continue
            tokens[symbol] = token
    return Deployment(
        asset=project.ISettlementAsset.at(pool_asset),
        oracle=project.IPriceFeed.at(pool_oracle),
        deployer=project.LeveragedTokenDeployer.at(data["deployer"]),
        pool=pool,
        tokens=tokens,
        manifest_path=path,
        reused=True,
    )


def attach(manifest_dir: Path = DEFAULT_MANIFEST_DIR) -> Deployment:
    """The deployment recorded in the connected network's manifest, verified; deploys nothing.

    Raises ``DeploymentError`` if there is no manifest, it is of another chain, or its contracts are gone
    or do not match it.
    """
    path = manifest_path(manifest_dir)
    if not path.exists():
        raise DeploymentError(
            f"no deployment manifest for {_network()} at {path}",
            f"deploy first (ape run deploy --network {_network()} --account ...), or point to the manifest's "
            "directory (--deployments DIR)",
        )
    data = _read_manifest(path, complete=False)
    if data["chain_id"] != chain.chain_id:
        raise DeploymentError(f"manifest {path} records chain id {data['chain_id']}, but {_network()} is chain "
                              f"{chain.chain_id}", "connect to the network the manifest was written for")
    if not _has_code(data.get("pool")):
        raise DeploymentError(
            f"manifest {path}: the pool {data.get('pool')} has no code on {_network()}",
            "a local chain was restarted since the deployment: deploy again (ape run deploy)" if _is_local()
            else "check the RPC endpoint and --network",
        )
    return _verify_manifest(_read_manifest(path), path)


# ----------------------------------------------------------------------------- deploy


def deploy(config: DeploymentConfig | str | Path, sender, manifest_dir: Path = DEFAULT_MANIFEST_DIR) -> Deployment:
    """Deploys `config` from `sender` (an ape account), reusing what an existing manifest records.

    `config` is a ``DeploymentConfig``, a preset name (``"eth3"``) or a YAML path. Returns a `Deployment`
    with `.asset`, `.oracle`, `.pool` and `.tokens` (symbol -> contract); the manifest is written before
    returning. Raises ``ConfigError`` (mocks on a non-local network, an address without a contract),
    ``ConfigMismatchError`` (a reused deployment whose on-chain values differ from the config: every
    difference at once, before anything is sent) or ``DeploymentError``.
    """
    config = load_config(config)
    config.check_network(_network(), chain.chain_id)
    try:
        check_account(sender, _network(), chain.chain_id)
    except UnsafeAccountError as err:
        raise DeploymentError(*str(err).split(" → ", 1)) from None
    _check_external(config)
    path = manifest_path(manifest_dir)
    existing = _load_manifest(path)
    if existing is not None:
        deployment = _verify_manifest(existing, path)
        if config.asset.address is None:  # keep the mock's ABI (mint) for local use
            deployment.asset = _asset_at(str(deployment.asset.address), mock=True)
        if config.oracle.address is None:  # keep the mock's ABI (updateAnswer)
            deployment.oracle = _oracle_at(str(deployment.oracle.address), mock=True)
        _check_reused(deployment, config, path)
        log.info("reusing pool %s from %s", deployment.pool.address, path)
    else:
        deployment = _deploy_core(config, sender)
        deployment.manifest_path = path

    on_chain = {project.LeveragedToken.at(t).symbol(): t for t in deployment.pool.series()}
    missing = [s for s in config.series if s.symbol not in on_chain]
    if missing:
        owner = str(deployment.pool.owner())
        if owner.lower() != str(sender.address).lower():
            raise DeploymentError(
                f"series {', '.join(s.symbol for s in missing)} must be created by the pool owner {owner}, "
                f"not {sender.address}",
                "run with the owner's account (--account), or remove those series from the config",
            )
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


def _check_external(config: DeploymentConfig) -> None:
    """The configured asset and feed exist here and agree with any decimals the config states."""
    problems: list[ConfigProblem] = []
    for name, part in (("asset", config.asset), ("oracle", config.oracle)):
        if part.address is None:
            continue
        if not _has_code(part.address):
            problems.append(ConfigProblem(
                f"{name}.address", f"no contract at {part.address} on {_network()}",
                "check the address and --network; on a local chain leave the address out to deploy a mock",
            ))
            continue
        contract = _asset_at(part.address, mock=False) if name == "asset" else _oracle_at(part.address, mock=False)
        try:
            decimals = int(contract.decimals())
        except Exception:  # noqa: BLE001 - any contract without decimals()
            problems.append(ConfigProblem(
                f"{name}.address", f"{part.address} does not answer decimals()",
                "use an ERC-20 token" if name == "asset" else "use a Chainlink AggregatorV3 feed",
            ))
            continue
        limit = 18 if name == "asset" else 36
        if decimals > limit:
            problems.append(ConfigProblem(f"{name}.address", f"has {decimals} decimals; the pool supports at most "
                                          f"{limit}", f"use another {name}"))
        if "decimals" in part.model_fields_set and part.decimals != decimals:
            problems.append(ConfigProblem(
                f"{name}.decimals", f"says {part.decimals}, but the contract at {part.address} has {decimals}",
                f"remove {name}.decimals (it is read from the contract), or check {name}.address",
            ))
    if config.oracle.address is not None and "initial_price" in config.oracle.model_fields_set:
        log.warning("oracle.initial_price is ignored: the feed at %s gives the price", config.oracle.address)
    if problems:
        raise ConfigError(problems)


class _Check(NamedTuple):
    """One value of a reused deployment against the config: the raw on-chain and config values (compared
    exactly), how to show a raw value in the config's units, and the fix (``{on_chain}`` is filled in)."""

    field: str
    on_chain: Any
    config: Any
    fix: str
    show: Callable[[Any], Any] | None = None  # None: shown as is

    def difference(self) -> ConfigProblem | None:
        if self.on_chain == self.config:
            return None
        on_chain, config = (_text(self.show(v) if self.show else v) for v in (self.on_chain, self.config))
        return ConfigProblem(self.field, f"on-chain {on_chain}, config {config}",
                             self.fix.replace("{on_chain}", on_chain))


def _text(value: Any) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _settable(field: str, setter: str) -> str:
    return (f"set {field}: {{on_chain}} to keep the deployment as it is, or have the pool owner call "
            f"pool.{setter} and run deploy again")


def _fixed(field: str, otherwise: str) -> str:
    return f"fixed at deployment: set {field}: {{on_chain}} to keep it, or {otherwise}"


def _check_reused(deployment: Deployment, config: DeploymentConfig, path: Path) -> None:
    """Compares everything of the config that the reused contracts show against what they hold: asset and
    oracle (their addresses, or the mocks' name/symbol/decimals and the mock feed's first price), the pool's
    name, symbol and parameters, and each configured series that exists (side, name, initial NAV, params).
    Raises ``ConfigMismatchError`` listing every difference; deploy never changes an existing contract."""
    checks = [*_asset_checks(deployment, config, path), *_oracle_checks(deployment, config, path),
              *_pool_checks(deployment, config, path)]
    pool = deployment.pool
    on_chain = {project.LeveragedToken.at(t).symbol(): t for t in pool.series()}
    for i, series in enumerate(config.series):
        if series.symbol in on_chain:
            checks += _series_checks(pool, project.LeveragedToken.at(on_chain[series.symbol]), series, i)
    problems = [d for d in (c.difference() for c in checks) if d is not None]
    if problems:
        raise ConfigMismatchError(problems, path, str(pool.address))


def _address_check(name: str, wanted: str, actual: Any, path: Path) -> _Check:
    return _Check(f"{name}.address", str(actual.address).lower(), wanted.lower(),
                  f"set {name}.address to {actual.address} to keep that pool, or move {path} away to deploy a new one",
                  show=to_checksum_address)


def _asset_checks(deployment: Deployment, config: DeploymentConfig, path: Path) -> list[_Check]:
    asset, part = deployment.asset, config.asset
    if part.address is not None:
        return [_address_check("asset", part.address, asset, path)]
    mock = (("name", asset.name()), ("symbol", asset.symbol()), ("decimals", int(asset.decimals())))
    return [_Check(f"asset.{key}", actual, getattr(part, key), _fixed(f"asset.{key}", _move(path)))
            for key, actual in mock]


def _move(path: Path) -> str:
    return f"move {path} away to deploy afresh"


def _oracle_checks(deployment: Deployment, config: DeploymentConfig, path: Path) -> list[_Check]:
    """The configured feed's address; for a mock: that the pool's feed is a MockAggregator, its decimals,
    and its first answer while it is still the latest (round 1: no price pushed since the deployment)."""
    oracle, part = deployment.oracle, config.oracle
    if part.address is not None:
        return [_address_check("oracle", part.address, oracle, path)]
    try:
        is_mock = oracle.description() == MOCK_FEED_DESCRIPTION
    except Exception:  # noqa: BLE001 - not an AggregatorV3 feed at all
        is_mock = False
    if not is_mock:
        return [_Check("oracle.address", str(oracle.address), "none (deploy a MockAggregator)",
                       f"set oracle.address to {oracle.address} to keep that pool, or move {path} away")]
    decimals, rounds = int(oracle.decimals()), int(oracle.latestRound())
    checks = [_Check("oracle.decimals", decimals, part.decimals, _fixed("oracle.decimals", _move(path)))]
    if rounds != 1:
        log.info("oracle.initial_price not compared: the mock feed %s has had %d rounds since it was deployed",
                 oracle.address, rounds)
        return checks
    first, wanted = int(oracle.latestAnswer()), to_units(part.initial_price, decimals)
    return [*checks, _Check("oracle.initial_price", first, wanted, _fixed("oracle.initial_price", _move(path)),
                            functools.partial(from_units, decimals=decimals))]


def _pool_checks(deployment: Deployment, config: DeploymentConfig, path: Path) -> list[_Check]:
    pool, p = deployment.pool, config.pool
    decimals = int(deployment.asset.decimals())
    in_asset = functools.partial(from_units, decimals=decimals)
    values = (  # field, on-chain, config, how to show, setter
        ("floor_ratio", int(pool.floorRatio()), to_wad(p.floor_ratio), from_wad, "setFloorRatio"),
        ("max_price_age", int(pool.maxPriceAge()), p.max_price_age, None, "setMaxPriceAge"),
        ("health_interval", int(pool.healthInterval()), p.health_interval, None, "setHealthInterval"),
        ("keeper_reward", int(pool.keeperReward()), to_units(p.keeper_reward, decimals), in_asset, "setKeeperReward"),
        ("keeper_reward_daily_cap", int(pool.keeperRewardDailyCap()), to_units(p.keeper_reward_daily_cap, decimals),
         in_asset, "setKeeperReward"),
        ("max_utilization", int(pool.maxUtilization()), to_wad(p.max_utilization), from_wad, "setMaxUtilization"),
        ("min_trade_notional", int(pool.minTradeNotional()), to_wad(p.min_trade_notional), from_wad,
         "setMinTradeNotional"),
    )
    return [*(_Check(f"pool.{key}", actual, getattr(p, key), _fixed(f"pool.{key}", _move(path)))
              for key, actual in (("name", pool.name()), ("symbol", pool.symbol()))),
            *(_Check(f"pool.{key}", actual, wanted, _settable(f"pool.{key}", setter), show)
              for key, actual, wanted, show, setter in values)]


def _series_checks(pool, token, series: SeriesConfig, i: int) -> list[_Check]:
    """Side, name, initial NAV (fixed at creation) and every SeriesParams field of one existing series."""
    state, params = pool.seriesState(token), pool.seriesParams(token)
    at, new_symbol = f"series[{i}]", f"give this series a symbol other than {series.symbol}"
    side, name, nav = "long" if state.isLong else "short", token.name(), int(state.initialNav)
    return [
        _Check(f"{at}.side", side, series.side, _fixed(f"{at}.side", new_symbol)),
        _Check(f"{at}.name", name, series.name, _fixed(f"{at}.name", new_symbol)),
        _Check(f"{at}.initial_nav", nav, to_wad(series.initial_nav), _fixed(f"{at}.initial_nav", new_symbol), from_wad),
        *(_Check(f"{at}.{key}", int(getattr(params, struct_field)), wanted,
                 _settable(f"{at}.{key}", "setSeriesParams(token, params)"),
                 None if key == "fallback_interval" else from_wad)
          for (key, struct_field), wanted in zip(_SERIES_PARAMS, series.params())),
    ]


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
    lp_orders = project.PoolLpOrders.deploy(oracle.address, asset.address, sender=sender)
    pool = project.ReservePool.deploy(
        asset.address, oracle.address, deployer.address, config.pool.name, config.pool.symbol, sender.address,
        lp_orders.address, sender=sender,
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
    if to_wad(p.max_utilization) != pool.maxUtilization():
        pool.setMaxUtilization(to_wad(p.max_utilization), sender=sender)
    if to_wad(p.min_trade_notional) != pool.minTradeNotional():
        pool.setMinTradeNotional(to_wad(p.min_trade_notional), sender=sender)
