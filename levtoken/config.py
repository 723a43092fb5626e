"""Deployment configuration: what to deploy, validated with pydantic.

Every field has a unit in its name or its description; values such as leverage and fees are plain
decimals ("3" for 3x, "0.001" for 0.1%) and are converted to WAD integers at deployment.
The full schema is documented in docs/deployment.md.

Configs come from YAML files or from the presets shipped in ``levtoken/presets/`` (``load_config("eth3")``
or ``load_config("path/to/file.yaml")``). Every mistake raises a ``ConfigError`` that lists each problem
as ``field: problem → fix``. Building a model directly (``DeploymentConfig.model_validate``) still raises
pydantic's ``ValidationError``; ``ConfigError.from_validation_error`` turns one into the other.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, NamedTuple

import annotated_types
import yaml
from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from levtoken.units import to_wad

PRESETS_DIR = Path(__file__).parent / "presets"
DEFAULT_PRESET = "eth3"
ZERO_ADDRESS = "0x" + "0" * 40
LOCAL_CHAIN_IDS = frozenset({31337, 1337})
# keys that only configure a mock: with an `address`, the contract's own values are used instead
MOCK_ONLY_FIELDS = {"asset": ("name", "symbol", "decimals"), "oracle": ("decimals", "initial_price")}


# ----------------------------------------------------------------------------- errors


class ConfigProblem(NamedTuple):
    """One mistake in a config: where, what, and how to fix it."""

    field: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem} → {self.fix}"


class ConfigError(ValueError):
    """A config that cannot be used; ``problems`` lists each mistake with its field and fix."""

    def __init__(self, problems: list[ConfigProblem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" ({self.source})" if self.source else ""
        count = len(self.problems)
        head = f"invalid deployment config{where}: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])

    @classmethod
    def single(cls, field: str, problem: str, fix: str, source: str | None = None) -> ConfigError:
        return cls([ConfigProblem(field, problem, fix)], source)

    @classmethod
    def from_validation_error(cls, error: ValidationError, source: str | None = None) -> ConfigError:
        """Translates each pydantic error into a ``ConfigProblem`` naming the field and the fix."""
        return cls([_translate(e) for e in error.errors()], source)


def _fail(problem: str, fix: str, field: str | None = None) -> PydanticCustomError:
    """A validation error carrying its own fix (and, from a model validator, the field it is about)."""
    return PydanticCustomError(
        "levtoken_config", "{problem} → {fix}", {"problem": problem, "fix": fix, "field": field or ""}
    )


# ----------------------------------------------------------------------------- addresses


def _check_address(value: Any) -> str | None:
    """An optional contract address: None, or a 20-byte hex string (EIP-55 checked if mixed-case)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML reads an unquoted 0x… as a hexadecimal integer, which loses the checksum's letter case.
        guess = f"0x{value:040x}" if 0 <= value < 2**160 else "0x…"
        raise _fail(
            "YAML read this address as a number because it is not quoted",
            f'put it in quotes, e.g. address: "{to_checksum_address(guess) if guess != "0x…" else guess}"',
        )
    if not isinstance(value, str):
        raise _fail(f"expected an address string, got {type(value).__name__}", 'write it as "0x" + 40 hex digits, quoted')
    text = value.strip()
    if not is_hex_address(text):
        digits = len(text[2:]) if text.lower().startswith("0x") else len(text)
        raise _fail(
            f"{text!r} is not a 20-byte hex address ({digits} characters after 0x, need 40 hex digits)",
            "copy the full address (0x + 40 hex digits) from the token's or feed's documentation",
        )
    if int(text, 16) == 0:
        raise _fail(
            "the zero address is not a contract",
            "use the deployed contract's address, or remove the key to deploy a mock (local chains only)",
        )
    mixed_case = text[2:] != text[2:].lower() and text[2:] != text[2:].upper()
    if mixed_case and not is_checksum_address(text):
        raise _fail(
            f"{text} fails its EIP-55 checksum (a character was probably mistyped)",
            "copy the address again from a trusted source (block explorer, Chainlink or token docs); "
            "an all-lowercase address skips the checksum",
        )
    return to_checksum_address(text)


