// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @dev The pool's public `oracle` (declared by `OracleReader`, outside `IReservePool`), read by a new token.
interface IOracleOfPool {
    function oracle() external view returns (AggregatorV3Interface);
}

/// @title ISeriesOrders
/// @notice Mint and redeem orders of one series (SPEC section 3a): a request escrows the settlement asset
///         (mint) or the tokens (redeem) and records its time; anyone executes it, in a batch with every
///         other order due at the same oracle round, at the price of the first usable round published more
///         than `minDelay` after the request. Results are pushed to the receivers; a failed asset push
///         becomes a claimable balance. An order whose slippage bound fails, or that the pool cannot take
///         (floor, utilization cap, pause, knock-out), is refunded in full; one that found no usable round
///         within `maxOrderAge` expires and is refunded by the next execution.
interface ISeriesOrders {
    /// @notice Order timing, size and fee: set by the pool's owner for every series of the pool at once.
    struct OrderParams {
        uint32 minDelay; // seconds after its request before a round can price an order
        uint32 maxOrderAge; // seconds after it is due after which an order without a usable round expires
        uint64 executionFee; // settlement-asset units paid by each order to the account that executes it
        uint128 minMintAssets; // smallest mint order, settlement-asset units
    }

    /// @notice A pending order (escrowed): a mint's `amount` is assets and `minOut` tokens; a redeem's
    ///         `amount` is tokens and `minOut` assets (net of the execution fee). `dueAt` is its request time
    ///         plus the `minDelay` in force then (a later change of `minDelay` moves no pending order).
    struct Order {
        address receiver;
        uint32 dueAt;
        uint64 executionFee;
        uint128 amount;
        uint128 minOut;
    }

    /// @notice Which queue an order is in.
    enum Kind {
        Mint,
        Redeem
    }

    /// @notice Why an order was refunded instead of executed.
    enum RefundReason {
        None,
        Slippage, // its bound failed at the batch's price (or the output was 0)
        Expired, // no usable round within maxOrderAge of its request
        Capacity, // with the batch's mints before it, it would break the reserve floor or the utilization cap
        KnockedOut, // mints into a knocked-out series
        Paused, // mints while the pool is paused
        Unverifiable, // more than MAX_UNUSABLE_ROUNDS unusable rounds precede its round: nothing can prove it first
        Deficit // LP orders while the reserve is negative (a deposit would pay for the deficit, a redeem gets 0)
    }

    /// @notice `owner` placed order `id` of `kind`: `amount` escrowed (plus `executionFee` assets for a mint).
    event OrderRequested(
        Kind indexed kind,
        uint256 indexed id,
        address indexed owner,
        address receiver,
        uint256 amount,
        uint256 minOut,
        uint256 executionFee
    );
    /// @notice Order `id` of `kind` executed at oracle round `roundId`: `amountOut` tokens (mint) or assets
    ///         (redeem, after the execution fee) went to `receiver`.
    event OrderExecuted(
        Kind indexed kind, uint256 indexed id, address indexed receiver, uint80 roundId, uint256 amountOut
    );
    /// @notice Order `id` of `kind` was refunded to `owner` for `reason`.
    event OrderRefunded(Kind indexed kind, uint256 indexed id, address indexed owner, RefundReason reason);
    /// @notice A push of `assets` to `account` failed; `claim()` collects them.
    event ClaimableCredited(address indexed account, uint256 assets);
    /// @notice `account` collected its claimable `assets`.
    event Claimed(address indexed account, uint256 assets);
    /// @notice The pool set this series' order parameters.
    event OrderParamsUpdated(OrderParams params);

