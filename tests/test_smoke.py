from conftest import USDC, WAD, set_price

from levtoken.model.libraries.series import LOCKED_SUPPLY


def test_mint_then_drift_rebalance_restores_target(pool, eth3l, oracle, alice, owner, keeper):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    assert eth3l.balanceOf(alice) == 100 * WAD - LOCKED_SUPPLY  # the first mint locks LOCKED_SUPPLY
    assert eth3l.totalSupply() == 100 * WAD
    assert eth3l.leverage() == 3 * WAD
    set_price(oracle, 2300, owner)
    assert eth3l.rebalanceStatus() == 1
    receipt = eth3l.rebalance(sender=keeper)
    ev = receipt.events.filter(pool.Rebalanced)[0]
    assert ev.trigger == 1
    assert abs(eth3l.leverage() - 3 * WAD) <= 1
