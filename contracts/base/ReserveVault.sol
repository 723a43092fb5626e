// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IReservePool} from "../interfaces/IReservePool.sol";
import {ILpOrders, IERC7540Deposit, IERC7540Redeem, IERC7540Operator} from "../interfaces/ILpOrders.sol";
import {ISeriesOrders} from "../interfaces/ISeriesOrders.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {LpShares} from "../libraries/LpShares.sol";
import {PoolParameters} from "./PoolParameters.sol";

/// @dev What the pool checks of the LP orders module it is given.
interface ILpOrdersModule {
    function oracle() external view returns (AggregatorV3Interface);
    function lpAsset() external view returns (IERC20);
}

/// @title ReserveVault
/// @notice The LPs' side of the pool (SPEC sections 3a and 4): OZ ERC-4626 share accounting on the settlement
///         asset with `totalAssets() = max(0, R)` and ERC-7540 asynchronous deposits and redeems (`ILpOrders`):
///         LPs enter and leave only through orders executed at the next oracle round, never at a price they
///         already know. The orders' code is the LP module `PoolLpOrders` (delegatecall from the stubs here);
///         the views over their state are here. `fundReserve` adds capital that takes no shares. 10**6 virtual
///         shares per asset unit defend against inflation attacks.
abstract contract ReserveVault is ERC4626, PoolParameters, ILpOrders {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice The LP orders module whose code runs the `ILpOrders` functions (by delegatecall; immutable).
    address public immutable lpOrdersModule;

    /// @param lpOrdersModule_ A `PoolLpOrders` built for this pool's asset and oracle.
    constructor(address lpOrdersModule_, IERC20 asset_, AggregatorV3Interface oracle_) {
        if (
            lpOrdersModule_.code.length == 0 || ILpOrdersModule(lpOrdersModule_).oracle() != oracle_
                || ILpOrdersModule(lpOrdersModule_).lpAsset() != asset_
        ) revert ModuleMismatch(lpOrdersModule_);
        lpOrdersModule = lpOrdersModule_;
    }

    /// @dev Runs the called function's code in `module` (delegatecall with this call's data) and ends the call
    ///      with its result: the function's body never runs, nor does anything a modifier before this one would
    ///      do after `_`. Only checks (`onlyOwner`) may precede it.
    function _delegate(address module) internal {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), module, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) { revert(ptr, returndatasize()) }
            return(ptr, returndatasize())
        }
    }

    /// @dev `_delegate` for a view: the module's function is a view too, so the delegatecall writes nothing (and
    ///      under a static call it could not). The compiler is told so by calling `_delegate` through a view
    ///      function pointer.
    function _delegateView(address module) internal view {
        function(address) internal f = _delegate;
        function(address) internal view g;
        assembly ("memory-safe") {
            g := f
        }
        g(module);
    }

    /// @dev `_delegate` to the LP orders module.
    modifier lpOrders() {
        _delegate(lpOrdersModule);
        _;
    }

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

    // ------------------------------------------------------------------ requests, execution (the module's code)

    /// @inheritdoc IERC7540Deposit
    function requestDeposit(uint256, address, address) external lpOrders returns (uint256) {}

    /// @inheritdoc ILpOrders
    function requestDeposit(uint256, address, address, uint256) external lpOrders returns (uint256) {}

    /// @inheritdoc IERC7540Redeem
    function requestRedeem(uint256, address, address) external lpOrders returns (uint256) {}

    /// @inheritdoc ILpOrders
    function requestRedeem(uint256, address, address, uint256) external lpOrders returns (uint256) {}

    /// @inheritdoc ILpOrders
    function executeLpOrders(uint80, uint256) external lpOrders returns (uint256) {}

    /// @inheritdoc ILpOrders
    function executeLpOrdersFor(uint80, uint256, address) external lpOrders returns (uint256) {}

    /// @inheritdoc ILpOrders
    function lpPendingRound() external view returns (uint80) {
        _delegateView(lpOrdersModule);
    }

    /// @inheritdoc IERC7540Operator
    function setOperator(address, bool) external lpOrders returns (bool) {}

    /// @inheritdoc ILpOrders
    function claimRefund() external lpOrders returns (uint256) {}

    // ------------------------------------------------------------------ claims (the module's code)

    /// @notice Claims the shares of `assets` of the caller's claimable deposits (ERC-7540: controller = caller).
    function deposit(uint256, address) public override lpOrders returns (uint256) {}

    /// @inheritdoc IERC7540Deposit
    function deposit(uint256, address, address) external lpOrders returns (uint256) {}

    /// @notice Claims `shares` of the caller's claimable deposits (ERC-7540: controller = caller).
    function mint(uint256, address) public override lpOrders returns (uint256) {}

    /// @inheritdoc IERC7540Deposit
    function mint(uint256, address, address) external lpOrders returns (uint256) {}

    /// @notice Sends `assets` of `controller`'s claimable redeems to `receiver` (ERC-7540 claim).
    function withdraw(uint256, address, address) public override lpOrders returns (uint256) {}

    /// @notice Sends the assets of `shares` of `controller`'s claimable redeems to `receiver` (ERC-7540 claim).
    function redeem(uint256, address, address) public override lpOrders returns (uint256) {}

    // ------------------------------------------------------------------ views

    /// @notice Claimable deposit assets of `controller` (ERC-7540: what `deposit` takes without reverting).
    function maxDeposit(address controller) public view override returns (uint256) {
        return _lpAccounts[controller].claimableDepositAssets;
    }

    /// @notice Claimable deposit shares of `controller`.
    function maxMint(address controller) public view override returns (uint256) {
        return _lpAccounts[controller].claimableDepositShares;
    }

    /// @notice Claimable redeem assets of `controller`.
    function maxWithdraw(address controller) public view override returns (uint256) {
        return _lpAccounts[controller].claimableRedeemAssets;
    }

    /// @notice Claimable redeem shares of `controller`.
    function maxRedeem(address controller) public view override returns (uint256) {
        return _lpAccounts[controller].claimableRedeemShares;
    }

    /// @notice Reverts (`AsyncPreview`): deposits are asynchronous (ERC-7540); quote with `convertToShares`.
    function previewDeposit(uint256) public pure override returns (uint256) {
        revert AsyncPreview();
    }

    /// @notice Reverts (`AsyncPreview`): deposits are asynchronous (ERC-7540); quote with `convertToAssets`.
    function previewMint(uint256) public pure override returns (uint256) {
        revert AsyncPreview();
    }

    /// @notice Reverts (`AsyncPreview`): redeems are asynchronous (ERC-7540); quote with `convertToShares`.
    function previewWithdraw(uint256) public pure override returns (uint256) {
        revert AsyncPreview();
    }

    /// @notice Reverts (`AsyncPreview`): redeems are asynchronous (ERC-7540); quote with `convertToAssets`.
    function previewRedeem(uint256) public pure override returns (uint256) {
        revert AsyncPreview();
    }

    /// @inheritdoc IERC7540Deposit
    function pendingDepositRequest(uint256, address controller) external view returns (uint256) {
        return _lpAccounts[controller].pendingDepositAssets;
    }

    /// @inheritdoc IERC7540Deposit
    function claimableDepositRequest(uint256, address controller) external view returns (uint256) {
        return _lpAccounts[controller].claimableDepositAssets;
    }

    /// @inheritdoc IERC7540Redeem
    function pendingRedeemRequest(uint256, address controller) external view returns (uint256) {
        return _lpAccounts[controller].pendingRedeemShares;
    }

    /// @inheritdoc IERC7540Redeem
    function claimableRedeemRequest(uint256, address controller) external view returns (uint256) {
        return _lpAccounts[controller].claimableRedeemShares;
    }

    /// @inheritdoc IERC7540Operator
    function isOperator(address controller, address operator) external view returns (bool) {
        return _operators[controller][operator];
    }

    /// @inheritdoc ILpOrders
    function lpQueues() external view returns (LpQueues memory) {
        return _lpQueues;
    }

    /// @inheritdoc ILpOrders
    function lpOrder(LpKind kind, uint256 id) external view returns (ISeriesOrders.Order memory o) {
        LpQueues memory q = _lpQueues;
        if (kind == LpKind.Deposit) {
            if (id >= q.depositHead && id < q.depositTail) o = _lpDeposits[id];
        } else if (id >= q.redeemHead && id < q.redeemTail) {
            o = _lpRedeems[id];
        }
    }

    /// @inheritdoc ILpOrders
    function refundable(address account) external view returns (uint256) {
        return _refundable[account];
    }

    /// @inheritdoc ILpOrders
    function share() external view returns (address) {
        return address(this);
    }

    /// @notice ERC-165: ERC-7540 operators, asynchronous deposits and redeems, ERC-7575, ERC-165.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0xe3bc4e65 || interfaceId == 0xce3bbe50
            || interfaceId == 0x620ee8e4 || interfaceId == 0x2f0a18c5;
    }

    /// @dev OpenZeppelin's conversion, through the one copy of the share price (`LpShares`).
    function _convertToShares(uint256 assets, Math.Rounding rounding) internal view override returns (uint256) {
        return LpShares.toShares(assets, totalAssets(), totalSupply(), rounding);
    }

    /// @dev As `_convertToShares`.
    function _convertToAssets(uint256 shares, Math.Rounding rounding) internal view override returns (uint256) {
        return LpShares.toAssets(shares, totalAssets(), totalSupply(), rounding);
    }

    /// @dev Virtual shares and assets: 10**6 shares per unit of asset at the start (inflation defence).
    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }
}
