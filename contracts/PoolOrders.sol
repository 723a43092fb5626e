// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IReservePool} from "./interfaces/IReservePool.sol";
import {ISeriesOrders} from "./interfaces/ISeriesOrders.sol";
import {Series} from "./libraries/Series.sol";
import {SeriesMath} from "./libraries/SeriesMath.sol";
import {Liabilities} from "./libraries/Liabilities.sol";
import {OrderPricing} from "./libraries/OrderPricing.sol";
import {InheritedSlots} from "./base/PoolStorage.sol";
import {OracleReader} from "./base/OracleReader.sol";
import {ReserveBook} from "./base/ReserveBook.sol";

/// @title PoolOrders
/// @notice The pool's side of a series' order batch (`IReservePool.executeOrders`, SPEC section 3a): settle
///         the series at the batch's price, price every mint and redeem at that one NAV (`OrderPricing`), fill
///         each mint that fits the floor and the utilization cap on the running totals (first come, first
///         served), apply the totals once, and move the assets; and quote one order by the same functions
///         (`previewOrder`).
///         Each pool creates its own module and runs it by delegatecall (as `PoolAdmin`), so the code acts on
///         the pool's storage and emits the pool's events; it is a module only for the pool's code size.
/// @dev Storage: `InheritedSlots` then `PoolStorage`, the pool's layout. Called directly, it reverts
///      `NotDelegated`.
contract PoolOrders is InheritedSlots, ReentrancyGuardTransient, ReserveBook {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using Series for Series.State;
    using Liabilities for Liabilities.State;
    using OrderPricing for OrderPricing.Batch;

    address private immutable _self;
    IERC20 private immutable _asset;

    /// @notice A `PoolOrders` function was called on the module itself, not through its pool.
    error NotDelegated();

    /// @param oracle_ The pool's price feed.
    /// @param asset_ The pool's settlement asset.
    constructor(AggregatorV3Interface oracle_, IERC20Metadata asset_)
        OracleReader(oracle_)
        ReserveBook(asset_.decimals())
    {
        _self = address(this);
        _asset = asset_;
    }

    /// @notice `IReservePool.executeOrders` (see there).
    /// @dev Every order of the batch is priced at the series' NAV after the settlement (`OrderPricing`); the
    ///      totals are then applied once (one exposure scaling per side). Mints fill first come, first served:
    ///      each against the floor and the utilization cap on the running totals, before anything is written.
    function executeOrders(
        uint256 price_,
        uint256 prevAt,
        uint256 supply,
        IReservePool.OrderIn[] calldata mints,
        IReservePool.OrderIn[] calldata redeems,
        bool direct
    ) external nonReentrant returns (uint256[] memory outs, uint8 mintRefund, int256 flow) {
        if (address(this) == _self) revert NotDelegated();
        Series.State storage s = _callerSeries();
        uint256 p = price_;
        if (p == 0) {
            uint256 at;
            (p, at) = _priceAndTime();
            if (_lpOrdersFirst(at)) revert LpOrdersDue();
        } else if (_lpDueBefore(prevAt)) {
            revert LpOrdersDue();
        }
        (int256 c0, int256 sx0) = s.terms();
        uint256 equity = s.settle(msg.sender, p, supply);
        uint256 nMints = mints.length;
        OrderPricing.Batch memory b = _batch(s, p, equity, supply, _liabilitiesWad2(p, s, c0, sx0), nMints != 0);
        outs = new uint256[](nMints + redeems.length);
        if (nMints != 0) mintRefund = _fillMints(b, mints, outs, direct);
        for (uint256 i; i < redeems.length; ++i) {
            outs[nMints + i] = _fillRedeem(b, redeems[i], direct);
        }
        if (b.mintNet != 0) s.mint(p, equity, supply, b.mintNet);
        if (b.redeemGross != 0) s.redeem(equity + b.mintNet, b.redeemGross);
        _commit(s, c0, sx0, p); // the settlement and the batch, booked once
        uint256 pooled = _poolAssets + b.mintAssets - b.redeemAssets;
        _poolAssets = pooled.toUint128();
        (int256 r, uint256 fl) = _reserveAndFloor(pooled, b.liabilities + b.mintNet - b.redeemGross);
        _syncFloor(r, fl);

        IERC20 asset_ = _asset;
        if (direct) {
            if (b.mintAssets != 0) asset_.safeTransferFrom(mints[0].owner, address(this), b.mintAssets);
            if (b.redeemAssets != 0) asset_.safeTransfer(redeems[0].receiver, b.redeemAssets);
        } else {
            flow = b.mintAssets.toInt256() - b.redeemAssets.toInt256();
            if (flow < 0) asset_.safeTransfer(msg.sender, uint256(-flow));
        }
    }

    /// @notice `IReservePool.previewOrder` (see there), called by a series token through its pool.
    /// @dev The batch a `executeOrders` at the latest price would build, with the series settled in thought
    ///      (as `ReservePool._decide` does for the status view): its equity net of the streaming fee, and its
    ///      term in the liabilities replaced by that equity. Writes nothing.
    function previewOrder(uint256 supply, bool isMint, uint256 amount) external view returns (uint256) {
        if (address(this) == _self) revert NotDelegated();
        Series.State storage s = _callerSeries();
        (bool ok, uint256 p,) = _priceUsable();
        if (!ok) return 0;
        uint256 equity = s.knockedOut ? 0 : s.equityNow(p);
        uint256 total = _liabilitiesWad2(p) - s.equityWad2(p) + equity * WAD;
        OrderPricing.Batch memory b = _batch(s, p, equity, supply, total, isMint);
        if (equity == 0 && supply != 0) (b.exposure, b.mintsClosed) = (0, ISeriesOrders.RefundReason.KnockedOut);
        if (!isMint) {
            if (amount > supply) return 0; // more than exists: no such order
            (,, uint256 assets) = b.priceRedeem(amount);
            return assets;
        }
        (uint256 tokens, uint256 net,, ISeriesOrders.RefundReason why) = b.judgeMint(amount, 0);
        if (why != ISeriesOrders.RefundReason.None) return 0;
        (OrderPricing.Room room,,,) = b.roomFor(amount, net);
        return room == OrderPricing.Room.Fits ? tokens : 0;
    }

    /// @dev A batch of series `s`, settled at `p` to `equity`, against the pool's storage; `withMints` also
    ///      reads what only mints need.
    function _batch(Series.State storage s, uint256 p, uint256 equity, uint256 supply, uint256 totalWad2, bool withMints)
        private
        view
        returns (OrderPricing.Batch memory b)
    {
        (b.price, b.equity, b.supply) = (p, equity, supply);
        if (supply == 0) b.initialNav = s.initialNav; // a cold slot: only for an empty series
        (b.exposure, b.isLong, b.mintFee, b.redeemFee) = (s.exposure, s.isLong, s.mintFee, s.redeemFee);
        (b.scale, b.pooled, b.liabilities) = (_assetScale(), _poolAssets, Liabilities.toWad(totalWad2));
        if (!withMints) return b;
        if (s.knockedOut) b.mintsClosed = ISeriesOrders.RefundReason.KnockedOut;
        else if (_pausedInPool) b.mintsClosed = ISeriesOrders.RefundReason.Paused;
        (b.targetLeverage, b.minLeverage, b.maxLeverage) = (s.targetLeverage, s.minLeverage, s.maxLeverage);
        (b.netExposure, b.floorRatio, b.maxUtilization) = (_netExposure(p), floorRatio, maxUtilization);
    }

    /// @dev Prices the batch's mints into `outs` in queue order and fills each that still fits: the reserve at or
    ///      above the floor and net exposure within the cap, checked on the running totals of the mints filled
    ///      before it (`OrderPricing.roomFor`, O(1) per order). One that does not fit alone is refunded
    ///      (`REFUNDED_CAPACITY`); later, smaller ones may still fill. All are refunded (returning why) when the
    ///      series is knocked out or the pool is paused. `direct`: every refund reverts instead.
    function _fillMints(
        OrderPricing.Batch memory b,
        IReservePool.OrderIn[] calldata mints,
        uint256[] memory outs,
        bool direct
    ) private returns (uint8) {
        ISeriesOrders.RefundReason closed = b.mintsClosed;
        if (closed != ISeriesOrders.RefundReason.None) {
            if (direct) {
                if (closed == ISeriesOrders.RefundReason.KnockedOut) revert SeriesKnockedOut(msg.sender);
                revert Pausable.EnforcedPause();
            }
            return _refundAll(outs, mints.length, closed);
        }
        for (uint256 i; i < mints.length; ++i) {
            IReservePool.OrderIn calldata o = mints[i];
            (uint256 tokens, uint256 net, uint256 fee, ISeriesOrders.RefundReason why) = b.judgeMint(o.amount, o.minOut);
            if (why != ISeriesOrders.RefundReason.None) {
                if (direct) revert SlippageExceeded(tokens, o.minOut == 0 ? 1 : o.minOut);
                outs[i] = Series.REFUNDED;
                continue;
            }
            (OrderPricing.Room room, int256 r, uint256 fl, int256 netAfter) = b.roomFor(o.amount, net);
            if (room != OrderPricing.Room.Fits) {
                if (direct) {
                    if (room == OrderPricing.Room.BelowFloor) revert ReserveBelowFloor(r, fl);
                    _revertOverCap(netAfter, b.price, r);
                }
                outs[i] = Series.REFUNDED_CAPACITY;
                continue;
            }
            outs[i] = tokens;
            b.fillMint(o.amount, net);
            emit Minted(msg.sender, o.owner, o.receiver, o.amount, tokens, fee, b.price);
        }
        return 0;
    }

    /// @dev Prices one redeem of the batch at its NAV (pro rata when the pool is insolvent, SPEC section 4);
    ///      refunds it (or, `direct`, reverts) when its bound fails.
    function _fillRedeem(OrderPricing.Batch memory b, IReservePool.OrderIn calldata o, bool direct)
        private
        returns (uint256)
    {
        (uint256 gross, uint256 fee, uint256 assets) = b.priceRedeem(o.amount);
        if (assets < o.minOut) {
            if (direct) revert SlippageExceeded(assets, o.minOut);
            return Series.REFUNDED;
        }
        b.fillRedeem(gross, assets);
        emit Redeemed(msg.sender, o.owner, o.receiver, o.amount, assets, fee, b.price);
        return assets;
    }

    function _refundAll(uint256[] memory outs, uint256 n, ISeriesOrders.RefundReason reason) private pure returns (uint8) {
        for (uint256 i; i < n; ++i) {
            outs[i] = Series.REFUNDED;
        }
        return uint8(reason);
    }
}
