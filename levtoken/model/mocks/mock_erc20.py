"""`mocks/MockERC20.sol`: a freely mintable OpenZeppelin ERC-20 with configurable decimals, and the
`PoolModel` calls that send transactions to it."""

from __future__ import annotations

from ..evm import Chain, tx
from ..oz.erc20 import Ledger
from ..solidity import abi_uint


class MockERC20Model(Ledger):
    """`MockERC20(name, symbol, decimals)`: an OZ `Ledger` with `decimals`; `mint` is public."""

    __slots__ = ("decimals",)

    def __init__(self, address: str, decimals: int) -> None:
        super().__init__(address)
        self.decimals = decimals


class MockERC20Calls(Chain):
    """Transactions to and views of the settlement asset (`asset`)."""

    asset: MockERC20Model

    @tx
    def asset_mint(self, to: str, amount: int) -> None:
        """`MockERC20.mint(to, amount)`."""
        self.asset.mint(to, abi_uint(amount))

    @tx
    def asset_approve(self, owner: str, spender: str, amount: int) -> None:
        """`approve(spender, amount)` sent by `owner`."""
        self.asset.approve(owner, spender, abi_uint(amount))

    @tx
    def asset_transfer(self, sender: str, to: str, amount: int) -> None:
        """`transfer(to, amount)` sent by `sender` (to the pool: a donation `poolAssets` ignores)."""
        self.asset.transfer(sender, to, abi_uint(amount))

    @tx
    def asset_transfer_from(self, sender: str, from_: str, to: str, amount: int) -> None:
        """`transferFrom(from_, to, amount)` sent by `sender`."""
        self.asset.transfer_from(sender, from_, to, abi_uint(amount))

    def asset_balance_of(self, account: str) -> int:
        return self.asset.balance_of(account)

    def asset_allowance(self, owner: str, spender: str) -> int:
        return self.asset.allowance(owner, spender)
