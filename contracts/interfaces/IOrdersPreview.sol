// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IOrdersPreview
/// @notice `IReservePool.previewOrder` as a series token calls it: by staticcall. The pool's function runs the
///         orders module's code by delegatecall, which Solidity does not allow in a `view` function, so the
///         pool's ABI lists it as nonpayable; it writes nothing (a write in a staticcall would revert).
interface IOrdersPreview {
    /// @notice See `IReservePool.previewOrder`.
    function previewOrder(uint256 supply, bool isMint, uint256 amount) external view returns (uint256 out);
}
