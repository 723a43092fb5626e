// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title LpShares
/// @notice The LP share price (OpenZeppelin ERC-4626 with a decimals offset of 6: 10**6 virtual shares and
///         1 virtual asset, the inflation-attack defence), at any reserve: the vault's conversions use the
///         current one, an LP order batch the one at its round.
library LpShares {
    /// @dev 10 ** `_decimalsOffset()`.
    uint256 internal constant VIRTUAL_SHARES = 10 ** 6;

    /// @dev Shares worth `assets` when the vault holds `totalAssets` for `supply` shares.
    function toShares(uint256 assets, uint256 totalAssets, uint256 supply, Math.Rounding rounding)
        internal
        pure
        returns (uint256)
    {
        return Math.mulDiv(assets, supply + VIRTUAL_SHARES, totalAssets + 1, rounding);
    }

    /// @dev Assets worth `shares` when the vault holds `totalAssets` for `supply` shares.
    function toAssets(uint256 shares, uint256 totalAssets, uint256 supply, Math.Rounding rounding)
        internal
        pure
        returns (uint256)
    {
        return Math.mulDiv(shares, totalAssets + 1, supply + VIRTUAL_SHARES, rounding);
    }
}
