"""levtoken.model: an exact integer mirror of the contracts (SPEC section 8).

`PoolModel` is one `ReservePool` with its `LeveragedToken`s, settlement asset and price feed; every
operation gives the same numbers, the same events and the same reverts (`ContractError` subclasses named
like the Solidity errors) as the chain. The package mirrors `contracts/` file for file: `pool`
(`ReservePool`), its modules `pool_admin`, `pool_orders` and `pool_lp_orders` (the ERC-7540 LP orders),
`base/` (its abstract bases), `libraries/` (`Series`, `SeriesMath`, `OraclePrice`, `OrderRounds`,
`LpShares`, `RebalancePolicy`), `leveraged_token`, `periphery/pool_lens`, `mocks/`, `interfaces` and `errors`; the
OpenZeppelin code the contracts run is in `oz/`, Solidity's checked arithmetic in `solidity`, and a
transaction's atomicity and events in `evm`. `levtoken.model.math` keeps the old flat names of the
libraries' functions.
"""

from . import errors
from .errors import ContractError, Panic, decode_error, error_by_name
from .interfaces import SeriesParams, SeriesState, Trigger
from .libraries.oracle_price import MAX_PRICE, Status, check, to_wad
from .libraries.rebalance_policy import drifted, fallback_due
from .libraries.series_math import (
    WAD,
    YEAR,
    claim_of,
    equity_at,
    exposure_for,
    fee_of,
    leverage,
    nav,
    scale_exposure,
    spread_cost,
    streaming_fee,
    tokens_for_mint,
)
from .mocks.mock_aggregator import MockAggregatorModel
from .oz.erc20 import ZERO_ADDRESS, Ledger
from .oz.math import mul_div
from .pool import Event, PoolModel, bytes32
from .solidity import INT256_MAX, UINT256_MAX

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
