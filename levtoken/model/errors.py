"""Solidity custom errors as Python exceptions (the reverts of `ReservePool`, `LeveragedToken`, the
settlement asset and the OpenZeppelin code they run).

Every error is a subclass of `ContractError` named exactly like its Solidity error; `.args` holds the
Solidity arguments in declaration order (ints, bools, address strings, bytes32 as `bytes`). Two errors are
equal when their names and arguments are; address strings compare case-insensitively, so a checksummed
and a lower-case spelling of one address match.

`encode()` gives the revert data the chain returns (selector + ABI-encoded arguments) and
`decode_error(data)` turns revert data back into a `ContractError`, so a caller can compare a model error
with what a chain call or an `UpkeepFailed.reason` carried.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "PANIC_DIVISION_BY_ZERO",
    "PANIC_OVERFLOW",
    "AsyncPreview",
    "ClaimExceeded",
    "ContractError",
    "ERC20InsufficientAllowance",
    "ERC20InsufficientBalance",
    "ERC20InvalidApprover",
    "ERC20InvalidReceiver",
    "ERC20InvalidSender",
    "ERC20InvalidSpender",
    "ERC4626ExceededMaxDeposit",
    "ERC4626ExceededMaxMint",
    "ERC4626ExceededMaxRedeem",
    "ERC4626ExceededMaxWithdraw",
    "EnforcedPause",
    "ExpectedPause",
    "FuturePrice",
    "HealthReportTooSoon",
    "IncompleteRound",
    "InvalidLeverageBand",
    "InvalidPrice",
    "LpOrderDueEarlier",
    "LpOrderTooSmall",
    "LpOrdersDue",
    "ModuleMismatch",
    "NoLpOrdersDue",
    "NoRebalanceTrigger",
    "NoRefund",
    "NoUpkeepNeeded",
    "NotOperator",
    "OnlySelf",
    "OnlySeries",
    "OwnableInvalidOwner",
    "OwnableUnauthorizedAccount",
    "Panic",
    "ParameterOutOfBounds",
    "RebalanceTooSmall",
    "RebalanceDue",
    "ReserveBelowFloor",
    "ResidualTooSmall",
    "SafeCastOverflowedUintDowncast",
    "SafeCastOverflowedUintToInt",
    "SeriesKnockedOut",
    "SeriesNotRetirable",
    "SlippageExceeded",
    "StalePrice",
    "TooManySeries",
    "UnknownSeries",
    "UnsupportedDecimals",
    "UtilizationCapExceeded",
    "ZeroAddress",
    "ZeroAmount",
    "decode_error",
    "error_by_name",
]

PANIC_OVERFLOW = 0x11
PANIC_DIVISION_BY_ZERO = 0x12


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class ContractError(Exception):
    """A Solidity revert with a custom error: `name` and `args` in declaration order.

    Subclasses declare `fields` (argument names) and `types` (canonical ABI types), in order.
    """

    fields: ClassVar[tuple[str, ...]] = ()
    types: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any) -> None:
        if len(args) != len(self.fields):
            raise TypeError(f"{type(self).__name__} takes {len(self.fields)} arguments, got {len(args)}")
        super().__init__(*args)

    @property
    def name(self) -> str:
        """The Solidity error name."""
        return type(self).__name__

    @property
    def inputs(self) -> dict[str, Any]:
        """The arguments by their Solidity names (as ape's decoded `CustomError.inputs`)."""
        return dict(zip(self.fields, self.args))

    @classmethod
    def signature(cls) -> str:
        """Canonical signature, e.g. ``SlippageExceeded(uint256,uint256)``."""
        return f"{cls.__name__}({','.join(cls.types)})"

    @classmethod
    def selector(cls) -> bytes:
        """The 4-byte error selector."""
        from eth_utils import keccak

        return bytes(keccak(text=cls.signature())[:4])

    def encode(self) -> bytes:
        """The revert data: selector + ABI-encoded arguments."""
        from eth_abi import encode

        return self.selector() + (encode(list(self.types), list(self.args)) if self.types else b"")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ContractError):
            return NotImplemented
        return self.name == other.name and tuple(map(_norm, self.args)) == tuple(map(_norm, other.args))

    def __hash__(self) -> int:
        return hash((self.name, tuple(map(_norm, self.args))))

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(repr(a) for a in self.args)})"

    __str__ = __repr__


