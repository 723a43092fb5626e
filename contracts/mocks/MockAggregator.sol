// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

/// @title MockAggregator
/// @notice Chainlink's MockV3Aggregator (`updateAnswer(int256)`, `updateRoundData(...)`), re-exported so
///         ape compiles it into this project's artifacts for local chains and tests.
contract MockAggregator is MockV3Aggregator {
    /// @param decimals_ Feed decimals (ETH/USD on mainnet: 8).
    /// @param initialAnswer First answer, in feed decimals.
    constructor(uint8 decimals_, int256 initialAnswer) MockV3Aggregator(decimals_, initialAnswer) {}
}
