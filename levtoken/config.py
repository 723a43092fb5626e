"""Deployment configuration: what to deploy, validated with pydantic.

Every field has a unit in its name or its description; values such as leverage and fees are plain
decimals ("3" for 3x, "0.001" for 0.1%) and are converted to WAD integers at deployment.
The full schema is documented in docs/deployment.md.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from levtoken.units import to_wad


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssetConfig(_Strict):
    """Settlement asset: an existing ERC-20 (``address``) or a mock deployed on local chains."""

    address: Optional[str] = Field(None, description="existing ERC-20; omit to deploy MockERC20")
    name: str = "Mock USD Coin"
    symbol: str = "USDC"
    decimals: int = Field(6, ge=0, le=18)


class OracleConfig(_Strict):
    """Price feed: an existing Chainlink AggregatorV3 (``address``) or a MockAggregator."""

    address: Optional[str] = Field(None, description="existing Chainlink feed; omit to deploy MockAggregator")
    decimals: int = Field(8, ge=0, le=36)
    initial_price: Decimal = Field(Decimal(2000), gt=0, description="mock's first answer, in asset units")


class PoolConfig(_Strict):
    """Reserve pool parameters (bounds are enforced on-chain too)."""

    name: str = "levtoken ETH reserve"
    symbol: str = "rETH-USDC"
    floor_ratio: Decimal = Field(Decimal("0.1"), ge=Decimal("0.01"), le=1)
    max_price_age: int = Field(3600, ge=60, le=172_800, description="seconds")
    health_interval: int = Field(3600, ge=300, le=86_400, description="seconds")
    keeper_reward: Decimal = Field(Decimal(0), ge=0, description="asset units per rebalance")
    keeper_reward_daily_cap: Decimal = Field(Decimal(0), ge=0, description="asset units per UTC day")

    @model_validator(mode="after")
    def _cap_covers_reward(self) -> "PoolConfig":
        if self.keeper_reward > self.keeper_reward_daily_cap:
            raise ValueError(
                f"keeper_reward_daily_cap ({self.keeper_reward_daily_cap}) must be at least keeper_reward "
                f"({self.keeper_reward}): raise the cap or lower the reward"
            )
        return self


class SeriesConfig(_Strict):
    """One leveraged token series."""

    symbol: str = Field(..., min_length=1, max_length=11)
    name: str
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
    def _band(self) -> "SeriesConfig":
        lo, t, hi = self.min_leverage, self.target_leverage, self.max_leverage
        if not (t < hi and (lo == 0 or 1 < lo < t)):
            raise ValueError(
                f"series {self.symbol}: leverage band must satisfy 1 < min_leverage < target_leverage < "
                f"max_leverage <= 10 (or min_leverage = 0); got {lo} / {t} / {hi}"
            )
        if 0 < self.fallback_interval < 3600:
            raise ValueError(
                f"series {self.symbol}: fallback_interval must be 0 (off) or between 3600 and 604800 seconds; "
                f"got {self.fallback_interval}"
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


class DeploymentConfig(_Strict):
    """Everything ``levtoken.deployment.deploy`` needs."""

    asset: AssetConfig = AssetConfig()
    oracle: OracleConfig = OracleConfig()
    pool: PoolConfig = PoolConfig()
    series: list[SeriesConfig] = Field(..., min_length=1, max_length=8)

    @model_validator(mode="after")
    def _unique_symbols(self) -> "DeploymentConfig":
        symbols = [s.symbol for s in self.series]
        duplicates = sorted({s for s in symbols if symbols.count(s) > 1})
        if duplicates:
            raise ValueError(f"series symbols must be unique; repeated: {', '.join(duplicates)}")
        return self

    @classmethod
    def from_yaml(cls, path: str | Path) -> "DeploymentConfig":
        """Loads and validates a YAML config file."""
        with open(path) as fh:
            return cls.model_validate(yaml.safe_load(fh))


def eth_preset() -> DeploymentConfig:
    """ETH3L / ETH3S on a drift band 2.5x-3.5x with a 24 h fallback (SPEC section 5, seed 003)."""
    common = dict(target_leverage=3, min_leverage="2.5", max_leverage="3.5", fallback_interval=86_400)
    return DeploymentConfig(
        series=[
            SeriesConfig(symbol="ETH3L", name="ETH 3x Long", side="long", **common),
            SeriesConfig(symbol="ETH3S", name="ETH 3x Short", side="short", **common),
        ]
    )
