// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AutomationCompatibleInterface} from
    "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";
import {Series} from "../libraries/Series.sol";
import {IReservePool} from "../interfaces/IReservePool.sol";
import {ISeriesOrders} from "../interfaces/ISeriesOrders.sol";
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

    /// @notice Most orders per queue one `performUpkeep` executes for a series (the rest: the next upkeep).
    uint256 public constant MAX_UPKEEP_ORDERS = 50;

    /// @notice Which series have orders to execute (and at which round), which need a rebalance (or a
    ///         knock-out settlement), and whether a health report is due.
    /// @dev Never reverts. Empty `performData` when the oracle is unusable and no order is due; else
    ///      abi.encode(uint256 seriesBitmap, bool healthDue, uint80[] rounds):
    ///      `rounds[i]` != 0 is the round series i's orders execute at (`pendingRound`; empty when none is
    ///      due). A series with due orders is not flagged for a rebalance: it settles nowhere else first.
    /// @return upkeepNeeded True if `performUpkeep` has something to do.
    /// @return performData The bitmap of series (bit i = `series()[i]`), the health flag and the rounds.
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        (bool ok, uint256 p, uint256 at) = _priceUsable();
        uint256 bitmap;
        uint256 n = _seriesCount;
        uint80[] memory rounds = new uint80[](n);
        bool orders;
        for (uint256 i; i < n; ++i) {
            Series.State storage s = _book[i];
            uint80 r = ISeriesOrders(s.token).pendingRound();
            if (r != 0) (rounds[i], orders) = (r, true);
            else if (ok && _status(s, p, at) != Trigger.None) bitmap |= 1 << i;
        }
        if (!orders) {
            if (!ok) return (false, ""); // an unusable oracle and no order: nothing to do, nothing to say
            rounds = new uint80[](0);
        }
        bool healthDue = ok && _healthDue();
        return (bitmap != 0 || healthDue || orders, abi.encode(bitmap, healthDue, rounds));
    }

    /// @notice Executes the orders and rebalances the series flagged in `performData`, and reports health if
    ///         due, re-validating everything. A series that cannot be served emits `UpkeepFailed` and the
    ///         others go on; reverts with `NoUpkeepNeeded` if nothing at all succeeded. Execution fees go to
    ///         the caller, like the keeper reward.
    /// @param performData abi.encode(uint256 seriesBitmap, bool healthDue, uint80[] rounds), as from
    ///        `checkUpkeep`.
    function performUpkeep(bytes calldata performData) external {
        (uint256 bitmap, bool healthDue, uint80[] memory rounds) = abi.decode(performData, (uint256, bool, uint80[]));
        uint256 done;
        uint256 n = _seriesCount;
        for (uint256 i; i < rounds.length && i < n; ++i) {
            if (rounds[i] == 0) continue;
            address token = _book[i].token;
            try ISeriesOrders(token).executeOrdersFor(rounds[i], MAX_UPKEEP_ORDERS, msg.sender) {
                ++done;
            } catch (bytes memory reason) {
                emit UpkeepFailed(token, reason);
            }
        }
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

    /// @dev The trigger a rebalance of the series at `p` (the round updated at `at`) would fire, `None` if it
    ///      would revert.
    function _status(Series.State storage s, uint256 p, uint256 at) internal view virtual returns (Trigger);

    /// @dev Rebalances the series (reverts when `_status` would say `None`).
    function _rebalance(address token, Series.State storage s, address keeper, uint256 supply)
        internal
        virtual
        returns (Trigger);
}
