"""OpenZeppelin `Ownable2Step`: the owner, the pending owner and the two-step transfer."""

from __future__ import annotations

from ..errors import OwnableInvalidOwner, OwnableUnauthorizedAccount
from ..evm import Chain, tx
from .erc20 import ZERO_ADDRESS


class Ownable2Step(Chain):
    """`owner`, `pending_owner`; `_only_owner(sender)` is the `onlyOwner` modifier."""

    owner: str
    pending_owner: str

    def _init_ownable(self, owner: str) -> None:
        """`Ownable(initialOwner)`: reverts `OwnableInvalidOwner` for the zero address."""
        if owner == ZERO_ADDRESS:
            raise OwnableInvalidOwner(ZERO_ADDRESS)
        self.owner = owner
        self.pending_owner = ZERO_ADDRESS

    def _only_owner(self, sender: str) -> None:
        if sender != self.owner:
            raise OwnableUnauthorizedAccount(sender)

    @tx
    def transfer_ownership(self, sender: str, new_owner: str) -> None:
        """`Ownable2Step.transferOwnership(newOwner)`."""
        self._only_owner(sender)
        self.pending_owner = new_owner
        self._ev.append(("OwnershipTransferStarted", {"previousOwner": self.owner, "newOwner": new_owner}))

    @tx
    def accept_ownership(self, sender: str) -> None:
        """`Ownable2Step.acceptOwnership()`."""
        if sender != self.pending_owner:
            raise OwnableUnauthorizedAccount(sender)
        previous = self.owner
        self.pending_owner = ZERO_ADDRESS
        self.owner = sender
        self._ev.append(("OwnershipTransferred", {"previousOwner": previous, "newOwner": sender}))
