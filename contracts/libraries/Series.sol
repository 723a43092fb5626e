// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IReservePoolBase} from "../interfaces/IReservePoolBase.sol";
import {SeriesMath} from "./SeriesMath.sol";
import {RebalancePolicy} from "./RebalancePolicy.sol";
import {Liabilities} from "./Liabilities.sol";

/// @title Series
/// @notice One leveraged series as a storage struct and everything that happens to it (SPEC section 3):
///         valuation, settlement, knock-out, the share of a mint or a redeem, and the rebalance plan that a
///         rebalance, its status view and the keepers' checks all share. Pool-wide concerns (liabilities,
///         floor, pause, asset transfers) stay with the pool, which calls these functions on its book,
///         as Uniswap v4's `PoolManager` does with `Pool.State`.
library Series {
    using SafeCast for uint256;

    uint256 internal constant WAD = 1e18;
    /// @notice Highest allowed max leverage (10x).
    uint256 internal constant MAX_LEVERAGE = 10e18;
    /// @notice Highest mint or redeem fee (1%).
    uint256 internal constant MAX_TRADE_FEE = 0.01e18;
    /// @notice Highest rebalance spread (1%).
    uint256 internal constant MAX_SPREAD = 0.01e18;
    /// @notice Highest streaming fee (10% a year).
    uint256 internal constant MAX_STREAMING_FEE = 0.1e18;
    /// @notice Fallback interval bounds (0 disables the trigger).
    uint256 internal constant MIN_FALLBACK = 1 hours;
    uint256 internal constant MAX_FALLBACK = 7 days;
    /// @notice Initial NAV per token bounds (WAD).
    uint256 internal constant MIN_INITIAL_NAV = 1e15;
    uint256 internal constant MAX_INITIAL_NAV = 1e24;
    /// @notice Tokens a first mint locks forever (SPEC "Minimum sizes"), as Uniswap v2 locks its minimum
    ///         liquidity: the supply never returns to 0 or to dust, and the first minter pays for them.
    uint256 internal constant LOCKED_SUPPLY = 1e9;
    /// @notice Smallest balance a redeem may leave its holder (0 is always allowed).
    uint256 internal constant MIN_BALANCE = 1e9;
    /// @notice What a batch returns for an order refunded instead of executed (reason: its bound, or the
    ///         batch-wide reason of all its mints).
    uint256 internal constant REFUNDED = type(uint256).max;
    /// @notice What a batch returns for a mint refunded because it did not fit the floor or the cap.
    uint256 internal constant REFUNDED_CAPACITY = type(uint256).max - 1;
    /// @notice Holder of the locked supply (no known key).
    address internal constant LOCK_ADDRESS = 0x000000000000000000000000000000000000dEaD;

    /// @dev Slots 0-1 are read by every valuation; 2-3 by rebalances and fees; 4 by a first mint and views.
    struct State {
        // slot 0
        uint112 equity; // E0, WAD
        uint112 exposure; // x, WAD units of the underlying
        uint32 settledAt;
        // slot 1
        uint128 markPrice; // P0, WAD
        uint64 streamingFee; // WAD per 365 days
        uint40 lastRebalance;
        bool isLong;
        bool knockedOut;
        // slot 2: what every rebalance reads (a Drift rebalance reads no other policy slot)
        uint64 targetLeverage;
        uint64 minLeverage;
        uint64 maxLeverage;
        uint64 spread;
        // slot 3: trade fees and the time triggers
        uint64 mintFee;
        uint64 redeemFee;
        uint32 fallbackInterval;
        uint24 scheduleOffset; // reserved: daily Scheduled trigger (later issue)
        bool scheduled; // reserved
        // slot 4: read only on a first mint, by views and by keepers' checks
        address token;
        uint96 initialNav;
        // slot 5: reserved for the hidden target commitment (later issue)
        bytes32 targetCommitment;
    }

    /// @notice What a rebalance at one price would do. `trigger` is `None` when no trigger holds and
    ///         `KnockOut` when the spread cost would take all the equity.
    struct Plan {
        IReservePoolBase.Trigger trigger;
        uint256 leverageBefore;
        uint256 exposureBefore;
        uint256 exposureAfter;
        uint256 notional; // |exposureAfter - exposureBefore|·p, WAD value rounded down
        uint256 cost;
    }

    // ------------------------------------------------------------------ valuation and settlement

    /// @notice Equity at `p` net of the streaming fee accrued since the last settlement; `p` = 0 (oracle
    ///         unusable, views only) values the series at its own last settled mark price.
    function equityNow(State storage s, uint256 p) internal view returns (uint256) {
        uint256 p0 = s.markPrice;
        uint256 equity = SeriesMath.equityAt(s.equity, s.exposure, p0, p == 0 ? p0 : p, s.isLong);
        return equity - SeriesMath.streamingFee(equity, s.streamingFee, block.timestamp - s.settledAt);
    }

    /// @notice Equity at `p` in WAD², exact and before the accrued streaming fee: max(0, c + s·x·p), what
    ///         the series adds to the liabilities (`Liabilities`); `p` = 0 values it at its own mark price.
    function equityWad2(State storage s, uint256 p) internal view returns (uint256) {
        uint256 p0 = s.markPrice;
        return Liabilities.equityWad2(s.equity, s.exposure, p0, p == 0 ? p0 : p, s.isLong);
    }

    /// @notice The series' terms in the pool's aggregates: offset c = E0·WAD − s·x·P0 and signed exposure s·x.
    function terms(State storage s) internal view returns (int256 c, int256 sx) {
        (uint256 e0, uint256 x, bool isLong) = (s.equity, s.exposure, s.isLong);
        return (Liabilities.offsetOf(e0, x, s.markPrice, isLong), Liabilities.signedExposure(x, isLong));
    }

    /// @notice Settles the series at `p`: accrues the streaming fee to the reserve, marks equity and price,
    ///         and knocks the series out if it has holders (`supply` > 0) and no equity left.
    /// @return equity The settled equity (0 once knocked out).
    function settle(State storage s, address token, uint256 p, uint256 supply) internal returns (uint256 equity) {
        if (s.knockedOut) return 0;
        equity = equityNow(s, p);
        if (equity == 0 && supply != 0) {
            emit IReservePoolBase.KnockedOut(token, p, s.equity);
            s.equity = 0;
            s.exposure = 0;
            s.knockedOut = true;
        } else {
            s.equity = equity.toUint112(); // a gain past uint112 reverts instead of vanishing
        }
        s.markPrice = p.toUint128();
        s.settledAt = uint32(block.timestamp);
    }

    /// @notice Ends the series when a rebalance's spread cost would take all of its `equity` (which the
    ///         reserve keeps): no exposure may be left without equity behind it.
    function knockOut(State storage s, address token, uint256 p, uint256 equity) internal {
        s.equity = 0;
        s.exposure = 0;
        s.knockedOut = true;
        emit IReservePoolBase.KnockedOut(token, p, equity);
    }

    /// @notice NAV per token; reads `initialNav` (a cold slot) only for an empty series.
    function nav(State storage s, uint256 equity, uint256 supply) internal view returns (uint256) {
        return SeriesMath.nav(equity, supply, supply == 0 ? s.initialNav : 0);
    }

    // ------------------------------------------------------------------ mint and redeem

    /// @notice Tokens that `net` (WAD, after the fee) buys at the NAV of a settled series with `equity` and
    ///         `supply`, rounded down (SPEC section 3): every order of a batch is priced at the same NAV, so
    ///         the sum of the floors never lowers it.
    function tokensFor(State storage s, uint256 net, uint256 equity, uint256 supply) internal view returns (uint256) {
        return SeriesMath.tokensForMint(net, supply, equity, supply == 0 ? s.initialNav : 0);
    }

    /// @notice The exposure once `net` (WAD) is added to a settled series with `equity` and `supply`
    ///         (`SeriesMath.exposureAfterMint`): scaled so leverage is unchanged; a first mint sets it at
    ///         target, and so does a mint into a series outside its band, whose new money enters at target
    ///         instead of at the drifted leverage (a series too small to trade the minimum notional can sit far
    ///         outside its band, and a mint must not inherit that).
    function exposureAfterMint(State storage s, uint256 p, uint256 equity, uint256 supply, uint256 net)
        internal
        view
        returns (uint256)
    {
        return SeriesMath.exposureAfterMint(
            s.exposure, p, equity, supply, net, s.targetLeverage, s.minLeverage, s.maxLeverage
        );
    }

    /// @notice Adds a batch's `net` (WAD) to a settled series with `equity` and `supply`, at the exposure
    ///         `exposureAfterMint` gives; a first mint counts as a rebalance for the fallback.
    function mint(State storage s, uint256 p, uint256 equity, uint256 supply, uint256 net) internal {
        s.exposure = exposureAfterMint(s, p, equity, supply, net).toUint112();
        if (supply == 0) s.lastRebalance = uint40(block.timestamp);
        s.equity = (equity + net).toUint112();
    }

    /// @notice Takes `gross` (WAD, at most `equity`) out of a settled series; exposure shrinks pro rata,
    ///         rounded so that the remaining leverage never rises.
    function redeem(State storage s, uint256 equity, uint256 gross) internal {
        uint256 newEquity = equity - gross;
        s.exposure = SeriesMath.scaleExposure(s.exposure, newEquity, equity).toUint112();
        s.equity = uint112(newEquity);
    }

    // ------------------------------------------------------------------ rebalance

    /// @notice The trigger that holds at leverage `lev`: Drift first; the time triggers' slot is read only
    ///         when the series is inside its band.
    function triggerAt(State storage s, uint256 lev) internal view returns (IReservePoolBase.Trigger) {
        if (RebalancePolicy.drifted(lev, s.minLeverage, s.maxLeverage)) return IReservePoolBase.Trigger.Drift;
        if (RebalancePolicy.fallbackDue(s.fallbackInterval, s.lastRebalance)) return IReservePoolBase.Trigger.Fallback;
        return IReservePoolBase.Trigger.None;
    }

    /// @notice What a rebalance of the series, settled at `p` with `equity` > 0, would do: the trigger, the
    ///         new exposure at target and the spread cost (SPEC section 3).
    function plan(State storage s, uint256 p, uint256 equity) internal view returns (Plan memory pl) {
        uint256 x = s.exposure;
        pl.exposureBefore = x;
        pl.leverageBefore = SeriesMath.leverage(x, p, equity);
        pl.trigger = triggerAt(s, pl.leverageBefore);
        if (pl.trigger == IReservePoolBase.Trigger.None) return pl;
        uint256 xNew = SeriesMath.exposureFor(s.targetLeverage, equity, p);
        pl.exposureAfter = xNew;
        uint256 traded = xNew > x ? xNew - x : x - xNew;
        pl.notional = SeriesMath.notional(traded, p);
        pl.cost = SeriesMath.spreadCost(traded, p, s.spread);
        if (pl.cost >= equity) pl.trigger = IReservePoolBase.Trigger.KnockOut;
    }

    /// @notice Applies a plan whose trigger fired: exposure at target, spread cost out of equity.
    /// @return newEquity The equity after the cost.
    function rebalance(State storage s, Plan memory pl, uint256 equity) internal returns (uint256 newEquity) {
        newEquity = equity - pl.cost;
        s.equity = uint112(newEquity);
        s.exposure = pl.exposureAfter.toUint112();
        s.lastRebalance = uint40(block.timestamp);
    }

    // ------------------------------------------------------------------ parameters

    /// @notice Reverts unless `initialNav` and `params` are within bounds (checked before the token exists).
    function validateNew(uint256 initialNav, IReservePoolBase.SeriesParams calldata params) internal pure {
        checkBounds("initialNav", initialNav, MIN_INITIAL_NAV, MAX_INITIAL_NAV);
        validate(params);
    }

    /// @notice Creates the series in an empty slot, with parameters `validateNew` accepted.
    function initialize(
        State storage s,
        address token,
        bool isLong,
        uint256 initialNav,
        IReservePoolBase.SeriesParams calldata params
    ) internal {
        s.token = token;
        s.isLong = isLong;
        s.initialNav = uint96(initialNav);
        s.settledAt = uint32(block.timestamp);
        s.lastRebalance = uint40(block.timestamp);
        store(s, params);
    }

    /// @notice Reverts unless 1x < min < target < max <= 10x (or min = 0), the fallback is 0 or
    ///         1 h..7 d, and fees and spread are within their caps.
    function validate(IReservePoolBase.SeriesParams calldata p) internal pure {
        uint256 minL = p.minLeverage;
        uint256 target = p.targetLeverage;
        uint256 maxL = p.maxLeverage;
        bool bandOk =
            target > WAD && target < maxL && maxL <= MAX_LEVERAGE && (minL == 0 || (minL > WAD && minL < target));
        if (!bandOk) revert IReservePoolBase.InvalidLeverageBand(minL, target, maxL);
        if (p.fallbackInterval != 0) checkBounds("fallbackInterval", p.fallbackInterval, MIN_FALLBACK, MAX_FALLBACK);
        checkBounds("mintFee", p.mintFee, 0, MAX_TRADE_FEE);
        checkBounds("redeemFee", p.redeemFee, 0, MAX_TRADE_FEE);
        checkBounds("streamingFee", p.streamingFee, 0, MAX_STREAMING_FEE);
        checkBounds("spread", p.spread, 0, MAX_SPREAD);
    }

    /// @notice Reverts `ParameterOutOfBounds` unless `min` <= `value` <= `max`.
    function checkBounds(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert IReservePoolBase.ParameterOutOfBounds(name, value, min, max);
    }

    /// @notice Stores validated parameters.
    function store(State storage s, IReservePoolBase.SeriesParams calldata p) internal {
        s.targetLeverage = p.targetLeverage;
        s.minLeverage = p.minLeverage;
        s.maxLeverage = p.maxLeverage;
        s.fallbackInterval = p.fallbackInterval;
        s.mintFee = p.mintFee;
        s.redeemFee = p.redeemFee;
        s.streamingFee = p.streamingFee;
        s.spread = p.spread;
    }

    /// @notice The series' parameters.
    function params(State storage s) internal view returns (IReservePoolBase.SeriesParams memory) {
        return IReservePoolBase.SeriesParams({
            targetLeverage: s.targetLeverage,
            minLeverage: s.minLeverage,
            maxLeverage: s.maxLeverage,
            fallbackInterval: s.fallbackInterval,
            mintFee: s.mintFee,
            redeemFee: s.redeemFee,
            streamingFee: s.streamingFee,
            spread: s.spread
        });
    }

    /// @notice The series' settled state.
    function state(State storage s) internal view returns (IReservePoolBase.SeriesState memory) {
        return IReservePoolBase.SeriesState({
            equity: s.equity,
            exposure: s.exposure,
            markPrice: s.markPrice,
            settledAt: s.settledAt,
            lastRebalance: s.lastRebalance,
            initialNav: s.initialNav,
            isLong: s.isLong,
            knockedOut: s.knockedOut
        });
    }
}
