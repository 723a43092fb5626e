// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Series} from "../libraries/Series.sol";
import {Liabilities} from "../libraries/Liabilities.sol";
import {ISeriesOrders} from "../interfaces/ISeriesOrders.sol";
import {ILpOrders} from "../interfaces/ILpOrders.sol";

/// @dev Where `PoolStorage` starts in `ReservePool`: after the seven slots of its OpenZeppelin bases.
uint256 constant BOOK_SLOT_OF_POOL = 7;

/// @title PoolStorage
/// @notice Every storage variable of the pool in one place, packed by who reads it: the first pool word
///         (pool assets, series count, floor ratio, oracle max age) is read by every operation, the second
///         by health reports and rebalances, the third by mints, rebalances and LP withdrawals (the utilization cap, the minimum notional, the keeper reward's day); the two aggregate
///         words replace a loop over the series in every operation. The other bases
///         read and write these through their own functions.
/// @dev In `ReservePool` these follow the seven slots of the OpenZeppelin bases (ERC20 0-4, Ownable 5,
///      Ownable2Step's pending owner and Pausable's flag 6); its admin module `PoolAdmin` runs in the pool's
///      storage and keeps those slots free with `InheritedSlots`. Both constructors check that `_book`
///      starts at `BOOK_SLOT`, so a change to either inheritance list fails at deployment, not in use.
abstract contract PoolStorage {
    /// @notice Most series one pool backs (bounds the liabilities loop of every operation).
    uint256 public constant MAX_SERIES = 8;
    /// @dev The first slot of `_book`, the first variable of this contract, in the pool and in its module.
    uint256 internal constant BOOK_SLOT = BOOK_SLOT_OF_POOL;

    /// @dev Series live in a fixed array so the liabilities loop reads two slots per series and no address.
    Series.State[MAX_SERIES] internal _book;
    mapping(address token => uint256) internal _position; // index in _book + 1; 0 = not a series

    // pool word 1: read by every operation
    uint128 internal _poolAssets; // asset units
    uint8 internal _seriesCount;
    /// @notice Floor as a fraction of liabilities (WAD).
    uint64 public floorRatio;
    /// @notice Oracle answers older than this (seconds) are stale.
    uint32 public maxPriceAge;

    // pool word 2
    /// @notice Minimum seconds between two `reportHealth` calls.
    uint32 public healthInterval;
    /// @notice Timestamp of the last health report (0 = never).
    uint40 public lastHealthReport;
    /// @notice Whether the reserve was below the floor at the last state change.
    bool public floorBreached;
    /// @notice Flat reward per successful rebalance, asset units (0 = none).
    uint80 public keeperReward;
    /// @notice Most keeper reward paid per UTC day, asset units.
    uint96 public keeperRewardDailyCap;

    // pool word 3: read by mints, rebalances and LP withdrawals
    uint32 internal _rewardDay;
    uint80 internal _rewardPaidToday; // at most the daily cap: below 2^80 for any asset decimals
    /// @notice Utilization cap u (WAD): |net exposure|·P may not exceed u·reserve after a mint, an exposure
    ///         increase or an LP withdrawal.
    uint80 public maxUtilization;
    /// @notice Smallest notional |Δx|·P (WAD value) a rebalance may trade; smaller ones revert.
    uint64 public minTradeNotional;

    // liabilities and net exposure of all series, kept incrementally (two words)
    Liabilities.State internal _aggregates;

    /// @dev The order parameters every series token holds a copy of (set by `PoolAdmin.setOrderParams`, given to
    ///      a new series by `createSeries`); the pool itself never reads them.
    ISeriesOrders.OrderParams internal _orderParams;

    // LP orders (ERC-7540, `PoolLpOrders`): the two queues' counters in one word, the orders (an order's
    // `receiver` is its controller), each controller's pending and claimable amounts, operators, and the
    // refunds whose push failed.
    ILpOrders.LpQueues internal _lpQueues;
    mapping(uint256 id => ISeriesOrders.Order) internal _lpDeposits;
    mapping(uint256 id => ISeriesOrders.Order) internal _lpRedeems;
    mapping(address controller => ILpOrders.LpAccount) internal _lpAccounts;
    mapping(address controller => mapping(address operator => bool)) internal _operators;
    mapping(address account => uint256) internal _refundable;

    /// @dev Whether this transaction already paid a keeper reward (at most one per call; EIP-1153).
    bool internal transient _keeperPaid;

    constructor() {
        uint256 slot;
        assembly ("memory-safe") {
            slot := _book.slot
        }
        assert(slot == BOOK_SLOT); // the inheritance list changed the layout: see the contract's @dev
    }
}

/// @title OwnerSlots
/// @notice Slots 5 and 6 of `ReservePool`: Ownable's owner, Ownable2Step's pending owner and Pausable's flag.
///         The LP orders module, which inherits OpenZeppelin's ERC20 (slots 0-4: it moves the LP shares),
///         inherits this next so that its `PoolStorage` lands on the pool's slots. Nothing here is written.
abstract contract OwnerSlots {
    address private __owner; // Ownable, slot 5
    address private __pendingOwner; // Ownable2Step, slot 6
    /// @dev Pausable's `_paused`, packed after the pending owner in slot 6 (a test pins it: pause, then a batch).
    bool internal _pausedInPool;
}

/// @dev OpenZeppelin ERC20's five slots (0-4): balances, allowances, total supply, name, symbol.
abstract contract ERC20Slots {
    uint256[5] private __erc20Slots;
}

/// @title InheritedSlots
/// @notice The seven slots that `ReservePool`'s OpenZeppelin bases (ERC20, Ownable, Ownable2Step, Pausable)
///         occupy before `PoolStorage`. The pool's modules that do not move LP shares (`PoolAdmin`,
///         `PoolOrders`), which run in the pool's storage without those bases, inherit this first so that
///         their `PoolStorage` lands on the same slots. Only Pausable's flag is read (by `PoolOrders`: mints
///         refund while paused); nothing is written.
abstract contract InheritedSlots is ERC20Slots, OwnerSlots {}
