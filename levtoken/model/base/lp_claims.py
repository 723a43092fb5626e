"""`base/LpClaims.sol`: the ERC-7540 side of the LP orders module that follows an execution: claims of
executed deposits (shares) and redeems (assets) by the controller or its operator (`deposit`, `mint`,
`redeem`, `withdraw` with a controller), operators, and the refunds whose push failed (`claimRefund`)."""

from __future__ import annotations

from ..errors import ClaimExceeded, NoRefund, NotOperator, ZeroAddress, ZeroAmount
from ..evm import tx
from ..interfaces import LpAccount
from ..oz.erc20 import ZERO_ADDRESS
from ..oz.math import mul_div
from ..solidity import abi_uint
from .lp_orders_base import LpOrdersBase


class LpClaims(LpOrdersBase):
    """The claims, operators and refunds."""

    # ------------------------------------------------------------------ claims (ERC-7540)

    @tx
    def deposit(self, sender: str, assets: int, receiver: str, controller: str | None = None) -> int:
        """`deposit(assets, receiver[, controller])` sent by `sender` (the two-argument ERC-4626 form claims
        for the sender): the shares of `assets` of the controller's claimable deposits go to `receiver`.
        Returns the shares."""
        return self._claim_deposit(sender, abi_uint(assets), 0, receiver, sender if controller is None else controller)

    @tx
    def mint_shares(self, sender: str, shares: int, receiver: str, controller: str | None = None) -> int:
        """ERC-4626/7540 `mint(shares, receiver[, controller])` sent by `sender`: claims `shares` of the
        controller's claimable deposits. Returns the claimable assets they use up."""
        return self._claim_deposit(sender, 0, abi_uint(shares), receiver, sender if controller is None else controller)

    @tx
    def redeem_shares(self, sender: str, shares: int, receiver: str, controller: str) -> int:
        """ERC-7540 `redeem(shares, receiver, controller)` sent by `sender`: the assets of `shares` of the
        controller's claimable redeems go to `receiver`. Returns the assets."""
        return self._claim_redeem(sender, 0, abi_uint(shares), receiver, controller)

    @tx
    def withdraw(self, sender: str, assets: int, receiver: str, controller: str) -> int:
        """ERC-7540 `withdraw(assets, receiver, controller)` sent by `sender`: `assets` of the controller's
        claimable redeems go to `receiver`. Returns the claimable shares they use up."""
        return self._claim_redeem(sender, abi_uint(assets), 0, receiver, controller)

    def _claim_deposit(self, sender: str, assets: int, shares: int, receiver: str, controller: str) -> int:
        """`_claimDeposit`: by assets (`shares` 0) or by shares; the last claim takes exactly what is left."""
        a = self._claimant(sender, controller, receiver)
        ca, cs = a.claimableDepositAssets, a.claimableDepositShares
        by_assets = shares == 0
        if by_assets:
            if assets > ca:
                raise ClaimExceeded(assets, ca)
            shares = cs if assets == ca else mul_div(assets, cs, ca)  # received: down
        else:
            if shares > cs:
                raise ClaimExceeded(shares, cs)
            assets = ca if shares == cs else mul_div(shares, ca, cs, True)  # used up: up
        if assets == 0 or shares == 0:
            raise ZeroAmount()
        self._lp_accounts[controller] = a._replace(claimableDepositAssets=ca - assets,
                                                   claimableDepositShares=cs - shares)
        self.lp.transfer(self.address, receiver, shares)
        self._ev.append(("Deposit", {"sender": controller, "owner": receiver, "assets": assets, "shares": shares}))
        return shares if by_assets else assets

    def _claim_redeem(self, sender: str, assets: int, shares: int, receiver: str, controller: str) -> int:
        """`_claimRedeem`: as `_claim_deposit`, for executed redeems."""
        a = self._claimant(sender, controller, receiver)
        cs, ca = a.claimableRedeemShares, a.claimableRedeemAssets
        by_assets = shares == 0
        if by_assets:
            if assets > ca:
                raise ClaimExceeded(assets, ca)
            shares = cs if assets == ca else mul_div(assets, cs, ca, True)  # used up: up
        else:
            if shares > cs:
                raise ClaimExceeded(shares, cs)
            assets = ca if shares == cs else mul_div(shares, ca, cs)  # received: down
        if assets == 0 or shares == 0:
            raise ZeroAmount()
        self._lp_accounts[controller] = a._replace(claimableRedeemShares=cs - shares,
                                                   claimableRedeemAssets=ca - assets)
        self.asset.transfer(self.address, receiver, assets)
        self._ev.append(("Withdraw", {"sender": sender, "receiver": receiver, "owner": controller,
                                      "assets": assets, "shares": shares}))
        return shares if by_assets else assets

    def _claimant(self, sender: str, controller: str, receiver: str) -> LpAccount:
        """`_claimant`: `NotOperator` unless `sender` is the controller or its operator; `ZeroAddress`."""
        if controller != sender and not self._operators.get((controller, sender), False):
            raise NotOperator(controller, sender)
        if receiver == ZERO_ADDRESS:
            raise ZeroAddress()
        return self._lp_account(controller)

    # ------------------------------------------------------------------ operators, refunds

    @tx
    def set_operator(self, sender: str, operator: str, approved: bool) -> bool:
        """`setOperator(operator, approved)` sent by `sender` (the controller)."""
        if approved:
            self._operators[(sender, operator)] = True
        else:
            self._operators.pop((sender, operator), None)
        self._ev.append(("OperatorSet", {"controller": sender, "operator": operator, "approved": approved}))
        return True

    @tx
    def claim_refund(self, sender: str) -> int:
        """`claimRefund()` sent by `sender`: the refunds whose push failed."""
        assets = self._refundable.pop(sender, 0)
        if assets == 0:
            raise NoRefund()
        self.asset.transfer(self.address, sender, assets)
        self._ev.append(("RefundClaimed", {"account": sender, "assets": assets}))
        return assets
