"""Restart safety: the last block handled and the transaction in flight, in a JSON file written
atomically (temporary file, fsync, rename), so a keeper killed at any instant restarts where it was and
never sends a second transaction for an upkeep it already has in flight.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from levtoken.keeper.fees import Fees
from levtoken.keeper.logs import emit

log = logging.getLogger(__name__)

VERSION = 1


@dataclass
class InFlight:
    """A `performUpkeep` sent and not yet mined (with every hash it was sent under: replacements)."""

    nonce: int
    hashes: list[str]
    fees: Fees
    gas_limit: int
    perform_data: bytes
    sent_block: int
    last_sent_block: int
    bumps: int = 0
    last_sent_at: float = 0.0  # keeper clock; not meaningful across restarts (reset on load)
    replaceable: bool = True

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["fees"] = {"max_fee": self.fees.max_fee, "priority_fee": self.fees.priority_fee}
        out["perform_data"] = "0x" + self.perform_data.hex()
        out.pop("last_sent_at")
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InFlight:
        return cls(
            nonce=int(data["nonce"]),
            hashes=[str(h) for h in data["hashes"]],
            fees=Fees(int(data["fees"]["max_fee"]), int(data["fees"]["priority_fee"])),
            gas_limit=int(data["gas_limit"]),
            perform_data=bytes.fromhex(str(data["perform_data"])[2:]),
            sent_block=int(data["sent_block"]),
            last_sent_block=int(data["last_sent_block"]),
            bumps=int(data.get("bumps", 0)),
            replaceable=bool(data.get("replaceable", True)),
        )


@dataclass
class KeeperState:
    """What survives a restart."""

    chain_id: int
    pool: str
    keeper: str
    last_block: int | None = None
    in_flight: InFlight | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "chain_id": self.chain_id,
            "pool": self.pool,
            "keeper": self.keeper,
            "last_block": self.last_block,
            "in_flight": self.in_flight.to_json() if self.in_flight else None,
        }


class Checkpoint:
    """The checkpoint file at `path` (None: keep state in memory only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path is not None else None

    def load(self, chain_id: int, pool: str, keeper: str) -> KeeperState | None:
        """The saved state, or None if there is none or it belongs to another chain, pool or account."""
        if self.path is None or not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text())
            state = KeeperState(
                chain_id=int(data["chain_id"]),
                pool=str(data["pool"]),
                keeper=str(data["keeper"]),
                last_block=None if data.get("last_block") is None else int(data["last_block"]),
                in_flight=InFlight.from_json(data["in_flight"]) if data.get("in_flight") else None,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            broken = self.path.with_suffix(self.path.suffix + ".corrupt")
            os.replace(self.path, broken)
            emit(log, logging.ERROR, "checkpoint_unreadable", path=self.path, moved_to=broken, error=exc)
            return None
        if (state.chain_id, state.pool.lower(), state.keeper.lower()) != (chain_id, pool.lower(), keeper.lower()):
            emit(log, logging.WARNING, "checkpoint_ignored", path=self.path,
                 reason="written for another chain, pool or keeper account",
                 saved=f"{state.chain_id}/{state.pool}/{state.keeper}", current=f"{chain_id}/{pool}/{keeper}")
            return None
        return state

    def save(self, state: KeeperState) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(state.to_json(), fh, indent=2)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
