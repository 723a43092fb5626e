"""`ape run wallet ...`: mint, redeem, orders, claim, lp-deposit, lp-withdraw, approve and status on a deployment.

Thin: `levtoken.wallet` quotes, checks, simulates and sends; this file parses arguments and renders with
rich. Every sending command shows its quote (expected output, fees, slippage bound; for the orders `mint`
and `redeem` also the execution fee and the `minDelay` wait) and asks before sending (`--yes` skips the
question); it refuses, sends nothing and exits 1 when the quote has a problem or when the simulated result
would break the bound. `mint` and `redeem` place an order and wait for its outcome (`--no-wait`: return
with the order id); a refund or a wait that times out exits 1. Addresses (EIP-55) and amounts (plain decimals) are
checked while the arguments are parsed, before connecting: a bad one is a usage error (exit 2), as is an
amount with more decimals than its token, found once the token is known. See docs/wallet.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import click
from ape.cli import account_option
from rich.console import Console
from rich.table import Table

from levtoken.cli_support import ConnectedCommand, setup_logging, user_errors
from levtoken.units import from_units, from_wad
from levtoken.wallet import (
    DEFAULT_POLL_SECONDS,
    DEFAULT_SLIPPAGE_BPS,
    DEFAULT_WAIT_SECONDS,
    MAX_UINT256,
    ApproveQuote,
    LpDepositQuote,
    LpWithdrawQuote,
    MintQuote,
    OrderOutcome,
    OrdersReport,
    PlacedOrder,
    PoolStatus,
    Quote,
    RedeemQuote,
    TxResult,
    Wallet,
    WalletInputError,
    check_address,
    check_amount,
    looks_like_address,
)

ALL = ("all", "max")
UNLIMITED = ("unlimited", "max")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _num(value: Decimal, places: int = 6) -> str:
    text = f"{value:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(wad: int) -> str:
    return f"{from_wad(wad) * 100:.3g}%"


def _x(wad: int) -> str:
    return f"{from_wad(wad):.3f}x"


# ----------------------------------------------------------------------------- rendering


def _quote_table(quote: Quote) -> Table:
    table = Table(title=f"{quote.kind} (account {quote.account})", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    a = quote.asset_symbol
    if isinstance(quote, MintQuote):
        table.add_row("pay", f"{_num(quote.assets(quote.amount))} {a}")
        table.add_row("execution fee", f"{_num(quote.assets(quote.execution_fee))} {a} (escrowed with the order)")
        table.add_row("mint fee", f"{_pct(quote.fee_rate)} (in the quote)")
        table.add_row("NAV now", f"{_num(from_wad(quote.nav))} {a} per {quote.symbol}")
        table.add_row("expected (previewMint)", f"{_num(from_wad(quote.expected_tokens), 8)} {quote.symbol}")
        table.add_row(f"at least ({quote.slippage_bps} bps)", f"{_num(from_wad(quote.min_tokens), 8)} {quote.symbol}")
        table.add_row("executes", _executes(quote.min_delay))
        table.add_row("receiver", quote.receiver)
    elif isinstance(quote, RedeemQuote):
        table.add_row("burn", f"{_num(from_wad(quote.amount), 8)} {quote.symbol}")
        table.add_row("NAV now", f"{_num(from_wad(quote.nav))} {a} per {quote.symbol}")
        table.add_row("redeem fee", f"{_pct(quote.fee_rate)} (in the quote)")
        if quote.pro_rata is not None:
            table.add_row("pro-rata factor", f"{quote.pro_rata:.6f} (reserve negative)")
        table.add_row("payout (previewRedeem)", f"{_num(quote.assets(quote.payout))} {a}")
        table.add_row("execution fee", f"{_num(quote.assets(quote.execution_fee))} {a} (out of the payout)")
        table.add_row("expected", f"{_num(quote.assets(quote.expected_assets))} {a}")
        table.add_row(f"at least ({quote.slippage_bps} bps)", f"{_num(quote.assets(quote.min_assets))} {a}")
        table.add_row("executes", _executes(quote.min_delay))
        table.add_row("receiver", quote.receiver)
    elif isinstance(quote, LpDepositQuote):
        table.add_row("deposit", f"{_num(quote.assets(quote.amount))} {a}")
        table.add_row("share value now", f"{_num(quote.share_value, 8)} {a}")
        table.add_row("expected", f"{_num(quote.shares(quote.expected_shares))} LP shares")
        table.add_row(f"at least ({quote.slippage_bps} bps)", f"{_num(quote.shares(quote.min_shares))} LP shares")
        table.add_row("receiver", quote.receiver)
    elif isinstance(quote, LpWithdrawQuote):
        table.add_row("your shares are worth", f"{_num(quote.assets(quote.max_withdraw))} {a}")
        table.add_row("redeem order", f"{_num(quote.shares(quote.amount))} LP shares")
        table.add_row("expected", f"{_num(quote.assets(quote.expected_assets))} {a}")
        table.add_row(f"at least ({quote.slippage_bps} bps)", f"{_num(quote.assets(quote.bound))} {a}")
        table.add_row("fills", "first-come up to the reserve's headroom; the rest waits in the queue")
        table.add_row("receiver", quote.receiver)
    elif isinstance(quote, ApproveQuote):
        table.add_row(f"spender ({quote.spender_name})", quote.spender)
        table.add_row("allowance now", _allowance(quote, quote.current))
        table.add_row("new allowance", _allowance(quote, quote.amount))
    return table


def _executes(min_delay: int) -> str:
    return f"at the first oracle round published more than {min_delay} s after the request (minDelay)"


def _allowance(quote: Quote, units: int) -> str:
    return "unlimited" if units == MAX_UINT256 else f"{_num(quote.assets(units))} {quote.asset_symbol}"


def _result_line(quote: Quote, result: TxResult) -> str:
    a = quote.asset_symbol
    if isinstance(quote, LpDepositQuote):
        got = f"deposited {_num(quote.assets(result.spent))} {a} for {_num(quote.shares(result.received))} LP shares"
    elif isinstance(quote, LpWithdrawQuote):
        got = f"withdrew {_num(quote.assets(result.received))} {a} for {_num(quote.shares(result.spent))} LP shares"
    else:
        got = f"allowance set to {_allowance(quote, result.spent)}"
    return f"[green]done[/]: {got} (tx {result.txn_hash}, gas {result.gas_used:,})"


def _show(quote: Quote, yes: bool) -> None:
    """Shows the quote, refuses on problems, asks."""
    console = _console()
    console.print(_quote_table(quote))
    for note in quote.notes:
        console.print(f"[yellow]note[/]: {note}")
    if quote.problems:
        for problem in quote.problems:
            console.print(f"[red]problem[/]: {problem}")
        raise click.ClickException(f"{quote.kind} refused, nothing sent ({len(quote.problems)} problem(s) above)")
    if not yes:
        click.confirm("Send this transaction?", abort=True)


def _send(wallet: Wallet, quote: Quote, yes: bool) -> None:
    """Shows the quote, refuses on problems, asks, then simulates and sends."""
    _show(quote, yes)
    result = wallet.execute(quote)
    _console().print(_result_line(quote, result))


def _order(wallet: Wallet, quote: MintQuote | RedeemQuote, yes: bool, wait: bool, timeout: float,
           keeper_only: bool) -> None:
    """Shows the quote, places the order and (unless `wait` is False) waits for its outcome."""
    _show(quote, yes)
    placed = wallet.place(quote)
    console = _console()
    due = _when(placed.due_at, placed.due_at).split(" (")[0]
    console.print(f"[green]placed[/]: {placed.kind} order #{placed.order_id} of {placed.symbol}, due {due} "
                  f"(tx {placed.txn_hash}, gas {placed.gas_used:,})")
    if not wait:
        console.print("not waiting: `ape run wallet orders` shows it until it executes")
        return
    console.print("waiting for the first oracle round after its due time"
                  + ("" if keeper_only else " (the wallet executes the batch itself if no keeper does)") + " ...")
    outcome = wallet.wait(placed, timeout=timeout, poll_interval=DEFAULT_POLL_SECONDS, execute=not keeper_only)
    console.print(_outcome_line(wallet, placed, outcome))
    if outcome.status != "executed":
        raise click.ClickException(f"{placed.kind} order #{placed.order_id} {outcome.status}")


def _outcome_line(wallet: Wallet, placed: PlacedOrder, outcome: OrderOutcome) -> str:
    a, d = wallet.asset_symbol, wallet.asset_decimals
    claim = (f"; {_num(from_units(outcome.claimable, d))} {a} could not be pushed and are claimable: "
             "`ape run wallet claim`") if outcome.claimable else ""
    if outcome.status == "executed":
        if placed.kind == "mint":
            got = f"minted {_num(from_wad(outcome.amount_out), 8)} {placed.symbol} for {_num(from_units(placed.amount, d))} {a}"
        else:
            got = (f"redeemed {_num(from_wad(placed.amount), 8)} {placed.symbol} for "
                   f"{_num(from_units(outcome.amount_out, d))} {a} after the execution fee")
        return f"[green]done[/]: {got} at oracle round {outcome.round_id} (tx {outcome.txn_hash}){claim}"
    if outcome.status == "refunded":
        return f"[red]refunded[/]: {placed.kind} order #{placed.order_id}: {outcome.reason} (tx {outcome.txn_hash}){claim}"
    return (f"[yellow]still pending[/]: {placed.kind} order #{placed.order_id} (no outcome before the timeout) → "
            "`ape run wallet orders` shows it; it executes at the first oracle round after its due time")


def _orders_table(wallet: Wallet, report: OrdersReport) -> Table:
    a, d = wallet.asset_symbol, wallet.asset_decimals
    table = Table(title=f"pending orders of {report.account}", title_justify="left")
    for column in ("series", "kind", "id", "amount", "bound", "execution fee", "due", "status"):
        table.add_column(column)
    for o in report.orders:
        if o.kind == "mint":
            amount, bound = f"{_num(from_units(o.amount, d))} {a}", f">= {_num(from_wad(o.min_out), 8)} {o.symbol}"
        else:
            amount, bound = f"{_num(from_wad(o.amount), 8)} {o.symbol}", f">= {_num(from_units(o.min_out, d))} {a}"
        table.add_row(o.symbol, o.kind, str(o.order_id), amount, bound, _num(from_units(o.execution_fee, d)),
                      _when(o.due_at, report.timestamp), o.status)
    return table


def _when(timestamp: int | None, now: int) -> str:
    if timestamp is None:
        return "-"
    at = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    left = timestamp - now
    if left <= 0:
        return f"{at} (due)"
    hours, minutes = divmod(left // 60, 60)
    return f"{at} (in {hours}h {minutes:02d}m)"


def _status_tables(s: PoolStatus) -> list[Table]:
    a, d = s.asset_symbol, s.asset_decimals
    pool = Table(title=f"pool {s.pool} on {s.network}", show_header=False, title_justify="left")
    pool.add_column("what", style="bold")
    pool.add_column("value")
    price = f"{_num(from_wad(s.price), 4)} {a}" if s.price is not None else f"[red]unusable[/] ({s.oracle_problem})"
    pool.add_row("oracle price", price)
    if s.price is None:
        pool.add_row("mark price (views)", f"{_num(from_wad(s.mark_price), 4)} {a}")
    pool.add_row("reserve", f"{_num(from_wad(s.reserve), 2)} {a}")
    pool.add_row("liabilities", f"{_num(from_wad(s.liabilities), 2)} {a}")
    pool.add_row("floor", f"{_num(from_wad(s.floor), 2)} {a} ({_pct(s.floor_ratio)} of liabilities)")
    pool.add_row("coverage", "- (no liabilities)" if s.coverage is None else f"{s.coverage:.2%}")
    colour = "green" if s.health == "healthy" else "red"
    pool.add_row("health", f"[{colour}]{s.health}[/]" + (" (paused)" if s.paused else ""))
    pool.add_row("net exposure", f"{_num(from_wad(s.net_exposure), 4)} units of the underlying")
    pool.add_row("utilization", "-" if s.utilization is None else f"{s.utilization:.2%}")
    pool.add_row("LP capital", f"{_num(from_units(s.lp_total_assets, d), 2)} {a}")
    if s.account is not None:
        acc = s.account
        pool.add_row("account", acc.address)
        pool.add_row(f"  {a} balance", _num(from_units(acc.asset_balance, d)))
        pool.add_row("  allowance to pool", "unlimited" if acc.allowance == MAX_UINT256 else
                     _num(from_units(acc.allowance, d)))
        pool.add_row("  LP value", f"{_num(from_units(acc.lp_value, d))} {a} (withdrawable now "
                                   f"{_num(from_units(acc.max_withdraw, d))})")

    series = Table(title=f"series at {_when(s.timestamp, s.timestamp).split(' (')[0]}", title_justify="left")
    series.add_column("", style="bold")
    for x in s.series:
        series.add_column(x.symbol, justify="right")
    rows: dict[str, list[str]] = {key: [] for key in (
        "side", "NAV", "leverage", "target", "band", "next fallback", "rebalance", "supply", "equity",
        "fees mint/redeem/year")}
    if s.account is not None:
        rows["your balance"] = []
    for x in s.series:
        if x.knocked_out:
            trigger = "[red]knocked out[/]"
        elif x.trigger == "none":
            trigger = "none"
        else:
            trigger = f"[yellow]{x.trigger} (due now)[/]"
        rows["side"].append(x.side)
        rows["NAV"].append(f"{_num(from_wad(x.nav), 4)} {a}")
        rows["leverage"].append(_x(x.leverage))
        rows["target"].append(_x(x.target_leverage))
        rows["band"].append(f"{_x(x.min_leverage) if x.min_leverage else 'off'} - {_x(x.max_leverage)}")
        rows["next fallback"].append("off" if x.fallback_interval == 0 else _when(x.next_fallback, s.timestamp))
        rows["rebalance"].append(trigger)
        rows["supply"].append(_num(from_wad(x.supply), 4))
        rows["equity"].append(f"{_num(from_wad(x.equity), 2)} {a}")
        rows["fees mint/redeem/year"].append(f"{_pct(x.mint_fee)} / {_pct(x.redeem_fee)} / {_pct(x.streaming_fee)}")
        if s.account is not None:
            rows["your balance"].append(_num(from_wad(x.balance or 0), 6))
    for key, values in rows.items():
        series.add_row(key, *values)
    return [pool, series]


# ----------------------------------------------------------------------------- commands

_slippage = click.option("--slippage-bps", type=click.IntRange(0, 10_000), default=DEFAULT_SLIPPAGE_BPS,
                         show_default=True, help="accepted worsening of the result, in basis points (50 = 0.5%)")
_yes = click.option("--yes", "-y", is_flag=True, help="send without asking")
_deployments = click.option("--deployments", type=click.Path(file_okay=False, path_type=Path), default="deployments",
                            show_default=True, help="directory of the deployment manifests")


def _checked(check: Callable[[click.Context, str], object]) -> Callable:
    """A click callback running a `levtoken.wallet` input check while the arguments are parsed, before any
    connection: a ``WalletInputError`` becomes click's usage error for that parameter (exit status 2)."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None:
            try:
                check(ctx, value)
            except WalletInputError as err:
                raise click.BadParameter(f"{err.value!r} {err.rule} → {err.fix}", ctx=ctx, param=param) from None
        return value

    return callback


