"""`base/ReserveVault.sol`: the LPs' side of the pool (SPEC sections 3a and 4): OpenZeppelin ERC-4626 share
accounting on the settlement asset with `totalAssets() = max(0, R)` and ERC-7540 asynchronous deposits and
redeems (`ILpOrders`, whose code is the LP module's: `pool_lp_orders`, `pool_lp_claims`); the views over
their state are here. `fundReserve` adds capital that takes no shares. 10**6 virtual shares per asset unit
defend against inflation attacks."""

from __future__ import annotations

from ..errors import AsyncPreview, ZeroAmount
from ..evm import tx
from ..interfaces import DEPOSIT, LpAccount, LpQueues
from ..libraries.lp_shares import VIRTUAL_SHARES, to_assets, to_shares
from ..oz.erc4626 import ERC4626
from ..oz.safe_cast import to_uint128
from ..solidity import abi_uint, checked_add
from .pool_parameters import PoolParameters
from .series_orders import Order

# ERC-165 ids `supportsInterface` answers true for: ERC-165, ERC-7540 operator, async deposit, async
# redeem, ERC-7575
INTERFACE_IDS = frozenset({0x01FFC9A7, 0xE3BC4E65, 0xCE3BBE50, 0x620EE8E4, 0x2F0A18C5})


class ReserveVault(ERC4626, PoolParameters):
    """`fundReserve`, `totalAssets`, the ERC-7540 views (`max*` are the claimable amounts; the previews
    revert) and the conversions through `LpShares`."""

    _VIRTUAL_SHARES = VIRTUAL_SHARES  # 10 ** _decimalsOffset(), _decimalsOffset() = 6

    @tx
    def fund_reserve(self, sender: str, assets: int) -> None:
        """`fundReserve(assets)` sent by `sender`: capital without shares."""
        if abi_uint(assets) == 0:
            raise ZeroAmount()
        pooled = checked_add(self.pool_assets, assets)
        self.pool_assets = to_uint128(pooled)
        self.asset.transfer_from(self.address, sender, self.address, assets)
        self._ev.append(("ReserveFunded", {"funder": sender, "assets": assets}))
        self._sync_floor_at(pooled, self._view_price())

    def total_assets(self) -> int:
        """`totalAssets()`: max(0, R) in asset units, rounded down. Never raises."""
        r = self._reserve_at(self._view_price())
        return 0 if r <= 0 else r // self._scale

    def _convert_to_shares(self, assets: int, ceil: bool) -> int:
        """`_convertToShares`, through the one copy of the share price (`LpShares`)."""
        return to_shares(assets, self.total_assets(), self.lp.total_supply, ceil)

    def _convert_to_assets(self, shares: int, ceil: bool) -> int:
        """`_convertToAssets`, as `_convert_to_shares`."""
        return to_assets(shares, self.total_assets(), self.lp.total_supply, ceil)

    # ------------------------------------------------------------------ ERC-4626 limits: the claimable amounts

    def _lp_account_of(self, controller: str) -> LpAccount:
        return self._lp_accounts.get(controller) or LpAccount()

    def max_deposit(self, controller: str) -> int:
        """`maxDeposit(controller)`: claimable deposit assets (what `deposit` takes without reverting)."""
        return self._lp_account_of(controller).claimableDepositAssets

    def max_mint(self, controller: str) -> int:
        """`maxMint(controller)`: claimable deposit shares."""
        return self._lp_account_of(controller).claimableDepositShares

    def max_withdraw(self, controller: str) -> int:
        """`maxWithdraw(controller)`: claimable redeem assets."""
        return self._lp_account_of(controller).claimableRedeemAssets

    def max_redeem(self, controller: str) -> int:
        """`maxRedeem(controller)`: claimable redeem shares."""
        return self._lp_account_of(controller).claimableRedeemShares

    def preview_deposit(self, assets: int) -> int:
        """`previewDeposit`: reverts `AsyncPreview` (quote with `convert_to_shares`)."""
        raise AsyncPreview()

    def preview_mint(self, shares: int) -> int:
        """`previewMint`: reverts `AsyncPreview` (quote with `convert_to_assets`)."""
        raise AsyncPreview()

    def preview_withdraw(self, assets: int) -> int:
        """`previewWithdraw`: reverts `AsyncPreview`."""
        raise AsyncPreview()

    def preview_redeem(self, shares: int) -> int:
        """`previewRedeem`: reverts `AsyncPreview`."""
        raise AsyncPreview()

    # ------------------------------------------------------------------ ERC-7540 views

    def pending_deposit_request(self, controller: str, request_id: int = 0) -> int:
        """`pendingDepositRequest(requestId, controller)`: deposit assets not yet executed."""
        return self._lp_account_of(controller).pendingDepositAssets

    def claimable_deposit_request(self, controller: str, request_id: int = 0) -> int:
        """`claimableDepositRequest(requestId, controller)`: executed deposit assets not yet claimed."""
        return self._lp_account_of(controller).claimableDepositAssets

    def pending_redeem_request(self, controller: str, request_id: int = 0) -> int:
        """`pendingRedeemRequest(requestId, controller)`: redeem shares not yet executed (waiting included)."""
        return self._lp_account_of(controller).pendingRedeemShares

    def claimable_redeem_request(self, controller: str, request_id: int = 0) -> int:
        """`claimableRedeemRequest(requestId, controller)`: executed redeem shares whose assets are unclaimed."""
        return self._lp_account_of(controller).claimableRedeemShares

    def is_operator(self, controller: str, operator: str) -> bool:
        """`isOperator(controller, operator)`."""
        return self._operators.get((controller, operator), False)

    def lp_queues(self) -> LpQueues:
        """`lpQueues()`."""
        return self._lp_queues

    def lp_account(self, controller: str) -> LpAccount:
        """The raw `_lpAccounts[controller]` (no view of its own: the ERC-7540 views read its fields)."""
        return self._lp_account_of(controller)

    def lp_order(self, kind: int, order_id: int) -> Order:
        """`lpOrder(kind, id)`: zeros outside the queue's [head, tail); `receiver` is the controller."""
        q = self._lp_queues
        if kind == DEPOSIT:
            if q.depositHead <= order_id < q.depositTail:
                return self._lp_deposits[order_id]
        elif q.redeemHead <= order_id < q.redeemTail:
            return self._lp_redeems[order_id]
        return Order("0x0000000000000000000000000000000000000000", 0, 0, 0, 0)

    def refundable(self, account: str) -> int:
        """`refundable(account)`: refunds whose push failed."""
        return self._refundable.get(account, 0)

    def share(self) -> str:
        """`share()` (ERC-7575): the pool itself."""
        return self.address

    @staticmethod
    def supports_interface(interface_id: int) -> bool:
        """`supportsInterface(interfaceId)` (ERC-165)."""
        return interface_id in INTERFACE_IDS
