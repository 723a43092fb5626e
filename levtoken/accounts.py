"""Which ape accounts may send on which network."""

from __future__ import annotations

from levtoken.config import is_local_network


class UnsafeAccountError(ValueError):
    """A test account (public key material) was asked to send on a non-local network."""


def check_account(account, network_choice: str, chain_id: int | None) -> None:
    """Refuses ape's test accounts outside local chains: their mnemonic is public, anyone can take the funds."""
    from ape.api.accounts import TestAccountAPI

    if isinstance(account, TestAccountAPI) and not is_local_network(network_choice, chain_id):
        raise UnsafeAccountError(
            f"{account.alias or account.address} is a test account, whose key is public, and {network_choice} is "
            "not a local chain → import a real account (ape accounts import <alias>) and pass --account <alias>"
        )
