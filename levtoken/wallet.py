"""Holder and LP operations on a deployed system: quote, check, then send (and, for orders, wait).

``Wallet.open(account)`` attaches to the connected network's manifest. Each operation has a ``quote_*``
method that returns a frozen dataclass saying what will happen (expected output, fees, slippage bound,
blocking problems with their fix, notes).

Mint and redeem are orders (SPEC section 3a): ``place(quote)`` sends ``requestMint`` / ``requestRedeem`` with
the quote's bound as ``minTokens`` / ``minAssets`` and returns a ``PlacedOrder`` (its id and ``dueAt``);
``wait(placed)`` then polls the token until the order is executed or refunded, at the price of the first
oracle round published after ``dueAt`` (the request time plus the pool's ``minDelay``), and returns an
``OrderOutcome`` (tokens or assets received, or the refund reason). The wallet never moves the oracle; by
default it executes the batch itself (``executeOrders``, permissionless, paying it the batch's execution
fees) as soon as a round prices it, unless a keeper was faster (``execute=False`` waits for a keeper only).
``pending_orders()`` lists the account's pending orders and claimable balances; ``claim()`` collects them.
Before sending, an order's quote is checked again against the contracts' previews (the price may have
moved since the quote: ``SlippageRefused``) and the request is simulated (a revert is refused with its
reason); the bound itself is enforced by the contract at execution (a failing order is refunded).

LP deposits and withdrawals (ERC-4626) and approvals are single transactions: ``execute(quote)`` refuses a
quote with problems (``WalletError``), simulates the call with ``eth_call`` from the account and refuses
with ``SlippageRefused`` when the simulated result breaks the quote's bound - nothing is sent in either case
- then sends it and returns a ``TxResult`` read from the receipt's events. ``status()`` reads NAV,
leverage, band, next fallback, rebalance trigger and the reserve's health for every series.

Quotes come from the contracts' previews: ``previewMint`` / ``previewRedeem`` of the series token (the
pool's batch pricing of an order alone at the latest price, fees, first-mint lock, insolvency pro rata
and capacity included; ``previewRedeem`` is before the order's flat execution fee, which the wallet
subtracts) and ERC-4626 ``previewDeposit`` / ``previewWithdraw`` / ``previewRedeem`` for the LP commands.
The wallet derives no price itself. Bounds: ``min = floor(expected*(10000 - slippage_bps)/10000)``; for a
withdrawal by assets, ``max shares = ceil(shares*(10000 + slippage_bps)/10000)``.

Inputs are strict, and each quote checks them before it reads the chain (so before anything is sent):
every address must pass EIP-55 (an all-lowercase or all-uppercase one only with ``allow_lowercase``), every
amount is a plain decimal with at most the token's decimals (``levtoken.units.parse_decimal``). A bad one raises
``WalletInputError`` naming the field and the rule. ``check_address`` and ``check_amount`` need no chain
(the script runs them while parsing its arguments, before connecting).
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from ape import chain, networks, project
from eth_abi import decode as abi_decode
from eth_utils import is_checksum_address, keccak, to_checksum_address
from web3.exceptions import ContractLogicError as Web3ContractLogicError

from levtoken import reverts
from levtoken.accounts import UnsafeAccountError, check_account
from levtoken.config import is_local_network
from levtoken.deployment import DEFAULT_MANIFEST_DIR, Deployment, attach
from levtoken.model.libraries.series import LOCKED_SUPPLY, MIN_BALANCE
from levtoken.units import MAX_UINT256, WAD, AmountError, from_units, from_wad, parse_decimal, parse_units

log = logging.getLogger(__name__)
T = TypeVar("T")

BPS = 10_000
DEFAULT_SLIPPAGE_BPS = 50
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}", re.ASCII)
TRIGGER_NAMES = {0: "none", 1: "drift", 2: "fallback", 3: "scheduled", 4: "knock-out"}
LP_BOUND_NOTE = "ERC-4626 {what}: the bound is checked by simulation just before sending, not by the pool"
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


class WalletError(Exception):
    """An operation that cannot (or must not) be sent: ``problem → fix``."""


class WalletInputError(WalletError, ValueError):
    """An argument that breaks an input rule (an address, an amount), found before anything is sent:
    ``field: value rule → fix``. The ape script reports it as a usage error (exit status 2)."""

    def __init__(self, field: str, value: Any, rule: str, fix: str):
        self.field, self.value, self.rule, self.fix = field, value, rule, fix
        super().__init__(f"{field}: {value!r} {rule} → {fix}")


class SlippageRefused(WalletError):
    """The simulated result breaks the quote's bound; nothing was sent."""

    def __init__(self, quote: Quote, simulated: int):
        self.quote, self.simulated = quote, simulated
        super().__init__(quote.refusal(simulated))


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def lower_bound(expected: int, slippage_bps: int) -> int:
    """``floor(expected*(1 - bps/10000))``: the least output accepted."""
    return expected * (BPS - slippage_bps) // BPS


def upper_bound(expected: int, slippage_bps: int) -> int:
    """``ceil(expected*(1 + bps/10000))``: the most input accepted."""
    return _ceil_div(expected * (BPS + slippage_bps), BPS)


