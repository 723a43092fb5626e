"""levtoken.model: an exact integer mirror of the contracts (SPEC section 8).

`PoolModel` is one `ReservePool` with its `LeveragedToken`s, settlement asset and price feed; every
operation gives the same numbers, the same events and the same reverts (`ContractError` subclasses named
like the Solidity errors) as the chain. `levtoken.model.math` holds the libraries' functions
(`SeriesMath`, `RebalancePolicy`, `OraclePrice`) and OpenZeppelin's `mulDiv`/`SafeCast`.
"""

from . import errors
from .erc20 import ZERO_ADDRESS, Ledger
from .errors import ContractError, Panic, decode_error, error_by_name
from .math import (
    INT256_MAX,
    MAX_PRICE,
    UINT256_MAX,
    WAD,
    YEAR,
    Status,
    check,
    claim_of,
    drifted,
    equity_at,
    exposure_for,
    fallback_due,
    fee_of,
    leverage,
    mul_div,
    nav,
    scale_exposure,
    spread_cost,
    streaming_fee,
    to_wad,
    tokens_for_mint,
)
from .oracle import MockAggregatorModel
from .pool import Event, PoolModel, bytes32
from .series import SeriesParams, SeriesState, Trigger

__all__ = [
    "INT256_MAX",
    "MAX_PRICE",
    "UINT256_MAX",
    "WAD",
    "YEAR",
    "ZERO_ADDRESS",
    "ContractError",
    "Event",
    "Ledger",
    "MockAggregatorModel",
    "Panic",
    "PoolModel",
    "SeriesParams",
    "SeriesState",
    "Status",
    "Trigger",
    "bytes32",
    "check",
    "claim_of",
    "decode_error",
    "drifted",
    "equity_at",
    "error_by_name",
    "errors",
    "exposure_for",
    "fallback_due",
    "fee_of",
    "leverage",
    "mul_div",
    "nav",
    "scale_exposure",
    "spread_cost",
    "streaming_fee",
    "to_wad",
    "tokens_for_mint",
]
