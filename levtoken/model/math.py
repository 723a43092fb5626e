"""The libraries' functions and OpenZeppelin's `mulDiv`/`SafeCast` under the names this module has always
had; each now lives where its Solidity counterpart does (`libraries.series_math`,
`libraries.rebalance_policy`, `libraries.oracle_price`, `oz.math`, `oz.safe_cast`, `solidity`)."""
# ruff: noqa: F401

from .libraries.oracle_price import FUTURE_PRICE, INCOMPLETE_ROUND, INVALID_PRICE, MAX_PRICE, OK, STALE_PRICE
from .libraries.oracle_price import Status, check, to_wad
from .libraries.rebalance_policy import drifted, fallback_due
from .libraries.series_math import WAD, WAD_YEAR, YEAR, claim_of, equity_at, exposure_for, fee_of, leverage
from .libraries.series_math import nav, scale_exposure, spread_cost, streaming_fee, tokens_for_mint
from .oz.math import mul_div
from .oz.safe_cast import to_int256, to_uint112, to_uint128
from .solidity import INT256_MAX, UINT256_MAX, checked_add, checked_mul, checked_sub, sdiv
from .solidity import U112 as UINT112_MAX
from .solidity import U128 as UINT128_MAX
