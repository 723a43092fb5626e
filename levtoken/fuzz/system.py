"""One fuzzing system on a backend: asset, feed, pool, two series, lens, funded actors; and its model twin.

The same setup transactions run on the chain and on `levtoken.model.PoolModel`, so both start equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_abi import encode
from eth_utils import to_checksum_address

from levtoken.backends import Backend, Codec, load_artifacts
from levtoken.backends.abi import calldata, selector
from levtoken.lens import LensLayout, decode_lens

WAD = 10**18
MAX_UINT = 2**256 - 1


@dataclass(frozen=True)
class SeriesSpec:
    symbol: str
    is_long: bool
    # SeriesParams order: target, min, max, fallbackInterval, mintFee, redeemFee, streamingFee, spread
    params: tuple[int, int, int, int, int, int, int, int]
    initial_nav: int = 100 * WAD


def _default_series() -> tuple[SeriesSpec, ...]:
    return (
        # fees, spread and a streaming fee on the long; none on the short: both code paths every step
        SeriesSpec("ETH3L", True, (3 * WAD, 25 * WAD // 10, 35 * WAD // 10, 86_400,
                                   WAD // 1000, WAD // 1000, 2 * WAD // 100, WAD // 2000)),
        SeriesSpec("ETH3S", False, (3 * WAD, 25 * WAD // 10, 35 * WAD // 10, 86_400, 0, 0, 0, 0)),
    )


@dataclass(frozen=True)
class FuzzConfig:
    asset_decimals: int = 6
    feed_decimals: int = 8
    initial_price: int = 2_000  # USD
    n_actors: int = 4
    actor_cash: int = 10_000_000  # asset units (whole) minted to each actor
    lp_capital: int = 2_000_000  # deposited by actor 0 at setup (an LP order executed at a round of its own)
    keeper_reward: int = 5  # whole asset units per rebalance
    keeper_reward_daily_cap: int = 20
    series: tuple[SeriesSpec, ...] = field(default_factory=_default_series)


SEL = {name: selector(sig) for name, sig in {
    "mint": "mint(uint256,uint256,address)",
    "redeem": "redeem(uint256,uint256,address)",
    "rebalance": "rebalance()",
    "transfer": "transfer(address,uint256)",
    "approve": "approve(address,uint256)",
    "asset_mint": "mint(address,uint256)",
    "deposit": "deposit(uint256,address)",
    "deposit3": "deposit(uint256,address,address)",
    "lp_mint": "mint(uint256,address)",
    "lp_mint3": "mint(uint256,address,address)",
    "withdraw": "withdraw(uint256,address,address)",
    "lp_redeem": "redeem(uint256,address,address)",
    "requestDeposit": "requestDeposit(uint256,address,address,uint256)",
    "requestLpRedeem": "requestRedeem(uint256,address,address,uint256)",
    "executeLpOrders": "executeLpOrders(uint80,uint256)",
    "setOperator": "setOperator(address,bool)",
    "lpApprove": "approve(address,uint256)",
    "fundReserve": "fundReserve(uint256)",
    "reportHealth": "reportHealth()",
    "performUpkeep": "performUpkeep(bytes)",
    "pause": "pause()",
    "unpause": "unpause()",
    "updateAnswer": "updateAnswer(int256)",
    "updateRoundData": "updateRoundData(uint80,int256,uint256,uint256)",
    "setKeeperReward": "setKeeperReward(uint256,uint256)",
    "setMaxUtilization": "setMaxUtilization(uint256)",
    "setMinTradeNotional": "setMinTradeNotional(uint256)",
    "snapshot": "snapshot(address,address[])",
    "requestMint": "requestMint(uint256,uint256,address)",
    "requestRedeem": "requestRedeem(uint256,uint256,address)",
    "executeOrders": "executeOrders(uint80,uint256)",
}.items()}


def perform_data(bitmap: int, health_due: bool, rounds: list[int] | tuple[int, ...] = (), lp_round: int = 0) -> bytes:
    """Calldata of `performUpkeep(abi.encode(bitmap, healthDue, rounds, lpRound))`."""
    inner = encode(["uint256", "bool", "uint80[]", "uint80"], [bitmap, health_due, list(rounds), lp_round])
    return SEL["performUpkeep"] + encode(["bytes"], [inner])


class FuzzSystem:
    """The deployed contracts on one backend, their addresses and the lens read."""

    def __init__(self, backend: Backend, config: FuzzConfig | None = None) -> None:
        self.backend = backend
        self.config = config or FuzzConfig()
        cfg = self.config
        arts = load_artifacts()
        self.codec = Codec(arts.all_abis())
        accounts = backend.accounts
        if len(accounts) < cfg.n_actors + 1:
            raise ValueError(f"backend has {len(accounts)} accounts; need {cfg.n_actors + 1}")
        self.owner = accounts[0]
        self.actors = accounts[1: cfg.n_actors + 1]
        self.lens_accounts = [self.owner, *self.actors]
        self.unit = 10**cfg.asset_decimals
        self.scale = 10 ** (18 - cfg.asset_decimals)
        owner = self.owner

        def deploy(name: str, types: list[str], args: list) -> str:
            return backend.deploy(owner, arts[name].bytecode + (encode(types, args) if types else b""))

        self.asset = deploy("MockERC20", ["string", "string", "uint8"], ["Mock USD Coin", "USDC", cfg.asset_decimals])
        self.oracle_deployed_at = backend.time
        self.initial_answer = cfg.initial_price * 10**cfg.feed_decimals
        self.oracle = deploy("MockAggregator", ["uint8", "int256"], [cfg.feed_decimals, self.initial_answer])
        deployer = deploy("LeveragedTokenDeployer", [], [])
        self.lp_module = deploy("PoolLpOrders", ["address", "address"], [self.oracle, self.asset])
        self.pool = deploy("ReservePool", ["address", "address", "address", "string", "string", "address", "address"],
                           [self.asset, self.oracle, deployer, "levtoken reserve", "rUSDC", owner, self.lp_module])
        self.lens = deploy("PoolLens", [], [])
        create = selector("createSeries(string,string,bool,uint256,(uint64,uint64,uint64,uint32,uint64,uint64,uint64,uint64))")
        for spec in cfg.series:
            data = create + encode(["string", "string", "bool", "uint256", "(uint64,uint64,uint64,uint32,uint64,uint64,uint64,uint64)"],
                                   [f"{spec.symbol} token", spec.symbol, spec.is_long, spec.initial_nav, spec.params])
            self._must(owner, self.pool, data)
        out = backend.call(self.pool, selector("series()"))
        n = int.from_bytes(out[32:64], "big")
        self.tokens = [to_checksum_address("0x" + out[64 + 32 * i + 12: 96 + 32 * i].hex()) for i in range(n)]
        self.layout = LensLayout(len(self.lens_accounts), len(self.tokens))
        self._lens_call = calldata(SEL["snapshot"], self.pool, 64, len(self.lens_accounts), *self.lens_accounts)

    def _must(self, sender: str, to: str, data: bytes) -> None:
        ok, out = self.backend.transact_fast(sender, to, data)
        if not ok:
            raise RuntimeError(f"setup transaction failed: {self.codec.decode_error(out)}")

    def fund_actors(self) -> None:
        """Cash and pool approvals for every actor, keeper reward, and the LP capital of actor 0."""
        cfg = self.config
        if cfg.keeper_reward:
            self._must(self.owner, self.pool, calldata(SEL["setKeeperReward"], cfg.keeper_reward * self.unit,
                                                      cfg.keeper_reward_daily_cap * self.unit))
        for actor in self.actors:
            self._must(self.owner, self.asset, calldata(SEL["asset_mint"], actor, cfg.actor_cash * self.unit))
            self._must(actor, self.asset, calldata(SEL["approve"], self.pool, MAX_UINT))
            for token in self.tokens:  # mint orders escrow in the token
                self._must(actor, self.asset, calldata(SEL["approve"], token, MAX_UINT))
        self.lp_seeded_at = self.backend.time
        if cfg.lp_capital:  # request, wait out minDelay, a round at the same answer, execute, claim
            lp, assets = self.actors[0], cfg.lp_capital * self.unit
            self._must(lp, self.pool, calldata(SEL["requestDeposit"], assets, lp, lp, 0))
            self.lp_seeded_at = self.backend.time + LP_SEED_DELAY
            self.backend.set_time(self.lp_seeded_at)
            self._must(self.owner, self.oracle, calldata(SEL["updateAnswer"], self.initial_answer))
            self._must(lp, self.pool, calldata(SEL["executeLpOrders"], 2, 1))
            self._must(lp, self.pool, calldata(SEL["deposit"], assets, lp))

    def read(self) -> tuple[list[int], int]:
        """Every number of the system: (values, failed views bitmap)."""
        return decode_lens(self.backend.call(self.lens, self._lens_call))

    def new_model(self):
        """A `PoolModel` in the state this system had right after deployment and `fund_actors`."""
        from levtoken.model import PoolModel

        cfg = self.config
        m = PoolModel(address=self.pool, asset_address=self.asset, oracle_address=self.oracle, owner=self.owner,
                      asset_decimals=cfg.asset_decimals, feed_decimals=cfg.feed_decimals,
                      now=self.oracle_deployed_at, initial_answer=self.initial_answer)
        for spec, token in zip(cfg.series, self.tokens):
            m.create_series(self.owner, token, spec.is_long, spec.initial_nav, spec.params)
        if cfg.keeper_reward:
            m.set_keeper_reward(self.owner, cfg.keeper_reward * self.unit, cfg.keeper_reward_daily_cap * self.unit)
        for actor in self.actors:
            m.asset_mint(actor, cfg.actor_cash * self.unit)
            m.asset_approve(actor, self.pool, MAX_UINT)
            for token in self.tokens:
                m.asset_approve(actor, token, MAX_UINT)
        if cfg.lp_capital:
            seed_lp(m, self.actors[0], cfg.lp_capital * self.unit, self.lp_seeded_at)
        elif m.now < self.lp_seeded_at:
            m.set_time(self.lp_seeded_at)
        return m


LP_SEED_DELAY = 61  # the default minDelay (60 s) and one


def seed_lp(m, lp: str, assets: int, at: int) -> None:
    """The setup's LP capital on the model, as `FuzzSystem.fund_actors` does it on the chain: a deposit
    order, a round at `at` with the same answer (round 2), its execution and the claim."""
    m.request_deposit(lp, assets, lp, lp)
    m.set_time(at)
    m.set_answer(m.latest_round_data()[1])
    m.execute_lp_orders(lp, 2, 1)
    m.deposit(lp, assets, lp)
