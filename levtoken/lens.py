"""The `PoolLens.snapshot` layout: names of its values by position (`PoolModel.lens` returns the same), and
the decoder of its ABI output. Used by the fuzzers, the demo and anything that reads a pool in one call."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

POOL_FIELDS = (
    "poolAssets", "reserve", "liabilities", "netExposure", "floor", "markPrice", "totalAssets",
    "lpTotalSupply", "floorBreached", "lastHealthReport", "poolAssetBalance", "upkeepNeeded",
    "upkeepBitmap", "upkeepHealthDue", "maxDeposit", "timestamp",
)
ACCOUNT_FIELDS = ("assetBalance", "lpShares", "maxWithdraw", "maxRedeem")
SERIES_FIELDS = (
    "totalSupply", "equity", "exposure", "nav", "leverage", "rebalanceStatus", "stateEquity", "stateExposure",
    "stateMarkPrice", "settledAt", "lastRebalance", "knockedOut", "isLong",
    "previewMintSmall", "previewMintLarge", "previewRedeemHalf",  # previewMint(poolAssets/64, /4), previewRedeem(supply/2)
)
SIGNED = {"reserve", "netExposure"}
WORD = 2**256


@dataclass(frozen=True)
class LensLayout:
    n_accounts: int
    n_series: int

    @cached_property
    def names(self) -> tuple[str, ...]:
        out = list(POOL_FIELDS)
        for a in range(self.n_accounts):
            out += [f"account{a}.{f}" for f in ACCOUNT_FIELDS]
        for s in range(self.n_series):
            out += [f"series{s}.{f}" for f in SERIES_FIELDS]
            out += [f"series{s}.balance{a}" for a in range(self.n_accounts)]
        return tuple(out)

    def pool(self, field: str) -> int:
        return POOL_FIELDS.index(field)

    def account(self, a: int, field: str) -> int:
        return len(POOL_FIELDS) + a * len(ACCOUNT_FIELDS) + ACCOUNT_FIELDS.index(field)

    def series_base(self, s: int) -> int:
        return len(POOL_FIELDS) + self.n_accounts * len(ACCOUNT_FIELDS) + s * (len(SERIES_FIELDS) + self.n_accounts)

    def series(self, s: int, field: str) -> int:
        return self.series_base(s) + SERIES_FIELDS.index(field)

    def balance(self, s: int, a: int) -> int:
        return self.series_base(s) + len(SERIES_FIELDS) + a

    def diff(self, chain: list[int], model: list[int]) -> list[str]:
        """Readable differences between two snapshots (signed fields shown signed)."""
        lines = []
        if len(chain) != len(model):
            lines.append(f"length: chain {len(chain)} != model {len(model)}")
        for i, (c, m) in enumerate(zip(chain, model)):
            if c != m:
                name = self.names[i] if i < len(self.names) else f"[{i}]"
                lines.append(f"{name}: chain {signed(c) if _is_signed(name) else c} != model "
                             f"{signed(m) if _is_signed(name) else m}")
        return lines


def _is_signed(name: str) -> bool:
    return name in SIGNED


def signed(value: int) -> int:
    return value - WORD if value >= 2**255 else value


def decode_lens(output: bytes) -> tuple[list[int], int]:
    """(values, failed) from the ABI encoding of `(uint256[], uint256)`."""
    failed = int.from_bytes(output[32:64], "big")
    n = int.from_bytes(output[64:96], "big")
    return [int.from_bytes(output[96 + 32 * i: 128 + 32 * i], "big") for i in range(n)], failed
