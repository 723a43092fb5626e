// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IReservePoolBase} from "../interfaces/IReservePoolBase.sol";

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

    /// @notice Scales a positive feed answer with `feedDecimals` decimals (at most 36) to WAD, rounding down;
    ///         `ok` is false if the result would overflow.
    function toWad(uint256 answer, uint8 feedDecimals) internal pure returns (bool ok, uint256 wad) {
        if (feedDecimals <= 18) return Math.tryMul(answer, 10 ** (18 - feedDecimals));
        return (true, answer / 10 ** (feedDecimals - 18));
    }

    /// @notice The usable price in WAD and its round's `updatedAt`; reverts with the `IReservePool` error
    ///         naming the cause.
    function read(AggregatorV3Interface feed, uint8 feedDecimals, uint256 maxAge)
        internal
        view
        returns (uint256, uint256)
    {
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = feed.latestRoundData();
        (Status status, uint256 price) = _check(roundId, answer, updatedAt, answeredInRound, maxAge, feedDecimals);
        if (status == Status.Ok) return (price, updatedAt);
        if (status == Status.InvalidPrice) revert IReservePoolBase.InvalidPrice(answer);
        if (status == Status.IncompleteRound) revert IReservePoolBase.IncompleteRound(roundId, answeredInRound);
        if (status == Status.FuturePrice) revert IReservePoolBase.FuturePrice(updatedAt, block.timestamp);
        revert IReservePoolBase.StalePrice(updatedAt, maxAge);
    }

    /// @notice Like `read`, but never reverts: `(Ok, price, updatedAt)` or `(cause, 0, updatedAt)`.
    function tryRead(AggregatorV3Interface feed, uint8 feedDecimals, uint256 maxAge)
        internal
        view
        returns (Status status, uint256 price, uint256 updatedAt)
    {
        try feed.latestRoundData() returns (
            uint80 roundId, int256 answer, uint256, uint256 updatedAt_, uint80 answeredInRound
        ) {
            updatedAt = updatedAt_;
            (status, price) = _check(roundId, answer, updatedAt, answeredInRound, maxAge, feedDecimals);
        } catch {
            status = Status.Unreachable;
        }
    }

    /// @notice Round `roundId` of the feed (SPEC section 3a): its WAD price and `updatedAt` if it is usable
    ///         for orders (positive answer within range, complete, not dated after this block; no age limit,
    ///         since an order's window bounds it), else `(false, 0, updatedAt)`. A round the feed does not
    ///         have (it reverts, or returns `updatedAt` 0) is unusable with `updatedAt` 0. Never reverts.
    function readRound(AggregatorV3Interface feed, uint8 feedDecimals, uint80 roundId)
        internal
        view
        returns (bool usable, uint256 price, uint256 updatedAt)
    {
        try feed.getRoundData(roundId) returns (
            uint80 id, int256 answer, uint256, uint256 updatedAt_, uint80 answeredInRound
        ) {
            updatedAt = updatedAt_;
            Status status;
            (status, price) = _check(id, answer, updatedAt, answeredInRound, type(uint256).max, feedDecimals);
            usable = status == Status.Ok && id == roundId;
        } catch {}
    }

    function _check(
        uint80 roundId,
        int256 answer,
        uint256 updatedAt,
        uint80 answeredInRound,
        uint256 maxAge,
        uint8 feedDecimals
    ) private view returns (Status, uint256) {
        if (updatedAt == 0 || answeredInRound < roundId) return (Status.IncompleteRound, 0);
        if (answer <= 0) return (Status.InvalidPrice, 0);
        (bool ok, uint256 wad) = toWad(uint256(answer), feedDecimals);
        if (!ok || wad == 0 || wad > MAX_PRICE) return (Status.InvalidPrice, 0);
        if (updatedAt > block.timestamp) return (Status.FuturePrice, 0);
        if (block.timestamp - updatedAt > maxAge) return (Status.StalePrice, 0); // maxAge = 2^256-1: never
        return (Status.Ok, wad);
    }
}
