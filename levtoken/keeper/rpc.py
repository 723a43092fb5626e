"""The keeper's own JSON-RPC client: web3's HTTPProvider with a request timeout, retries with
exponential backoff (tenacity) on transport errors only, and a counter of every request sent.

The keeper never talks to the node through ape's provider: an outage or a node restart surfaces here as
`RpcUnavailable` (after the retries), which the keeper loop survives, instead of inside ape.
A JSON-RPC error answer is not retried: it is raised as `RpcRevert` (execution reverted, with the revert
data) or `RpcError` (anything else, e.g. "nonce too low").
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import requests
from eth_utils import to_checksum_address
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential
from web3 import HTTPProvider

from levtoken.keeper.logs import emit

log = logging.getLogger(__name__)

# JSON-RPC error codes and messages that mean "try again later" rather than "your request is wrong".
_TRANSIENT_CODES = {-32005, -32097, 429}
_TRANSIENT_WORDS = ("rate limit", "too many requests", "timeout", "timed out", "header not found",
                    "temporarily unavailable")


class RpcUnavailable(Exception):
    """The node could not be reached (connection refused, timeout, 5xx) even after the retries."""


class RpcError(Exception):
    """The node answered with a JSON-RPC error."""

    def __init__(self, method: str, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{method}: {message} (code {code})")
        self.method = method
        self.code = code
        self.message = message
        self.data = data


class RpcRevert(RpcError):
    """The call (eth_call / eth_estimateGas) reverted; `revert_data` holds the raw revert bytes."""

    @property
    def revert_data(self) -> bytes:
        data = self.data
        if isinstance(data, dict):  # some nodes nest it: {"data": "0x..."}
            data = data.get("data")
        if isinstance(data, str) and data.startswith("0x"):
            try:
                return bytes.fromhex(data[2:])
            except ValueError:
                return b""
        return b""


class _Transient(Exception):
    pass


def _hex(value: int) -> str:
    return hex(int(value))


def _block_tag(block: int | str) -> str:
    return _hex(block) if isinstance(block, int) else block


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


class RpcClient:
    """Counting, retrying JSON-RPC client over HTTP.

    `calls` counts every HTTP request by method (retries included): the keeper's benchmark and tests read
    it to state the RPC cost per block. `sleep` is injectable so tests can run the backoff in virtual time.
    """

    def __init__(
        self,
        url: str,
        timeout: float = 10.0,
        retries: int = 3,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.retries = retries
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.timeout = timeout
        self.calls: Counter[str] = Counter()
        self._sleep = sleep
        self._on_request = on_request
        self._provider = HTTPProvider(url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    # ------------------------------------------------------------------ core

    def request(self, method: str, params: list[Any], retry: bool = True) -> Any:
        """Sends one JSON-RPC request, retrying transport errors (unless `retry` is False); returns its
        `result`."""

        def _before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            emit(log, logging.WARNING, "rpc_retry", method=method, attempt=state.attempt_number,
                 delay=round(state.next_action.sleep if state.next_action else 0.0, 3), error=exc)

        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1 if retry else 1),
            wait=wait_exponential(multiplier=self.backoff_initial, max=self.backoff_max),
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            before_sleep=_before_sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(method, params)
        except _Transient as exc:
            raise RpcUnavailable(f"{method} failed after {self.retries + 1 if retry else 1} attempts: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method: str, params: list[Any]) -> Any:
        self.calls[method] += 1
        if self._on_request is not None:
            self._on_request(method)
        try:
            response = self._provider.make_request(method, params)  # type: ignore[arg-type]
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if status >= 500 or status == 429:
                raise _Transient(f"HTTP {status}") from exc
            raise RpcError(method, status, f"HTTP {status}") from exc
        except (requests.Timeout, TimeoutError) as exc:
            raise _Transient(f"no answer within {self.timeout}s") from exc
        except (requests.ConnectionError, ConnectionError) as exc:
            raise _Transient(_connection_problem(exc)) from exc
        except ValueError as exc:  # undecodable body (a proxy's HTML error page, a half-written answer)
            raise _Transient(f"bad response: {_short(exc)}") from exc
        error = response.get("error") if isinstance(response, dict) else None
        if error:
            code = int(error.get("code", 0)) if isinstance(error, dict) else 0
            message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
            data = error.get("data") if isinstance(error, dict) else None
            if code in _TRANSIENT_CODES or any(w in message.lower() for w in _TRANSIENT_WORDS):
                raise _Transient(message)
            if code == 3 or "revert" in message.lower():
                raise RpcRevert(method, code, message, data)
            raise RpcError(method, code, message, data)
        if not isinstance(response, dict) or "result" not in response:
            raise _Transient(f"malformed response {response!r:.200}")
        return response["result"]

    # ------------------------------------------------------------------ typed helpers

    def block_number(self) -> int:
        return _int(self.request("eth_blockNumber", []))

    def chain_id(self) -> int:
        return _int(self.request("eth_chainId", []))

    def call(self, to: str, data: bytes, block: int | str = "latest", sender: str | None = None) -> bytes:
        tx: dict[str, Any] = {"to": to, "data": "0x" + data.hex()}
        if sender is not None:
            tx["from"] = sender
        result = self.request("eth_call", [tx, _block_tag(block)])
        return bytes.fromhex(result[2:]) if result else b""

    def code(self, address: str, block: int | str = "latest") -> bytes:
        result = self.request("eth_getCode", [address, _block_tag(block)])
        return bytes.fromhex(result[2:]) if result else b""

    def balance(self, address: str, block: int | str = "latest") -> int:
        return _int(self.request("eth_getBalance", [address, _block_tag(block)]))

    def nonce(self, address: str, block: int | str = "latest") -> int:
        return _int(self.request("eth_getTransactionCount", [address, _block_tag(block)]))

    def block(self, block: int | str = "latest") -> dict[str, Any]:
        result = self.request("eth_getBlockByNumber", [_block_tag(block), False])
        if result is None:
            raise RpcError("eth_getBlockByNumber", 0, f"block {block} not found")
        return result

    def max_priority_fee(self) -> int:
        return _int(self.request("eth_maxPriorityFeePerGas", []))

    def estimate_gas(self, tx: dict[str, Any], block: int | str = "pending") -> int:
        return _int(self.request("eth_estimateGas", [_json_tx(tx), _block_tag(block)]))

    def send_raw(self, raw: bytes) -> str:
        return self.request("eth_sendRawTransaction", ["0x" + raw.hex()])

    def send_transaction(self, tx: dict[str, Any]) -> str:
        # Not retried: a request that timed out may have reached the node, and we do not know the hash of
        # what it signed. The loop re-reads the nonce and the chain on the next block instead.
        return self.request("eth_sendTransaction", [_json_tx(tx)], retry=False)

    def receipt(self, tx_hash: str) -> dict[str, Any] | None:
        return self.request("eth_getTransactionReceipt", [tx_hash])

    def transaction(self, tx_hash: str) -> dict[str, Any] | None:
        return self.request("eth_getTransactionByHash", [tx_hash])

    def accounts(self) -> list[str]:
        return [to_checksum_address(a) for a in self.request("eth_accounts", [])]


def _json_tx(tx: dict[str, Any]) -> dict[str, Any]:
    """A transaction dict with ints as hex quantities and bytes as hex data (JSON-RPC form)."""
    out: dict[str, Any] = {}
    names = {"gas_limit": "gas", "max_fee": "maxFeePerGas", "max_priority_fee": "maxPriorityFeePerGas"}
    for key, value in tx.items():
        key = names.get(key, key)
        if key in ("chainId",):
            continue
        if isinstance(value, bool):
            out[key] = value
        elif isinstance(value, int):
            out[key] = _hex(value)
        elif isinstance(value, (bytes, bytearray)):
            out[key] = "0x" + bytes(value).hex()
        else:
            out[key] = value
    return out


def _connection_problem(exc: BaseException) -> str:
    text = str(exc)
    for marker, summary in (("Connection refused", "connection refused"), ("Connection reset", "connection reset"),
                            ("Name or service not known", "unknown host"), ("RemoteDisconnected", "connection closed"),
                            ("Connection aborted", "connection aborted")):
        if marker in text:
            return summary
    return _short(exc)


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 160 else text[:157] + "..."
