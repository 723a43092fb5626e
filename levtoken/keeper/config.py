"""Keeper configuration (pydantic): where the pool is, how to poll, what gas to pay, where to checkpoint.

Every field has its unit in its name or description. Invalid values fail at construction with a message
that names the field and says what to pass instead (`KeeperConfig(...)` raises `pydantic.ValidationError`;
the command lines turn that into a one-line error).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from eth_utils import is_checksum_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

GWEI = 10**9
ETHER = 10**18
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class KeeperConfigError(ValueError):
    """A configuration problem the operator must fix (bad manifest, missing pool...)."""


@dataclass(frozen=True)
class Target:
    """What the keeper works on: the pool address and, if known, the chain id it must be on."""

    pool: str
    chain_id: int | None


def checked_address(value: str, what: str) -> str:
    """`value` as a checksum address, or a clear error naming `what`."""
    if not isinstance(value, str) or not _HEX_ADDRESS.fullmatch(value):
        raise KeeperConfigError(f"{what} must be a 0x-prefixed 20-byte hex address; got {value!r}")
    if value != value.lower() and value[2:] != value[2:].upper() and not is_checksum_address(value):
        raise KeeperConfigError(f"{what} {value} has a wrong checksum (mistyped?)")
    return to_checksum_address(value)


class KeeperConfig(BaseModel):
    """Everything `levtoken.keeper.Keeper` needs besides the signing account."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rpc_url: str = Field(..., description="HTTP(S) JSON-RPC endpoint of the node the keeper talks to")
    pool: str | None = Field(None, description="ReservePool address (or give `manifest`)")
    manifest: Path | None = Field(None, description="deployments/<network>.json written by the deployment")
    chain_id: int | None = Field(None, gt=0, description="expected chain id; default: the manifest's")

    poll_interval: float = Field(1.0, gt=0, le=60, description="seconds between eth_blockNumber polls")
    block_time: float | None = Field(
        None, gt=0, le=600, description="expected seconds between blocks (12 on Ethereum); when set, the keeper "
        "sleeps until one poll interval before the next block is due, so an idle block costs ~3 requests "
        "instead of 1 + block_time / poll_interval")
    rpc_timeout: float = Field(10.0, gt=0, le=120, description="seconds per HTTP request")
    rpc_retries: int = Field(3, ge=0, le=10, description="retries of one RPC call on a transport error")
    backoff_initial: float = Field(0.5, gt=0, description="seconds; first retry delay, doubled each time")
    backoff_max: float = Field(30.0, gt=0, description="seconds; longest delay between retries or polls")

    max_fee_gwei: Decimal = Field(Decimal(100), gt=0, description="cap on maxFeePerGas, gwei")
    priority_fee_gwei: Decimal | None = Field(
        None, ge=0, description="maxPriorityFeePerGas, gwei; default: the node's eth_maxPriorityFeePerGas"
    )
    bump_percent: Decimal = Field(Decimal(20), ge=Decimal("12.5"), le=200,
                                  description="fee increase per replacement, % (nodes require >= 12.5)")
    max_bumps: int = Field(3, ge=0, le=20, description="replacements of a stuck transaction before giving up")
    confirmation_blocks: int = Field(3, ge=1, le=1000, description="blocks to wait before bumping")
    confirmation_timeout: float = Field(60.0, gt=0, description="seconds to wait before bumping (or, with "
                                        "--once, for the receipt)")

    checkpoint_path: Path | None = Field(None, description="JSON file of the last block handled")
    metrics_port: int | None = Field(None, ge=0, le=65535, description="Prometheus port; None = off")
    metrics_host: str = "127.0.0.1"
    dry_run: bool = Field(False, description="simulate and log, never send")
    once: bool = Field(False, description="handle the current block, wait for the receipt, exit")
    min_balance_eth: Decimal = Field(Decimal("0.01"), ge=0, description="refuse to start below this balance")

    @field_validator("rpc_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"rpc_url must be an http:// or https:// URL; got {value!r}")
        return value

    @field_validator("pool")
    @classmethod
    def _pool_address(cls, value: str | None) -> str | None:
        return None if value is None else checked_address(value, "pool")

    @model_validator(mode="after")
    def _one_target(self) -> KeeperConfig:
        if (self.pool is None) == (self.manifest is None):
            raise ValueError("give exactly one of pool (an address) or manifest (deployments/<network>.json)")
        return self

    @property
    def max_fee_wei(self) -> int:
        return int(self.max_fee_gwei * GWEI)

    @property
    def priority_fee_wei(self) -> int | None:
        return None if self.priority_fee_gwei is None else int(self.priority_fee_gwei * GWEI)

    @property
    def min_balance_wei(self) -> int:
        return int(self.min_balance_eth * ETHER)

    def resolve(self) -> Target:
        """The pool and expected chain id, reading the manifest if one was given."""
        if self.pool is not None:
            return Target(self.pool, self.chain_id)
        path = Path(self.manifest)  # type: ignore[arg-type]
        if not path.is_file():
            raise KeeperConfigError(
                f"manifest {path} not found: deploy first (it is written by levtoken.deployment.deploy) "
                "or pass the pool address"
            )
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise KeeperConfigError(f"manifest {path} is not valid JSON: {exc}") from exc
        if not isinstance(data, dict) or "pool" not in data:
            raise KeeperConfigError(f"manifest {path} has no 'pool' entry")
        chain_id = self.chain_id if self.chain_id is not None else data.get("chain_id")
        return Target(checked_address(data["pool"], f"pool in {path}"), chain_id)
