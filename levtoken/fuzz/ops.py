"""The fuzzer's operations: decoded from 8-byte words, applied to a chain and to the model side by side.

Hypothesis draws a program as one byte string (one draw per program instead of about eight per step: its
per-draw cost, about 15 us, would otherwise exceed the whole in-process step budget); every 8-byte word is
one operation. Shrinking still works on programs: hypothesis deletes and zeroes words, and word 0 decodes
to the simplest operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

WAD = 10**18


class Kind(IntEnum):
    MINT = 0
    REDEEM = 1
    TRANSFER = 2
    PRICE = 3
    WARP = 4
    REBALANCE = 5
    UPKEEP = 6
    LP_REQUEST_DEPOSIT = 7  # requestDeposit (ERC-7540)
    LP_EXECUTE = 8  # executeLpOrders
    LP_REQUEST_REDEEM = 9  # requestRedeem
    FUND = 10
    HEALTH = 11
    PAUSE = 12
    MINT_REDEEM = 13
    DONATE = 14
    LP_CLAIM = 15  # deposit / mint / withdraw / redeem claims
    ORDER_MINT = 16
    ORDER_REDEEM = 17
    EXECUTE = 18
    LP_OPERATOR = 19  # setOperator, or an LP share approval


# 64 slots: how often each kind is drawn
_WEIGHTS = {
    Kind.MINT: 8, Kind.REDEEM: 6, Kind.TRANSFER: 2, Kind.ORDER_MINT: 2, Kind.ORDER_REDEEM: 2, Kind.EXECUTE: 2, Kind.PRICE: 11, Kind.WARP: 5, Kind.REBALANCE: 6,
    Kind.UPKEEP: 4, Kind.LP_REQUEST_DEPOSIT: 2, Kind.LP_REQUEST_REDEEM: 2, Kind.LP_EXECUTE: 2, Kind.LP_CLAIM: 2,
    Kind.FUND: 2, Kind.HEALTH: 2, Kind.PAUSE: 1, Kind.MINT_REDEEM: 1, Kind.DONATE: 1, Kind.LP_OPERATOR: 1,
}
TABLE: tuple[Kind, ...] = tuple(k for k, w in _WEIGHTS.items() for _ in range(w))
assert len(TABLE) == 64

WARPS = (1, 59, 600, 3_599, 3_600, 3_601, 43_200, 86_399, 86_400, 86_401, 172_800, 604_800)
MIN_ANSWER = 10**6  # 0.01 at 8 decimals
MAX_ANSWER = 10**14  # 1,000,000 at 8 decimals


@dataclass(frozen=True, slots=True)
class Op:
    kind: Kind
    actor: int  # index into the system's actors
    series: int
    other: int  # second actor (transfer receiver)
    aux: int  # 8 bits for a mode of its own (e.g. a slippage bound), independent of `r`
    r: int  # 32 random bits for amounts and modes

    def __repr__(self) -> str:
        return (f"{self.kind.name}(actor={self.actor}, series={self.series}, other={self.other}, "
                f"aux={self.aux}, r={self.r:#x})")


def decode(word: int, n_actors: int, n_series: int) -> Op:
    """Word layout (little end first): kind 6 bits, actor 8, series 8, aux 8 (other = aux mod actors), then
    32 bits of `r`."""
    aux = (word >> 22) & 0xFF
    return Op(TABLE[word & 63], (word >> 6) % n_actors, (word >> 14) % n_series, aux % n_actors, aux, word >> 32)


def decode_program(program: bytes, n_actors: int, n_series: int) -> list[Op]:
    return [decode(int.from_bytes(program[i: i + 8], "little"), n_actors, n_series)
            for i in range(0, len(program) - 7, 8)]


def amount(r: int, balance: int, unit: int) -> int:
    """An amount: a share of `balance` most of the time, else a few wei, a round number, or too much."""
    mode = r & 7
    x = r >> 3
    if mode <= 3:  # 1/1024 .. all of the balance
        return balance * ((x & 1023) + 1) // 1024
    if mode == 4:  # dust, including 0
        return x % 1_000
    if mode == 5:  # a round amount of whole units, 1 .. 10^9
        return unit * 10 ** (x % 10)
    if mode == 6:
        return balance
    return balance + 1 + x % unit  # more than the balance


def new_answer(r: int, answer: int) -> int:
    """The next oracle answer: small moves, gaps up to +-60%, jumps across 1e-2..1e6, sometimes invalid."""
    mode = r & 15
    x = r >> 4
    if mode == 15:
        return (0, -1, answer)[x % 3]  # invalid (0, negative) or a re-push of the same answer
    if answer <= 0:
        answer = 2_000 * 10**8
    if mode <= 10:  # +-5%
        bps = x % 1001 - 500
    elif mode <= 13:  # gaps: +-60%
        bps = x % 12_001 - 6_000
    elif x & 3:  # +-2% around the current price, to keep series alive between gaps
        bps = x % 401 - 200
    else:  # anywhere in [1e-2, 1e6], log-uniform
        return int(MIN_ANSWER * (MAX_ANSWER / MIN_ANSWER) ** (((x >> 2) % 10_000) / 9_999))
    return min(MAX_ANSWER, max(MIN_ANSWER, answer * (10_000 + bps) // 10_000))


def _to_answer(price: float, decimals: int) -> int | None:
    answer = int(round(price * 10**decimals))
    return answer if MIN_ANSWER <= answer <= MAX_ANSWER else None


def band_edge_answer(m, token: str, r: int) -> int | None:
    """The feed answer nearest the price at which the series' leverage is exactly its lower or upper band
    edge (r picks which); None when the series has no exposure or the edge is out of the feed's range.
    Solves L(P) = x·P / (E0 ± x·(P - P0)) = edge, ignoring the accrued streaming fee (the caller then
    tries the answer one step either side as well)."""
    s = m._position[token]
    if s.exposure == 0 or s.equity == 0:
        return None
    lb = (s.min_leverage if r & 1 and s.min_leverage else s.max_leverage) / WAD
    e0, x, p0 = s.equity / WAD, s.exposure / WAD, s.mark_price / WAD
    if s.is_long:  # x·P = lb·(E0 + x·(P - P0))
        if lb == 1:
            return None
        price = lb * (e0 - x * p0) / (x * (1 - lb))
    else:  # x·P = lb·(E0 - x·(P - P0))
        price = lb * (e0 + x * p0) / (x * (1 + lb))
    return _to_answer(price, m.oracle.decimals) if price > 0 else None


def floor_answer(m) -> int | None:
    """The feed answer nearest the price at which the reserve is exactly at the floor, R = φ·Λ, from the
    liabilities aggregates (Λ(P)·WAD² = offsetSum + exposureSum·P while P is inside the frontiers); None
    when the pool has no net exposure or the price is out of range."""
    a = m._aggregates
    if a.exposure_sum == 0:
        return None
    target = m.pool_assets * m._scale * WAD / (WAD + m.floor_ratio)  # Λ at the floor, WAD
    price = (target * WAD - a.offset_sum) / a.exposure_sum  # WAD
    return _to_answer(price / WAD, m.oracle.decimals) if price > 0 else None


def order_round(m, token: str, r: int) -> int:
    """The round an executor names for the series' orders: usually the token's `pendingRound()` (what
    `checkUpkeep` and keepers name), else the latest round (1 in 8) or any round (1 in 8), which the contract
    must check."""
    latest = m.latest_round_data()[0]
    mode = (r >> 12) & 7
    if mode == 0 or latest == 0:
        return latest
    if mode == 1:
        return 1 + (r >> 16) % latest
    return m.pending_round(token) or latest


def lp_order_round(m, r: int) -> int:
    """The round an executor names for the LP orders: usually the pool's `lpPendingRound()`, else the latest
    round (1 in 8) or any round (1 in 8), which the contract must check."""
    latest = m.latest_round_data()[0]
    mode = (r >> 12) & 7
    if mode == 0 or latest == 0:
        return latest
    if mode == 1:
        return 1 + (r >> 16) % latest
    return m.lp_pending_round() or latest
