// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title PoolMath
/// @notice The pool-wide rules of SPEC section 4 as pure arithmetic: reserve, floor, utilization and the
///         utilization cap. `ReserveBook` applies them to the pool's storage; `OrderPricing` to a batch's
///         running totals (and so to the token's previews). All values are WAD.
library PoolMath {
    using SafeCast for uint256;

    uint256 internal constant WAD = 1e18;

    /// @notice Reserve R = pool assets (WAD) - liabilities; negative when the pool is insolvent.
    function reserveOf(uint256 pooledWad, uint256 totalLiabilities) internal pure returns (int256) {
        return pooledWad.toInt256() - totalLiabilities.toInt256();
    }

    /// @notice Floor ceil(floorRatio * liabilities) (round up: the stricter floor).
    function floorOf(uint256 totalLiabilities, uint256 floorRatio) internal pure returns (uint256) {
        return Math.mulDiv(totalLiabilities, floorRatio, WAD, Math.Rounding.Ceil);
    }

    /// @notice |net|*p / r, rounded down; the maximum when the reserve is not positive and there is exposure.
    function utilization(int256 net, uint256 p, int256 r) internal pure returns (uint256) {
        uint256 absNet = SignedMath.abs(net);
        if (absNet == 0) return 0;
        if (r <= 0) return type(uint256).max;
        return Math.mulDiv(Math.mulDiv(absNet, p, WAD), WAD, uint256(r));
    }

    /// @notice Whether moving net exposure from `netBefore` to `netAfter` breaks the cap `cap` at `p` with
    ///         reserve `r`: only a move that raises |net| can, and it does when |netAfter|*p (rounded up)
    ///         exceeds cap*r (rounded down), or when the reserve is not positive.
    function overCap(int256 netBefore, int256 netAfter, uint256 p, int256 r, uint256 cap) internal pure returns (bool) {
        uint256 absAfter = SignedMath.abs(netAfter);
        if (absAfter <= SignedMath.abs(netBefore)) return false;
        if (r <= 0) return true;
        return Math.mulDiv(absAfter, p, WAD, Math.Rounding.Ceil) > Math.mulDiv(uint256(r), cap, WAD);
    }
}