    /// @notice Only the pool may call (`caller` is not it).
    error OnlyPool(address caller);
    /// @notice A mint order of `assets` is below the minimum `minimum` (settlement-asset units).
    error OrderTooSmall(uint256 assets, uint256 minimum);
    /// @notice The `kind` queue holds the maximum number of pending orders.
    error QueueFull(Kind kind);
    /// @notice Order `id` of `kind` is due at a round before `roundId`: execute that round first.
    error OrderDueEarlier(Kind kind, uint256 id, uint80 roundId);
    /// @notice Nothing is due at `roundId` (an executor that lost the race ends here, cheaply).
    error NoOrdersDue(uint80 roundId);
    /// @notice Orders of this series are due at the latest round: they execute before any other settlement.
    error OrdersDue();
    /// @notice The caller has nothing to claim.
    error NothingToClaim();

    /// @notice Places a mint order: escrows `assets` plus the execution fee (approved to this token).
    /// @param assets Settlement asset to spend, in its decimals (at least `minMintAssets`).
    /// @param minTokens Minimum tokens to receive, else the order is refunded.
    /// @param receiver Receiver of the tokens.
    /// @return id The order's id in the mint queue.
    function requestMint(uint256 assets, uint256 minTokens, address receiver) external returns (uint256 id);

    /// @notice Places a redeem order: escrows `tokens` of the caller.
    /// @param tokens Tokens to redeem (what remains with the caller must be 0 or at least `Series.MIN_BALANCE`).
    /// @param minAssets Minimum assets to receive after the execution fee, else the order is refunded.
    /// @param receiver Receiver of the assets.
    /// @return id The order's id in the redeem queue.
    function requestRedeem(uint256 tokens, uint256 minAssets, address receiver) external returns (uint256 id);

    /// @notice Executes, at oracle round `roundId`, up to `maxOrders` orders of each queue due at it, and
    ///         refunds expired ones; pays the executor the orders' execution fees. Reverts `OrderDueEarlier`
    ///         if an order is due at an earlier round, and `NoOrdersDue` if there is nothing to do.
    /// @param roundId The first usable round updated after the head orders' `dueAt` (`pendingRound`), or the
    ///        latest round to refund orders that expired without any round.
    /// @param maxOrders Most orders taken from each queue (a later call goes on where this one stopped).
    /// @return executed Orders executed or refunded.
    function executeOrders(uint80 roundId, uint256 maxOrders) external returns (uint256 executed);

    /// @notice `executeOrders` by the pool's `performUpkeep`, paying the execution fees to `executor`.
    function executeOrdersFor(uint80 roundId, uint256 maxOrders, address executor) external returns (uint256);

    /// @notice The round to execute the earliest due head order at: the first usable round updated after its
    ///         `dueAt` (searching back at most `MAX_ROUND_SCAN` rounds from the latest), the latest round if it
    ///         expired without one, else 0 (nothing due). What `checkUpkeep` and keepers name.
    function pendingRound() external view returns (uint80);

    /// @notice Collects the caller's claimable assets (pushes that failed).
    /// @return assets Assets sent.
    function claim() external returns (uint256 assets);

    /// @notice Sets the order parameters (called by the pool for every series).
    function setOrderParams(OrderParams calldata params) external;

    /// @notice Whether an order of this series is due at a round updated at `updatedAt` (its `dueAt` is
    ///         earlier): then no other settlement of the series may happen before it executes.
    function ordersDueBy(uint256 updatedAt) external view returns (bool);

    /// @notice Whether any order of this series is pending.
    function hasPendingOrders() external view returns (bool);

    /// @notice The order parameters in force.
    function orderParams() external view returns (uint32, uint32, uint64, uint128);

    /// @notice The pending order `id` of `kind` (zero fields once executed or refunded).
    function pendingOrder(Kind kind, uint256 id) external view returns (Order memory);

    /// @notice The owner (refund receiver) of pending order `id` of `kind`.
    function orderOwner(Kind kind, uint256 id) external view returns (address);

    /// @notice Queue bounds: orders `[head, tail)` of each kind are pending.
    function queues() external view returns (uint64 mintHead, uint64 mintTail, uint64 redeemHead, uint64 redeemTail);

    /// @notice Settlement asset a failed push left for `account`.
    function claimable(address account) external view returns (uint256);
}
