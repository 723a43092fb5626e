// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ILeveragedToken} from "./interfaces/ILeveragedToken.sol";
import {IReservePool} from "./interfaces/IReservePool.sol";
import {IReservePoolBase} from "./interfaces/IReservePoolBase.sol";
import {IOrdersPreview} from "./interfaces/IOrdersPreview.sol";
import {Series} from "./libraries/Series.sol";
import {SeriesOrders} from "./base/SeriesOrders.sol";

/// @title LeveragedToken
/// @notice One leveraged token series (ERC-20 + ERC-2612 permit) and its order book (`base/SeriesOrders`,
///         SPEC section 3a). The series' state, math and assets live in its `ReservePool`; this contract holds
///         the orders' escrow, hands due batches to the pool and mints or burns only the amounts the pool
///         priced, within those calls. Decimals are 18.
contract LeveragedToken is ERC20Permit, SeriesOrders, ILeveragedToken {
    /// @param name_ Token name, e.g. "ETH 3x Long".
    /// @param symbol_ Token symbol, e.g. "ETH3L".
    /// @param pool_ The pool that creates this series (the deployer).
    constructor(string memory name_, string memory symbol_, IReservePool pool_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        SeriesOrders(pool_)
    {}

    /// @inheritdoc ILeveragedToken
    /// @dev An immediate batch of one at the latest price (the pool pulls the assets, approved to it); a first
    ///      mint also locks `Series.LOCKED_SUPPLY` tokens forever.
    function mint(uint256 assets, uint256 minTokens, address receiver) external nonReentrant returns (uint256 tokens) {
        if (assets == 0) revert IReservePoolBase.ZeroAmount();
        if (receiver == address(0)) revert IReservePoolBase.ZeroAddress();
        _requireNoDueOrders();
        uint256 supply = totalSupply();
        IReservePool.OrderIn[] memory mints = new IReservePool.OrderIn[](1);
        mints[0] = IReservePool.OrderIn(msg.sender, receiver, assets, minTokens);
        (uint256[] memory outs,,) = _pool.executeOrders(0, 0, supply, mints, new IReservePool.OrderIn[](0), true);
        tokens = outs[0];
        if (supply == 0) _mint(Series.LOCK_ADDRESS, Series.LOCKED_SUPPLY); // SPEC "Minimum sizes"
        _mint(receiver, tokens);
    }

    /// @inheritdoc ILeveragedToken
    /// @dev Burns first (reverts `ERC20InsufficientBalance` beyond the balance, `ResidualTooSmall` for a
    ///      remainder below `Series.MIN_BALANCE`), then the pool pays, as an immediate batch of one.
    function redeem(uint256 tokens, uint256 minAssets, address receiver) external nonReentrant returns (uint256) {
        uint256 supply = totalSupply();
        _burn(msg.sender, tokens);
        _checkResidual(msg.sender);
        if (tokens == 0) revert IReservePoolBase.ZeroAmount();
        if (receiver == address(0)) revert IReservePoolBase.ZeroAddress();
        _requireNoDueOrders();
        IReservePool.OrderIn[] memory redeems = new IReservePool.OrderIn[](1);
        redeems[0] = IReservePool.OrderIn(msg.sender, receiver, tokens, minAssets);
        (uint256[] memory outs,,) = _pool.executeOrders(0, 0, supply, new IReservePool.OrderIn[](0), redeems, true);
        return outs[0];
    }

    /// @inheritdoc ILeveragedToken
    function rebalance() external returns (uint8 trigger) {
        return _pool.rebalanceFor(msg.sender, totalSupply());
    }

    /// @inheritdoc ILeveragedToken
    function nav() external view returns (uint256) {
        return _pool.navOf(address(this));
    }

    /// @inheritdoc ILeveragedToken
    function equity() external view returns (uint256) {
        return _pool.equityOf(address(this));
    }

    /// @inheritdoc ILeveragedToken
    function exposure() external view returns (uint256) {
        return _pool.exposureOf(address(this));
    }

    /// @inheritdoc ILeveragedToken
    function leverage() external view returns (uint256) {
        return _pool.leverageOf(address(this));
    }

    /// @inheritdoc ILeveragedToken
    function targetLeverage() external view returns (uint256) {
        return _pool.seriesParams(address(this)).targetLeverage;
    }

    /// @inheritdoc ILeveragedToken
    function isLong() external view returns (bool) {
        return _pool.seriesState(address(this)).isLong;
    }

    /// @inheritdoc ILeveragedToken
    function pool() external view returns (address) {
        return address(_pool);
    }

    /// @inheritdoc ILeveragedToken
    function rebalanceStatus() external view returns (uint8) {
        return _pool.rebalanceStatusOf(address(this));
    }

    /// @inheritdoc ILeveragedToken
    /// @dev 0 below the minimum mint order (`requestMint` would revert), else the pool's quote.
    function previewMint(uint256 assets) external view returns (uint256) {
        if (assets == 0 || assets < _params.minMintAssets) return 0;
        return _preview(true, assets);
    }

    /// @inheritdoc ILeveragedToken
    function previewRedeem(uint256 tokens) external view returns (uint256) {
        if (tokens == 0) return 0;
        return _preview(false, tokens);
    }

    /// @dev The pool's quote for one order at the current supply (`IReservePool.previewOrder`); 0 if it reverts
    ///      (a retired series: the pool no longer knows it), so a preview never reverts.
    function _preview(bool isMint, uint256 amount) private view returns (uint256 out) {
        try IOrdersPreview(address(_pool)).previewOrder(totalSupply(), isMint, amount) returns (uint256 quoted) {
            out = quoted;
        } catch {}
    }

    /// @dev Reverts if orders are due at the latest round (the immediate entry points settle at it).
    function _requireNoDueOrders() private view {
        (,,, uint256 at,) = _oracle.latestRoundData();
        if (ordersDueBy(at)) revert OrdersDue();
    }

    function _checkResidual(address account) internal view override {
        uint256 remaining = balanceOf(account);
        if (remaining != 0 && remaining < Series.MIN_BALANCE) revert ResidualTooSmall(remaining, Series.MIN_BALANCE);
    }
}
