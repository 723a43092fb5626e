// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title Liabilities
/// @notice The pool's liabilities and net exposure from two aggregates kept incrementally, exactly equal to
///         the per-series sums (SPEC section 4): `Λ(P) = Σ max(0, E_i(P))`, net exposure `Σ s_i·x_i`.
/// @dev A series' equity at price P, in WAD² (value × 1e18, no rounding): `E_i(P)·WAD = c_i + s_i·x_i·P` with
///      the offset `c_i = E0_i·WAD − s_i·x_i·P0_i`. The pool keeps `offsetSum = Σ c_i` and
///      `exposureSum = Σ s_i·x_i`, updated by each series' delta whenever the series changes, so
///      `Σ E_i(P)·WAD = offsetSum + exposureSum·P`. That sum equals `Σ max(0, E_i(P))·WAD` when every series
///      has `E_i(P) > 0`, which holds for P strictly between the two frontiers: `longFrontier` is at or
///      above the knock-out price `P0 − E0·WAD/x` of every long series, `shortFrontier` at or below the
///      knock-out price `P0 + E0·WAD/x` of every short one. The frontiers only widen on updates (O(1));
///      a price outside them makes the caller sum the series one by one (exact), and a state change then
///      recomputes both frontiers tightly. Frontiers are stored in 64 bits as `m·2^e` (56-bit mantissa),
///      rounded outwards, so the test is conservative and never wrong.
library Liabilities {
    using SafeCast for uint256;
    using SafeCast for int256;

    uint256 internal constant WAD = 1e18;
    uint256 private constant MANTISSA_BITS = 56;
    uint64 private constant NO_SHORT_RISK = type(uint64).max; // decodes above any usable price

    struct State {
        // slot 0
        int256 offsetSum; // Σ c_i, WAD²
        // slot 1
        int128 exposureSum; // Σ s_i·x_i, WAD units of the underlying
        uint64 longFrontier; // encoded, rounded up; 0 = no long series at risk
        uint64 shortFrontier; // encoded, rounded down; NO_SHORT_RISK until a short series has exposure
    }

    /// @notice Sets the frontiers to "no series at risk" (a new pool).
    function initialize(State storage a) internal {
        a.shortFrontier = NO_SHORT_RISK;
    }

    /// @notice The offset c = E0·WAD − s·x·P0 of one series (WAD²).
    function offsetOf(uint256 e0, uint256 x, uint256 p0, bool isLong) internal pure returns (int256) {
        int256 xp = (x * p0).toInt256();
        return (e0 * WAD).toInt256() - (isLong ? xp : -xp);
    }

    /// @notice The signed exposure s·x of one series.
    function signedExposure(uint256 x, bool isLong) internal pure returns (int256) {
        int256 sx = x.toInt256();
        return isLong ? sx : -sx;
    }

    /// @notice One series' equity at `p` in WAD², max(0, c + s·x·p).
    function equityWad2(uint256 e0, uint256 x, uint256 p0, uint256 p, bool isLong) internal pure returns (uint256) {
        int256 e = offsetOf(e0, x, p0, isLong) + signedExposure(x, isLong) * p.toInt256();
        return e > 0 ? uint256(e) : 0;
    }

    /// @notice Records a series' change from (`c0`, `sx0`) to (`c1`, `sx1`) and widens the frontier of its side
    ///         to the series' new knock-out price.
    function update(State storage a, int256 c0, int256 sx0, int256 c1, int256 sx1, uint256 e0, uint256 x, uint256 p0, bool isLong)
        internal
    {
        a.offsetSum += c1 - c0;
        a.exposureSum = (int256(a.exposureSum) + sx1 - sx0).toInt128();
        if (x == 0) return;
        // Compared decoded (a shift) and encoded only when the frontier moves: the same result as comparing
        // the encodings, since a frontier is representable.
        if (isLong) {
            uint256 k = longKnockOut(e0, x, p0);
            if (k > decode(a.longFrontier)) a.longFrontier = encodeUp(k);
        } else {
            uint256 k = shortKnockOut(e0, x, p0);
            if (k < decode(a.shortFrontier)) a.shortFrontier = encodeDown(k);
        }
    }

    /// @notice Sets both frontiers tightly (after the caller summed every series).
    function setFrontiers(State storage a, uint256 longK, uint256 shortK) internal {
        a.longFrontier = encodeUp(longK);
        a.shortFrontier = shortK == type(uint256).max ? NO_SHORT_RISK : encodeDown(shortK);
    }

    /// @notice `(true, Λ·WAD)` when `p` lies strictly inside the frontiers (every series has equity > 0 and
    ///         the aggregates are exact); `(false, 0)` when the caller must sum the series one by one.
    function totalWad2(State storage a, uint256 p) internal view returns (bool inside, uint256 total) {
        if (p == 0 || p <= decode(a.longFrontier) || p >= decode(a.shortFrontier)) return (false, 0);
        int256 sum = a.offsetSum + int256(a.exposureSum) * p.toInt256();
        return (true, uint256(sum)); // positive: a sum of positive equities
    }

    /// @notice The price at or below which a long series' equity is 0: P0 − floor(E0·WAD/x), at least 0
    ///         (at or above the exact knock-out price).
    function longKnockOut(uint256 e0, uint256 x, uint256 p0) internal pure returns (uint256) {
        uint256 q = e0 * WAD / x; // round down: the knock-out price rounds up (e0 < 2^112: no overflow)
        return q >= p0 ? 0 : p0 - q;
    }

    /// @notice The price at or above which a short series' equity is 0: P0 + floor(E0·WAD/x) (at or below
    ///         the exact knock-out price).
    function shortKnockOut(uint256 e0, uint256 x, uint256 p0) internal pure returns (uint256) {
        return p0 + e0 * WAD / x; // round down
    }

    /// @notice Liabilities in WAD from `total` in WAD², rounded down. Each series' equity view rounds its own
    ///         WAD² value down, so the result is at least the sum of those views (what holders can claim)
    ///         and at most that sum plus one wei per series: the reserve is never overstated.
    function toWad(uint256 total) internal pure returns (uint256) {
        return total / WAD;
    }

    /// @notice The smallest 64-bit `m·2^e` (56-bit m, 8-bit e) at or above `v`.
    function encodeUp(uint256 v) internal pure returns (uint64) {
        if (v >> MANTISSA_BITS == 0) return uint64(v);
        uint256 e = Math.log2(v) + 1 - MANTISSA_BITS;
        uint256 m = v >> e;
        if (m << e < v) ++m;
        if (m >> MANTISSA_BITS != 0) (m, e) = (m >> 1, e + 1); // m overflowed to 2^56: 2^55·2^(e+1), exact
        if (e > 0xff) return type(uint64).max;
        return uint64((e << MANTISSA_BITS) | m);
    }

    /// @notice The largest 64-bit `m·2^e` at or below `v`.
    function encodeDown(uint256 v) internal pure returns (uint64) {
        if (v >> MANTISSA_BITS == 0) return uint64(v);
        uint256 e = Math.log2(v) + 1 - MANTISSA_BITS;
        if (e > 0xff) return type(uint64).max - 1;
        return uint64((e << MANTISSA_BITS) | (v >> e));
    }

    /// @notice The value of an encoded frontier (`NO_SHORT_RISK`: above every price).
    function decode(uint64 b) internal pure returns (uint256) {
        if (b == NO_SHORT_RISK) return type(uint256).max;
        return uint256(b & ((1 << MANTISSA_BITS) - 1)) << (b >> MANTISSA_BITS);
    }
}