def _amount_text(value: str | int | Decimal, field: str) -> str:
    """The text of an amount: strings as given, ints and Decimals written out; floats are refused (inexact)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise WalletInputError(field, value, f"is a {type(value).__name__}, not an amount",
                           "pass a string such as '1000' or '0.5', an int or a Decimal (floats are inexact)")


def _strict(value: str | int | Decimal, field: str, parse: Callable[[str], T], allow_zero: bool) -> T:
    """`parse` (a ``levtoken.units`` parser) applied to the amount's text, its ``AmountError`` (and a zero
    amount unless `allow_zero`) raised as ``WalletInputError``."""
    try:
        amount = parse(_amount_text(value, field))
    except AmountError as err:
        raise WalletInputError(field, value, err.rule, err.fix) from None
    if amount == 0 and not allow_zero:
        raise WalletInputError(field, value, "is zero", "use an amount above 0")
    return amount


def check_amount(value: str | int | Decimal, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """The format rules of ``levtoken.units.parse_decimal`` (plain decimal: no sign, separator, exponent),
    without a token's decimals: what can be checked before connecting. Raises ``WalletInputError``."""
    return _strict(value, field, parse_decimal, allow_zero)


def parse_amount(value: str | int | Decimal, decimals: int, field: str = "amount", allow_zero: bool = False) -> int:
    """A human amount (``"1000"``, ``"0.5"``) in a token's smallest units, strictly: the rules of
    ``check_amount`` and at most `decimals` fraction digits (never rounded). Raises ``WalletInputError``."""
    return _strict(value, field, functools.partial(parse_units, decimals=decimals), allow_zero)


def _address_shape(value: str) -> str:
    """Why `value` is not 0x + 40 hex digits."""
    if value != value.strip():
        return "has spaces around it"
    if not value.startswith("0x"):
        return "does not start with 0x"
    return f"is not 40 hex digits after 0x (has {len(value) - 2} characters)"


def check_address(value: Any, field: str = "receiver", allow_lowercase: bool = False) -> str:
    """`value` as a checksummed address, refusing anything EIP-55 does not vouch for.

    A mixed-case address must pass its EIP-55 checksum, always. One without a checksum (every letter
    lowercase, or every letter uppercase) only with `allow_lowercase`. The zero address is refused.
    Raises ``WalletInputError`` naming `field`.
    """
    if not isinstance(value, str):
        raise WalletInputError(field, value, f"is a {type(value).__name__}, not an address",
                               "pass the address as text: 0x followed by 40 hex digits")
    if not _HEX_ADDRESS.fullmatch(value):
        raise WalletInputError(field, value, _address_shape(value), "pass 0x followed by 40 hex digits")
    digits = value[2:]
    if not is_checksum_address(value):
        if digits not in (digits.lower(), digits.upper()):
            raise WalletInputError(field, value, "fails its EIP-55 checksum (a character was mistyped, or its case "
                                   "changed)", "copy the address again from its source; do not fix its case by hand")
        if not allow_lowercase:
            raise WalletInputError(field, value, "has no EIP-55 checksum (all one case), so a typo in it would go "
                                   "unnoticed", "paste the checksummed (mixed-case) address, or pass "
                                   "--allow-lowercase (allow_lowercase=True) to accept it unchecked")
    if int(digits, 16) == 0:
        raise WalletInputError(field, value, "is the zero address", "pass the intended address (tokens sent to the "
                               "zero address are lost)")
    return to_checksum_address(value)


def looks_like_address(symbol: str) -> bool:
    """Whether a series argument is meant as a token address (starts with 0x) rather than a symbol."""
    return symbol[:2].lower() == "0x"


def _eth_call(contract, method: str, args: tuple, sender: str | None = None) -> tuple:
    """``contract.method(*args)`` by ``eth_call`` (from `sender`), decoded; a revert raises web3's
    ``ContractLogicError`` carrying the revert data (ape's own call path would also print a trace)."""
    handler = getattr(contract, method)
    abi = next(a for a in handler.abis if len(a.inputs) == len(args))
    call = {"to": str(contract.address), "data": "0x" + bytes(handler.encode_input(*args)).hex()}
    if sender is not None:
        call["from"] = sender
    raw = networks.provider.web3.eth.call(call)
    return tuple(abi_decode([o.canonical_type for o in abi.outputs], bytes(raw)))


# ----------------------------------------------------------------------------- quotes


@dataclass(frozen=True)
class Quote:
    """What an operation will do. Amounts are raw integers (asset units, 18-decimal tokens/shares, WAD)."""

    kind: str
    account: str
    asset_symbol: str
    asset_decimals: int
    slippage_bps: int
    problems: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def breaks_bound(self, simulated: int) -> bool:
        raise NotImplementedError

    def refusal(self, simulated: int) -> str:
        raise NotImplementedError

    def assets(self, units: int) -> Decimal:
        """Asset units as a Decimal amount."""
        return from_units(units, self.asset_decimals)


