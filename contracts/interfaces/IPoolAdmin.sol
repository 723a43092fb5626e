// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISeriesOrders} from "./ISeriesOrders.sol";
import {IReservePoolBase} from "./IReservePoolBase.sol";

/// @title IPoolAdmin
/// @notice The owner's functions of a reserve pool: creating series and setting their and the pool's
///         parameters. `ReservePool` declares them (only its owner may call them) and runs their code from
///         its admin module `PoolAdmin` by delegatecall, so they act on the pool's storage and emit the
///         pool's events.
interface IPoolAdmin is IReservePoolBase {
    /// @notice A `PoolAdmin` function was called on the module itself, not through its pool.
    error NotDelegated();

    /// @notice Creates a series and its token.
    /// @param name Token name.
    /// @param symbol Token symbol (e.g. ETH3L).
    /// @param isLong True for a long series, false for a short one.
    /// @param initialNav NAV per token at the first mint, WAD.
    /// @param params Rebalance policy and fees (bounded; see `setSeriesParams`).
    /// @return token The new series token.
    function createSeries(
        string calldata name,
        string calldata symbol,
        bool isLong,
        uint256 initialNav,
        SeriesParams calldata params
    ) external returns (address token);

    /// @notice Sets the policy and fees of a series, after settling it at the current price so that a new
    ///         streaming fee never applies to time already elapsed. Emits `ParametersUpdated` per change.
    /// @param token The series.
    /// @param params New policy and fees: 1x < min < target < max <= 10x (or min = 0), fees and spread
    ///        capped, fallback 0 or 1 h..7 d.
    function setSeriesParams(address token, SeriesParams calldata params) external;

    /// @notice Sets the floor ratio (WAD, 1%..100% of liabilities).
    /// @param ratio New floor ratio.
    function setFloorRatio(uint256 ratio) external;

    /// @notice Sets the oracle's max price age (seconds, 1 min..2 days).
    /// @param age New max age.
    function setMaxPriceAge(uint256 age) external;

    /// @notice Sets the minimum interval between health reports (seconds, 5 min..1 day).
    /// @param interval New interval.
    function setHealthInterval(uint256 interval) external;

    /// @notice Sets the utilization cap u (WAD, 10%..1,000x; default 5x): a mint or an exposure-increasing rebalance that
    ///         would raise |net exposure|·P above u·reserve is refused, and LP withdrawals keep
    ///         |net exposure|·P <= u·reserve.
    /// @param cap New cap.
    function setMaxUtilization(uint256 cap) external;

    /// @notice Sets the smallest notional |Δx|·P (WAD value, at most 10 units) a rebalance may trade; a
    ///         smaller one reverts `RebalanceTooSmall` and is never flagged to keepers.
    /// @param notional New minimum.
    function setMinTradeNotional(uint256 notional) external;

    /// @notice Retires a knocked-out series, freeing its slot for `createSeries`; the last series takes its
    ///         place in `series()`. Its tokens are worth nothing (a knocked-out series has no equity), so no
    ///         holder loses anything, whatever the supply.
    /// @param token The series.
    function retireSeries(address token) external;

    /// @notice Sets the order parameters of every series (SPEC section 3a) and of those created later.
    /// @param params `minDelay` 12 s..1 h, `maxOrderAge` 1 h..7 d, `executionFee` at most 10 units of the
    ///        asset, `minMintAssets` at most 100,000 units (asset units).
    function setOrderParams(ISeriesOrders.OrderParams calldata params) external;

    /// @notice Sets the keeper reward per rebalance and its daily cap (asset units; 0 disables).
    /// @param reward Reward per successful rebalance (at most 1,000 units of the asset).
    /// @param dailyCap Most paid per UTC day (at least `reward`, at most 100,000 units of the asset).
    function setKeeperReward(uint256 reward, uint256 dailyCap) external;
}