# ----------------------------------------------------------------------------- IReservePool (19)


class ZeroAmount(ContractError):
    """`ZeroAmount()`: An amount that must be positive was zero."""


class ZeroAddress(ContractError):
    """`ZeroAddress()`: An address that must be set was the zero address."""


class SlippageExceeded(ContractError):
    """`SlippageExceeded(uint256 actual, uint256 minimum)`."""

    fields = ("actual", "minimum")
    types = ("uint256", "uint256")


class NoRebalanceTrigger(ContractError):
    """`NoRebalanceTrigger(uint256 leverage)`."""

    fields = ("leverage",)
    types = ("uint256",)


class SeriesKnockedOut(ContractError):
    """`SeriesKnockedOut(address token)`."""

    fields = ("token",)
    types = ("address",)


class UnknownSeries(ContractError):
    """`UnknownSeries(address token)`."""

    fields = ("token",)
    types = ("address",)


class OnlySeries(ContractError):
    """`OnlySeries(address caller)`."""

    fields = ("caller",)
    types = ("address",)


class OnlySelf(ContractError):
    """`OnlySelf(address caller)`."""

    fields = ("caller",)
    types = ("address",)


class ReserveBelowFloor(ContractError):
    """`ReserveBelowFloor(int256 reserve, uint256 floor)`."""

    fields = ("reserve", "floor")
    types = ("int256", "uint256")


class TooManySeries(ContractError):
    """`TooManySeries(uint256 max)`."""

    fields = ("max",)
    types = ("uint256",)


class ParameterOutOfBounds(ContractError):
    """`ParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max)`."""

    fields = ("parameter", "value", "min", "max")
    types = ("bytes32", "uint256", "uint256", "uint256")


class InvalidLeverageBand(ContractError):
    """`InvalidLeverageBand(uint256 minLeverage, uint256 targetLeverage, uint256 maxLeverage)`."""

    fields = ("minLeverage", "targetLeverage", "maxLeverage")
    types = ("uint256", "uint256", "uint256")


class InvalidPrice(ContractError):
    """`InvalidPrice(int256 answer)`."""

    fields = ("answer",)
    types = ("int256",)


class StalePrice(ContractError):
    """`StalePrice(uint256 updatedAt, uint256 maxAge)`."""

    fields = ("updatedAt", "maxAge")
    types = ("uint256", "uint256")


class FuturePrice(ContractError):
    """`FuturePrice(uint256 updatedAt, uint256 blockTimestamp)`."""

    fields = ("updatedAt", "blockTimestamp")
    types = ("uint256", "uint256")


class IncompleteRound(ContractError):
    """`IncompleteRound(uint80 roundId, uint80 answeredInRound)`."""

    fields = ("roundId", "answeredInRound")
    types = ("uint80", "uint80")


class HealthReportTooSoon(ContractError):
    """`HealthReportTooSoon(uint256 nextAllowedAt)`."""

    fields = ("nextAllowedAt",)
    types = ("uint256",)


class RebalanceTooSmall(ContractError):
    """`RebalanceTooSmall(uint256 notional, uint256 minimum)`."""

    fields = ("notional", "minimum")
    types = ("uint256", "uint256")


class UtilizationCapExceeded(ContractError):
    """`UtilizationCapExceeded(uint256 utilization, uint256 cap)`."""

    fields = ("utilization", "cap")
    types = ("uint256", "uint256")


class SeriesNotRetirable(ContractError):
    """`SeriesNotRetirable(address token)`."""

    fields = ("token",)
    types = ("address",)


class ResidualTooSmall(ContractError):
    """`ResidualTooSmall(uint256 remaining, uint256 minimum)` (`LeveragedToken.redeem`)."""

    fields = ("remaining", "minimum")
    types = ("uint256", "uint256")


class NoUpkeepNeeded(ContractError):
    """`NoUpkeepNeeded()`."""


class UnsupportedDecimals(ContractError):
    """`UnsupportedDecimals(uint8 decimals)`."""

    fields = ("decimals",)
    types = ("uint8",)


class SeriesOrdersDue(ContractError):
    """`SeriesOrdersDue(address token)`: orders are due at the latest round (a rebalance waits for them)."""

    fields = ("token",)
    types = ("address",)


class SeriesHasOrders(ContractError):
    """`SeriesHasOrders(address token)` (`retireSeries`)."""

    fields = ("token",)
    types = ("address",)


