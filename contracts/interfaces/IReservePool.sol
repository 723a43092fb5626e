// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IReservePool
/// @notice The reserve pool of one (settlement asset, price oracle) pair: counterparty of every leveraged
///         token series it backs, and an ERC-4626 vault for the liquidity providers whose capital is the
///         reserve. All values are 18-decimal fixed point ("WAD") unless a name says "assets" (the
///         settlement asset's own decimals).
interface IReservePool {
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
    /// @notice `performUpkeep` found nothing to do.
    error NoUpkeepNeeded();
    /// @notice The settlement asset has more than 18 decimals, or the price feed more than 36.
    error UnsupportedDecimals(uint8 decimals);

    // ------------------------------------------------------------------ series entry points (tokens only)

    /// @notice Prices a mint of series tokens for `assets` pulled from `payer` and updates the series;
    ///         called by the series token, which then mints the returned amount to `receiver`.
    /// @param payer The account that pays (the token's caller); it must have approved the pool.
    /// @param assets Amount of the settlement asset, in its decimals.
    /// @param minTokens Minimum tokens to receive, else `SlippageExceeded`.
    /// @param receiver Receiver of the tokens (for the event).
    /// @param supply The token's total supply before the mint.
    /// @return tokens Tokens to mint.
    function mintFor(address payer, uint256 assets, uint256 minTokens, address receiver, uint256 supply)
        external
        returns (uint256 tokens);

    /// @notice Pays `receiver` for `tokens` that the series token has just burned from `owner`; called by
    ///         the series token.
    /// @param owner Holder whose tokens were burned (the token's caller).
    /// @param tokens Tokens burned.
    /// @param minAssets Minimum settlement-asset amount to receive, else `SlippageExceeded`.
    /// @param receiver Receiver of the assets.
    /// @param supply The token's total supply before the burn.
    /// @return assets Assets paid, in the asset's decimals.
    function redeemFor(address owner, uint256 tokens, uint256 minAssets, address receiver, uint256 supply)
        external
        returns (uint256 assets);

    /// @notice Rebalances the calling series if a trigger holds; called by the series token.
    /// @param keeper The account that asked (receives the keeper reward, if any).
    /// @param supply The token's total supply.
    /// @return trigger The trigger that fired (as `Trigger`).
    function rebalanceFor(address keeper, uint256 supply) external returns (uint8 trigger);

    // ------------------------------------------------------------------ reserve

    /// @notice Adds `assets` to the reserve without taking LP shares (treasury capital, outside fees).
    /// @param assets Amount of the settlement asset, pulled from the caller.
    function fundReserve(uint256 assets) external;

    /// @notice Emits `ReserveHealth`; anyone may call, at most once per health interval.
    function reportHealth() external;

    // ------------------------------------------------------------------ views (never revert)

    /// @notice The oracle price, WAD; reverts with the cause when the oracle is unusable.
    function price() external view returns (uint256);
    /// @notice The price views use: the oracle's if usable, else the last settled mark price.
    function markPrice() external view returns (uint256);
    /// @notice Pool assets minus liabilities, WAD (negative = insolvent).
    function reserve() external view returns (int256);
    /// @notice Sum of the equities of all series at the mark price, WAD.
    function liabilities() external view returns (uint256);
    /// @notice Sum of side*exposure over the series with equity left, WAD units of the underlying.
    function netExposure() external view returns (int256);
    /// @notice floorRatio * liabilities, rounded up, WAD.
    function floor() external view returns (uint256);
    /// @notice Settlement-asset amount the pool accounts for (LP capital, series equity, fees), asset decimals.
    function poolAssets() external view returns (uint256);
    /// @notice The series tokens, in creation order.
    function series() external view returns (address[] memory);
    /// @notice Equity of `token`'s series at the mark price, net of accrued streaming fee, WAD.
    function equityOf(address token) external view returns (uint256);
    /// @notice Exposure of `token`'s series, WAD units of the underlying (0 once its equity is 0).
    function exposureOf(address token) external view returns (uint256);
    /// @notice NAV per token of `token`'s series, WAD (initialNav before the first mint).
    function navOf(address token) external view returns (uint256);
    /// @notice Real leverage of `token`'s series, WAD (0 when equity is 0).
    function leverageOf(address token) external view returns (uint256);
    /// @notice The trigger a `rebalance()` of `token` would fire now (`None` if it would revert).
    function rebalanceStatusOf(address token) external view returns (uint8);
    /// @notice Policy and fees of `token`'s series.
    function seriesParams(address token) external view returns (SeriesParams memory);
    /// @notice Settled state of `token`'s series.
    function seriesState(address token) external view returns (SeriesState memory);
}