# ----------------------------------------------------------------------------- models


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssetConfig(_Strict):
    """Settlement asset: an existing ERC-20 (``address``) or a mock deployed on local chains."""

    address: str | None = Field(None, description="existing ERC-20; omit to deploy MockERC20")
    name: str = "Mock USD Coin"
    symbol: str = "USDC"
    decimals: int = Field(6, ge=0, le=18)

    @field_validator("address", mode="before")
    @classmethod
    def _valid_address(cls, value: Any) -> str | None:
        return _check_address(value)


class OracleConfig(_Strict):
    """Price feed: an existing Chainlink AggregatorV3 (``address``) or a MockAggregator."""

    address: str | None = Field(None, description="existing Chainlink feed; omit to deploy MockAggregator")
    decimals: int = Field(8, ge=0, le=36)
    initial_price: Decimal = Field(Decimal(2000), gt=0, description="mock's first answer, in asset units")

    @field_validator("address", mode="before")
    @classmethod
    def _valid_address(cls, value: Any) -> str | None:
        return _check_address(value)


class PoolConfig(_Strict):
    """Reserve pool parameters (bounds are enforced on-chain too)."""

    name: str = "levtoken ETH reserve"
    symbol: str = "rETH-USDC"
    floor_ratio: Decimal = Field(Decimal("0.1"), ge=Decimal("0.01"), le=1)
    max_price_age: int = Field(3600, ge=60, le=172_800, description="seconds")
    health_interval: int = Field(3600, ge=300, le=86_400, description="seconds")
    keeper_reward: Decimal = Field(Decimal(0), ge=0, description="asset units per rebalance")
    keeper_reward_daily_cap: Decimal = Field(Decimal(0), ge=0, description="asset units per UTC day")
    max_utilization: Decimal = Field(Decimal(5), ge=Decimal("0.1"), le=1000,
                                     description="utilization cap u: |net exposure|*P <= u*reserve")
    min_trade_notional: Decimal = Field(Decimal(1), ge=0, le=10,
                                        description="smallest rebalance trade, in asset units of value")

    @model_validator(mode="after")
    def _cap_covers_reward(self) -> PoolConfig:
        if self.keeper_reward > self.keeper_reward_daily_cap:
            raise _fail(
                f"keeper_reward_daily_cap ({self.keeper_reward_daily_cap}) must be at least keeper_reward "
                f"({self.keeper_reward})",
                f"raise keeper_reward_daily_cap to {self.keeper_reward} or more, or lower keeper_reward",
                field="keeper_reward_daily_cap",
            )
        return self


class SeriesConfig(_Strict):
    """One leveraged token series."""

    symbol: str = Field(..., min_length=1, max_length=11)
    name: str = Field(..., min_length=1)
    side: Literal["long", "short"]
    initial_nav: Decimal = Field(Decimal(100), gt=0, description="NAV per token at the first mint")
    target_leverage: Decimal = Field(..., gt=1, le=10)
    min_leverage: Decimal = Field(..., ge=0, description="0 disables the lower drift trigger")
    max_leverage: Decimal = Field(..., gt=1, le=10)
    fallback_interval: int = Field(86_400, ge=0, le=604_800, description="seconds; 0 disables")
    mint_fee: Decimal = Field(Decimal(0), ge=0, le=Decimal("0.01"))
    redeem_fee: Decimal = Field(Decimal(0), ge=0, le=Decimal("0.01"))
    streaming_fee: Decimal = Field(Decimal(0), ge=0, le=Decimal("0.1"), description="per 365 days")
    spread: Decimal = Field(Decimal(0), ge=0, le=Decimal("0.01"))

    @model_validator(mode="after")
    def _band(self) -> SeriesConfig:
        lo, t, hi = self.min_leverage, self.target_leverage, self.max_leverage
        if not (t < hi and (lo == 0 or 1 < lo < t)):
            rule = (
                f"series {self.symbol}: leverage band must satisfy 1 < min_leverage < target_leverage < "
                f"max_leverage <= 10 (or min_leverage = 0); got {lo} / {t} / {hi}"
            )
            if t >= hi:
                raise _fail(rule, f"raise max_leverage above target_leverage {t} (at most 10), or lower "
                                  "target_leverage", field="max_leverage")
            raise _fail(rule, f"set min_leverage between 1 and target_leverage {t} (exclusive), e.g. "
                              f"{_example_min(t)}, or 0 to disable the lower drift trigger", field="min_leverage")
        if 0 < self.fallback_interval < 3600:
            raise _fail(
                f"series {self.symbol}: fallback_interval must be 0 (off) or between 3600 and 604800 seconds; "
                f"got {self.fallback_interval}",
                "use 0 to disable the fallback, or at least 3600 (1 h), e.g. 86400 for 24 h",
                field="fallback_interval",
            )
        return self

    def params(self) -> tuple[int, int, int, int, int, int, int, int]:
        """The on-chain ``SeriesParams`` tuple (WAD leverages and fees)."""
        return (
            to_wad(self.target_leverage),
            to_wad(self.min_leverage),
            to_wad(self.max_leverage),
            self.fallback_interval,
            to_wad(self.mint_fee),
            to_wad(self.redeem_fee),
            to_wad(self.streaming_fee),
            to_wad(self.spread),
        )


