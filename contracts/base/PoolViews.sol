// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IReservePool} from "../interfaces/IReservePool.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Series} from "../libraries/Series.sol";
import {SeriesMath} from "../libraries/SeriesMath.sol";
import {PoolParameters} from "./PoolParameters.sol";

/// @title PoolViews
/// @notice Every view of the pool and of its series over `ReserveBook`'s accounts. None reverts except
///         `price()` (an unusable oracle values each series at its own last settled mark price).
abstract contract PoolViews is PoolParameters {
    using Series for Series.State;

    /// @inheritdoc IReservePool
    function price() external view returns (uint256) {
        return _price();
    }

    /// @inheritdoc IReservePool
    function markPrice() external view returns (uint256 p) {
        p = _viewPrice();
        if (p != 0) return p;
        // Oracle unusable: the mark price of the most recently settled series.
        uint256 latest;
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            Series.State storage s = _book[i];
            if (s.settledAt >= latest && s.markPrice != 0) (latest, p) = (s.settledAt, s.markPrice);
        }
    }

    /// @inheritdoc IReservePool
    function reserve() external view returns (int256) {
        return _reserveAt(_viewPrice());
    }

    /// @inheritdoc IReservePool
    function liabilities() external view returns (uint256) {
        return _liabilities(_viewPrice());
    }

    /// @inheritdoc IReservePool
    function netExposure() external view returns (int256) {
        return _netExposure(_viewPrice());
    }

    /// @inheritdoc IReservePool
    function floor() external view returns (uint256) {
        return _floorOf(_liabilities(_viewPrice()));
    }

    /// @inheritdoc IReservePool
    function poolAssets() external view returns (uint256) {
        return _poolAssets;
    }

    /// @inheritdoc IReservePool
    function series() external view returns (address[] memory tokens) {
        uint256 n = _seriesCount;
        tokens = new address[](n);
        for (uint256 i; i < n; ++i) {
            tokens[i] = _book[i].token;
        }
    }

    /// @inheritdoc IReservePool
    function equityOf(address token) external view returns (uint256) {
        return _seriesOf(token).equityNow(_viewPrice());
    }

    /// @inheritdoc IReservePool
    function exposureOf(address token) external view returns (uint256) {
        Series.State storage s = _seriesOf(token);
        return s.equityNow(_viewPrice()) == 0 ? 0 : s.exposure;
    }

    /// @inheritdoc IReservePool
    function navOf(address token) external view returns (uint256) {
        Series.State storage s = _seriesOf(token);
        return s.nav(s.equityNow(_viewPrice()), IERC20(token).totalSupply());
    }

    /// @inheritdoc IReservePool
    function leverageOf(address token) external view returns (uint256) {
        Series.State storage s = _seriesOf(token);
        uint256 p = _viewPrice();
        uint256 equity = s.equityNow(p);
        // p = 0 (oracle unusable): value the exposure at the series' own mark price, like its equity
        return SeriesMath.leverage(s.exposure, p == 0 ? s.markPrice : p, equity);
    }

    /// @inheritdoc IReservePool
    function seriesParams(address token) external view returns (SeriesParams memory) {
        return _seriesOf(token).params();
    }

    /// @inheritdoc IReservePool
    function seriesState(address token) external view returns (SeriesState memory) {
        return _seriesOf(token).state();
    }
}
