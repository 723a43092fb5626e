// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AutomationCompatibleInterface} from
    "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";
import {Series} from "../libraries/Series.sol";
import {IReservePool} from "../interfaces/IReservePool.sol";
import {ISeriesOrders} from "../interfaces/ISeriesOrders.sol";
import {ILpOrders} from "../interfaces/ILpOrders.sol";
import {PoolParameters} from "./PoolParameters.sol";

/// @title PoolAutomation
/// @notice Chainlink Automation for the pool (SPEC section 7): `performUpkeep` re-validates and does what
///         `checkUpkeep` found (its code is the LP orders module's, `PoolLpOrders.checkUpkeep`, reached through
///         the pool's stub: it is off-chain work, and the pool's code size has no room for it), each series in
///         an isolated self-call so that one failure never blocks the others; and `reportHealth` for anyone else.
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

    /// @notice Executes the orders and rebalances the series flagged in `performData`, then the LP orders
    ///         (before the first series batch of a later round than theirs: it waits for them; a failed early
    ///         attempt is retried after the rebalances), and reports health if due, re-validating everything. A part that cannot be served emits
    ///         `UpkeepFailed` (the pool's own address for the LP orders) and the others go on; reverts with
    ///         `NoUpkeepNeeded` if nothing at all succeeded. Execution fees go to the caller, like the keeper
    ///         reward.
    /// @param performData abi.encode(uint256 seriesBitmap, bool healthDue, uint80[] rounds, uint80 lpRound), as
    ///        from `checkUpkeep`.
    function performUpkeep(bytes calldata performData) external {
        (uint256 bitmap, bool healthDue, uint80[] memory rounds, uint80 lpRound) =
            abi.decode(performData, (uint256, bool, uint80[], uint80));
        uint256 done;
        uint256 n = _seriesCount;
        for (uint256 i; i < rounds.length && i < n; ++i) {
            if (rounds[i] == 0) continue;
            // LP orders of an earlier round than this batch's go first (the batch waits for them).
            if (lpRound != 0 && lpRound < rounds[i] && _upkeepLpOrders(lpRound) != 0) (lpRound, done) = (0, done + 1);
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
        if (lpRound != 0) done += _upkeepLpOrders(lpRound);
        if (healthDue && _healthDue()) {
            _reportHealth(_price());
            ++done;
        }
        if (done == 0) {
            _price(); // an unusable oracle is why nothing succeeded: revert with its cause
            revert NoUpkeepNeeded();
        }
    }

    /// @dev The LP orders of round `lpRound` for `performUpkeep` (1 if they went, else `UpkeepFailed`).
    function _upkeepLpOrders(uint80 lpRound) private returns (uint256) {
        try ILpOrders(address(this)).executeLpOrdersFor(lpRound, MAX_UPKEEP_ORDERS, msg.sender) {
            return 1;
        } catch (bytes memory reason) {
            emit UpkeepFailed(address(this), reason);
            return 0;
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
