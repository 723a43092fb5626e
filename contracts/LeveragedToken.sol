// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ILeveragedToken} from "./interfaces/ILeveragedToken.sol";
import {IReservePool} from "./interfaces/IReservePool.sol";
import {Series} from "./libraries/Series.sol";

/// @title LeveragedToken
/// @notice One leveraged token series (ERC-20 + ERC-2612 permit). The series' state, math and assets live
///         in its `ReservePool`; this contract forwards holders' calls there and mints or burns only inside
///         those calls, for the amounts the pool priced. Decimals are 18.
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

    /// @inheritdoc ILeveragedToken
    /// @dev The pool prices the mint, pulls the assets and updates the series; this token then mints
    ///      exactly what the pool returned; a first mint also locks `Series.LOCKED_SUPPLY` tokens forever.
    function mint(uint256 assets, uint256 minTokens, address receiver) external returns (uint256 tokens) {
        uint256 supply = totalSupply();
        tokens = _pool.mintFor(msg.sender, assets, minTokens, receiver, supply);
        if (supply == 0) _mint(Series.LOCK_ADDRESS, Series.LOCKED_SUPPLY); // SPEC "Minimum sizes"
        _mint(receiver, tokens);
    }

    /// @inheritdoc ILeveragedToken
    /// @dev Burns first (reverts `ERC20InsufficientBalance` beyond the balance, `ResidualTooSmall` for a
    ///      remainder below `Series.MIN_BALANCE`), then the pool pays.
    function redeem(uint256 tokens, uint256 minAssets, address receiver) external returns (uint256 assets) {
        uint256 supply = totalSupply();
        _burn(msg.sender, tokens);
        uint256 remaining = balanceOf(msg.sender);
        if (remaining != 0 && remaining < Series.MIN_BALANCE) revert ResidualTooSmall(remaining, Series.MIN_BALANCE);
        return _pool.redeemFor(msg.sender, tokens, minAssets, receiver, supply);
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
}
