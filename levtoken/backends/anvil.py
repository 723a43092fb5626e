"""Anvil over raw JSON-RPC: one keep-alive HTTP connection, unlocked dev accounts, automine.

ape's default path builds a trace for every revert and wraps every call in several RPCs; the fuzzer's hot
loop needs one request per transaction, one for its receipt and one for the state read.
"""

from __future__ import annotations

import http.client
import json
import logging
import shutil
import socket
import subprocess
import time as _time
from pathlib import Path

from eth_utils import to_checksum_address

from levtoken.backends.base import GAS_LIMIT, Clock, Log, Reverted, TxResult

log = logging.getLogger(__name__)

START_TIME = 1_700_000_000


class RpcError(RuntimeError):
    def __init__(self, method: str, error: dict) -> None:
        super().__init__(f"{method}: {error.get('message')} ({error.get('code')})")
        self.error = error


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_anvil() -> str:
    found = shutil.which("anvil")
    if found:
        return found
    local = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "anvil"
    if local.exists():
        return str(local)
    raise FileNotFoundError("anvil not found: run `make setup` (it links Anvil into .venv/bin)")


class AnvilBackend(Clock):
    """Starts its own Anvil (or connects to `url`) and drives it over JSON-RPC."""

    name = "anvil"

    def __init__(self, url: str | None = None, start_time: int = START_TIME, n_accounts: int = 10) -> None:
        self._proc: subprocess.Popen | None = None
        if url is None:
            port = _free_port()
            self._proc = subprocess.Popen(
                [find_anvil(), "--port", str(port), "--hardfork", "prague", "--silent",
                 "--accounts", str(n_accounts), "--base-fee", "0", "--gas-price", "0",
                 "--timestamp", str(start_time), "--gas-limit", "1000000000"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            host = "127.0.0.1"
        else:
            host, port = url.removeprefix("http://").rstrip("/").split(":")
            port = int(port)
        self._conn = http.client.HTTPConnection(host, port, timeout=60)
        self._id = 0
        self.requests = 0
        self._wait_ready()
        self._accounts = [to_checksum_address(a) for a in self.rpc("eth_accounts")][:n_accounts]
        # every block gets exactly the time we set: no wall clock, no automatic +1 per block
        self.rpc("anvil_setBlockTimestampInterval", 0)
        latest = int(self.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
        self._time = max(latest, start_time)
        self.rpc("evm_mine", self._time)
        self._snapshots: dict[int, tuple[str, int]] = {}
        self._next_id = 0

    def _wait_ready(self) -> None:
        deadline = _time.monotonic() + 20
        while True:
            try:
                self.rpc("eth_chainId")
                return
            except (ConnectionError, OSError, http.client.HTTPException):
                self._conn.close()
                if _time.monotonic() > deadline:
                    raise RuntimeError("anvil did not start within 20 s") from None
                _time.sleep(0.05)

    def rpc(self, method: str, *params):
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)})
        self._conn.request("POST", "/", body, {"Content-Type": "application/json"})
        reply = json.loads(self._conn.getresponse().read())
        self.requests += 1
        if "error" in reply:
            raise RpcError(method, reply["error"])
        return reply["result"]

    @property
    def accounts(self) -> list[str]:
        return list(self._accounts)

    def _send(self, tx: dict) -> dict:
        """Sends and returns the receipt: `eth_sendTransactionSync` mines and answers in one request
        (plain `eth_sendTransaction` may answer before the automined block exists)."""
        return self.rpc("eth_sendTransactionSync", tx)

    def deploy(self, sender: str, creation_code: bytes) -> str:
        receipt = self._send({"from": sender, "data": "0x" + creation_code.hex(), "gas": hex(GAS_LIMIT * 3)})
        if receipt["status"] != "0x1":
            raise RuntimeError(f"deployment failed: {receipt}")
        return to_checksum_address(receipt["contractAddress"])

    def call(self, to: str, data: bytes, sender: str | None = None) -> bytes:
        try:
            out = self.rpc("eth_call", {"from": sender or self._accounts[0], "to": to, "data": "0x" + data.hex(),
                                        "gas": hex(GAS_LIMIT)}, "latest")
        except RpcError as exc:
            raise Reverted(_error_data(exc)) from None
        return bytes.fromhex(out[2:])

    def transact(self, sender: str, to: str, data: bytes) -> TxResult:
        receipt = self._send({"from": sender, "to": to, "data": "0x" + data.hex(), "gas": hex(GAS_LIMIT)})
        tx_hash = receipt["transactionHash"]
        gas = int(receipt["gasUsed"], 16)
        if receipt["status"] != "0x1":
            trace = self.rpc("debug_traceTransaction", tx_hash, {"tracer": "callTracer"})
            return TxResult(False, bytes.fromhex((trace.get("output") or "0x")[2:]), gas, [])
        logs = [Log(to_checksum_address(lg["address"]), tuple(bytes.fromhex(t[2:]) for t in lg["topics"]),
                    bytes.fromhex(lg["data"][2:])) for lg in receipt["logs"]]
        # the output of a successful transaction is not in its receipt: the fuzzer reads state instead
        return TxResult(True, b"", gas, logs)

    def transact_fast(self, sender: str, to: str, data: bytes) -> tuple[bool, bytes]:
        result = self.transact(sender, to, data)
        return result.success, result.output

    def snapshot(self) -> int:
        self._next_id += 1
        self._snapshots[self._next_id] = (self.rpc("evm_snapshot"), self._time)
        return self._next_id

    def revert_to(self, snapshot: object) -> None:
        node_id, time = self._snapshots[snapshot]  # type: ignore[index]
        if not self.rpc("evm_revert", node_id):
            raise RuntimeError(f"anvil refused to revert to snapshot {node_id}")
        self._time = time
        # Anvil consumes a snapshot when reverting to it: take it again so the id stays usable
        self._snapshots[snapshot] = (self.rpc("evm_snapshot"), time)  # type: ignore[index]

    def set_time(self, timestamp: int) -> None:
        if self._forward(timestamp):
            self.rpc("evm_mine", timestamp)  # calls read the latest block: it must carry the new time
            self._time = timestamp

    def close(self) -> None:
        self._conn.close()
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None

    def __del__(self) -> None:  # a crashed fuzz run must not leave Anvil behind
        try:
            self.close()
        except Exception:
            pass


def _error_data(exc: RpcError) -> bytes:
    data = exc.error.get("data")
    if isinstance(data, dict):
        data = data.get("data")
    if not isinstance(data, str):
        raise exc
    return bytes.fromhex(data[2:])
