"""The local-chain mocks the model includes: the settlement asset (`MockERC20`) and the price feed
(`MockAggregator`, Chainlink's `MockV3Aggregator`)."""