def _example_min(target: Decimal) -> Decimal:
    """A sensible lower band edge for ``target`` (a sixth below it, above 1)."""
    guess = (target * Decimal(5) / Decimal(6)).quantize(Decimal("0.1"))
    return guess if 1 < guess < target else (1 + target) / 2


class DeploymentConfig(_Strict):
    """Everything ``levtoken.deployment.deploy`` needs."""

    asset: AssetConfig = AssetConfig()
    oracle: OracleConfig = OracleConfig()
    pool: PoolConfig = PoolConfig()
    series: list[SeriesConfig] = Field(..., min_length=1, max_length=8)

    @model_validator(mode="after")
    def _unique_symbols(self) -> DeploymentConfig:
        symbols = [s.symbol for s in self.series]
        duplicates = sorted({s for s in symbols if symbols.count(s) > 1})
        if duplicates:
            again = next(i for i, s in enumerate(symbols) if s in symbols[:i])
            raise _fail(
                f"series symbols must be unique; repeated: {', '.join(duplicates)}",
                "give every series its own symbol (the manifest and deploy's reuse match series by symbol)",
                field=f"series[{again}].symbol",
            )
        return self

    @classmethod
    def from_yaml(cls, path: str | Path) -> DeploymentConfig:
        """Loads and validates a YAML config file; raises ``ConfigError`` naming each field and fix."""
        return _from_file(Path(path))

    def to_yaml(self) -> str:
        """The config as YAML that ``load_config`` reads back to an equal config.

        With an ``address``, the mock-only keys of ``asset``/``oracle`` are left out while they hold their
        defaults (they are not used then).
        """
        data = self.model_dump(mode="python", exclude_none=True)
        for name, part in (("asset", self.asset), ("oracle", self.oracle)):
            if part.address is not None:
                defaults = type(part)()
                for key in MOCK_ONLY_FIELDS[name]:
                    if getattr(part, key) == getattr(defaults, key):
                        data[name].pop(key)
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False)

    def uses_mocks(self) -> list[str]:
        """Which of ``asset`` / ``oracle`` would be deployed as mocks (no address given)."""
        return [name for name, part in (("asset", self.asset), ("oracle", self.oracle)) if part.address is None]

    def check_network(self, network_choice: str, chain_id: int | None = None) -> None:
        """Refuses mocks on a non-local network: a real deployment needs a real asset and feed."""
        if is_local_network(network_choice, chain_id):
            return
        what = {"asset": ("a MockERC20", "the settlement token's address on this network (e.g. USDC)"),
                "oracle": ("a MockAggregator", "the Chainlink price feed's address on this network (e.g. ETH/USD)")}
        problems = [
            ConfigProblem(
                f"{name}.address",
                f"not set, so {what[name][0]} would be deployed, but {network_choice} is not a local chain",
                f"set {name}.address to {what[name][1]}; mocks are only for local chains and forks",
            )
            for name in self.uses_mocks()
        ]
        if problems:
            raise ConfigError(problems)


def is_local_network(network_choice: str, chain_id: int | None = None) -> bool:
    """A local chain (ape's ``local`` network, a ``*-fork``, or an Anvil/Ganache chain id)."""
    parts = network_choice.split(":")
    network = parts[1] if len(parts) > 1 else parts[0]
    return network == "local" or network.endswith("-fork") or chain_id in LOCAL_CHAIN_IDS


