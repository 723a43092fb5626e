// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISeriesOrders} from "./ISeriesOrders.sol";

/// @title IERC7540Operator
/// @notice ERC-7540 operators: an operator may request, and claim, for its controller.
interface IERC7540Operator {
    /// @notice `controller` set `operator`'s approval to `approved`.
    event OperatorSet(address indexed controller, address indexed operator, bool approved);

    /// @notice Lets `operator` manage the caller's requests (or stops it).
    /// @return True.
    function setOperator(address operator, bool approved) external returns (bool);

    /// @notice Whether `operator` manages `controller`'s requests.
    function isOperator(address controller, address operator) external view returns (bool);
}

/// @title IERC7540Deposit
/// @notice ERC-7540 asynchronous deposits: request (assets escrowed), then claim the shares.
interface IERC7540Deposit {
    /// @notice `owner`'s `assets` were escrowed for `controller`'s deposit request (`requestId` 0: the
    ///         requests of a controller are aggregated).
    event DepositRequest(
        address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 assets
    );

    /// @notice Escrows `assets` from `owner` for a deposit request of `controller`.
    /// @return requestId Always 0 (requests are aggregated per controller).
    function requestDeposit(uint256 assets, address controller, address owner) external returns (uint256 requestId);

    /// @notice Assets of `controller`'s deposit requests not yet executed.
    function pendingDepositRequest(uint256 requestId, address controller) external view returns (uint256 assets);

    /// @notice Assets of `controller`'s executed deposit requests not yet claimed.
    function claimableDepositRequest(uint256 requestId, address controller) external view returns (uint256 assets);

    /// @notice Claims the shares of `assets` of `controller`'s claimable deposits to `receiver`.
    /// @return shares The shares transferred.
    function deposit(uint256 assets, address receiver, address controller) external returns (uint256 shares);

    /// @notice Claims `shares` of `controller`'s claimable deposits to `receiver`.
    /// @return assets The claimable assets they use up.
    function mint(uint256 shares, address receiver, address controller) external returns (uint256 assets);
}

/// @title IERC7540Redeem
/// @notice ERC-7540 asynchronous redemptions: request (shares escrowed), then claim the assets.
interface IERC7540Redeem {
    /// @notice `owner`'s `shares` were escrowed for `controller`'s redeem request (`requestId` 0).
    event RedeemRequest(
        address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 shares
    );

    /// @notice Escrows `shares` from `owner` for a redeem request of `controller`.
    /// @return requestId Always 0 (requests are aggregated per controller).
    function requestRedeem(uint256 shares, address controller, address owner) external returns (uint256 requestId);

    /// @notice Shares of `controller`'s redeem requests not yet executed (waiting ones included).
    function pendingRedeemRequest(uint256 requestId, address controller) external view returns (uint256 shares);

    /// @notice Shares of `controller`'s executed redeem requests whose assets are not yet claimed.
    function claimableRedeemRequest(uint256 requestId, address controller) external view returns (uint256 shares);
}

/// @title ILpOrdersBase
/// @notice The types, events and errors of the LP orders (`ILpOrders`), shared by the pool and its LP module.
interface ILpOrdersBase {
    /// @notice The LP queues' counters (order ids), in one word. Redeem orders in [redeemHead, redeemNext)
    ///         have met their round and wait for headroom; those in [redeemNext, redeemTail) have not.
    struct LpQueues {
        uint32 depositHead;
        uint32 depositTail;
        uint32 redeemHead;
        uint32 redeemNext;
        uint32 redeemTail;
        uint32 nextDue; // dueAt of the first order that has not met its round (0: none)
        uint32 lastDue; // the latest dueAt given: a new order is due no earlier
    }

    /// @notice One controller's requests: pending (escrowed, not executed) and claimable (executed).
    struct LpAccount {
        uint128 pendingDepositAssets;
        uint128 pendingRedeemShares;
        uint128 claimableDepositAssets;
        uint128 claimableDepositShares;
        uint128 claimableRedeemShares;
        uint128 claimableRedeemAssets;
    }

    /// @notice Which LP queue an order is in.
    enum LpKind {
        Deposit,
        Redeem
    }

