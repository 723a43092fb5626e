"""The wallet's order actions (SPEC section 3a): place a quoted mint or redeem order, wait for its outcome
(the token's ``OrderExecuted`` / ``OrderRefunded`` events; the batch executed by the wallet itself once a
round prices it, unless ``execute=False``; the oracle is never moved), list the account's pending orders
and claimable balances, and claim them. Mixed into ``levtoken.wallet.Wallet``."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from ape import chain, networks
from eth_abi import decode as abi_decode
from eth_utils import keccak

from levtoken import reverts
from levtoken.wallet_inputs import WalletError
from levtoken.wallet_types import (
    LpDepositQuote,
    LpWithdrawQuote,
    MintQuote,
    OrderOutcome,
    OrdersReport,
    PendingOrder,
    PlacedOrder,
    Quote,
    RedeemQuote,
    TxResult,
)

if TYPE_CHECKING:
    from levtoken.deployment import Deployment

log = logging.getLogger(__name__)

MINT, REDEEM = 0, 1  # `ISeriesOrders.Kind`
KIND_NAMES = {MINT: "mint", REDEEM: "redeem"}
REFUND_REASONS = {0: "none", 1: "slippage (its bound failed at the round's price, or it bought nothing)",
                  2: "expired (no usable oracle round within maxOrderAge)",
                  3: "capacity (the reserve floor or the utilization cap, after the mints before it)",
                  4: "knocked out (the series' equity reached 0)", 5: "paused (the pool's owner paused mints)",
                  6: "unverifiable (too many unusable oracle rounds before its round)"}
DEFAULT_WAIT_SECONDS = 900
DEFAULT_POLL_SECONDS = 2.0
MAX_BATCH = 50  # orders per queue the wallet executes in one call (performUpkeep's figure)
_T_EXECUTED = "0x" + keccak(text="OrderExecuted(uint8,uint256,address,uint80,uint256)").hex()
_T_REFUNDED = "0x" + keccak(text="OrderRefunded(uint8,uint256,address,uint8)").hex()
_T_CREDITED = "0x" + keccak(text="ClaimableCredited(address,uint256)").hex()


def _sleep(seconds: float) -> None:
    """The wait loop's pause (a hook: tests drive the mock feed here)."""
    time.sleep(seconds)


