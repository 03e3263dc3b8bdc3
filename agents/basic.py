"""The simple specialists: small talk, not understood, a person, opt-out."""

from __future__ import annotations

from agents._common import learn_contact_details
from agents.base import HANDED_TO_STAFF, ApprovalRequest, Decision, Outcome, Turn
from agents.reactivation import mark_opted_out
from tools.conversations import Owner
from tools.intents import Intent
from tools.notifications import NewNotification, NotificationKind


def _lang(turn: Turn) -> str:
    return "ru" if turn.language == "ru" else "en"


class SmallTalk:
    """Greetings and goodbyes."""

    name = "smalltalk"

    async def handle(self, turn: Turn) -> Outcome:
        """Greet (by name when known, also when the customer just introduced themselves) or say goodbye."""
        replies = turn.deps.replies
        if turn.meaning.intent is Intent.THANKS_BYE:
            return Outcome(done=True).say(replies.text("thanks_bye", turn.language))
        outcome = Outcome(done=True)
        learn_contact_details(turn, outcome)
        name = outcome.shared.get("name") or turn.shared.get("name")
        business = turn.deps.playbook.business.name.get(_lang(turn))
        if name:
            return outcome.say(replies.text("greeting_known", turn.language, name=name, business=business))
        return outcome.say(replies.text("greeting", turn.language, business=business))

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Small talk never asks for approval."""
        return Outcome(done=True)


class NotUnderstood:
    """Messages no specialist can take: ask again, offering the likeliest meanings."""

    name = "unknown"

    async def handle(self, turn: Turn) -> Outcome:
        """Ask to rephrase, or which of two meanings was meant."""
        replies = turn.deps.replies
        business = turn.deps.playbook.business.name.get(_lang(turn))
        if turn.meaning.intent is Intent.OUT_OF_SCOPE and turn.meaning.confidence >= 0.5:
            return Outcome(done=True).say(replies.text("out_of_scope", turn.language, business=business))
        return Outcome(done=True).say(replies.text("not_understood", turn.language))

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Never asks for approval."""
        return Outcome(done=True)


class HumanHandoff:
    """ "HUMAN" / "оператор": staff take the conversation; the bot goes silent until handed back."""

    name = "human"

    async def handle(self, turn: Turn) -> Outcome:
        """Hand over at once and tell staff."""
        deps = turn.deps
        await deps.stores.conversations.set_owner(
            turn.conversation_id, Owner.STAFF, staff_id=None, actor="agent:human"
        )
        team = deps.playbook.internal_routing.teams.get(
            "support"
        ) or deps.playbook.internal_routing.teams.get("sales")
        hours = team.response_hours if team else 1
        await deps.stores.notifications.notify(
            NewNotification(
                NotificationKind.ESCALATION,
                "team:support",
                "The customer asked for a person",
                f"Last message: {turn.meaning.text[:300]}",
                link=f"{deps.console_url}/console/conversations/{turn.conversation_id}",
            ),
            key=turn.key("human-notify"),
        )
        outcome = Outcome(done=True, handoff="the customer asked for a person")
        outcome.actions.append(HANDED_TO_STAFF)
        return outcome.say(deps.replies.text("handoff_to_human", turn.language, hours=hours))

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Never asks for approval."""
        return Outcome(done=True)


class OptOut:
    """Stop all proactive messages, confirm, and keep answering when the customer writes."""

    name = "optout"

    async def handle(self, turn: Turn) -> Outcome:
        """Record the opt-out and confirm it."""
        await turn.deps.stores.crm.set_opted_out(
            turn.contact_id,
            True,
            key=turn.key("optout"),
            actor="agent:optout",
        )
        outcome = Outcome(done=True)
        outcome.actions.append("opted out of proactive messages")
        outcome.actions += await mark_opted_out(turn)
        return outcome.say(turn.deps.replies.text("opt_out_confirmed", turn.language))

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Never asks for approval."""
        return Outcome(done=True)
