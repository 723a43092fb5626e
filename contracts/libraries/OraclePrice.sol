// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IReservePool} from "../interfaces/IReservePool.sol";

/// @title OraclePrice
/// @notice Reads a Chainlink `AggregatorV3Interface` and normalises the answer to WAD (SPEC section 6).
///         A price is usable only if the answer is positive, the round is complete, `updatedAt` is not in
///         the future and not older than `maxAge`.
library OraclePrice {
    /// @notice Largest usable price, WAD (1e18 units of settlement asset per unit of underlying): larger
    ///         answers are treated as invalid so that no valuation can overflow.
    uint256 internal constant MAX_PRICE = 1e36;

    /// @notice Why a read was refused (`Ok` when usable).
    enum Status {
        Ok,
        InvalidPrice,
        StalePrice,
        FuturePrice,
        IncompleteRound,
        Unreachable
    }

    /// @notice Scales a feed answer with `feedDecimals` decimals to 18 decimals (rounding down).
    function toWad(uint256 answer, uint8 feedDecimals) internal pure returns (uint256) {
        if (feedDecimals == 18) return answer;
        if (feedDecimals < 18) return answer * 10 ** (18 - feedDecimals);
        return answer / 10 ** (feedDecimals - 18);
    }

    /// @notice The usable price in WAD; reverts with the `IReservePool` error naming the cause.
    function read(AggregatorV3Interface feed, uint8 feedDecimals, uint256 maxAge) internal view returns (uint256) {
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = feed.latestRoundData();
        Status status = _check(roundId, answer, updatedAt, answeredInRound, maxAge, feedDecimals);
        if (status == Status.Ok) return toWad(uint256(answer), feedDecimals);
        if (status == Status.InvalidPrice) revert IReservePool.InvalidPrice(answer);
        if (status == Status.IncompleteRound) revert IReservePool.IncompleteRound(roundId, answeredInRound);
        if (status == Status.FuturePrice) revert IReservePool.FuturePrice(updatedAt, block.timestamp);
        revert IReservePool.StalePrice(updatedAt, maxAge);
    }

    /// @notice Like `read`, but never reverts: `(Ok, price)` or `(cause, 0)`.
    function tryRead(AggregatorV3Interface feed, uint8 feedDecimals, uint256 maxAge)
        internal
        view
        returns (Status status, uint256 price)
    {
        try feed.latestRoundData() returns (
            uint80 roundId, int256 answer, uint256, uint256 updatedAt, uint80 answeredInRound
        ) {
            status = _check(roundId, answer, updatedAt, answeredInRound, maxAge, feedDecimals);
            if (status == Status.Ok) price = toWad(uint256(answer), feedDecimals);
        } catch {
            status = Status.Unreachable;
        }
    }

    function _check(
        uint80 roundId,
        int256 answer,
        uint256 updatedAt,
        uint80 answeredInRound,
        uint256 maxAge,
        uint8 feedDecimals
    ) private view returns (Status) {
        if (updatedAt == 0 || answeredInRound < roundId) return Status.IncompleteRound;
        if (answer <= 0 || answer > type(int128).max) return Status.InvalidPrice;
        uint256 wad = toWad(uint256(answer), feedDecimals);
        if (wad == 0 || wad > MAX_PRICE) return Status.InvalidPrice;
        if (updatedAt > block.timestamp) return Status.FuturePrice;
        if (block.timestamp - updatedAt > maxAge) return Status.StalePrice;
        return Status.Ok;
    }
}