def _lowercase_ok(ctx: click.Context) -> bool:
    return bool(ctx.params.get("allow_lowercase"))  # --allow-lowercase is eager: parsed before the rest


def _amount(keywords: tuple[str, ...] = (), allow_zero: bool = False) -> Callable:
    return click.argument("amount", callback=_checked(
        lambda ctx, value: value.lower() in keywords or check_amount(value, "amount", allow_zero)))


def _keyword(amount: str, keywords: tuple[str, ...]) -> str | None:
    """None for a keyword amount (`all`, `unlimited`), else the amount as typed."""
    return None if amount.lower() in keywords else amount


_symbol = click.argument("symbol", callback=_checked(
    lambda ctx, value: looks_like_address(value) and check_address(value, "symbol", _lowercase_ok(ctx))))
_receiver = click.option("--receiver", default=None, callback=_checked(
    lambda ctx, value: check_address(value, "receiver", _lowercase_ok(ctx))),
    help="who receives the output (default: the account); must pass its EIP-55 checksum")
_allow_lowercase = click.option("--allow-lowercase", is_flag=True, is_eager=True,
                                help="accept addresses without an EIP-55 checksum (all lowercase or all uppercase)")


def _order_options(fn: Callable) -> Callable:
    """The waiting options of the orders `mint` and `redeem`."""
    for decorate in reversed((
        click.option("--no-wait", "no_wait", is_flag=True, help="return once the order is placed (prints its id)"),
        click.option("--timeout", type=click.FloatRange(0), default=DEFAULT_WAIT_SECONDS, show_default=True,
                     help="seconds to wait for the order's outcome"),
        click.option("--keeper-only", is_flag=True, help="wait for a keeper to execute the order (by default the "
                     "wallet executes its batch itself once an oracle round prices it)"),
    )):
        fn = decorate(fn)
    return fn


