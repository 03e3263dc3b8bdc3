"""Escalation: a conversation that needs a person pauses until staff decide."""

from __future__ import annotations

from agents.base import ApprovalRequest, Decision, Outcome, Turn
from tools.conversations import Owner


class Escalation:
    """Pauses the conversation for staff with a summary; staff take over, answer, or let the bot go on."""

    name = "escalation"

    def __init__(self, reason: str = "") -> None:
        self.reason = reason

    async def handle(self, turn: Turn) -> Outcome:
        """Ask staff, and tell the customer a person is looking."""
        summary = f"Escalation ({self.reason}). Customer wrote: {turn.meaning.text[:500]}"
        outcome = Outcome(
            approval=ApprovalRequest("escalation", summary, {"reason": self.reason, "reply": ""})
        )
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
