"""Mutation testing of the contracts: does the suite notice a wrong rounding, comparison or check?

Each `Mutant` replaces one exact snippet of one contract source (the snippet must occur exactly once in
its file). `run_mutant` applies it in an isolated git worktree (never in the main checkout, where others
compile and test), compiles there, and runs the killing stages in order until one fails:

1. ``fuzz``: the in-process differential fuzzer (revm; raw storage compared with the model every step,
   every view every 16 steps, invariants), derandomized so every mutant sees the same programs;
2. ``tests``: the targeted pytest files in `TARGETED_TESTS`;
3. ``unit``: the other unit-test files in `UNIT_TESTS`;
4. ``full``: the whole suite (about 15 minutes here; only for what survived the others, if time allows).

A mutant is killed by the first stage whose command exits non-zero; the score is killed / valid mutants
(a mutant that does not compile is reported and left out of the score). The worktree's file is restored
with `git checkout` after each mutant. `python -m levtoken.mutation` (or `make mutate`) runs every mutant
and prints a table; docs/testing.md lists the mutants, the score and every survivor with its reason.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORKTREE = Path("/tmp/mut")
DEFAULT_LOG_DIR = Path("/tmp/mut-logs")
STAGES: tuple[str, ...] = ("fuzz", "tests", "unit", "full")
TARGETED_TESTS: tuple[str, ...] = (
    "tests/test_model.py",
    "tests/test_differential.py",
    "tests/test_regressions.py",
    "tests/test_rebalance.py",
    "tests/test_floor.py",
)
# The other unit-test files that exercise the contracts directly (the slow fuzz, gas, demo, deployment, keeper
# and wallet suites are left to the full stage).
UNIT_TESTS: tuple[str, ...] = (
    "tests/test_mint.py",
    "tests/test_redeem.py",
    "tests/test_admin.py",
    "tests/test_oracle.py",
    "tests/test_health.py",
    "tests/test_lp_vault.py",
    "tests/test_knockout.py",
    "tests/test_insolvency.py",
    "tests/test_automation.py",
    "tests/test_token.py",
    "tests/test_error_coverage.py",
    "tests/test_worked_examples.py",
    "tests/test_utilization_cap.py",
    "tests/test_series_retirement.py",
    "tests/test_admin_module.py",
    "tests/test_orders.py",
    "tests/test_order_capacity.py",
    "tests/test_previews.py",
)

_POOL = "contracts/ReservePool.sol"
_ORDERS = "contracts/PoolOrders.sol"
_PRICING = "contracts/libraries/OrderPricing.sol"
_POOL_MATH = "contracts/libraries/PoolMath.sol"
_BOOK_OF_ORDERS = "contracts/base/SeriesOrders.sol"
_BOOK = "contracts/base/ReserveBook.sol"
_VAULT = "contracts/base/ReserveVault.sol"
_LP = "contracts/PoolLpOrders.sol"
_ROUNDS = "contracts/libraries/OrderRounds.sol"
_LP_BASE = "contracts/base/LpOrdersBase.sol"
_AUTOMATION = "contracts/base/PoolAutomation.sol"
_TOKEN = "contracts/LeveragedToken.sol"
_ADMIN = "contracts/PoolAdmin.sol"
_SERIES = "contracts/libraries/Series.sol"
_MATH = "contracts/libraries/SeriesMath.sol"
_LIAB = "contracts/libraries/Liabilities.sol"
_ORACLE = "contracts/libraries/OraclePrice.sol"
_POLICY = "contracts/libraries/RebalancePolicy.sol"


@dataclass(frozen=True)
class Mutant:
    """One source change: `original` (occurring exactly once in `file`) becomes `replacement`."""

    id: str
    file: str  # relative to the repository root
    original: str
    replacement: str
    description: str
    kind: str  # rounding | comparison | check | bound


def _m(id_: str, file: str, original: str, replacement: str, description: str, kind: str) -> Mutant:
    return Mutant(id_, file, original, replacement, description, kind)


_CEIL = ", Math.Rounding.Ceil)"

MUTANTS: tuple[Mutant, ...] = (
    # ------------------------------------------------------------------ rounding directions
    _m("R01", _MATH, "return e0 + Math.mulDiv(x, move, WAD);",
       "return e0 + Math.mulDiv(x, move, WAD, Math.Rounding.Ceil);", "equityAt: holders' gain rounded up",
       "rounding"),
    _m("R02", _MATH, "uint256 loss = Math.mulDiv(x, move, WAD, Math.Rounding.Ceil);",
       "uint256 loss = Math.mulDiv(x, move, WAD);", "equityAt: holders' loss rounded down", "rounding"),
    _m("R03", _MATH, "Math.mulDiv(equity, annualRate * elapsed, WAD * YEAR, Math.Rounding.Ceil)",
       "Math.mulDiv(equity, annualRate * elapsed, WAD * YEAR)", "streamingFee rounded down", "rounding"),
    _m("R06", _MATH, "return Math.mulDiv(amount, rate, WAD, Math.Rounding.Ceil);",
       "return Math.mulDiv(amount, rate, WAD);", "feeOf (mint and redeem fee) rounded down", "rounding"),
    _m("R08", _MATH, "return Math.mulDiv(net, supply, equity);",
       "return Math.mulDiv(net, supply, equity, Math.Rounding.Ceil);", "tokensForMint rounded up",
       "rounding"),
    _m("R09", _MATH, "return Math.mulDiv(tokens, equity, supply);",
       "return Math.mulDiv(tokens, equity, supply, Math.Rounding.Ceil);",
       "claimOf (gross redeem claim) rounded up", "rounding"),
    _m("R11", _MATH, "return Math.mulDiv(targetLeverage, equity, price);",
       "return Math.mulDiv(targetLeverage, equity, price, Math.Rounding.Ceil);",
       "exposureFor (rebalance target) rounded up", "rounding"),
    _m("R13", _MATH, "spread, WAD, Math.Rounding.Ceil);",
       "spread, WAD);", "spreadCost: cost rounded down", "rounding"),
    _m("R14", _PRICING, "fee = SeriesMath.feeOf(gross, b.mintFee);",
       "fee = Math.mulDiv(gross, b.mintFee, 1e18);", "mint fee rounded down (redeem fee unchanged)",
       "rounding"),
    _m("R15", _PRICING, "fee = SeriesMath.feeOf(gross, b.redeemFee);",
       "fee = Math.mulDiv(gross, b.redeemFee, 1e18);", "redeem fee rounded down (mint fee unchanged)",
       "rounding"),
    _m("R16", _PRICING, "assets = payout / b.scale; // round down",
       "assets = Math.ceilDiv(payout, b.scale); // round up",
       "redeem payout in asset units rounded up (/ -> ceilDiv)", "rounding"),
    _m("R17", _POOL_MATH, "return Math.mulDiv(totalLiabilities, floorRatio, WAD, Math.Rounding.Ceil);",
       "return Math.mulDiv(totalLiabilities, floorRatio, WAD);", "floor rounded down (laxer floor)",
       "rounding"),
    _m("R18", _LIAB, "return total / WAD;",
       "return Math.ceilDiv(total, WAD);", "liabilities WAD\u00b2 -> WAD rounded up (/ -> ceilDiv)",
       "rounding"),
    _m("R20", _LIAB, "if (m << e < v) ++m;",
       "", "encodeUp rounds down (long frontier below the knock-out)", "rounding"),
    _m("R22", _POOL_MATH, "return Math.mulDiv(Math.mulDiv(absNet, p, WAD), WAD, uint256(r));",
       "return Math.mulDiv(Math.mulDiv(absNet, p, WAD), WAD, uint256(r), Math.Rounding.Ceil);",
       "health utilization rounded up (event only)", "rounding"),
    _m("R04", _MATH, "return Math.mulDiv(Math.mulDiv(x, price, WAD), WAD, equity);",
       "return Math.mulDiv(Math.mulDiv(x, price, WAD, Math.Rounding.Ceil), WAD, equity);",
       "leverage: x*P rounded up (band checks see a higher leverage)", "rounding"),
    _m("R10", _MATH, "return Math.mulDiv(x, equityAfter, equityBefore);",
       "return Math.mulDiv(x, equityAfter, equityBefore, Math.Rounding.Ceil);",
       "scaleExposure rounded up (leverage may rise through rounding)", "rounding"),
    # ------------------------------------------------------------ comparisons (band edges, floor, frontiers)
    _m("C01", _POLICY, "return lev < minLeverage || lev > maxLeverage;",
       "return lev <= minLeverage || lev > maxLeverage;", "Drift at the band's lower edge (< -> <=)",
       "comparison"),
    _m("C02", _POLICY, "return lev < minLeverage || lev > maxLeverage;",
       "return lev < minLeverage || lev >= maxLeverage;", "Drift at the band's upper edge (> -> >=)",
       "comparison"),
    _m("C04", _MATH, "return loss >= e0 ? 0 : e0 - loss;",
       "return loss > e0 ? 0 : e0 - loss;", "equityAt: loss equal to equity (>= -> >)", "comparison"),
    _m("C05", _MATH, "return fee >= equity ? equity - 1 : fee;",
       "return fee > equity ? equity - 1 : fee;",
       "streaming fee cap off by one (>= -> >: a fee equal to equity knocks out)", "comparison"),
    _m("C06", _SERIES, "if (pl.cost >= equity) pl.trigger = IReservePoolBase.Trigger.KnockOut;",
       "if (pl.cost > equity) pl.trigger = IReservePoolBase.Trigger.KnockOut;",
       "spread cost equal to equity no longer knocks out (>= -> >)", "comparison"),
    _m("C07", _PRICING, "if (r < fl.toInt256()) return (Room.BelowFloor, r, fl, 0);",
       "if (r <= fl.toInt256()) return (Room.BelowFloor, r, fl, 0);",
       "mint: reserve exactly at the floor refused", "comparison"),
    _m("C08", _POOL, "if (r < fl.toInt256()) return (pl, Gate.BelowFloor, r, fl);",
       "if (r <= fl.toInt256()) return (pl, Gate.BelowFloor, r, fl);",
       "rebalance increase: reserve exactly at the floor refused", "comparison"),
    _m("C09", _BOOK, "bool breached = r < fl.toInt256();",
       "bool breached = r <= fl.toInt256();", "floor breach flag at the floor (< -> <=)", "comparison"),
    _m("C10", _PRICING, "if (pooledWad < b.liabilities) payout",
       "if (pooledWad <= b.liabilities) payout", "pro-rata redemption also when assets equal liabilities",
       "comparison"),
    _m("C11", _POOL, "bool increase = pl.exposureAfter > pl.exposureBefore;",
       "bool increase = pl.exposureAfter >= pl.exposureBefore;",
       "a rebalance that keeps the exposure counts as an increase", "comparison"),
    _m("C12", _LIAB, "p <= decode(a.longFrontier)",
       "p < decode(a.longFrontier)", "a price exactly on the long frontier counts as inside", "comparison"),
    _m("C15", _ORACLE, "wad > MAX_PRICE",
       "wad >= MAX_PRICE", "MAX_PRICE itself refused (> -> >=)", "comparison"),
    _m("C16", _ORACLE, "if (answer <= 0)",
       "if (answer < 0)", "a zero answer passes the sign check", "comparison"),
    _m("C03", _POLICY, "block.timestamp >= lastRebalance + fallbackInterval",
       "block.timestamp > lastRebalance + fallbackInterval", "Fallback due one second late (>= -> >)",
       "comparison"),
    _m("C14", _ORACLE, "if (block.timestamp - updatedAt > maxAge)",
       "if (block.timestamp - updatedAt >= maxAge)", "a price exactly maxAge old is stale (> -> >=)",
       "comparison"),
    _m("C19", _BOOK, "return last == 0 || block.timestamp >= last + healthInterval;",
       "return last == 0 || block.timestamp > last + healthInterval;",
       "health report due one second late (>= -> >)", "comparison"),
    _m("C20", _LP, "if (b.reserve < 0) reason = ISeriesOrders.RefundReason.Deficit;",
       "if (b.reserve <= 0) reason = ISeriesOrders.RefundReason.Deficit;",
       "LP deposit orders refunded at a zero reserve", "comparison"),
    # ------------------------------------------------------------------ removed checks
    _m("K01", _PRICING, "if (tokens == 0 || tokens < minTokens) why",
       "if (tokens == 0) why", "mint slippage check removed", "check"),
    _m("K02", _ORDERS, "if (assets < o.minOut) {",
       "if (false) {", "redeem slippage check removed", "check"),
    _m("K03", _PRICING, "if (r < fl.toInt256()) return (Room.BelowFloor, r, fl, 0);",
       "", "mint floor check removed", "check"),
    _m("K04", _ORDERS, "if (s.knockedOut) b.mintsClosed = ISeriesOrders.RefundReason.KnockedOut;",
       "if (false) b.mintsClosed = ISeriesOrders.RefundReason.KnockedOut;",
       "mint into a knocked-out series no longer refused", "check"),
    _m("K08", _AUTOMATION, "if (!_healthDue()) revert HealthReportTooSoon(lastHealthReport + healthInterval);",
       "", "health report interval check removed", "check"),
    _m("K09", _MATH, "return fee >= equity ? equity - 1 : fee;",
       "return fee;", "streaming fee cap removed (a fee alone can knock out)", "check"),
    _m("K07", _SERIES, "if (equity == 0 && supply != 0) {",
       "if (equity == 0) {", "settle knocks out an empty series", "check"),
    # ------------------------------------------------------------------ parameter bounds (off by one)
    _m("B01", _SERIES, "uint256 internal constant MAX_TRADE_FEE = 0.01e18;",
       "uint256 internal constant MAX_TRADE_FEE = 0.01e18 + 1;", "trade fee cap one wei too high", "bound"),
    _m("B02", _SERIES, "if (value < min || value > max)",
       "if (value < min || value >= max)", "checkBounds: the maximum itself refused", "bound"),
    _m("B03", _SERIES, "maxL <= MAX_LEVERAGE",
       "maxL < MAX_LEVERAGE", "max leverage of exactly 10x refused", "bound"),
    # ------------------------------------------------------------------ step 2c: minimum sizes, the cap
    _m("C21", _POOL, "if (pl.notional < minTradeNotional) return (pl, Gate.TooSmall, 0, 0);",
       "if (pl.notional <= minTradeNotional) return (pl, Gate.TooSmall, 0, 0);",
       "a rebalance trading exactly the minimum notional refused (< -> <=)", "comparison"),
    _m("R23", _MATH, "return Math.mulDiv(traded, price, WAD); // round down",
       "return Math.mulDiv(traded, price, WAD, Math.Rounding.Ceil); // round down",
       "trade notional rounded up (a trade just below the minimum passes)", "rounding"),
    _m("R24", _POOL_MATH, "return Math.mulDiv(absAfter, p, WAD, Math.Rounding.Ceil) > Math.mulDiv(uint256(r)",
       "return Math.mulDiv(absAfter, p, WAD) > Math.mulDiv(uint256(r)",
       "utilization cap: exposure value rounded down (laxer cap)", "rounding"),
    _m("C22", _POOL_MATH, "Math.Rounding.Ceil) > Math.mulDiv(uint256(r), cap, WAD);",
       "Math.Rounding.Ceil) >= Math.mulDiv(uint256(r), cap, WAD);",
       "utilization exactly at the cap refused (> -> >=)", "comparison"),
    _m("K10", _PRICING, "if (PoolMath.overCap(b.netExposure, netAfter, b.price, r, b.maxUtilization)) room",
       "if (false) room", "mint: utilization cap check removed", "check"),
    _m("K11", _LP_BASE, "int256 room = r - Math.max(fl, needed).toInt256();",
       "int256 room = r - fl.toInt256();", "LP redeem orders ignore the utilization cap", "check"),
    _m("K12", _PRICING, "if (b.supply == 0 && b.mintNet == 0) tokens = tokens > Series.LOCKED_SUPPLY ? tokens - Series.LOCKED_SUPPLY : 0;",
       "", "first mint: the locked supply is not paid for by the minter", "check"),
    _m("K13", _TOKEN, "if (remaining != 0 && remaining < Series.MIN_BALANCE) revert",
       "if (false) revert", "redeem: minimum residual check removed", "check"),
    _m("K14", _BOOK, "if (reward == 0 || _keeperPaid) return 0;",
       "if (reward == 0) return 0;", "keeper reward: more than one per transaction", "check"),
    _m("K15", _MATH, "RebalancePolicy.drifted(leverage(x, price, equity), minLeverage, maxLeverage)",
       "false", "a mint into a series outside its band inherits the drifted leverage", "check"),
    _m("K16", _ADMIN, "if (!s.knockedOut) revert SeriesNotRetirable(token);",
       "", "retireSeries: a live series can be retired", "check"),
    # ------------------------------------------------------------------ orders (step 3a)
    _m("O01", _ROUNDS, "if (due < rd.prevAt) return Verdict.Earlier;",
       "", "an executor may name a later round than the first (a free option)", "check"),
    _m("O02", _ROUNDS, "if (rd.usable && due < rd.at) {",
       "if (rd.usable && due <= rd.at) {", "a round updated exactly at dueAt prices the order", "comparison"),
    _m("O03", _ROUNDS, "if (rd.at > deadline) return Verdict.Expired;",
       "if (rd.at >= deadline) return Verdict.Expired;",
       "a round exactly at the deadline expires the order", "comparison"),
    _m("O04", _ROUNDS, "if (block.timestamp <= deadline) return Verdict.NotDue;",
       "if (block.timestamp < deadline) return Verdict.NotDue;", "an order expires one second before its window ends",
       "comparison"),
    _m("O05", _ROUNDS, "if (!isLatest(rd, feed)) return Verdict.NotDue;",
       "", "any round, not only the latest, expires an order that has none", "check"),
    _m("O06", _BOOK_OF_ORDERS, "if (mh < mt && _mintRing[mh % QUEUE_SIZE].dueAt < updatedAt) return true;",
       "if (mh < mt && _mintRing[mh % QUEUE_SIZE].dueAt <= updatedAt) return true;",
       "a mint order counts as due at a round updated exactly at its dueAt", "comparison"),
    _m("O07", _BOOK_OF_ORDERS, "if (minted && supply == 0) _mint(Series.LOCK_ADDRESS, Series.LOCKED_SUPPLY);",
       "", "a first mint by order does not lock the locked supply", "check"),
    _m("O08", _BOOK_OF_ORDERS, "if (kind == Kind.Redeem) minOut += o.executionFee;",
       "", "a redeem's bound ignores its execution fee", "check"),
    _m("O09", _BOOK_OF_ORDERS, "uint32 due = uint32(block.timestamp + op.minDelay);",
       "uint32 due = uint32(block.timestamp);", "orders are due without the delay", "check"),
    _m("O10", _BOOK_OF_ORDERS, "if (tail - head >= QUEUE_SIZE) revert QueueFull(kind);",
       "if (tail - head > QUEUE_SIZE) revert QueueFull(kind);", "a queue takes one order more than its ring",
       "bound"),
    _m("O11", _ROUNDS, "if (++skipped > MAX_UNUSABLE_ROUNDS) return (0, false);",
       "if (++skipped >= MAX_UNUSABLE_ROUNDS) return (0, false);", "the round check gives up one unusable round early",
       "bound"),
    _m("O12", _BOOK_OF_ORDERS, "if (assets == 0 || assets < op.minMintAssets) revert",
       "if (assets == 0 || assets <= op.minMintAssets) revert", "a mint order of exactly the minimum refused",
       "comparison"),
    _m("O13", _ORDERS, "if (room != OrderPricing.Room.Fits) {",
       "if (false) {", "a batch's mints are not checked against the floor and the cap", "check"),
    _m("O16", _PRICING, "uint256 total = b.liabilities + b.mintNet + net;",
       "uint256 total = b.liabilities + net;", "each mint checked against the floor alone, not after the mints "
       "filled before it", "check"),
    _m("O14", _POOL, "if (ISeriesOrders(token).ordersDueBy(at)) revert SeriesOrdersDue(token);",
       "", "a rebalance settles a series whose orders are due at an earlier round", "check"),
    _m("O15", _TOKEN, "if (ordersDueBy(at)) revert OrdersDue();",
       "", "an immediate mint or redeem settles a series whose orders are due", "check"),
    # ------------------------------------------------------------------ LP orders (issue 8, step 3b)
    _m("L01", _LP, "if (all > b.headroom) {",
       "if (false) {", "an LP redeem order fills beyond the headroom (floor, cap)", "check"),
    _m("L02", _LP, "if (latest && IReservePool(address(this)).rebalanceStatusOf(token) != 0) revert RebalanceDue(token);",
       "", "LP orders execute before the round's rebalance (they capture its spread)", "check"),
    _m("L03", _LP, "if (ISeriesOrders(token).ordersDueBy(rd.at)) revert SeriesOrdersDue(token);",
       "", "LP orders execute before the round's series orders", "check"),
    _m("L04", _POOL, "if (_lpFirst(at)) revert LpOrdersDue();",
       "", "a rebalance settles at a later round than a due LP order's", "check"),
    _m("L05", _LP, "else if (shares == 0 || shares < o.minOut) reason = ISeriesOrders.RefundReason.Slippage;",
       "else if (shares == 0) reason = ISeriesOrders.RefundReason.Slippage;",
       "LP deposit slippage bound ignored", "check"),
    _m("L06", _LP, "if (q.redeemHead == id) {",
       "if (true) {", "a later LP redeem order fills before a waiting one (no first-come)", "check"),
)


@dataclass
class MutantResult:
    """What happened to one mutant: `killed_by` is the stage that failed, None if it survived."""

    id: str
    description: str
    status: str  # killed | survived | compile-error
    killed_by: str | None = None
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    detail: str = ""


def occurrences(mutant: Mutant, root: Path = REPO_ROOT) -> int:
    """How often the mutant's snippet occurs in its file under `root`."""
    return (root / mutant.file).read_text().count(mutant.original)


