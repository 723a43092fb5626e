"""In-process EVM: pyrevm (revm, the EVM inside Foundry and Reth) running the compiled bytecode."""

from __future__ import annotations

import re

import pyrevm
from eth_utils import to_checksum_address

from levtoken.backends.base import GAS_LIMIT, Clock, Log, Reverted, TxResult

_REVERT = re.compile(r"Revert \{ gas_used: (\d+), output: 0x([0-9a-fA-F]*) \}")
START_TIME = 1_700_000_000


# Anvil's default dev accounts: the same senders give the same contract addresses on both backends.
DEV_ACCOUNTS = (
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "0x976EA74026E726554dB657fA54763abd0C3a0aa9", "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "0x23618e81E3f5cdF7f54C3d65f7fBc0aBf5B21E8f", "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
)


def _accounts(n: int) -> list[str]:
    if n > len(DEV_ACCOUNTS):
        raise ValueError(f"at most {len(DEV_ACCOUNTS)} accounts")
    return list(DEV_ACCOUNTS[:n])


class RevmBackend(Clock):
    """The same compiled contracts, executed inside the Python process (tens of thousands of tx/s).

    Transactions are message calls at the backend's time with a fixed gas limit and zero gas price, so
    balances of native ETH never matter; a revert raises inside pyrevm and commits nothing. pyrevm keeps
    transient storage (EIP-1153) from one message call to the next, so every call starts by clearing it,
    as a new transaction does on a chain.
    """

    name = "revm"

    def __init__(self, n_accounts: int = 10, start_time: int = START_TIME) -> None:
        self._evm = pyrevm.EVM(spec_id="PRAGUE")
        self._accounts = _accounts(n_accounts)
        for a in self._accounts:
            self._evm.set_balance(a, 10**30)
        self._number = 1
        self._time = start_time
        self._apply_block()
        self._snapshots: dict[int, tuple[object, int]] = {}
        self._next_id = 0

    @property
    def accounts(self) -> list[str]:
        return list(self._accounts)

    def _apply_block(self) -> None:
        self._evm.set_block_env(pyrevm.BlockEnv(number=self._number, timestamp=self._time, gas_limit=30_000_000))

    def deploy(self, sender: str, creation_code: bytes) -> str:
        return to_checksum_address(self._evm.deploy(sender, creation_code, gas=GAS_LIMIT * 3))  # as anvil.deploy

    def call(self, to: str, data: bytes, sender: str | None = None) -> bytes:
        self._evm.reset_transient_storage()
        try:
            return bytes(
                self._evm.message_call(sender or self._accounts[0], to, data, gas=GAS_LIMIT, is_static=True)
            )
        except RuntimeError as exc:
            raise Reverted(_revert_data(exc)) from None

    def transact(self, sender: str, to: str, data: bytes) -> TxResult:
        evm = self._evm
        evm.reset_transient_storage()
        try:
            out = bytes(evm.message_call(sender, to, data, gas=GAS_LIMIT))
        except RuntimeError as exc:
            return TxResult(False, _revert_data(exc), 0, [])
        result = evm.result
        # pyrevm gives topics as hex strings and data as (topics, data)
        logs = [Log(to_checksum_address(lg.address), tuple(bytes.fromhex(t[2:]) for t in lg.topics),
                    bytes(lg.data[1])) for lg in result.logs] if result is not None else []
        return TxResult(True, out, result.gas_used if result is not None else 0, logs)

    def transact_fast(self, sender: str, to: str, data: bytes) -> tuple[bool, bytes]:
        """`transact` without logs or gas: (success, output) — the fuzzer's hot path."""
        self._evm.reset_transient_storage()
        try:
            return True, bytes(self._evm.message_call(sender, to, data, gas=GAS_LIMIT))
        except RuntimeError as exc:
            return False, _revert_data(exc)

    def snapshot(self) -> int:
        self._next_id += 1
        self._snapshots[self._next_id] = (self._evm.snapshot(), self._time)
        return self._next_id

    def revert_to(self, snapshot: object) -> None:
        checkpoint, time = self._snapshots[snapshot]  # type: ignore[index]
        self._evm.revert(checkpoint)
        self._time = time
        self._apply_block()
        # pyrevm consumes a checkpoint when reverting to it: take it again so the id stays usable
        self._snapshots[snapshot] = (self._evm.snapshot(), time)  # type: ignore[index]

    def set_time(self, timestamp: int) -> None:
        if self._forward(timestamp):
            self._time = timestamp
            self._number += 1
            self._apply_block()

    def close(self) -> None:
        self._snapshots.clear()


def _revert_data(exc: RuntimeError) -> bytes:
    m = _REVERT.search(str(exc))
    if m is None:
        # a halt (out of gas, invalid opcode...) has no payload; keep the reason visible
        raise RuntimeError(f"EVM halted: {exc}") from exc
    return bytes.fromhex(m.group(2))
