"""`libraries/LpShares.sol`: the LP share price (OpenZeppelin ERC-4626 with a decimals offset of 6: 10**6
virtual shares and 1 virtual asset, the inflation-attack defence), at any reserve: the vault's conversions
use the current one, an LP order batch the one at its round."""

from __future__ import annotations

from ..oz.math import mul_div

VIRTUAL_SHARES = 10**6  # 10 ** `_decimalsOffset()`


def to_shares(assets: int, total_assets: int, supply: int, ceil: bool = False) -> int:
    """`LpShares.toShares`: shares worth `assets` when the vault holds `total_assets` for `supply` shares."""
    return mul_div(assets, supply + VIRTUAL_SHARES, total_assets + 1, ceil)


def to_assets(shares: int, total_assets: int, supply: int, ceil: bool = False) -> int:
    """`LpShares.toAssets`: assets worth `shares` when the vault holds `total_assets` for `supply` shares."""
    return mul_div(shares, total_assets + 1, supply + VIRTUAL_SHARES, ceil)
