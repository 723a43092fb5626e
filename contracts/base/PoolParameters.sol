// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IReservePool} from "../interfaces/IReservePool.sol";
import {Series} from "../libraries/Series.sol";
import {PoolBounds} from "../libraries/PoolBounds.sol";
import {ReserveBook} from "./ReserveBook.sol";
import {ISeriesOrders} from "../interfaces/ISeriesOrders.sol";

/// @title PoolParameters
/// @notice The pool's owner (OZ `Ownable2Step`), its pause (OZ `Pausable`: mints and exposure increases;
///         redemptions are never paused), the reentrancy guard, the pool-wide parameters' defaults and every
///         parameter bound. The bounded setters are the admin module's (`PoolAdmin`); the bounds are here
///         so that both read one definition.
abstract contract PoolParameters is Ownable2Step, Pausable, ReentrancyGuardTransient, ReserveBook, IReservePool {
    /// @notice Highest allowed max leverage (10x).
    uint256 public constant MAX_LEVERAGE = Series.MAX_LEVERAGE;
    /// @notice Highest mint or redeem fee (1%).
    uint256 public constant MAX_TRADE_FEE = Series.MAX_TRADE_FEE;
    /// @notice Highest rebalance spread (1%).
    uint256 public constant MAX_SPREAD = Series.MAX_SPREAD;
    /// @notice Highest streaming fee (10% a year).
    uint256 public constant MAX_STREAMING_FEE = Series.MAX_STREAMING_FEE;
    /// @notice Fallback interval bounds (0 disables the trigger).
    uint256 public constant MIN_FALLBACK = Series.MIN_FALLBACK;
    uint256 public constant MAX_FALLBACK = Series.MAX_FALLBACK;
    /// @notice Initial NAV per token bounds (WAD).
    uint256 public constant MIN_INITIAL_NAV = Series.MIN_INITIAL_NAV;
    uint256 public constant MAX_INITIAL_NAV = Series.MAX_INITIAL_NAV;
    /// @notice Floor ratio bounds (1%..100% of liabilities).
    uint256 public constant MIN_FLOOR_RATIO = PoolBounds.MIN_FLOOR_RATIO;
    uint256 public constant MAX_FLOOR_RATIO = PoolBounds.MAX_FLOOR_RATIO;
    /// @notice Oracle max price age bounds.
    uint256 public constant MIN_PRICE_AGE = PoolBounds.MIN_PRICE_AGE;
    uint256 public constant MAX_PRICE_AGE = PoolBounds.MAX_PRICE_AGE;
    /// @notice Health report interval bounds.
    uint256 public constant MIN_HEALTH_INTERVAL = PoolBounds.MIN_HEALTH_INTERVAL;
    uint256 public constant MAX_HEALTH_INTERVAL = PoolBounds.MAX_HEALTH_INTERVAL;
    /// @notice Utilization cap bounds (WAD).
    uint256 public constant MIN_UTILIZATION_CAP = PoolBounds.MIN_UTILIZATION_CAP;
    uint256 public constant MAX_UTILIZATION_CAP = PoolBounds.MAX_UTILIZATION_CAP;
    /// @notice Highest minimum rebalance notional, WAD value.
    uint256 public constant MAX_MIN_TRADE_NOTIONAL = PoolBounds.MAX_MIN_TRADE_NOTIONAL;
    /// @notice Keeper reward bounds, WAD value (per rebalance, per day).
    uint256 public constant MAX_KEEPER_REWARD = PoolBounds.MAX_KEEPER_REWARD;
    uint256 public constant MAX_KEEPER_REWARD_DAILY = PoolBounds.MAX_KEEPER_REWARD_DAILY;

    constructor() {
        floorRatio = 0.1e18;
        maxPriceAge = 1 hours;
        healthInterval = 1 hours;
        maxUtilization = uint80(PoolBounds.DEFAULT_UTILIZATION_CAP);
        minTradeNotional = 1e18;
        _orderParams = ISeriesOrders.OrderParams({
            minDelay: uint32(PoolBounds.DEFAULT_ORDER_DELAY),
            maxOrderAge: uint32(PoolBounds.DEFAULT_ORDER_AGE),
            executionFee: 0,
            minMintAssets: uint128(PoolBounds.DEFAULT_MIN_MINT / _assetScale())
        });
    }

    /// @notice Pauses mints and exposure-increasing rebalances (redemptions are never paused).
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Lifts the pause.
    function unpause() external onlyOwner {
        _unpause();
    }
}
