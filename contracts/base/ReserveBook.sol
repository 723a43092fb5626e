// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Series} from "../libraries/Series.sol";
import {Liabilities} from "../libraries/Liabilities.sol";
import {OrderRounds} from "../libraries/OrderRounds.sol";
import {PoolMath} from "../libraries/PoolMath.sol";
import {OracleReader} from "./OracleReader.sol";

/// @title ReserveBook
/// @notice The pool's accounts (SPEC section 4): the book of series, the assets the pool holds, and what
///         follows from them at a price: liabilities, reserve, floor, net exposure, health, the keeper
///         reward's daily cap. Internal functions only, shared by `ReservePool` and its admin module; the
///         views over them are `PoolViews`.
/// @dev Reserve R = poolAssets - liabilities, liabilities = sum of the series' equities at the mark price.
///      The pool counts the assets it was given (`_poolAssets`), never its balance, so a direct transfer
///      changes nothing.
abstract contract ReserveBook is OracleReader {
    using SafeCast for uint256;
    using Series for Series.State;
    using Liabilities for Liabilities.State;

    uint256 internal constant WAD = 1e18;

    uint256 private immutable _scale; // 10**(18 - asset decimals): asset units -> WAD

    /// @param assetDecimals Decimals of the settlement asset (at most 18).
    constructor(uint8 assetDecimals) {
        if (assetDecimals > 18) revert UnsupportedDecimals(assetDecimals);
        _scale = 10 ** (18 - assetDecimals);
    }

    // =================================================================== state changes

    /// @dev Settles the series at `p` (see `Series.settle`) and books the change in the aggregates.
    function _settle(address token, Series.State storage s, uint256 p, uint256 supply) internal returns (uint256 equity) {
        (int256 c0, int256 sx0) = s.terms();
        equity = s.settle(token, p, supply);
        _commit(s, c0, sx0, p);
    }

    /// @dev Books a change of series `s` from terms (`c0`, `sx0`) in the aggregates. If `p` is then outside
    ///      the frontiers, they are recomputed tightly from every series (the only loop over the series on a
    ///      state change; it runs when a series nears or passes its knock-out price).
    function _commit(Series.State storage s, int256 c0, int256 sx0, uint256 p) internal {
        (int256 c1, int256 sx1) = s.terms();
        _aggregates.update(c0, sx0, c1, sx1, s.equity, s.exposure, s.markPrice, s.isLong);
        (bool inside,) = _aggregates.totalWad2(p);
        if (inside) return;
        uint256 longK;
        uint256 shortK = type(uint256).max;
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            Series.State storage t = _book[i];
            uint256 x = t.exposure;
            if (x == 0) continue;
            if (t.isLong) longK = Math.max(longK, Liabilities.longKnockOut(t.equity, x, t.markPrice));
            else shortK = Math.min(shortK, Liabilities.shortKnockOut(t.equity, x, t.markPrice));
        }
        _aggregates.setFrontiers(longK, shortK);
    }

    /// @dev Emits a floor flip as seen with `pooled` assets at price `p` (0: the views' valuation).
    function _syncFloorAt(uint256 pooled, uint256 p) internal {
        (int256 r, uint256 fl) = _reserveAndFloor(pooled, _liabilities(p));
        _syncFloor(r, fl);
    }

    /// @dev Emits `ReserveFloorBreached` / `ReserveFloorRestored` when the floor state flips.
    function _syncFloor(int256 r, uint256 fl) internal {
        bool breached = r < fl.toInt256();
        if (breached == floorBreached) return;
        floorBreached = breached;
        if (breached) emit ReserveFloorBreached(r, fl);
        else emit ReserveFloorRestored(r, fl);
    }

    /// @dev Whether an LP order that has not met its round is due before time `t`.
    function _lpDueBefore(uint256 t) internal view returns (bool) {
        uint256 due = _lpQueues.nextDue;
        return due != 0 && due < t;
    }

    /// @dev Whether an LP order is due at a round before the latest one (updated at `at`): it executes before
    ///      any settlement at the latest round (SPEC 3a); LP orders due at the latest round come after its series
    ///      orders and rebalances.
    function _lpOrdersFirst(uint256 at) internal view returns (bool) {
        if (!_lpDueBefore(at)) return false;
        (uint80 latest,,,,) = oracle.latestRoundData();
        (uint256 prev,) = OrderRounds.prevAt(oracle, _feedDecimals(), latest);
        return _lpDueBefore(prev);
    }

    function _reportHealth(uint256 p) internal {
        uint256 total = _liabilities(p);
        (int256 r, uint256 fl) = _reserveAndFloor(_poolAssets, total);
        int256 net = _netExposure(p);
        int256 coverage = total == 0 ? type(int256).max : r * int256(WAD) / total.toInt256();
        uint256 utilization = _utilization(net, p, r);
        lastHealthReport = uint40(block.timestamp);
        _syncFloor(r, fl);
        emit ReserveHealth(r, total, coverage, utilization, r - fl.toInt256(), net, p);
    }

    // =================================================================== valuation

    /// @dev Liabilities at `p`, WAD rounded down: Σ max(0, E_i(p)) before the streaming fee accrued since each
    ///      series' last settlement (that fee is the holders' until it settles).
    function _liabilities(uint256 p) internal view returns (uint256) {
        return Liabilities.toWad(_liabilitiesWad2(p));
    }

    /// @dev Liabilities at `p` in WAD², exact: from the aggregates when `p` is inside the frontiers, else the
    ///      sum over the series (`p` = 0: each at its own mark price).
    function _liabilitiesWad2(uint256 p) internal view returns (uint256 total) {
        bool inside;
        (inside, total) = _aggregates.totalWad2(p);
        if (inside) return total;
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            total += _book[i].equityWad2(p);
        }
    }

    /// @dev Liabilities at `p` in WAD², exact, while series `s` has changed in storage since the aggregates
    ///      booked it with terms (`c0`, `sx0`) (an operation books once, at its end).
    function _liabilitiesWad2(uint256 p, Series.State storage s, int256 c0, int256 sx0)
        internal
        view
        returns (uint256 total)
    {
        bool inside;
        (inside, total) = _aggregates.totalWad2(p);
        if (!inside) return _liabilitiesWad2(p); // summed from storage, which is current
        return total - uint256(c0 + sx0 * int256(p)) + s.equityWad2(p); // inside: the old term was positive
    }

    /// @dev Net exposure at `p`: Σ s_i·x_i over the series with equity left (a dead series exposes no one).
    function _netExposure(uint256 p) internal view returns (int256 net) {
        (bool inside,) = _aggregates.totalWad2(p);
        if (inside) return _aggregates.exposureSum;
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            Series.State storage s = _book[i];
            if (s.equityWad2(p) == 0) continue;
            (, int256 sx) = s.terms();
            net += sx;
        }
    }

    /// @dev |net|·p / r (WAD, rounded down; `PoolMath.utilization`).
    function _utilization(int256 net, uint256 p, int256 r) internal pure returns (uint256) {
        return PoolMath.utilization(net, p, r);
    }

    /// @dev Whether moving net exposure from `netBefore` to `netAfter` breaks the utilization cap at `p` with
    ///      reserve `r` (`PoolMath.overCap` with the pool's cap).
    function _overCap(int256 netBefore, int256 netAfter, uint256 p, int256 r) internal view returns (bool) {
        return PoolMath.overCap(netBefore, netAfter, p, r, maxUtilization);
    }

    /// @dev Reverts `UtilizationCapExceeded` with what net exposure `net` at `p` would make of reserve `r`.
    function _revertOverCap(int256 net, uint256 p, int256 r) internal view {
        revert UtilizationCapExceeded(_utilization(net, p, r), maxUtilization);
    }

    function _reserveAt(uint256 p) internal view returns (int256 r) {
        (r,) = _reserveAndFloor(_poolAssets, _liabilities(p));
    }

    /// @dev Reserve = pooled*scale - liabilities (WAD) and floor = ceil(floorRatio*liabilities) (`PoolMath`).
    function _reserveAndFloor(uint256 pooled, uint256 totalLiabilities) internal view returns (int256 r, uint256 fl) {
        r = PoolMath.reserveOf(pooled * _scale, totalLiabilities);
        fl = _floorOf(totalLiabilities);
    }

    function _floorOf(uint256 totalLiabilities) internal view returns (uint256) {
        return PoolMath.floorOf(totalLiabilities, floorRatio);
    }

    /// @dev 10**(18 - asset decimals): asset units -> WAD.
    function _assetScale() internal view returns (uint256) {
        return _scale;
    }

    function _seriesOf(address token) internal view returns (Series.State storage) {
        uint256 position = _position[token];
        if (position == 0) revert UnknownSeries(token);
        return _book[position - 1];
    }

    /// @dev The series of the calling token; reverts `OnlySeries` for any other caller.
    function _callerSeries() internal view returns (Series.State storage) {
        uint256 position = _position[msg.sender];
        if (position == 0) revert OnlySeries(msg.sender);
        return _book[position - 1];
    }

    /// @dev The keeper reward due now (asset units, 0 if none): the flat reward within what is left of
    ///      today's cap, at most once per call (transaction), and only if paying it keeps the reserve `r` (WAD)
    ///      at or above the floor `fl`. Records the payment against today's cap; the caller pays it.
    function _takeKeeperReward(int256 r, uint256 fl) internal returns (uint256 reward) {
        reward = keeperReward;
        if (reward == 0 || _keeperPaid) return 0;
        uint256 day = block.timestamp / 1 days;
        uint256 paid = _rewardDay == day ? _rewardPaidToday : 0;
        uint256 cap = keeperRewardDailyCap;
        if (paid >= cap) return 0;
        if (reward > cap - paid) reward = cap - paid;
        if (r - (reward * _scale).toInt256() < fl.toInt256()) return 0;
        _rewardDay = uint32(day);
        _rewardPaidToday = uint80(paid + reward);
        _keeperPaid = true;
    }

    /// @dev Whether a health report is due.
    function _healthDue() internal view returns (bool) {
        uint256 last = lastHealthReport;
        return last == 0 || block.timestamp >= last + healthInterval;
    }
}
