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
subtracts) and the pool's ``convertToShares`` / ``convertToAssets`` for the LP orders (ERC-7540 has no
previews: they revert).
The wallet derives no price itself. Bounds: ``min = floor(expected*(10000 - slippage_bps)/10000)``; for a
withdrawal by assets, ``max shares = ceil(shares*(10000 + slippage_bps)/10000)``.

Inputs are strict, and each quote checks them before it reads the chain (so before anything is sent):
every address must pass EIP-55 (an all-lowercase or all-uppercase one only with ``allow_lowercase``), every
amount is a plain decimal with at most the token's decimals (``levtoken.units.parse_decimal``). A bad one raises
``WalletInputError`` naming the field and the rule. ``check_address`` and ``check_amount`` need no chain
(the script runs them while parsing its arguments, before connecting).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from ape import chain, networks, project
from eth_abi import decode as abi_decode
from web3.exceptions import ContractLogicError as Web3ContractLogicError

from levtoken import reverts
from levtoken.accounts import UnsafeAccountError, check_account
from levtoken.config import is_local_network
from levtoken.deployment import DEFAULT_MANIFEST_DIR, Deployment, attach
from levtoken.model.libraries.series import LOCKED_SUPPLY, MIN_BALANCE
from levtoken.units import MAX_UINT256, from_units, from_wad
from levtoken.wallet_inputs import (  # noqa: F401  (re-exported: levtoken.wallet is the public module)
    BPS,
    WalletError,
    WalletInputError,
    check_address,
    check_amount,
    looks_like_address,
    lower_bound,
    parse_amount,
    upper_bound,
)
from levtoken.wallet_orders import (  # noqa: F401
    DEFAULT_POLL_SECONDS,
    DEFAULT_WAIT_SECONDS,
    KIND_NAMES,
    MINT,
    REDEEM,
    REFUND_REASONS,
    OrderActions,
)
from levtoken.wallet_types import (  # noqa: F401
    AccountStatus,
    ApproveQuote,
    LpDepositQuote,
    LpWithdrawQuote,
    MintQuote,
    OrderOutcome,
    OrdersReport,
    PendingOrder,
    PlacedOrder,
    PoolStatus,
    Quote,
    RedeemQuote,
    SeriesStatus,
    SlippageRefused,
    TxResult,
)

log = logging.getLogger(__name__)

DEFAULT_SLIPPAGE_BPS = 50
TRIGGER_NAMES = {0: "none", 1: "drift", 2: "fallback", 3: "scheduled", 4: "knock-out"}
LP_ORDER_NOTE = ("an LP order (ERC-7540): it executes at the first oracle round after minDelay, with the bound "
                 "checked there by the pool; a withdrawal fills up to the reserve's headroom and the rest waits")


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


# ----------------------------------------------------------------------------- the wallet


class Wallet(OrderActions):
    """Operations of one account (or none, for `status`) on one deployment (the order actions: `OrderActions`)."""

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
        """Deposit `amount` of the asset into the reserve for LP shares: an order (ERC-7540 `requestDeposit`)
        executed at the first oracle round after `minDelay`, then claimed to `receiver`. The quote is the pool's
        `convertToShares` now; the bound (`minShares`) goes into the request."""
        assets = parse_amount(amount, self.asset_decimals, "amount")
        base = self._base("lp-deposit", slippage_bps)
        receiver = self._receiver(receiver)
        pool = self.pool
        problems = []
        if int(pool.reserve()) < 0:
            problems.append("the reserve is negative: a deposit order would be refunded (Deficit) → wait, or "
                            "recapitalise the reserve with fundReserve (no shares)")
        shares = int(pool.convertToShares(assets))
        if shares == 0 and not problems:
            problems.append("the amount buys no shares → use a larger amount")
        problems += self._funds_problems(assets)
        notes = (LP_ORDER_NOTE,)
        one_share = int(pool.convertToAssets(10**self.share_decimals))
        share_value = from_units(one_share, self.asset_decimals)
        return LpDepositQuote(**base, problems=tuple(problems), notes=notes, receiver=receiver,
                              share_decimals=self.share_decimals, amount=assets,
                              expected_shares=shares, min_shares=lower_bound(shares, slippage_bps),
                              share_value=share_value)

    def quote_lp_withdraw(self, amount: str | int | Decimal | None, slippage_bps: int = DEFAULT_SLIPPAGE_BPS,
                          receiver: str | None = None) -> LpWithdrawQuote:
        """Withdraw `amount` of the asset (or None: all the account's shares): an order (ERC-7540
        `requestRedeem` of the shares worth it, rounded up, bound `minAssets`), filled first-come up to the
        reserve's headroom at the first oracle round after `minDelay` (the rest waits in the queue), then the
        filled assets are claimed to `receiver`."""
        requested = None if amount is None else parse_amount(amount, self.asset_decimals, "amount")
        base = self._base("lp-withdraw", slippage_bps)
        receiver = self._receiver(receiver)
        pool, owner = self.pool, self.address
        held = int(pool.balanceOf(owner))
        worth = int(pool.convertToAssets(held)) if held else 0
        problems = []
        notes = [LP_ORDER_NOTE]
        if requested is None:
            shares = held
            if held == 0:
                problems.append("you hold no LP shares → nothing to withdraw")
        else:
            shares = int(pool.convertToShares(requested))
            if shares < held and int(pool.convertToAssets(shares)) < requested:
                shares += 1  # the shares worth at least the amount (the pool's own conversion, rounded up)
            if requested > worth:
                problems.append(f"you can withdraw at most {from_units(worth, self.asset_decimals)} "
                                f"{self.asset_symbol} (your shares' value) → withdraw less, or use all")
        assets = int(pool.convertToAssets(shares)) if shares else 0
        return LpWithdrawQuote(**base, problems=tuple(problems), notes=tuple(notes), receiver=receiver,
                               share_decimals=self.share_decimals, by_shares=requested is None, amount=shares,
                               expected_assets=assets, expected_shares=shares,
                               bound=lower_bound(assets, slippage_bps), max_withdraw=worth)

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
        if isinstance(quote, LpDepositQuote):  # the account is owner and controller; it claims to the receiver
            return self.pool, "requestDeposit", (quote.amount, quote.account, quote.account, quote.min_shares)
        if isinstance(quote, LpWithdrawQuote):
            return self.pool, "requestRedeem", (quote.amount, quote.account, quote.account, quote.bound)
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
        if isinstance(quote, LpDepositQuote):
            return int(self.pool.convertToShares(quote.amount))
        if isinstance(quote, LpWithdrawQuote):
            return int(self.pool.convertToAssets(quote.amount))
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
        receipt = self._checked_send(quote)
        if isinstance(quote, (LpDepositQuote, LpWithdrawQuote)):
            return self.lp_wait_and_claim(quote, receipt)
        return self._result(quote, receipt)

    def _result(self, quote: Quote, receipt) -> TxResult:
        common = {"kind": quote.kind, "txn_hash": str(receipt.txn_hash), "gas_used": int(receipt.gas_used),
                  "receipt": receipt}
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

