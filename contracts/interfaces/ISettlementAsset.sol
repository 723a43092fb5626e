// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title ISettlementAsset
/// @notice The ERC-20 (with metadata) a pool settles in. Declared here so the Python SDK has its ABI when it
///         attaches to an existing token (e.g. USDC) instead of a local mock.
interface ISettlementAsset is IERC20Metadata {}
