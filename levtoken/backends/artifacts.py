"""Compiled contracts as ape left them in `.build/__local__.json` (run `make compile` first)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_MANIFEST = Path(__file__).resolve().parents[2] / ".build" / "__local__.json"


@dataclass(frozen=True)
class ContractArtifact:
    name: str
    abi: list[dict]
    bytecode: bytes  # creation code, without constructor arguments


class Artifacts:
    """Name -> artifact, from ape's project manifest."""

    def __init__(self, manifest: Path = DEFAULT_MANIFEST) -> None:
        if not manifest.exists():
            raise FileNotFoundError(f"{manifest} not found: compile the contracts first (`make compile`)")
        types = json.loads(manifest.read_text())["contractTypes"]
        self._items: dict[str, ContractArtifact] = {}
        for name, ct in types.items():
            code = (ct.get("deploymentBytecode") or {}).get("bytecode") or "0x"
            self._items[name] = ContractArtifact(name, ct.get("abi", []), bytes.fromhex(code[2:]))

    def __getitem__(self, name: str) -> ContractArtifact:
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"no compiled contract {name!r} (have: {', '.join(sorted(self._items))})") from None

    def all_abis(self) -> list[dict]:
        return [item for a in self._items.values() for item in a.abi]


@lru_cache(maxsize=4)
def load_artifacts(manifest: Path = DEFAULT_MANIFEST) -> Artifacts:
    return Artifacts(manifest)
