"""`ape run deploy --network ... --account ... [--config PRESET|FILE]`: deploy (or reuse) a levtoken system.

Thin wrapper over `levtoken.deployment.deploy`; writes `deployments/<network>.json`. A second run against
the same manifest reuses every contract and creates only missing series. See docs/deployment.md.
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import account_option
from rich.console import Console
from rich.table import Table

from levtoken.cli_support import ConnectedCommand, setup_logging, user_errors
from levtoken.config import DEFAULT_PRESET, load_config, preset_names
from levtoken.deployment import deploy


@click.command(cls=ConnectedCommand)
@account_option()
@click.option("--config", "config_source", default=DEFAULT_PRESET, show_default=True,
              help=f"preset name ({', '.join(preset_names())}) or path to a YAML config")
@click.option("--deployments", type=click.Path(file_okay=False, path_type=Path), default="deployments",
              show_default=True, help="directory of the deployment manifests")
@user_errors
def cli(account, config_source: str, deployments: Path) -> None:
    """Deploy the config's asset/oracle (mocks on local chains), pool and series, or reuse the manifest's."""
    setup_logging()
    config = load_config(config_source)
    d = deploy(config, account, manifest_dir=deployments)
    console = Console(highlight=False, soft_wrap=True)
    table = Table(title=f"{'reused' if d.reused else 'deployed'}: manifest {d.manifest_path}", title_justify="left")
    table.add_column("contract")
    table.add_column("address")
    for name, contract in (("asset", d.asset), ("oracle", d.oracle), ("deployer", d.deployer), ("pool", d.pool)):
        table.add_row(name, str(contract.address))
    for symbol, token in d.tokens.items():
        table.add_row(symbol, str(token.address))
    console.print(table)
    for line in d.differences:
        console.print(f"[yellow]differs from the config[/]: {line}")
