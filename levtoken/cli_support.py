"""Pieces shared by the ape scripts in ``scripts/`` (click + rich): the command class, logging, errors.

``ConnectedCommand`` is ape's ``ConnectedProviderCommand`` (adds ``--network`` and connects for the
command's duration) except that when the requested network is the one already connected - inside
``ape console``, a test session or another command - it runs on that connection instead of starting
(and afterwards stopping) a second provider. This is what lets the tests drive the real click commands
with ``click.testing.CliRunner``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import click
from ape import networks
from ape.cli import ConnectedProviderCommand
from rich.logging import RichHandler

from levtoken.accounts import UnsafeAccountError
from levtoken.config import ConfigError
from levtoken.deployment import DeploymentError
from levtoken.wallet import WalletError, WalletInputError

# the errors a script turns into "Error: <message>" and exit status 1 (no traceback); a WalletInputError
# (a bad argument) becomes a usage error instead, exit status 2
USER_ERRORS = (ConfigError, DeploymentError, WalletError, UnsafeAccountError)


def _requested_choice(value: Any) -> str | None:
    from ape.api.providers import ProviderAPI

    if value is None:
        return None
    if isinstance(value, ProviderAPI):
        return value.network_choice
    try:
        return networks.get_provider_from_choice(network_choice=str(value)).network_choice
    except Exception:  # noqa: BLE001 - an unknown choice: let ape's own parsing report it
        return "?"


class ConnectedCommand(ConnectedProviderCommand):
    """A ``ConnectedProviderCommand`` that reuses the active provider when it is the requested network."""

    def invoke(self, ctx: click.Context) -> Any:
        active = networks.active_provider
        if self.callback is not None and active is not None and active.is_connected:
            choice = _requested_choice(ctx.params.get("network"))
            if choice is None or choice == active.network_choice:
                return self._invoke(ctx, provider=active)
        return super().invoke(ctx)


def user_errors(fn: Callable) -> Callable:
    """Turns the library's user-facing errors into ``click.ClickException`` (message, exit status 1), and
    ``WalletInputError`` into ``click.UsageError`` (usage, message, exit status 2)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except WalletInputError as err:
            raise click.UsageError(str(err), ctx=click.get_current_context(silent=True)) from None
        except USER_ERRORS as err:
            raise click.ClickException(str(err)) from None

    return wrapper


def setup_logging(level: int = logging.INFO) -> None:
    """Shows the library's log lines (``levtoken.*``) through rich, once."""
    log = logging.getLogger("levtoken")
    if not any(isinstance(h, RichHandler) for h in log.handlers):
        log.addHandler(RichHandler(show_path=False, show_time=False))
    log.setLevel(level)
