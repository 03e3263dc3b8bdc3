"""Escalation: a conversation that needs a person pauses until staff decide."""

from __future__ import annotations

from agents.base import ApprovalRequest, Decision, Outcome, Turn
from agents.support_tickets import ESCALATED, open_case
from tools.conversations import Owner
from tools.ids import TicketId
from tools.tickets import TicketPriority


class Escalation:
    """Pauses the conversation for staff with a summary; staff take over, answer, or let the bot go on."""

    name = "escalation"

    def __init__(self, reason: str = "") -> None:
        self.reason = reason

    async def handle(self, turn: Turn) -> Outcome:
        """Ask staff, and tell the customer a person is looking."""
        summary = f"Escalation ({self.reason}). Customer wrote: {turn.meaning.text[:500]}"
        intent = turn.meaning.intent.value
        ticket = await open_case(
            turn,
            category=intent.removeprefix("support_") if intent.startswith("support_") else "escalation",
            facts={
                "subject": f"Escalation: {self.reason}",
                "reason": self.reason,
                "customer wrote": turn.meaning.text[:500],
                "language": turn.language,
                "channel": turn.channel,
            },
            priority=TicketPriority.HIGH,
            notify=False,
            action="escalation-ticket",
        )
        await turn.deps.stores.tickets.update_ticket(
            TicketId(ticket.id),
            key=turn.key("escalation-outcome"),
            actor="agent:escalation",
            outcome=ESCALATED,
        )
        outcome = Outcome(
            approval=ApprovalRequest(
                "escalation", f"{summary} Ticket {ticket.id}.", {"reason": self.reason, "reply": ""}
            )
        )
        outcome.actions.append(f"ticket {ticket.id} opened (escalation)")
        team = turn.deps.playbook.internal_routing.teams.get("support")
        return outcome.say(
            turn.deps.replies.text(
                "handoff_to_human", turn.language, hours=team.response_hours if team else 1
            )
        )

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Approve: staff take over. Edit: send staff's reply, bot goes on. Reject: bot goes on."""
        outcome = Outcome(done=True)
        if decision.action == "approve":
            await turn.deps.stores.conversations.set_owner(
                turn.conversation_id,
                Owner.STAFF,
                staff_id=decision.by.removeprefix("staff:"),
                actor=decision.by,
            )
            outcome.actions.append(f"taken over by {decision.by}")
        elif decision.action == "edit" and decision.changes.get("reply"):
            outcome.say(decision.changes["reply"])
        elif decision.note:
            outcome.say(decision.note)
        return outcome
