"""One series as `ReservePool` stores it (`struct Series`), plus its `LeveragedToken`'s ERC-20 ledger, and
the `SeriesParams` / `SeriesState` structs and the `Trigger` enum of `IReservePool`."""

from __future__ import annotations

from enum import IntEnum
from typing import Any, NamedTuple

from .erc20 import Ledger

__all__ = ["DRIFT", "FALLBACK", "KNOCK_OUT", "NONE", "SCHEDULED", "Series", "SeriesParams", "SeriesState", "Trigger"]


class Trigger(IntEnum):
    """`IReservePool.Trigger` (returned as uint8 by `rebalance()` and `rebalanceStatusOf`)."""

    NONE = 0
    DRIFT = 1
    FALLBACK = 2
    SCHEDULED = 3
    KNOCK_OUT = 4


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


class Series:
    """`ReservePool.Series` (storage widths noted; the model stores what the contract stores, truncations
    included) and the series token's ledger."""

    # storage widths: equity, exposure uint112; settled_at uint32; mark_price uint128; last_rebalance uint40;
    # fallback_interval uint32; leverages, fees and spread uint64; initial_nav uint96
    __slots__ = (
        "equity",
        "exposure",
        "fallback_interval",
        "initial_nav",
        "is_long",
        "knocked_out",
        "last_rebalance",
        "ledger",
        "mark_price",
        "max_leverage",
        "min_leverage",
        "mint_fee",
        "redeem_fee",
        "settled_at",
        "spread",
        "streaming_fee",
        "target_leverage",
        "token",
    )

    def __init__(self, token: str, is_long: bool, initial_nav: int, now: int, params: SeriesParams) -> None:
        self.token = token
        self.is_long = is_long
        self.initial_nav = initial_nav
        self.ledger = Ledger(token)
        self.equity = 0
        self.exposure = 0
        self.settled_at = now & 0xFFFFFFFF
        self.mark_price = 0
        self.last_rebalance = now & 0xFFFFFFFFFF
        self.knocked_out = False
        self.store(params)

    def store(self, p: SeriesParams) -> None:
        """`ReservePool._store`."""
        (self.target_leverage, self.min_leverage, self.max_leverage, self.fallback_interval,
         self.mint_fee, self.redeem_fee, self.streaming_fee, self.spread) = p

    def params(self) -> SeriesParams:
        """`ReservePool._paramsOf`."""
        return SeriesParams(self.target_leverage, self.min_leverage, self.max_leverage, self.fallback_interval,
                            self.mint_fee, self.redeem_fee, self.streaming_fee, self.spread)

    def state(self) -> SeriesState:
        """`ReservePool.seriesState`."""
        return SeriesState(self.equity, self.exposure, self.mark_price, self.settled_at, self.last_rebalance,
                           self.initial_nav, self.is_long, self.knocked_out)

    def save(self) -> tuple[Any, ...]:
        """The mutable fields and the token ledger, for `load` after a revert."""
        return (self.equity, self.exposure, self.settled_at, self.mark_price, self.last_rebalance,
                self.knocked_out, self.target_leverage, self.min_leverage, self.max_leverage,
                self.fallback_interval, self.mint_fee, self.redeem_fee, self.streaming_fee, self.spread,
                self.ledger.save())

    def load(self, saved: tuple[Any, ...]) -> None:
        """Restores the fields from `save`."""
        (self.equity, self.exposure, self.settled_at, self.mark_price, self.last_rebalance,
         self.knocked_out, self.target_leverage, self.min_leverage, self.max_leverage,
         self.fallback_interval, self.mint_fee, self.redeem_fee, self.streaming_fee, self.spread,
         ledger) = saved
        self.ledger.load(ledger)
