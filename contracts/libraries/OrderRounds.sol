// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {OraclePrice} from "./OraclePrice.sol";

/// @title OrderRounds
/// @notice Which oracle round prices an order (SPEC section 3a), shared by the series orders (`SeriesOrders`)
///         and the LP orders (`PoolLpOrders`): an order due at `dueAt` (its request time plus `minDelay`)
///         executes at the first usable round whose `updatedAt` is after `dueAt`. An executor names the
///         round; `read` finds the latest usable round before it (over at most `MAX_UNUSABLE_ROUNDS` unusable
///         ones) and `classify` tells, for one order, whether the named round is its round.
library OrderRounds {
    /// @notice Most consecutive unusable rounds the check walks back over (more: `Unverifiable`).
    uint256 internal constant MAX_UNUSABLE_ROUNDS = 32;
    /// @notice Most rounds `pendingRound` reads back from the latest.
    uint256 internal constant MAX_ROUND_SCAN = 256;

    /// @dev What the named round is for one order.
    enum Verdict {
        NotDue, // the round is not after the order's due time (and the order has not expired)
        Due, // the round prices the order
        Earlier, // a usable round between its due time and the named one came first: that one prices it
        Expired, // no usable round within maxOrderAge of its due time
        Unverifiable // more than MAX_UNUSABLE_ROUNDS unusable rounds precede the round: nothing proves it first
    }

    /// @dev A round an execution names, and what bounds it.
    struct Round {
        uint80 id;
        bool usable;
        uint256 price;
        uint256 at; // updatedAt
        uint256 prevAt; // updatedAt of the latest usable round before it (0: none in this phase)
        bool verifiable; // that round was found within MAX_UNUSABLE_ROUNDS
        uint256 maxAge; // maxOrderAge
        bool latestKnown;
        bool isLatest;
    }

    /// @dev Round `roundId` of `feed` and the latest usable round before it.
    function read(AggregatorV3Interface feed, uint8 feedDecimals, uint80 roundId, uint256 maxAge)
        internal
        view
        returns (Round memory rd)
    {
        rd.id = roundId;
        (rd.usable, rd.price, rd.at) = OraclePrice.readRound(feed, feedDecimals, roundId);
        rd.maxAge = maxAge;
        (rd.prevAt, rd.verifiable) = prevAt(feed, feedDecimals, roundId);
    }

    /// @dev `updatedAt` of the latest usable round before `roundId` (0 if none in its phase), and whether it
    ///      was found within `MAX_UNUSABLE_ROUNDS` unusable rounds.
    function prevAt(AggregatorV3Interface feed, uint8 feedDecimals, uint80 roundId)
        internal
        view
        returns (uint256 at, bool verifiable)
    {
        verifiable = true;
        uint80 id = roundId;
        for (uint256 skipped; uint64(id) > 1;) {
            --id;
            bool usable;
            (usable,, at) = OraclePrice.readRound(feed, feedDecimals, id);
            if (usable) return (at, true);
            if (++skipped > MAX_UNUSABLE_ROUNDS) return (0, false);
        }
        return (0, true);
    }

    /// @dev What round `rd` is for an order due at `due`. Reads the latest round id (once per `rd`) only for
    ///      an order that is not due at `rd` but past its deadline: it expires at the latest round only.
    function classify(Round memory rd, uint256 due, AggregatorV3Interface feed) internal view returns (Verdict) {
        if (due < rd.prevAt) return Verdict.Earlier;
        uint256 deadline = due + rd.maxAge;
        if (rd.usable && due < rd.at) {
            if (rd.at > deadline) return Verdict.Expired;
            return rd.verifiable ? Verdict.Due : Verdict.Unverifiable;
        }
        // Not due at this round: expired only if no round can come in its window any more.
        if (block.timestamp <= deadline) return Verdict.NotDue;
        if (!isLatest(rd, feed)) return Verdict.NotDue;
        return Verdict.Expired;
    }

    /// @dev Whether `rd` is the feed's latest round (read once, then remembered in `rd`).
    function isLatest(Round memory rd, AggregatorV3Interface feed) internal view returns (bool) {
        if (!rd.latestKnown) {
            (uint80 latest,,,,) = feed.latestRoundData();
            (rd.latestKnown, rd.isLatest) = (true, latest == rd.id);
        }
        return rd.isLatest;
    }

    /// @dev The round at which orders first due at `due` execute: the first usable round after `due` within
    ///      the last `MAX_ROUND_SCAN` rounds; else, once no round can come within the window (`maxAge`), the
    ///      latest round (which refunds them); else 0 (not due yet).
    function pendingRound(AggregatorV3Interface feed, uint8 feedDecimals, uint256 due, uint256 maxAge)
        internal
        view
        returns (uint80 found)
    {
        (uint80 latest,,,,) = feed.latestRoundData();
        uint80 id = latest;
        for (uint256 k; k < MAX_ROUND_SCAN && uint64(id) != 0; ++k) {
            (bool usable,, uint256 at) = OraclePrice.readRound(feed, feedDecimals, id);
            if (usable) {
                if (at <= due) break;
                found = id;
            }
            --id;
        }
        // No round after it, and none can come within its window any more: the latest round refunds it.
        if (found == 0 && block.timestamp > due + maxAge) found = latest;
    }
}
