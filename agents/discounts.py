"""Discount requests inside the sales flow: offers from the playbook, above the threshold only with staff approval."""

from __future__ import annotations

import re
from decimal import Decimal

from agents._common import ordinal_pick
from agents.base import ApprovalRequest, Decision, Outcome, Turn

_ASKS = re.compile(r"скидк|акци|дешевле|промокод|discount|promo|coupon|cheaper|deal", re.IGNORECASE)


def asks_for_discount(text: str) -> bool:
    """Whether the customer asks about a discount or a promotion."""
    return bool(_ASKS.search(text))


def _lang(turn: Turn) -> str:
    return "ru" if turn.language == "ru" else "en"


def offer_discounts(turn: Turn, outcome: Outcome) -> Outcome:
    """List the playbook's discounts as buttons, or say there are none."""
    discounts = turn.deps.playbook.discounts
    if not discounts:
        return outcome.say(turn.deps.replies.text("no_discounts", turn.language))
    labels = [f"{d.name.get(_lang(turn))} — {d.percent}%" for d in discounts]
    text = turn.deps.replies.text("discount_list", turn.language, discounts="; ".join(labels))
    return outcome.say(text, *labels).expect("discount", tuple(d.id for d in discounts))


def pick_discount(turn: Turn, outcome: Outcome) -> Outcome:
    """Apply the picked discount, or ask staff when it is above what the playbook allows."""
    playbook = turn.deps.playbook
    picked = ordinal_pick(turn.meaning.entities.choice, list(turn.offered), turn.meaning.text)
    if picked is None:
        text = turn.meaning.text.lower()
        picked = next((d.id for d in playbook.discounts if d.name.get(_lang(turn)).lower() in text), None)
    if picked is None:
        return offer_discounts(turn, outcome)
    discount = next(d for d in playbook.discounts if d.id == picked)
    outcome.slots["discount"] = discount.id
    name = discount.name.get(_lang(turn))
    if discount.percent > playbook.approvals.discount_percent_over:
        summary = (
            f"Discount {discount.id} ({discount.percent}%) asked by the customer; the playbook allows "
            f"{playbook.approvals.discount_percent_over}% without approval."
        )
        outcome.approval = ApprovalRequest(
            "discount", summary, {"discount": discount.id, "percent": str(discount.percent)}
        )
        return outcome.say(turn.deps.replies.text("approval_pending", turn.language))
    outcome.actions.append(f"discount {discount.id} ({discount.percent}%) offered")
    return outcome.say(
        turn.deps.replies.text("discount_approved", turn.language, percent=discount.percent, discount=name)
    )


def decide_discount(turn: Turn, request: ApprovalRequest, decision: Decision, outcome: Outcome) -> Outcome:
    """Tell the customer staff's answer about a discount."""
    playbook = turn.deps.playbook
    if decision.action == "reject":
        reason = decision.note or (
            "эта скидка не действует для вашего случая"
            if turn.language == "ru"
            else "this discount does not apply in your case"
        )
        return outcome.say(turn.deps.replies.text("approval_rejected", turn.language, reason=reason))
    percent = Decimal(decision.changes.get("percent", request.proposal["percent"]))
    discount = next((d for d in playbook.discounts if d.id == request.proposal["discount"]), None)
    name = discount.name.get(_lang(turn)) if discount else request.proposal["discount"]
    outcome.slots["discount_percent"] = str(percent)
    outcome.actions.append(
        f"discount {request.proposal['discount']} {percent}% {decision.action}d by {decision.by}"
    )
    return outcome.say(
        turn.deps.replies.text("discount_approved", turn.language, percent=percent, discount=name)
    )
