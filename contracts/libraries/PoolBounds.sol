// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title PoolBounds
/// @notice The bounds of the pool-wide parameters, read by `PoolParameters` (as public constants) and by the
///         setters in `PoolAdmin`. The series' bounds are in `Series`.
library PoolBounds {
    /// @notice Floor ratio bounds (1%..100% of liabilities).
    uint256 internal constant MIN_FLOOR_RATIO = 0.01e18;
    uint256 internal constant MAX_FLOOR_RATIO = 1e18;
    /// @notice Oracle max price age bounds.
    uint256 internal constant MIN_PRICE_AGE = 1 minutes;
    uint256 internal constant MAX_PRICE_AGE = 2 days;
    /// @notice Health report interval bounds.
    uint256 internal constant MIN_HEALTH_INTERVAL = 5 minutes;
    uint256 internal constant MAX_HEALTH_INTERVAL = 1 days;
    /// @notice Keeper reward bounds, WAD value (per rebalance, per day).
    uint256 internal constant MAX_KEEPER_REWARD = 1_000e18;
    uint256 internal constant MAX_KEEPER_REWARD_DAILY = 100_000e18;
}
