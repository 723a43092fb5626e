// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ISeriesOrders} from "../interfaces/ISeriesOrders.sol";
import {Series} from "./Series.sol";
import {SeriesMath} from "./SeriesMath.sol";
import {PoolMath} from "./PoolMath.sol";

/// @title OrderPricing
/// @notice The price of one mint or redeem order of a series' batch at one price (SPEC sections 3, 3a, 4), as
///         pure functions of a `Batch`: the pool's orders module prices every order of a batch with them, and
///         the same module's `previewOrder` (behind the token's `previewMint` / `previewRedeem`) prices a
///         batch of one with them, so a quote and an execution at the same price cannot differ.
/// @dev Amounts are in the settlement asset's units where a name says `assets` or `pooled`, else WAD.
library OrderPricing {
    using SafeCast for uint256;

    /// @notice One series' batch at one price: the series settled at `price`, the pool before the batch, and
    ///         the running totals of the orders filled so far.
    struct Batch {
        uint256 price;
        uint256 equity; // the series settled at `price`, before the batch
        uint256 supply; // before the batch (escrowed redeem tokens included)
        uint256 initialNav; // read only when `supply` is 0
        uint256 exposure; // settled
        uint256 targetLeverage;
        uint256 minLeverage;
        uint256 maxLeverage;
        uint256 mintFee;
        uint256 redeemFee;
        bool isLong;
        ISeriesOrders.RefundReason mintsClosed; // None, KnockedOut (the series is, or the settlement made it) or Paused
        uint256 scale; // asset units -> WAD
        uint256 pooled; // pool assets before the batch
        uint256 liabilities; // after the settlement, before the batch
        int256 netExposure; // before the batch (read only for mints)
        uint256 floorRatio;
        uint256 maxUtilization;
        uint256 mintAssets; // running totals of the filled orders
        uint256 mintNet;
        uint256 redeemGross;
        uint256 redeemAssets;
    }

    /// @notice Whether a mint fits the reserve floor and the utilization cap.
    enum Room {
        Fits,
        BelowFloor,
        OverCap
    }

    /// @notice Tokens a mint of `assets` gets at the batch's NAV after the mint fee (SPEC section 3): net =
    ///         gross - ceil(gross*fee), tokens = floor(net*supply/equity), or floor(net/initialNav) into an empty
    ///         series, whose first filled mint also pays for the locked supply (`Series.LOCKED_SUPPLY`).
    /// @return tokens The tokens (0 when the net buys no more than the locked supply).
    /// @return net The net paid in, WAD.
    /// @return fee The mint fee, WAD.
    function priceMint(Batch memory b, uint256 assets) internal pure returns (uint256 tokens, uint256 net, uint256 fee) {
        uint256 gross = assets * b.scale;
        fee = SeriesMath.feeOf(gross, b.mintFee);
        net = gross - fee;
        tokens = SeriesMath.tokensForMint(net, b.supply, b.equity, b.initialNav);
        if (b.supply == 0 && b.mintNet == 0) tokens = tokens > Series.LOCKED_SUPPLY ? tokens - Series.LOCKED_SUPPLY : 0;
    }

    /// @notice Why a mint of `assets` with bound `minTokens` would be refunded before any capacity check
    ///         (`None`: it is priced at `tokens`): mints closed (knock-out, pause), or a bound that fails (a zero
    ///         output always does).
    function judgeMint(Batch memory b, uint256 assets, uint256 minTokens)
        internal
        pure
        returns (uint256 tokens, uint256 net, uint256 fee, ISeriesOrders.RefundReason why)
    {
        if (b.mintsClosed != ISeriesOrders.RefundReason.None) return (0, 0, 0, b.mintsClosed);
        (tokens, net, fee) = priceMint(b, assets);
        if (tokens == 0 || tokens < minTokens) why = ISeriesOrders.RefundReason.Slippage;
    }

    /// @notice Whether the batch's filled mints plus one more of `assets` (net `net`) fit: the reserve at or
    ///         above the floor, and net exposure within the utilization cap, both on the running totals once it
    ///         is in (its fee raises the reserve; the settlement moved no exposure). `assets` = `net` = 0 checks
    ///         the filled mints alone.
    /// @return room The verdict.
    /// @return r The reserve (WAD) once it is in.
    /// @return fl The floor (WAD) once it is in.
    /// @return netAfter Net exposure once it is in (0 when below the floor).
    function roomFor(Batch memory b, uint256 assets, uint256 net)
        internal
        pure
        returns (Room room, int256 r, uint256 fl, int256 netAfter)
    {
        uint256 total = b.liabilities + b.mintNet + net;
        r = PoolMath.reserveOf((b.pooled + b.mintAssets + assets) * b.scale, total);
        fl = PoolMath.floorOf(total, b.floorRatio);
        if (r < fl.toInt256()) return (Room.BelowFloor, r, fl, 0);
        uint256 x = SeriesMath.exposureAfterMint(
            b.exposure, b.price, b.equity, b.supply, b.mintNet + net, b.targetLeverage, b.minLeverage, b.maxLeverage
        );
        int256 delta = x.toInt256() - b.exposure.toInt256();
        netAfter = b.netExposure + (b.isLong ? delta : -delta);
        if (PoolMath.overCap(b.netExposure, netAfter, b.price, r, b.maxUtilization)) room = Room.OverCap;
    }

    /// @notice Adds a filled mint to the running totals.
    function fillMint(Batch memory b, uint256 assets, uint256 net) internal pure {
        b.mintAssets += assets;
        b.mintNet += net;
    }

    /// @notice What a redeem of `tokens` pays at the batch's NAV (SPEC sections 3 and 4): gross =
    ///         floor(tokens*equity/supply), fee ceil(gross*fee), and the rest, paid pro rata
    ///         poolAssets/liabilities (round down) when the pool is insolvent, in asset units rounded down.
    /// @return gross The claim on equity, WAD.
    /// @return fee The redeem fee, WAD.
    /// @return assets What the receiver is paid (before an order's execution fee), asset units.
    function priceRedeem(Batch memory b, uint256 tokens)
        internal
        pure
        returns (uint256 gross, uint256 fee, uint256 assets)
    {
        gross = SeriesMath.claimOf(tokens, b.supply, b.equity);
        fee = SeriesMath.feeOf(gross, b.redeemFee);
        uint256 payout = gross - fee;
        uint256 pooledWad = b.pooled * b.scale;
        if (pooledWad < b.liabilities) payout = Math.mulDiv(payout, pooledWad, b.liabilities); // round down
        assets = payout / b.scale; // round down: holder receives
    }

    /// @notice Adds a filled redeem to the running totals.
    function fillRedeem(Batch memory b, uint256 gross, uint256 assets) internal pure {
        b.redeemGross += gross;
        b.redeemAssets += assets;
    }
}
