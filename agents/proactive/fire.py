"""Firing one due timer: its flow proposes a message (or drops it), the rules decide, the transcript records it once.

The message is keyed by the timer, so a timer fired twice (a worker died after writing it)
records one message. Sending is the outbox's job, like every other reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from agents.context import RunDeps
from agents.proactive.rules import (
    DeferUntil,
    Drop,
    Handled,
    SendCounts,
    SendNow,
    customer_zone,
    day_start,
    verdict,
)
from tools.conversations import DialoguePrompt, Message, NewReply
from tools.ids import ContactId
from tools.notifications import NewNotification, NotificationKind
from tools.timers import NewTimer, Timer


@dataclass(frozen=True)
class TemplateUse:
    """The approved WhatsApp template that carries this message when the customer last wrote over 24 h ago."""

    purpose: str
    """The playbook template's purpose (``reminder``, ``follow_up``, ``reactivation``…)."""
    values: Mapping[str, str] = field(default_factory=dict)
    """Values for its parameters, by name (``name``, ``service``, ``time``…)."""

    def details(self) -> dict[str, str]:
        """The delivery details that name the template and its values for the outbox."""
        return {
            "whatsapp_template": self.purpose,
            **{f"template:{k}": v for k, v in self.values.items() if v},
        }


@dataclass(frozen=True)
class Proposal:
    """What a flow would send, and to whom."""

    conversation_id: str
    contact_id: ContactId
    reply: NewReply
    prompt: DialoguePrompt | None = None
    """What the customer's answer to it will be read as (None: nothing in particular)."""
    then: tuple[tuple[str, NewTimer], ...] = ()
    """(key, timer) pairs to set once the message is recorded (a follow-up if it goes unanswered)."""
    template: TemplateUse | None = None
    """How WhatsApp carries it outside the 24-hour window (None: only inside it)."""


@dataclass(frozen=True)
class Sent:
    """The message is in the transcript, to be sent by the outbox."""

    message: Message
    details: Mapping[str, str] = field(default_factory=dict)
    """What the outbox needs besides the text (the WhatsApp template for sends outside its window)."""


Flow = Callable[[RunDeps, Timer], Awaitable[Proposal | Drop | Handled]]
"""A flow step: what to say when its timer fires, or why not to say anything, or what it did instead."""
Outcome = Sent | DeferUntil | Drop | Handled


async def fire(deps: RunDeps, timer: Timer, flows: Mapping[str, Flow]) -> Outcome:
    """Run the timer's flow step within the rules."""
    now = deps.clock.now()
    if timer.expires_at is not None and now > timer.expires_at:
        return Drop("stale: its moment passed while nothing ran (downtime)")
    flow = flows.get(timer.kind)
    if flow is None:
        return Drop(f"no flow handles timers of kind {timer.kind!r}")
    proposal = await flow(deps, timer)
    if isinstance(proposal, Drop | Handled):
        return proposal
    conversations = deps.stores.conversations
    contact = await deps.stores.crm.get_contact(proposal.contact_id)
    zone = customer_zone(deps.playbook, contact.timezone)
    counts = SendCounts(
        to_customer_today=await conversations.proactive_count(
            since=day_start(deps.playbook, now, zone), contact_id=proposal.contact_id
        ),
        account_last_hour=await conversations.proactive_count(since=now - timedelta(hours=1)),
    )
    decided = verdict(deps.playbook, now, opted_out=contact.opted_out, counts=counts, zone=zone)
    if isinstance(decided, DeferUntil) and decided.reason.startswith("account-wide"):
        await _breaker_tripped(deps, counts)
    if not isinstance(decided, SendNow):
        return decided
    message = await conversations.record_proactive(
        proposal.conversation_id, proposal.reply, key=f"timer:{timer.id}", prompt=proposal.prompt
    )
    for key, follow_up in proposal.then:
        await deps.stores.timers.schedule(follow_up, key=key)
    return Sent(message, proposal.template.details() if proposal.template is not None else {})


async def _breaker_tripped(deps: RunDeps, counts: SendCounts) -> None:
    """Tell staff (once an hour) that proactive sends are halted."""
    now = deps.clock.now()
    await deps.stores.notifications.notify(
        NewNotification(
            NotificationKind.SLA_BREACH,
            "team:support",
            "Proactive messages halted",
            f"{counts.account_last_hour} proactive messages in the last hour reached the cap of "
            f"{deps.playbook.follow_ups.account_hourly_cap} (follow_ups.account_hourly_cap); "
            "reminders and follow-ups wait and go out once the hour's volume drops.",
            link=f"{deps.console_url}/console/metrics",
        ),
        key=f"proactive-breaker:{now:%Y-%m-%dT%H}",
    )
