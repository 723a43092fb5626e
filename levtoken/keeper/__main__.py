"""``python -m levtoken.keeper``: the keeper as a plain process (no ape), for servers and the demo.

    python -m levtoken.keeper --rpc http://127.0.0.1:8545 --pool 0x... --private-key 0x...
    LEVTOKEN_KEEPER_KEY=0x... python -m levtoken.keeper --rpc URL --manifest deployments/x.json
    python -m levtoken.keeper --rpc URL --pool 0x... --unlocked 0x...   # an Anvil dev account
"""

from __future__ import annotations

import sys
from typing import Any

import click

from levtoken.keeper.cli import config_from_options, keeper_options, run_keeper, setup_logging
from levtoken.keeper.signer import LocalKeySigner, NodeSigner, Signer


def _signer(private_key: str | None, unlocked: str | None) -> Signer:
    if private_key and unlocked:
        raise click.UsageError("give either --private-key or --unlocked, not both")
    if private_key:
        try:
            return LocalKeySigner(private_key)
        except (ValueError, TypeError) as exc:
            raise click.UsageError(f"--private-key is not a valid 32-byte hex private key ({exc})") from exc
    if unlocked:
        try:
            return NodeSigner(unlocked)
        except ValueError as exc:
            raise click.UsageError(f"--unlocked is not an address: {unlocked!r}") from exc
    raise click.UsageError(
        "no keeper account: pass --private-key (or set LEVTOKEN_KEEPER_KEY), or --unlocked ADDRESS for an "
        "account the node holds (Anvil's dev accounts)"
    )


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--rpc", "rpc_url", envvar="LEVTOKEN_KEEPER_RPC", required=True,
              help="HTTP JSON-RPC URL of the node (env LEVTOKEN_KEEPER_RPC)")
@click.option("--private-key", envvar="LEVTOKEN_KEEPER_KEY",
              help="keeper private key, hex (prefer the env LEVTOKEN_KEEPER_KEY: arguments are visible in ps)")
@click.option("--unlocked", help="address of an account unlocked on the node (eth_sendTransaction)")
@keeper_options
def main(rpc_url: str, private_key: str | None, unlocked: str | None, **options: Any) -> None:
    """Performs a levtoken ReservePool's upkeep (rebalances, health reports) every block."""
    setup_logging(options)
    config = config_from_options(rpc_url, options)
    sys.exit(run_keeper(config, _signer(private_key, unlocked)))


if __name__ == "__main__":
    main()
