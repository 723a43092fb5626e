// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ISeriesOrders} from "./ISeriesOrders.sol";

/// @title ILeveragedToken
/// @notice One leveraged token series (e.g. ETH3L): an ERC-20 whose NAV moves by a multiple of the
///         underlying's price move. Its state lives in its `ReservePool`; this contract is the holders'
///         entry point and mints or burns only the amounts its pool has priced, within the pool's call.
interface ILeveragedToken is IERC20, ISeriesOrders {
    /// @notice A redeem would leave its holder `remaining` tokens, more than 0 and below `minimum`.
    error ResidualTooSmall(uint256 remaining, uint256 minimum);

    /// @notice Buys tokens with `assets` of the settlement asset (approved to the pool beforehand) at the latest
    ///         oracle price, immediately. Kept while the tools move to orders (`requestMint`); to be removed.
    /// @param assets Amount of the settlement asset, in its decimals.
    /// @param minTokens Minimum tokens to receive (slippage bound).
    /// @param receiver Receiver of the tokens.
    /// @return tokens Tokens minted.
    function mint(uint256 assets, uint256 minTokens, address receiver) external returns (uint256 tokens);

    /// @notice Burns `tokens` of the caller for settlement asset paid to `receiver` at the latest oracle price,
    ///         immediately. Kept while the tools move to orders (`requestRedeem`); to be removed.
    /// @param tokens Tokens to burn.
    /// @param minAssets Minimum assets to receive (slippage bound), in the asset's decimals.
    /// @param receiver Receiver of the assets.
    /// @return assets Assets paid.
    function redeem(uint256 tokens, uint256 minAssets, address receiver) external returns (uint256 assets);

    /// @notice Rebalances the series to its target leverage if a trigger holds (permissionless).
    /// @return trigger The trigger that fired (`IReservePool.Trigger`).
    function rebalance() external returns (uint8 trigger);

    /// @notice NAV per token at the mark price, WAD value.
    function nav() external view returns (uint256);
    /// @notice Series equity at the mark price, WAD value.
    function equity() external view returns (uint256);
    /// @notice Series exposure, WAD units of the underlying.
    function exposure() external view returns (uint256);
    /// @notice Real leverage, WAD (3x = 3e18).
    function leverage() external view returns (uint256);
    /// @notice Target leverage, WAD.
    function targetLeverage() external view returns (uint256);
    /// @notice True for a long series, false for a short one.
    function isLong() external view returns (bool);
    /// @notice The reserve pool that backs this series.
    function pool() external view returns (address);
    /// @notice Tokens a mint order of `assets` would get if it executed now, alone in a batch at the latest
    ///         oracle price (`requestMint`'s output, the execution fee being escrowed on top; the immediate
    ///         `mint` gets the same). 0 when it would be refunded or cannot be placed: oracle unusable, series
    ///         knocked out, pool paused, below `minMintAssets`, zero output, or a mint that would take the
    ///         reserve below its floor or net exposure above the utilization cap. Never reverts. The one
    ///         source of quotes: the pool's batches price orders with the same functions.
    /// @param assets Settlement asset to spend, in its decimals.
    /// @return tokens Tokens the receiver would get.
    function previewMint(uint256 assets) external view returns (uint256 tokens);

    /// @notice Assets a redeem order of `tokens` would pay if it executed now, alone in a batch at the latest
    ///         oracle price: after the redeem fee (and pro rata if the pool is insolvent), BEFORE the order's
    ///         flat execution fee (`orderParams`), which `requestRedeem`'s receiver pays out of it (its
    ///         `minAssets` bounds what is left; the immediate `redeem` pays the whole). 0 when the oracle is
    ///         unusable or the output is zero (a knocked-out series), or for more tokens than the supply. Never
    ///         reverts.
    /// @param tokens Tokens to redeem.
    /// @return assets Assets paid for them, before the execution fee, in the asset's decimals.
    function previewRedeem(uint256 tokens) external view returns (uint256 assets);

    /// @notice The trigger a rebalance would fire now (`IReservePool.Trigger`, 0 = none).
    function rebalanceStatus() external view returns (uint8);
}
