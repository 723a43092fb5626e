"""The backend interface: deploy, call, transact, snapshot/revert, time, logs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class Reverted(Exception):
    """A call or transaction reverted with `data` (the raw revert payload)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(f"reverted: 0x{data.hex()}")
        self.data = data


@dataclass(frozen=True)
class Log:
    address: str
    topics: tuple[bytes, ...]
    data: bytes


@dataclass
class TxResult:
    success: bool
    output: bytes  # return data on success, revert data on failure
    gas_used: int
    logs: list[Log] = field(default_factory=list)


class Clock:
    """The backends' shared notion of time: block.timestamp of the next transaction, forward only."""

    _time: int

    @property
    def time(self) -> int:
        return self._time

    def _forward(self, timestamp: int) -> bool:
        """Validates a move to `timestamp`; True if time changes (the backend then applies it)."""
        if timestamp < self._time:
            raise ValueError(f"time only moves forward: {timestamp} < {self._time}")
        return timestamp != self._time


GAS_LIMIT = 10_000_000  # the same on every backend: `performUpkeep`'s try/catch depends on the gas given


class Backend(Protocol):
    """One chain the fuzzer can drive. Addresses are 0x-prefixed checksum strings."""

    name: str

    @property
    def accounts(self) -> list[str]:
        """Funded accounts that can send transactions."""

    def deploy(self, sender: str, creation_code: bytes) -> str:
        """Deploys `creation_code` (constructor arguments appended); returns the new address."""

    def call(self, to: str, data: bytes, sender: str | None = None) -> bytes:
        """Read-only call at the current time; raises `Reverted`."""

    def transact(self, sender: str, to: str, data: bytes) -> TxResult:
        """Executes and commits a transaction at the current time (a revert commits nothing)."""

    def snapshot(self) -> object:
        """An id to `revert_to` later (reusable: reverting keeps the snapshot)."""

    def revert_to(self, snapshot: object) -> None:
        """Restores the state and time of `snapshot`."""

    @property
    def time(self) -> int:
        """block.timestamp of the next transaction and of calls."""

    def set_time(self, timestamp: int) -> None:
        """Moves time forward (never backwards) to `timestamp`."""

    def close(self) -> None:
        """Releases the node or the interpreter."""
