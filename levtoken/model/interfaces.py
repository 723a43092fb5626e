"""The structs and the enum of `interfaces/IReservePool.sol`: `SeriesParams`, `SeriesState`, `Trigger`, and
those of `interfaces/ILpOrders.sol`: `LpQueues`, `LpAccount`, `LpKind` (their errors are in `errors`, their
events are the model's `(name, fields)` records)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import NamedTuple

from .solidity import abi_uint


class Trigger(IntEnum):
    """`IReservePool.Trigger` (returned as uint8 by `rebalance()` and `rebalanceStatusOf`)."""

    NONE = 0
    DRIFT = 1
    FALLBACK = 2
    SCHEDULED = 3
    KNOCK_OUT = 4


# plain ints for the hot path (IntEnum member lookups are slow); equal to the Trigger members
NONE, DRIFT, FALLBACK, SCHEDULED, KNOCK_OUT = 0, 1, 2, 3, 4


class SeriesParams(NamedTuple):
    """`IReservePool.SeriesParams`, in the Solidity field order (WAD leverages and fees, seconds)."""

    targetLeverage: int
    minLeverage: int
    maxLeverage: int
    fallbackInterval: int
    mintFee: int
    redeemFee: int
    streamingFee: int
    spread: int


# ABI widths of the SeriesParams fields (uint64 but fallbackInterval uint32)
PARAM_BITS = (64, 64, 64, 32, 64, 64, 64, 64)
PARAM_NAMES = SeriesParams._fields


class SeriesState(NamedTuple):
    """`IReservePool.SeriesState`: the raw settled state of a series."""

    equity: int
    exposure: int
    markPrice: int
    settledAt: int
    lastRebalance: int
    initialNav: int
    isLong: bool
    knockedOut: bool


def as_series_params(values: Sequence[int]) -> SeriesParams:
    """A `SeriesParams` argument: 8 fields, each within its ABI width (else `ValueError`)."""
    if len(values) != 8:
        raise ValueError("SeriesParams has 8 fields")
    for value, bits in zip(values, PARAM_BITS):
        abi_uint(value, bits)
    return SeriesParams(*values)


# ----------------------------------------------------------------------------- ILpOrders.sol (ILpOrdersBase)

DEPOSIT, REDEEM = 0, 1  # `ILpOrdersBase.LpKind`


class LpQueues(NamedTuple):
    """`ILpOrdersBase.LpQueues`: the LP queues' counters (uint32 each). Redeem orders in [redeemHead,
    redeemNext) have met their round and wait for headroom; those in [redeemNext, redeemTail) have not."""

    depositHead: int = 0
    depositTail: int = 0
    redeemHead: int = 0
    redeemNext: int = 0
    redeemTail: int = 0
    nextDue: int = 0  # dueAt of the first order that has not met its round (0: none)
    lastDue: int = 0  # the latest dueAt given: a new order is due no earlier


class LpAccount(NamedTuple):
    """`ILpOrdersBase.LpAccount`: one controller's pending and claimable amounts (uint128 each)."""

    pendingDepositAssets: int = 0
    pendingRedeemShares: int = 0
    claimableDepositAssets: int = 0
    claimableDepositShares: int = 0
    claimableRedeemShares: int = 0
    claimableRedeemAssets: int = 0
