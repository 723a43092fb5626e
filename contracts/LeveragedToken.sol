// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ILeveragedToken} from "./interfaces/ILeveragedToken.sol";
import {IReservePool} from "./interfaces/IReservePool.sol";

/// @title LeveragedToken
/// @notice One leveraged token series (ERC-20 + ERC-2612 permit). The series' state, math and assets live
///         in its `ReservePool`; this contract forwards holders' calls there and is minted and burned only
///         by the pool. Decimals are 18.
contract LeveragedToken is ERC20Permit, ILeveragedToken {
    IReservePool private immutable _pool;

    /// @param name_ Token name, e.g. "ETH 3x Long".
    /// @param symbol_ Token symbol, e.g. "ETH3L".
    /// @param pool_ The pool that creates this series (the deployer).
    constructor(string memory name_, string memory symbol_, IReservePool pool_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        _pool = pool_;
    }

    modifier onlyPool() {
        if (msg.sender != address(_pool)) revert OnlyPool(msg.sender);
        _;
    }

    /// @inheritdoc ILeveragedToken
    function mint(uint256 assets, uint256 minTokens, address receiver) external returns (uint256 tokens) {
        return _pool.mintFor(msg.sender, assets, minTokens, receiver);
    }

    /// @inheritdoc ILeveragedToken
    function redeem(uint256 tokens, uint256 minAssets, address receiver) external returns (uint256 assets) {
        return _pool.redeemFor(msg.sender, tokens, minAssets, receiver);
    }

    /// @inheritdoc ILeveragedToken
    function rebalance() external returns (uint8 trigger) {
        return _pool.rebalanceFor(msg.sender);
    }

    /// @inheritdoc ILeveragedToken
    function poolMint(address to, uint256 amount) external onlyPool {
        _mint(to, amount);
    }

    /// @inheritdoc ILeveragedToken
    function poolBurn(address from, uint256 amount) external onlyPool {
        _burn(from, amount);
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
}
