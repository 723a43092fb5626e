"""Helpers shared by the test files: strict custom-error matching, an integer mirror of the contract's
rounding (SPEC section 3: what holders receive rounds down, what they pay rounds up), and series set-up.

`ape.reverts(cls, **inputs)` silently passes when ape cannot decode the revert (it then raises a plain
`ContractLogicError`, which happens whenever the revert follows a successful external call, e.g. the oracle
read) and ignores misspelled input names. `reverts_with` decodes the raw revert data against the expected
error's ABI itself and compares every given argument, so a wrong error or a wrong argument always fails.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from ape.exceptions import ContractLogicError, CustomError

WAD = 10**18
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
YEAR = 365 * 24 * 3600
FLOOR_RATIO = WAD // 10
INT256_MAX = 2**255 - 1
UINT256_MAX = 2**256 - 1


# ----------------------------------------------------------------------------- integer mirror


def ceil_div(a, b):
    return -(-a // b)


def mul_div(a, b, d):
    return a * b // d


def mul_div_up(a, b, d):
    return -(-a * b // d)


def floor_of(liabilities, ratio=FLOOR_RATIO):
    """ceil(ratio * liabilities / 1e18), the contract's floor (rounded up: stricter)."""
    return mul_div_up(liabilities, ratio, WAD)


def equity_at(e0, x, p0, p, is_long):
    """E(P) = max(0, E0 + s*x*(P - P0)); a gain rounds down, a loss rounds up."""
    if p == p0 or x == 0:
        return e0
    gain = (p > p0) == is_long
    move = abs(p - p0)
    if gain:
        return e0 + x * move // WAD
    loss = mul_div_up(x, move, WAD)
    return 0 if loss >= e0 else e0 - loss


def exposure_for(target, equity, p):
    """floor(T*E/P)."""
    return target * equity // p


def leverage(x, p, equity):
    return 0 if equity == 0 else (x * p // WAD) * WAD // equity


def streaming_fee(equity, rate, elapsed):
    if rate == 0 or elapsed == 0 or equity == 0:
        return 0
    return min(equity, mul_div_up(equity, rate * elapsed, WAD * YEAR))


def sdiv(a, b):
    """Solidity signed division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def oz_to_shares(assets, total_supply, total_assets, up=False, offset=6):
    """OZ ERC4626._convertToShares with virtual shares 10**offset and one virtual asset."""
    f = mul_div_up if up else mul_div
    return f(assets, total_supply + 10**offset, total_assets + 1)


def oz_to_assets(shares, total_supply, total_assets, up=False, offset=6):
    f = mul_div_up if up else mul_div
    return f(shares, total_assets + 1, total_supply + 10**offset)


def wad_price(price, decimals=8):
    """A decimal string/int price as the integer a `decimals` feed answers, scaled to WAD."""
    from decimal import Decimal

    answer = int(Decimal(str(price)) * 10**decimals)
    return answer * 10 ** (18 - decimals) if decimals <= 18 else answer // 10 ** (decimals - 18)


def new_series(pool, owner, symbol, series_params, is_long=True, initial_nav=100 * WAD):
    """Creates a series on `pool` and returns its token contract."""
    from ape import project

    receipt = pool.createSeries(f"{symbol} token", symbol, is_long, initial_nav, series_params, sender=owner)
    return project.LeveragedToken.at(receipt.events.filter(pool.SeriesCreated)[0].token)


def b32(name: str) -> bytes:
    return name.encode().ljust(32, b"\0")


# ----------------------------------------------------------------------------- strict revert matching


class RevertInfo:
    name: str | None = None
    inputs: dict | None = None
    exception: BaseException | None = None


def _selector(abi) -> bytes:
    return keccak(text=abi.selector)[:4]


def _revert_data(exc) -> bytes | None:
    """The raw revert data of a ContractLogicError whose error ape could not decode."""
    base = getattr(exc, "base_err", None)
    data = getattr(base, "data", None)
    if isinstance(data, str) and re.fullmatch(r"0x([0-9a-fA-F]{2})*", data):
        return bytes.fromhex(data[2:])
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    msg = exc.revert_message if isinstance(getattr(exc, "revert_message", None), str) else str(exc)
    # "custom error 0x<selector>: <args>": Anvil prints <args> as text when those bytes are valid UTF-8
    # (so UTF-8 gives them back exactly; latin-1 would fail on, e.g., a timestamp byte pair 0xCD 0xA8),
    # and as hex otherwise
    m = re.fullmatch(r"custom error 0x([0-9a-fA-F]{8})(?:: ?(.*))?", msg, re.S)
    if m:
        rest = m.group(2) or ""
        tail = bytes.fromhex(rest) if re.fullmatch(r"([0-9a-fA-F]{2})*", rest) else rest.encode("utf-8")
        return bytes.fromhex(m.group(1)) + tail
    m = re.fullmatch(r"0x((?:[0-9a-fA-F]{2})+)", msg.strip())
    return bytes.fromhex(m.group(1)) if m else None


def _norm(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    if hasattr(value, "address") and not isinstance(value, (int, bytes)):
        return to_checksum_address(str(value.address))
    if isinstance(value, tuple):
        return tuple(_norm(v) for v in value)
    return value


def _decode(exc, error_cls):
    """(name, inputs) of the error that `exc` carries, decoded against `error_cls`'s ABI if needed."""
    expected_name = error_cls.__name__
    if isinstance(exc, CustomError) and type(exc).__name__ == expected_name:
        return expected_name, dict(exc.inputs)
    data = _revert_data(exc)
    abi = error_cls.abi
    if data is None or data[:4] != _selector(abi):
        got = type(exc).__name__ if isinstance(exc, CustomError) else repr(exc)
        raise AssertionError(f"expected revert {expected_name} but got {got}")
    types = [i.canonical_type for i in abi.inputs]
    values = abi_decode(types, data[4:]) if types else ()
    return expected_name, {i.name: v for i, v in zip(abi.inputs, values)}


@contextmanager
def reverts_with(error_cls, **expected):
    """Asserts the block reverts with the custom error `error_cls` (e.g. `pool.StalePrice`) and that every
    keyword argument equals the error's argument of that name (all names must exist)."""
    info = RevertInfo()
    try:
        yield info
    except ContractLogicError as exc:
        name, inputs = _decode(exc, error_cls)
        info.name, info.inputs, info.exception = name, inputs, exc
        for key, want in expected.items():
            assert key in inputs, f"{name} has no argument {key!r} (has {sorted(inputs)})"
            got = inputs[key]
            assert _norm(got) == _norm(want), f"{name}.{key}: expected {want!r}, got {got!r}"
    else:
        raise AssertionError(f"did not revert (expected {error_cls.__name__})")


def events(receipt, event):
    """The logs of `event` (e.g. `pool.ReserveHealth`) in `receipt`, checked to come from its contract."""
    return list(receipt.events.filter(event))


def only_event(receipt, event):
    logs = events(receipt, event)
    assert len(logs) == 1, f"expected exactly one {event.name}, got {len(logs)}"
    return logs[0]


def block_time(receipt) -> int:
    """block.timestamp of the block that mined `receipt`'s transaction, asked of the node afresh.

    Not `receipt.block_number`: after a snapshot revert the same signed transaction (same sender, nonce
    and data) gets the same hash in a later test, and ape can hand back the receipt it cached in the
    reverted timeline, whose block number now belongs to another block."""
    from ape import chain

    web3 = chain.provider.web3
    fresh = web3.eth.get_transaction_receipt(receipt.txn_hash)
    return web3.eth.get_block(fresh["blockHash"])["timestamp"]
