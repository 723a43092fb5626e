// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {ILpOrdersBase} from "../interfaces/ILpOrders.sol";
import {OwnerSlots} from "./PoolStorage.sol";
import {OracleReader} from "./OracleReader.sol";
import {ReserveBook} from "./ReserveBook.sol";

/// @title LpOrdersBase
/// @notice What the LP orders module's parts share: its storage layout (OpenZeppelin's ERC20, slots 0-4: the
///         LP shares it moves; `OwnerSlots`; then `PoolStorage`, checked by its constructor), the delegatecall
///         guard, the asset pushes with their refund fallback, and the headroom LP redeems may take.
abstract contract LpOrdersBase is ERC20, OwnerSlots, ReentrancyGuardTransient, ReserveBook, ILpOrdersBase {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    address private immutable _self;
    /// @notice The settlement asset of the pool this module serves.
    IERC20 public immutable lpAsset;

    /// @notice A `PoolLpOrders` function was called on the module itself, not through its pool.
    error NotDelegated();

    /// @param oracle_ The pool's price feed.
    /// @param asset_ The pool's settlement asset.
    constructor(AggregatorV3Interface oracle_, IERC20Metadata asset_)
        ERC20("", "")
        OracleReader(oracle_)
        ReserveBook(asset_.decimals())
    {
        _self = address(this);
        lpAsset = asset_;
    }

    modifier onlyDelegated() {
        if (address(this) == _self) revert NotDelegated();
        _;
    }

    /// @dev Assets LP redeems may take at `p` with `pooled` pool assets: the reserve above both the floor and
    ///      what the utilization cap needs (|net|·P/u, rounded up), asset units rounded down.
    function _headroom(uint256 p, uint256 pooled) internal view returns (uint256) {
        (int256 r, uint256 fl) = _reserveAndFloor(pooled, _liabilities(p));
        uint256 needed = Math.mulDiv(
            Math.mulDiv(SignedMath.abs(_netExposure(p)), p, WAD, Math.Rounding.Ceil),
            WAD,
            maxUtilization,
            Math.Rounding.Ceil
        );
        int256 room = r - Math.max(fl, needed).toInt256();
        return room <= 0 ? 0 : uint256(room) / _assetScale();
    }

    /// @dev Pushes `assets` to `to`; a failed transfer becomes a refund to claim instead of blocking the batch.
    function _push(address to, uint256 assets) internal {
        if (assets == 0) return;
        if (!lpAsset.trySafeTransfer(to, assets)) {
            _refundable[to] += assets;
            emit RefundCredited(to, assets);
        }
    }
}
