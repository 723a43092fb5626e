// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title RebalancePolicy
/// @notice The rebalance triggers of SPEC section 5. The pool checks Drift first, then Fallback, so the
///         reported trigger is the most urgent one that holds. The Scheduled trigger slots in after
///         Fallback (its storage is reserved in `ReservePool`).
library RebalancePolicy {
    /// @notice Drift: leverage `lev` (WAD, rounded down) is outside [`minLeverage`, `maxLeverage`];
    ///         `minLeverage` = 0 disables the lower edge.
    function drifted(uint256 lev, uint256 minLeverage, uint256 maxLeverage) internal pure returns (bool) {
        return lev < minLeverage || lev > maxLeverage;
    }

    /// @notice Fallback: `fallbackInterval` (seconds, 0 = never) has elapsed since `lastRebalance`.
    function fallbackDue(uint256 fallbackInterval, uint256 lastRebalance) internal view returns (bool) {
        return fallbackInterval != 0 && block.timestamp >= lastRebalance + fallbackInterval;
    }
}
