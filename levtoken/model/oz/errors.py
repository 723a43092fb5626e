"""The OpenZeppelin 5.7 custom errors the contracts can revert with (ERC-20, ERC-4626, Pausable, SafeCast,
Ownable) and Solidity's `Panic`, as `ContractError`s; `levtoken.model.errors` re-exports them."""

from __future__ import annotations

from ..errors import ContractError


class ERC20InsufficientBalance(ContractError):
    """`ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)`."""

    fields = ("sender", "balance", "needed")
    types = ("address", "uint256", "uint256")


class ERC20InsufficientAllowance(ContractError):
    """`ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)`."""

    fields = ("spender", "allowance", "needed")
    types = ("address", "uint256", "uint256")


class ERC20InvalidReceiver(ContractError):
    """`ERC20InvalidReceiver(address receiver)`."""

    fields = ("receiver",)
    types = ("address",)


class ERC20InvalidSender(ContractError):
    """`ERC20InvalidSender(address sender)`."""

    fields = ("sender",)
    types = ("address",)


class ERC20InvalidApprover(ContractError):
    """`ERC20InvalidApprover(address approver)`."""

    fields = ("approver",)
    types = ("address",)


class ERC20InvalidSpender(ContractError):
    """`ERC20InvalidSpender(address spender)`."""

    fields = ("spender",)
    types = ("address",)


class ERC4626ExceededMaxDeposit(ContractError):
    """`ERC4626ExceededMaxDeposit(address receiver, uint256 assets, uint256 max)`."""

    fields = ("receiver", "assets", "max")
    types = ("address", "uint256", "uint256")


class ERC4626ExceededMaxMint(ContractError):
    """`ERC4626ExceededMaxMint(address receiver, uint256 shares, uint256 max)`."""

    fields = ("receiver", "shares", "max")
    types = ("address", "uint256", "uint256")


class ERC4626ExceededMaxWithdraw(ContractError):
    """`ERC4626ExceededMaxWithdraw(address owner, uint256 assets, uint256 max)`."""

    fields = ("owner", "assets", "max")
    types = ("address", "uint256", "uint256")


class ERC4626ExceededMaxRedeem(ContractError):
    """`ERC4626ExceededMaxRedeem(address owner, uint256 shares, uint256 max)`."""

    fields = ("owner", "shares", "max")
    types = ("address", "uint256", "uint256")


class EnforcedPause(ContractError):
    """`EnforcedPause()`."""


class ExpectedPause(ContractError):
    """`ExpectedPause()`."""


class SafeCastOverflowedUintDowncast(ContractError):
    """`SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)`."""

    fields = ("bits", "value")
    types = ("uint8", "uint256")


class SafeCastOverflowedUintToInt(ContractError):
    """`SafeCastOverflowedUintToInt(uint256 value)`."""

    fields = ("value",)
    types = ("uint256",)


class Panic(ContractError):
    """`Panic(uint256 code)`: Solidity panic: 0x11 arithmetic over/underflow, 0x12 division by 0."""

    fields = ("code",)
    types = ("uint256",)


class OwnableUnauthorizedAccount(ContractError):
    """`OwnableUnauthorizedAccount(address account)`."""

    fields = ("account",)
    types = ("address",)


class OwnableInvalidOwner(ContractError):
    """`OwnableInvalidOwner(address owner)`."""

    fields = ("owner",)
    types = ("address",)
