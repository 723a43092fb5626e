// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {RebalancePolicy} from "./RebalancePolicy.sol";

/// @title SeriesMath
/// @notice The arithmetic of one leveraged series (SPEC section 3). Every value is WAD. Every rounding
///         favours the pool: what holders receive rounds down, what they pay rounds up, and exposure
///         rounds so that leverage never rises through rounding. `levtoken.model` mirrors each function.
library SeriesMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant YEAR = 365 days;

    /// @notice Equity at `price`: max(0, e0 + side*x*(price - p0)).
    /// @dev The profit and loss x*|dP| rounds down when it is a gain and up when it is a loss.
    function equityAt(uint256 e0, uint256 x, uint256 p0, uint256 price, bool isLong)
        internal
        pure
        returns (uint256)
    {
        if (price == p0 || x == 0) return e0;
        bool gain = (price > p0) == isLong;
        uint256 move = price > p0 ? price - p0 : p0 - price;
        if (gain) return e0 + Math.mulDiv(x, move, WAD); // round down: holders' gain
        uint256 loss = Math.mulDiv(x, move, WAD, Math.Rounding.Ceil); // round up: holders' loss
        return loss >= e0 ? 0 : e0 - loss;
    }

    /// @notice Streaming fee owed on `equity` for `elapsed` seconds at `annualRate`, capped at `equity` - 1:
    ///         a fee (or its rounding) never takes the last wei, so only the market can knock a series out.
    /// @dev Rounds up (the fee goes to the reserve).
    function streamingFee(uint256 equity, uint256 annualRate, uint256 elapsed) internal pure returns (uint256) {
        if (annualRate == 0 || elapsed == 0 || equity == 0) return 0;
        uint256 fee = Math.mulDiv(equity, annualRate * elapsed, WAD * YEAR, Math.Rounding.Ceil);
        return fee >= equity ? equity - 1 : fee;
    }

    /// @notice Real leverage x*price/equity; 0 when equity is 0 (the series is knocked out).
    /// @dev Rounds down; triggers compare this rounded value with the band.
    function leverage(uint256 x, uint256 price, uint256 equity) internal pure returns (uint256) {
        if (equity == 0) return 0;
        return Math.mulDiv(Math.mulDiv(x, price, WAD), WAD, equity);
    }

    /// @notice NAV per token: equity/supply, or `initialNav` before the first mint. Rounds down.
    function nav(uint256 equity, uint256 supply, uint256 initialNav) internal pure returns (uint256) {
        if (supply == 0) return initialNav;
        return Math.mulDiv(equity, WAD, supply);
    }

    /// @notice `amount` times `rate`, rounded up (a fee the pool charges).
    function feeOf(uint256 amount, uint256 rate) internal pure returns (uint256) {
        return Math.mulDiv(amount, rate, WAD, Math.Rounding.Ceil);
    }

    /// @notice Tokens for `net` paid in: floor(net*supply/equity), or floor(net/initialNav) on the first mint.
    function tokensForMint(uint256 net, uint256 supply, uint256 equity, uint256 initialNav)
        internal
        pure
        returns (uint256)
    {
        if (supply == 0) return Math.mulDiv(net, WAD, initialNav); // round down: holder receives
        return Math.mulDiv(net, supply, equity); // round down: holder receives
    }

    /// @notice Gross claim of `tokens` out of `supply` on `equity`: floor(tokens*equity/supply).
    function claimOf(uint256 tokens, uint256 supply, uint256 equity) internal pure returns (uint256) {
        return Math.mulDiv(tokens, equity, supply); // round down: holder receives
    }

    /// @notice Exposure scaled from `equityBefore` to `equityAfter`: floor(x*after/before), so that
    ///         leverage stays the same and never rises through rounding.
    function scaleExposure(uint256 x, uint256 equityAfter, uint256 equityBefore) internal pure returns (uint256) {
        if (equityBefore == 0) return 0;
        return Math.mulDiv(x, equityAfter, equityBefore); // round down: leverage never rises
    }

    /// @notice Exposure at `targetLeverage` for `equity` at `price`: floor(T*E/P). A rebalance computes it
    ///         from the equity before its spread cost (SPEC section 3), so leverage right after a rebalance
    ///         is T*E/(E - cost): above the target by the cost's share of equity, never by rounding.
    function exposureFor(uint256 targetLeverage, uint256 equity, uint256 price) internal pure returns (uint256) {
        return Math.mulDiv(targetLeverage, equity, price); // round down: never above target at `equity`
    }

    /// @notice The exposure once `net` is added to a series with exposure `x`, `equity` and `supply` at `price`:
    ///         scaled so leverage is unchanged, floor(x*(equity+net)/equity); a first mint (`supply` = 0) sets it
    ///         at target, and a mint into a series outside its band [`minLeverage`, `maxLeverage`] adds its
    ///         money at target, x + floor(T*net/P) (new money must not inherit a drifted leverage).
    function exposureAfterMint(
        uint256 x,
        uint256 price,
        uint256 equity,
        uint256 supply,
        uint256 net,
        uint256 targetLeverage,
        uint256 minLeverage,
        uint256 maxLeverage
    ) internal pure returns (uint256) {
        if (supply == 0) return exposureFor(targetLeverage, net, price);
        return RebalancePolicy.drifted(leverage(x, price, equity), minLeverage, maxLeverage)
            ? x + exposureFor(targetLeverage, net, price)
            : scaleExposure(x, equity + net, equity);
    }

    /// @notice Notional of trading `traded` units at `price`: floor(traded*price), WAD value.
    function notional(uint256 traded, uint256 price) internal pure returns (uint256) {
        return Math.mulDiv(traded, price, WAD); // round down: a trade must reach the minimum in full
    }

    /// @notice Spread cost of trading `traded` units at `price`: ceil(traded*price*spread).
    function spreadCost(uint256 traded, uint256 price, uint256 spread) internal pure returns (uint256) {
        if (spread == 0 || traded == 0) return 0;
        return Math.mulDiv(Math.mulDiv(traded, price, WAD, Math.Rounding.Ceil), spread, WAD, Math.Rounding.Ceil);
    }
}
