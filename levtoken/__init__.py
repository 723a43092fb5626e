"""levtoken: on-chain leveraged tokens backed by a reserve pool."""
