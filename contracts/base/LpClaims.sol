// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IERC7540Operator} from "../interfaces/ILpOrders.sol";
import {LpOrdersBase} from "./LpOrdersBase.sol";

/// @title LpClaims
/// @notice The ERC-7540 side of the LP orders module that follows an execution: claims of executed deposits
///         (shares) and redeems (assets) by the controller or its operator, operators, and the refunds whose
///         push failed.
abstract contract LpClaims is LpOrdersBase {
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------ claims (ERC-7540)

    /// @notice ERC-4626 `deposit`: claims for the caller as controller (see the three-argument form).
    function deposit(uint256 assets, address receiver) external returns (uint256) {
        return _claimDeposit(assets, 0, receiver, msg.sender);
    }

    /// @notice `ILpOrders.deposit`, run by delegatecall from the pool.
    function deposit(uint256 assets, address receiver, address controller) external returns (uint256) {
        return _claimDeposit(assets, 0, receiver, controller);
    }

    /// @notice ERC-4626 `mint`: claims for the caller as controller (see the three-argument form).
    function mint(uint256 shares, address receiver) external returns (uint256) {
        return _claimDeposit(0, shares, receiver, msg.sender);
    }

    /// @notice `ILpOrders.mint`, run by delegatecall from the pool.
    function mint(uint256 shares, address receiver, address controller) external returns (uint256) {
        return _claimDeposit(0, shares, receiver, controller);
    }

    /// @notice ERC-7540 `redeem`: sends the assets of `shares` of `controller`'s claimable redeems to `receiver`.
    function redeem(uint256 shares, address receiver, address controller) external returns (uint256) {
        return _claimRedeem(0, shares, receiver, controller);
    }

    /// @notice ERC-7540 `withdraw`: sends `assets` of `controller`'s claimable redeems to `receiver`.
    function withdraw(uint256 assets, address receiver, address controller) external returns (uint256) {
        return _claimRedeem(assets, 0, receiver, controller);
    }

    /// @dev Claims by assets (`shares` 0) or by shares; the last claim takes exactly what is left.
    function _claimDeposit(uint256 assets, uint256 shares, address receiver, address controller)
        private
        onlyDelegated
        nonReentrant
        returns (uint256)
    {
        LpAccount storage a = _claimant(controller, receiver);
        (uint256 ca, uint256 cs) = (a.claimableDepositAssets, a.claimableDepositShares);
        bool byAssets = shares == 0;
        if (byAssets) {
            if (assets > ca) revert ClaimExceeded(assets, ca);
            shares = assets == ca ? cs : Math.mulDiv(assets, cs, ca, Math.Rounding.Floor); // received: down
        } else {
            if (shares > cs) revert ClaimExceeded(shares, cs);
            assets = shares == cs ? ca : Math.mulDiv(shares, ca, cs, Math.Rounding.Ceil); // used up: up
        }
        if (assets == 0 || shares == 0) revert ZeroAmount();
        a.claimableDepositAssets = uint128(ca - assets);
        a.claimableDepositShares = uint128(cs - shares);
        _transfer(address(this), receiver, shares);
        emit IERC4626.Deposit(controller, receiver, assets, shares);
        return byAssets ? shares : assets;
    }

    /// @dev As `_claimDeposit`, for executed redeems: by assets (`shares` 0) or by shares.
    function _claimRedeem(uint256 assets, uint256 shares, address receiver, address controller)
        private
        onlyDelegated
        nonReentrant
        returns (uint256)
    {
        LpAccount storage a = _claimant(controller, receiver);
        (uint256 cs, uint256 ca) = (a.claimableRedeemShares, a.claimableRedeemAssets);
        bool byAssets = shares == 0;
        if (byAssets) {
            if (assets > ca) revert ClaimExceeded(assets, ca);
            shares = assets == ca ? cs : Math.mulDiv(assets, cs, ca, Math.Rounding.Ceil); // used up: up
        } else {
            if (shares > cs) revert ClaimExceeded(shares, cs);
            assets = shares == cs ? ca : Math.mulDiv(shares, ca, cs, Math.Rounding.Floor); // received: down
        }
        if (assets == 0 || shares == 0) revert ZeroAmount();
        a.claimableRedeemShares = uint128(cs - shares);
        a.claimableRedeemAssets = uint128(ca - assets);
        lpAsset.safeTransfer(receiver, assets);
        emit IERC4626.Withdraw(msg.sender, receiver, controller, assets, shares);
        return byAssets ? shares : assets;
    }

    function _claimant(address controller, address receiver) private view returns (LpAccount storage) {
        if (controller != msg.sender && !_operators[controller][msg.sender]) revert NotOperator(controller, msg.sender);
        if (receiver == address(0)) revert ZeroAddress();
        return _lpAccounts[controller];
    }

    // ------------------------------------------------------------------ operators, refunds, round

    /// @notice `ILpOrders.setOperator`, run by delegatecall from the pool.
    function setOperator(address operator, bool approved) external onlyDelegated returns (bool) {
        _operators[msg.sender][operator] = approved;
        emit IERC7540Operator.OperatorSet(msg.sender, operator, approved);
        return true;
    }

    /// @notice `ILpOrders.claimRefund`, run by delegatecall from the pool.
    function claimRefund() external onlyDelegated nonReentrant returns (uint256 assets) {
        assets = _refundable[msg.sender];
        if (assets == 0) revert NoRefund();
        _refundable[msg.sender] = 0;
        lpAsset.safeTransfer(msg.sender, assets);
        emit RefundClaimed(msg.sender, assets);
    }
}
