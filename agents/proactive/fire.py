"""Firing one due timer: its flow proposes a message (or drops it), the rules decide, the transcript records it once.

The message is keyed by the timer, so a timer fired twice (a worker died after writing it)
records one message. Sending is the outbox's job, like every other reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from agents.context import RunDeps
from agents.proactive.rules import DeferUntil, Drop, Handled, SendCounts, SendNow, day_start, verdict
from tools.conversations import DialoguePrompt, Message, NewReply
from tools.ids import ContactId
from tools.notifications import NewNotification, NotificationKind
from tools.timers import Timer


@dataclass(frozen=True)
class Proposal:
    """What a flow would send, and to whom."""

    conversation_id: str
    contact_id: ContactId
    reply: NewReply
    prompt: DialoguePrompt | None = None
    """What the customer's answer to it will be read as (None: nothing in particular)."""


@dataclass(frozen=True)
class Sent:
    """The message is in the transcript, to be sent by the outbox."""

    message: Message


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
    counts = SendCounts(
        to_customer_today=await conversations.proactive_count(
            since=day_start(deps.playbook, now), contact_id=proposal.contact_id
        ),
        account_last_hour=await conversations.proactive_count(since=now - timedelta(hours=1)),
    )
    decided = verdict(deps.playbook, now, opted_out=contact.opted_out, counts=counts)
    if isinstance(decided, DeferUntil) and decided.reason.startswith("account-wide"):
        await _breaker_tripped(deps, counts)
    if not isinstance(decided, SendNow):
        return decided
    message = await conversations.record_proactive(
        proposal.conversation_id, proposal.reply, key=f"timer:{timer.id}", prompt=proposal.prompt
    )
    return Sent(message)


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