class LpOrdersDue(ContractError):
    """`LpOrdersDue()`: LP orders are due at an earlier round than this settlement's: they execute first."""


class RebalanceDue(ContractError):
    """`RebalanceDue(address token)`: a rebalance of `token` is due at the latest round (before LP orders)."""

    fields = ("token",)
    types = ("address",)


class ModuleMismatch(ContractError):
    """`ModuleMismatch(address module)`: the module was not built for this pool's asset and oracle."""

    fields = ("module",)
    types = ("address",)


# ----------------------------------------------------------------------------- ILpOrdersBase (8)


class NotOperator(ContractError):
    """`NotOperator(address controller, address caller)`."""

    fields = ("controller", "caller")
    types = ("address", "address")


class ClaimExceeded(ContractError):
    """`ClaimExceeded(uint256 requested, uint256 claimable)`."""

    fields = ("requested", "claimable")
    types = ("uint256", "uint256")


class AsyncPreview(ContractError):
    """`AsyncPreview()`: the preview functions of an asynchronous vault always revert (ERC-7540)."""


class LpOrderTooSmall(ContractError):
    """`LpOrderTooSmall(uint256 assets, uint256 minimum)`."""

    fields = ("assets", "minimum")
    types = ("uint256", "uint256")


class NoLpOrdersDue(ContractError):
    """`NoLpOrdersDue(uint80 roundId)`."""

    fields = ("roundId",)
    types = ("uint80",)


class LpOrderDueEarlier(ContractError):
    """`LpOrderDueEarlier(uint8 kind, uint256 id, uint80 roundId)`."""

    fields = ("kind", "id", "roundId")
    types = ("uint8", "uint256", "uint80")


class NoRefund(ContractError):
    """`NoRefund()`."""


# ----------------------------------------------------------------------------- ISeriesOrders (7)


class OnlyPool(ContractError):
    """`OnlyPool(address caller)`."""

    fields = ("caller",)
    types = ("address",)


class OrderTooSmall(ContractError):
    """`OrderTooSmall(uint256 assets, uint256 minimum)`."""

    fields = ("assets", "minimum")
    types = ("uint256", "uint256")


class QueueFull(ContractError):
    """`QueueFull(uint8 kind)`."""

    fields = ("kind",)
    types = ("uint8",)


class OrderDueEarlier(ContractError):
    """`OrderDueEarlier(uint8 kind, uint256 id, uint80 roundId)`."""

    fields = ("kind", "id", "roundId")
    types = ("uint8", "uint256", "uint80")


class NoOrdersDue(ContractError):
    """`NoOrdersDue(uint80 roundId)`."""

    fields = ("roundId",)
    types = ("uint80",)


class OrdersDue(ContractError):
    """`OrdersDue()` (the immediate `mint`/`redeem` while orders are due)."""


class NothingToClaim(ContractError):
    """`NothingToClaim()`."""


# ----------------------------------------------------------------------------- OpenZeppelin 5.7 (`oz.errors`)

from .oz.errors import (  # noqa: E402  (they subclass ContractError, defined above)
    ERC20InsufficientBalance,
    ERC20InsufficientAllowance,
    ERC20InvalidReceiver,
    ERC20InvalidSender,
    ERC20InvalidApprover,
    ERC20InvalidSpender,
    ERC4626ExceededMaxDeposit,
    ERC4626ExceededMaxMint,
    ERC4626ExceededMaxWithdraw,
    ERC4626ExceededMaxRedeem,
    EnforcedPause,
    ExpectedPause,
    SafeCastOverflowedUintDowncast,
    SafeCastOverflowedUintToInt,
    Panic,
    OwnableUnauthorizedAccount,
    OwnableInvalidOwner,
)

error_by_name: dict[str, type[ContractError]] = {
    cls.__name__: cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, ContractError) and cls is not ContractError
}


def decode_error(data: bytes) -> ContractError:
    """The `ContractError` that revert data `data` (selector + ABI arguments) encodes.

    Raises `ValueError` for data that matches no known error.
    """
    from eth_abi import decode

    data = bytes(data)
    for cls in error_by_name.values():
        if data[:4] == cls.selector():
            values = decode(list(cls.types), data[4:]) if cls.types else ()
            return cls(*values)
    raise ValueError(f"unknown revert data 0x{data.hex()}")
