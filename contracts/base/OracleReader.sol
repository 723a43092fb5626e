// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IReservePoolBase} from "../interfaces/IReservePoolBase.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {OraclePrice} from "../libraries/OraclePrice.sol";
import {PoolStorage} from "./PoolStorage.sol";

/// @title OracleReader
/// @notice The pool's price feed (SPEC section 6): a reverting read for state changes, a non-reverting one
///         for views, both normalised to WAD from the feed's decimals.
abstract contract OracleReader is PoolStorage, IReservePoolBase {
    /// @notice The price feed (Chainlink AggregatorV3Interface).
    AggregatorV3Interface public immutable oracle;
    uint8 private immutable _oracleDecimals;

    /// @param oracle_ Price feed of the underlying in units of the settlement asset (at most 36 decimals).
    constructor(AggregatorV3Interface oracle_) {
        if (address(oracle_) == address(0)) revert ZeroAddress();
        uint8 feedDecimals = oracle_.decimals();
        if (feedDecimals > 36) revert UnsupportedDecimals(feedDecimals); // keeps 10**(d-18) in range
        oracle = oracle_;
        _oracleDecimals = feedDecimals;
    }

    /// @dev Reads the oracle, reverting with the cause if unusable.
    /// @dev The feed's decimals.
    function _feedDecimals() internal view returns (uint8) {
        return _oracleDecimals;
    }

    function _price() internal view returns (uint256 p) {
        (p,) = OraclePrice.read(oracle, _oracleDecimals, maxPriceAge);
    }

    /// @dev `_price` and the round's `updatedAt` (which the series' order queues are checked against).
    function _priceAndTime() internal view returns (uint256, uint256) {
        return OraclePrice.read(oracle, _oracleDecimals, maxPriceAge);
    }

    function _tryPrice() internal view returns (OraclePrice.Status status, uint256 p, uint256 updatedAt) {
        return OraclePrice.tryRead(oracle, _oracleDecimals, maxPriceAge);
    }

    /// @dev The oracle price if usable, else 0: each series is then valued at its own last settled mark
    ///      price (see `Series.equityNow`). Never reverts.
    function _viewPrice() internal view returns (uint256) {
        (OraclePrice.Status status, uint256 p,) = _tryPrice();
        return status == OraclePrice.Status.Ok ? p : 0;
    }

    /// @dev Whether the oracle is usable, and its price and `updatedAt` if so.
    function _priceUsable() internal view returns (bool ok, uint256 p, uint256 updatedAt) {
        OraclePrice.Status status;
        (status, p, updatedAt) = _tryPrice();
        ok = status == OraclePrice.Status.Ok;
    }
}
