"""Who signs the keeper's transactions.

- `LocalKeySigner`: a private key in memory (tests, the demo, `python -m levtoken.keeper --private-key`).
- `ApeAccountSigner`: any ape account (`ape run keeper --account NAME`), through `sign_transaction`.
- `NodeSigner`: an account the node holds unlocked (Anvil's dev accounts) via `eth_sendTransaction`.

A signer returns the raw signed bytes (so the keeper knows the hash before sending and can resend the
same bytes after a lost answer) or None when the node must sign (`NodeSigner`).
"""

from __future__ import annotations

from typing import Any, Protocol

from eth_account import Account
from eth_utils import to_checksum_address


class Signer(Protocol):
    address: str

    def sign(self, tx: dict[str, Any]) -> bytes | None:
        """Raw signed EIP-1559 transaction for `tx`, or None if the node signs it."""
        ...


class LocalKeySigner:
    def __init__(self, private_key: str | bytes) -> None:
        self._account = Account.from_key(private_key)
        self.address = to_checksum_address(self._account.address)

    def sign(self, tx: dict[str, Any]) -> bytes:
        return bytes(self._account.sign_transaction(tx).raw_transaction)

    def __repr__(self) -> str:
        return f"LocalKeySigner({self.address})"


class NodeSigner:
    """An account unlocked on the node (e.g. Anvil's): the keeper sends with eth_sendTransaction."""

    def __init__(self, address: str) -> None:
        self.address = to_checksum_address(address)

    def sign(self, tx: dict[str, Any]) -> None:
        return None

    def __repr__(self) -> str:
        return f"NodeSigner({self.address})"


class ApeAccountSigner:
    """An ape account (keyfile, hardware wallet, test account). Keyfile accounts should be unlocked with
    autosign first (the ape script does that), or every transaction asks for a confirmation."""

    def __init__(self, account: Any) -> None:
        self._account = account
        self.address = to_checksum_address(str(account.address))

    def sign(self, tx: dict[str, Any]) -> bytes:
        from ape import networks

        txn = networks.ecosystem.create_transaction(
            chain_id=tx["chainId"],
            nonce=tx["nonce"],
            receiver=tx["to"],
            data=tx["data"],
            value=tx.get("value", 0),
            gas_limit=tx["gas"],
            max_fee=tx["maxFeePerGas"],
            max_priority_fee=tx["maxPriorityFeePerGas"],
            type=2,
        )
        signed = self._account.sign_transaction(txn)
        if signed is None:
            raise PermissionError(f"account {self.address} declined to sign the upkeep transaction")
        return bytes(signed.serialize_transaction())

    def __repr__(self) -> str:
        return f"ApeAccountSigner({self.address})"
