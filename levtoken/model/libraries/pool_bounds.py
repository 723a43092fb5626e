"""`libraries/PoolBounds.sol`: the bounds of the pool-wide parameters (the series' are in `series`)."""

WAD = 10**18
DAY = 86_400

MIN_FLOOR_RATIO = WAD // 100  # floor ratio bounds (1%..100% of liabilities)
MAX_FLOOR_RATIO = WAD
MIN_PRICE_AGE = 60  # oracle max price age bounds
MAX_PRICE_AGE = 2 * DAY
MIN_HEALTH_INTERVAL = 300  # health report interval bounds
MAX_HEALTH_INTERVAL = DAY
MAX_KEEPER_REWARD = 1_000 * WAD  # keeper reward bounds, WAD value (per rebalance, per day)
MAX_KEEPER_REWARD_DAILY = 100_000 * WAD
