// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IReservePool} from "../interfaces/IReservePool.sol";

/// @title RebalancePolicy
/// @notice Which rebalance trigger holds (SPEC section 5). Drift is checked first, then Fallback, so the
///         reported trigger is the most urgent one that holds. The Scheduled trigger slots in after
///         Fallback (its storage is reserved in `ReservePool`).
library RebalancePolicy {
    /// @notice The trigger that holds for a series, or `None`.
    /// @param lev Current real leverage (WAD, rounded down).
    /// @param minLeverage Lower band edge (0 disables the lower trigger).
    /// @param maxLeverage Upper band edge.
    /// @param fallbackInterval Seconds after the last rebalance at which a rebalance is due (0 = never).
    /// @param lastRebalance Timestamp of the last rebalance.
    function trigger(
        uint256 lev,
        uint256 minLeverage,
        uint256 maxLeverage,
        uint256 fallbackInterval,
        uint256 lastRebalance
    ) internal view returns (IReservePool.Trigger) {
        if (lev < minLeverage || lev > maxLeverage) return IReservePool.Trigger.Drift;
        if (fallbackInterval != 0 && block.timestamp >= lastRebalance + fallbackInterval) {
            return IReservePool.Trigger.Fallback;
        }
        return IReservePool.Trigger.None;
    }
}