def _trade_options(fn: Callable) -> Callable:
    """The options of mint, redeem, lp-deposit and lp-withdraw; user errors shown without a traceback."""
    for decorate in reversed((_receiver, _allow_lowercase, _slippage, _yes, _deployments, account_option(),
                              user_errors)):
        fn = decorate(fn)
    return fn


@click.group(help="Mint, redeem and provide liquidity on a levtoken deployment (the manifest of --network).")
def cli() -> None:
    setup_logging()


@cli.command(cls=ConnectedCommand, short_help="mint series tokens for the settlement asset (an order)")
@_symbol
@_amount()
@_trade_options
@_order_options
def mint(symbol: str, amount: str, receiver: str | None, allow_lowercase: bool, slippage_bps: int, yes: bool,
         deployments: Path, account, no_wait: bool, timeout: float, keeper_only: bool) -> None:
    """Place a mint order of SYMBOL tokens (a symbol, or the token's address) for AMOUNT of the settlement asset
    (e.g. `mint ETH3L 1000`) and wait until it is executed or refunded."""
    wallet = Wallet.open(account, deployments, allow_lowercase)
    _order(wallet, wallet.quote_mint(symbol, amount, slippage_bps, receiver), yes, not no_wait, timeout, keeper_only)


@cli.command(cls=ConnectedCommand, short_help="redeem series tokens for the settlement asset (an order)")
@_symbol
@_amount(ALL)
@_trade_options
@_order_options
def redeem(symbol: str, amount: str, receiver: str | None, allow_lowercase: bool, slippage_bps: int, yes: bool,
           deployments: Path, account, no_wait: bool, timeout: float, keeper_only: bool) -> None:
    """Place a redeem order of AMOUNT of SYMBOL tokens (or `all`) and wait until it is executed or refunded."""
    wallet = Wallet.open(account, deployments, allow_lowercase)
    _order(wallet, wallet.quote_redeem(symbol, _keyword(amount, ALL), slippage_bps, receiver), yes, not no_wait,
           timeout, keeper_only)


