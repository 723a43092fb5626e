// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LeveragedToken} from "./LeveragedToken.sol";
import {IReservePool} from "./interfaces/IReservePool.sol";

/// @title LeveragedTokenDeployer
/// @notice Deploys `LeveragedToken`s for the pool that calls it. Kept apart from `ReservePool` so the pool's
///         runtime code stays under the EIP-170 size limit. Stateless: a token deployed for any caller is
///         minted and burned only by that caller, so anyone may use it without harm.
contract LeveragedTokenDeployer {
    /// @notice A token was deployed for `pool`.
    event TokenDeployed(address indexed pool, address indexed token, string symbol);

    /// @notice Deploys a token whose pool is the caller.
    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @return token The new token.
    function deploy(string calldata name_, string calldata symbol_) external returns (address token) {
        token = address(new LeveragedToken(name_, symbol_, IReservePool(msg.sender)));
        emit TokenDeployed(msg.sender, token, symbol_);
    }
}
