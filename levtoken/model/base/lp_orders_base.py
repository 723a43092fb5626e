"""`base/LpOrdersBase.sol`: what the LP orders module's parts share (`base/lp_claims`, `pool_lp_orders`):
the asset pushes with their refund fallback and the headroom LP redeems may take (the storage layout and
the delegatecall guard have no model counterpart: the model's storage is `pool_storage`'s). The model's
asset never refuses a transfer the pool can pay, so `_push` falls back to `refundable` only if the pool's
balance is short."""

from __future__ import annotations

from ..errors import PANIC_OVERFLOW, ContractError, Panic
from ..interfaces import LpAccount
from ..libraries.series_math import WAD
from ..oz.math import mul_div
from ..oz.safe_cast import to_int256
from ..solidity import U128
from .reserve_book import ReserveBook


def add128(a: int, b: int) -> int:
    """Checked uint128 `a + b`."""
    if a + b > U128:
        raise Panic(PANIC_OVERFLOW)
    return a + b


class LpOrdersBase(ReserveBook):
    """`_headroom`, `_push`, and a controller's `LpAccount` (zeros if it has none)."""

    address: str
    max_utilization: int

    def _lp_account(self, controller: str) -> LpAccount:
        return self._lp_accounts.get(controller) or LpAccount()

    def _headroom(self, p: int, pooled: int) -> int:
        """`_headroom`: assets LP redeems may take at `p` with `pooled` pool assets: the reserve above both
        the floor and what the utilization cap needs (ceil(ceil(|net|·p)/u)), asset units rounded down."""
        r, fl = self._reserve_and_floor(pooled, self._liabilities(p))
        net = self._net_exposure(p)
        needed = mul_div(mul_div(-net if net < 0 else net, p, WAD, True), WAD, self.max_utilization, True)
        room = r - to_int256(max(fl, needed))
        return 0 if room <= 0 else room // self._scale

    def _push(self, to: str, assets: int) -> None:
        """`_push`: a failed transfer becomes a refund to claim instead of blocking the batch."""
        if assets == 0:
            return
        try:
            self.asset.transfer(self.address, to, assets)
        except ContractError:
            self._refundable[to] = self._refundable.get(to, 0) + assets
            self._ev.append(("RefundCredited", {"account": to, "assets": assets}))
