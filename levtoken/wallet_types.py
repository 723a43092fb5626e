"""The wallet's frozen dataclasses: quotes (`MintQuote`, `RedeemQuote`, `LpDepositQuote`, `LpWithdrawQuote`,
`ApproveQuote`), results (`TxResult`, `PlacedOrder`, `OrderOutcome`), pending orders (`PendingOrder`,
`OrdersReport`) and the status report (`PoolStatus`, `SeriesStatus`, `AccountStatus`). Raw integers: asset
units, 18-decimal tokens, WAD values. Part of ``levtoken.wallet`` (which re-exports every name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from levtoken.units import WAD, from_units, from_wad
from levtoken.wallet_inputs import WalletError

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
    by_shares: bool  # True: all the account's shares; False: the shares worth `amount` of the asset (rounded up)
    amount: int  # shares the redeem order escrows
    expected_assets: int
    expected_shares: int
    bound: int  # minAssets of the order (the pool checks it at execution, pro rata for a partial fill)
    max_withdraw: int  # asset units the account's shares are worth now

    def shares(self, units: int) -> Decimal:
        return from_units(units, self.share_decimals)

    def breaks_bound(self, simulated: int) -> bool:
        return simulated < self.bound

    def refusal(self, simulated: int) -> str:
        return (f"LP withdrawal refused, nothing sent: the shares are worth {self.assets(simulated)} "
                f"{self.asset_symbol}, below the bound {self.assets(self.bound)} (quoted "
                f"{self.assets(self.expected_assets)}): the reserve moved → quote again, or raise --slippage-bps")


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


class SlippageRefused(WalletError):
    """The simulated result breaks the quote's bound; nothing was sent."""

    def __init__(self, quote: Quote, simulated: int):
        self.quote, self.simulated = quote, simulated
        super().__init__(quote.refusal(simulated))
