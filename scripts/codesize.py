"""`ape run codesize`: the runtime code size of every deployed contract (see `levtoken.codesize`)."""

import click
from ape import project

from levtoken.codesize import render, runtime_sizes


@click.command()
def cli() -> None:
    """Prints the code-size table."""
    click.echo(render(runtime_sizes(project)))
