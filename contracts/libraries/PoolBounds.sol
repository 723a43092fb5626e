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
    /// @notice Utilization cap bounds (|net exposure|·P from 10% to 1,000x of the reserve) and default (5x:
    ///         an adverse move of 20% in the underlying costs the reserve at most all of itself).
    uint256 internal constant MIN_UTILIZATION_CAP = 0.1e18;
    uint256 internal constant MAX_UTILIZATION_CAP = 1_000e18;
    uint256 internal constant DEFAULT_UTILIZATION_CAP = 5e18;
    /// @notice Highest minimum rebalance notional, WAD value (10 units of the asset).
    uint256 internal constant MAX_MIN_TRADE_NOTIONAL = 10e18;
    /// @notice Keeper reward bounds, WAD value (per rebalance, per day).
    uint256 internal constant MAX_KEEPER_REWARD = 1_000e18;
    uint256 internal constant MAX_KEEPER_REWARD_DAILY = 100_000e18;
    /// @notice Order delay bounds (seconds between a request and the earliest round that can price it).
    uint256 internal constant MIN_ORDER_DELAY = 12;
    uint256 internal constant MAX_ORDER_DELAY = 1 hours;
    uint256 internal constant DEFAULT_ORDER_DELAY = 60;
    /// @notice Order age bounds (seconds without a usable round after which an order expires).
    uint256 internal constant MIN_ORDER_AGE = 1 hours;
    uint256 internal constant MAX_ORDER_AGE = 7 days;
    uint256 internal constant DEFAULT_ORDER_AGE = 1 days;
    /// @notice Highest execution fee per order, WAD value (10 units of the asset).
    uint256 internal constant MAX_EXECUTION_FEE = 10e18;
    /// @notice Highest minimum mint order, WAD value (100,000 units), and the default (10 units).
    uint256 internal constant MAX_MIN_MINT = 100_000e18;
    uint256 internal constant DEFAULT_MIN_MINT = 10e18;
}
