"""The admin module (`PoolAdmin`): the owner's functions run in the pool's storage by delegatecall.

The pool creates its module in its constructor; the module writes the pool's storage at the pool's layout,
emits the pool's events, reports the module's errors through the pool, and refuses to be called directly.
"""

from __future__ import annotations

import pytest
import rlp
from ape import chain, project
from conftest import WAD, params
from eth_utils import keccak, to_checksum_address

from helpers import b32, only_event, reverts_with

POSITION_SLOT = 55  # `PoolStorage._position` (mapping token => index + 1), after `_book` at slot 7


def _create_address(deployer: str, nonce: int) -> str:
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(deployer[2:]), nonce]))[12:])


def _word(address: str, slot: int) -> int:
    return int.from_bytes(bytes(chain.provider.get_storage(address, slot)), "big")


def _mapping_slot(key: str, slot: int) -> int:
    return int.from_bytes(keccak(bytes(12) + bytes.fromhex(key[2:]) + slot.to_bytes(32, "big")), "big")


@pytest.fixture(scope="module")
def module(pool):
    return project.PoolAdmin.at(pool.adminModule())


def test_the_module_is_the_pools_first_creation_and_holds_the_admin_code(pool, module):
    assert module.address == _create_address(pool.address, 1)  # a contract's nonce starts at 1
    code = bytes(chain.provider.get_code(module.address))
    compiled = project.PoolAdmin.contract_type.runtime_bytecode.bytecode
    assert len(code) == len(bytes.fromhex(compiled.removeprefix("0x")))


def test_series_created_through_the_module_are_written_at_the_pools_storage_layout(pool, module, eth3l, eth3s):
    """`_position[token]` = index + 1 at slot keccak(token . 55) of the pool: the module wrote the pool's
    storage where the pool reads it, and nothing into its own."""
    for index, token in enumerate((eth3l, eth3s)):
        slot = _mapping_slot(token.address, POSITION_SLOT)
        assert _word(pool.address, slot) == index + 1
        assert _word(module.address, slot) == 0
    assert list(pool.series()) == [eth3l.address, eth3s.address]
    assert _word(module.address, 56) == 0  # the module's own pool word (series count) stays empty


def test_module_events_are_the_pools_and_name_the_pool(pool, owner):
    receipt = pool.setFloorRatio(WAD // 5, sender=owner)
    ev = only_event(receipt, pool.ParametersUpdated)
    assert (ev.target, ev.parameter, ev.value) == (pool.address, b32("floorRatio"), WAD // 5)
    assert {log["address"] for log in receipt.logs} == {pool.address}
    assert pool.floorRatio() == WAD // 5


def test_module_errors_come_back_through_the_pool_unchanged(pool, owner):
    with reverts_with(pool.ParameterOutOfBounds, parameter=b32("floorRatio"), value=0):
        pool.setFloorRatio(0, sender=owner)


def test_owner_check_runs_in_the_pool_before_the_module(pool, stranger):
    with reverts_with(pool.OwnableUnauthorizedAccount, account=stranger.address):
        pool.setFloorRatio(WAD // 5, sender=stranger)


@pytest.mark.parametrize("call", [
    lambda m, t: m.createSeries("X", "X", True, 100 * WAD, params()),
    lambda m, t: m.setSeriesParams(t, params()),
    lambda m, t: m.setFloorRatio(WAD // 5),
    lambda m, t: m.setMaxPriceAge(600),
    lambda m, t: m.setHealthInterval(600),
    lambda m, t: m.setKeeperReward(0, 0),
    lambda m, t: m.setMaxUtilization(WAD),
    lambda m, t: m.setMinTradeNotional(0),
    lambda m, t: m.retireSeries(t),
], ids=["createSeries", "setSeriesParams", "setFloorRatio", "setMaxPriceAge", "setHealthInterval",
        "setKeeperReward", "setMaxUtilization", "setMinTradeNotional", "retireSeries"])
def test_every_admin_function_called_on_the_module_itself_reverts_NotDelegated(module, eth3l, stranger, call):
    bound = type("Bound", (), {})()
    for name in ("createSeries", "setSeriesParams", "setFloorRatio", "setMaxPriceAge", "setHealthInterval",
                 "setKeeperReward", "setMaxUtilization", "setMinTradeNotional", "retireSeries"):
        method = getattr(module, name)
        setattr(bound, name, lambda *a, _m=method: _m(*a, sender=stranger))
    with reverts_with(module.NotDelegated):
        call(bound, eth3l.address)
