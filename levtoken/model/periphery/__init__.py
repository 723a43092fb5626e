"""Periphery contracts: `PoolLens`."""
