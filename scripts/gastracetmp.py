import collections
from ape import accounts, chain
from eth_utils import keccak
from levtoken.gas import measure
import levtoken.gas as G

def main():
    captured = {}
    orig = G._Bench.__init__
    def init(self, system, accs, config):
        orig(self, system, accs, config); captured['b'] = self
    G._Bench.__init__ = init
    rows = measure(list(accounts.test_accounts))
    b = captured['b']
    pool = b.pool
    tokens = {str(t.address).lower(): s for s, t in b.system.tokens.items()}
    names = {str(pool.address).lower(): "pool", str(b.system.asset.address).lower(): "usdc",
             str(b.system.oracle.address).lower(): "oracle", **tokens}
    # slot labels: mapping(address=>Series) base slots 0..40 for every token; struct offsets 0..5
    labels = {}
    for base in range(0, 40):
        for addr, sym in tokens.items():
            root = int.from_bytes(keccak(bytes.fromhex(addr[2:].rjust(64, '0')) + base.to_bytes(32, 'big')), 'big')
            for off in range(6):
                labels[root + off] = f"map[{base}][{sym}]+{off}"
    for base in range(0, 40):
        labels.setdefault(base, f"slot {base}")
    for row in rows:
        if not row.tx_hash or row.within_budget is not False and "keeper" not in row.operation and "4 series flagged" not in row.operation:
            continue
        tr = chain.provider.make_request("debug_traceTransaction", [row.tx_hash, {"enableMemory": False, "disableStack": False, "disableStorage": True}])
        logs = tr["structLogs"]
        # address stack by depth
        addr_stack = [None]
        to = chain.provider.web3.eth.get_transaction(row.tx_hash)["to"].lower()
        addr_stack = {1: to}
        by = collections.Counter(); cnt = collections.Counter()
        for i, l in enumerate(logs):
            d = l["depth"]; op = l["op"]; st = l.get("stack", [])
            if op in ("CALL", "STATICCALL", "DELEGATECALL"):
                target = "0x" + st[-2][2:].rjust(40, '0')[-40:] if st else "?"
                if op == "DELEGATECALL":
                    target = addr_stack[d]
                addr_stack[d + 1] = target.lower()
                # actual own cost = gasCost minus gas given to the callee: approximate as next-log gas diff
                nxt = logs[i + 1] if i + 1 < len(logs) else None
                own = (l["gas"] - nxt["gas"]) if nxt and nxt["depth"] == d + 1 else l["gasCost"]
                # own includes forwarded gas; compute access cost: 2600 cold or 100 warm (+ value etc.)
                who = names.get(addr_stack[d], addr_stack[d])
                tgt = names.get(target.lower(), target)
                key = f"{who}: {op} -> {tgt}"
                # gas forwarded = nxt gas; call overhead = l.gas - nxt.gas - (63/64 stuff ignored)
                by[key] += own; cnt[key] += 1
                continue
            who = names.get(addr_stack.get(d), addr_stack.get(d))
            if op in ("SLOAD", "SSTORE"):
                slot = int(st[-1], 16)
                lab = labels.get(slot, hex(slot)[:12])
                key = f"{who}: {op} {lab} ({l['gasCost']})"
            elif op.startswith("LOG"):
                key = f"{who}: {op}"
            else:
                key = f"{who}: other"
            by[key] += l["gasCost"]; cnt[key] += 1
        print(f"\n=== {row.operation}: {row.gas}")
        for k, v in sorted(by.items(), key=lambda kv: -kv[1]):
            print(f"  {v:8d}  x{cnt[k]:<3d} {k}")
        print("  sum", sum(by.values()), "(+ intrinsic/calldata)")
