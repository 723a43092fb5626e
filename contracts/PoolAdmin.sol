// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IPoolAdmin} from "./interfaces/IPoolAdmin.sol";
import {ISeriesOrders} from "./interfaces/ISeriesOrders.sol";
import {Series} from "./libraries/Series.sol";
import {PoolBounds} from "./libraries/PoolBounds.sol";
import {InheritedSlots} from "./base/PoolStorage.sol";
import {OracleReader} from "./base/OracleReader.sol";
import {ReserveBook} from "./base/ReserveBook.sol";
import {LeveragedTokenDeployer} from "./LeveragedTokenDeployer.sol";

/// @title PoolAdmin
/// @notice The owner's functions of a `ReservePool` (`IPoolAdmin`): creating series and setting their and
///         the pool's bounded parameters. Each pool creates its own module in its constructor and runs these
///         functions by delegatecall, after checking that the caller is its owner, so they act on the pool's
///         storage and emit the pool's events. Kept apart so that the pool's runtime code stays within
///         21,000 bytes; the owner's functions are called rarely and cost one extra call.
/// @dev Storage: `InheritedSlots` then `PoolStorage`, the pool's layout (`PoolStorage` checks it). The
///      module reads the pool's oracle and asset scale from its own immutables, set to the pool's. Called
///      directly (not by delegatecall) every function reverts `NotDelegated`.
contract PoolAdmin is InheritedSlots, ReentrancyGuardTransient, ReserveBook, IPoolAdmin {
    using Series for Series.State;

    address private immutable _self;
    LeveragedTokenDeployer private immutable _deployer;

    /// @param oracle_ The pool's price feed.
    /// @param assetDecimals The pool's settlement asset decimals.
    /// @param deployer_ Deploys the series tokens for the pool.
    constructor(AggregatorV3Interface oracle_, uint8 assetDecimals, LeveragedTokenDeployer deployer_)
        OracleReader(oracle_)
        ReserveBook(assetDecimals)
    {
        if (address(deployer_) == address(0)) revert ZeroAddress();
        _self = address(this);
        _deployer = deployer_;
    }

    modifier onlyDelegated() {
        if (address(this) == _self) revert NotDelegated();
        _;
    }

    /// @inheritdoc IPoolAdmin
    function createSeries(
        string calldata name_,
        string calldata symbol_,
        bool isLong_,
        uint256 initialNav,
        SeriesParams calldata params
    ) external onlyDelegated returns (address token) {
        uint256 n = _seriesCount;
        if (n >= MAX_SERIES) revert TooManySeries(MAX_SERIES);
        Series.validateNew(initialNav, params);
        token = _deployer.deploy(name_, symbol_);
        ISeriesOrders(token).setOrderParams(_orderParams);
        _book[n].initialize(token, isLong_, initialNav, params);
        _position[token] = n + 1;
        _seriesCount = uint8(n + 1);
        emit SeriesCreated(token, symbol_, isLong_, initialNav, params);
    }

    /// @inheritdoc IPoolAdmin
    function setSeriesParams(address token, SeriesParams calldata params) external onlyDelegated nonReentrant {
        Series.State storage s = _seriesOf(token);
        Series.validate(params);
        (uint256 p, uint256 at) = _priceAndTime();
        if (ISeriesOrders(token).ordersDueBy(at)) revert SeriesOrdersDue(token); // they settle first
        _settle(token, s, p, IERC20(token).totalSupply());
        SeriesParams memory old = s.params();
        s.store(params);
        _syncFloorAt(_poolAssets, p); // the settlement may knock out
        _emitChanged(token, "targetLeverage", old.targetLeverage, params.targetLeverage);
        _emitChanged(token, "minLeverage", old.minLeverage, params.minLeverage);
        _emitChanged(token, "maxLeverage", old.maxLeverage, params.maxLeverage);
        _emitChanged(token, "fallbackInterval", old.fallbackInterval, params.fallbackInterval);
        _emitChanged(token, "mintFee", old.mintFee, params.mintFee);
        _emitChanged(token, "redeemFee", old.redeemFee, params.redeemFee);
        _emitChanged(token, "streamingFee", old.streamingFee, params.streamingFee);
        _emitChanged(token, "spread", old.spread, params.spread);
    }

    /// @inheritdoc IPoolAdmin
    function setFloorRatio(uint256 ratio) external onlyDelegated {
        Series.checkBounds("floorRatio", ratio, PoolBounds.MIN_FLOOR_RATIO, PoolBounds.MAX_FLOOR_RATIO);
        floorRatio = uint64(ratio);
        emit ParametersUpdated(address(this), "floorRatio", ratio);
    }

    /// @inheritdoc IPoolAdmin
    function setMaxPriceAge(uint256 age) external onlyDelegated {
        Series.checkBounds("maxPriceAge", age, PoolBounds.MIN_PRICE_AGE, PoolBounds.MAX_PRICE_AGE);
        maxPriceAge = uint32(age);
        emit ParametersUpdated(address(this), "maxPriceAge", age);
    }

    /// @inheritdoc IPoolAdmin
    function setHealthInterval(uint256 interval) external onlyDelegated {
        Series.checkBounds(
            "healthInterval", interval, PoolBounds.MIN_HEALTH_INTERVAL, PoolBounds.MAX_HEALTH_INTERVAL
        );
        healthInterval = uint32(interval);
        emit ParametersUpdated(address(this), "healthInterval", interval);
    }

    /// @inheritdoc IPoolAdmin
    function setKeeperReward(uint256 reward, uint256 dailyCap) external onlyDelegated {
        uint256 scale = _assetScale();
        Series.checkBounds("keeperReward", reward, 0, PoolBounds.MAX_KEEPER_REWARD / scale);
        Series.checkBounds("keeperRewardDailyCap", dailyCap, reward, PoolBounds.MAX_KEEPER_REWARD_DAILY / scale);
        keeperReward = uint80(reward);
        keeperRewardDailyCap = uint96(dailyCap);
        emit ParametersUpdated(address(this), "keeperReward", reward);
        emit ParametersUpdated(address(this), "keeperRewardDailyCap", dailyCap);
    }

    /// @inheritdoc IPoolAdmin
    function setMaxUtilization(uint256 cap) external onlyDelegated {
        Series.checkBounds("maxUtilization", cap, PoolBounds.MIN_UTILIZATION_CAP, PoolBounds.MAX_UTILIZATION_CAP);
        maxUtilization = uint80(cap);
        emit ParametersUpdated(address(this), "maxUtilization", cap);
    }

    /// @inheritdoc IPoolAdmin
    function setMinTradeNotional(uint256 notional) external onlyDelegated {
        Series.checkBounds("minTradeNotional", notional, 0, PoolBounds.MAX_MIN_TRADE_NOTIONAL);
        minTradeNotional = uint64(notional);
        emit ParametersUpdated(address(this), "minTradeNotional", notional);
    }

    /// @inheritdoc IPoolAdmin
    function setOrderParams(ISeriesOrders.OrderParams calldata params) external onlyDelegated {
        uint256 scale = _assetScale();
        Series.checkBounds("minDelay", params.minDelay, PoolBounds.MIN_ORDER_DELAY, PoolBounds.MAX_ORDER_DELAY);
        Series.checkBounds("maxOrderAge", params.maxOrderAge, PoolBounds.MIN_ORDER_AGE, PoolBounds.MAX_ORDER_AGE);
        Series.checkBounds("executionFee", params.executionFee, 0, PoolBounds.MAX_EXECUTION_FEE / scale);
        Series.checkBounds("minMintAssets", params.minMintAssets, 0, PoolBounds.MAX_MIN_MINT / scale);
        _orderParams = params;
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            ISeriesOrders(_book[i].token).setOrderParams(params);
        }
        emit ParametersUpdated(address(this), "minDelay", params.minDelay);
        emit ParametersUpdated(address(this), "maxOrderAge", params.maxOrderAge);
        emit ParametersUpdated(address(this), "executionFee", params.executionFee);
        emit ParametersUpdated(address(this), "minMintAssets", params.minMintAssets);
    }

    /// @inheritdoc IPoolAdmin
    /// @dev A knocked-out series has equity and exposure 0, so its terms in the aggregates are 0 and moving
    ///      or deleting it changes no liability.
    function retireSeries(address token) external onlyDelegated {
        Series.State storage s = _seriesOf(token);
        if (!s.knockedOut) revert SeriesNotRetirable(token);
        if (ISeriesOrders(token).hasPendingOrders()) revert SeriesHasOrders(token); // their escrow needs the pool
        uint256 i = _position[token] - 1;
        uint256 last = _seriesCount - 1;
        if (i != last) {
            _book[i] = _book[last];
            _position[_book[i].token] = i + 1;
        }
        delete _book[last];
        delete _position[token];
        _seriesCount = uint8(last);
        emit SeriesRetired(token);
    }

    function _emitChanged(address token, bytes32 name, uint256 old, uint256 value) private {
        if (old != value) emit ParametersUpdated(token, name, value);
    }
}
