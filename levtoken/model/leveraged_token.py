"""`LeveragedToken.sol`: the entry points of each series token. Each forwards to the pool with the caller's
address and its own total supply, and mints or burns only inside those calls, for the amounts the pool
priced; its ERC-20 ledger is the series' `ledger` (OpenZeppelin `ERC20`, `oz.erc20.Ledger`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ContractError, OnlySeries, OrdersDue, ResidualTooSmall, ZeroAddress, ZeroAmount
from .base.series_orders import SeriesOrdersCalls
from .evm import tx
from .libraries.series import LOCK_ADDRESS, LOCKED_SUPPLY, MIN_BALANCE, State
from .oz.erc20 import ZERO_ADDRESS
from .pool_orders import OrderIn
from .solidity import abi_uint


class LeveragedTokenCalls(SeriesOrdersCalls):
    """Transactions to and views of the series tokens, by token address; the pool (`PoolModel`) provides
    `_position`, `_execute_orders` (the orders module) and `_rebalance`."""

    _position: dict[str, State]
    _retired: dict[str, State]  # retired series: their tokens still exist (ERC-20 only; the pool refuses them)

    if TYPE_CHECKING:  # provided by the pool (declared here for type checkers only: a sibling mixin
        # must not shadow them at run time)
        def _execute_orders(self, token: str, s: State, price: int, prev_at: int, supply: int,
                            mints: list[OrderIn], redeems: list[OrderIn], direct: bool) -> tuple[list[int], int, int]: ...

        def _rebalance(self, token: str, s: State, keeper: str, supply: int) -> int: ...

        def _preview_order(self, token: str, s: State, supply: int, is_mint: bool, amount: int) -> int: ...

        def _series_of(self, token: str) -> State: ...

    def _token(self, token: str) -> State:
        """The series of the token contract at `token`. Not a contract error: there is no such contract
        (the pool's `OnlySeries` cannot be reached through a series token)."""
        s = self._position.get(token) or self._retired.get(token)
        if s is None:
            raise ValueError(f"{token} is not a series token of this pool")
        return s

    def _pool_series(self, token: str) -> None:
        """The pool's `_callerSeries` for a call from the token: `OnlySeries` once the series is retired."""
        if token not in self._position:
            raise OnlySeries(token)

    @tx
    def mint(self, sender: str, token: str, assets: int, min_tokens: int, receiver: str) -> int:
        """`LeveragedToken.mint(assets, minTokens, receiver)` sent by `sender`: an immediate batch of one at the
        latest price (`executeOrders(0, 0, supply, [order], [], true)`), then the token mints what it returned (a
        first mint also locks `LOCKED_SUPPLY` at `LOCK_ADDRESS`). Returns the tokens."""
        s = self._token(token)
        if abi_uint(assets) == 0:
            raise ZeroAmount()
        if receiver == ZERO_ADDRESS:
            raise ZeroAddress()
        abi_uint(min_tokens)
        self._require_no_due_orders(s)
        supply = s.ledger.total_supply
        self._pool_series(token)
        outs, _, _ = self._execute_orders(token, s, 0, 0, supply, [OrderIn(sender, receiver, assets, min_tokens)],
                                          [], True)
        tokens = outs[0]
        if supply == 0:
            s.ledger.mint(LOCK_ADDRESS, LOCKED_SUPPLY)
        s.ledger.mint(receiver, tokens)
        return tokens

    @tx
    def redeem(self, sender: str, token: str, tokens: int, min_assets: int, receiver: str) -> int:
        """`LeveragedToken.redeem(tokens, minAssets, receiver)` sent by `sender`: burns first
        (`ResidualTooSmall` for a remainder below `MIN_BALANCE`), then an immediate batch of one. Returns the
        assets paid."""
        s = self._token(token)
        ledger = s.ledger
        supply = ledger.total_supply
        ledger.burn(sender, abi_uint(tokens))
        self._check_residual(s, sender)
        if tokens == 0:
            raise ZeroAmount()
        if receiver == ZERO_ADDRESS:
            raise ZeroAddress()
        abi_uint(min_assets)
        self._require_no_due_orders(s)
        self._pool_series(token)
        outs, _, _ = self._execute_orders(token, s, 0, 0, supply, [],
                                          [OrderIn(sender, receiver, tokens, min_assets)], True)
        return outs[0]

    def token_preview_mint(self, token: str, assets: int) -> int:
        """`LeveragedToken.previewMint(assets)`: 0 below the minimum mint order, else the pool's quote
        (`previewOrder`) for a mint order alone in a batch at the latest price. Never raises."""
        s = self._token(token)
        if abi_uint(assets) == 0 or assets < s.book.params.min_mint_assets:
            return 0
        return self._preview(token, s, True, assets)

    def token_preview_redeem(self, token: str, tokens: int) -> int:
        """`LeveragedToken.previewRedeem(tokens)`: the pool's quote for a redeem order alone in a batch at the
        latest price, before the order's execution fee. Never raises."""
        s = self._token(token)
        if abi_uint(tokens) == 0:
            return 0
        return self._preview(token, s, False, tokens)

    def _preview(self, token: str, s: State, is_mint: bool, amount: int) -> int:
        """`_preview`: the pool's `previewOrder`; 0 where it would revert (a retired series: `OnlySeries`)."""
        if token not in self._position:
            return 0
        try:
            return self._preview_order(token, s, s.ledger.total_supply, is_mint, amount)
        except ContractError:
            return 0

    def _require_no_due_orders(self, s: State) -> None:
        """`_requireNoDueOrders`: the immediate entry points settle at the latest round."""
        if s.book.due_by(self.oracle.latest_round_data()[3]):
            raise OrdersDue()

    def _check_residual(self, s: State, account: str) -> None:
        """`_checkResidual`: `ResidualTooSmall` if `account` keeps more than 0 and less than `MIN_BALANCE`."""
        remaining = s.ledger.balance_of(account)
        if remaining != 0 and remaining < MIN_BALANCE:
            raise ResidualTooSmall(remaining, MIN_BALANCE)

    @tx
    def rebalance(self, sender: str, token: str) -> int:
        """`LeveragedToken.rebalance()` sent by `sender` (the keeper): the pool's `rebalanceFor`; returns
        the trigger (`Trigger`)."""
        s = self._token(token)
        self._pool_series(token)
        return self._rebalance(token, s, sender, s.ledger.total_supply)

    @tx
    def token_transfer(self, sender: str, token: str, to: str, amount: int) -> None:
        """`LeveragedToken.transfer(to, amount)` sent by `sender`."""
        self._token(token).ledger.transfer(sender, to, abi_uint(amount))

    @tx
    def token_approve(self, sender: str, token: str, spender: str, amount: int) -> None:
        """`LeveragedToken.approve(spender, amount)` sent by `sender`."""
        self._token(token).ledger.approve(sender, spender, abi_uint(amount))

    @tx
    def token_transfer_from(self, sender: str, token: str, from_: str, to: str, amount: int) -> None:
        """`LeveragedToken.transferFrom(from_, to, amount)` sent by `sender`."""
        self._token(token).ledger.transfer_from(sender, from_, to, abi_uint(amount))

    def token_balance_of(self, token: str, account: str) -> int:
        return self._token(token).ledger.balance_of(account)

    def token_total_supply(self, token: str) -> int:
        return self._token(token).ledger.total_supply

    def token_allowance(self, token: str, owner: str, spender: str) -> int:
        return self._token(token).ledger.allowance(owner, spender)

    def target_leverage_of(self, token: str) -> int:
        """`LeveragedToken.targetLeverage()` (the pool's `seriesParams(token).targetLeverage`)."""
        return self._series_of(token).target_leverage