def check_mutants(mutants: tuple[Mutant, ...] = MUTANTS, root: Path = REPO_ROOT) -> list[str]:
    """Every problem with the list: a snippet not occurring exactly once, a no-op or a duplicate id."""
    problems: list[str] = []
    seen: set[str] = set()
    for m in mutants:
        if m.id in seen:
            problems.append(f"{m.id}: duplicate id")
        seen.add(m.id)
        if m.original == m.replacement:
            problems.append(f"{m.id}: replacement equals the original")
        n = occurrences(m, root)
        if n != 1:
            problems.append(f"{m.id}: snippet occurs {n} times in {m.file}: {m.original!r}")
    return problems


def apply_mutant(mutant: Mutant, root: Path) -> None:
    """Writes the mutated file under `root` (asserting the snippet occurs exactly once)."""
    path = root / mutant.file
    text = path.read_text()
    count = text.count(mutant.original)
    assert count == 1, f"{mutant.id}: snippet occurs {count} times in {mutant.file}"
    path.write_text(text.replace(mutant.original, mutant.replacement))


def restore(mutant: Mutant, worktree: Path) -> None:
    """Restores the mutated file in the worktree from git."""
    subprocess.run(["git", "-C", str(worktree), "checkout", "--", mutant.file], check=True)


def ensure_worktree(worktree: Path, main: Path = REPO_ROOT) -> None:
    """Creates a detached worktree of `main`'s HEAD at `worktree` (if missing), sharing its venv and npm."""
    if not (worktree / ".git").exists():
        subprocess.run(["git", "-C", str(main), "worktree", "add", "--detach", str(worktree), "HEAD"],
                       check=True, capture_output=True)
    for name in ("node_modules", ".venv"):
        link = worktree / name
        if not link.exists():
            link.symlink_to(main / name)
    status = subprocess.run(["git", "-C", str(worktree), "status", "--porcelain", "--", "contracts"],
                            check=True, capture_output=True, text=True).stdout
    if status.strip():
        raise RuntimeError(f"worktree {worktree} has changes under contracts/:\n{status}")


