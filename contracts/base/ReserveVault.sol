// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IReservePool} from "../interfaces/IReservePool.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {PoolParameters} from "./PoolParameters.sol";

/// @title ReserveVault
/// @notice The LPs' side of the pool (SPEC section 4): OZ ERC-4626 share accounting on the settlement asset
///         with `totalAssets() = max(0, R)`, withdrawals bounded by the floor, and `fundReserve` for capital
///         that takes no shares. 10**6 virtual shares per asset unit defend against inflation attacks.
abstract contract ReserveVault is ERC4626, PoolParameters {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @inheritdoc IReservePool
    function fundReserve(uint256 assets) external nonReentrant {
        if (assets == 0) revert ZeroAmount();
        uint256 pooled = _poolAssets + assets;
        _poolAssets = pooled.toUint128();
        IERC20(asset()).safeTransferFrom(msg.sender, address(this), assets);
        emit ReserveFunded(msg.sender, assets);
        _syncFloorAt(pooled, _viewPrice());
    }

    /// @notice Reserve in asset units, max(0, R), rounded down. Never reverts.
    function totalAssets() public view override returns (uint256) {
        int256 r = _reserveAt(_viewPrice());
        return r <= 0 ? 0 : uint256(r) / _assetScale();
    }

    /// @notice What a deposit can take without reverting: 0 while the oracle is unusable or the reserve is
    ///         negative (recapitalise with `fundReserve` first), else what the pool's asset counter can hold.
    function maxDeposit(address) public view override returns (uint256) {
        return _depositsOpen() ? type(uint128).max - _poolAssets : 0;
    }

    /// @notice As `maxDeposit`, in shares (rounded down, so the assets they cost, rounded up, fit).
    function maxMint(address receiver) public view override returns (uint256) {
        return _convertToShares(maxDeposit(receiver), Math.Rounding.Floor);
    }

    /// @notice The owner's assets, bounded so the reserve stays at or above the floor and within the
    ///         utilization cap; 0 while the oracle is unusable.
    function maxWithdraw(address owner_) public view override returns (uint256) {
        return Math.min(_convertToAssets(balanceOf(owner_), Math.Rounding.Floor), _withdrawable());
    }

    /// @notice As `maxWithdraw`, in shares (rounded down); 0 when they would pay nothing (their redeem
    ///         would revert `ZeroAmount`).
    function maxRedeem(address owner_) public view override returns (uint256 shares) {
        shares = Math.min(balanceOf(owner_), _convertToShares(_withdrawable(), Math.Rounding.Floor));
        if (_convertToAssets(shares, Math.Rounding.Floor) == 0) return 0;
    }

    /// @inheritdoc ERC4626
    function deposit(uint256 assets, address receiver) public override nonReentrant returns (uint256) {
        _price();
        return super.deposit(assets, receiver);
    }

    /// @inheritdoc ERC4626
    function mint(uint256 shares, address receiver) public override nonReentrant returns (uint256) {
        _price();
        return super.mint(shares, receiver);
    }

    /// @inheritdoc ERC4626
    function withdraw(uint256 assets, address receiver, address owner_) public override nonReentrant returns (uint256) {
        _price();
        return super.withdraw(assets, receiver, owner_);
    }

    /// @inheritdoc ERC4626
    function redeem(uint256 shares, address receiver, address owner_) public override nonReentrant returns (uint256) {
        _price();
        return super.redeem(shares, receiver, owner_);
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        if (assets == 0 || shares == 0) revert ZeroAmount();
        uint256 pooled = _poolAssets + assets;
        _poolAssets = pooled.toUint128();
        super._deposit(caller, receiver, assets, shares);
        _syncFloorAt(pooled, _viewPrice());
    }

    function _withdraw(address caller, address receiver, address owner_, uint256 assets, uint256 shares)
        internal
        override
    {
        if (assets == 0 || shares == 0) revert ZeroAmount();
        uint256 pooled = _poolAssets - assets;
        _poolAssets = uint128(pooled);
        super._withdraw(caller, receiver, owner_, assets, shares);
        _syncFloorAt(pooled, _viewPrice());
    }

    /// @dev Virtual shares and assets: 10**6 shares per unit of asset at the start (inflation defence).
    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }

    function _depositsOpen() private view returns (bool) {
        (bool ok, uint256 p,) = _priceUsable();
        return ok && _reserveAt(p) >= 0; // a deposit into a deficit would first pay for it: fundReserve instead
    }

    /// @dev Assets LPs may withdraw in total: the reserve above both the floor and what the utilization cap
    ///      needs (|net|·P/u, rounded up), asset units rounded down; 0 if the oracle is unusable.
    function _withdrawable() private view returns (uint256) {
        (bool ok, uint256 p,) = _priceUsable();
        if (!ok) return 0;
        (int256 r, uint256 fl) = _reserveAndFloor(_poolAssets, _liabilities(p));
        uint256 needed = Math.mulDiv(
            Math.mulDiv(SignedMath.abs(_netExposure(p)), p, WAD, Math.Rounding.Ceil),
            WAD,
            maxUtilization,
            Math.Rounding.Ceil
        );
        int256 room = r - Math.max(fl, needed).toInt256();
        return room <= 0 ? 0 : uint256(room) / _assetScale();
    }
}
