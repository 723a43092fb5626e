"""The series token: ERC-20, ERC-2612 permit, supply only through the pool, views, asset decimals."""


from ape import chain
from conftest import USDC, WAD, build_system, set_price
from helpers import ZERO_ADDRESS, reverts_with, wad_price
from eth_account import Account

from levtoken.model.libraries.series import LOCK_ADDRESS, LOCKED_SUPPLY, MIN_BALANCE

SCALE = 10**12
PERMIT_TYPES = {
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


def sign_permit(token, signer, owner, spender, value, nonce, deadline):
    domain = {
        "name": "ETH3L token",  # conftest names each series "<symbol> token"; version "1" (OZ ERC20Permit)
        "version": "1",
        "chainId": chain.chain_id,
        "verifyingContract": token.address,
    }
    message = {"owner": owner.address, "spender": spender.address, "value": value, "nonce": nonce,
               "deadline": deadline}
    signed = Account.sign_typed_data(signer.private_key, domain, PERMIT_TYPES, message)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def test_transfer_and_transfer_from_move_tokens_and_the_receiver_can_redeem(pool, eth3l, usdc, alice, bob, stranger):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    receipt = eth3l.transfer(bob, 40 * WAD, sender=alice)
    ev = receipt.events.filter(eth3l.Transfer)[0]
    assert (ev["from"], ev.to, ev.value) == (alice.address, bob.address, 40 * WAD)
    assert eth3l.balanceOf(alice) == 60 * WAD - LOCKED_SUPPLY  # the first mint locked LOCKED_SUPPLY
    assert eth3l.balanceOf(bob) == 40 * WAD
    assert eth3l.totalSupply() == 100 * WAD

    eth3l.approve(stranger, 10 * WAD, sender=alice)
    eth3l.transferFrom(alice, stranger, 10 * WAD, sender=stranger)
    assert eth3l.balanceOf(stranger) == 10 * WAD
    assert eth3l.allowance(alice, stranger) == 0

    cash = usdc.balanceOf(bob)
    assert eth3l.redeem(40 * WAD, 0, bob, sender=bob).return_value == 4_000 * USDC
    assert usdc.balanceOf(bob) - cash == 4_000 * USDC


def test_permit_sets_allowance_and_advances_nonce(eth3l, alice, bob, stranger):
    eth3l.mint(1_000 * USDC, 0, alice, sender=alice)
    domain = eth3l.eip712Domain()
    assert domain.name == "ETH3L token" and domain.version == "1"
    assert domain.chainId == chain.chain_id and domain.verifyingContract == eth3l.address
    deadline = chain.pending_timestamp + 3_600
    assert eth3l.nonces(alice) == 0
    v, r, s = sign_permit(eth3l, alice, alice, bob, 7 * WAD, 0, deadline)

    receipt = eth3l.permit(alice, bob, 7 * WAD, deadline, v, r, s, sender=stranger)  # anyone may submit

    assert eth3l.nonces(alice) == 1
    assert eth3l.allowance(alice, bob) == 7 * WAD
    ev = receipt.events.filter(eth3l.Approval)[0]
    assert (ev.owner, ev.spender, ev.value) == (alice.address, bob.address, 7 * WAD)
    eth3l.transferFrom(alice, bob, 7 * WAD, sender=bob)
    assert eth3l.balanceOf(bob) == 7 * WAD

    v2, r2, s2 = sign_permit(eth3l, alice, alice, bob, 3 * WAD, 1, deadline)  # the next nonce works too
    eth3l.permit(alice, bob, 3 * WAD, deadline, v2, r2, s2, sender=bob)
    assert eth3l.nonces(alice) == 2
    assert eth3l.allowance(alice, bob) == 3 * WAD


def test_permit_with_bad_signature_reverts_invalid_signer(eth3l, alice, bob):
    deadline = chain.pending_timestamp + 3_600
    v, r, s = sign_permit(eth3l, bob, alice, bob, 5 * WAD, 0, deadline)  # bob signs for alice
    with reverts_with(eth3l.ERC2612InvalidSigner, signer=bob.address, owner=alice.address):
        eth3l.permit(alice, bob, 5 * WAD, deadline, v, r, s, sender=bob)

    v, r, s = sign_permit(eth3l, alice, alice, bob, 5 * WAD, 0, deadline)
    with reverts_with(eth3l.ERC2612InvalidSigner):  # signed for another value
        eth3l.permit(alice, bob, 6 * WAD, deadline, v, r, s, sender=bob)
    eth3l.permit(alice, bob, 5 * WAD, deadline, v, r, s, sender=bob)
    with reverts_with(eth3l.ERC2612InvalidSigner):  # replay: the nonce has moved on
        eth3l.permit(alice, bob, 5 * WAD, deadline, v, r, s, sender=bob)
    assert eth3l.nonces(alice) == 1


def test_expired_permit_reverts(eth3l, alice, bob):
    deadline = chain.blocks.head.timestamp - 1
    v, r, s = sign_permit(eth3l, alice, alice, bob, WAD, 0, deadline)
    with reverts_with(eth3l.ERC2612ExpiredSignature, deadline=deadline):
        eth3l.permit(alice, bob, WAD, deadline, v, r, s, sender=bob)


def test_supply_changes_only_through_mint_and_redeem(pool, eth3l, alice, stranger):
    # No external mint/burn entry point: the token mints and burns only inside mint()/redeem(), for the
    # amounts its pool priced (this replaced the pool-only poolMint/poolBurn of the first design).
    functions = {abi.name for abi in eth3l.contract_type.abi if abi.type == "function"}
    assert {"mint", "redeem", "rebalance", "permit", "transfer", "transferFrom"} <= functions
    assert not functions & {"poolMint", "poolBurn", "burn", "burnFrom", "mintTo"}
    # and the pool's side of a mint cannot be driven by anyone but a series token
    with reverts_with(pool.OnlySeries, caller=stranger.address):
        pool.executeOrders(0, 0, 0, [(stranger, stranger, USDC, 0)], [], True, sender=stranger)
    with reverts_with(pool.OnlySeries, caller=alice.address):
        pool.executeOrders(0, 0, WAD, [], [(alice, alice, WAD, 0)], False, sender=alice)
    assert eth3l.totalSupply() == 0


def test_views_forward_to_the_pool(pool, eth3l, eth3s, oracle, owner, alice):
    assert eth3l.decimals() == 18 and eth3s.decimals() == 18
    assert eth3l.symbol() == "ETH3L" and eth3l.name() == "ETH3L token"
    assert eth3l.pool() == pool.address and eth3s.pool() == pool.address
    assert eth3l.isLong() and not eth3s.isLong()
    assert eth3l.targetLeverage() == eth3s.targetLeverage() == 3 * WAD
    assert eth3l.nav() == 100 * WAD  # initialNav before the first mint

    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    set_price(oracle, "2011.11", owner)
    p = wad_price("2011.11")
    equity = 10_000 * WAD + 15 * (p - 2_000 * WAD)
    assert eth3l.equity() == pool.equityOf(eth3l) == equity
    assert eth3l.nav() == pool.navOf(eth3l) == equity * WAD // (100 * WAD)
    assert eth3l.exposure() == pool.exposureOf(eth3l) == 15 * WAD
    assert eth3l.leverage() == pool.leverageOf(eth3l) == (15 * p) * WAD // equity
    assert eth3l.rebalanceStatus() == pool.rebalanceStatusOf(eth3l) == 0
    assert eth3l.targetLeverage() == pool.seriesParams(eth3l).targetLeverage


def round_trip(token, oracle, owner, holder, assets):
    """Mints `assets`, moves the price, redeems a third; returns what the holder saw at each step."""
    tokens = token.mint(assets, 0, holder, sender=holder).return_value
    nav_at_mint = token.nav()
    set_price(oracle, "2012.34567891", owner)
    seen = {
        "tokens": tokens, "nav_at_mint": nav_at_mint, "nav": token.nav(), "equity": token.equity(),
        "exposure": token.exposure(), "leverage": token.leverage(),
    }
    seen["paid"] = token.redeem(tokens // 3, 0, holder, sender=holder).return_value
    seen["nav_after"] = token.nav()
    seen["equity_after"] = token.equity()
    return seen


def test_eighteen_decimal_asset_gives_the_same_nav_numbers(eth3l, oracle, owner, lp, alice, bob):
    six = round_trip(eth3l, oracle, owner, alice, 1_234_567_891)  # 1,234.567891 USDC
    _, oracle18, _, tokens18 = build_system(owner, lp, (bob,), asset_decimals=18)
    eighteen = round_trip(tokens18["ETH3L"], oracle18, owner, bob, 1_234_567_891 * SCALE)

    net = 1_234_567_891 * SCALE
    supply = net * WAD // (100 * WAD)
    tokens = supply - LOCKED_SUPPLY  # the first minter's; LOCKED_SUPPLY is locked
    p = wad_price("2012.34567891")
    x = 3 * WAD * net // (2_000 * WAD)
    equity = net + x * (p - 2_000 * WAD) // WAD
    gross = (tokens // 3) * equity // supply
    expected = {
        "tokens": tokens, "nav_at_mint": 100 * WAD, "nav": equity * WAD // supply, "equity": equity, "exposure": x,
        "leverage": (x * p // WAD) * WAD // equity, "nav_after": (equity - gross) * WAD // (supply - tokens // 3),
        "equity_after": equity - gross,
    }
    for key, value in expected.items():
        assert six[key] == eighteen[key] == value, key
    assert eighteen["paid"] == gross  # 18 decimals: paid to the wei
    assert six["paid"] == gross // SCALE  # 6 decimals: the sub-unit dust stays in the pool


def test_domain_separator_is_the_eip712_domain_of_name_and_version_1(eth3l):
    from eth_utils import keccak
    from eth_abi import encode

    type_hash = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    expected = keccak(encode(
        ["bytes32", "bytes32", "bytes32", "uint256", "address"],
        [type_hash, keccak(text="ETH3L token"), keccak(text="1"), chain.chain_id, eth3l.address],
    ))
    assert bytes(eth3l.DOMAIN_SEPARATOR()) == expected


# ----------------------------------------------------------------------------- minimum sizes (SPEC "Minimum sizes")


def test_first_mint_locks_the_locked_supply_and_a_later_mint_locks_nothing(pool, eth3l, alice, bob):
    assert eth3l.totalSupply() == 0 and eth3l.balanceOf(LOCK_ADDRESS) == 0
    receipt = eth3l.mint(1_000 * USDC, 0, alice, sender=alice)  # buys 10 tokens at initialNav 100

    assert receipt.return_value == 10 * WAD - LOCKED_SUPPLY
    assert eth3l.balanceOf(alice) == 10 * WAD - LOCKED_SUPPLY
    assert eth3l.balanceOf(LOCK_ADDRESS) == LOCKED_SUPPLY
    assert eth3l.totalSupply() == 10 * WAD  # the supply the mint bought, as before the lock
    transfers = [(ev["from"], ev.to, ev.value) for ev in receipt.events.filter(eth3l.Transfer)]
    assert transfers == [
        (ZERO_ADDRESS, LOCK_ADDRESS, LOCKED_SUPPLY), (ZERO_ADDRESS, alice.address, 10 * WAD - LOCKED_SUPPLY)]
    assert receipt.events.filter(pool.Minted)[0].tokens == 10 * WAD - LOCKED_SUPPLY
    assert eth3l.equity() == 1_000 * WAD and eth3l.nav() == 100 * WAD  # the locked tokens take their share

    later = eth3l.mint(500 * USDC, 0, bob, sender=bob)

    assert later.return_value == eth3l.balanceOf(bob) == 5 * WAD  # floor(500 * 10 / 1,000): all of it
    assert eth3l.balanceOf(LOCK_ADDRESS) == LOCKED_SUPPLY
    assert eth3l.totalSupply() == 15 * WAD
    assert [(ev["from"], ev.to, ev.value) for ev in later.events.filter(eth3l.Transfer)] == [
        (ZERO_ADDRESS, bob.address, 5 * WAD)]
    assert eth3l.nav() == 100 * WAD


def test_redeem_leaving_a_residual_below_the_minimum_balance_reverts_and_changes_nothing(pool, eth3l, usdc, alice):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    held = eth3l.balanceOf(alice)
    assert held == 100 * WAD - LOCKED_SUPPLY

    def state():
        return (eth3l.balanceOf(alice), eth3l.totalSupply(), eth3l.equity(), eth3l.exposure(), usdc.balanceOf(alice),
                pool.poolAssets(), pool.liabilities())

    before = state()
    for remaining in (1, MIN_BALANCE - 1):
        with reverts_with(eth3l.ResidualTooSmall, remaining=remaining, minimum=MIN_BALANCE):
            eth3l.redeem(held - remaining, 0, alice, sender=alice)
        assert state() == before

    # leaving exactly MIN_BALANCE passes (NAV 100: the claim is 100 per token, paid in whole USDC units) ...
    cash = usdc.balanceOf(alice)
    n = held - MIN_BALANCE
    assert eth3l.redeem(n, 0, alice, sender=alice).return_value == n * 100 // SCALE
    assert eth3l.balanceOf(alice) == MIN_BALANCE
    assert eth3l.totalSupply() == MIN_BALANCE + LOCKED_SUPPLY
    # ... and so does leaving 0
    assert eth3l.redeem(MIN_BALANCE, 0, alice, sender=alice).return_value == MIN_BALANCE * 100 // SCALE
    assert eth3l.balanceOf(alice) == 0
    assert usdc.balanceOf(alice) - cash == n * 100 // SCALE + MIN_BALANCE * 100 // SCALE
    assert eth3l.totalSupply() == eth3l.balanceOf(LOCK_ADDRESS) == LOCKED_SUPPLY


def test_a_transfer_may_leave_any_balance_the_minimum_binds_only_redeem(eth3l, alice, bob):
    eth3l.mint(10_000 * USDC, 0, alice, sender=alice)
    held = eth3l.balanceOf(alice)
    eth3l.transfer(bob, held - 2, sender=alice)  # leaves alice 2 token-wei, below MIN_BALANCE
    assert eth3l.balanceOf(alice) == 2 and eth3l.balanceOf(bob) == held - 2
    eth3l.transfer(alice, held - 2 - 1, sender=bob)  # leaves bob 1
    assert eth3l.balanceOf(bob) == 1 and eth3l.balanceOf(alice) == held - 1

    # a redeem may not leave dust, but it may take a dust balance to 0
    with reverts_with(eth3l.ResidualTooSmall, remaining=MIN_BALANCE - 1, minimum=MIN_BALANCE):
        eth3l.redeem(held - MIN_BALANCE, 0, alice, sender=alice)
    assert eth3l.redeem(1, 0, bob, sender=bob).return_value == 0  # a claim of 100 wei of equity: no whole unit
    assert eth3l.balanceOf(bob) == 0
    assert eth3l.redeem(held - 1, 0, alice, sender=alice).return_value == (held - 1) * 100 // SCALE
    assert eth3l.balanceOf(alice) == 0
    assert eth3l.totalSupply() == LOCKED_SUPPLY