@cli.command(cls=ConnectedCommand, short_help="the account's pending orders and claimable balances")
@_deployments
@account_option()
@user_errors
def orders(deployments: Path, account) -> None:
    """The account's pending mint and redeem orders (kind, id, amount, bound, due time, status) in every series,
    and what it may claim."""
    wallet = Wallet.open(account, deployments)
    report = wallet.pending_orders()
    console = _console()
    if report.orders:
        console.print(_orders_table(wallet, report))
    else:
        console.print(f"no pending orders for {report.account}")
    for symbol, owed in report.claimable.items():
        console.print(f"claimable from {symbol}: {_num(from_units(owed, wallet.asset_decimals))} "
                      f"{wallet.asset_symbol} → `ape run wallet claim {symbol}`")


@cli.command(cls=ConnectedCommand, short_help="collect claimable assets (pushes that failed)")
@click.argument("symbol", required=False, callback=_checked(
    lambda ctx, value: looks_like_address(value) and check_address(value, "symbol")))
@_deployments
@account_option()
@user_errors
def claim(symbol: str | None, deployments: Path, account) -> None:
    """Collect the account's claimable settlement asset from SYMBOL's token (default: every series)."""
    wallet = Wallet.open(account, deployments)
    for result in wallet.claim(symbol):
        _console().print(f"[green]done[/]: {result.kind}: {_num(from_units(result.received, wallet.asset_decimals))} "
                         f"{wallet.asset_symbol} (tx {result.txn_hash})")


