"""The contracts' libraries, function by function: `Series` (one series' state and everything that happens
to it), `SeriesMath`, `RebalancePolicy` and `OraclePrice`."""
