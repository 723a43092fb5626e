"""`periphery/PoolLens.sol`: every externally visible number of the pool, its series and a set of accounts
in one call, in the contract's layout (`levtoken.lens.LensLayout`), as `PoolModel.lens(accounts)`.

A view that raises a `ContractError` leaves 0 in its place and sets its bit in `failed`, as the contract's
staticcalls do. The usual case (no view raises) is computed in one pass over the model's state; if anything
raises, the snapshot is taken again view by view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..errors import ContractError
from ..interfaces import NONE
from ..libraries.series import equity_now, state
from ..libraries.series_math import WAD, leverage
from ..oz.erc20 import ZERO_ADDRESS
from ..oz.math import mul_div
from ..oz.safe_cast import to_int256
from ..solidity import TWO_256, UINT256_MAX

if TYPE_CHECKING:
    from ..pool import PoolModel


class PoolLens:
    """`PoolLens.snapshot(pool, accounts)` on the pool it is mixed into."""

    def lens(self: PoolModel, accounts: Sequence[str]) -> tuple[list[int], int]:
        """`PoolLens.snapshot(pool, accounts)`: (values, failed), signed values as two's complement."""
        try:
            return self._lens_fast(accounts)
        except ContractError:
            return self._lens_slow(accounts)

    def _lens_fast(self: PoolModel, accounts: Sequence[str]) -> tuple[list[int], int]:
        book = self._book
        now = self.now
        status, p = self._try_price()
        ok = status == 0
        vp = p if ok else 0
        equities = [equity_now(s, vp, now) for s in book]
        total = self._liabilities(vp)
        scale = self._scale
        pooled = self.pool_assets
        r = to_int256(pooled * scale) - to_int256(total)
        fl = self._floor_of(total)
        net = self._net_exposure(vp)
        mark = vp or self.mark_price()
        total_assets = r // scale if r > 0 else 0
        lp = self.lp
        lp_supply = lp.total_supply
        statuses = [self._status(s, p, e) for s, e in zip(book, equities)] if ok else [NONE] * len(book)
        needed, bitmap, health_due, _, _ = self.check_upkeep_data()
        accounts_ = self._lp_accounts
        first = accounts_.get(accounts[0] if accounts else ZERO_ADDRESS)
        asset_balances = self.asset.balances
        values = [
            pooled, r % TWO_256, total, net % TWO_256, fl, mark, total_assets, lp_supply,
            int(self.floor_breached), self.last_health_report, asset_balances.get(self.address, 0),
            int(needed), bitmap, int(health_due), first.claimableDepositAssets if first else 0, now,
        ]
        lp_balances = lp.balances
        append = values.append
        for a in accounts:
            claims = accounts_.get(a)
            append(asset_balances.get(a, 0))
            append(lp_balances.get(a, 0))
            append(claims.claimableRedeemAssets if claims else 0)  # maxWithdraw: claimable redeem assets
            append(claims.claimableRedeemShares if claims else 0)  # maxRedeem: claimable redeem shares
        for s, e, st in zip(book, equities, statuses):
            ledger = s.ledger
            supply = ledger.total_supply
            x = s.exposure
            values += (
                supply, e, x if e else 0,
                s.initial_nav if supply == 0 else mul_div(e, WAD, supply),
                leverage(x, vp or s.mark_price, e), st,
                s.equity, x, s.mark_price, s.settled_at, s.last_rebalance, int(s.knocked_out), int(s.is_long),
                self.token_preview_mint(s.token, pooled // 64), self.token_preview_mint(s.token, pooled // 4),
                self.token_preview_redeem(s.token, supply // 2),
            )
            balances = ledger.balances
            values += [balances.get(a, 0) for a in accounts]
        return values, 0

    def _lens_slow(self: PoolModel, accounts: Sequence[str]) -> tuple[list[int], int]:
        """The lens view by view, each failure recorded in `failed` (as the contract's staticcalls)."""
        values: list[int] = []
        failed = 0
        call = 0

        def read(fn: Callable[[], int], width: int = 1) -> None:
            nonlocal failed, call
            try:
                v = fn()
            except ContractError:
                failed |= (1 << call) & UINT256_MAX
                values.extend([0] * width)
            else:
                if width == 1:
                    values.append(int(v) % TWO_256)
                else:
                    values.extend(v)  # type: ignore[arg-type]
            call += 1

        read(lambda: self.pool_assets)
        read(self.reserve)
        read(self.liabilities)
        read(self.net_exposure)
        read(self.floor)
        read(self.mark_price)
        read(self.total_assets)
        read(lambda: self.lp.total_supply)
        read(lambda: int(self.floor_breached))
        read(lambda: self.last_health_report)
        read(lambda: self.asset.balance_of(self.address))
        read(lambda: [int(v) for v in self.check_upkeep()], 3)  # type: ignore[arg-type,return-value]
        read(lambda: self.max_deposit(accounts[0] if accounts else ZERO_ADDRESS))
        values.append(self.now)
        for a in accounts:
            read(lambda a=a: self.asset.balance_of(a))  # type: ignore[misc]
            read(lambda a=a: self.lp.balance_of(a))  # type: ignore[misc]
            read(lambda a=a: self.max_withdraw(a))  # type: ignore[misc]
            read(lambda a=a: self.max_redeem(a))  # type: ignore[misc]
        for s in self._book:
            t = s.token
            read(lambda: s.ledger.total_supply)  # noqa: B023
            read(lambda: self.equity_of(t))  # noqa: B023
            read(lambda: self.exposure_of(t))  # noqa: B023
            read(lambda: self.nav_of(t))  # noqa: B023
            read(lambda: self.leverage_of(t))  # noqa: B023
            read(lambda: self.rebalance_status_of(t))  # noqa: B023
            st = state(s)
            fields = [st.equity, st.exposure, st.markPrice, st.settledAt, st.lastRebalance,
                      int(st.knockedOut), int(st.isLong)]
            read(lambda fields=fields: fields, 7)  # type: ignore[misc]
            read(lambda: self.token_preview_mint(t, self.pool_assets // 64))  # noqa: B023
            read(lambda: self.token_preview_mint(t, self.pool_assets // 4))  # noqa: B023
            read(lambda: self.token_preview_redeem(t, s.ledger.total_supply // 2))  # noqa: B023
            for a in accounts:
                read(lambda a=a: s.ledger.balance_of(a))  # type: ignore[misc]  # noqa: B023
        return values, failed
