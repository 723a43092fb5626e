"""Fast calldata encoding for static arguments, and revert/event decoding from the compiled ABIs."""

from __future__ import annotations

from typing import Any

from eth_abi import decode
from eth_utils import keccak

WORD = 2**256

_PANIC = (keccak(text="Panic(uint256)")[:4], "Panic", ["uint256"], ["code"])
_ERROR = (keccak(text="Error(string)")[:4], "Error", ["string"], ["message"])


def _canonical(t: dict) -> str:
    if t["type"].startswith("tuple"):
        inner = ",".join(_canonical(c) for c in t["components"])
        return f"({inner}){t['type'][5:]}"
    return t["type"]


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def word(value: int | bool | str | bytes) -> bytes:
    """One static ABI word: uint/int (two's complement), bool, a 0x address, or bytesN (left-aligned)."""
    if isinstance(value, str):
        return bytes(12) + bytes.fromhex(value[2:])
    if isinstance(value, bytes):
        return value.ljust(32, b"\0")
    return (int(value) % WORD).to_bytes(32, "big")


def calldata(sel: bytes, *args: int | bool | str) -> bytes:
    return sel + b"".join(word(a) for a in args)


class Codec:
    """Decodes custom errors and events of a set of ABIs into (name, args)."""

    def __init__(self, abis: list[dict]) -> None:
        self.errors: dict[bytes, tuple[str, list[str], list[str]]] = {}
        self.events: dict[bytes, tuple[str, list[dict]]] = {}
        self.error_selectors: dict[str, bytes] = {}
        for sel, name, types, names in (_PANIC, _ERROR):
            self.errors[sel] = (name, types, names)
            self.error_selectors[name] = sel
        for item in abis:
            if item.get("type") == "error":
                types = [_canonical(i) for i in item["inputs"]]
                sig = f"{item['name']}({','.join(types)})"
                self.errors[selector(sig)] = (item["name"], types, [i["name"] for i in item["inputs"]])
                self.error_selectors[item["name"]] = selector(sig)
            elif item.get("type") == "event" and not item.get("anonymous"):
                types = [_canonical(i) for i in item["inputs"]]
                topic = keccak(text=f"{item['name']}({','.join(types)})")
                self.events[topic] = (item["name"], item["inputs"])

    def encode_error(self, name: str, args: tuple[Any, ...]) -> bytes:
        """Revert data of custom error `name` with static `args` (what the chain returns)."""
        return self.error_selectors[name] + b"".join(word(a) for a in args)

    def decode_error(self, data: bytes) -> tuple[str, tuple[Any, ...]]:
        """("Name", args) of revert data; ("<empty>", ()) or ("<unknown 0x..>", (data,)) otherwise."""
        if len(data) < 4:
            return ("<empty>", ())
        entry = self.errors.get(bytes(data[:4]))
        if entry is None:
            return (f"<unknown 0x{bytes(data[:4]).hex()}>", (bytes(data),))
        name, types, _ = entry
        return name, tuple(_plain(v) for v in decode(types, bytes(data[4:])))

    def decode_event(self, topics: list[bytes], data: bytes) -> tuple[str, dict[str, Any]] | None:
        entry = self.events.get(bytes(topics[0])) if topics else None
        if entry is None:
            return None
        name, inputs = entry
        indexed = [i for i in inputs if i.get("indexed")]
        plain = [i for i in inputs if not i.get("indexed")]
        values = decode([_canonical(i) for i in plain], bytes(data)) if plain else ()
        out: dict[str, Any] = {}
        for i, topic in zip(indexed, topics[1:]):
            out[i["name"]] = _plain(decode([_canonical(i)], bytes(topic))[0]) if i["type"] != "string" else topic
        for i, v in zip(plain, values):
            out[i["name"]] = _plain(v)
        return name, {i["name"]: out[i["name"]] for i in inputs if i["name"] in out}


def _plain(v: Any) -> Any:
    if isinstance(v, str) and v.startswith("0x") and len(v) == 42:
        from eth_utils import to_checksum_address

        return to_checksum_address(v)
    if isinstance(v, tuple):
        return tuple(_plain(x) for x in v)
    return v
