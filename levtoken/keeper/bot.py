"""The keeper: watches a ReservePool block by block and performs its upkeep.

Per new block (see docs/keeper.md):

1. ``eth_blockNumber``; nothing more if the head has not moved.
2. If an upkeep of ours is in flight: ``eth_getTransactionCount(latest)`` tells whether it was mined (then
   its receipt is read once); if not, and it has waited `confirmation_blocks` blocks or
   `confirmation_timeout` seconds, it is re-checked and replaced with higher fees (capped), or given up.
3. One ``eth_call`` of ``checkUpkeep`` at that block, whatever the number of series.
4. If something is due: ``eth_call`` of ``performUpkeep(performData)`` from the keeper against the
   ``pending`` state (so a competitor's transaction already in the mempool counts). A revert means another
   keeper got there first or the trigger went away: nothing is sent. Otherwise fees, gas and balance are
   read and the signed transaction is sent.

An idle block therefore costs 2 requests. RPC failures are retried with backoff inside the client and
survived by the loop (which backs off further); the nonce is re-read from the chain after any error, and
the last block handled and the transaction in flight are checkpointed after every block.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from eth_utils import keccak

from levtoken.keeper.checkpoint import Checkpoint, InFlight, KeeperState
from levtoken.keeper.config import KeeperConfig, KeeperConfigError
from levtoken.keeper.fees import FeeCapExceeded, FeePolicy, Fees
from levtoken.keeper.logs import emit
from levtoken.keeper.metrics import WEI_PER_ETH, KeeperMetrics
from levtoken.keeper.nonce import NonceTracker
from levtoken.keeper.pool import (
    Upkeep,
    UpkeepOutcome,
    check_upkeep_calldata,
    decode_check_upkeep,
    error_name,
    outcome_of,
    perform_upkeep_calldata,
)
from levtoken.keeper.rpc import RpcClient, RpcError, RpcRevert, RpcUnavailable
from levtoken.keeper.signer import NodeSigner, Signer

log = logging.getLogger(__name__)

# Gas limit = max(estimate * 1.3, a budget per flagged series): performUpkeep catches each series'
# failure, so eth_estimateGas can settle on a limit at which a series runs out of gas inside its try and
# the upkeep still "succeeds". The budget (measured: ~52k-80k per series, ~61k per health report, see
# docs/gas.md) keeps every series fully funded; unused gas is not paid for.
GAS_BASE = 60_000
GAS_PER_SERIES = 150_000
GAS_HEALTH = 90_000
GAS_PER_ORDER_SERIES = 400_000  # a batch of 10 orders is about 350,000 (`make gas`)
GAS_LP_ORDERS = 600_000  # the LP orders of one upkeep (at most 50 per queue; `make gas` measures 1 and 10)
GAS_ESTIMATE_MARGIN = Decimal("1.3")


class KeeperError(Exception):
    """A problem the operator must fix before the keeper can run (wrong network, no account, no funds)."""


class PoolUnreadable(Exception):
    """`checkUpkeep` did not answer like a ReservePool (no code at the address on this chain?)."""


@dataclass(frozen=True)
class PollResult:
    """What one poll did. `status` is one of: idle (no new block), nothing_due, sent, in_flight,
    simulation_reverted, dry_run, fee_cap, low_balance, send_failed, rpc_down, error, wrong_chain,
    mined (--once)."""

    block: int | None
    status: str
    tx_hash: str | None = None


@dataclass(frozen=True)
class SentTx:
    tx_hash: str
    nonce: int
    block: int  # head block when sent
    fees: Fees
    gas_limit: int
    perform_data: bytes
    replacement: bool


@dataclass(frozen=True)
class MinedUpkeep:
    tx_hash: str
    block: int
    sent_block: int
    success: bool
    gas_used: int
    fee_wei: int
    outcome: UpkeepOutcome

    @property
    def reaction_blocks(self) -> int:
        """Blocks from the block whose state triggered the upkeep to the block that includes it."""
        return self.block - self.sent_block


def _q(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _eth(wei: int) -> str:
    return f"{Decimal(wei) / WEI_PER_ETH:.6f}"


class Keeper:
    """One keeper account working one pool.

    Build it with a `KeeperConfig` and a `Signer`; call `run()` (blocks until `stop()`, SIGINT/SIGTERM in
    the command lines) or drive it with `preflight()` then `poll_once()` (tests, benchmark). `clock` and
    `sleep` are injectable so tests can run timeouts and backoff in virtual time.
    """

    def __init__(
        self,
        config: KeeperConfig,
        signer: Signer,
        *,
        rpc: RpcClient | None = None,
        metrics: KeeperMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        try:
            self.target = config.resolve()
        except KeeperConfigError as exc:
            raise KeeperError(str(exc)) from exc
        self.config = config
        self.signer = signer
        self.address = signer.address
        self.pool = self.target.pool
        self.metrics = metrics if metrics is not None else KeeperMetrics()
        self._stop = threading.Event()
        self._clock = clock
        self._sleep: Callable[[float], Any] = sleep if sleep is not None else self._stop.wait
        self.rpc = rpc if rpc is not None else RpcClient(
            config.rpc_url,
            timeout=config.rpc_timeout,
            retries=config.rpc_retries,
            backoff_initial=config.backoff_initial,
            backoff_max=config.backoff_max,
            sleep=self._sleep,
            on_request=lambda method: self.metrics.rpc_calls.labels(method).inc(),
        )
        self.fees = FeePolicy(config.max_fee_wei, config.bump_percent, config.priority_fee_wei)
        self.nonces = NonceTracker(self.address)
        self.checkpoint = Checkpoint(config.checkpoint_path)
        self.state: KeeperState | None = None
        self.chain_id: int | None = None
        # history, for operators' logs, tests and the benchmark
        self.sent: list[SentTx] = []
        self.mined: list[MinedUpkeep] = []
        self.simulation_reverts = 0
        self.outages: list[float] = []  # durations (keeper clock) of the RPC outages survived
        self._failed_polls = 0
        self._outage_started: float | None = None
        self._wrong_chain = False
        self._pending_ok = True  # False once the node refused a call against the 'pending' state

    # ================================================================== lifecycle

    def preflight(self) -> None:
        """Checks network, pool, account and balance; loads the checkpoint. Raises `KeeperError`."""
        try:
            self._preflight()
        except (RpcUnavailable, RpcError) as exc:
            raise KeeperError(f"cannot start: the node at {self.config.rpc_url} failed: {exc}") from exc

    def _preflight(self) -> None:
        url = self.config.rpc_url
        try:
            chain_id = self.rpc.chain_id()
        except (RpcUnavailable, RpcError) as exc:
            raise KeeperError(f"cannot reach the node at {url}: {exc}") from exc
        expected = self.target.chain_id
        if expected is not None and chain_id != expected:
            raise KeeperError(
                f"wrong network: the node at {url} is chain {chain_id}, but the pool {self.pool} is on chain "
                f"{expected} (from the manifest or --chain-id); point the keeper at a node of chain {expected}"
            )
        self.chain_id = chain_id
        try:
            code = self.rpc.code(self.pool)
            if not code:
                raise KeeperError(
                    f"no contract at the pool address {self.pool} on chain {chain_id} ({url}): wrong network, "
                    "or a manifest from an earlier chain (redeploy, or pass the right --pool)"
                )
            self._check_upkeep("latest")
        except PoolUnreadable as exc:
            raise KeeperError(f"the contract at {self.pool} is not a ReservePool: {exc}") from exc
        except RpcRevert as exc:
            raise KeeperError(f"the contract at {self.pool} is not a ReservePool (checkUpkeep reverted: "
                              f"{error_name(exc.revert_data)})") from exc
        except (RpcUnavailable, RpcError) as exc:
            raise KeeperError(f"cannot read the pool through {url}: {exc}") from exc
        if isinstance(self.signer, NodeSigner) and self.address not in self.rpc.accounts():
            raise KeeperError(f"account {self.address} is not unlocked on the node at {url}: pass a private "
                              "key (--private-key / LEVTOKEN_KEEPER_KEY) or an ape account instead")
        balance = self.rpc.balance(self.address)
        self.metrics.balance_eth.set(balance / WEI_PER_ETH)
        minimum = self.config.min_balance_wei
        if balance < minimum:
            message = (
                f"balance too low to pay gas: keeper account {self.address} holds {_eth(balance)} ETH on chain "
                f"{chain_id}, below the minimum {_eth(minimum)} ETH (min_balance_eth); fund the account or "
                "lower --min-balance-eth"
            )
            if not self.config.dry_run:
                raise KeeperError(message)
            emit(log, logging.WARNING, "balance_low", detail=message)
        state = self.checkpoint.load(chain_id, self.pool, self.address)
        resumed = state is not None
        self.state = state if state is not None else KeeperState(chain_id, self.pool, self.address)
        in_flight = self.state.in_flight
        if in_flight is not None:
            in_flight.last_sent_at = self._clock()
        self.nonces.sync(self.rpc, in_flight.nonce if in_flight else None)
        emit(log, logging.INFO, "keeper_ready", chain_id=chain_id, pool=self.pool, keeper=self.address,
             balance_eth=_eth(balance), resumed_from_block=self.state.last_block if resumed else None,
             in_flight=in_flight.hashes[-1] if in_flight else None, dry_run=self.config.dry_run)

    def stop(self) -> None:
        """Asks `run()` to return after the current poll (thread- and signal-safe)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> PollResult | None:
        """Preflight, then poll until `stop()` (or one block with `once`). Returns the last poll result."""
        self.preflight()
        return self.run_once() if self.config.once else self.loop()

    def loop(self) -> PollResult | None:
        """Polls until `stop()`: every `poll_interval` seconds, backing off while the RPC is down."""
        result: PollResult | None = None
        while not self._stop.is_set():
            started = self._clock()
            result = self.poll_once()
            if self._stop.is_set():
                break
            self._sleep(self._delay(result, self._clock() - started))
        self._save()
        emit(log, logging.INFO, "keeper_stopped", last_block=self.state.last_block if self.state else None,
             sent=len(self.sent), mined=len(self.mined))
        return result

    def run_once(self) -> PollResult:
        """Handles the current head (even if already checkpointed) and waits for the receipt of what it sent."""
        assert self.state is not None, "call preflight() first"
        self.state.last_block = None
        result = self.poll_once()
        if result.status == "sent" and result.tx_hash:
            deadline = self._clock() + self.config.confirmation_timeout
            while not self._stop.is_set() and self._clock() < deadline:
                self._sleep(self.config.poll_interval)
                try:
                    receipt = self.rpc.receipt(result.tx_hash)
                except (RpcUnavailable, RpcError) as exc:
                    emit(log, logging.WARNING, "receipt_unavailable", tx=result.tx_hash, error=exc)
                    continue
                if receipt:
                    in_flight = self.state.in_flight
                    self._record_mined(receipt, in_flight.sent_block if in_flight else result.block or 0)
                    self.state.in_flight = None
                    result = PollResult(_q(receipt["blockNumber"]), "mined", result.tx_hash)
                    break
            self._save()
        return result

    def _delay(self, result: PollResult | None, elapsed: float = 0.0) -> float:
        """Seconds until the next poll: backoff while the RPC is down; with `block_time`, after a new block,
        until one poll interval before the next block is due (the block was seen up to one interval late);
        else `poll_interval`."""
        interval = self.config.poll_interval
        if result is not None and result.status == "rpc_down":
            return min(self.config.backoff_max, self.config.backoff_initial * 2 ** min(self._failed_polls - 1, 16))
        block_time = self.config.block_time
        if block_time is not None and result is not None and result.block is not None:
            return max(interval, block_time - interval - elapsed)
        return interval

    # ================================================================== one poll

    def poll_once(self) -> PollResult:
        """Reads the head and handles it if it is new. Never raises for RPC or chain problems."""
        if self.state is None:
            raise RuntimeError("call preflight() before poll_once()")
        try:
            return self._poll()
        except RpcUnavailable as exc:
            return self._on_outage(exc)
        except PoolUnreadable as exc:
            self.metrics.failures.labels("internal").inc()
            emit(log, logging.ERROR, "pool_unreadable", pool=self.pool, error=exc,
                 hint="node restarted without its state, or a wrong network")
            return PollResult(None, "error")
        except Exception as exc:
            self.metrics.failures.labels("internal").inc()
            self.nonces.invalidate()
            log.exception("poll_failed error=%s", str(exc).replace(" ", "_")[:120])
            return PollResult(None, "error")

    def _poll(self) -> PollResult:
        assert self.state is not None
        head = self.rpc.block_number()
        if (self._outage_started is not None or self._wrong_chain) and not self._recover():
            return PollResult(None, "wrong_chain")
        self.metrics.rpc_up.set(1)
        self._failed_polls = 0
        last = self.state.last_block
        if last is not None and head < last:
            emit(log, logging.WARNING, "chain_rewound", head=head, last_handled=last,
                 hint="the node restarted from older state or the chain reorganised; re-reading everything")
            self.state.last_block = last = None
            self.nonces.invalidate()
        self.metrics.lag_blocks.set(0 if last is None else head - last)
        if last is not None and head == last:
            return PollResult(None, "idle")
        if last is not None and head - last > 1:
            emit(log, logging.DEBUG, "blocks_skipped", head=head, last_handled=last, skipped=head - last - 1)
        result = self._handle_block(head)
        self.state.last_block = head
        self.metrics.last_block.set(head)
        self._save()
        return result

    def _on_outage(self, exc: Exception) -> PollResult:
        self._failed_polls += 1
        self.metrics.rpc_up.set(0)
        self.metrics.failures.labels("rpc").inc()
        self.nonces.invalidate()
        now = self._clock()
        if self._outage_started is None:
            self._outage_started = now
            emit(log, logging.WARNING, "rpc_down", url=self.config.rpc_url, error=exc)
        else:
            emit(log, logging.WARNING, "rpc_still_down", down_for_s=round(now - self._outage_started, 1),
                 failed_polls=self._failed_polls, error=exc)
        return PollResult(None, "rpc_down")

    def _recover(self) -> bool:
        """After an outage: checks the node is still on our chain (a restarted node may not be)."""
        chain_id = self.rpc.chain_id()
        if chain_id != self.chain_id:
            if not self._wrong_chain:
                emit(log, logging.ERROR, "wrong_chain", expected=self.chain_id, got=chain_id,
                     hint="the node behind the RPC URL changed chains; sending nothing until it is back")
            self._wrong_chain = True
            return False
        self._wrong_chain = False
        if self._outage_started is not None:
            down_for = self._clock() - self._outage_started
            self.outages.append(down_for)
            emit(log, logging.INFO, "rpc_recovered", down_for_s=round(down_for, 1), failed_polls=self._failed_polls)
            self._outage_started = None
        return True

    # ================================================================== one block

    def _handle_block(self, head: int) -> PollResult:
        assert self.state is not None
        if self.state.in_flight is not None:
            pending = self._track_in_flight(head)
            if pending is not None:
                return pending
        upkeep = self._check_upkeep(head)
        if not upkeep.needed:
            return PollResult(head, "nothing_due")
        return self._perform(head, upkeep)

    def _check_upkeep(self, block: int | str) -> Upkeep:
        ret = self.rpc.call(self.pool, check_upkeep_calldata(), block)
        try:
            return decode_check_upkeep(ret)
        except Exception as exc:
            raise PoolUnreadable(str(exc)) from exc

    def _simulate(self, calldata: bytes, block: str) -> str | None:
        """None if `performUpkeep` would succeed from the keeper at `block`, else the revert's name."""
        block = self._tag(block)
        try:
            self.rpc.call(self.pool, calldata, block, sender=self.address)
        except RpcRevert as exc:
            return error_name(exc.revert_data)
        except RpcError as exc:
            if block != "pending":
                raise
            # a node without a usable pending state: simulate against the latest block from now on
            self._pending_ok = False
            emit(log, logging.WARNING, "pending_unsupported", error=exc.message,
                 detail="simulating against 'latest'; a competitor's mempool transaction is no longer seen")
            return self._simulate(calldata, "latest")
        return None

    def _tag(self, block: str) -> str:
        return "latest" if block == "pending" and not self._pending_ok else block

    def _perform(self, head: int, upkeep: Upkeep) -> PollResult:
        calldata = perform_upkeep_calldata(upkeep.perform_data)
        reason = self._simulate(calldata, "pending")
        if reason is not None:
            self.simulation_reverts += 1
            self.metrics.simulation_reverts.inc()
            emit(log, logging.INFO, "upkeep_skipped", block=head, series=f"{upkeep.bitmap:#x}",
                 health=upkeep.health_due, simulation=reason,
                 why="another keeper got there first or the trigger no longer holds")
            return PollResult(head, "simulation_reverted")
        if self.config.dry_run:
            emit(log, logging.INFO, "dry_run_upkeep", block=head, series=f"{upkeep.bitmap:#x}",
                 health=upkeep.health_due, would_send="performUpkeep", data="0x" + upkeep.perform_data.hex())
            return PollResult(head, "dry_run")
        latest = self.rpc.block("latest")
        base_fee = _q(latest.get("baseFeePerGas", 0))
        try:
            fees = self.fees.offer(base_fee, self._suggested_priority())
        except FeeCapExceeded as exc:
            self.metrics.failures.labels("fee_cap").inc()
            emit(log, logging.WARNING, "fee_cap_exceeded", block=head, detail=exc)
            return PollResult(head, "fee_cap")
        nonce = self.nonces.peek(self.rpc)
        if self.nonces.replacement_floor(nonce) is not None:
            # an earlier transaction of ours with this nonce was abandoned: it may have been mined since,
            # in which case the chain's nonce moved on and the floor no longer applies
            nonce = self.nonces.sync(self.rpc)
        raised = self.fees.at_least(fees, self.nonces.replacement_floor(nonce))
        if raised is None:
            self.metrics.failures.labels("fee_cap").inc()
            emit(log, logging.WARNING, "fee_cap_exceeded", block=head, nonce=nonce,
                 detail="replacing our earlier transaction with this nonce would need more than the cap")
            return PollResult(head, "fee_cap")
        gas_limit = self._gas_limit(calldata, upkeep, _q(latest.get("gasLimit", 30_000_000)))
        if gas_limit is None:
            self.simulation_reverts += 1
            self.metrics.simulation_reverts.inc()
            return PollResult(head, "simulation_reverted")
        return self._send(head, upkeep, calldata, nonce, raised, gas_limit, replacing=None)

    def _suggested_priority(self) -> int:
        if self.config.priority_fee_wei is not None:
            return self.config.priority_fee_wei
        return self.rpc.max_priority_fee()

    def _gas_limit(self, calldata: bytes, upkeep: Upkeep, block_gas_limit: int, block: str = "pending") -> int | None:
        try:
            estimate = self.rpc.estimate_gas({"from": self.address, "to": self.pool, "data": calldata},
                                             self._tag(block))
        except RpcRevert as exc:
            emit(log, logging.INFO, "upkeep_skipped", simulation=error_name(exc.revert_data),
                 why="gas estimation reverted: the upkeep stopped being needed")
            return None
        budget = (GAS_BASE + GAS_PER_SERIES * upkeep.series_count + GAS_PER_ORDER_SERIES * upkeep.order_series
                  + (GAS_LP_ORDERS if upkeep.lp_round else 0) + (GAS_HEALTH if upkeep.health_due else 0))
        return min(max(int(estimate * GAS_ESTIMATE_MARGIN), budget), block_gas_limit)

    def _balance_covers(self, head: int, gas_limit: int, fees: Fees) -> bool:
        balance = self.rpc.balance(self.address)
        self.metrics.balance_eth.set(balance / WEI_PER_ETH)
        need = gas_limit * fees.max_fee
        if balance < need:
            self.metrics.failures.labels("balance").inc()
            emit(log, logging.ERROR, "balance_too_low", block=head, keeper=self.address, balance_eth=_eth(balance),
                 needed_eth=_eth(need), hint="fund the keeper account; the upkeep is retried every block")
            return False
        if balance < self.config.min_balance_wei:
            emit(log, logging.WARNING, "balance_low", keeper=self.address, balance_eth=_eth(balance),
                 min_balance_eth=_eth(self.config.min_balance_wei))
        return True

    # ================================================================== sending

    def _send(
        self,
        head: int,
        upkeep: Upkeep,
        calldata: bytes,
        nonce: int,
        fees: Fees,
        gas_limit: int,
        replacing: InFlight | None,
        retried: bool = False,
    ) -> PollResult:
        assert self.state is not None and self.chain_id is not None
        if not self._balance_covers(head, gas_limit, fees):
            return PollResult(head, "low_balance")
        tx: dict[str, Any] = {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": nonce,
            "to": self.pool,
            "value": 0,
            "data": calldata,
            "gas": gas_limit,
            "maxFeePerGas": fees.max_fee,
            "maxPriorityFeePerGas": fees.priority_fee,
        }
        raw = self.signer.sign(tx)
        expected = "0x" + keccak(raw).hex() if raw is not None else None
        try:
            if raw is not None:
                tx_hash = self.rpc.send_raw(raw)
            else:
                sendable = {k: v for k, v in tx.items() if k != "chainId"}
                tx_hash = self.rpc.send_transaction({**sendable, "from": self.address})
        except RpcUnavailable:
            if expected is None:
                raise
            # The node may have the transaction (only its answer was lost): track it by its hash; if it
            # never arrived, the bump after `confirmation_blocks` sends it again under the same nonce.
            tx_hash = expected
            emit(log, logging.WARNING, "send_unconfirmed", tx=tx_hash, nonce=nonce,
                 hint="RPC failed while sending; tracking the transaction by hash")
        except RpcError as exc:
            message = exc.message.lower()
            if expected is not None and ("already known" in message or "known transaction" in message):
                tx_hash = expected
            elif "nonce too low" in message or "nonce is too low" in message or "oldnonce" in message:
                self.nonces.invalidate()
                if replacing is not None:  # the transaction we were replacing has been mined meanwhile
                    emit(log, logging.INFO, "replacement_not_needed", nonce=nonce, detail="nonce already used")
                    return PollResult(head, "in_flight")
                fresh = self.nonces.sync(self.rpc)
                emit(log, logging.WARNING, "nonce_too_low", used=nonce, chain_next=fresh)
                if not retried:
                    return self._send(head, upkeep, calldata, fresh, fees, gas_limit, None, retried=True)
                self.metrics.failures.labels("send").inc()
                return PollResult(head, "send_failed")
            elif "underpriced" in message or "fee too low" in message:
                # Another transaction of ours with this nonce is pending (sent before a restart, or an
                # operator's): the next attempt must outbid it.
                self.nonces.set_replacement_floor(nonce, self.fees.floor(fees))
                if replacing is not None:  # next bump starts from what was refused
                    replacing.fees = fees
                    replacing.bumps += 1
                self.metrics.failures.labels("send").inc()
                emit(log, logging.WARNING, "send_underpriced", nonce=nonce, fees=fees.describe(), error=exc.message)
                return PollResult(head, "send_failed")
            elif "insufficient funds" in message:
                self.metrics.failures.labels("balance").inc()
                emit(log, logging.ERROR, "balance_too_low", keeper=self.address, error=exc.message,
                     hint="fund the keeper account; the upkeep is retried every block")
                return PollResult(head, "low_balance")
            else:
                self.metrics.failures.labels("send").inc()
                self.nonces.invalidate()
                emit(log, logging.ERROR, "send_failed", nonce=nonce, error=exc.message)
                return PollResult(head, "send_failed")
        tx_hash = str(tx_hash)
        self.nonces.consume(nonce)
        now = self._clock()
        if replacing is None:
            self.state.in_flight = InFlight(
                nonce=nonce, hashes=[tx_hash], fees=fees, gas_limit=gas_limit, perform_data=upkeep.perform_data,
                sent_block=head, last_sent_block=head, last_sent_at=now,
            )
            self.metrics.upkeeps_sent.inc()
        else:
            replacing.hashes.append(tx_hash)
            replacing.fees, replacing.gas_limit, replacing.perform_data = fees, gas_limit, upkeep.perform_data
            replacing.last_sent_block, replacing.last_sent_at = head, now
            replacing.bumps += 1
            self.metrics.replacements.inc()
        self.sent.append(SentTx(tx_hash, nonce, head, fees, gas_limit, upkeep.perform_data, replacing is not None))
        emit(log, logging.INFO, "upkeep_replaced" if replacing else "upkeep_sent", block=head, tx=tx_hash,
             nonce=nonce, series=f"{upkeep.bitmap:#x}", health=upkeep.health_due, gas_limit=gas_limit,
             max_fee_gwei=fees.max_fee / 1e9, priority_gwei=fees.priority_fee / 1e9)
        self._save()
        return PollResult(head, "sent", tx_hash)

    # ================================================================== in flight

    def _track_in_flight(self, head: int) -> PollResult | None:
        """None once the in-flight upkeep is settled (mined or given up); a result while it is pending."""
        assert self.state is not None and self.state.in_flight is not None
        f = self.state.in_flight
        mined_count = self.rpc.nonce(self.address, "latest")
        if mined_count > f.nonce:
            for tx_hash in reversed(f.hashes):
                receipt = self.rpc.receipt(tx_hash)
                if receipt:
                    self._record_mined(receipt, f.sent_block)
                    break
            else:
                emit(log, logging.WARNING, "in_flight_superseded", nonce=f.nonce, hashes=",".join(f.hashes),
                     detail="another transaction of this account used the nonce")
            self.state.in_flight = None
            self.nonces.consume(mined_count - 1)
            return None
        waited_blocks = head - f.last_sent_block
        waited_s = self._clock() - f.last_sent_at
        if waited_blocks < self.config.confirmation_blocks and waited_s < self.config.confirmation_timeout:
            return PollResult(head, "in_flight", f.hashes[-1])
        if f.bumps >= self.config.max_bumps:
            self._give_up(f, f"not mined after {f.bumps} replacements", stuck=True)
            return PollResult(head, "send_failed")
        return self._bump(head, f)

    def _bump(self, head: int, f: InFlight) -> PollResult:
        upkeep = self._check_upkeep(head)
        if not upkeep.needed:
            self._give_up(f, "no longer needed (done by another keeper, or the trigger went away)", stuck=False)
            return PollResult(head, "nothing_due")
        calldata = perform_upkeep_calldata(upkeep.perform_data)
        # 'latest', not 'pending': the pending state contains our own transaction, which would make the
        # replacement look unnecessary.
        reason = self._simulate(calldata, "latest")
        if reason is not None:
            self.simulation_reverts += 1
            self.metrics.simulation_reverts.inc()
            self._give_up(f, f"simulation reverted ({reason})", stuck=False)
            return PollResult(head, "simulation_reverted")
        latest = self.rpc.block("latest")
        fees = self.fees.bump(f.fees, _q(latest.get("baseFeePerGas", 0)), self._suggested_priority())
        if fees is None:
            self._give_up(f, f"a replacement above {f.fees.describe()} would pass the cap "
                             f"{self.config.max_fee_gwei} gwei", stuck=True)
            return PollResult(head, "fee_cap")
        gas_limit = self._gas_limit(calldata, upkeep, _q(latest.get("gasLimit", 30_000_000)), block="latest")
        if gas_limit is None:
            self._give_up(f, "gas estimation reverted", stuck=False)
            return PollResult(head, "simulation_reverted")
        return self._send(head, upkeep, calldata, f.nonce, fees, max(gas_limit, f.gas_limit), replacing=f)

    def _give_up(self, f: InFlight, reason: str, stuck: bool) -> None:
        """Stops tracking `f`; its nonce is re-read from the chain, and the next upkeep (which reuses that
        nonce while `f` is unmined) is priced to replace it."""
        assert self.state is not None
        if stuck:
            self.metrics.failures.labels("stuck").inc()
        emit(log, logging.WARNING if stuck else logging.INFO, "in_flight_abandoned", nonce=f.nonce,
             tx=f.hashes[-1], bumps=f.bumps, reason=reason)
        self.state.in_flight = None
        self.nonces.set_replacement_floor(f.nonce, self.fees.floor(f.fees))
        self.nonces.sync(self.rpc)

    def _record_mined(self, receipt: dict[str, Any], sent_block: int) -> MinedUpkeep:
        tx_hash = str(receipt["transactionHash"])
        block = _q(receipt["blockNumber"])
        success = _q(receipt.get("status", 1)) == 1
        gas_used = _q(receipt.get("gasUsed", 0))
        fee = gas_used * _q(receipt.get("effectiveGasPrice", 0))
        self.metrics.gas_used.inc(gas_used)
        self.metrics.gas_spent_eth.inc(fee / WEI_PER_ETH)
        outcome = outcome_of(receipt, self.pool) if success else UpkeepOutcome((), (), False)
        mined = MinedUpkeep(tx_hash, block, sent_block, success, gas_used, fee, outcome)
        self.mined.append(mined)
        if not success:
            self.metrics.failures.labels("reverted").inc()
            emit(log, logging.ERROR, "upkeep_reverted", tx=tx_hash, block=block, gas_used=gas_used,
                 detail="another transaction in the same block did the upkeep first")
            return mined
        for _token, trigger in outcome.rebalanced:
            self.metrics.rebalances.labels(trigger).inc()
        if outcome.health_reported:
            self.metrics.health_reports.inc()
        self.metrics.orders_executed.inc(outcome.orders_executed)
        self.metrics.orders_refunded.inc(outcome.orders_refunded)
        self.metrics.lp_orders_executed.inc(outcome.lp_orders_executed)
        self.metrics.lp_orders_refunded.inc(outcome.lp_orders_refunded)
        for token, why in outcome.failed:
            self.metrics.failures.labels("upkeep_failed").inc()
            emit(log, logging.WARNING, "series_upkeep_failed", tx=tx_hash, token=token, error=why)
        emit(log, logging.INFO, "upkeep_mined", tx=tx_hash, block=block, reaction_blocks=block - sent_block,
             rebalanced=",".join(f"{t}:{trig}" for t, trig in outcome.rebalanced) or "-",
             health=outcome.health_reported, orders=outcome.orders_executed, refunds=outcome.orders_refunded,
             lp_orders=outcome.lp_orders_executed, lp_refunds=outcome.lp_orders_refunded, gas_used=gas_used, fee_eth=_eth(fee))
        return mined

    def _save(self) -> None:
        if self.state is not None:
            try:
                self.checkpoint.save(self.state)
            except OSError as exc:
                self.metrics.failures.labels("internal").inc()
                emit(log, logging.ERROR, "checkpoint_write_failed", path=self.checkpoint.path, error=exc)