@cli.command("lp-deposit", cls=ConnectedCommand, short_help="deposit the settlement asset into the reserve")
@_amount()
@_trade_options
def lp_deposit(amount: str, receiver: str | None, allow_lowercase: bool, slippage_bps: int, yes: bool,
               deployments: Path, account) -> None:
    """Deposit AMOUNT of the settlement asset into the reserve pool for LP shares."""
    wallet = Wallet.open(account, deployments, allow_lowercase)
    _send(wallet, wallet.quote_lp_deposit(amount, slippage_bps, receiver), yes)


@cli.command("lp-withdraw", cls=ConnectedCommand, short_help="withdraw the settlement asset from the reserve")
@_amount(ALL)
@_trade_options
def lp_withdraw(amount: str, receiver: str | None, allow_lowercase: bool, slippage_bps: int, yes: bool,
                deployments: Path, account) -> None:
    """Withdraw AMOUNT of the settlement asset (or `all`: every share the floor lets go now)."""
    wallet = Wallet.open(account, deployments, allow_lowercase)
    _send(wallet, wallet.quote_lp_withdraw(_keyword(amount, ALL), slippage_bps, receiver), yes)


@cli.command(cls=ConnectedCommand, short_help="let the pool (or a series token) spend the settlement asset")
@_amount(UNLIMITED, allow_zero=True)
@click.option("--series", default=None, callback=_checked(
    lambda ctx, value: looks_like_address(value) and check_address(value, "series")),
    help="approve this series token instead of the pool (its mint orders escrow the asset)")
