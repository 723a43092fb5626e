// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IReservePoolBase} from "./IReservePoolBase.sol";
import {IPoolAdmin} from "./IPoolAdmin.sol";

/// @title IReservePool
/// @notice The reserve pool of one (settlement asset, price oracle) pair: counterparty of every leveraged
///         token series it backs, and an ERC-4626 vault for the liquidity providers whose capital is the
///         reserve. All values are 18-decimal fixed point ("WAD") unless a name says "assets" (the
///         settlement asset's own decimals). Types, events and errors: `IReservePoolBase`; the owner's
///         functions: `IPoolAdmin`.
interface IReservePool is IReservePoolBase, IPoolAdmin {
    // ------------------------------------------------------------------ series entry points (tokens only)

    /// @notice One order of a batch, as the series token passes it: `amount` is assets (mint) or tokens
    ///         (redeem); `minOut` the bound on tokens (mint) or assets (redeem).
    struct OrderIn {
        address owner;
        address receiver;
        uint256 amount;
        uint256 minOut;
    }

    /// @notice Executes a batch of the calling series' orders at one price (SPEC section 3a): settles the
    ///         series, prices every mint and redeem at the same NAV (mints fill first come, first served within
    ///         the floor and the utilization cap), applies the totals once, and returns what
    ///         each order gets. Called by the series token, which mints, burns and pushes the results.
    /// @param price The verified price of the batch's oracle round (WAD), or 0 for the latest oracle price.
    /// @param prevAt `updatedAt` of the latest usable round before the batch's round (LP orders due before it
    ///        execute first: `LpOrdersDue`); ignored for the latest price.
    /// @param supply The token's total supply (escrowed redeem tokens included).
    /// @param mints Mint orders; their assets are the token's (escrow) unless `direct`.
    /// @param redeems Redeem orders; their tokens are escrowed in (or burned by) the token.
    /// @param direct A single immediate mint or redeem (the v1 entry points): the pool pulls the mint's assets
    ///        from its owner and pays the redeem's receiver itself, and every refund reason reverts instead.
    /// @return outs Tokens per mint then assets per redeem; `Series.REFUNDED` for an order refunded for its
    ///         bound (or for `mintRefund`), `Series.REFUNDED_CAPACITY` for a mint refunded because it did not fit
    ///         the floor or the cap after the mints before it (mints fill in queue order).
    /// @return mintRefund Why all mints were refunded (`ISeriesOrders.RefundReason`: knocked out, paused), 0 if
    ///         they were not.
    /// @return flow Assets the token owes the pool (> 0; it sends them after this call) or that the pool has
    ///         sent to the token (< 0), for a batch (0 when `direct`).
    function executeOrders(
        uint256 price,
        uint256 prevAt,
        uint256 supply,
        OrderIn[] calldata mints,
        OrderIn[] calldata redeems,
        bool direct
    ) external returns (uint256[] memory outs, uint8 mintRefund, int256 flow);

    /// @notice What one order of the calling series would get if it executed now, alone in a batch at the latest
    ///         oracle price, priced by the same functions as `executeOrders` (`OrderPricing`): tokens for a mint
    ///         of `amount` assets, assets before an order's execution fee for a redeem of `amount` tokens. 0
    ///         when it would be refunded (oracle unusable, series knocked out, pool paused for mints, zero
    ///         output, a mint that would break the reserve floor or the utilization cap) or for more tokens
    ///         than `supply`. Writes nothing; nonpayable only because its code is the orders module's, run by
    ///         delegatecall (the tokens call it by staticcall, `IOrdersPreview`).
    /// @param supply The token's total supply (escrowed redeem tokens included), as a batch would pass it.
    /// @param isMint A mint (true) or a redeem (false).
    /// @param amount Assets to mint with (asset units) or tokens to redeem.
    /// @return out Tokens (mint) or assets in asset units (redeem).
    function previewOrder(uint256 supply, bool isMint, uint256 amount) external returns (uint256 out);

    /// @notice Reverts unless a mint order for `token` can be placed now (series known, not knocked out, pool
    ///         not paused), with the reason's error.
    function requireMintsOpen(address token) external view;

    /// @notice Rebalances the calling series if a trigger holds; called by the series token.
    /// @param keeper The account that asked (receives the keeper reward, if any).
    /// @param supply The token's total supply.
    /// @return trigger The trigger that fired (as `Trigger`).
    function rebalanceFor(address keeper, uint256 supply) external returns (uint8 trigger);

    // ------------------------------------------------------------------ reserve

    /// @notice Adds `assets` to the reserve without taking LP shares (treasury capital, outside fees).
    /// @param assets Amount of the settlement asset, pulled from the caller.
    function fundReserve(uint256 assets) external;

    /// @notice Emits `ReserveHealth`; anyone may call, at most once per health interval.
    function reportHealth() external;

    // ------------------------------------------------------------------ views (never revert)

    /// @notice The orders module whose code runs `executeOrders` (by delegatecall; created by the pool's
    ///         constructor, immutable).
    function ordersModule() external view returns (address);
    /// @notice The admin module whose code runs the `IPoolAdmin` functions (by delegatecall; created by the
    ///         pool's constructor, immutable).
    function adminModule() external view returns (address);
    /// @notice The oracle price, WAD; reverts with the cause when the oracle is unusable.
    function price() external view returns (uint256);
    /// @notice The price views use: the oracle's if usable, else the last settled mark price.
    function markPrice() external view returns (uint256);
    /// @notice Pool assets minus liabilities, WAD (negative = insolvent).
    function reserve() external view returns (int256);
    /// @notice Sum of the equities of all series at the mark price, WAD.
    function liabilities() external view returns (uint256);
    /// @notice Sum of side*exposure over the series with equity left, WAD units of the underlying.
    function netExposure() external view returns (int256);
    /// @notice floorRatio * liabilities, rounded up, WAD.
    function floor() external view returns (uint256);
    /// @notice Settlement-asset amount the pool accounts for (LP capital, series equity, fees), asset decimals.
    function poolAssets() external view returns (uint256);
    /// @notice The series tokens, in creation order.
    function series() external view returns (address[] memory);
    /// @notice Equity of `token`'s series at the mark price, net of accrued streaming fee, WAD.
    function equityOf(address token) external view returns (uint256);
    /// @notice Exposure of `token`'s series, WAD units of the underlying (0 once its equity is 0).
    function exposureOf(address token) external view returns (uint256);
    /// @notice NAV per token of `token`'s series, WAD (initialNav before the first mint).
    function navOf(address token) external view returns (uint256);
    /// @notice Real leverage of `token`'s series, WAD (0 when equity is 0).
    function leverageOf(address token) external view returns (uint256);
    /// @notice The trigger a `rebalance()` of `token` would fire now (`None` if it would revert).
    function rebalanceStatusOf(address token) external view returns (uint8);
    /// @notice Policy and fees of `token`'s series.
    function seriesParams(address token) external view returns (SeriesParams memory);
    /// @notice Settled state of `token`'s series.
    function seriesState(address token) external view returns (SeriesState memory);
}
