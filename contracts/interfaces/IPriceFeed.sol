// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title IPriceFeed
/// @notice The Chainlink feed a pool reads. Declared here so the Python SDK has its ABI when it attaches to
///         an existing feed instead of a local mock.
interface IPriceFeed is AggregatorV3Interface {}
