"""`base/OracleReader.sol`: the pool's price feed (SPEC section 6): a reverting read for state changes, a
non-reverting one for views, both normalised to WAD from the feed's decimals."""

from __future__ import annotations

from ..errors import UnsupportedDecimals, ZeroAddress
from ..libraries.oracle_price import read, try_read
from ..mocks.mock_aggregator import MockAggregatorModel
from ..oz.erc20 import ZERO_ADDRESS
from .pool_storage import PoolStorage


class OracleReader(PoolStorage):
    """`oracle` (the feed) and `_oracle_decimals`."""

    oracle: MockAggregatorModel
    _oracle_decimals: int

    def _init_oracle_reader(self, oracle_address: str, feed_decimals: int) -> None:
        """`OracleReader(oracle_)`'s checks: `ZeroAddress`, then `UnsupportedDecimals` above 36 decimals."""
        if oracle_address == ZERO_ADDRESS:
            raise ZeroAddress()
        if feed_decimals > 36:
            raise UnsupportedDecimals(feed_decimals)  # keeps 10**(d-18) in range
        self._oracle_decimals = feed_decimals

    def _price(self) -> int:
        """`_price`: the price, or the cause's revert (`OraclePrice.read`)."""
        return read(self.oracle, self._oracle_decimals, self.max_price_age, self.now)

    def _try_price(self) -> tuple[int, int]:
        """`_tryPrice`: (status, price) (`OraclePrice.tryRead`); status 0 is `Status.Ok`."""
        return try_read(self.oracle, self._oracle_decimals, self.max_price_age, self.now)

    def _view_price(self) -> int:
        """`_viewPrice`: the price, or 0 when the oracle is unusable (each series is then valued at its own
        last settled mark price). Never raises."""
        status, p = self._try_price()
        return p if status == 0 else 0

    def _price_usable(self) -> tuple[bool, int]:
        """`_priceUsable`: (whether the oracle is usable, its price)."""
        status, p = self._try_price()
        return status == 0, p
