"""`ape run codesize`: the runtime code size of every deployed contract (see `levtoken.codesize`)."""

import click
from ape import project

from levtoken.codesize import INITCODE_LIMIT, initcode_size, render, runtime_sizes


@click.command()
def cli() -> None:
    """Prints the code-size table and the pool's creation code size."""
    click.echo(render(runtime_sizes(project)))
    size = initcode_size(project)
    click.echo(f"\n`ReservePool` creation code (with its two modules): {size:,} bytes, under EIP-3860's "
               f"{INITCODE_LIMIT:,} by {INITCODE_LIMIT - size:,}")
