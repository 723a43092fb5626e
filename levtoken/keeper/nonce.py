"""The keeper's own nonce: counted locally (no eth_getTransactionCount per transaction) and re-read from
the chain whenever something went wrong (start, RPC outage, node restart, a "nonce too low" answer, a
transaction given up on).
"""

from __future__ import annotations

import logging

from levtoken.keeper.fees import Fees
from levtoken.keeper.logs import emit
from levtoken.keeper.rpc import RpcClient

log = logging.getLogger(__name__)


class NonceTracker:
    """Next nonce of `address`.

    `sync` takes the chain's count of *mined* transactions (`latest`), raised past a transaction the keeper
    still tracks as in flight. Using `latest` rather than `pending` means a transaction of ours that is
    stuck in a mempool and no longer tracked gets replaced by the next one instead of queueing it behind;
    `replacement_floor` remembers what that replacement must pay.
    """

    def __init__(self, address: str) -> None:
        self.address = address
        self._next: int | None = None
        self._forgotten: int | None = None  # local value before the last invalidate(), for the log
        self._floors: dict[int, Fees] = {}

    @property
    def synced(self) -> bool:
        return self._next is not None

    def invalidate(self) -> None:
        """Forget the local count: the next `peek` re-reads it from the chain."""
        if self._next is not None:
            self._forgotten = self._next
        self._next = None

    def sync(self, rpc: RpcClient, in_flight: int | None = None) -> int:
        chain_next = rpc.nonce(self.address, "latest")
        value = chain_next if in_flight is None else max(chain_next, in_flight + 1)
        local = self._next if self._next is not None else self._forgotten
        if local is not None and value != local:
            emit(log, logging.WARNING, "nonce_resynced", local=local, chain=chain_next, next=value)
        self._next, self._forgotten = value, None
        self._floors = {n: f for n, f in self._floors.items() if n >= chain_next}
        return value

    def peek(self, rpc: RpcClient, in_flight: int | None = None) -> int:
        if self._next is None:
            return self.sync(rpc, in_flight)
        return self._next

    def consume(self, nonce: int) -> None:
        """Records that `nonce` was used by a transaction the node accepted."""
        self._next = max(self._next or 0, nonce + 1)

    def set_replacement_floor(self, nonce: int, fees: Fees) -> None:
        """A transaction with `nonce` must offer at least `fees` (an unknown one of ours is pending)."""
        self._floors[nonce] = fees

    def replacement_floor(self, nonce: int) -> Fees | None:
        return self._floors.get(nonce)
