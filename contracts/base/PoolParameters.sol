// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IReservePool} from "../interfaces/IReservePool.sol";
import {Series} from "../libraries/Series.sol";
import {PoolStorage} from "./PoolStorage.sol";

/// @title PoolParameters
/// @notice The pool-wide parameters (floor ratio, oracle max age, health interval, keeper reward), their
///         bounded owner-only setters, and the pause. Each setter emits `ParametersUpdated`.
/// @dev The parameters share one slot with the health timestamp and the floor flag, so the oracle read of
///      every operation also loads the floor ratio and the keeper reward; the daily reward accounting has
///      the next slot.
abstract contract PoolParameters is Ownable2Step, Pausable, ReentrancyGuardTransient, PoolStorage, IReservePool {
    using SafeCast for uint256;

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
    uint256 public constant MIN_FLOOR_RATIO = 0.01e18;
    uint256 public constant MAX_FLOOR_RATIO = 1e18;
    /// @notice Oracle max price age bounds.
    uint256 public constant MIN_PRICE_AGE = 1 minutes;
    uint256 public constant MAX_PRICE_AGE = 2 days;
    /// @notice Health report interval bounds.
    uint256 public constant MIN_HEALTH_INTERVAL = 5 minutes;
    uint256 public constant MAX_HEALTH_INTERVAL = 1 days;
    /// @notice Keeper reward bounds, WAD value (per rebalance, per day).
    uint256 public constant MAX_KEEPER_REWARD = 1_000e18;
    uint256 public constant MAX_KEEPER_REWARD_DAILY = 100_000e18;

    constructor() {
        floorRatio = 0.1e18;
        maxPriceAge = 1 hours;
        healthInterval = 1 hours;
    }

    /// @notice Sets the floor ratio (WAD, 1%..100% of liabilities).
    /// @param ratio New floor ratio.
    function setFloorRatio(uint256 ratio) external onlyOwner {
        Series.checkBounds("floorRatio", ratio, MIN_FLOOR_RATIO, MAX_FLOOR_RATIO);
        floorRatio = uint64(ratio);
        emit ParametersUpdated(address(this), "floorRatio", ratio);
    }

    /// @notice Sets the oracle's max price age (seconds, 1 min..2 days).
    /// @param age New max age.
    function setMaxPriceAge(uint256 age) external onlyOwner {
        Series.checkBounds("maxPriceAge", age, MIN_PRICE_AGE, MAX_PRICE_AGE);
        maxPriceAge = uint32(age);
        emit ParametersUpdated(address(this), "maxPriceAge", age);
    }

    /// @notice Sets the minimum interval between health reports (seconds, 5 min..1 day).
    /// @param interval New interval.
    function setHealthInterval(uint256 interval) external onlyOwner {
        Series.checkBounds("healthInterval", interval, MIN_HEALTH_INTERVAL, MAX_HEALTH_INTERVAL);
        healthInterval = uint32(interval);
        emit ParametersUpdated(address(this), "healthInterval", interval);
    }

    /// @notice Sets the keeper reward per rebalance and its daily cap (asset units; 0 disables).
    /// @param reward Reward per successful rebalance (at most 1,000 units of the asset).
    /// @param dailyCap Most paid per UTC day (at least `reward`, at most 100,000 units of the asset).
    function setKeeperReward(uint256 reward, uint256 dailyCap) external onlyOwner {
        uint256 scale = _assetScale();
        Series.checkBounds("keeperReward", reward, 0, MAX_KEEPER_REWARD / scale);
        Series.checkBounds("keeperRewardDailyCap", dailyCap, reward, MAX_KEEPER_REWARD_DAILY / scale);
        keeperReward = uint80(reward);
        keeperRewardDailyCap = uint96(dailyCap);
        emit ParametersUpdated(address(this), "keeperReward", reward);
        emit ParametersUpdated(address(this), "keeperRewardDailyCap", dailyCap);
    }

    /// @notice Pauses mints and exposure-increasing rebalances (redemptions are never paused).
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Lifts the pause.
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @dev 10**(18 - asset decimals): asset units -> WAD.
    function _assetScale() internal view virtual returns (uint256);

    /// @dev The keeper reward due now (asset units, 0 if none): the flat reward within what is left of
    ///      today's cap, and only if paying it keeps the reserve `r` (WAD) at or above the floor `fl`. Records
    ///      the payment against today's cap; the caller pays it.
    function _takeKeeperReward(int256 r, uint256 fl) internal returns (uint256 reward) {
        reward = keeperReward;
        if (reward == 0) return 0;
        uint256 day = block.timestamp / 1 days;
        uint256 paid = _rewardDay == day ? _rewardPaidToday : 0;
        uint256 cap = keeperRewardDailyCap;
        if (paid >= cap) return 0;
        if (reward > cap - paid) reward = cap - paid;
        if (r - (reward * _assetScale()).toInt256() < fl.toInt256()) return 0;
        _rewardDay = uint32(day);
        _rewardPaidToday = uint96(paid + reward);
    }

    /// @dev Whether a health report is due.
    function _healthDue() internal view returns (bool) {
        uint256 last = lastHealthReport;
        return last == 0 || block.timestamp >= last + healthInterval;
    }
}
