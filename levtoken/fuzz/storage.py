"""Raw storage of the fuzzing system, decoded to the fields the model keeps (the in-process hot path).

Reading a slot in-process costs about 0.25 us against about 600 us for the whole `PoolLens` snapshot, so
the in-process fuzzer compares raw state after every step and every view on a schedule. Slot numbers
follow the contracts' storage layout (solc 0.8.37, OZ 5.7); `tests/test_fuzz_backends.py` pins them
against the views, so a layout change fails loudly instead of comparing the wrong words.
"""

from __future__ import annotations

from eth_utils import keccak

# ReservePool: ERC20 (0 balances, 1 allowances, 2 totalSupply, 3 name, 4 symbol), Ownable 5,
# Ownable2Step 6 (pendingOwner, then Pausable's _paused packed in the same slot), _book[8] 7..54
# (6 slots per series), _position 55, then the packed pool words 56..58 and the two aggregate words
# (Liabilities.State) 59..60, `_orderParams` 61, then the LP orders: `_lpQueues` 62 (one word of seven
# uint32), `_lpDeposits` 63, `_lpRedeems` 64, `_lpAccounts` 65 (three words per controller), `_operators` 66,
# `_refundable` 67.
POOL_LP_SUPPLY = 2
POOL_PAUSED = 6
BOOK = 7
SERIES_SLOTS = 6
POOL_WORDS = (56, 57, 58)
AGGREGATE_WORDS = (59, 60)
ORACLE_SLOTS = (1, 2, 3)  # MockV3Aggregator: latestAnswer, latestTimestamp, latestRound
LP_QUEUES = 62
LP_ACCOUNTS = 65


def mapping_slot(key: str, slot: int) -> int:
    return int.from_bytes(keccak(bytes(12) + bytes.fromhex(key[2:]) + slot.to_bytes(32, "big")), "big")


M32, M40, M64, M80, M96, M112, M128 = ((1 << n) - 1 for n in (32, 40, 64, 80, 96, 112, 128))


class StorageReader:
    """Decodes the system's raw state from an in-process EVM into a flat tuple of fields."""

    FIELDS_POOL = ("lpSupply", "paused", "poolAssets", "seriesCount", "floorRatio", "maxPriceAge", "healthInterval",
                   "lastHealthReport", "floorBreached", "keeperReward", "keeperRewardDailyCap", "rewardDay",
                   "rewardPaidToday", "maxUtilization", "minTradeNotional", "offsetSum", "exposureSum", "longFrontier", "shortFrontier",
                   "oracleAnswer", "oracleUpdatedAt", "oracleRound", "pool.lpShares", "lpDepositHead",
                   "lpDepositTail", "lpRedeemHead", "lpRedeemNext", "lpRedeemTail", "lpNextDue", "lpLastDue")
    FIELDS_LP_ACCOUNT = ("pendingDepositAssets", "pendingRedeemShares", "claimableDepositAssets",
                         "claimableDepositShares", "claimableRedeemShares", "claimableRedeemAssets")
    FIELDS_SERIES = ("equity", "exposure", "settledAt", "markPrice", "lastRebalance", "knockedOut", "supply")

    def __init__(self, evm, pool: str, asset: str, oracle: str, tokens: list[str], accounts: list[str]) -> None:
        self._evm = evm
        self.pool, self.asset, self.oracle, self.tokens = pool, asset, oracle, tokens
        self._balance_slots = [mapping_slot(a, 0) for a in accounts]
        self._pool_asset_slot = mapping_slot(pool, 0)
        self._lp_account_slots = [mapping_slot(a, LP_ACCOUNTS) for a in accounts]
        n = len(accounts)
        self.names = list(self.FIELDS_POOL)
        self.names += [f"account{i}.lpShares" for i in range(n)]
        self.names += [f"account{i}.{f}" for i in range(n) for f in self.FIELDS_LP_ACCOUNT]
        self.names += [f"account{i}.assetBalance" for i in range(n)] + ["pool.assetBalance"]
        for s in range(len(tokens)):
            self.names += [f"series{s}.{f}" for f in self.FIELDS_SERIES]
            self.names += [f"series{s}.balance{i}" for i in range(n)]

    def read(self) -> list[int]:
        st = self._evm.storage
        pool = self.pool
        w56, w57, w58 = (st(pool, s) for s in POOL_WORDS)
        out = [
            st(pool, POOL_LP_SUPPLY), (st(pool, POOL_PAUSED) >> 160) & 0xFF,
            w56 & M128, (w56 >> 128) & 0xFF, (w56 >> 136) & M64, (w56 >> 200) & M32,
            w57 & M32, (w57 >> 32) & M40, (w57 >> 72) & 0xFF, (w57 >> 80) & M80, w57 >> 160,
            w58 & M32, (w58 >> 32) & M80, (w58 >> 112) & M80, w58 >> 192,
        ]
        a0, a1 = (st(pool, s) for s in AGGREGATE_WORDS)
        x = a1 & M128
        out += [a0 - (1 << 256) if a0 >> 255 else a0, x - (1 << 128) if x >> 127 else x,
                (a1 >> 128) & M64, a1 >> 192]
        out += [st(self.oracle, s) for s in ORACLE_SLOTS]
        out.append(st(pool, self._pool_asset_slot))  # the pool's own LP shares (balances mapping, slot 0)
        q = st(pool, LP_QUEUES)
        out += [(q >> (32 * i)) & M32 for i in range(7)]
        out += [st(pool, k) for k in self._balance_slots]
        for k in self._lp_account_slots:
            for j in range(3):
                w = st(pool, k + j)
                out += [w & M128, w >> 128]
        out += [st(self.asset, k) for k in self._balance_slots]
        out.append(st(self.asset, self._pool_asset_slot))
        for i, token in enumerate(self.tokens):
            base = BOOK + SERIES_SLOTS * i
            s0, s1 = st(pool, base), st(pool, base + 1)
            out += [s0 & M112, (s0 >> 112) & M112, s0 >> 224,
                    s1 & M128, (s1 >> 192) & M40, (s1 >> 240) & 0xFF, st(token, 2)]
            out += [st(token, k) for k in self._balance_slots]
        return out