@_yes
@_deployments
@account_option()
@user_errors
def approve(amount: str, series: str | None, yes: bool, deployments: Path, account) -> None:
    """Approve the pool (LP deposits) or, with --series, a series token (its mint orders) to spend AMOUNT of the
    settlement asset (or `unlimited`; 0 revokes the allowance)."""
    wallet = Wallet.open(account, deployments)
    _send(wallet, wallet.quote_approve(_keyword(amount, UNLIMITED), series), yes)


@cli.command(cls=ConnectedCommand, short_help="NAV, leverage, band, next fallback and reserve health")
@_deployments
@account_option(prompt=False)
@user_errors
def status(deployments: Path, account) -> None:
    """Every series' NAV, leverage, band, target, next fallback and rebalance trigger, and the reserve's
    health (reserve, liabilities, floor, coverage); with --account, its balances too."""
    console = _console()
    for table in _status_tables(Wallet.open(account, deployments).status()):
        console.print(table)


@cli.command(cls=ConnectedCommand, short_help="local chains: mint the mock settlement asset to the account")
@_amount()
@_deployments
@account_option()
@user_errors
def faucet(amount: str, deployments: Path, account) -> None:
    """Mint AMOUNT of the mock settlement asset to the account (local chains only)."""
    wallet = Wallet.open(account, deployments)
    result = wallet.faucet(amount)
    _console().print(f"[green]done[/]: minted {_num(from_units(result.received, wallet.asset_decimals))} "
                     f"{wallet.asset_symbol} to {wallet.address} (tx {result.txn_hash})")