class OrderActions:
    """`place`, `wait`, `pending_orders` and `claim` of a `Wallet`."""

    account: Any
    deployment: Deployment

    if TYPE_CHECKING:  # provided by `Wallet`
        @property
        def address(self) -> str: ...

        def token(self, symbol: str) -> tuple[str, Any]: ...

        def _checked_send(self, quote: Quote) -> Any: ...

        def _order_params(self, token: Any) -> tuple[int, int, int, int]: ...

    def place(self, quote: MintQuote | RedeemQuote) -> PlacedOrder:
        """Places the order a quote describes (``requestMint`` / ``requestRedeem`` with its bound), after the
        checks of ``execute``; returns its id and ``dueAt``."""
        if not isinstance(quote, (MintQuote, RedeemQuote)):
            raise WalletError(f"{quote.kind} is not an order → execute(quote)")
        receipt = self._checked_send(quote)
        token = self.token(quote.symbol)[1]
        ev = next(iter(receipt.events.filter(token.OrderRequested)))
        kind = MINT if isinstance(quote, MintQuote) else REDEEM
        order = token.pendingOrder(kind, int(ev.id))
        min_out = quote.min_tokens if kind == MINT else quote.min_assets
        return PlacedOrder(kind=quote.kind, symbol=quote.symbol, token=str(token.address), order_id=int(ev.id),
                           due_at=int(order.dueAt), amount=quote.amount, min_out=min_out,
                           execution_fee=int(ev.executionFee), receiver=quote.receiver,
                           txn_hash=str(receipt.txn_hash), gas_used=int(receipt.gas_used),
                           block=int(receipt.block_number), receipt=receipt)

    def wait(self, placed: PlacedOrder, timeout: float = DEFAULT_WAIT_SECONDS,
             poll_interval: float = DEFAULT_POLL_SECONDS, execute: bool = True) -> OrderOutcome:
        """Polls until `placed` is executed or refunded (its ``OrderExecuted`` / ``OrderRefunded`` event), at
        most `timeout` seconds; then ``OrderOutcome("pending")``. With `execute`, the wallet executes the batch
        itself once a round prices it (``pendingRound``), unless someone was faster; it never moves the
        oracle, so on a local chain a round after ``dueAt`` must be published by whoever drives the feed."""
        token = self.token(placed.symbol)[1]
        deadline = time.monotonic() + timeout
        by_wallet = False
        while True:
            outcome = self._outcome(placed, by_wallet)
            if outcome is not None:
                return outcome
            if execute and self._try_execute(token):
                by_wallet = True
                continue
            if time.monotonic() >= deadline:
                return OrderOutcome(status="pending")
            _sleep(poll_interval)

    def _try_execute(self, token) -> bool:
        """Executes the token's due batch if a round prices one; whether a call went through."""
        round_id = int(token.pendingRound())
        if round_id == 0:
            return False
        try:
            token.executeOrders(round_id, MAX_BATCH, sender=self.account)
        except Exception as err:  # noqa: BLE001 - a keeper was faster (NoOrdersDue) or the round moved on
            log.info("executeOrders(%s) not sent: %s", round_id, reverts.describe(err))
            return False
        return True

    def _outcome(self, placed: PlacedOrder, by_wallet: bool) -> OrderOutcome | None:
        """The order's outcome from its token's logs since its request, or None while it is pending."""
        kind = MINT if placed.kind == "mint" else REDEEM
        web3 = networks.provider.web3
        logs = web3.eth.get_logs({
            "address": placed.token, "fromBlock": placed.block, "toBlock": "latest",
            "topics": [[_T_EXECUTED, _T_REFUNDED], "0x" + kind.to_bytes(32, "big").hex(),
                       "0x" + placed.order_id.to_bytes(32, "big").hex()],
        })
        for entry in logs:
            head = "0x" + bytes(entry["topics"][0]).hex()
            data = bytes(entry["data"])
            txn = "0x" + bytes(entry["transactionHash"]).hex()
            if head == _T_EXECUTED:
                round_id, out = abi_decode(["uint80", "uint256"], data)
                return OrderOutcome(status="executed", amount_out=int(out), round_id=int(round_id), txn_hash=txn,
                                    claimable=self._credited(placed, txn, placed.receiver),
                                    executed_by_wallet=by_wallet)
            (reason,) = abi_decode(["uint8"], data)
            return OrderOutcome(status="refunded", reason=REFUND_REASONS.get(int(reason), str(reason)), txn_hash=txn,
                                claimable=self._credited(placed, txn, self.address), executed_by_wallet=by_wallet)
        return None

    def _credited(self, placed: PlacedOrder, txn: str, account: str) -> int:
        """Assets credited to `account`'s claimable balance in transaction `txn` (a push that failed)."""
        receipt = networks.provider.web3.eth.get_transaction_receipt(txn)
        topic = "0x" + bytes.fromhex(account[2:].lower()).rjust(32, b"\0").hex()
        return sum(int.from_bytes(bytes(e["data"]), "big") for e in receipt["logs"]
                   if str(e["address"]).lower() == placed.token.lower() and len(e["topics"]) == 2
                   and "0x" + bytes(e["topics"][0]).hex() == _T_CREDITED
                   and "0x" + bytes(e["topics"][1]).hex() == topic)

    # ---------------------------------------------------------------- LP orders (ERC-7540)

    def lp_wait_and_claim(self, quote: LpDepositQuote | LpWithdrawQuote, receipt: Any,
                          timeout: float = DEFAULT_WAIT_SECONDS, poll_interval: float = DEFAULT_POLL_SECONDS,
                          execute: bool = True) -> TxResult:
        """After an LP request (`receipt`): waits until the order has met its round (a deposit executed or
        refunded; a withdrawal filled as far as the headroom allowed, the rest waiting in the queue), executing
        the LP orders itself once a round prices them (unless `execute` is False; the oracle is never moved),
        then claims what is claimable to the quote's receiver. A refunded order, or one still pending at the
        timeout, returns a result that received nothing."""
        pool = self.deployment.pool
        me = self.address
        deposit = isinstance(quote, LpDepositQuote)
        order_id = int(next(iter(receipt.events.filter(pool.LpOrderQueued))).id)
        nothing = TxResult(kind=quote.kind, txn_hash=str(receipt.txn_hash), gas_used=int(receipt.gas_used),
                           spent=0, received=0, receipt=receipt)

        def met() -> bool:
            q = pool.lpQueues()
            return int(q.depositHead) > order_id if deposit else int(q.redeemNext) > order_id

        deadline = time.monotonic() + timeout
        while not met():
            if execute and self._try_execute_lp(pool):
                continue
            if time.monotonic() >= deadline:
                log.warning("LP order %s still pending after %ss", order_id, timeout)
                return nothing
            _sleep(poll_interval)
        if deposit:
            assets = int(pool.maxDeposit(me))
            if assets == 0:
                return nothing  # refunded (its event says why)
            claim = pool.deposit(assets, quote.receiver, me, sender=self.account)
            ev = next(iter(claim.events.filter(pool.Deposit)))
            return TxResult(kind=quote.kind, txn_hash=str(claim.txn_hash), gas_used=int(claim.gas_used),
                            spent=int(ev.assets), received=int(ev.shares), receipt=claim)
        assets = int(pool.maxWithdraw(me))
        if assets == 0:
            return nothing
        claim = pool.withdraw(assets, quote.receiver, me, sender=self.account)
        ev = next(iter(claim.events.filter(pool.Withdraw)))
        return TxResult(kind=quote.kind, txn_hash=str(claim.txn_hash), gas_used=int(claim.gas_used),
                        spent=int(ev.shares), received=int(ev.assets), receipt=claim)

    def _try_execute_lp(self, pool: Any) -> bool:
        """Executes the pool's due LP orders if a round prices them; whether a call went through."""
        round_id = int(pool.lpPendingRound())
        if round_id == 0:
            return False
        try:
            pool.executeLpOrders(round_id, MAX_BATCH, sender=self.account)
        except Exception as err:  # noqa: BLE001 - a keeper was faster, or the round's series work comes first
            log.info("executeLpOrders(%s) not sent: %s", round_id, reverts.describe(err))
            return False
        return True

    # ---------------------------------------------------------------- pending orders and claims

    def pending_orders(self) -> OrdersReport:
        """The account's pending orders (as owner or receiver) in every series token, and its claimable
        balances. Reads each queue's pending window (at most 1,024 orders per queue)."""
        me = self.address.lower()
        now = int(chain.blocks.head.timestamp)
        orders, claimable = [], {}
        for symbol, token in self.deployment.tokens.items():
            if (owed := int(token.claimable(self.address))) > 0:
                claimable[symbol] = owed
            mint_head, mint_tail, redeem_head, redeem_tail = (int(v) for v in token.queues())
            _, max_age, _, _ = self._order_params(token)
            round_id = int(token.pendingRound())
            round_at = int(self.deployment.oracle.getRoundData(round_id)[3]) if round_id else 0
            for kind, head, tail in ((MINT, mint_head, mint_tail), (REDEEM, redeem_head, redeem_tail)):
                for order_id in range(head, tail):
                    o = token.pendingOrder(kind, order_id)
                    owner = str(token.orderOwner(kind, order_id))
                    if me not in (owner.lower(), str(o.receiver).lower()):
                        continue
                    due = int(o.dueAt)
                    if now <= due:
                        status = "waiting for minDelay"
                    elif round_id and round_at > due:
                        status = f"executable now (round {round_id})"
                    elif now > due + max_age:
                        status = "expired: the next execution refunds it"
                    else:
                        status = "waiting for an oracle round after its due time"
                    orders.append(PendingOrder(symbol=symbol, kind=KIND_NAMES[kind], order_id=order_id, owner=owner,
                                               receiver=str(o.receiver), amount=int(o.amount), min_out=int(o.minOut),
                                               execution_fee=int(o.executionFee), due_at=due, status=status))
        return OrdersReport(account=self.address, timestamp=now, orders=tuple(orders), claimable=claimable)

    def claim(self, symbol: str | None = None) -> list[TxResult]:
        """Collects the account's claimable assets from `symbol`'s token (None: every series with some)."""
        tokens = [self.token(symbol)] if symbol is not None else list(self.deployment.tokens.items())
        results = []
        for name, token in tokens:
            owed = int(token.claimable(self.address))
            if owed == 0:
                if symbol is not None:
                    raise WalletError(f"nothing to claim from {name} → `orders` lists what is claimable")
                continue
            receipt = token.claim(sender=self.account)
            results.append(TxResult(kind=f"claim {name}", txn_hash=str(receipt.txn_hash),
                                    gas_used=int(receipt.gas_used), spent=0, received=owed, receipt=receipt))
        if not results and symbol is None:
            raise WalletError("nothing to claim → `orders` lists what is claimable")
        return results
