// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AutomationCompatibleInterface} from
    "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";
import {Series} from "../libraries/Series.sol";
import {IReservePool} from "../interfaces/IReservePool.sol";
import {PoolParameters} from "./PoolParameters.sol";

/// @title PoolAutomation
/// @notice Chainlink Automation for the pool (SPEC section 7): `checkUpkeep` flags every series whose
///         rebalance would succeed now (the same decision as `rebalance()` and `rebalanceStatus()`) and a
///         due health report; `performUpkeep` re-validates and does them, each series in an isolated
///         self-call so that one failure never blocks the others; and `reportHealth` for anyone else.
abstract contract PoolAutomation is PoolParameters, AutomationCompatibleInterface {
    modifier onlySelf() {
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        _;
    }

    /// @inheritdoc IReservePool
    function reportHealth() external nonReentrant {
        if (!_healthDue()) revert HealthReportTooSoon(lastHealthReport + healthInterval);
        _reportHealth(_price());
    }

    /// @notice Which series need a rebalance (or a knock-out settlement) and whether a health report is due.
    /// @dev Never reverts. `performData` = abi.encode(uint256 seriesBitmap, bool healthDue).
    /// @return upkeepNeeded True if `performUpkeep` has something to do.
    /// @return performData The bitmap of series (bit i = `series()[i]`) and the health flag.
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        (bool ok, uint256 p) = _priceUsable();
        if (!ok) return (false, "");
        uint256 bitmap;
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            if (_status(_book[i], p) != Trigger.None) bitmap |= 1 << i;
        }
        bool healthDue = _healthDue();
        return (bitmap != 0 || healthDue, abi.encode(bitmap, healthDue));
    }

    /// @notice Rebalances the series flagged in `performData` and reports health if due, re-validating
    ///         everything. A series that cannot be rebalanced emits `UpkeepFailed` and the others go on;
    ///         reverts with `NoUpkeepNeeded` if nothing at all succeeded.
    /// @param performData abi.encode(uint256 seriesBitmap, bool healthDue), as from `checkUpkeep`.
    function performUpkeep(bytes calldata performData) external {
        (uint256 bitmap, bool healthDue) = abi.decode(performData, (uint256, bool));
        uint256 done;
        uint256 n = _seriesCount;
        for (uint256 i; i < n && bitmap >> i != 0; ++i) {
            if (bitmap & (1 << i) == 0) continue;
            address token = _book[i].token;
            try this.upkeepRebalance(token, msg.sender) {
                ++done;
            } catch (bytes memory reason) {
                emit UpkeepFailed(token, reason);
            }
        }
        if (healthDue && _healthDue()) {
            _reportHealth(_price());
            ++done;
        }
        if (done == 0) {
            _price(); // an unusable oracle is why nothing succeeded: revert with its cause
            revert NoUpkeepNeeded();
        }
    }

    /// @notice `performUpkeep`'s isolated rebalance of one series (so one failure never blocks another).
    /// @param token The series.
    /// @param keeper Receiver of the keeper reward.
    /// @return trigger The trigger that fired.
    function upkeepRebalance(address token, address keeper) external onlySelf nonReentrant returns (uint8) {
        return uint8(_rebalance(token, _seriesOf(token), keeper, IERC20(token).totalSupply()));
    }

    /// @dev The trigger a rebalance of the series at `p` would fire, `None` if it would revert.
    function _status(Series.State storage s, uint256 p) internal view virtual returns (Trigger);

    /// @dev Rebalances the series (reverts when `_status` would say `None`).
    function _rebalance(address token, Series.State storage s, address keeper, uint256 supply)
        internal
        virtual
        returns (Trigger);
}
