"""`libraries/PoolBounds.sol`: the bounds of the pool-wide parameters (the series' are in `series`)."""

WAD = 10**18
DAY = 86_400

MIN_FLOOR_RATIO = WAD // 100  # floor ratio bounds (1%..100% of liabilities)
MAX_FLOOR_RATIO = WAD
MIN_PRICE_AGE = 60  # oracle max price age bounds
MAX_PRICE_AGE = 2 * DAY
MIN_HEALTH_INTERVAL = 300  # health report interval bounds
MAX_HEALTH_INTERVAL = DAY
MIN_UTILIZATION_CAP = WAD // 10  # utilization cap bounds (10%..1,000x of the reserve) and default
MAX_UTILIZATION_CAP = 1_000 * WAD
DEFAULT_UTILIZATION_CAP = 5 * WAD
MAX_MIN_TRADE_NOTIONAL = 10 * WAD  # highest minimum rebalance notional, WAD value
MAX_KEEPER_REWARD = 1_000 * WAD  # keeper reward bounds, WAD value (per rebalance, per day)
MAX_KEEPER_REWARD_DAILY = 100_000 * WAD
MIN_ORDER_DELAY = 12  # order delay bounds and default (seconds from a request to the first round that can price it)
MAX_ORDER_DELAY = 3_600
DEFAULT_ORDER_DELAY = 60
MIN_ORDER_AGE = 3_600  # order age bounds and default (seconds without a usable round before an order expires)
MAX_ORDER_AGE = 7 * DAY
DEFAULT_ORDER_AGE = DAY
MAX_EXECUTION_FEE = 10 * WAD  # highest execution fee per order, WAD value
MAX_MIN_MINT = 100_000 * WAD  # highest minimum mint order and the default, WAD value
DEFAULT_MIN_MINT = 10 * WAD