@dataclass(frozen=True)
class MintQuote(Quote):
    """A mint order: `expected_tokens` is the token's ``previewMint(amount)``; the execution fee is escrowed on
    top of `amount` and paid to whoever executes the batch."""

    symbol: str
    token: str
    receiver: str
    amount: int  # assets paid, asset units
    execution_fee: int  # asset units, escrowed with the order
    min_delay: int  # seconds after the request before an oracle round can price it
    max_order_age: int  # seconds after dueAt after which an order without a round expires
    fee_rate: int  # the series' mint fee (WAD), inside the preview
    nav: int  # WAD, per token
    expected_tokens: int
    min_tokens: int

    def breaks_bound(self, simulated: int) -> bool:
        return simulated < self.min_tokens

    def refusal(self, simulated: int) -> str:
        return (f"mint refused, nothing sent: {self.symbol} tokens would be {from_wad(simulated)}, below the bound "
                f"{from_wad(self.min_tokens)} (quoted {from_wad(self.expected_tokens)}, slippage {self.slippage_bps} "
                "bps): the price or the series moved since the quote → quote again, or raise --slippage-bps")


@dataclass(frozen=True)
class RedeemQuote(Quote):
    """A redeem order: `payout` is the token's ``previewRedeem(amount)`` (before the execution fee) and
    `expected_assets` what the receiver gets, ``payout - execution_fee``; `min_assets` bounds the latter."""

    symbol: str
    token: str
    receiver: str
    amount: int  # tokens redeemed, 18 decimals
    execution_fee: int  # asset units, out of the payout
    min_delay: int
    max_order_age: int
    fee_rate: int  # the series' redeem fee (WAD), inside the preview
    payout: int  # asset units, previewRedeem: after the redeem fee (and pro rata), before the execution fee
    pro_rata: Decimal | None  # poolAssets/liabilities when the reserve is negative, else None (information)
    nav: int
    expected_assets: int  # asset units, after the execution fee
    min_assets: int

    def breaks_bound(self, simulated: int) -> bool:
        return simulated < self.min_assets

    def refusal(self, simulated: int) -> str:
        return (f"redeem refused, nothing sent: you would receive {self.assets(simulated)} {self.asset_symbol}, below "
                f"the bound {self.assets(self.min_assets)} (quoted {self.assets(self.expected_assets)}, slippage "
                f"{self.slippage_bps} bps): the price or the series moved since the quote → quote again, or raise "
                "--slippage-bps")


@dataclass(frozen=True)
class PlacedOrder:
    """An order the wallet placed (`requestMint` / `requestRedeem` mined)."""

    kind: str  # "mint" or "redeem"
    symbol: str
    token: str
    order_id: int
    due_at: int  # the request time plus minDelay: the first oracle round updated after it prices the order
    amount: int  # assets (mint) or tokens (redeem)
    min_out: int  # tokens (mint) or assets after the execution fee (redeem)
    execution_fee: int
    receiver: str
    txn_hash: str
    gas_used: int
    block: int
    receipt: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class OrderOutcome:
    """What became of a placed order: `executed`, `refunded` or still `pending` (the wait timed out)."""

    status: str
    amount_out: int = 0  # tokens (mint) or assets after the execution fee (redeem), if executed
    reason: str | None = None  # the refund reason, if refunded
    round_id: int | None = None  # the oracle round that priced it, if executed
    txn_hash: str | None = None  # the execution (or refund) transaction
    claimable: int = 0  # assets whose push failed in that transaction: `claim()` collects them
    executed_by_wallet: bool = False  # the wallet sent the executeOrders call itself


@dataclass(frozen=True)
class PendingOrder:
    """One pending order of the account (as owner or receiver), from the token's queue."""

    symbol: str
    kind: str
    order_id: int
    owner: str
    receiver: str
    amount: int
    min_out: int
    execution_fee: int
    due_at: int
    status: str


@dataclass(frozen=True)
class OrdersReport:
    """The account's pending orders and its claimable balance in each series token."""

    account: str
    timestamp: int
    orders: tuple[PendingOrder, ...]
    claimable: dict[str, int]  # symbol -> asset units (only the non-zero ones)


@dataclass(frozen=True)
class LpDepositQuote(Quote):
    receiver: str
    share_decimals: int  # the LP share's decimals (asset decimals + 6 virtual-share offset)
    amount: int  # assets, asset units
    expected_shares: int
    min_shares: int
    share_value: Decimal  # asset per share now

    def shares(self, units: int) -> Decimal:
        return from_units(units, self.share_decimals)

    def breaks_bound(self, simulated: int) -> bool:
        return simulated < self.min_shares

    def refusal(self, simulated: int) -> str:
        return (f"LP deposit refused, nothing sent: you would get {self.shares(simulated)} shares, below the bound "
                f"{self.shares(self.min_shares)} (quoted {self.shares(self.expected_shares)}): the reserve moved since the "
                "quote → quote again, or raise --slippage-bps")


@dataclass(frozen=True)
class LpWithdrawQuote(Quote):
    receiver: str
    share_decimals: int
    by_shares: bool  # True: redeem(shares) for at least min assets; False: withdraw(assets) burning at most max shares
    amount: int  # assets out (by assets) or shares burned (by shares)
    expected_assets: int
    expected_shares: int
    bound: int  # min assets (by shares) or max shares (by assets)
    max_withdraw: int  # asset units the account may withdraw now

    def shares(self, units: int) -> Decimal:
        return from_units(units, self.share_decimals)

    def breaks_bound(self, simulated: int) -> bool:
        return simulated < self.bound if self.by_shares else simulated > self.bound

    def refusal(self, simulated: int) -> str:
        if self.by_shares:
            return (f"LP withdrawal refused, nothing sent: you would receive {self.assets(simulated)} "
                    f"{self.asset_symbol}, below the bound {self.assets(self.bound)} (quoted "
                    f"{self.assets(self.expected_assets)}): the reserve moved → quote again, or raise --slippage-bps")
        return (f"LP withdrawal refused, nothing sent: it would burn {self.shares(simulated)} shares, above the bound "
                f"{self.shares(self.bound)} (quoted {self.shares(self.expected_shares)}): the reserve moved → quote "
                "again, or raise --slippage-bps")


