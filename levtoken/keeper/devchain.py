"""A throw-away Anvil chain with a levtoken system on it, driven through plain web3: for the keeper's
tests that kill and restart the node, and for its benchmark.

`Anvil` runs `anvil` on a free (or given) port, optionally persisting its state to a file (written on
SIGTERM, reloaded on start), so `restart()` brings back the same chain on the same URL. `deploy_system`
deploys mock USDC, a mock feed, the token deployer, a ReservePool and its series from ape's compiled
artifacts (run `ape compile` first), funds an LP and a holder, and mints into every series.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from web3 import HTTPProvider, Web3

WAD = 10**18
USDC = 10**6
PRICE_DECIMALS = 8
# SeriesParams: target, min, max, fallback (s), mintFee, redeemFee, streamingFee, spread
ETH3_PARAMS = (3 * WAD, 25 * WAD // 10, 35 * WAD // 10, 86_400, 0, 0, 0, 0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def anvil_binary() -> str:
    beside = Path(sys.executable).parent / "anvil"
    found = str(beside) if beside.exists() else shutil.which("anvil")
    if not found:
        raise FileNotFoundError("anvil not found next to the Python interpreter or on PATH (run `make setup`)")
    return found


class Anvil:
    """An Anvil process on 127.0.0.1:`port`; with `state_path`, the chain survives `restart()`."""

    def __init__(self, port: int | None = None, state_path: Path | None = None,
                 block_time: float | None = None, extra_args: Sequence[str] = ()) -> None:
        self.port = port or free_port()
        self.state_path = Path(state_path) if state_path is not None else None
        self.block_time = block_time
        self.extra_args = list(extra_args)
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"
        self.w3 = Web3(HTTPProvider(self.url, request_kwargs={"timeout": 10}))

    def start(self, startup_timeout: float = 20.0) -> Anvil:
        cmd = [anvil_binary(), "--port", str(self.port), "--silent", "--hardfork", "prague"]
        if self.state_path is not None:
            cmd += ["--state", str(self.state_path)]
        if self.block_time is not None:
            cmd += ["--block-time", str(self.block_time)]
        self.process = subprocess.Popen(cmd + self.extra_args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + startup_timeout  # guards against a hang only
        while True:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"anvil exited with {self.process.returncode}: {err.strip()}")
            try:
                listening = bool(self.w3.eth.chain_id)
            except Exception:  # noqa: BLE001 - not listening yet
                listening = False
            if listening:
                self._keep_clock()
                return self
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"anvil did not answer on {self.url}")
            time.sleep(0.02)

    def _keep_clock(self) -> None:
        """A reloaded chain's clock never runs backwards: Anvil's --state file keeps the blocks but not the
        clock's offset (`evm_increaseTime`, e.g. `DevSystem.lp_deposit`'s wait), so after a restart the next
        block would be older than the last one (and every `block.timestamp - settledAt` would underflow)."""
        if self.state_path is None:
            return
        last = int(self.w3.eth.get_block("latest")["timestamp"])
        if last >= int(time.time()):
            self.rpc("evm_setTime", [last + 1])

    def stop(self) -> None:
        """SIGTERM (Anvil writes its --state file) and wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> Anvil:
        self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        response = self.w3.provider.make_request(method, params or [])  # type: ignore[arg-type]
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response.get("result")

    def mine(self, blocks: int = 1) -> None:
        for _ in range(blocks):
            self.rpc("evm_mine")

    def __enter__(self) -> Anvil:  # noqa: PYI034 - plain class, no subclasses
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def artifact(name: str) -> tuple[list[dict[str, Any]], str]:
    """(abi, deployment bytecode) of a contract of this project, from ape's compiled artifacts."""
    from ape import project

    contract_type = getattr(project, name).contract_type
    abi = [entry.model_dump(mode="json", by_alias=True, exclude_none=True) for entry in contract_type.abi]
    return abi, contract_type.deployment_bytecode.bytecode


LP_ORDER_WAIT = 61  # seconds: past the default minDelay (60 s)


