"""OpenZeppelin 5.x `ERC4626` share accounting on the pool's share ledger (`lp`; the vault is its own
ERC-20) and settlement asset (`asset`): conversions with virtual shares and assets, previews, and the share
token's ERC-20 calls.

The vault (`base.reserve_vault.ReserveVault`) defines `total_assets`, the `max_*` limits,
`_VIRTUAL_SHARES` (10 ** `_decimalsOffset()`) and replaces the deposit/mint/withdraw/redeem flows and the
previews with the ERC-7540 claims (`pool_lp_claims`) and `AsyncPreview`.
"""

from __future__ import annotations

from ..evm import Chain, tx
from ..solidity import abi_uint
from .erc20 import Ledger
from .math import mul_div


class ERC4626(Chain):
    """`ERC4626` over `lp` (shares) and `asset`; `address` is the vault's."""

    address: str
    asset: Ledger
    lp: Ledger
    _VIRTUAL_SHARES = 1  # 10 ** _decimalsOffset()

    def total_assets(self) -> int:
        raise NotImplementedError

    def max_deposit(self, receiver: str) -> int:
        raise NotImplementedError

    def max_mint(self, receiver: str) -> int:
        raise NotImplementedError

    def max_withdraw(self, owner: str) -> int:
        raise NotImplementedError

    def max_redeem(self, owner: str) -> int:
        raise NotImplementedError

    # ------------------------------------------------------------------ conversions and previews

    def _convert_to_shares(self, assets: int, ceil: bool) -> int:
        return mul_div(assets, self.lp.total_supply + self._VIRTUAL_SHARES, self.total_assets() + 1, ceil)

    def _convert_to_assets(self, shares: int, ceil: bool) -> int:
        return mul_div(shares, self.total_assets() + 1, self.lp.total_supply + self._VIRTUAL_SHARES, ceil)

    def convert_to_shares(self, assets: int) -> int:
        return self._convert_to_shares(assets, False)

    def convert_to_assets(self, shares: int) -> int:
        return self._convert_to_assets(shares, False)

    def preview_deposit(self, assets: int) -> int:
        return self._convert_to_shares(assets, False)

    def preview_mint(self, shares: int) -> int:
        return self._convert_to_assets(shares, True)

    def preview_withdraw(self, assets: int) -> int:
        return self._convert_to_shares(assets, True)

    def preview_redeem(self, shares: int) -> int:
        return self._convert_to_assets(shares, False)

    # ------------------------------------------------------------------ the share token (ERC-20)

    @tx
    def lp_transfer(self, sender: str, to: str, amount: int) -> None:
        """LP share `transfer(to, amount)` sent by `sender`."""
        self.lp.transfer(sender, to, abi_uint(amount))

    @tx
    def lp_approve(self, sender: str, spender: str, amount: int) -> None:
        """LP share `approve(spender, amount)` sent by `sender`."""
        self.lp.approve(sender, spender, abi_uint(amount))

    @tx
    def lp_transfer_from(self, sender: str, from_: str, to: str, amount: int) -> None:
        """LP share `transferFrom(from_, to, amount)` sent by `sender`."""
        self.lp.transfer_from(sender, from_, to, abi_uint(amount))

    def lp_balance_of(self, account: str) -> int:
        return self.lp.balance_of(account)

    def lp_total_supply(self) -> int:
        return self.lp.total_supply

    def lp_allowance(self, owner: str, spender: str) -> int:
        return self.lp.allowance(owner, spender)
