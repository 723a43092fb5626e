"""What the keeper needs of the ReservePool's ABI: calldata for `checkUpkeep`/`performUpkeep`, the
events it reads from receipts, and names for the pool's custom errors (so a log says `NoUpkeepNeeded`,
not `0xa6a2a4d4`). A test checks every signature here against the compiled contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

CHECK_UPKEEP = "checkUpkeep(bytes)"
PERFORM_UPKEEP = "performUpkeep(bytes)"
REPORT_HEALTH = "reportHealth()"
HEALTH_INTERVAL = "healthInterval()"
LAST_HEALTH_REPORT = "lastHealthReport()"
SERIES = "series()"

REBALANCED = "Rebalanced(address,uint8,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,address)"
UPKEEP_FAILED = "UpkeepFailed(address,bytes)"
RESERVE_HEALTH = "ReserveHealth(int256,uint256,int256,uint256,int256,int256,uint256)"
KNOCKED_OUT = "KnockedOut(address,uint256,uint256)"
ORDER_EXECUTED = "OrderExecuted(uint8,uint256,address,uint80,uint256)"
ORDER_REFUNDED = "OrderRefunded(uint8,uint256,address,uint8)"
LP_ORDER_EXECUTED = "LpOrderExecuted(uint8,uint256,address,uint80,uint256,uint256)"
LP_ORDER_REFUNDED = "LpOrderRefunded(uint8,uint256,address,uint8)"

ERRORS = (
    "NoUpkeepNeeded()",
    "NoRebalanceTrigger(uint256)",
    "SeriesKnockedOut(address)",
    "ReserveBelowFloor(int256,uint256)",
    "HealthReportTooSoon(uint256)",
    "InvalidPrice(int256)",
    "StalePrice(uint256,uint256)",
    "FuturePrice(uint256,uint256)",
    "IncompleteRound(uint80,uint80)",
    "EnforcedPause()",
    "SeriesOrdersDue(address)",
    "LpOrdersDue()",
    "RebalanceDue(address)",
    "NoLpOrdersDue(uint80)",
    "Error(string)",
    "Panic(uint256)",
)

TRIGGERS = {0: "none", 1: "drift", 2: "fallback", 3: "scheduled", 4: "knock-out"}


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


_ERROR_BY_SELECTOR = {selector(sig): sig for sig in ERRORS}


def check_upkeep_calldata() -> bytes:
    return selector(CHECK_UPKEEP) + encode(["bytes"], [b""])


def perform_upkeep_calldata(perform_data: bytes) -> bytes:
    return selector(PERFORM_UPKEEP) + encode(["bytes"], [perform_data])


def uint_call(signature: str) -> bytes:
    return selector(signature)


@dataclass(frozen=True)
class Upkeep:
    """`checkUpkeep`'s answer: whether anything is due, the series bitmap, the health flag, the round each
    series' due orders execute at (empty when none is due) and the LP orders' round (0: none)."""

    needed: bool
    perform_data: bytes
    bitmap: int
    health_due: bool
    rounds: tuple[int, ...] = ()
    lp_round: int = 0

    @property
    def series_count(self) -> int:
        return self.bitmap.bit_count()

    @property
    def order_series(self) -> int:
        """Series whose orders the upkeep executes."""
        return sum(1 for r in self.rounds if r)

    def describe(self) -> str:
        return (f"bitmap={self.bitmap:#x} health={self.health_due} order_series={self.order_series} "
                f"lp_round={self.lp_round}")


def decode_check_upkeep(ret: bytes) -> Upkeep:
    """Decodes `checkUpkeep`'s return; raises ValueError if the answer is not a ReservePool's."""
    if len(ret) < 64:
        raise ValueError(f"checkUpkeep returned {len(ret)} bytes (no ReservePool at that address?)")
    needed, perform_data = decode(["bool", "bytes"], ret)
    bitmap, health, rounds, lp_round = (0, False, (), 0)
    if len(perform_data) >= 64:
        bitmap, health, rounds, lp_round = decode(["uint256", "bool", "uint80[]", "uint80"], perform_data)
    return Upkeep(bool(needed), bytes(perform_data), int(bitmap), bool(health), tuple(int(r) for r in rounds),
                  int(lp_round))


def decode_uint(ret: bytes) -> int:
    return int(decode(["uint256"], ret)[0])


def error_name(data: bytes) -> str:
    """Human name of revert data: `NoUpkeepNeeded()`, `Error(string): msg`, or the raw hex."""
    if not data:
        return "revert without data"
    sig = _ERROR_BY_SELECTOR.get(data[:4])
    if sig is None:
        return "0x" + data.hex()
    if sig == "Error(string)":
        try:
            return f"Error: {decode(['string'], data[4:])[0]}"
        except Exception:  # noqa: BLE001 - malformed reason string: show the bytes
            return "0x" + data.hex()
    return sig.split("(")[0]


@dataclass(frozen=True)
class UpkeepOutcome:
    """What one mined `performUpkeep` did, read from its receipt's logs."""

    rebalanced: tuple[tuple[str, str], ...]  # (token, trigger name)
    failed: tuple[tuple[str, str], ...]  # (token, error name)
    health_reported: bool
    orders_executed: int = 0  # OrderExecuted events of the series tokens
    orders_refunded: int = 0  # OrderRefunded events
    lp_orders_executed: int = 0  # LpOrderExecuted events of the pool (a redeem may count once per fill)
    lp_orders_refunded: int = 0  # LpOrderRefunded events


def outcome_of(receipt: dict[str, Any], pool: str) -> UpkeepOutcome:
    rebalanced, failed, health = [], [], False
    pool_lower = pool.lower()
    t_rebalanced, t_failed, t_health = topic(REBALANCED), topic(UPKEEP_FAILED), topic(RESERVE_HEALTH)
    t_executed, t_refunded = topic(ORDER_EXECUTED), topic(ORDER_REFUNDED)
    t_lp_executed, t_lp_refunded = topic(LP_ORDER_EXECUTED), topic(LP_ORDER_REFUNDED)
    executed = refunded = lp_executed = lp_refunded = 0
    for entry in receipt.get("logs", []):
        if not entry.get("topics"):
            continue
        head = entry["topics"][0]
        if head in (t_executed, t_refunded):  # emitted by the series tokens the upkeep called
            executed += head == t_executed
            refunded += head == t_refunded
            continue
        if str(entry.get("address", "")).lower() != pool_lower:
            continue
        if head in (t_lp_executed, t_lp_refunded):
            lp_executed += head == t_lp_executed
            lp_refunded += head == t_lp_refunded
            continue
        data = bytes.fromhex(entry["data"][2:]) if entry.get("data") else b""
        if head == t_rebalanced:
            token = to_checksum_address("0x" + entry["topics"][1][-40:])
            trigger = int.from_bytes(data[:32], "big")
            rebalanced.append((token, TRIGGERS.get(trigger, str(trigger))))
        elif head == t_failed:
            token = to_checksum_address("0x" + entry["topics"][1][-40:])
            (reason,) = decode(["bytes"], data)
            failed.append((token, error_name(bytes(reason))))
        elif head == t_health:
            health = True
    return UpkeepOutcome(tuple(rebalanced), tuple(failed), health, executed, refunded, lp_executed, lp_refunded)
