// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {ISeriesOrders, IOracleOfPool} from "../interfaces/ISeriesOrders.sol";
import {IReservePool} from "../interfaces/IReservePool.sol";
import {IReservePoolBase} from "../interfaces/IReservePoolBase.sol";
import {OrderRounds} from "../libraries/OrderRounds.sol";
import {Series} from "../libraries/Series.sol";

/// @title SeriesOrders
/// @notice The order book of one series token (SPEC section 3a, `ISeriesOrders`): two first-in first-out
///         queues (mints, redeems) in fixed rings, the escrow, the round check, and the batch that hands the
///         due orders to the pool, which prices them all at one NAV.
/// @dev Which round prices an order requested at `t`: the first usable round whose `updatedAt` is after its
///      `dueAt` = `t + minDelay`. An executor names the round; this contract checks it with the round before it
///      (the latest usable one, over at most `MAX_UNUSABLE_ROUNDS` unusable ones): an order due before that
///      one belongs to an earlier round (`OrderDueEarlier`). Past that many unusable rounds nothing can prove
///      a round first, so the orders due at it are refunded (`Unverifiable`) rather than priced or stranded.
///      Orders are in time order, so a queue is, from its head: orders expired at this round (it came after
///      `dueAt + maxOrderAge`), orders due at it, and orders not yet due. The slots of a ring are reused, so
///      a repeat request writes dirty slots.
abstract contract SeriesOrders is ERC20, ReentrancyGuardTransient, ISeriesOrders {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Most pending orders per queue.
    uint256 public constant QUEUE_SIZE = 1024;
    /// @notice Most rounds `pendingRound` reads back from the latest.
    uint256 public constant MAX_ROUND_SCAN = OrderRounds.MAX_ROUND_SCAN;
    /// @notice Most consecutive unusable rounds the round check walks back over (more: `Unverifiable`).
    uint256 public constant MAX_UNUSABLE_ROUNDS = OrderRounds.MAX_UNUSABLE_ROUNDS;

    IReservePool internal immutable _pool;
    IERC20 internal immutable _asset;
    AggregatorV3Interface internal immutable _oracle;
    uint8 internal immutable _oracleDecimals;

    OrderParams internal _params;
    uint32 private _mintHead;
    uint32 private _mintTail;
    uint32 private _redeemHead;
    uint32 private _redeemTail;
    /// @dev The latest `dueAt` given to an order: a new one is due no earlier, so both queues stay in time
    ///      order when `minDelay` is lowered.
    uint32 private _lastDue;
    Order[QUEUE_SIZE] private _mintRing;
    Order[QUEUE_SIZE] private _redeemRing;
    mapping(uint256 id => address) private _mintOwner; // only when it differs from the receiver
    mapping(uint256 id => address) private _redeemOwner;
    /// @inheritdoc ISeriesOrders
    mapping(address account => uint256) public claimable;

    /// @dev One queue's part of a batch.
    struct Take {
        uint256 head;
        uint256 n; // orders taken (executed, refunded or expired)
        Order[] orders;
        RefundReason[] refund; // None: executable; Expired or Unverifiable: refunded without a price
        IReservePool.OrderIn[] ins; // the executable ones, for the pool
    }

    /// @param pool_ The pool of the series (it deploys this token).
    constructor(IReservePool pool_) {
        _pool = pool_;
        _asset = IERC20(IERC4626(address(pool_)).asset());
        AggregatorV3Interface oracle_ = IOracleOfPool(address(pool_)).oracle();
        _oracle = oracle_;
        _oracleDecimals = oracle_.decimals();
    }

    modifier onlyPool() {
        if (msg.sender != address(_pool)) revert OnlyPool(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ requests

    /// @inheritdoc ISeriesOrders
    function requestMint(uint256 assets, uint256 minTokens, address receiver)
        external
        nonReentrant
        returns (uint256 id)
    {
        OrderParams memory op = _params;
        if (assets == 0 || assets < op.minMintAssets) revert OrderTooSmall(assets, op.minMintAssets);
        _pool.requireMintsOpen(address(this));
        id = _enqueue(Kind.Mint, receiver, op, assets, minTokens);
        _asset.safeTransferFrom(msg.sender, address(this), assets + op.executionFee);
    }

    /// @inheritdoc ISeriesOrders
    function requestRedeem(uint256 tokens, uint256 minAssets, address receiver)
        external
        nonReentrant
        returns (uint256 id)
    {
        if (tokens == 0) revert IReservePoolBase.ZeroAmount();
        _transfer(msg.sender, address(this), tokens); // the escrow; reverts beyond the balance
        _checkResidual(msg.sender);
        id = _enqueue(Kind.Redeem, receiver, _params, tokens, minAssets);
    }

    function _enqueue(Kind kind, address receiver, OrderParams memory op, uint256 amount, uint256 minOut)
        private
        returns (uint256 id)
    {
        if (receiver == address(0)) revert IReservePoolBase.ZeroAddress();
        bool isMint = kind == Kind.Mint;
        (uint32 head, uint32 tail) = isMint ? (_mintHead, _mintTail) : (_redeemHead, _redeemTail);
        if (tail - head >= QUEUE_SIZE) revert QueueFull(kind);
        id = tail;
        uint32 due = uint32(block.timestamp + op.minDelay);
        uint32 last = _lastDue;
        if (due < last) due = last;
        else _lastDue = due;
        _ring(kind)[id % QUEUE_SIZE] = Order({
            receiver: receiver,
            dueAt: due,
            executionFee: op.executionFee,
            amount: amount.toUint128(),
            minOut: minOut.toUint128()
        });
        if (receiver != msg.sender) _owners(kind)[id] = msg.sender;
        if (isMint) _mintTail = tail + 1;
        else _redeemTail = tail + 1;
        emit OrderRequested(kind, id, msg.sender, receiver, amount, minOut, op.executionFee);
    }

    // ------------------------------------------------------------------ execution

    /// @inheritdoc ISeriesOrders
    function executeOrders(uint80 roundId, uint256 maxOrders) external nonReentrant returns (uint256) {
        return _execute(roundId, maxOrders, msg.sender);
    }

    /// @inheritdoc ISeriesOrders
    function executeOrdersFor(uint80 roundId, uint256 maxOrders, address executor)
        external
        onlyPool
        nonReentrant
        returns (uint256)
    {
        return _execute(roundId, maxOrders, executor);
    }

    function _execute(uint80 roundId, uint256 maxOrders, address executor) private returns (uint256 executed) {
        OrderRounds.Round memory rd = OrderRounds.read(_oracle, _oracleDecimals, roundId, _params.maxOrderAge);
        Take memory m = _take(Kind.Mint, rd, maxOrders);
        Take memory r = _take(Kind.Redeem, rd, maxOrders);
        executed = m.n + r.n;
        if (executed == 0) revert NoOrdersDue(roundId);
        uint256 supply = totalSupply();
        uint256[] memory outs;
        uint8 mintRefund;
        int256 flow;
        if (m.ins.length + r.ins.length != 0) {
            (outs, mintRefund, flow) = _pool.executeOrders(rd.price, rd.prevAt, supply, m.ins, r.ins, false);
        }
        _mintHead = uint32(m.head + m.n);
        _redeemHead = uint32(r.head + r.n);
        uint256 fees = _settleMints(m, outs, mintRefund, roundId, supply);
        fees += _settleRedeems(r, outs, m.ins.length, roundId);
        if (flow > 0) _asset.safeTransfer(address(_pool), uint256(flow));
        _pay(executor, fees);
    }

    /// @dev Classifies up to `maxOrders` orders of `kind` from the head at round `rd`.
    function _take(Kind kind, OrderRounds.Round memory rd, uint256 maxOrders) private view returns (Take memory t) {
        (uint256 head, uint256 tail) =
            kind == Kind.Mint ? (uint256(_mintHead), uint256(_mintTail)) : (uint256(_redeemHead), uint256(_redeemTail));
        uint256 max = tail - head < maxOrders ? tail - head : maxOrders;
        t.head = head;
        t.orders = new Order[](max);
        t.refund = new RefundReason[](max);
        t.ins = new IReservePool.OrderIn[](max);
        Order[QUEUE_SIZE] storage ring = _ring(kind);
        uint256 nIn;
        for (; t.n < max; ++t.n) {
            uint256 id = head + t.n;
            Order memory o = ring[id % QUEUE_SIZE];
            OrderRounds.Verdict v = OrderRounds.classify(rd, o.dueAt, _oracle);
            if (v == OrderRounds.Verdict.NotDue) break;
            if (v == OrderRounds.Verdict.Earlier) revert OrderDueEarlier(kind, id, rd.id);
            t.orders[t.n] = o;
            if (v == OrderRounds.Verdict.Expired) t.refund[t.n] = RefundReason.Expired;
            else if (v == OrderRounds.Verdict.Unverifiable) t.refund[t.n] = RefundReason.Unverifiable;
            else {
                (uint256 amount, uint256 minOut) = (o.amount, o.minOut);
                // A redeem's bound covers its execution fee, which comes out of the assets.
                if (kind == Kind.Redeem) minOut += o.executionFee;
                t.ins[nIn++] = IReservePool.OrderIn(_ownerOf(kind, id, o.receiver), o.receiver, amount, minOut);
            }
        }
        IReservePool.OrderIn[] memory ins = t.ins;
        assembly ("memory-safe") {
            mstore(ins, nIn) // shorten to the executable ones
        }
    }

    function _settleMints(Take memory m, uint256[] memory outs, uint8 mintRefund, uint80 roundId, uint256 supply)
        private
        returns (uint256 fees)
    {
        uint256 k;
        bool minted;
        for (uint256 i; i < m.n; ++i) {
            Order memory o = m.orders[i];
            uint256 id = m.head + i;
            RefundReason reason = m.refund[i];
            if (reason == RefundReason.None) {
                uint256 out = outs[k++];
                if (out < Series.REFUNDED_CAPACITY) {
                    _mint(o.receiver, out);
                    minted = true;
                    fees += o.executionFee;
                    emit OrderExecuted(Kind.Mint, id, o.receiver, roundId, out);
                    continue;
                }
                if (out == Series.REFUNDED_CAPACITY) reason = RefundReason.Capacity;
                else reason = mintRefund != 0 ? RefundReason(mintRefund) : RefundReason.Slippage;
            }
            address owner = _ownerOf(Kind.Mint, id, o.receiver);
            _pay(owner, uint256(o.amount) + o.executionFee);
            emit OrderRefunded(Kind.Mint, id, owner, reason);
        }
        if (minted && supply == 0) _mint(Series.LOCK_ADDRESS, Series.LOCKED_SUPPLY); // SPEC "Minimum sizes"
    }

    function _settleRedeems(Take memory r, uint256[] memory outs, uint256 k, uint80 roundId)
        private
        returns (uint256 fees)
    {
        uint256 burned;
        for (uint256 i; i < r.n; ++i) {
            Order memory o = r.orders[i];
            uint256 id = r.head + i;
            RefundReason reason = r.refund[i];
            if (reason == RefundReason.None) {
                uint256 out = outs[k++];
                if (out != Series.REFUNDED) {
                    burned += o.amount;
                    fees += o.executionFee;
                    _pay(o.receiver, out - o.executionFee);
                    emit OrderExecuted(Kind.Redeem, id, o.receiver, roundId, out - o.executionFee);
                    continue;
                }
                reason = RefundReason.Slippage;
            }
            address owner = _ownerOf(Kind.Redeem, id, o.receiver);
            _transfer(address(this), owner, o.amount);
            emit OrderRefunded(Kind.Redeem, id, owner, reason);
        }
        if (burned != 0) _burn(address(this), burned);
    }

    // ------------------------------------------------------------------ claims, parameters, views

    /// @inheritdoc ISeriesOrders
    function claim() external nonReentrant returns (uint256 assets) {
        assets = claimable[msg.sender];
        if (assets == 0) revert NothingToClaim();
        claimable[msg.sender] = 0;
        _asset.safeTransfer(msg.sender, assets);
        emit Claimed(msg.sender, assets);
    }

    /// @inheritdoc ISeriesOrders
    function setOrderParams(OrderParams calldata params) external onlyPool {
        _params = params;
        emit OrderParamsUpdated(params);
    }

    /// @inheritdoc ISeriesOrders
    function ordersDueBy(uint256 updatedAt) public view returns (bool) {
        (uint32 mh, uint32 mt, uint32 rh, uint32 rt) = (_mintHead, _mintTail, _redeemHead, _redeemTail);
        if (mh < mt && _mintRing[mh % QUEUE_SIZE].dueAt < updatedAt) return true;
        return rh < rt && _redeemRing[rh % QUEUE_SIZE].dueAt < updatedAt;
    }

    /// @inheritdoc ISeriesOrders
    function pendingRound() external view returns (uint80) {
        (uint32 mh, uint32 mt, uint32 rh, uint32 rt) = (_mintHead, _mintTail, _redeemHead, _redeemTail);
        uint256 due = type(uint256).max;
        if (mh < mt) due = _mintRing[mh % QUEUE_SIZE].dueAt;
        if (rh < rt && _redeemRing[rh % QUEUE_SIZE].dueAt < due) due = _redeemRing[rh % QUEUE_SIZE].dueAt;
        if (due == type(uint256).max) return 0;
        return OrderRounds.pendingRound(_oracle, _oracleDecimals, due, _params.maxOrderAge);
    }

    /// @inheritdoc ISeriesOrders
    function hasPendingOrders() external view returns (bool) {
        return _mintHead != _mintTail || _redeemHead != _redeemTail;
    }

    /// @inheritdoc ISeriesOrders
    function orderParams() external view returns (uint32, uint32, uint64, uint128) {
        OrderParams memory op = _params;
        return (op.minDelay, op.maxOrderAge, op.executionFee, op.minMintAssets);
    }

    /// @inheritdoc ISeriesOrders
    function pendingOrder(Kind kind, uint256 id) external view returns (Order memory o) {
        (uint32 head, uint32 tail) = kind == Kind.Mint ? (_mintHead, _mintTail) : (_redeemHead, _redeemTail);
        if (id >= head && id < tail) o = _ring(kind)[id % QUEUE_SIZE];
    }

    /// @inheritdoc ISeriesOrders
    function orderOwner(Kind kind, uint256 id) external view returns (address) {
        return _ownerOf(kind, id, _ring(kind)[id % QUEUE_SIZE].receiver);
    }

    /// @inheritdoc ISeriesOrders
    function queues() external view returns (uint64, uint64, uint64, uint64) {
        return (_mintHead, _mintTail, _redeemHead, _redeemTail);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Reverts `ResidualTooSmall` if `account` is left with more than 0 and less than `MIN_BALANCE`.
    function _checkResidual(address account) internal view virtual;

    /// @dev Pushes `assets` to `to`; a failed transfer becomes claimable instead of blocking the batch.
    function _pay(address to, uint256 assets) private {
        if (assets == 0) return;
        if (!_asset.trySafeTransfer(to, assets)) {
            claimable[to] += assets;
            emit ClaimableCredited(to, assets);
        }
    }

    function _ownerOf(Kind kind, uint256 id, address receiver) private view returns (address owner) {
        owner = _owners(kind)[id];
        if (owner == address(0)) owner = receiver;
    }

    function _ring(Kind kind) private view returns (Order[QUEUE_SIZE] storage) {
        return kind == Kind.Mint ? _mintRing : _redeemRing;
    }

    function _owners(Kind kind) private view returns (mapping(uint256 => address) storage) {
        return kind == Kind.Mint ? _mintOwner : _redeemOwner;
    }
}
