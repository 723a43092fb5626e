"""`ape run keeper`: run the levtoken keeper with an ape account on an ape network.

    ape run keeper --network ethereum:sepolia:alchemy --account keeper --max-fee-gwei 50
    ape run keeper --network ethereum:local:foundry --account TEST::0 --pool 0x... --once

The keeper talks to the node through its own HTTP client on the provider's URL (or --rpc), so outages are
handled by its retry and resync code; ape provides the network choice and the signing account. The pool
comes from --pool, --manifest, or the connected network's manifest (deployments/<network>.json).
Thin wrapper over `levtoken.keeper` (see docs/keeper.md).
"""

from __future__ import annotations

from typing import Any

import click
from ape.cli import ConnectedProviderCommand, account_option
from rich.console import Console

from levtoken.keeper.cli import config_from_options, keeper_options, run_keeper, setup_logging
from levtoken.keeper.signer import ApeAccountSigner


def _rpc_url(provider: Any, override: str | None) -> str:
    if override:
        return override
    url = getattr(provider, "http_uri", None) or getattr(provider, "uri", None)
    if not url or not str(url).startswith("http"):
        raise click.UsageError(f"provider {provider.name} has no HTTP URL; pass --rpc")
    return str(url)


@click.command(cls=ConnectedProviderCommand, short_help="Run the levtoken keeper")
@account_option(prompt=False)
@click.option("--rpc", "rpc_override", help="JSON-RPC URL (default: the connected provider's)")
@keeper_options
def cli(provider: Any, account: Any, rpc_override: str | None, **options: Any) -> None:
    """Performs the ReservePool's upkeep (rebalances, health reports) every block."""
    console = Console(stderr=True)
    if account is None:
        raise click.UsageError(
            "no keeper account: pass --account ALIAS (see `ape accounts list`; `ape accounts import` adds one), "
            "or --account TEST::0 on a local chain"
        )
    if hasattr(account, "set_autosign") and not getattr(account, "is_test_account", False):
        # a keyfile account: unlock once (APE_ACCOUNTS_<alias>_PASSPHRASE or a prompt) so the loop can sign
        account.set_autosign(True)
    setup_logging(options)
    from levtoken.deployment import manifest_path

    config = config_from_options(_rpc_url(provider, rpc_override), options, default_manifest=manifest_path())
    console.print(f"[bold]levtoken keeper[/] {account.address} on {provider.network_choice} "
                  f"({config.rpc_url}){' [yellow]dry run[/]' if config.dry_run else ''}")
    code = run_keeper(config, ApeAccountSigner(account), echo=lambda line: console.print(line, markup=False))
    if code:
        raise SystemExit(code)
