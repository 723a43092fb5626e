"""The fuzzer's LP order operations (ERC-7540): requests for oneself, for another controller and from another
owner (an operator's act, or a share allowance's), executions at the pending round or any other, claims of
every form (by assets or shares, of deposits or redeems, all that is claimable or a part) and operators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from levtoken.backends.abi import calldata
from levtoken.fuzz.ops import Kind, Op, amount, lp_order_round
from levtoken.fuzz.system import SEL

if TYPE_CHECKING:
    from levtoken.fuzz.harness import Harness, Tx


LP_KINDS = frozenset({Kind.LP_REQUEST_DEPOSIT, Kind.LP_REQUEST_REDEEM, Kind.LP_EXECUTE, Kind.LP_CLAIM,
                       Kind.LP_OPERATOR})


def _claim_amount(r: int, claimable: int, unit: int) -> int:
    """A claim: all that is claimable half the time (the exact-rest path), else any `amount`."""
    return claimable if r & 1 else amount(r >> 1, claimable, unit)


def lp_plan(h: Harness, op: Op, actor: str, other: str) -> list[Tx]:
    """The transactions of one LP operation (`Harness._plan` for the LP kinds)."""
    from levtoken.fuzz.harness import Tx  # the harness imports this module

    m = h.model
    r, k, unit, pool = op.r, op.kind, h.unit, h.pool
    # usually for oneself; 1 in 4 for another controller, 1 in 8 from another owner (an operator's act)
    controller = other if op.aux & 3 == 0 else actor
    owner = other if (op.aux >> 2) & 7 == 0 else actor
    if k is Kind.LP_REQUEST_DEPOSIT:
        assets = amount(r, m.asset_balance_of(owner), unit)
        min_shares = {7: 2**127, 6: 1}.get((op.aux >> 5) % 8, 0)  # 1 in 8: a bound no batch can meet
        return [Tx("requestDeposit", actor, pool, calldata(SEL["requestDeposit"], assets, controller, owner,
                                                           min_shares),
                   lambda: m.request_deposit(actor, assets, controller, owner, min_shares))]
    if k is Kind.LP_REQUEST_REDEEM:
        shares = amount(r, m.lp_balance_of(owner), unit)
        min_assets = 2**127 if (op.aux >> 5) == 0 else 0
        return [Tx("requestRedeem", actor, pool, calldata(SEL["requestLpRedeem"], shares, controller, owner,
                                                          min_assets),
                   lambda: m.request_redeem_shares(actor, shares, controller, owner, min_assets))]
    if k is Kind.LP_EXECUTE:
        round_id = lp_order_round(m, r)
        max_orders = (1, 2, 3, 10)[(r >> 8) & 3]
        return [Tx("executeLpOrders", actor, pool, calldata(SEL["executeLpOrders"], round_id, max_orders),
                   lambda: m.execute_lp_orders(actor, round_id, max_orders))]
    if k is Kind.LP_OPERATOR:
        if r & 1:
            approved = bool(r & 2)
            return [Tx("setOperator", actor, pool, calldata(SEL["setOperator"], other, approved),
                       lambda: m.set_operator(actor, other, approved))]
        allowance = amount(r >> 1, m.lp_balance_of(actor), unit)
        return [Tx("lp approve", actor, pool, calldata(SEL["lpApprove"], other, allowance),
                   lambda: m.lp_approve(actor, other, allowance))]
    # LP_CLAIM: by assets or by shares, of deposits or redeems; all of it (usually) or a part
    mode = r & 3
    claim = r >> 2
    if mode == 0:  # deposit(assets, receiver[, controller])
        assets = _claim_amount(claim, m.max_deposit(controller), unit)
        if controller == actor and claim & 8:
            return [Tx("deposit", actor, pool, calldata(SEL["deposit"], assets, other),
                       lambda: m.deposit(actor, assets, other))]
        return [Tx("deposit claim", actor, pool, calldata(SEL["deposit3"], assets, actor, controller),
                   lambda: m.deposit(actor, assets, actor, controller))]
    if mode == 1:  # mint(shares, receiver[, controller])
        shares = _claim_amount(claim, m.max_mint(controller), unit)
        if controller == actor and claim & 8:
            return [Tx("lp mint", actor, pool, calldata(SEL["lp_mint"], shares, actor),
                       lambda: m.mint_shares(actor, shares, actor))]
        return [Tx("mint claim", actor, pool, calldata(SEL["lp_mint3"], shares, actor, controller),
                   lambda: m.mint_shares(actor, shares, actor, controller))]
    if mode == 2:  # withdraw(assets, receiver, controller)
        assets = _claim_amount(claim, m.max_withdraw(controller), unit)
        return [Tx("withdraw", actor, pool, calldata(SEL["withdraw"], assets, actor, controller),
                   lambda: m.withdraw(actor, assets, actor, controller))]
    shares = _claim_amount(claim, m.max_redeem(controller), unit)  # redeem(shares, receiver, controller)
    return [Tx("lp redeem", actor, pool, calldata(SEL["lp_redeem"], shares, actor, controller),
               lambda: m.redeem_shares(actor, shares, actor, controller))]
