"""Support triage: answers from the knowledge base, identity-checked order lookups, returns with approval, tickets.

Only the hard cases reach a person, and they arrive as a ticket with the fields filled in and the
transcript. Refunds are never automatic: a return request waits for a manager.
"""

from __future__ import annotations

import logging

from agents._common import learn_contact_details, yes_no
from agents.base import HANDED_TO_STAFF, ApprovalRequest, Decision, Outcome, Turn
from agents.support_identity import Check, check_identity
from agents.support_orders import CHANGEABLE, return_check, status_text
from agents.support_satisfaction import answer_satisfaction
from agents.support_tickets import ESCALATED, open_case, record_solved
from agents.understanding import ChoiceKind
from tools.conversations import Owner
from tools.ids import OrderId, TicketId
from tools.orders import Order, OrderStatus
from tools.tickets import NewTicket, TicketPriority, TicketStatus

log = logging.getLogger(__name__)

ORDER_CATEGORIES = frozenset({"order_status", "return", "change_order"})
"""Categories that always need a verified order."""


def category_of(turn: Turn) -> str:
    """order_status, delivery, return, warranty, technical, account, billing, change_order, or general."""
    intent = turn.meaning.intent.value
    return intent.removeprefix("support_") if intent.startswith("support_") else "general"


def _answer(turn: Turn) -> ChoiceKind | None:
    choice = turn.meaning.entities.choice
    return choice.kind if choice is not None and choice.kind in {ChoiceKind.YES, ChoiceKind.NO} else None