def eth_preset() -> DeploymentConfig:
    """ETH3L / ETH3S on a drift band 2.5x-3.5x with a 24 h fallback (SPEC section 5, seed 003).

    The same config ships as the YAML preset ``eth3`` (``load_config("eth3")``).
    """
    common = {"target_leverage": 3, "min_leverage": "2.5", "max_leverage": "3.5", "fallback_interval": 86_400}
    return DeploymentConfig(
        series=[
            SeriesConfig(symbol="ETH3L", name="ETH 3x Long", side="long", **common),
            SeriesConfig(symbol="ETH3S", name="ETH 3x Short", side="short", **common),
        ]
    )


# ----------------------------------------------------------------------------- loading


def preset_names() -> list[str]:
    """Names of the presets shipped in ``levtoken/presets/``."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


def preset_path(name: str) -> Path:
    """The file of preset ``name``; raises ``ConfigError`` listing the presets if there is none."""
    path = PRESETS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError.single(
            "config", f"no preset named {name!r} and no such file",
            f"use one of the presets ({', '.join(preset_names())}) or a path to a YAML file",
        )
    return path


def load_config(source: str | Path | DeploymentConfig | None = None) -> DeploymentConfig:
    """A validated config from a preset name (``"eth3"``), a YAML path, or a config (returned as is).

    ``None`` loads the default preset (``eth3``). A string is a path if such a file exists or it ends in
    ``.yaml``/``.yml``; otherwise a preset name. Raises ``ConfigError``.
    """
    if isinstance(source, DeploymentConfig):
        return source
    if source is None:
        source = DEFAULT_PRESET
    path = Path(source)
    if isinstance(source, Path) or path.is_file() or path.suffix in (".yaml", ".yml") or "/" in str(source):
        return _from_file(path)
    return _from_file(preset_path(str(source)))


def parse_config(data: Any, source: str | None = None) -> DeploymentConfig:
    """Validates already-parsed YAML/JSON data; raises ``ConfigError``."""
    if data is None:
        raise ConfigError.single("(file)", "the config is empty",
                                 "start from a preset, e.g. levtoken/presets/eth3.yaml", source)
    if not isinstance(data, dict):
        raise ConfigError.single(
            "(top level)", f"expected a mapping with the keys asset, oracle, pool, series; got {type(data).__name__}",
            "write `key: value` lines at the top level (see levtoken/presets/eth3.yaml)", source,
        )
    try:
        return DeploymentConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError.from_validation_error(err, source) from None


def _from_file(path: Path) -> DeploymentConfig:
    if not path.is_file():
        raise ConfigError.single(
            "config", f"file {path} does not exist",
            f"check the path, or use a preset name ({', '.join(preset_names())})",
        )
    try:
        data = yaml.load(path.read_text(), Loader=_Loader)
    except _DuplicateKey as dup:
        raise ConfigError.single(dup.key, f"appears twice in one mapping (line {dup.line})",
                                 "keep one of the two lines", str(path)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError.single(
            "(yaml)", f"not valid YAML at {where}: {problem}",
            "fix the indentation or quoting there (quote values containing ':' or '#')", str(path),
        ) from None
    return parse_config(data, str(path))


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: str, line: int):
        super().__init__(f"duplicate key {key}")
        self.key, self.line = key, line


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML would silently keep the last one)."""

    def construct_mapping(self, node, deep=False):
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # shared Decimal defaults would become &id anchors
        return True


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value.normalize(), "f")
    if len(value.normalize().as_tuple().digits) > 15:  # beyond a float's exact range: keep it a string
        return dumper.represent_str(text)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)


# ----------------------------------------------------------------------------- error translation

_SUBMODELS: dict[str, type[BaseModel]] = {
    "asset": AssetConfig, "oracle": OracleConfig, "pool": PoolConfig, "series": SeriesConfig,
}

