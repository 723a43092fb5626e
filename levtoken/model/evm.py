"""What the EVM gives a contract for free and the model does itself: block.timestamp (`now`), a
transaction's atomicity (a call that raises leaves the state as it was) and its event log.

`tx` runs a method as one transaction: the host saves its state with `_save()` (a small journal, no
deepcopy), restores it with `_load()` on any exception, and on success sets `events` to what the call
emitted, in order, as `(EventName, {field: value})`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

Event = tuple[str, dict[str, Any]]

P = ParamSpec("P")
R = TypeVar("R")
H = TypeVar("H", bound="Chain")


class Chain:
    """block.timestamp and the events of the last transaction; the host defines `_save`/`_load`."""

    now: int  # block.timestamp of the next transaction and of every view
    events: list[Event]  # what the last successful transaction emitted
    _ev: list[Event]  # what the running transaction has emitted so far

    _in_tx: bool = False

    def _begin_transaction(self) -> None:
        """Clears transient storage (EIP-1153) at the start of a transaction; the host overrides it."""

    def _save(self) -> Any:
        raise NotImplementedError

    def _load(self, saved: Any) -> None:
        raise NotImplementedError

    def warp(self, seconds: int) -> None:
        """Moves block.timestamp forward by `seconds`."""
        self.set_time(self.now + seconds)

    def set_time(self, timestamp: int) -> None:
        """Sets block.timestamp (never backwards)."""
        if timestamp < self.now:
            raise ValueError("time cannot go backwards")
        self.now = timestamp


def tx(method: Callable[Concatenate[H, P], R]) -> Callable[Concatenate[H, P], R]:
    """Runs `method` as one transaction: on any exception the state is restored; on success `events`
    is set to what it emitted."""

    @wraps(method)
    def transaction(self: H, *args: P.args, **kwargs: P.kwargs) -> R:
        outer = not self._in_tx
        if outer:  # a nested call (e.g. a token calling the pool) is part of the same transaction
            self._begin_transaction()
            self._in_tx = True
        saved = self._save()
        events: list[Event] = []
        self._ev = events
        try:
            result = method(self, *args, **kwargs)
        except BaseException:
            self._load(saved)
            raise
        finally:
            if outer:
                self._in_tx = False
        self.events = events
        return result

    return transaction  # type: ignore[return-value]  # functools.wraps' _Wrapped is that callable
