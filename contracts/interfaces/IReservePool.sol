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

    /// @notice Prices a mint of series tokens for `assets` pulled from `payer` and updates the series;
    ///         called by the series token, which then mints the returned amount to `receiver`.
    /// @param payer The account that pays (the token's caller); it must have approved the pool.
    /// @param assets Amount of the settlement asset, in its decimals.
    /// @param minTokens Minimum tokens to receive, else `SlippageExceeded`.
    /// @param receiver Receiver of the tokens (for the event).
    /// @param supply The token's total supply before the mint.
    /// @return tokens Tokens to mint.
    function mintFor(address payer, uint256 assets, uint256 minTokens, address receiver, uint256 supply)
        external
        returns (uint256 tokens);

    /// @notice Pays `receiver` for `tokens` that the series token has just burned from `owner`; called by
    ///         the series token.
    /// @param owner Holder whose tokens were burned (the token's caller).
    /// @param tokens Tokens burned.
    /// @param minAssets Minimum settlement-asset amount to receive, else `SlippageExceeded`.
    /// @param receiver Receiver of the assets.
    /// @param supply The token's total supply before the burn.
    /// @return assets Assets paid, in the asset's decimals.
    function redeemFor(address owner, uint256 tokens, uint256 minAssets, address receiver, uint256 supply)
        external
        returns (uint256 assets);

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
