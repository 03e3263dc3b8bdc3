"""Support triage (first version): record the case as a ticket with its context and tell the customer when to expect an answer."""

from __future__ import annotations

from agents._common import learn_contact_details
from agents.base import ApprovalRequest, Decision, Outcome, Turn
from tools.tickets import NewTicket, TicketPriority


class SupportTriage:
    """Opens a ticket for the support team with what the customer said."""

    name = "support"

    async def handle(self, turn: Turn) -> Outcome:
        """Open a ticket and acknowledge it."""
        outcome = Outcome()
        learn_contact_details(turn, outcome)
        deps = turn.deps
        category = turn.meaning.intent.value.removeprefix("support_")
        ticket = await deps.stores.tickets.open_ticket(
            NewTicket(
                turn.contact_id,
                category,
                turn.meaning.text[:120] or category,
                f"Customer wrote: {turn.meaning.text[:2000]}",
                priority=TicketPriority.NORMAL,
                conversation_id=turn.conversation_id,
                order_number=turn.meaning.entities.order_id,
            ),
            key=turn.key("ticket"),
            actor="agent:support",
        )
        outcome.actions.append(f"ticket {ticket.id} opened ({category})")
        outcome.done = True
        team = deps.playbook.internal_routing.teams.get("support")
        return outcome.say(
            deps.replies.text(
                "support_ack", turn.language, ticket=ticket.id, hours=team.response_hours if team else 24
            )
        )

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Not used yet."""
        return Outcome()
