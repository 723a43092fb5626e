// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IReservePool} from "./interfaces/IReservePool.sol";
import {ISeriesOrders} from "./interfaces/ISeriesOrders.sol";
import {Series} from "./libraries/Series.sol";
import {SeriesMath} from "./libraries/SeriesMath.sol";
import {Liabilities} from "./libraries/Liabilities.sol";
import {InheritedSlots} from "./base/PoolStorage.sol";
import {OracleReader} from "./base/OracleReader.sol";
import {ReserveBook} from "./base/ReserveBook.sol";

/// @title PoolOrders
/// @notice The pool's side of a series' order batch (`IReservePool.executeOrders`, SPEC section 3a): settle
///         the series at the batch's price, price every mint and redeem at that one NAV, check the mints
///         together against the floor and the utilization cap, apply the totals once, and move the assets.
///         Each pool creates its own module and runs it by delegatecall (as `PoolAdmin`), so the code acts on
///         the pool's storage and emits the pool's events; it is a module only for the pool's code size.
/// @dev Storage: `InheritedSlots` then `PoolStorage`, the pool's layout. Called directly, it reverts
///      `NotDelegated`.
contract PoolOrders is InheritedSlots, ReentrancyGuardTransient, ReserveBook {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using Series for Series.State;
    using Liabilities for Liabilities.State;

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

    /// @dev One batch of orders at one price (asset units unless marked WAD).
    struct Batch {
        uint256 price;
        uint256 equity; // WAD, the series settled at `price`, before the batch
        uint256 supply; // before the batch
        uint256 scale;
        uint256 liabilities; // WAD, after the settlement, before the batch
        uint256 pooledWad; // pool assets before the batch, WAD
        uint256 mintAssets;
        uint256 mintNet; // WAD
        uint256 redeemGross; // WAD
        uint256 redeemAssets;
    }

    /// @notice `IReservePool.executeOrders` (see there).
    /// @dev Every order of the batch is priced at the series' NAV after the settlement; the totals are then
    ///      applied once (one exposure scaling per side). Mints are checked together against the floor and
    ///      the utilization cap before anything is written.
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
        Batch memory b;
        if (price_ == 0) {
            uint256 at;
            (b.price, at) = _priceAndTime();
            if (_lpOrdersFirst(at)) revert LpOrdersDue();
        } else {
            if (_lpDueBefore(prevAt)) revert LpOrdersDue();
            b.price = price_;
        }
        b.supply = supply;
        b.scale = _assetScale();
        (int256 c0, int256 sx0) = s.terms();
        b.equity = s.settle(msg.sender, b.price, supply);
        b.liabilities = Liabilities.toWad(_liabilitiesWad2(b.price, s, c0, sx0));
        b.pooledWad = uint256(_poolAssets) * b.scale;
        uint256 nMints = mints.length;
        outs = new uint256[](nMints + redeems.length);
        if (nMints != 0) mintRefund = _priceMints(s, b, mints, outs, direct);
        for (uint256 i; i < redeems.length; ++i) {
            outs[nMints + i] = _priceRedeem(s, b, redeems[i], direct);
        }
        if (b.mintNet != 0) s.mint(b.price, b.equity, supply, b.mintNet);
        if (b.redeemGross != 0) s.redeem(b.equity + b.mintNet, b.redeemGross);
        _commit(s, c0, sx0, b.price); // the settlement and the batch, booked once
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

    /// @dev Prices the batch's mints into `outs` and adds the executed ones to the totals, or refunds them all
    ///      (returning why) when the series is knocked out, the pool is paused, or together they would take the
    ///      reserve below the floor or net exposure above the cap. `direct`: every refund reverts instead.
    function _priceMints(
        Series.State storage s,
        Batch memory b,
        IReservePool.OrderIn[] calldata mints,
        uint256[] memory outs,
        bool direct
    ) private returns (uint8) {
        if (s.knockedOut) {
            if (direct) revert SeriesKnockedOut(msg.sender);
            return _refundAll(outs, mints.length, ISeriesOrders.RefundReason.KnockedOut);
        }
        if (_pausedInPool) {
            if (direct) revert Pausable.EnforcedPause();
            return _refundAll(outs, mints.length, ISeriesOrders.RefundReason.Paused);
        }
        uint256 fm = s.mintFee;
        for (uint256 i; i < mints.length; ++i) {
            uint256 gross = mints[i].amount * b.scale;
            uint256 net = gross - SeriesMath.feeOf(gross, fm);
            uint256 tokens = s.tokensFor(net, b.equity, b.supply);
            // The first mint into an empty series pays for the locked supply.
            if (b.supply == 0 && b.mintNet == 0) tokens = tokens > Series.LOCKED_SUPPLY ? tokens - Series.LOCKED_SUPPLY : 0;
            uint256 minOut = mints[i].minOut;
            if (tokens == 0 || tokens < minOut) {
                if (direct) revert SlippageExceeded(tokens, minOut == 0 ? 1 : minOut);
                outs[i] = Series.REFUNDED;
                continue;
            }
            outs[i] = tokens;
            b.mintAssets += mints[i].amount;
            b.mintNet += net;
        }
        if (b.mintNet == 0) return 0;
        // Floor and cap once the mints are in (their fees raise the reserve; the settlement moved no exposure).
        (int256 r, uint256 fl) = _reserveAndFloor(_poolAssets + b.mintAssets, b.liabilities + b.mintNet);
        int256 netBefore = _netExposure(b.price);
        int256 delta = s.exposureAfterMint(b.price, b.equity, b.supply, b.mintNet).toInt256() - int256(uint256(s.exposure));
        int256 netAfter = netBefore + (s.isLong ? delta : -delta);
        bool belowFloor = r < fl.toInt256();
        if (belowFloor || _overCap(netBefore, netAfter, b.price, r)) {
            if (direct) {
                if (belowFloor) revert ReserveBelowFloor(r, fl);
                _revertOverCap(netAfter, b.price, r);
            }
            (b.mintAssets, b.mintNet) = (0, 0);
            return _refundAll(outs, mints.length, ISeriesOrders.RefundReason.Capacity);
        }
        for (uint256 i; i < mints.length; ++i) {
            if (outs[i] == Series.REFUNDED) continue;
            uint256 gross = mints[i].amount * b.scale;
            emit Minted(msg.sender, mints[i].owner, mints[i].receiver, mints[i].amount, outs[i], SeriesMath.feeOf(gross, fm), b.price);
        }
        return 0;
    }

    /// @dev Prices one redeem of the batch at its NAV (pro rata when the pool is insolvent, SPEC section 4);
    ///      refunds it (or, `direct`, reverts) when its bound fails.
    function _priceRedeem(Series.State storage s, Batch memory b, IReservePool.OrderIn calldata o, bool direct)
        private
        returns (uint256 assets)
    {
        uint256 gross = SeriesMath.claimOf(o.amount, b.supply, b.equity);
        uint256 fee = SeriesMath.feeOf(gross, s.redeemFee);
        uint256 payout = gross - fee;
        // Insolvent pool: every claim is paid at the same fraction poolAssets/liabilities (round down).
        if (b.pooledWad < b.liabilities) payout = Math.mulDiv(payout, b.pooledWad, b.liabilities);
        assets = payout / b.scale; // round down: holder receives
        if (assets < o.minOut) {
            if (direct) revert SlippageExceeded(assets, o.minOut);
            return Series.REFUNDED;
        }
        b.redeemGross += gross;
        b.redeemAssets += assets;
        emit Redeemed(msg.sender, o.owner, o.receiver, o.amount, assets, fee, b.price);
    }

    function _refundAll(uint256[] memory outs, uint256 n, ISeriesOrders.RefundReason reason) private pure returns (uint8) {
        for (uint256 i; i < n; ++i) {
            outs[i] = Series.REFUNDED;
        }
        return uint8(reason);
    }
}
