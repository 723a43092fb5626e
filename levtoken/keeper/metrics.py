"""Prometheus metrics of one keeper (own registry, so several keepers can live in one process), served on
an optional port.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

WEI_PER_ETH = 10**18


class KeeperMetrics:
    """Counters and gauges; names are prefixed ``levtoken_keeper_``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.upkeeps_sent = Counter("levtoken_keeper_upkeeps_sent", "performUpkeep transactions sent "
                                    "(replacements not counted)", registry=r)
        self.replacements = Counter("levtoken_keeper_replacements", "fee-bumped replacements sent", registry=r)
        self.rebalances = Counter("levtoken_keeper_rebalances", "series rebalanced by this keeper's "
                                  "mined upkeeps", ["trigger"], registry=r)
        self.orders_executed = Counter("levtoken_keeper_orders_executed", "series orders executed by this "
                                       "keeper's mined upkeeps", registry=r)
        self.orders_refunded = Counter("levtoken_keeper_orders_refunded", "series orders refunded (slippage, "
                                       "expiry, capacity, ...) by this keeper's mined upkeeps", registry=r)
        self.lp_orders_executed = Counter("levtoken_keeper_lp_orders_executed", "LP order executions (a redeem "
                                          "filled in parts counts per part) by this keeper's mined upkeeps",
                                          registry=r)
        self.lp_orders_refunded = Counter("levtoken_keeper_lp_orders_refunded", "LP orders refunded by this "
                                          "keeper's mined upkeeps", registry=r)
        self.health_reports = Counter("levtoken_keeper_health_reports", "ReserveHealth reports in this keeper's "
                                      "mined upkeeps", registry=r)
        self.failures = Counter("levtoken_keeper_failures", "failures by kind (rpc, send, reverted, "
                                "upkeep_failed, stuck, balance, fee_cap, internal)", ["kind"], registry=r)
        self.simulation_reverts = Counter("levtoken_keeper_simulation_reverts", "upkeeps not sent because the "
                                          "simulation reverted (lost race, no longer needed)", registry=r)
        self.gas_used = Counter("levtoken_keeper_gas_used", "gas used by mined transactions", registry=r)
        self.gas_spent_eth = Counter("levtoken_keeper_gas_spent_eth", "ETH paid for gas (gasUsed * "
                                     "effectiveGasPrice)", registry=r)
        self.rpc_calls = Counter("levtoken_keeper_rpc_calls", "JSON-RPC requests sent", ["method"], registry=r)
        self.lag_blocks = Gauge("levtoken_keeper_lag_blocks", "chain head minus the last block handled, "
                                "when the head was read", registry=r)
        self.last_block = Gauge("levtoken_keeper_last_block", "last block handled", registry=r)
        self.balance_eth = Gauge("levtoken_keeper_balance_eth", "keeper account balance (read at start "
                                 "and before each send)", registry=r)
        self.rpc_up = Gauge("levtoken_keeper_rpc_up", "1 if the last RPC poll succeeded", registry=r)

    def value(self, name: str, **labels: Any) -> float:
        """Current value of a sample (tests, benchmark); 0 if absent."""
        found = self.registry.get_sample_value(name, labels or None)
        return 0.0 if found is None else found

    def serve(self, port: int, host: str = "127.0.0.1") -> Any:
        """Starts the /metrics HTTP endpoint (daemon thread); returns the server (``.shutdown()``)."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return server