class SupportTriage:
    """Answers support questions and routes what it cannot solve."""

    name = "support"

    async def handle(self, turn: Turn) -> Outcome:
        """Advance the support case one step."""
        outcome = Outcome(slots=dict(turn.slots))
        learn_contact_details(turn, outcome)
        satisfaction = await answer_satisfaction(turn, outcome)  # after a service or delivery
        if satisfaction is not None:
            return satisfaction
        pending = {
            "solved": self._solved,
            "escalate": self._escalate_or_not,
            "return_confirm": self._return_confirmed,
        }.get(turn.expecting or "")
        if pending is not None and _answer(turn) is not None:
            return await pending(turn, outcome)
        if turn.expecting != "order":
            attempts = outcome.slots.get("attempts")
            outcome.slots = {"category": category_of(turn), **({"attempts": attempts} if attempts else {})}
        slots = outcome.slots
        category = slots.setdefault("category", category_of(turn))
        named_order = bool(turn.meaning.entities.order_id) and category in {"delivery", "general"}
        needs_order = category in ORDER_CATEGORIES or named_order
        if (needs_order or turn.expecting == "order") and not turn.digression:
            return await self._with_order(turn, outcome, category)
        return await self._from_knowledge(turn, outcome, category)

    async def _from_knowledge(self, turn: Turn, outcome: Outcome, category: str) -> Outcome:
        deps = turn.deps
        answer = (
            await deps.knowledge.answer(turn.meaning.text, language=turn.language) if deps.knowledge else None
        )
        slots = outcome.slots
        slots["question"] = turn.meaning.text[:500]
        if turn.meaning.entities.order_id:
            slots.setdefault("order_number", turn.meaning.entities.order_id.upper())
        if answer is not None:
            outcome.actions.append(f"answered from {answer.document} ({answer.confidence:.2f})")
            outcome.say(
                deps.replies.text("kb_answer", turn.language, answer=answer.text, source=answer.source)
            )
            slots["source"] = answer.document
        if category == "warranty" and not turn.digression:
            return await self._warranty(turn, outcome)
        if answer is not None:
            return self._ask_if_solved(turn, outcome)
        if turn.digression:
            outcome.done = True
            return outcome.say(deps.replies.text("kb_not_sure_brief", turn.language))
        return outcome.say(deps.replies.text("kb_not_sure", turn.language), *yes_no(turn.language)).expect(
            "escalate"
        )

    async def _warranty(self, turn: Turn, outcome: Outcome) -> Outcome:
        """A warranty claim always reaches the team (after the policy, when the documents have it)."""
        deps = turn.deps
        slots = outcome.slots
        ticket = await open_case(
            turn, category="warranty", facts=self._facts(turn, slots), order_number=slots.get("order_number")
        )
        outcome.actions.append(f"ticket {ticket.id} opened (warranty)")
        outcome.done = True
        team = deps.playbook.internal_routing.teams.get("support")
        return outcome.say(
            deps.replies.text(
                "warranty_ack",
                turn.language,
                order=slots.get("order_number") or ticket.id,
                hours=team.response_hours if team else 24,
            )
        )

    def _ask_if_solved(self, turn: Turn, outcome: Outcome) -> Outcome:
        if turn.digression or not turn.deps.playbook.support.ask_if_solved:
            outcome.done = True
            return outcome
        return outcome.say(
            turn.deps.replies.text("support_solved_question", turn.language), *yes_no(turn.language)
        ).expect("solved")

    async def _solved(self, turn: Turn, outcome: Outcome) -> Outcome:
        """ "Did that solve it?" — yes: recorded as solved without a person; no: a ticket for the team."""
        slots = outcome.slots
        outcome.done = True
        category = slots.get("category", "general")
        if _answer(turn) is ChoiceKind.YES:
            ticket = await record_solved(
                turn, category=category, facts=self._facts(turn, slots), order_number=slots.get("verified")
            )
            outcome.actions.append(f"ticket {ticket.id} solved without a person")
            return outcome.say(turn.deps.replies.text("support_solved_thanks", turn.language))
        return await self._ticket(turn, outcome, category)

    async def _escalate_or_not(self, turn: Turn, outcome: Outcome) -> Outcome:
        outcome.done = True
        if _answer(turn) is ChoiceKind.NO:
            return outcome.say(turn.deps.replies.text("kb_declined", turn.language))
        return await self._ticket(turn, outcome, outcome.slots.get("category", "general"))

    async def _ticket(self, turn: Turn, outcome: Outcome, category: str) -> Outcome:
        slots = outcome.slots
        ticket = await open_case(
            turn, category=category, facts=self._facts(turn, slots), order_number=slots.get("verified")
        )
        await turn.deps.stores.tickets.update_ticket(
            TicketId(ticket.id), key=turn.key("ticket-outcome"), actor="agent:support", outcome=ESCALATED
        )
        outcome.actions.append(f"ticket {ticket.id} opened ({category})")
        outcome.done = True
        team = turn.deps.playbook.internal_routing.teams.get("support")
        return outcome.say(
            turn.deps.replies.text(
                "support_ack", turn.language, ticket=ticket.id, hours=team.response_hours if team else 24
            )
        )

    @staticmethod
    def _facts(turn: Turn, slots: dict[str, str]) -> dict[str, str]:
        return {
            "subject": slots.get("question") or turn.meaning.text,
            "category": slots.get("category", ""),
            "order": slots.get("verified", ""),
            "answered from": slots.get("source", ""),
            "language": turn.language,
            "channel": turn.channel,
        }

    async def _with_order(self, turn: Turn, outcome: Outcome, category: str) -> Outcome:
        deps = turn.deps
        slots = outcome.slots
        slots.setdefault("question", turn.meaning.text[:500])
        result = await check_identity(turn, slots)
        if result.check is Check.NEED_ORDER:
            return outcome.say(deps.replies.text("order_ask_id", turn.language)).expect("order")
        if result.check is Check.NEED_FACTOR:
            return outcome.say(deps.replies.text("order_ask_factor", turn.language)).expect("order")
        if result.check is Check.FAILED:
            return await self._failed_identity(turn, outcome)
        order = result.order
        assert order is not None
        slots["verified"] = order.number
        outcome.actions.append(f"identity checked for order {order.number}")
        if category == "return":
            return self._offer_return(turn, outcome, order)
        if category == "change_order":
            return await self._change(turn, outcome, order)
        outcome.say(status_text(turn, order))
        return self._ask_if_solved(turn, outcome)

    async def _failed_identity(self, turn: Turn, outcome: Outcome) -> Outcome:
        deps = turn.deps
        slots = outcome.slots
        attempts = int(slots.get("attempts", "0")) + 1
        slots["attempts"] = str(attempts)
        log.warning("order identity check failed (attempt %s) in %s", attempts, turn.conversation_id)
        await deps.stores.crm.add_note(
            turn.contact_id,
            f"Order identity check failed (attempt {attempts} of {deps.playbook.support.identity_attempts}).",
            key=turn.key("identity-failed"),
            author="agent:support",
        )
        if attempts < deps.playbook.support.identity_attempts:
            return outcome.say(deps.replies.text("identity_failed", turn.language)).expect("order")
        ticket = await open_case(
            turn,
            category="identity",
            facts={**self._facts(turn, slots), "subject": "Order identity could not be confirmed"},
            priority=TicketPriority.HIGH,
        )
        await deps.stores.conversations.set_owner(
            turn.conversation_id, Owner.STAFF, staff_id=None, actor="agent:support"
        )
        outcome.done = True
        outcome.handoff = "order identity could not be confirmed"
        outcome.actions += [f"ticket {ticket.id} opened (identity)", HANDED_TO_STAFF]
        return outcome.say(deps.replies.text("identity_locked", turn.language, ticket=ticket.id))

    def _offer_return(self, turn: Turn, outcome: Outcome, order: Order) -> Outcome:
        replies = turn.deps.replies
        check = return_check(turn, order)
        if not check.allowed:
            outcome.slots["question"] = f"Return outside the online policy: {check.reason}"
            return outcome.say(
                replies.text("return_not_possible", turn.language, order=order.number, reason=check.reason),
                *yes_no(turn.language),
            ).expect("escalate")
        text = replies.text(
            "return_info", turn.language, order=order.number, days=turn.deps.playbook.support.return_days
        )
        return outcome.say(text, *yes_no(turn.language)).expect("return_confirm")

    async def _return_confirmed(self, turn: Turn, outcome: Outcome) -> Outcome:
        """Yes: the return request waits for a manager (never an automatic refund). No: nothing happens."""
        deps = turn.deps
        if _answer(turn) is ChoiceKind.NO:
            outcome.done = True
            return outcome.say(deps.replies.text("kb_declined", turn.language))
        number = outcome.slots["verified"]
        order = await deps.stores.orders.order_by_number(number)
        assert order is not None
        items = ", ".join(f"{item.name} × {item.quantity}" for item in order.items)
        summary = (
            f"Return request for order {number}: {items}; total {order.total_minor / 100:.2f} {order.currency}. "
            f"Customer wrote: {outcome.slots.get('question', '')}"
        )
        outcome.approval = ApprovalRequest(
            "return",
            summary,
            {"order": number, "items": items, "amount": f"{order.total_minor / 100:.2f}", "note": ""},
        )
        return outcome.say(deps.replies.text("refund_pending", turn.language, order=number))

    async def _change(self, turn: Turn, outcome: Outcome, order: Order) -> Outcome:
        deps = turn.deps
        if order.status not in CHANGEABLE:
            outcome.say(deps.replies.text("change_order_late", turn.language, order=order.number))
            return self._ask_if_solved(turn, outcome)
        ticket = await open_case(
            turn, category="change_order", facts=self._facts(turn, outcome.slots), order_number=order.number
        )
        outcome.done = True
        outcome.actions.append(f"ticket {ticket.id} opened (change_order)")
        team = deps.playbook.internal_routing.teams.get("support")
        return outcome.say(
            deps.replies.text(
                "change_order_ack",
                turn.language,
                order=order.number,
                ticket=ticket.id,
                hours=team.response_hours if team else 24,
            )
        )

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """A manager decided about a return request."""
        deps = turn.deps
        outcome = Outcome(done=True)
        number = request.proposal.get("order", "")
        if decision.action == "reject":
            reason = decision.note or (
                "менеджер отклонил возврат" if turn.language == "ru" else "the manager declined it"
            )
            return outcome.say(deps.replies.text("approval_rejected", turn.language, reason=reason))
        order = await deps.stores.orders.order_by_number(number)
        assert order is not None
        if order.status is OrderStatus.DELIVERED:
            await deps.stores.orders.set_order_status(
                OrderId(order.id),
                OrderStatus.RETURN_REQUESTED,
                key=f"{turn.message_id}:return-requested",
                actor=decision.by,
                note=decision.note,
            )
        ticket = await deps.stores.tickets.open_ticket(
            _return_ticket(turn, request, decision), key=f"{turn.message_id}:return-ticket", actor=decision.by
        )
        await deps.stores.tickets.update_ticket(
            TicketId(ticket.id),
            key=f"{turn.message_id}:return-ticket-status",
            actor=decision.by,
            status=TicketStatus.IN_PROGRESS,
        )
        outcome.actions += [f"return for {number} {decision.action}d by {decision.by}", f"ticket {ticket.id}"]
        note = decision.changes.get("note") or decision.note or ""
        return outcome.say(
            deps.replies.text("return_approved", turn.language, order=number, ticket=ticket.id, note=note)
        )


def _return_ticket(turn: Turn, request: ApprovalRequest, decision: Decision) -> NewTicket:
    return NewTicket(
        turn.contact_id,
        "return",
        f"Return approved: order {request.proposal.get('order', '')}",
        f"{request.summary}\nDecision: {decision.action} by {decision.by}. {decision.note or ''}".strip(),
        conversation_id=turn.conversation_id,
        order_number=request.proposal.get("order"),
    )