@dataclass
class DevSystem:
    w3: Web3
    owner: str
    asset: Any
    oracle: Any
    pool: Any
    tokens: dict[str, Any] = field(default_factory=dict)

    def set_price(self, price: Decimal | int | str) -> int:
        """Pushes `price` to the mock feed; returns the block it was mined in (automine)."""
        answer = int(Decimal(str(price)) * 10**PRICE_DECIMALS)
        return self.transact(self.oracle.functions.updateAnswer(answer))

    def transact(self, fn: Any, sender: str | None = None) -> int:
        tx_hash = fn.transact({"from": sender or self.owner})
        return int(self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["blockNumber"])

    def lp_deposit(self, lp: str, assets: int) -> None:
        """An LP deposit as an order (SPEC 3a): request, one minute on, a round at the same answer (the
        owner's mock feed), execute at it, claim the shares."""
        pool, oracle = self.pool.functions, self.oracle.functions
        self.transact(pool.requestDeposit(assets, lp, lp), sender=lp)
        self.w3.provider.make_request("evm_increaseTime", [LP_ORDER_WAIT])
        self.transact(oracle.updateAnswer(oracle.latestAnswer().call()))
        self.transact(pool.executeLpOrders(oracle.latestRound().call(), 100), sender=lp)
        self.transact(pool.deposit(assets, lp, lp), sender=lp)


def _deploy(w3: Web3, sender: str, name: str, *args: Any) -> Any:
    abi, bytecode = artifact(name)
    tx_hash = w3.eth.contract(abi=abi, bytecode=bytecode).constructor(*args).transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    if receipt["status"] != 1:
        raise RuntimeError(f"deploying {name} reverted")
    return w3.eth.contract(address=receipt["contractAddress"], abi=abi)


def deploy_system(
    w3: Web3,
    series: Sequence[tuple[str, bool]] = (("ETH3L", True), ("ETH3S", False)),
    series_params: tuple[int, ...] = ETH3_PARAMS,
    price: int = 2_000,
    mint_usdc: int = 10_000,
    lp_usdc: int = 1_000_000,
) -> DevSystem:
    """Deploys a system from Anvil's first dev account (owner); the second is LP and holder."""
    owner, holder = w3.eth.accounts[0], w3.eth.accounts[1]
    asset = _deploy(w3, owner, "MockERC20", "Mock USD Coin", "USDC", 6)
    oracle = _deploy(w3, owner, "MockAggregator", PRICE_DECIMALS, price * 10**PRICE_DECIMALS)
    deployer = _deploy(w3, owner, "LeveragedTokenDeployer")
    lp_orders = _deploy(w3, owner, "PoolLpOrders", oracle.address, asset.address)
    pool = _deploy(w3, owner, "ReservePool", asset.address, oracle.address, deployer.address,
                   "levtoken reserve", "rUSDC", owner, lp_orders.address)
    system = DevSystem(w3, owner, asset, oracle, pool)
    token_abi, _ = artifact("LeveragedToken")
    for symbol, is_long in series:
        system.transact(pool.functions.createSeries(f"{symbol} token", symbol, is_long, 100 * WAD,
                                                    series_params))
    for symbol, address in zip((s for s, _ in series), pool.functions.series().call()):
        system.tokens[symbol] = w3.eth.contract(address=address, abi=token_abi)
    cash = (lp_usdc + mint_usdc * len(series)) * USDC
    system.transact(asset.functions.mint(holder, cash))
    system.transact(asset.functions.approve(pool.address, 2**256 - 1), sender=holder)
    if lp_usdc:
        system.lp_deposit(holder, lp_usdc * USDC)
    for token in system.tokens.values():
        system.transact(token.functions.mint(mint_usdc * USDC, 0, holder), sender=holder)
    return system


def fund(w3: Web3, address: str, wei: int) -> None:
    """Sends `wei` from Anvil's first dev account to `address`."""
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": address, "value": wei})
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)


__all__ = ["ETH3_PARAMS", "USDC", "WAD", "Anvil", "DevSystem", "artifact", "deploy_system", "free_port", "fund"]
