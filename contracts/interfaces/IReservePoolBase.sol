// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IReservePoolBase
/// @notice Everything of the reserve pool but its functions: the `Trigger` enum, the `SeriesParams` and
///         `SeriesState` structs, every event and every custom error. Shared by `ReservePool` and its admin
///         module `PoolAdmin`, whose code runs in the pool's context and emits the pool's events.
interface IReservePoolBase {
    /// @notice Why a rebalance happened (or would happen). Returned as uint8 by `rebalance()`.
    enum Trigger {
        None, // no trigger holds
        Drift, // leverage left [minLeverage, maxLeverage]
        Fallback, // fallbackInterval elapsed since the last rebalance
        Scheduled, // the daily schedule instant passed since the last rebalance (reserved, later issue)
        KnockOut // the settlement found equity 0: the series was knocked out instead of rebalanced
    }

    /// @notice Rebalance policy and fees of a series, as passed to `createSeries` and `setSeriesParams`.
    /// @dev Leverages and fees are WAD (3x = 3e18, 0.1% = 1e15); the streaming fee is per 365 days.
    struct SeriesParams {
        uint64 targetLeverage;
        uint64 minLeverage; // 0 disables the lower drift trigger
        uint64 maxLeverage;
        uint32 fallbackInterval; // seconds; 0 = no fallback trigger
        uint64 mintFee;
        uint64 redeemFee;
        uint64 streamingFee;
        uint64 spread; // rebalance cost as a fraction of the traded notional
    }

    /// @notice Raw settled state of a series (the values at its last settlement).
    struct SeriesState {
        uint256 equity; // E0, WAD value
        uint256 exposure; // x, WAD units of the underlying
        uint256 markPrice; // P0, WAD
        uint256 settledAt; // timestamp of the last settlement
        uint256 lastRebalance; // timestamp of the last rebalance (creation counts as one)
        uint256 initialNav; // NAV per token before the first mint, WAD
        bool isLong;
        bool knockedOut;
    }

    // ------------------------------------------------------------------ events

    /// @notice A new series was created.
    event SeriesCreated(address indexed token, string symbol, bool isLong, uint256 initialNav, SeriesParams params);
    /// @notice `payer` paid `assets` (fee `fee`, WAD) and `receiver` got `tokens` at `price`.
    event Minted(
        address indexed token,
        address indexed payer,
        address indexed receiver,
        uint256 assets,
        uint256 tokens,
        uint256 fee,
        uint256 price
    );
    /// @notice `owner` burned `tokens`; `receiver` got `assets` (fee `fee`, WAD) at `price`.
    event Redeemed(
        address indexed token,
        address indexed owner,
        address indexed receiver,
        uint256 tokens,
        uint256 assets,
        uint256 fee,
        uint256 price
    );
    /// @notice A series was rebalanced. Leverage, exposure and NAV per token before and after (WAD);
    ///         `cost` (WAD) is the spread cost moved from equity to the reserve.
    event Rebalanced(
        address indexed token,
        uint8 trigger,
        uint256 price,
        uint256 leverageBefore,
        uint256 leverageAfter,
        uint256 exposureBefore,
        uint256 exposureAfter,
        uint256 navBefore,
        uint256 navAfter,
        uint256 cost,
        address indexed keeper
    );
    /// @notice A settlement at `price` found the equity of `token` at 0; the series is terminal.
    /// @param lostEquity The equity (WAD) the series had at its previous settlement, now the reserve's.
    event KnockedOut(address indexed token, uint256 price, uint256 lostEquity);
    /// @notice Periodic health report (WAD; coverage = reserve/liabilities, utilization =
    ///         |netExposure|*price/reserve, bufferDepth = reserve - floorRatio*liabilities).
    event ReserveHealth(
        int256 reserve,
        uint256 liabilities,
        int256 coverage,
        uint256 utilization,
        int256 bufferDepth,
        int256 netExposure,
        uint256 price
    );
    /// @notice The reserve fell below floorRatio*liabilities (emitted once, when the state flips).
    event ReserveFloorBreached(int256 reserve, uint256 floor);
    /// @notice The reserve is back at or above the floor.
    event ReserveFloorRestored(int256 reserve, uint256 floor);
    /// @notice `funder` added `assets` to the reserve without taking LP shares.
    event ReserveFunded(address indexed funder, uint256 assets);
    /// @notice A knocked-out series was retired; its slot is free for `createSeries`.
    event SeriesRetired(address indexed token);
    /// @notice A parameter of `target` (a series token, or the pool itself) was set to `value`.
    event ParametersUpdated(address indexed target, bytes32 indexed parameter, uint256 value);
    /// @notice `keeper` was paid `assets` from the reserve for rebalancing `token`.
    event KeeperRewarded(address indexed keeper, address indexed token, uint256 assets);
    /// @notice `performUpkeep` could not rebalance `token`; the other series went on.
    event UpkeepFailed(address indexed token, bytes reason);