@dataclass(frozen=True)
class ApproveQuote(Quote):
    spender: str
    spender_name: str  # "the pool", or the series symbol whose orders it funds
    amount: int  # asset units (MAX_UINT256 = unlimited)
    current: int

    def breaks_bound(self, simulated: int) -> bool:
        return False

    def refusal(self, simulated: int) -> str:  # pragma: no cover - approvals have no bound
        return "approve refused"


@dataclass(frozen=True)
class TxResult:
    """A sent operation, read from its receipt."""

    kind: str
    txn_hash: str
    gas_used: int
    spent: int  # assets (mint, LP deposit), tokens (redeem), shares (LP withdraw), allowance (approve)
    received: int  # tokens (mint), assets (redeem, LP withdraw), shares (LP deposit), 0 (approve)
    fee: int = 0  # WAD
    receipt: Any = field(default=None, repr=False, compare=False)


# ----------------------------------------------------------------------------- status


@dataclass(frozen=True)
class SeriesStatus:
    symbol: str
    address: str
    side: str
    supply: int
    nav: int
    leverage: int
    target_leverage: int
    min_leverage: int
    max_leverage: int
    equity: int
    exposure: int
    fallback_interval: int
    last_rebalance: int
    next_fallback: int | None  # timestamp, None when the fallback is off or the series is empty/knocked out
    trigger: str  # what rebalance() would fire now ("none" if it would revert)
    knocked_out: bool
    mint_fee: int
    redeem_fee: int
    streaming_fee: int
    balance: int | None  # the account's tokens, if an account was given


@dataclass(frozen=True)
class AccountStatus:
    address: str
    asset_balance: int
    allowance: int
    lp_shares: int
    lp_value: int  # asset units the shares are worth now
    max_withdraw: int


@dataclass(frozen=True)
class PoolStatus:
    network: str
    pool: str
    timestamp: int
    asset_symbol: str
    asset_decimals: int
    price: int | None  # oracle price (WAD), None when unusable
    oracle_problem: str | None  # the oracle read's revert, e.g. "StalePrice(updatedAt=..., maxAge=3600)"
    mark_price: int
    reserve: int  # WAD, signed
    liabilities: int
    floor: int
    floor_ratio: int
    floor_breached: bool  # as last recorded on-chain
    net_exposure: int
    pool_assets: int  # asset units
    lp_total_assets: int  # asset units
    lp_supply: int
    paused: bool
    series: tuple[SeriesStatus, ...]
    account: AccountStatus | None

    @property
    def coverage(self) -> Decimal | None:
        """reserve/liabilities, None without liabilities."""
        return None if self.liabilities == 0 else Decimal(self.reserve) / Decimal(self.liabilities)

    @property
    def utilization(self) -> Decimal | None:
        """|net exposure|*price/reserve, None when the reserve is not positive."""
        if self.reserve <= 0:
            return None
        return Decimal(abs(self.net_exposure)) * Decimal(self.mark_price) / WAD / Decimal(self.reserve)

    @property
    def health(self) -> str:
        if self.reserve < 0:
            return "insolvent (redemptions paid pro rata)"
        if self.reserve < self.floor:
            return "below floor (mints suspended)"
        return "healthy"


# ----------------------------------------------------------------------------- the wallet


