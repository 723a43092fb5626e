// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {IReservePool} from "../interfaces/IReservePool.sol";
import {ILeveragedToken} from "../interfaces/ILeveragedToken.sol";

/// @title PoolLens
/// @notice Reads every externally visible number of a pool, its series and a set of accounts in one call,
///         so that a status page, a keeper or a differential fuzzer needs one `eth_call` per block instead
///         of one per view. Stateless; holds no funds.
/// @dev Each view is called with a low-level `staticcall`: a view that reverts leaves 0 in its place and
///      sets its bit in `failed` (bit k = the k-th view call below, in order), so the lens itself never
///      reverts. Signed values (`reserve`, `netExposure`) are returned as their two's complement.
///      Layout of `values` (A = accounts.length, S = the pool's series count):
///      [0..15]  pool: poolAssets, reserve, liabilities, netExposure, floor, markPrice, totalAssets,
///               LP totalSupply, floorBreached, lastHealthReport, asset balance of the pool,
///               upkeepNeeded, upkeep series bitmap, upkeep healthDue, maxDeposit(accounts[0] or 0),
///               block.timestamp
///      then per account (4 each): asset balance, LP shares, maxWithdraw, maxRedeem
///      then per series (16 + A each): totalSupply, equityOf, exposureOf, navOf, leverageOf,
///               rebalanceStatusOf, state.equity, state.exposure, state.markPrice, state.settledAt,
///               state.lastRebalance, state.knockedOut, isLong, the token's previewMint(poolAssets / 64),
///               previewMint(poolAssets / 4) and previewRedeem(totalSupply / 2), then the token balance of
///               each account.
contract PoolLens {
    uint256 private constant POOL_FIELDS = 16;
    uint256 private constant ACCOUNT_FIELDS = 4;
    uint256 private constant SERIES_FIELDS = 16;

    /// @notice Every number of `pool` and of `accounts` (layout in the contract's notes).
    /// @param pool The reserve pool.
    /// @param accounts Accounts whose balances and limits to read.
    /// @return values The numbers, in the documented order.
    /// @return failed Bit k set if the k-th view call reverted (its value is then 0).
    function snapshot(IReservePool pool, address[] calldata accounts)
        external
        view
        returns (uint256[] memory values, uint256 failed)
    {
        address[] memory tokens = pool.series();
        uint256 a = accounts.length;
        values = new uint256[](POOL_FIELDS + a * ACCOUNT_FIELDS + tokens.length * (SERIES_FIELDS + a));
        Cursor memory c = Cursor(values, 0, 0, 0);
        address asset = IERC4626(address(pool)).asset();

        _read(c, address(pool), abi.encodeCall(IReservePool.poolAssets, ()));
        _read(c, address(pool), abi.encodeCall(IReservePool.reserve, ()));
        _read(c, address(pool), abi.encodeCall(IReservePool.liabilities, ()));
        _read(c, address(pool), abi.encodeCall(IReservePool.netExposure, ()));
        _read(c, address(pool), abi.encodeCall(IReservePool.floor, ()));
        _read(c, address(pool), abi.encodeCall(IReservePool.markPrice, ()));
        _read(c, address(pool), abi.encodeCall(IERC4626.totalAssets, ()));
        _read(c, address(pool), abi.encodeCall(IERC20.totalSupply, ()));
        _read(c, address(pool), abi.encodeWithSignature("floorBreached()"));
        _read(c, address(pool), abi.encodeWithSignature("lastHealthReport()"));
        _read(c, asset, abi.encodeCall(IERC20.balanceOf, (address(pool))));
        _readUpkeep(c, address(pool));
        _read(c, address(pool), abi.encodeCall(IERC4626.maxDeposit, (a == 0 ? address(0) : accounts[0])));
        c.values[c.i++] = block.timestamp;

        for (uint256 j; j < a; ++j) {
            address account = accounts[j];
            _read(c, asset, abi.encodeCall(IERC20.balanceOf, (account)));
            _read(c, address(pool), abi.encodeCall(IERC20.balanceOf, (account)));
            _read(c, address(pool), abi.encodeCall(IERC4626.maxWithdraw, (account)));
            _read(c, address(pool), abi.encodeCall(IERC4626.maxRedeem, (account)));
        }

        for (uint256 k; k < tokens.length; ++k) {
            address token = tokens[k];
            uint256 supplyAt = c.i;
            _read(c, token, abi.encodeCall(IERC20.totalSupply, ()));
            _read(c, address(pool), abi.encodeCall(IReservePool.equityOf, (token)));
            _read(c, address(pool), abi.encodeCall(IReservePool.exposureOf, (token)));
            _read(c, address(pool), abi.encodeCall(IReservePool.navOf, (token)));
            _read(c, address(pool), abi.encodeCall(IReservePool.leverageOf, (token)));
            _read(c, address(pool), abi.encodeCall(IReservePool.rebalanceStatusOf, (token)));
            _readState(c, pool, token);
            uint256 pooled = c.values[0];
            _read(c, token, abi.encodeCall(ILeveragedToken.previewMint, (pooled / 64)));
            _read(c, token, abi.encodeCall(ILeveragedToken.previewMint, (pooled / 4)));
            _read(c, token, abi.encodeCall(ILeveragedToken.previewRedeem, (c.values[supplyAt] / 2)));
            for (uint256 j; j < a; ++j) {
                _read(c, token, abi.encodeCall(IERC20.balanceOf, (accounts[j])));
            }
        }
        failed = c.failed;
    }

    struct Cursor {
        uint256[] values;
        uint256 i; // next value
        uint256 call; // next view call (bit in `failed`)
        uint256 failed;
    }

    /// @dev One single-word view.
    function _read(Cursor memory c, address target, bytes memory data) private view {
        (bool ok, bytes memory ret) = target.staticcall(data);
        if (ok && ret.length >= 32) c.values[c.i] = abi.decode(ret, (uint256));
        else c.failed |= 1 << c.call;
        ++c.i;
        ++c.call;
    }

    function _readUpkeep(Cursor memory c, address pool) private view {
        (bool ok, bytes memory ret) = pool.staticcall(abi.encodeWithSignature("checkUpkeep(bytes)", ""));
        if (ok) {
            (bool needed, bytes memory performData) = abi.decode(ret, (bool, bytes));
            c.values[c.i] = needed ? 1 : 0;
            if (performData.length >= 64) {
                (uint256 bitmap, bool healthDue) = abi.decode(performData, (uint256, bool));
                c.values[c.i + 1] = bitmap;
                c.values[c.i + 2] = healthDue ? 1 : 0;
            }
        } else {
            c.failed |= 1 << c.call;
        }
        c.i += 3;
        ++c.call;
    }

    function _readState(Cursor memory c, IReservePool pool, address token) private view {
        try pool.seriesState(token) returns (IReservePool.SeriesState memory st) {
            c.values[c.i] = st.equity;
            c.values[c.i + 1] = st.exposure;
            c.values[c.i + 2] = st.markPrice;
            c.values[c.i + 3] = st.settledAt;
            c.values[c.i + 4] = st.lastRebalance;
            c.values[c.i + 5] = st.knockedOut ? 1 : 0;
            c.values[c.i + 6] = st.isLong ? 1 : 0;
        } catch {
            c.failed |= 1 << c.call;
        }
        c.i += 7;
        ++c.call;
    }
}