    // ------------------------------------------------------------------ errors

    /// @notice An amount that must be positive was zero.
    error ZeroAmount();
    /// @notice An address that must be set was the zero address.
    error ZeroAddress();
    /// @notice The output `actual` is below the caller's bound `minimum` (a zero output always is).
    error SlippageExceeded(uint256 actual, uint256 minimum);
    /// @notice No rebalance trigger holds; `leverage` is the current real leverage (WAD).
    error NoRebalanceTrigger(uint256 leverage);
    /// @notice The series `token` is knocked out: no mint, no rebalance.
    error SeriesKnockedOut(address token);
    /// @notice `token` is not a series of this pool.
    error UnknownSeries(address token);
    /// @notice Only a series token of this pool may call (`caller` is not one).
    error OnlySeries(address caller);
    /// @notice Only the pool itself may call (used by `performUpkeep`'s isolated calls).
    error OnlySelf(address caller);
    /// @notice The operation would leave the reserve below the floor (both WAD).
    error ReserveBelowFloor(int256 reserve, uint256 floor);
    /// @notice The pool already backs the maximum number of series.
    error TooManySeries(uint256 max);
    /// @notice `parameter` = `value` is outside [`min`, `max`].
    error ParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice The leverage band must satisfy 1x < min < target < max <= 10x (or min = 0 and 1x < target).
    error InvalidLeverageBand(uint256 minLeverage, uint256 targetLeverage, uint256 maxLeverage);
    /// @notice The oracle answered a non-positive price.
    error InvalidPrice(int256 answer);
    /// @notice The oracle's answer is older than `maxAge` seconds.
    error StalePrice(uint256 updatedAt, uint256 maxAge);
    /// @notice The oracle's answer is dated after the current block.
    error FuturePrice(uint256 updatedAt, uint256 blockTimestamp);
    /// @notice The oracle's round is not complete (never updated, or answered in an earlier round).
    error IncompleteRound(uint80 roundId, uint80 answeredInRound);
    /// @notice `reportHealth` was called before `nextAllowedAt`.
    error HealthReportTooSoon(uint256 nextAllowedAt);
    /// @notice The rebalance would trade a notional (WAD value) below the pool's minimum: it would change
    ///         nothing that matters, so it is refused like one without a trigger (and pays no keeper).
    error RebalanceTooSmall(uint256 notional, uint256 minimum);
    /// @notice The operation would raise |net exposure|·price above `cap`·reserve; `utilization` (WAD) is
    ///         what it would reach (the maximum when the reserve would not be positive).
    error UtilizationCapExceeded(uint256 utilization, uint256 cap);
    /// @notice Only a knocked-out series can be retired.
    error SeriesNotRetirable(address token);
    /// @notice Orders of `token` are due at the latest round: they execute before any other settlement.
    error SeriesOrdersDue(address token);
    /// @notice LP orders are due at an earlier round than this settlement's: they execute first.
    error LpOrdersDue();
    /// @notice A rebalance of `token` is due at this (the latest) round: it happens before the LP orders.
    error RebalanceDue(address token);
    /// @notice `module` was not built for this pool's asset and oracle.
    error ModuleMismatch(address module);
    /// @notice The series `token` has pending orders.
    error SeriesHasOrders(address token);
    /// @notice `performUpkeep` found nothing to do.
    error NoUpkeepNeeded();
    /// @notice The settlement asset has more than 18 decimals, or the price feed more than 36.
    error UnsupportedDecimals(uint8 decimals);
}
