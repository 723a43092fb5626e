"""levtoken's production keeper: performs a ReservePool's upkeep (rebalances, health reports).

    from levtoken.keeper import Keeper, KeeperConfig, LocalKeySigner
    keeper = Keeper(KeeperConfig(rpc_url=url, pool=address), LocalKeySigner(key))
    keeper.run()          # or keeper.preflight(); keeper.poll_once() ...

Command lines: ``python -m levtoken.keeper --help`` and ``ape run keeper --help``. See docs/keeper.md.
"""

from levtoken.keeper.bot import Keeper, KeeperError, MinedUpkeep, PollResult, SentTx
from levtoken.keeper.checkpoint import Checkpoint, InFlight, KeeperState
from levtoken.keeper.config import KeeperConfig, KeeperConfigError
from levtoken.keeper.fees import FeeCapExceeded, FeePolicy, Fees
from levtoken.keeper.metrics import KeeperMetrics
from levtoken.keeper.nonce import NonceTracker
from levtoken.keeper.rpc import RpcClient, RpcError, RpcRevert, RpcUnavailable
from levtoken.keeper.signer import ApeAccountSigner, LocalKeySigner, NodeSigner, Signer

__all__ = [
    "ApeAccountSigner",
    "Checkpoint",
    "FeeCapExceeded",
    "FeePolicy",
    "Fees",
    "InFlight",
    "Keeper",
    "KeeperConfig",
    "KeeperConfigError",
    "KeeperError",
    "KeeperMetrics",
    "KeeperState",
    "LocalKeySigner",
    "MinedUpkeep",
    "NodeSigner",
    "NonceTracker",
    "PollResult",
    "RpcClient",
    "RpcError",
    "RpcRevert",
    "RpcUnavailable",
    "SentTx",
    "Signer",
]
