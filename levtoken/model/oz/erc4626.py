"""OpenZeppelin 5.x `ERC4626` share accounting on the pool's share ledger (`lp`; the vault is its own
ERC-20) and settlement asset (`asset`): conversions with virtual shares and assets, previews, the
deposit/mint/withdraw/redeem flows, and the share token's ERC-20 calls.

The vault (`base.reserve_vault.ReserveVault`) defines `total_assets`, the `max_*` limits and
`_VIRTUAL_SHARES` (10 ** `_decimalsOffset()`), and wraps `_deposit`/`_withdraw`.
"""

from __future__ import annotations

from ..errors import (
    ERC4626ExceededMaxDeposit,
    ERC4626ExceededMaxMint,
    ERC4626ExceededMaxRedeem,
    ERC4626ExceededMaxWithdraw,
)
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

    # ------------------------------------------------------------------ flows (`deposit`, `mint`, ...)

    def deposit(self, sender: str, assets: int, receiver: str) -> int:
        """`deposit(assets, receiver)` sent by `sender`: returns the shares."""
        max_assets = self.max_deposit(receiver)
        if abi_uint(assets) > max_assets:
            raise ERC4626ExceededMaxDeposit(receiver, assets, max_assets)
        shares = self.preview_deposit(assets)
        self._deposit(sender, receiver, assets, shares)
        return shares

    def mint_shares(self, sender: str, shares: int, receiver: str) -> int:
        """ERC-4626 `mint(shares, receiver)` sent by `sender`: returns the assets paid."""
        max_shares = self.max_mint(receiver)
        if abi_uint(shares) > max_shares:
            raise ERC4626ExceededMaxMint(receiver, shares, max_shares)
        assets = self.preview_mint(shares)
        self._deposit(sender, receiver, assets, shares)
        return assets

    def withdraw(self, sender: str, assets: int, receiver: str, owner: str) -> int:
        """`withdraw(assets, receiver, owner)` sent by `sender`: returns the shares burned."""
        max_assets = self.max_withdraw(owner)
        if abi_uint(assets) > max_assets:
            raise ERC4626ExceededMaxWithdraw(owner, assets, max_assets)
        shares = self.preview_withdraw(assets)
        self._withdraw(sender, receiver, owner, assets, shares)
        return shares

    def redeem_shares(self, sender: str, shares: int, receiver: str, owner: str) -> int:
        """ERC-4626 `redeem(shares, receiver, owner)` sent by `sender`: returns the assets paid."""
        max_shares = self.max_redeem(owner)
        if abi_uint(shares) > max_shares:
            raise ERC4626ExceededMaxRedeem(owner, shares, max_shares)
        assets = self.preview_redeem(shares)
        self._withdraw(sender, receiver, owner, assets, shares)
        return assets

    def _deposit(self, caller: str, receiver: str, assets: int, shares: int) -> None:
        """`ERC4626._deposit`: pull the assets, mint the shares, emit `Deposit`."""
        self.asset.transfer_from(self.address, caller, self.address, assets)
        self.lp.mint(receiver, shares)
        self._ev.append(("Deposit", {"sender": caller, "owner": receiver, "assets": assets,
                                     "shares": shares}))

    def _withdraw(self, caller: str, receiver: str, owner: str, assets: int, shares: int) -> None:
        """`ERC4626._withdraw`: spend the allowance, burn the shares, pay the assets, emit `Withdraw`."""
        if caller != owner:
            self.lp.spend_allowance(owner, caller, shares)
        self.lp.burn(owner, shares)
        self.asset.transfer(self.address, receiver, assets)
        self._ev.append(("Withdraw", {"sender": caller, "receiver": receiver, "owner": owner,
                                      "assets": assets, "shares": shares}))

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
