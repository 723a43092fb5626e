// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IReservePool} from "./interfaces/IReservePool.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {Series} from "./libraries/Series.sol";
import {SeriesMath} from "./libraries/SeriesMath.sol";
import {Liabilities} from "./libraries/Liabilities.sol";
import {OracleReader} from "./base/OracleReader.sol";
import {ReserveBook} from "./base/ReserveBook.sol";
import {ReserveVault} from "./base/ReserveVault.sol";
import {PoolViews} from "./base/PoolViews.sol";
import {PoolAutomation} from "./base/PoolAutomation.sol";
import {LeveragedTokenDeployer} from "./LeveragedTokenDeployer.sol";
import {PoolAdmin} from "./PoolAdmin.sol";
import {PoolOrders} from "./PoolOrders.sol";
import {PoolLpOrders} from "./PoolLpOrders.sol";
import {IPoolAdmin} from "./interfaces/IPoolAdmin.sol";
import {ISeriesOrders} from "./interfaces/ISeriesOrders.sol";

/// @title ReservePool
/// @notice Counterparty of every leveraged token series of one (settlement asset, oracle) pair, and an
///         ERC-4626 vault for the liquidity providers whose capital is the reserve (SPEC section 4).
///         This contract holds the entry points of the series (mint, redeem, rebalance) and the owner's
///         functions, whose code is the admin module `PoolAdmin`; the series' math is `libraries/Series`,
///         the accounts `base/ReserveBook`, the views `base/PoolViews`, the LP vault `base/ReserveVault`,
///         Automation `base/PoolAutomation`, owner, pause and bounds `base/PoolParameters`.
contract ReservePool is ReserveVault, PoolViews, PoolAutomation {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using Series for Series.State;
    using Liabilities for Liabilities.State;

    /// @dev Why a planned rebalance cannot go ahead (`Open`: it can). The order of the checks is the order
    ///      in which `rebalance()` reverts.
    enum Gate {
        Open,
        NoTrigger,
        Paused,
        TooSmall,
        Overflow,
        BelowFloor,
        OverCap
    }

    /// @inheritdoc IReservePool
    address public immutable adminModule;
    /// @inheritdoc IReservePool
    address public immutable ordersModule;

    /// @param asset_ Settlement asset (at most 18 decimals).
    /// @param oracle_ Price feed of the underlying in units of the settlement asset.
    /// @param deployer_ Deploys the series tokens for this pool (used by the admin module).
    /// @param name_ LP share name.
    /// @param symbol_ LP share symbol.
    /// @param owner_ Admin (two-step transferable).
    /// @param lpOrdersModule_ The LP orders module (`PoolLpOrders`) built for `asset_` and `oracle_`.
    constructor(
        IERC20Metadata asset_,
        AggregatorV3Interface oracle_,
        LeveragedTokenDeployer deployer_,
        string memory name_,
        string memory symbol_,
        address owner_,
        address lpOrdersModule_
    )
        ERC4626(asset_)
        ERC20(name_, symbol_)
        Ownable(owner_)
        OracleReader(oracle_)
        ReserveBook(asset_.decimals())
        ReserveVault(lpOrdersModule_, asset_, oracle_)
    {
        adminModule = address(new PoolAdmin(oracle_, asset_.decimals(), deployer_));
        ordersModule = address(new PoolOrders(oracle_, asset_));
        _aggregates.initialize();
    }

    // =================================================================== admin (the module's code)

    /// @dev Runs the called function's code in the admin module (delegatecall with this call's data) and
    ///      ends the call with its result: the function's body never runs, and neither does anything a
    ///      modifier before this one would do after `_`. Only checks (`onlyOwner`) may precede it.
    modifier delegated() {
        _delegate(adminModule);
        _;
    }

    /// @dev `delegated`, to `module`.
    modifier delegatedTo(address module) {
        _delegate(module);
        _;
    }

    /// @inheritdoc IPoolAdmin
    function createSeries(string calldata, string calldata, bool, uint256, SeriesParams calldata)
        external
        onlyOwner
        delegated
        returns (address)
    {}

    /// @inheritdoc IPoolAdmin
    function setSeriesParams(address, SeriesParams calldata) external onlyOwner delegated {}

    /// @inheritdoc IPoolAdmin
    function setFloorRatio(uint256) external onlyOwner delegated {}

    /// @inheritdoc IPoolAdmin
    function setMaxPriceAge(uint256) external onlyOwner delegated {}

    /// @inheritdoc IPoolAdmin
    function setHealthInterval(uint256) external onlyOwner delegated {}

    /// @inheritdoc IPoolAdmin
    function setKeeperReward(uint256, uint256) external onlyOwner delegated {}

    /// @inheritdoc IPoolAdmin
    function setMaxUtilization(uint256) external onlyOwner delegated {}

    /// @inheritdoc IPoolAdmin
    function setMinTradeNotional(uint256) external onlyOwner delegated {}

    /// @inheritdoc IPoolAdmin
    function retireSeries(address) external onlyOwner delegated {}

    /// @inheritdoc IPoolAdmin
    function setOrderParams(ISeriesOrders.OrderParams calldata) external onlyOwner delegated {}

    // =================================================================== series operations

    /// @notice Which series have orders to execute (and at which round), which need a rebalance (or a
    ///         knock-out settlement), whether LP orders are due (and at which round), and whether a health
    ///         report is due. Never reverts; meant for `eth_call` (Chainlink Automation simulates it).
    /// @dev The code is the LP orders module's (`PoolLpOrders.checkUpkeep`, where `performData` is described),
    ///      run by delegatecall; it asks this pool's `rebalanceStatusOf`, so it makes the same decision.
    /// @return upkeepNeeded True if `performUpkeep` has something to do.
    /// @return performData abi.encode(uint256 seriesBitmap, bool healthDue, uint80[] rounds, uint80 lpRound).
    function checkUpkeep(bytes calldata) external view returns (bool, bytes memory) {
        _delegateView(lpOrdersModule);
    }

    /// @inheritdoc IReservePool
    /// @dev The code is the orders module's (`PoolOrders`), run by delegatecall.
    function executeOrders(uint256, uint256, uint256, OrderIn[] calldata, OrderIn[] calldata, bool)
        external
        delegatedTo(ordersModule)
        returns (uint256[] memory, uint8, int256)
    {}

    /// @inheritdoc IReservePool
    /// @dev The code is the orders module's (`PoolOrders`), run by delegatecall; it writes nothing.
    function previewOrder(uint256, bool, uint256) external delegatedTo(ordersModule) returns (uint256) {}

    /// @inheritdoc IReservePool
    function requireMintsOpen(address token) external view {
        if (_seriesOf(token).knockedOut) revert SeriesKnockedOut(token);
        _requireNotPaused();
    }

    /// @inheritdoc IReservePool
    function rebalanceFor(address keeper, uint256 supply) external nonReentrant returns (uint8) {
        return uint8(_rebalance(msg.sender, _callerSeries(), keeper, supply));
    }

    /// @inheritdoc IReservePool
    function rebalanceStatusOf(address token) external view returns (uint8) {
        Series.State storage s = _seriesOf(token);
        (bool ok, uint256 p, uint256 at) = _priceUsable();
        return ok ? uint8(_status(s, p, at)) : uint8(Trigger.None);
    }

    // =================================================================== rebalance: one decision

    /// @dev The one decision of a rebalance of the series, settled at `p` with `equity` > 0: what it would
    ///      do and whether it may: a trade of at least the minimum notional, and for an exposure increase: not
    ///      paused, no overflow, reserve at or above the floor after the cost, net exposure within the
    ///      utilization cap (`r` and `fl` are then that reserve and floor, and 0 for any other plan).
    ///      A rebalance has settled the series in storage and not yet booked it (its old terms `c0`, `sx0`);
    ///      a status view (`settled` false) settles it here in thought. Both see the same liabilities.
    function _decide(Series.State storage s, uint256 p, uint256 equity, bool settled, int256 c0, int256 sx0)
        private
        view
        returns (Series.Plan memory pl, Gate gate, int256 r, uint256 fl)
    {
        pl = s.plan(p, equity);
        if (pl.trigger == Trigger.None) return (pl, Gate.NoTrigger, 0, 0);
        bool increase = pl.exposureAfter > pl.exposureBefore;
        if (increase && paused()) return (pl, Gate.Paused, 0, 0);
        if (pl.trigger == Trigger.KnockOut) return (pl, Gate.Open, 0, 0);
        if (pl.notional < minTradeNotional) return (pl, Gate.TooSmall, 0, 0);
        if (!increase) return (pl, Gate.Open, 0, 0);
        if (pl.exposureAfter > type(uint112).max) return (pl, Gate.Overflow, 0, 0);
        uint256 total = settled
            ? _liabilitiesWad2(p, s, c0, sx0)
            : _liabilitiesWad2(p) - s.equityWad2(p) + equity * WAD; // settled at p: E0 = equity, P0 = p
        // After the spread cost (and the settlement's fee), both moved from this series' equity to the reserve.
        (r, fl) = _reserveAndFloor(_poolAssets, Liabilities.toWad(total) - pl.cost);
        if (r < fl.toInt256()) return (pl, Gate.BelowFloor, r, fl);
        int256 net = _netExposure(p);
        if (_overCap(net, _netAfter(s, net, pl), p, r)) gate = Gate.OverCap;
    }

    /// @dev Net exposure `net` once the plan's exposure increase of series `s` is booked.
    function _netAfter(Series.State storage s, int256 net, Series.Plan memory pl) private view returns (int256) {
        int256 delta = (pl.exposureAfter - pl.exposureBefore).toInt256();
        return net + (s.isLong ? delta : -delta);
    }

    /// @inheritdoc PoolAutomation
    function _status(Series.State storage s, uint256 p, uint256 at) internal view override returns (Trigger) {
        if (s.knockedOut || ISeriesOrders(s.token).ordersDueBy(at) || _lpFirst(at)) return Trigger.None;
        uint256 equity = s.equityNow(p);
        if (equity == 0) return IERC20(s.token).totalSupply() == 0 ? Trigger.None : Trigger.KnockOut;
        (Series.Plan memory pl, Gate gate,,) = _decide(s, p, equity, false, 0, 0);
        return gate == Gate.Open ? pl.trigger : Trigger.None;
    }

    /// @inheritdoc PoolAutomation
    function _rebalance(address token, Series.State storage s, address keeper, uint256 supply)
        internal
        override
        returns (Trigger)
    {
        if (s.knockedOut) revert SeriesKnockedOut(token);
        (uint256 p, uint256 at) = _priceAndTime();
        // Orders due at an earlier round than this one execute first (SPEC section 3a).
        if (ISeriesOrders(token).ordersDueBy(at)) revert SeriesOrdersDue(token);
        if (_lpFirst(at)) revert LpOrdersDue();
        (int256 c0, int256 sx0) = s.terms();
        uint256 equity = s.settle(token, p, supply);
        if (s.knockedOut) {
            _commit(s, c0, sx0, p);
            _syncFloorAt(_poolAssets, p);
            return Trigger.KnockOut;
        }
        if (equity == 0) revert NoRebalanceTrigger(0); // an empty series has nothing to rebalance
        (Series.Plan memory pl, Gate gate, int256 r, uint256 fl) = _decide(s, p, equity, true, c0, sx0);
        if (gate == Gate.NoTrigger) revert NoRebalanceTrigger(pl.leverageBefore);
        if (gate == Gate.Paused) _requireNotPaused();
        if (pl.trigger == Trigger.KnockOut) {
            s.knockOut(token, p, equity);
            _commit(s, c0, sx0, p);
            _syncFloorAt(_poolAssets, p);
            return Trigger.KnockOut;
        }
        if (gate == Gate.TooSmall) revert RebalanceTooSmall(pl.notional, minTradeNotional);
        if (gate == Gate.Overflow) revert SafeCast.SafeCastOverflowedUintDowncast(112, pl.exposureAfter);
        if (gate == Gate.BelowFloor) revert ReserveBelowFloor(r, fl);
        if (gate == Gate.OverCap) _revertOverCap(_netAfter(s, _netExposure(p), pl), p, r);

        uint256 newEquity = s.rebalance(pl, equity);
        _commit(s, c0, sx0, p);
        uint256 pooled = _poolAssets;
        // An increase was priced by `_decide` (liabilities after the cost); a decrease is priced here.
        if (pl.exposureAfter <= pl.exposureBefore) (r, fl) = _reserveAndFloor(pooled, _liabilities(p));
        emit Rebalanced(
            token,
            uint8(pl.trigger),
            p,
            pl.leverageBefore,
            SeriesMath.leverage(pl.exposureAfter, p, newEquity),
            pl.exposureBefore,
            pl.exposureAfter,
            s.nav(equity, supply),
            s.nav(newEquity, supply),
            pl.cost,
            keeper
        );
        _syncFloor(_payKeeper(keeper, token, pooled, r, fl), fl);
        return pl.trigger;
    }

    /// @dev `_lpOrdersFirst`, with the round walk in the LP module (called, not delegated: it reads the oracle
    ///      only), which keeps it out of this contract's code.
    function _lpFirst(uint256 at) private view returns (bool) {
        return _lpDueBefore(at) && _lpDueBefore(PoolLpOrders(lpOrdersModule).latestPrevAt());
    }

    /// @dev Pays the keeper reward due (see `_takeKeeperReward`) out of `pooled`; returns the reserve after.
    function _payKeeper(address keeper, address token, uint256 pooled, int256 r, uint256 fl)
        private
        returns (int256)
    {
        uint256 reward = _takeKeeperReward(r, fl);
        if (reward == 0) return r;
        _poolAssets = uint128(pooled - reward);
        IERC20(asset()).safeTransfer(keeper, reward);
        emit KeeperRewarded(keeper, token, reward);
        return r - (reward * _assetScale()).toInt256();
    }
}