    /// @notice LP order `id` of `kind` was placed: due at `dueAt`, bound `minOut` (shares for a deposit,
    ///         assets for a redeem), `executionFee` escrowed in assets.
    event LpOrderQueued(LpKind indexed kind, uint256 indexed id, address indexed controller, uint256 amount, uint256 minOut, uint256 dueAt, uint256 executionFee);
    /// @notice LP order `id` of `kind` executed at round `roundId`: `amount` (assets or shares) became
    ///         `out` claimable (shares or assets); a redeem may execute in several parts.
    event LpOrderExecuted(
        LpKind indexed kind, uint256 indexed id, address indexed controller, uint80 roundId, uint256 amount, uint256 out
    );
    /// @notice LP order `id` of `kind` was refunded to its controller (assets, or shares) for `reason`.
    event LpOrderRefunded(LpKind indexed kind, uint256 indexed id, address indexed controller, ISeriesOrders.RefundReason reason);
    /// @notice A refund push to `account` failed: `assets` wait for `claimRefund`.
    event RefundCredited(address indexed account, uint256 assets);
    /// @notice `account` collected `assets` of refunds.
    event RefundClaimed(address indexed account, uint256 assets);

    /// @notice `caller` may not act for `controller` (not the controller, nor its operator, nor approved).
    error NotOperator(address controller, address caller);
    /// @notice A claim of `requested` exceeds what is claimable (`claimable`).
    error ClaimExceeded(uint256 requested, uint256 claimable);
    /// @notice ERC-7540: the preview functions of an asynchronous vault always revert.
    error AsyncPreview();
    /// @notice A deposit order of `assets` is below the minimum `minimum` (the pool's `minMintAssets`).
    error LpOrderTooSmall(uint256 assets, uint256 minimum);
    /// @notice No LP order can execute at round `roundId` (none due, and it is not the latest for waiting ones).
    error NoLpOrdersDue(uint80 roundId);
    /// @notice LP order `id` of `kind` is due at an earlier usable round than `roundId`.
    error LpOrderDueEarlier(LpKind kind, uint256 id, uint80 roundId);
    /// @notice There are no refunds to claim.
    error NoRefund();

}

/// @title ILpOrders
/// @notice The pool's LP orders (SPEC sections 3a and 4): ERC-7540 requests on the ERC-4626 share accounting,
///         executed like the series orders at the price of the first usable oracle round after the request
///         time plus `minDelay`, after that round's series orders and rebalances; deposits first, then redeems
///         first-come up to the reserve's headroom above the floor and the utilization cap. A redeem order
///         that does not fill waits at the head of its queue and fills as headroom appears; no order can be
///         cancelled while it can still execute. Requests are aggregated per controller (`requestId` 0).
interface ILpOrders is ILpOrdersBase, IERC7540Operator, IERC7540Deposit, IERC7540Redeem {
    /// @notice `requestDeposit` with a bound: refunded if it would get fewer than `minShares`.
    function requestDeposit(uint256 assets, address controller, address owner, uint256 minShares)
        external
        returns (uint256 requestId);

    /// @notice `requestRedeem` with a bound: refunded if its shares would be worth less than `minAssets`
    ///         (for a partial fill, pro rata).
    function requestRedeem(uint256 shares, address controller, address owner, uint256 minAssets)
        external
        returns (uint256 requestId);

    /// @notice Executes the LP orders due at round `roundId` (up to `maxOrders` per queue) and the waiting
    ///         redeem orders as far as headroom allows; the execution fees go to the caller.
    /// @return executed Orders executed, filled in part, or refunded.
    function executeLpOrders(uint80 roundId, uint256 maxOrders) external returns (uint256 executed);

    /// @notice `executeLpOrders` for `performUpkeep` (the pool itself only), fees to `executor`.
    function executeLpOrdersFor(uint80 roundId, uint256 maxOrders, address executor) external returns (uint256);

    /// @notice The round at which the next LP orders execute (0: none due), as `ISeriesOrders.pendingRound`;
    ///         the latest round when only waiting redeem orders could fill.
    function lpPendingRound() external view returns (uint80);

    /// @notice Collects the caller's refunds whose push failed.
    function claimRefund() external returns (uint256 assets);

    /// @notice The LP queues' counters.
    function lpQueues() external view returns (LpQueues memory);

    /// @notice LP order `id` of `kind` (zero if not in its queue); `receiver` is its controller.
    function lpOrder(LpKind kind, uint256 id) external view returns (ISeriesOrders.Order memory);

    /// @notice Refunds of `account` whose push failed, in assets.
    function refundable(address account) external view returns (uint256);

    /// @notice ERC-7575: the share token (the pool itself).
    function share() external view returns (address);
}