def remove_worktree(worktree: Path, main: Path = REPO_ROOT) -> None:
    """Removes the worktree created by `ensure_worktree`."""
    subprocess.run(["git", "-C", str(main), "worktree", "remove", "--force", str(worktree)], check=True)


def _env(worktree: Path, main: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(worktree)  # the worktree's levtoken, hence its .build/__local__.json
    env["PATH"] = f"{main / '.venv' / 'bin'}:{env.get('PATH', '')}"
    return env


def stage_command(stage: str, fuzz_steps: int, test_files: tuple[str, ...] = TARGETED_TESTS) -> str:
    """The shell command of one stage, run in the worktree (`test_files`: those of the ``tests`` stage)."""
    python = "./.venv/bin/python"
    if stage == "compile":
        return "rm -rf contracts/.cache && ape compile --force"
    if stage == "fuzz":
        return f"{python} -m levtoken.fuzz --backend revm --steps {fuzz_steps}"
    if stage == "tests":
        return "rm -rf contracts/.cache && ape test " + " ".join(test_files) + " -q -x -p no:cacheprovider"
    if stage == "unit":
        return "rm -rf contracts/.cache && ape test " + " ".join(UNIT_TESTS) + " -q -x -p no:cacheprovider"
    if stage == "full":
        # the mutated tree's own test_mutation.py would fail on the snippet it no longer finds
        return ("rm -rf contracts/.cache && ape test tests/ -q -x -p no:cacheprovider"
                " --ignore=tests/test_mutation.py")
    raise ValueError(f"unknown stage {stage!r}")


def run_stage(stage: str, worktree: Path, log_file: Path, fuzz_steps: int, timeout: float,
              test_files: tuple[str, ...] = TARGETED_TESTS, main: Path = REPO_ROOT) -> tuple[bool, str]:
    """Runs one stage; returns (passed, the telling line of its output). A timeout counts as a failure."""
    cmd = stage_command(stage, fuzz_steps, test_files)
    log.info("%s: %s", stage, cmd)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w") as out:
        try:
            proc = subprocess.run(cmd, shell=True, cwd=worktree, env=_env(worktree, main), stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False, f"timeout after {timeout:.0f} s"
    return proc.returncode == 0, _summary(log_file)


def _summary(log_file: Path) -> str:
    """The telling line of a stage's log: the first divergence, failed test or error, else the last line."""
    lines = [ln.strip() for ln in log_file.read_text(errors="replace").splitlines() if ln.strip()]
    for marker in ("Divergence:", "FAILED ", "Error:", "error:"):
        for ln in lines:
            if marker in ln:
                return ln[:200]
    return lines[-1][:200] if lines else ""


def run_mutant(mutant: Mutant, worktree: Path, stages: tuple[str, ...], fuzz_steps: int = 20_000,
               log_dir: Path = DEFAULT_LOG_DIR, timeout: float = 1_800,
               test_files: tuple[str, ...] = TARGETED_TESTS) -> MutantResult:
    """Applies, compiles and tests one mutant in the worktree, then restores its file."""
    res = MutantResult(mutant.id, mutant.description, "survived")
    t0 = time.perf_counter()
    apply_mutant(mutant, worktree)
    try:
        for stage in ("compile", *stages):
            t = time.perf_counter()
            stage_log = log_dir / f"{mutant.id}-{stage}.log"
            passed, summary = run_stage(stage, worktree, stage_log, fuzz_steps, timeout, test_files)
            res.stage_seconds[stage] = round(time.perf_counter() - t, 1)
            if passed:
                continue
            res.detail = summary
            if stage == "compile":
                res.status = "compile-error"
            else:
                res.status, res.killed_by = "killed", stage
            break
    finally:
        restore(mutant, worktree)
    res.seconds = round(time.perf_counter() - t0, 1)
    log.info("%s %s %s (%.0f s)", mutant.id, res.status, res.killed_by or "", res.seconds)
    return res


def baseline(worktree: Path, fuzz_steps: int, log_dir: Path = DEFAULT_LOG_DIR) -> None:
    """Compiles the unmutated worktree and fuzzes it: that must pass, or every mutant would look killed."""
    for stage in ("compile", "fuzz"):
        passed, summary = run_stage(stage, worktree, log_dir / f"baseline-{stage}.log", fuzz_steps, 1_800)
        if not passed:
            raise RuntimeError(f"baseline {stage} fails on the unmutated sources: {summary}")


def score(results: list[MutantResult]) -> tuple[int, int]:
    """(killed, valid): mutants that did not compile are not counted."""
    valid = [r for r in results if r.status != "compile-error"]
    return sum(r.status == "killed" for r in valid), len(valid)


def select(ids: tuple[str, ...]) -> tuple[Mutant, ...]:
    """The mutants with these ids (all when empty)."""
    if not ids:
        return MUTANTS
    by_id = {m.id: m for m in MUTANTS}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise KeyError(f"unknown mutants: {', '.join(unknown)}")
    return tuple(by_id[i] for i in ids)


def save(results: list[MutantResult], path: Path) -> None:
    """Writes the results as JSON."""
    path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")


# ====================================================================== CLI (`python -m levtoken.mutation`)

def _main() -> None:
    import click
    from rich.console import Console
    from rich.table import Table

    @click.command()
    @click.option("--worktree", type=click.Path(path_type=Path), default=DEFAULT_WORKTREE, show_default=True,
                  help="isolated git worktree the mutants are applied in (created if missing)")
    @click.option("--only", multiple=True, help="run only these mutant ids (repeatable)")
    @click.option("--stages", default="fuzz,tests,unit", show_default=True,
                  help="killing stages, in order (fuzz, tests, unit, full)")
    @click.option("--fuzz-steps", type=int, default=20_000, show_default=True)
    @click.option("--tests", "test_files", multiple=True,
                  help="test files of the `tests` stage (repeatable; default: the targeted list)")
    @click.option("--log-dir", type=click.Path(path_type=Path), default=DEFAULT_LOG_DIR, show_default=True)
    @click.option("--json", "json_out", type=click.Path(path_type=Path), default=None,
                  help="write the results here (JSON, after every mutant)")
    @click.option("--baseline/--no-baseline", "run_baseline", default=True,
                  help="first check that the unmutated sources pass")
    @click.option("--remove-worktree/--keep-worktree", "drop_worktree", default=False, show_default=True)
    @click.option("--list", "list_only", is_flag=True, help="list the mutants and exit")
    def main(worktree: Path, only: tuple[str, ...], stages: str, fuzz_steps: int, test_files: tuple[str, ...],
             log_dir: Path,
             json_out: Path | None, run_baseline: bool, drop_worktree: bool, list_only: bool) -> None:
        """Runs every mutant (one at a time) and prints which stage killed it."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
        console = Console(width=max(Console().width, 150))  # the table stays readable in logs and pipes
        mutants = select(only)
        problems = check_mutants(mutants)
        if problems:
            raise click.ClickException("; ".join(problems))
        if list_only:
            for m in mutants:
                console.print(f"{m.id} [{m.kind}] {m.file}: {m.description}")
            return
        chosen = tuple(s for s in stages.split(",") if s)
        bad = [s for s in chosen if s not in STAGES]
        if bad:
            raise click.BadParameter(f"unknown stages {bad}", param_hint="--stages")
        ensure_worktree(worktree)
        if run_baseline:
            baseline(worktree, fuzz_steps, log_dir)
        results: list[MutantResult] = []
        for m in mutants:
            results.append(run_mutant(m, worktree, chosen, fuzz_steps, log_dir,
                                      test_files=test_files or TARGETED_TESTS))
            if json_out is not None:
                save(results, json_out)
        if drop_worktree:
            remove_worktree(worktree)
        table = Table(title="mutants")
        for col in ("mutant", "description", "result", "killed by", "seconds", "detail"):
            table.add_column(col)
        for r in results:
            table.add_row(r.id, r.description, r.status, r.killed_by or "-", f"{r.seconds:.0f}",
                          r.detail[:80])
        console.print(table)
        killed, valid = score(results)
        console.print(f"score: {killed}/{valid} killed ({100 * killed / max(valid, 1):.0f}%)")

    main()


if __name__ == "__main__":
    _main()
