// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IERC7540Deposit, IERC7540Redeem} from "./interfaces/ILpOrders.sol";
import {ISeriesOrders} from "./interfaces/ISeriesOrders.sol";
import {IReservePool} from "./interfaces/IReservePool.sol";
import {LpShares} from "./libraries/LpShares.sol";
import {OrderRounds} from "./libraries/OrderRounds.sol";
import {LpOrdersBase} from "./base/LpOrdersBase.sol";
import {LpClaims} from "./base/LpClaims.sol";

/// @title PoolLpOrders
/// @notice The LP orders of a pool (`ILpOrders`, ERC-7540 on its ERC-4626 shares; SPEC sections 3a and 4):
///         requests escrow assets (deposits) or shares (redeems) in the pool; an execution at an oracle round
///         prices every LP order due at that round at one share price, taken after the round's series orders
///         and rebalances; deposits become claimable shares, redeems claimable assets, first-come up to the
///         reserve's headroom above the floor and the utilization cap. A redeem order that does not fill waits
///         at the head of its queue (no later order passes it) and fills at a later execution.
/// @dev A module of the pool, run by delegatecall from the pool's stubs so that it acts on the pool's storage,
///      LP shares and events: its layout is OpenZeppelin's ERC20 (slots 0-4, the shares), `OwnerSlots`, then
///      `PoolStorage` (checked by its constructor). It is deployed on its own (the pool's initcode has no room
///      for it) and given to the pool's constructor, which checks that its asset and oracle are the pool's.
///      Called directly, it reverts `NotDelegated`. The claims, operators and refunds are `base/LpClaims`; the
///      layout, the guard and the pushes `base/LpOrdersBase`.
contract PoolLpOrders is LpClaims {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @param oracle_ The pool's price feed.
    /// @param asset_ The pool's settlement asset.
    constructor(AggregatorV3Interface oracle_, IERC20Metadata asset_) LpOrdersBase(oracle_, asset_) {}

    /// @dev One execution at one round: the share price before it (asset units unless marked WAD).
    struct Batch {
        uint80 roundId;
        bool priced; // the share price at the round is known (the pool's state is at it)
        bool headroomKnown;
        uint256 price;
        int256 reserve; // WAD, before the batch
        uint256 totalAssets; // max(0, reserve) in asset units
        uint256 supply; // LP shares before the batch
        uint256 headroom; // assets redeem orders may still take
        uint256 depositAssets;
        uint256 depositShares;
        uint256 redeemShares;
        uint256 redeemAssets;
        uint256 fees;
        uint256 n; // orders taken
    }

    // ------------------------------------------------------------------ requests

    /// @notice `ILpOrders.requestDeposit`, run by delegatecall from the pool.
    function requestDeposit(uint256 assets, address controller, address owner) external returns (uint256) {
        return _requestDeposit(assets, controller, owner, 0);
    }

    /// @notice `ILpOrders.requestDeposit`, run by delegatecall from the pool.
    function requestDeposit(uint256 assets, address controller, address owner, uint256 minShares)
        external
        returns (uint256)
    {
        return _requestDeposit(assets, controller, owner, minShares);
    }

    /// @notice `ILpOrders.requestRedeem`, run by delegatecall from the pool.
    function requestRedeem(uint256 shares, address controller, address owner) external returns (uint256) {
        return _requestRedeem(shares, controller, owner, 0);
    }

    /// @notice `ILpOrders.requestRedeem`, run by delegatecall from the pool.
    function requestRedeem(uint256 shares, address controller, address owner, uint256 minAssets)
        external
        returns (uint256)
    {
        return _requestRedeem(shares, controller, owner, minAssets);
    }

    function _requestDeposit(uint256 assets, address controller, address owner, uint256 minShares)
        private
        onlyDelegated
        nonReentrant
        returns (uint256)
    {
        if (owner != msg.sender && !_operators[owner][msg.sender]) revert NotOperator(owner, msg.sender);
        ISeriesOrders.OrderParams memory op = _orderParams;
        if (assets == 0 || assets < op.minMintAssets) revert LpOrderTooSmall(assets, op.minMintAssets);
        _enqueue(LpKind.Deposit, controller, op, assets, minShares);
        _lpAccounts[controller].pendingDepositAssets += assets.toUint128();
        lpAsset.safeTransferFrom(owner, address(this), assets + op.executionFee);
        emit IERC7540Deposit.DepositRequest(controller, owner, 0, msg.sender, assets);
        return 0;
    }

    function _requestRedeem(uint256 shares, address controller, address owner, uint256 minAssets)
        private
        onlyDelegated
        nonReentrant
        returns (uint256)
    {
        if (shares == 0) revert ZeroAmount();
        if (owner != msg.sender && !_operators[owner][msg.sender]) _spendAllowance(owner, msg.sender, shares);
        ISeriesOrders.OrderParams memory op = _orderParams;
        _transfer(owner, address(this), shares); // the escrow; reverts beyond the balance
        _enqueue(LpKind.Redeem, controller, op, shares, minAssets);
        _lpAccounts[controller].pendingRedeemShares += shares.toUint128();
        if (op.executionFee != 0) lpAsset.safeTransferFrom(owner, address(this), op.executionFee);
        emit IERC7540Redeem.RedeemRequest(controller, owner, 0, msg.sender, shares);
        return 0;
    }

    function _enqueue(LpKind kind, address controller, ISeriesOrders.OrderParams memory op, uint256 amount, uint256 minOut)
        private
    {
        if (controller == address(0)) revert ZeroAddress();
        LpQueues memory q = _lpQueues;
        uint32 due = uint32(block.timestamp + op.minDelay);
        if (due < q.lastDue) due = q.lastDue;
        else q.lastDue = due;
        if (q.nextDue == 0) q.nextDue = due; // every order not yet at its round is due no earlier
        ISeriesOrders.Order memory o = ISeriesOrders.Order(controller, due, op.executionFee, amount.toUint128(), minOut.toUint128());
        uint256 id;
        if (kind == LpKind.Deposit) {
            id = q.depositTail++;
            _lpDeposits[id] = o;
        } else {
            id = q.redeemTail++;
            _lpRedeems[id] = o;
        }
        _lpQueues = q;
        emit LpOrderQueued(kind, id, controller, amount, minOut, due, op.executionFee);
    }

    // ------------------------------------------------------------------ execution

    /// @notice `ILpOrders.executeLpOrders`, run by delegatecall from the pool.
    function executeLpOrders(uint80 roundId, uint256 maxOrders) external onlyDelegated nonReentrant returns (uint256) {
        return _execute(roundId, maxOrders, msg.sender);
    }

    /// @notice `ILpOrders.executeLpOrdersFor`, run by delegatecall from the pool.
    function executeLpOrdersFor(uint80 roundId, uint256 maxOrders, address executor)
        external
        onlyDelegated
        nonReentrant
        returns (uint256)
    {
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        return _execute(roundId, maxOrders, executor);
    }

    function _execute(uint80 roundId, uint256 maxOrders, address executor) private returns (uint256) {
        OrderRounds.Round memory rd =
            OrderRounds.read(oracle, _feedDecimals(), roundId, _orderParams.maxOrderAge);
        LpQueues memory q = _lpQueues;
        Batch memory b;
        b.roundId = roundId;
        _deposits(b, rd, q, maxOrders);
        _redeems(b, rd, q, maxOrders);
        if (b.n == 0) revert NoLpOrdersDue(roundId);
        q.nextDue = _nextDue(q);
        _lpQueues = q;
        if (b.depositShares != 0) _mint(address(this), b.depositShares); // claimable: held until claimed
        uint256 pooled = _poolAssets + b.depositAssets - b.redeemAssets;
        _poolAssets = pooled.toUint128();
        if (b.redeemShares != 0) _burn(address(this), b.redeemShares);
        if (b.priced) _syncFloorAt(pooled, b.price);
        _push(executor, b.fees);
        return b.n;
    }

    /// @dev Prices batch `b` at round `rd` (once): the share price once the series are at that round. Every
    ///      series order due by then must have executed and, at the latest round, no series may have a
    ///      rebalance due (SPEC 3a: they come first). An LP order due at the round keeps every later settlement
    ///      away (`LpOrdersDue`), so the pool's state is then the state at the round.
    function _priceAt(Batch memory b, OrderRounds.Round memory rd) private view {
        if (b.priced) return;
        bool latest = OrderRounds.isLatest(rd, oracle);
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            address token = _book[i].token;
            if (ISeriesOrders(token).ordersDueBy(rd.at)) revert SeriesOrdersDue(token);
            if (latest && IReservePool(address(this)).rebalanceStatusOf(token) != 0) revert RebalanceDue(token);
        }
        b.priced = true;
        b.price = rd.price;
        (b.reserve,) = _reserveAndFloor(_poolAssets, _liabilities(rd.price));
        b.totalAssets = b.reserve <= 0 ? 0 : uint256(b.reserve) / _assetScale();
        b.supply = totalSupply();
    }

    /// @dev Executes or refunds the deposit orders that meet round `rd`, from the head.
    function _deposits(Batch memory b, OrderRounds.Round memory rd, LpQueues memory q, uint256 maxOrders) private {
        uint256 id = q.depositHead;
        for (uint256 k; id < q.depositTail && k < maxOrders; ++k) {
            ISeriesOrders.Order memory o = _lpDeposits[id];
            OrderRounds.Verdict v = OrderRounds.classify(rd, o.dueAt, oracle);
            if (v == OrderRounds.Verdict.NotDue) break;
            if (v == OrderRounds.Verdict.Earlier) revert LpOrderDueEarlier(LpKind.Deposit, id, rd.id);
            LpAccount storage a = _lpAccounts[o.receiver];
            a.pendingDepositAssets -= o.amount;
            ISeriesOrders.RefundReason reason = _reason(v);
            uint256 shares;
            if (v == OrderRounds.Verdict.Due) {
                _priceAt(b, rd);
                b.fees += o.executionFee;
                shares = LpShares.toShares(o.amount, b.totalAssets, b.supply, Math.Rounding.Floor);
                if (b.reserve < 0) reason = ISeriesOrders.RefundReason.Deficit;
                else if (shares == 0 || shares < o.minOut) reason = ISeriesOrders.RefundReason.Slippage;
            }
            if (reason == ISeriesOrders.RefundReason.None) {
                a.claimableDepositAssets += o.amount;
                a.claimableDepositShares += shares.toUint128();
                b.depositAssets += o.amount;
                b.depositShares += shares;
                emit LpOrderExecuted(LpKind.Deposit, id, o.receiver, b.roundId, o.amount, shares);
            } else {
                // An expired order also gets its execution fee back; one refunded at its round paid it.
                _push(o.receiver, v == OrderRounds.Verdict.Due ? o.amount : uint256(o.amount) + o.executionFee);
                emit LpOrderRefunded(LpKind.Deposit, id, o.receiver, reason);
            }
            ++id;
            ++b.n;
        }
        q.depositHead = uint32(id);
    }

    /// @dev Redeem orders: first the waiting ones fill from the head while headroom lasts (at the latest
    ///      round, or at a round that prices other orders), then the orders that meet round `rd` join the
    ///      waiting ones (paying their execution fee) and fill in turn.
    function _redeems(Batch memory b, OrderRounds.Round memory rd, LpQueues memory q, uint256 maxOrders) private {
        uint256 k;
        if (q.redeemHead < q.redeemNext && (b.priced || (rd.usable && rd.verifiable && OrderRounds.isLatest(rd, oracle)))) {
            _priceRedeems(b, rd);
            for (; q.redeemHead < q.redeemNext && k < maxOrders; ++k) {
                (bool done, bool acted) = _fill(b, q.redeemHead);
                if (acted) ++b.n;
                if (!done) break;
                ++q.redeemHead;
            }
        }
        for (uint256 id = q.redeemNext; id < q.redeemTail && k < maxOrders; ++k) {
            ISeriesOrders.Order memory o = _lpRedeems[id];
            OrderRounds.Verdict v = OrderRounds.classify(rd, o.dueAt, oracle);
            if (v == OrderRounds.Verdict.NotDue) break;
            if (v == OrderRounds.Verdict.Earlier) revert LpOrderDueEarlier(LpKind.Redeem, id, rd.id);
            ++b.n;
            q.redeemNext = uint32(id + 1);
            if (v != OrderRounds.Verdict.Due) {
                _refundRedeem(id, o, _reason(v), true);
                if (q.redeemHead == id) ++q.redeemHead;
                else _lpRedeems[id].amount = 0; // behind waiting orders: skipped when the head reaches it
            } else {
                _priceRedeems(b, rd);
                b.fees += o.executionFee;
                if (q.redeemHead == id) {
                    (bool done,) = _fill(b, id);
                    if (done) ++q.redeemHead;
                }
            }
            ++id;
        }
    }

    /// @dev `_priceAt`, and the headroom redeems may take once the batch's deposits are in.
    function _priceRedeems(Batch memory b, OrderRounds.Round memory rd) private view {
        if (b.headroomKnown) return;
        _priceAt(b, rd);
        b.headroom = _headroom(b.price, _poolAssets + b.depositAssets);
        b.headroomKnown = true;
    }

    /// @dev Fills redeem order `id` (which has met its round) as far as headroom allows: whether it is done
    ///      (filled, refunded, or an empty slot) or waits, and whether anything happened to it.
    function _fill(Batch memory b, uint256 id) private returns (bool done, bool acted) {
        ISeriesOrders.Order storage slot = _lpRedeems[id];
        ISeriesOrders.Order memory o = slot;
        if (o.amount == 0) return (true, false); // refunded while behind waiting orders
        uint256 all = LpShares.toAssets(o.amount, b.totalAssets, b.supply, Math.Rounding.Floor);
        if (b.reserve < 0 || all == 0 || all < o.minOut) {
            _refundRedeem(id, o, b.reserve < 0 ? ISeriesOrders.RefundReason.Deficit : ISeriesOrders.RefundReason.Slippage, false);
            return (true, true);
        }
        (uint256 shares, uint256 assets) = (o.amount, all);
        if (all > b.headroom) {
            shares = LpShares.toShares(b.headroom, b.totalAssets, b.supply, Math.Rounding.Floor);
            assets = LpShares.toAssets(shares, b.totalAssets, b.supply, Math.Rounding.Floor); // <= headroom
        }
        if (shares == 0) return (false, false);
        b.headroom -= assets;
        b.redeemShares += shares;
        b.redeemAssets += assets;
        LpAccount storage a = _lpAccounts[o.receiver];
        a.pendingRedeemShares -= shares.toUint128();
        a.claimableRedeemShares += shares.toUint128();
        a.claimableRedeemAssets += assets.toUint128();
        emit LpOrderExecuted(LpKind.Redeem, id, o.receiver, b.roundId, shares, assets);
        if (shares == o.amount) return (true, true);
        // The rest waits; its bound keeps the order's price (rounded down with the amount).
        slot.amount = uint128(o.amount - shares);
        slot.minOut = uint128(Math.mulDiv(o.minOut, o.amount - shares, o.amount));
        return (false, true);
    }

    function _refundRedeem(uint256 id, ISeriesOrders.Order memory o, ISeriesOrders.RefundReason reason, bool feeBack)
        private
    {
        _lpAccounts[o.receiver].pendingRedeemShares -= o.amount;
        _transfer(address(this), o.receiver, o.amount);
        if (feeBack) _push(o.receiver, o.executionFee);
        emit LpOrderRefunded(LpKind.Redeem, id, o.receiver, reason);
    }

    function _nextDue(LpQueues memory q) private view returns (uint32 due) {
        if (q.depositHead < q.depositTail) due = _lpDeposits[q.depositHead].dueAt;
        if (q.redeemNext < q.redeemTail) {
            uint32 r = _lpRedeems[q.redeemNext].dueAt;
            if (due == 0 || r < due) due = r;
        }
    }

    function _reason(OrderRounds.Verdict v) private pure returns (ISeriesOrders.RefundReason) {
        if (v == OrderRounds.Verdict.Expired) return ISeriesOrders.RefundReason.Expired;
        if (v == OrderRounds.Verdict.Unverifiable) return ISeriesOrders.RefundReason.Unverifiable;
        return ISeriesOrders.RefundReason.None;
    }

    /// @notice `updatedAt` of the latest usable round before the oracle's latest round (0 if none is known):
    ///         the pool's rule "LP orders of an earlier round first" (`ReserveBook._lpOrdersFirst`). Reads the
    ///         oracle only, so the pool calls it directly.
    function latestPrevAt() external view returns (uint256 at) {
        (uint80 latest,,,,) = oracle.latestRoundData();
        (at,) = OrderRounds.prevAt(oracle, _feedDecimals(), latest);
    }

    /// @notice `ILpOrders.lpPendingRound`, run by delegatecall from the pool.
    function lpPendingRound() external view onlyDelegated returns (uint80) {
        return _lpPendingRound();
    }

    /// @notice `ReservePool.checkUpkeep`, run by delegatecall from the pool: which series have orders to
    ///         execute (and at which round), which need a rebalance (or a knock-out settlement; asked of the
    ///         pool's `rebalanceStatusOf`, the rebalance's own decision), whether LP orders are due, and whether
    ///         a health report is due.
    /// @dev Never reverts. Empty `performData` when the oracle is unusable and no order is due; else
    ///      abi.encode(uint256 seriesBitmap, bool healthDue, uint80[] rounds, uint80 lpRound):
    ///      `rounds[i]` != 0 is the round series i's orders execute at (`pendingRound`; empty when none is
    ///      due), `lpRound` the LP orders' (`lpPendingRound`, 0: none). A series with due orders is not flagged
    ///      for a rebalance: it settles nowhere else first.
    function checkUpkeep(bytes calldata) external view onlyDelegated returns (bool, bytes memory) {
        (bool ok,,) = _priceUsable();
        uint256 bitmap;
        uint256 n = _seriesCount;
        uint80[] memory rounds = new uint80[](n);
        bool orders;
        for (uint256 i; i < n; ++i) {
            address token = _book[i].token;
            uint80 r = ISeriesOrders(token).pendingRound();
            if (r != 0) (rounds[i], orders) = (r, true);
            else if (ok && IReservePool(address(this)).rebalanceStatusOf(token) != 0) bitmap |= 1 << i;
        }
        if (!orders) rounds = new uint80[](0);
        uint80 lpRound = _lpPendingRound();
        if (!ok && !orders && lpRound == 0) return (false, ""); // an unusable oracle and no order: nothing to do
        bool healthDue = ok && _healthDue();
        return (bitmap != 0 || healthDue || orders || lpRound != 0, abi.encode(bitmap, healthDue, rounds, lpRound));
    }

    function _lpPendingRound() private view returns (uint80) {
        LpQueues memory q = _lpQueues;
        if (q.nextDue != 0) {
            uint80 r = OrderRounds.pendingRound(oracle, _feedDecimals(), q.nextDue, _orderParams.maxOrderAge);
            if (r != 0) return r;
        }
        if (q.redeemHead == q.redeemNext) return 0;
        (bool ok, uint256 p,) = _priceUsable();
        if (!ok) return 0;
        // Waiting orders fill at the latest round, if it is verifiable and at least one share's worth of headroom
        // is there (an execution that would fill nothing reverts).
        (uint80 latest,,,,) = oracle.latestRoundData();
        (, bool verifiable) = OrderRounds.prevAt(oracle, _feedDecimals(), latest);
        if (!verifiable) return 0;
        (int256 r,) = _reserveAndFloor(_poolAssets, _liabilities(p));
        uint256 ta = r <= 0 ? 0 : uint256(r) / _assetScale();
        if (LpShares.toShares(_headroom(p, _poolAssets), ta, totalSupply(), Math.Rounding.Floor) == 0) return 0;
        return latest;
    }
}
