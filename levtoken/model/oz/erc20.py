"""OpenZeppelin 5.7 `ERC20` balances and allowances with its checks in its order: the settlement asset
(`MockERC20`), each `LeveragedToken` and the pool's LP shares (`ERC4626` is an `ERC20`) each keep one
`Ledger`.

Transfer and Approval events are not recorded.
"""

from __future__ import annotations

from ..errors import (
    PANIC_OVERFLOW,
    ERC20InsufficientAllowance,
    ERC20InsufficientBalance,
    ERC20InvalidApprover,
    ERC20InvalidReceiver,
    ERC20InvalidSender,
    ERC20InvalidSpender,
    Panic,
)
from ..solidity import UINT256_MAX

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

LedgerState = tuple[dict[str, int], dict[tuple[str, str], int], int]


class Ledger:
    """One ERC-20's balances, allowances (keyed by (owner, spender)) and total supply."""

    __slots__ = ("address", "allowances", "balances", "total_supply")

    def __init__(self, address: str) -> None:
        self.address = address
        self.balances: dict[str, int] = {}
        self.allowances: dict[tuple[str, str], int] = {}
        self.total_supply = 0

    # ------------------------------------------------------------------ journal

    def save(self) -> LedgerState:
        """A copy of the mutable state, for `load` after a revert."""
        return self.balances.copy(), self.allowances.copy(), self.total_supply

    def load(self, state: LedgerState) -> None:
        """Restores a state from `save` (the state is taken over, not copied)."""
        self.balances, self.allowances, self.total_supply = state

    # ------------------------------------------------------------------ views

    def balance_of(self, account: str) -> int:
        """`balanceOf(account)`."""
        return self.balances.get(account, 0)

    def allowance(self, owner: str, spender: str) -> int:
        """`allowance(owner, spender)`."""
        return self.allowances.get((owner, spender), 0)

    # ------------------------------------------------------------------ internals (OZ names)

    def update(self, sender: str, to: str, value: int) -> None:
        """`ERC20._update`: mint when `sender` is 0, burn when `to` is 0."""
        if sender == ZERO_ADDRESS:
            supply = self.total_supply + value
            if supply > UINT256_MAX:
                raise Panic(PANIC_OVERFLOW)
            self.total_supply = supply
        else:
            balances = self.balances
            balance = balances.get(sender, 0)
            if balance < value:
                raise ERC20InsufficientBalance(sender, balance, value)
            balances[sender] = balance - value
        if to == ZERO_ADDRESS:
            self.total_supply -= value
        else:
            self.balances[to] = self.balances.get(to, 0) + value

    def transfer(self, sender: str, to: str, value: int) -> None:
        """`ERC20._transfer`."""
        if sender == ZERO_ADDRESS:
            raise ERC20InvalidSender(ZERO_ADDRESS)
        if to == ZERO_ADDRESS:
            raise ERC20InvalidReceiver(ZERO_ADDRESS)
        self.update(sender, to, value)

    def mint(self, account: str, value: int) -> None:
        """`ERC20._mint`."""
        if account == ZERO_ADDRESS:
            raise ERC20InvalidReceiver(ZERO_ADDRESS)
        self.update(ZERO_ADDRESS, account, value)

    def burn(self, account: str, value: int) -> None:
        """`ERC20._burn`."""
        if account == ZERO_ADDRESS:
            raise ERC20InvalidSender(ZERO_ADDRESS)
        self.update(account, ZERO_ADDRESS, value)

    def approve(self, owner: str, spender: str, value: int) -> None:
        """`ERC20._approve`."""
        if owner == ZERO_ADDRESS:
            raise ERC20InvalidApprover(ZERO_ADDRESS)
        if spender == ZERO_ADDRESS:
            raise ERC20InvalidSpender(ZERO_ADDRESS)
        self.allowances[(owner, spender)] = value

    def spend_allowance(self, owner: str, spender: str, value: int) -> None:
        """`ERC20._spendAllowance`: an infinite (2**256 - 1) allowance is never decreased."""
        current = self.allowances.get((owner, spender), 0)
        if current < UINT256_MAX:
            if current < value:
                raise ERC20InsufficientAllowance(spender, current, value)
            self.approve(owner, spender, current - value)

    def transfer_from(self, spender: str, sender: str, to: str, value: int) -> None:
        """Public `transferFrom(sender, to, value)` called by `spender`."""
        self.spend_allowance(sender, spender, value)
        self.transfer(sender, to, value)