class Wallet:
    """Operations of one account (or none, for `status`) on one deployment."""

    def __init__(self, deployment: Deployment, account=None, allow_lowercase: bool = False):
        self.deployment = deployment
        self.account = account
        self.allow_lowercase = allow_lowercase  # accept addresses without an EIP-55 checksum (all one case)
        self.pool = deployment.pool
        self.asset = deployment.asset
        self.asset_decimals = int(self.asset.decimals())
        self.asset_symbol = str(self.asset.symbol())
        self.scale = 10 ** (18 - self.asset_decimals)
        self.share_decimals = int(self.pool.decimals())
        if account is not None:
            try:
                check_account(account, networks.provider.network_choice, chain.chain_id)
            except UnsafeAccountError as err:
                raise WalletError(str(err)) from None

    @classmethod
    def open(cls, account=None, manifest_dir: Path | str = DEFAULT_MANIFEST_DIR,
             allow_lowercase: bool = False) -> Wallet:
        """A wallet on the deployment recorded for the connected network."""
        return cls(attach(Path(manifest_dir)), account, allow_lowercase)

    # ---------------------------------------------------------------- helpers

    @property
    def address(self) -> str:
        if self.account is None:
            raise WalletError("this operation needs an account → pass --account <alias> (TEST::0 on local chains)")
        return str(self.account.address)

    def token(self, symbol: str) -> tuple[str, Any]:
        """(symbol as deployed, token contract) of a series, by symbol (case-insensitive) or by token address
        (EIP-55 checked like every address)."""
        known = ", ".join(self.deployment.tokens) or "none"
        if looks_like_address(symbol):
            address = check_address(symbol, "symbol", self.allow_lowercase)
            for name, token in self.deployment.tokens.items():
                if str(token.address).lower() == address.lower():
                    return name, token
            raise WalletError(f"{address} is not a series token of {self.deployment.manifest_path} → use one of: "
                              f"{known} (or its token address)")
        for name, token in self.deployment.tokens.items():
            if name.lower() == symbol.lower():
                return name, token
        raise WalletError(f"no series {symbol!r} in {self.deployment.manifest_path} → use one of: {known}")

    def _receiver(self, receiver: str | None) -> str:
        return self.address if receiver is None else check_address(receiver, "receiver", self.allow_lowercase)

    def _base(self, kind: str, slippage_bps: int) -> dict[str, Any]:
        if not 0 <= slippage_bps <= BPS:
            raise WalletError(f"slippage {slippage_bps} bps is out of range → use 0..10000 (50 = 0.5%)")
        return {"kind": kind, "account": self.address, "asset_symbol": self.asset_symbol,
                "asset_decimals": self.asset_decimals, "slippage_bps": slippage_bps}

    def _oracle_problem(self) -> str | None:
        try:
            _eth_call(self.pool, "price", ())
        except Web3ContractLogicError as err:
            found = reverts.from_exception(err)
            return str(found or err)
        return None

    def _funds_problems(self, amount: int, spender: Any = None, approve_hint: str = "") -> list[str]:
        """Balance and allowance problems for spending `amount` of the asset through `spender` (default: the
        pool, for LP deposits; a series token for its mint orders, named in `approve_hint`)."""
        spender = self.pool if spender is None else spender
        problems = []
        balance = int(self.asset.balanceOf(self.address))
        if balance < amount:
            problems.append(f"your {self.asset_symbol} balance is {from_units(balance, self.asset_decimals)}, less than "
                            f"{from_units(amount, self.asset_decimals)} → lower the amount or fund the account")
        allowance = int(self.asset.allowance(self.address, spender.address))
        if allowance < amount:
            who = f"the {approve_hint} token" if approve_hint else "the pool"
            flag = f" --series {approve_hint}" if approve_hint else ""
            problems.append(f"{who} may spend only {from_units(allowance, self.asset_decimals)} of your "
                            f"{self.asset_symbol} → approve it first: ape run wallet approve "
                            f"{from_units(amount, self.asset_decimals)}{flag} (or unlimited{flag})")
        return problems

    def _order_params(self, token) -> tuple[int, int, int, int]:
        """The series' order parameters: (minDelay, maxOrderAge, executionFee, minMintAssets)."""
        return tuple(int(v) for v in token.orderParams())  # type: ignore[return-value]

    def _order_notes(self, min_delay: int, max_age: int, fee: int) -> list[str]:
        return [f"an order: it executes at the first oracle round published more than {min_delay} s after the "
                f"request (refunded if none comes within {max_age // 3600} h); execution fee "
                f"{from_units(fee, self.asset_decimals)} {self.asset_symbol}"]

    # ---------------------------------------------------------------- quotes

    def quote_mint(self, symbol: str, amount: str | int | Decimal, slippage_bps: int = DEFAULT_SLIPPAGE_BPS,
                   receiver: str | None = None) -> MintQuote:
        """A mint order of `symbol` for `amount` of the asset (a human amount, e.g. "1000"), quoted by the token's
        ``previewMint``; a zero preview is a problem, explained from the views."""
        name, token = self.token(symbol)
        assets = parse_amount(amount, self.asset_decimals, "amount")
        base = self._base("mint", slippage_bps)
        receiver = self._receiver(receiver)
        pool = self.pool
        min_delay, max_age, exec_fee, min_mint = self._order_params(token)
        expected = int(token.previewMint(assets))
        problems: list[str] = []
        notes = self._order_notes(min_delay, max_age, exec_fee)
        state = pool.seriesState(token)
        if int(token.totalSupply()) == 0:
            notes.append(f"first mint of {name}: NAV starts at {from_wad(state.initialNav)}; "
                         f"{from_wad(LOCKED_SUPPLY)} {name} of it are locked forever")
        if expected == 0:
            problems.append(self._why_no_mint(name, token, state, assets, min_mint))
        problems += self._funds_problems(assets + exec_fee, token, name)
        return MintQuote(**base, problems=tuple(problems), notes=tuple(notes), symbol=name, token=str(token.address),
                         receiver=receiver, amount=assets, execution_fee=exec_fee, min_delay=min_delay,
                         max_order_age=max_age, fee_rate=int(pool.seriesParams(token).mintFee),
                         nav=int(pool.navOf(token)), expected_tokens=expected,
                         min_tokens=lower_bound(expected, slippage_bps))

    def _why_no_mint(self, name: str, token, state, assets: int, min_mint: int) -> str:
        """Why ``previewMint`` is 0, from the views (the preview itself says only that the pool would refund)."""
        if state.knockedOut or (int(token.totalSupply()) > 0 and int(self.pool.equityOf(token)) == 0):
            return f"{name} is knocked out (its equity reached 0) → it can no longer be minted; pick another series"
        if self.pool.paused():
            return "the pool is paused: mints are suspended → wait for the owner to unpause (redemptions work)"
        if (oracle := self._oracle_problem()) is not None:
            return f"the oracle price is unusable ({oracle}) → wait for the feed to update; orders need a usable price"
        if assets < min_mint:
            return (f"{from_units(assets, self.asset_decimals)} {self.asset_symbol} is below the minimum mint order of "
                    f"{from_units(min_mint, self.asset_decimals)} → use a larger amount")
        return ("the pool would refund this mint: the reserve would be below its floor or net exposure above the "
                "utilization cap after it (or it buys nothing) → try a smaller amount, or wait for LP capital")

    def quote_redeem(self, symbol: str, amount: str | int | Decimal | None, slippage_bps: int = DEFAULT_SLIPPAGE_BPS,
                     receiver: str | None = None) -> RedeemQuote:
        """A redeem order of `amount` tokens of `symbol` (None: the whole balance), quoted by the token's
        ``previewRedeem`` less the execution fee."""
        name, token = self.token(symbol)
        requested = None if amount is None else parse_amount(amount, 18, "amount")
        base = self._base("redeem", slippage_bps)
        receiver = self._receiver(receiver)
        balance = int(token.balanceOf(self.address))
        tokens = balance if requested is None else requested
        pool = self.pool
        min_delay, max_age, exec_fee, _ = self._order_params(token)
        payout = int(token.previewRedeem(tokens)) if tokens else 0
        expected = max(payout - exec_fee, 0)
        problems: list[str] = []
        notes = self._order_notes(min_delay, max_age, exec_fee)
        if tokens == 0:
            problems.append(f"you hold no {name} → nothing to redeem")
        elif tokens > balance:
            problems.append(f"you hold {from_wad(balance)} {name}, less than {from_wad(tokens)} → lower the amount "
                            "(or use all)")
        elif 0 < balance - tokens < MIN_BALANCE:
            problems.append(f"it would leave you {from_wad(balance - tokens)} {name}, below the minimum balance "
                            f"{from_wad(MIN_BALANCE)} → redeem all, or less")
        pro_rata = None
        pooled, liabilities = int(pool.poolAssets()) * self.scale, int(pool.liabilities())
        if pooled < liabilities:
            pro_rata = Decimal(pooled) / Decimal(liabilities)
            notes.append(f"the reserve is negative: every redemption is paid at about {pro_rata:.4%} of its claim")
        knocked_out = pool.seriesState(token).knockedOut or (int(token.totalSupply()) and int(pool.equityOf(token)) == 0)
        if knocked_out:
            notes.append(f"{name} is knocked out: redeeming burns the tokens for nothing")
        if (oracle := self._oracle_problem()) is not None:
            problems.append(f"the oracle price is unusable ({oracle}) → wait for the feed to update; orders need a "
                            "usable price")
        elif tokens and not knocked_out and payout <= exec_fee and not problems:
            problems.append(f"it pays {from_units(payout, self.asset_decimals)} {self.asset_symbol}, not more than the "
                            "execution fee: the order would be refunded → redeem more")
        return RedeemQuote(**base, problems=tuple(problems), notes=tuple(notes), symbol=name, token=str(token.address),
                           receiver=receiver, amount=tokens, execution_fee=exec_fee, min_delay=min_delay,
                           max_order_age=max_age, fee_rate=int(pool.seriesParams(token).redeemFee), payout=payout,
                           pro_rata=pro_rata, nav=int(pool.navOf(token)), expected_assets=expected,
                           min_assets=lower_bound(expected, slippage_bps))

    def quote_lp_deposit(self, amount: str | int | Decimal, slippage_bps: int = DEFAULT_SLIPPAGE_BPS,
                         receiver: str | None = None) -> LpDepositQuote:
        """Deposit `amount` of the asset into the reserve for LP shares."""
        assets = parse_amount(amount, self.asset_decimals, "amount")
        base = self._base("lp-deposit", slippage_bps)
        receiver = self._receiver(receiver)
        pool = self.pool
        problems = []
        if int(pool.maxDeposit(receiver)) < assets:
            problems.append("deposits are closed: the oracle price is unusable or the reserve is negative → wait, or "
                            "recapitalise the reserve with fundReserve (no shares)")
        shares = int(pool.previewDeposit(assets))
        if shares == 0 and not problems:
            problems.append("the amount buys no shares → use a larger amount")
        problems += self._funds_problems(assets)
        notes = (LP_BOUND_NOTE.format(what="deposit has no minimum-shares argument"),)
        one_share = int(pool.convertToAssets(10**self.share_decimals))
        share_value = from_units(one_share, self.asset_decimals)
        return LpDepositQuote(**base, problems=tuple(problems), notes=notes, receiver=receiver,
                              share_decimals=self.share_decimals, amount=assets,
                              expected_shares=shares, min_shares=lower_bound(shares, slippage_bps),
                              share_value=share_value)

    def quote_lp_withdraw(self, amount: str | int | Decimal | None, slippage_bps: int = DEFAULT_SLIPPAGE_BPS,
                          receiver: str | None = None) -> LpWithdrawQuote:
        """Withdraw `amount` of the asset (burning shares), or None: redeem every share the pool lets go now."""
        requested = None if amount is None else parse_amount(amount, self.asset_decimals, "amount")
        base = self._base("lp-withdraw", slippage_bps)
        receiver = self._receiver(receiver)
        pool, owner = self.pool, self.address
        max_withdraw = int(pool.maxWithdraw(owner))
        problems = []
        notes = [LP_BOUND_NOTE.format(what="withdraw/redeem have no bound argument")]
        if requested is None:
            shares = int(pool.maxRedeem(owner))
            held = int(pool.balanceOf(owner))
            assets = int(pool.previewRedeem(shares)) if shares else 0
            if held == 0:
                problems.append("you hold no LP shares → nothing to withdraw")
            elif shares == 0:
                problems.append("none of your shares can be redeemed now: the reserve is at its floor (or the oracle "
                                "is unusable) → wait for the reserve to grow")
            elif shares < held:
                notes.append(f"only {from_units(shares, self.share_decimals)} of your "
                             f"{from_units(held, self.share_decimals)} shares can be redeemed now (the "
                             "reserve must stay above its floor)")
            return LpWithdrawQuote(**base, problems=tuple(problems), notes=tuple(notes), receiver=receiver,
                                   share_decimals=self.share_decimals, by_shares=True, amount=shares, expected_assets=assets, expected_shares=shares,
                                   bound=lower_bound(assets, slippage_bps), max_withdraw=max_withdraw)
        assets = requested  # asset units
        if assets > max_withdraw:
            problems.append(f"you can withdraw at most {from_units(max_withdraw, self.asset_decimals)} "
                            f"{self.asset_symbol} now (your shares' value, capped so the reserve stays above its "
                            "floor) → withdraw less, or use all")
        shares = int(pool.previewWithdraw(assets))
        return LpWithdrawQuote(**base, problems=tuple(problems), notes=tuple(notes), receiver=receiver,
                               share_decimals=self.share_decimals, by_shares=False, amount=assets, expected_assets=assets, expected_shares=shares,
                               bound=upper_bound(shares, slippage_bps), max_withdraw=max_withdraw)

    def quote_approve(self, amount: str | int | Decimal | None, series: str | None = None) -> ApproveQuote:
        """Let the pool (LP deposits, the immediate entry points) or, with `series`, that series token (its mint
        orders escrow the assets) spend `amount` of the asset (None: unlimited; 0 revokes the allowance)."""
        units = MAX_UINT256 if amount is None else parse_amount(amount, self.asset_decimals, "amount", allow_zero=True)
        if series is None:
            spender, spender_name = self.pool, "the pool"
        else:
            name, spender = self.token(series)
            spender_name = name
        current = int(self.asset.allowance(self.address, spender.address))
        notes = (f"an unlimited approval lets {spender_name} pull any amount of your asset later",) \
            if units == MAX_UINT256 else ()
        return ApproveQuote(**self._base("approve", 0), problems=(), notes=notes, spender=str(spender.address),
                            spender_name=spender_name, amount=units, current=current)

    # ---------------------------------------------------------------- simulate and send

    def _call(self, quote: Quote) -> tuple[Any, str, tuple]:
        """(contract, method, arguments) of the transaction a quote describes, with its on-chain bound."""
        if isinstance(quote, MintQuote):
            return self.token(quote.symbol)[1], "requestMint", (quote.amount, quote.min_tokens, quote.receiver)
        if isinstance(quote, RedeemQuote):
            return self.token(quote.symbol)[1], "requestRedeem", (quote.amount, quote.min_assets, quote.receiver)
        if isinstance(quote, LpDepositQuote):
            return self.pool, "deposit", (quote.amount, quote.receiver)
        if isinstance(quote, LpWithdrawQuote):
            method = "redeem" if quote.by_shares else "withdraw"
            return self.pool, method, (quote.amount, quote.receiver, quote.account)
        if isinstance(quote, ApproveQuote):
            return self.asset, "approve", (quote.spender, quote.amount)
        raise TypeError(f"not a quote: {quote!r}")

    def simulate(self, quote: Quote) -> int:
        """The operation's result now. For an order: the token's preview again (tokens, or assets after the
        execution fee), after checking by ``eth_call`` that the request itself would not revert. Otherwise the
        call's result by ``eth_call`` from the account. Raises ``WalletError`` with the decoded reason if the
        call reverts."""
        contract, method, args = self._call(quote)
        try:
            (result,) = _eth_call(contract, method, args, sender=quote.account)
        except Web3ContractLogicError as err:
            raise WalletError(f"{quote.kind} would revert, nothing sent: {reverts.describe(err)}") from None
        if isinstance(quote, MintQuote):
            return int(contract.previewMint(quote.amount))
        if isinstance(quote, RedeemQuote):
            return max(int(contract.previewRedeem(quote.amount)) - quote.execution_fee, 0)
        return int(result)

    def _checked_send(self, quote: Quote):
        """Refuses, simulates, checks the bound, sends; returns the receipt."""
        if quote.account.lower() != self.address.lower():
            raise WalletError(f"the quote is for {quote.account}, not {self.address} → quote again with this account")
        if quote.problems:
            raise WalletError(f"{quote.kind} refused, nothing sent: " + "; ".join(quote.problems))
        if (receiver := getattr(quote, "receiver", None)) is not None:  # a quote built by hand: checked too
            check_address(receiver, "receiver", self.allow_lowercase)
        simulated = self.simulate(quote)
        if quote.breaks_bound(simulated):
            log.warning("refusing %s: simulated %s breaks the bound", quote.kind, simulated)
            raise SlippageRefused(quote, simulated)
        contract, method, args = self._call(quote)
        try:
            receipt = getattr(contract, method)(*args, sender=self.account)
        except Exception as err:
            found = reverts.from_exception(err)
            if found is None:
                raise
            raise WalletError(f"{quote.kind} reverted: {found.explain()}") from None
        log.debug("%s sent in %s", quote.kind, receipt.txn_hash)
        return receipt

    def execute(self, quote: Quote) -> TxResult:
        """An LP deposit or withdrawal, or an approval: refuses, simulates, checks the bound, sends (see the
        module's notes). Mint and redeem are orders: ``place`` and ``wait``."""
        if isinstance(quote, (MintQuote, RedeemQuote)):
            raise WalletError(f"{quote.kind} is an order → place(quote), then wait(placed)")
        return self._result(quote, self._checked_send(quote))

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

    def _result(self, quote: Quote, receipt) -> TxResult:
        common = {"kind": quote.kind, "txn_hash": str(receipt.txn_hash), "gas_used": int(receipt.gas_used),
                  "receipt": receipt}
        pool = self.pool
        if isinstance(quote, LpDepositQuote):
            ev = next(iter(receipt.events.filter(pool.Deposit)))
            return TxResult(**common, spent=int(ev.assets), received=int(ev.shares))
        if isinstance(quote, LpWithdrawQuote):
            ev = next(iter(receipt.events.filter(pool.Withdraw)))
            return TxResult(**common, spent=int(ev.shares), received=int(ev.assets))
        return TxResult(**common, spent=quote.amount, received=0)

    # ---------------------------------------------------------------- local helpers

    def faucet(self, amount: str | int | Decimal) -> TxResult:
        """Local chains only: mints `amount` of the mock settlement asset (MockERC20) to the account."""
        units = parse_amount(amount, self.asset_decimals, "amount")
        if not is_local_network(networks.provider.network_choice, chain.chain_id):
            raise WalletError(f"the faucet mints the mock asset of local chains; {networks.provider.network_choice} "
                              f"is not one → get {self.asset_symbol} the usual way for this network")
        mock = project.MockERC20.at(self.asset.address)
        try:
            receipt = mock.mint(self.address, units, sender=self.account)
        except Exception as err:  # noqa: BLE001 - not a mock: no public mint
            raise WalletError(f"the asset {self.asset.address} did not mint ({reverts.describe(err)}) → the faucet "
                              "works only with the MockERC20 that deploy puts on local chains") from None
        return TxResult(kind="faucet", txn_hash=str(receipt.txn_hash), gas_used=int(receipt.gas_used), spent=0,
                        received=units, receipt=receipt)

    # ---------------------------------------------------------------- status

    def status(self) -> PoolStatus:
        """Every series' NAV, leverage, band, next fallback and trigger, and the reserve's health."""
        pool = self.pool
        now = int(chain.blocks.head.timestamp)
        oracle_problem = self._oracle_problem()
        price = None if oracle_problem else int(pool.price())
        account = None if self.account is None else self.address
        series = []
        for symbol, token in self.deployment.tokens.items():
            params, state = pool.seriesParams(token), pool.seriesState(token)
            supply = int(token.totalSupply())
            equity = int(pool.equityOf(token))
            live = not state.knockedOut and (supply > 0 or equity > 0)
            next_fallback = state.lastRebalance + params.fallbackInterval if params.fallbackInterval and live else None
            series.append(SeriesStatus(
                symbol=symbol, address=str(token.address), side="long" if state.isLong else "short", supply=supply,
                nav=int(pool.navOf(token)), leverage=int(pool.leverageOf(token)),
                target_leverage=params.targetLeverage, min_leverage=params.minLeverage,
                max_leverage=params.maxLeverage, equity=equity, exposure=int(pool.exposureOf(token)),
                fallback_interval=params.fallbackInterval, last_rebalance=state.lastRebalance,
                next_fallback=next_fallback, trigger=TRIGGER_NAMES.get(pool.rebalanceStatusOf(token), "unknown"),
                knocked_out=state.knockedOut, mint_fee=params.mintFee, redeem_fee=params.redeemFee,
                streaming_fee=params.streamingFee, balance=None if account is None else int(token.balanceOf(account)),
            ))
        account_status = None
        if account is not None:
            shares = int(pool.balanceOf(account))
            account_status = AccountStatus(
                address=account, asset_balance=int(self.asset.balanceOf(account)),
                allowance=int(self.asset.allowance(account, pool.address)), lp_shares=shares,
                lp_value=int(pool.convertToAssets(shares)) if shares else 0, max_withdraw=int(pool.maxWithdraw(account)),
            )
        return PoolStatus(
            network=networks.provider.network_choice, pool=str(pool.address), timestamp=now,
            asset_symbol=self.asset_symbol, asset_decimals=self.asset_decimals, price=price,
            oracle_problem=oracle_problem, mark_price=int(pool.markPrice()), reserve=int(pool.reserve()),
            liabilities=int(pool.liabilities()), floor=int(pool.floor()), floor_ratio=int(pool.floorRatio()),
            floor_breached=bool(pool.floorBreached()), net_exposure=int(pool.netExposure()),
            pool_assets=int(pool.poolAssets()), lp_total_assets=int(pool.totalAssets()),
            lp_supply=int(pool.totalSupply()), paused=bool(pool.paused()), series=tuple(series),
            account=account_status,
        )

