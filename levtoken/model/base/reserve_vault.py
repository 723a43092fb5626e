"""`base/ReserveVault.sol`: the LPs' side of the pool (SPEC section 4): OpenZeppelin ERC-4626 share
accounting on the settlement asset with `totalAssets() = max(0, R)`, withdrawals bounded by the floor, and
`fundReserve` for capital that takes no shares. 10**6 virtual shares per asset unit defend against
inflation attacks."""

from __future__ import annotations

from ..errors import ZeroAmount
from ..evm import tx
from ..oz.erc20 import ZERO_ADDRESS
from ..oz.erc4626 import ERC4626
from ..oz.math import mul_div
from ..oz.safe_cast import to_int256, to_uint128
from ..solidity import U128, abi_uint, checked_add, checked_sub
from ..libraries.series_math import WAD
from .pool_parameters import PoolParameters


class ReserveVault(ERC4626, PoolParameters):
    """The ERC-4626 overrides: every LP operation reads the oracle first; deposits and withdrawals move
    `pool_assets` and sync the floor flag."""

    _VIRTUAL_SHARES = 10**6  # 10 ** _decimalsOffset(), _decimalsOffset() = 6

    @tx
    def fund_reserve(self, sender: str, assets: int) -> None:
        """`fundReserve(assets)` sent by `sender`: capital without shares."""
        if abi_uint(assets) == 0:
            raise ZeroAmount()
        pooled = checked_add(self.pool_assets, assets)
        self.pool_assets = to_uint128(pooled)
        self.asset.transfer_from(self.address, sender, self.address, assets)
        self._ev.append(("ReserveFunded", {"funder": sender, "assets": assets}))
        self._sync_floor_at(pooled, self._view_price())

    def total_assets(self) -> int:
        """`totalAssets()`: max(0, R) in asset units, rounded down. Never raises."""
        r = self._reserve_at(self._view_price())
        return 0 if r <= 0 else r // self._scale

    def max_deposit(self, receiver: str = ZERO_ADDRESS) -> int:
        """What the uint128 asset counter can still take while the oracle is usable and R >= 0, else 0
        (recapitalise with `fund_reserve`)."""
        return U128 - self.pool_assets if self._deposits_open() else 0

    def max_mint(self, receiver: str = ZERO_ADDRESS) -> int:
        """As `max_deposit`, in shares (rounded down)."""
        return self._convert_to_shares(self.max_deposit(receiver), False)

    def max_withdraw(self, owner: str) -> int:
        """min(owner's assets rounded down, withdrawable above the floor); 0 while the oracle is unusable."""
        return min(self._convert_to_assets(self.lp.balance_of(owner), False), self._withdrawable())

    def max_redeem(self, owner: str) -> int:
        """As `max_withdraw`, in shares (rounded down); 0 when they would pay nothing (`ZeroAmount`)."""
        shares = min(self.lp.balance_of(owner), self._convert_to_shares(self._withdrawable(), False))
        return 0 if self._convert_to_assets(shares, False) == 0 else shares

    @tx
    def deposit(self, sender: str, assets: int, receiver: str) -> int:
        """`deposit(assets, receiver)` sent by `sender`: returns the shares."""
        self._price()
        return super().deposit(sender, assets, receiver)

    @tx
    def mint_shares(self, sender: str, shares: int, receiver: str) -> int:
        """ERC-4626 `mint(shares, receiver)` sent by `sender`: returns the assets paid."""
        self._price()
        return super().mint_shares(sender, shares, receiver)

    @tx
    def withdraw(self, sender: str, assets: int, receiver: str, owner: str) -> int:
        """`withdraw(assets, receiver, owner)` sent by `sender`: returns the shares burned."""
        self._price()
        return super().withdraw(sender, assets, receiver, owner)

    @tx
    def redeem_shares(self, sender: str, shares: int, receiver: str, owner: str) -> int:
        """ERC-4626 `redeem(shares, receiver, owner)` sent by `sender`: returns the assets paid."""
        self._price()
        return super().redeem_shares(sender, shares, receiver, owner)

    def _deposit(self, caller: str, receiver: str, assets: int, shares: int) -> None:
        """`_deposit`: `ZeroAmount`, the pool's assets, then `ERC4626._deposit`, then the floor flag."""
        if assets == 0 or shares == 0:
            raise ZeroAmount()
        pooled = checked_add(self.pool_assets, assets)
        self.pool_assets = to_uint128(pooled)
        super()._deposit(caller, receiver, assets, shares)
        self._sync_floor_at(pooled, self._view_price())

    def _withdraw(self, caller: str, receiver: str, owner: str, assets: int, shares: int) -> None:
        """`_withdraw`: `ZeroAmount`, the pool's assets, then `ERC4626._withdraw`, then the floor flag."""
        if assets == 0 or shares == 0:
            raise ZeroAmount()
        pooled = checked_sub(self.pool_assets, assets)
        self.pool_assets = pooled
        super()._withdraw(caller, receiver, owner, assets, shares)
        self._sync_floor_at(pooled, self._view_price())

    def _deposits_open(self) -> bool:
        """A deposit into a deficit would first pay for it: closed while R < 0 (and the oracle unusable)."""
        ok, p = self._price_usable()
        return ok and self._reserve_at(p) >= 0

    def _withdrawable(self) -> int:
        """`_withdrawable`: the reserve above both the floor and what the utilization cap needs
        (ceil(ceil(|net|·p)/u)), asset units rounded down; 0 if the oracle is unusable."""
        ok, p = self._price_usable()
        if not ok:
            return 0
        r, fl = self._reserve_and_floor(self.pool_assets, self._liabilities(p))
        return self._withdrawable_at(p, r, fl, self._net_exposure(p))

    def _withdrawable_at(self, p: int, r: int, fl: int, net: int) -> int:
        """The rest of `_withdrawable` at a usable price `p`, with reserve `r`, floor `fl` and net exposure
        `net` already valued (the lens values them once for every view)."""
        needed = mul_div(mul_div(-net if net < 0 else net, p, WAD, True), WAD, self.max_utilization, True)
        room = r - to_int256(max(fl, needed))
        return 0 if room <= 0 else room // self._scale
