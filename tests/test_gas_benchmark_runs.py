"""The gas benchmark (`make gas`) keeps running against the current contracts; its numbers are reported by
the benchmark itself, not asserted here (gas budgets are a benchmark's business, see docs/gas.md)."""

from levtoken.gas import measure


def test_gas_benchmark_measures_every_operation(accounts):
    rows = measure(accounts)
    names = [row.operation for row in rows]
    for operation in ("mint, repeat (same holder, same series)", "redeem, partial", "rebalance, Drift (ETH3S)",
                      "rebalance, Fallback (ETH3L, in band, 24 h later)", "performUpkeep, 4 series flagged: total",
                      "LP requestDeposit (repeat LP)", "LP requestRedeem (repeat LP)", "executeLpOrders, 1 deposit",
                      "executeLpOrders, 1 redeem", "executeLpOrders, 10 deposits",
                      "LP claim deposit (deposit(assets, receiver, controller))",
                      "LP claim redeem (withdraw(assets, receiver, controller))", "reportHealth (2 series)",
                      "requestMint, repeat requester", "requestRedeem, repeat requester", "executeOrders, 10 mints",
                      "executeOrders that lost the race (NoOrdersDue)"):
        assert operation in names
    assert all(row.gas > 21_000 for row in rows)