_HINTS = {
    "decimals": "an integer number of decimals",
    "initial_price": "the mock feed's first price in asset units, e.g. 2000",
    "floor_ratio": "a fraction of liabilities: 0.1 = 10%",
    "max_price_age": "seconds, e.g. 3600",
    "health_interval": "seconds, e.g. 3600",
    "keeper_reward": "asset units, e.g. 5",
    "keeper_reward_daily_cap": "asset units, e.g. 50",
    "max_utilization": "a plain multiple of the reserve, e.g. 5",
    "min_trade_notional": "asset units of value, e.g. 1",
    "symbol": "e.g. ETH3L",
    "name": "e.g. ETH 3x Long",
    "initial_nav": "NAV per token in asset units, e.g. 100",
    "target_leverage": "a plain multiple: 3 for 3x",
    "min_leverage": "a plain multiple, e.g. 2.5; 0 disables the lower trigger",
    "max_leverage": "a plain multiple, e.g. 3.5",
    "fallback_interval": "seconds, e.g. 86400 for 24 h; 0 disables",
    "mint_fee": "a fraction: 0.001 = 0.1%",
    "redeem_fee": "a fraction: 0.001 = 0.1%",
    "streaming_fee": "a fraction per 365 days: 0.02 = 2%/year",
    "spread": "a fraction of the traded notional: 0.0005 = 0.05%",
    "series": "a list of series (see levtoken/presets/eth3.yaml)",
}


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _model_for(parent: tuple) -> type[BaseModel]:
    names = [p for p in parent if isinstance(p, str)]
    return _SUBMODELS.get(names[0], DeploymentConfig) if names else DeploymentConfig


def _field_info(loc: tuple) -> tuple[str, FieldInfo | None]:
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return "", None
    model = _model_for(loc[:-1]) if len(names) > 1 else DeploymentConfig
    return names[-1], model.model_fields.get(names[-1])


def _range(info: FieldInfo | None) -> str:
    """The allowed range of a numeric field, e.g. 'from 0 to 0.01' or 'above 1 and at most 10'."""
    lower = upper = ""
    for m in (info.metadata if info else []):
        if isinstance(m, annotated_types.Ge):
            lower = f"at least {m.ge}"
        elif isinstance(m, annotated_types.Gt):
            lower = f"above {m.gt}"
        elif isinstance(m, annotated_types.Le):
            upper = f"at most {m.le}"
        elif isinstance(m, annotated_types.Lt):
            upper = f"below {m.lt}"
    return " and ".join(x for x in (lower, upper) if x)


def _translate(error: dict) -> ConfigProblem:
    kind, loc, ctx = error["type"], tuple(error["loc"]), error.get("ctx") or {}
    name, info = _field_info(loc)
    field = _path(loc)
    hint = _HINTS.get(name, "")
    hint_text = f" ({hint})" if hint else ""
    if kind == "levtoken_config":
        if ctx.get("field"):
            field = f"{field}.{ctx['field']}" if loc else ctx["field"]
        return ConfigProblem(field, ctx["problem"], ctx["fix"])
    if kind == "missing":
        return ConfigProblem(field, "required but missing", f"add `{name}:`{hint_text}")
    if kind == "extra_forbidden":
        allowed = list(_model_for(loc[:-1]).model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        maybe = f"did you mean `{close[0]}`? " if close else ""
        return ConfigProblem(field, "unknown key", f"{maybe}remove or rename it; allowed here: {', '.join(allowed)}")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return ConfigProblem(field, f"{error['input']} is out of range",
                             f"use a value {_range(info) or error['msg'].lower()}{hint_text}")
    if kind in ("decimal_parsing", "decimal_type", "finite_number", "float_parsing", "float_type"):
        return ConfigProblem(field, f"{error['input']!r} is not a number", f"write a plain number{hint_text}")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return ConfigProblem(field, f"{error['input']!r} is not a whole number", f"write an integer{hint_text}")
    if kind == "literal_error":
        return ConfigProblem(field, f"{error['input']!r} is not allowed", f"use one of {ctx.get('expected')}")
    if kind in ("string_too_long", "string_too_short"):
        size = ctx.get("max_length", ctx.get("min_length"))
        bound = "at most" if kind == "string_too_long" else "at least"
        return ConfigProblem(field, f"{error['input']!r} has the wrong length",
                             f"use {bound} {size} characters{hint_text}")
    if kind in ("too_short", "too_long"):
        return ConfigProblem(field, error["msg"], "list between 1 and 8 series, each with a unique symbol")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return ConfigProblem(field, f"expected a mapping, got {error['input']!r}",
                             f"write `{name}:` followed by indented `key: value` lines")
    if kind == "list_type":
        return ConfigProblem(field, f"expected a list, got {type(error['input']).__name__}",
                             f"write each entry on its own line starting with `- `{hint_text}")
    if kind == "string_type":
        return ConfigProblem(field, f"expected text, got {error['input']!r}", f"write text, quoted if needed{hint_text}")
    return ConfigProblem(field, error["msg"], "see the config schema in docs/deployment.md")
