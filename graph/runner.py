"""The one path every message takes: record (dedup) → one turn at a time per conversation → graph → record replies.

Channels, the terminal chat, evals, benchmarks and tests all call `ConversationRunner`.
Replies are stored before they are returned for sending, keyed by the inbound
message and their position, so a retried turn never produces a second reply.
Ownership is checked right before replies are released: after a takeover the
bot stays silent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from agents.base import announces_handover
from agents.context import RunDeps
from graph.channel_events import PublicComment, answer_comment, answer_non_text
from graph.checkpoints import keep_latest
from graph.payments import on_invoice_paid
from graph.state import ConversationState, Prompt
from graph.tickets import update_ticket
from tools.conversations import ApprovalStatus, Conversation, Message, NewReply, Owner
from tools.crm import Contact, ContactChanges
from tools.followup_timers import followup_group
from tools.ids import InvoiceId, TicketId
from tools.privacy import mask_secrets
from tools.tickets import TicketStatus

log = logging.getLogger("frontdesk.conversations")


@dataclass(frozen=True)
class Inbound:
    """A customer message as a channel delivers it."""

    channel: str
    chat_id: str
    sender_id: str
    text: str
    message_id: str
    """The provider's id of the message (dedup key)."""
    sender_name: str | None = None
    at: datetime | None = None
    language: str | None = None
    """The language the channel or widget says the customer uses, pinned until the customer writes otherwise."""
    timezone: str | None = None
    """The customer's IANA time zone as their client reports it (web chat), kept on the contact."""


@dataclass(frozen=True)
class TurnResult:
    """What one inbound message produced."""

    conversation_id: str
    replies: list[Message]
    duplicate: bool = False
    """The message was a redelivery: nothing new was done."""
    silent: bool = False
    """Staff own the conversation: the bot said nothing."""
    approval_id: str | None = None
    """An approval now waiting for staff."""
    agent: str | None = None


@dataclass
class ConversationRunner:
    """Runs conversation turns through the graph, one at a time per conversation."""

    graph: CompiledStateGraph[Any, Any, Any, Any]
    deps: RunDeps
    prune_every: int = 8
    """Old checkpoints are deleted every this many turns, so a conversation keeps at most this many."""
    _locks: defaultdict[str, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))

    def _config(self, conversation_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": conversation_id}, "recursion_limit": 40}

    async def handle(self, inbound: Inbound) -> TurnResult:
        """Process one customer message (at most once, whatever the redeliveries).

        Card numbers, codes and other secrets in the message are masked first: what is stored,
        logged or sent to an LLM never holds them.
        """
        inbound, contact, conversation, message, new = await self._record(inbound)
        stores = self.deps.stores
        lock = self._locks[conversation.id]
        waited = lock.locked()
        async with lock:
            if not new:
                answered = await stores.conversations.replies_to(message.id)
                if answered:
                    return TurnResult(conversation.id, answered, duplicate=True)
            if waited or not new:
                conversation = await stores.conversations.get_conversation(conversation.id)
            if conversation.owner is Owner.STAFF:
                return TurnResult(conversation.id, [], silent=True)
            if conversation.awaiting_approval:
                language = conversation.language or self.deps.playbook.business.default_language
                text = self.deps.replies.text("still_waiting", language)
                _, stored = await stores.conversations.finish_turn(
                    conversation.id, [NewReply(text, agent="guardrails")], reply_to=message.id
                )
                return TurnResult(conversation.id, stored)
            values: ConversationState = {
                "conversation_id": conversation.id,
                "contact_id": contact.id,
                "channel": inbound.channel,
                "message_id": message.id,
                "text": inbound.text,
                "prompt": _prompt_state(conversation),
            }
            if inbound.language and not conversation.language:
                values["language"] = inbound.language
            result: dict[str, Any] = await self.graph.ainvoke(
                values, self._config(conversation.id), context=self.deps, durability="exit"
            )
            await self._prune(conversation.id, result)
            return await self._release(conversation.id, message.id, result)

    async def _record(self, inbound: Inbound) -> tuple[Inbound, Contact, Conversation, Message, bool]:
        """Mask secrets, find the contact and conversation, store the message (False: a redelivery)."""
        masked = mask_secrets(inbound.text)
        if masked.masked:
            log.info(
                "masked %s in a message to %s:%s", ", ".join(masked.found), inbound.channel, inbound.chat_id
            )
            inbound = dataclasses.replace(inbound, text=masked.text)
        stores = self.deps.stores
        contact = await stores.crm.contact_for_identity(
            inbound.channel,
            inbound.sender_id,
            key=f"identity:{inbound.channel}:{inbound.sender_id}",
            display_name=inbound.sender_name,
        )
        if inbound.timezone and inbound.timezone != contact.timezone and _known_zone(inbound.timezone):
            contact = await stores.crm.update_contact(
                contact.id,
                ContactChanges(timezone=inbound.timezone),
                key=f"timezone:{inbound.channel}:{inbound.message_id}",
                actor="channel",
            )
        conversation = await stores.conversations.open_conversation(
            inbound.channel, inbound.chat_id, contact.id
        )
        at = inbound.at or self.deps.clock.now()
        message, new = await stores.conversations.record_inbound(
            conversation.id, inbound.text, provider_id=inbound.message_id, at=at
        )
        if new:  # follow-ups are for silence: the customer wrote
            await stores.timers.cancel(followup_group(contact.id), reason="the customer wrote")
        return inbound, contact, conversation, message, new

    async def _outside_graph(
        self, inbound: Inbound, answer: Callable[[Conversation, Contact, Message], Awaitable[list[NewReply]]]
    ) -> TurnResult:
        """A turn answered without the graph (an attachment, a comment): recorded, deduplicated, owner-checked."""
        inbound, contact, conversation, message, new = await self._record(inbound)
        stores = self.deps.stores
        async with self._locks[conversation.id]:
            if not new:
                answered = await stores.conversations.replies_to(message.id)
                if answered:
                    return TurnResult(conversation.id, answered, duplicate=True)
            conversation = await stores.conversations.get_conversation(conversation.id)
            if conversation.owner is Owner.STAFF:
                return TurnResult(conversation.id, [], silent=True)
            replies = await answer(conversation, contact, message)
            _, stored = await stores.conversations.finish_turn(conversation.id, replies, reply_to=message.id)
            return TurnResult(conversation.id, stored)

    async def handle_non_text(self, inbound: Inbound, kinds: Sequence[str]) -> TurnResult:
        """A message with nothing to read (voice, photo, sticker, location, file).

        With an open ticket it is noted on the ticket's contact; otherwise the customer is asked,
        politely and in their language, to write in text. Never dropped, never an error.
        """

        async def answer(conversation: Conversation, contact: Contact, message: Message) -> list[NewReply]:
            language = (
                conversation.language or inbound.language or self.deps.playbook.business.default_language
            )
            return await answer_non_text(self.deps, conversation, contact, message, kinds, language)

        return await self._outside_graph(inbound, answer)

    async def handle_comment(self, inbound: Inbound, comment: PublicComment) -> TurnResult:
        """A public comment (Instagram): open a lead from it and answer privately with one question."""

        async def answer(conversation: Conversation, contact: Contact, message: Message) -> list[NewReply]:
            return await answer_comment(self.deps, conversation, contact, comment)

        return await self._outside_graph(inbound, answer)

    async def _prune(self, conversation_id: str, result: dict[str, Any]) -> None:
        """Delete old checkpoints every `prune_every` turns of the conversation (its 8th, 16th …).

        The transcript lives in the store, so storage stays bounded (at most `prune_every`
        checkpoints). The count is the conversation's own (kept in its state), so it holds
        whichever worker runs the turn. A first turn has nothing to prune and costs nothing.
        """
        checkpointer = self.graph.checkpointer
        turns = int(result.get("turns") or 0)
        if isinstance(checkpointer, BaseCheckpointSaver) and turns % self.prune_every == 0:
            await keep_latest(checkpointer, conversation_id)

    async def invoice_paid(self, invoice_id: InvoiceId) -> list[Message]:
        """Tell the customer about a payment and start the operations handoff (once per invoice)."""
        return await on_invoice_paid(self.deps, invoice_id)

    async def ticket_update(
        self,
        ticket_id: TicketId,
        *,
        by: str,
        status: TicketStatus | None = None,
        assignee: str | None = None,
        note: str | None = None,
    ) -> list[Message]:
        """Staff move a ticket on; the customer hears about it in their conversation (once per change)."""
        return await update_ticket(self.deps, ticket_id, by=by, status=status, assignee=assignee, note=note)

    async def staff_reply(self, conversation_id: str, text: str, *, by: str) -> Message:
        """Record a message staff wrote to the customer (`by` = ``staff:ID``); the channel delivers it later."""
        async with self._locks[conversation_id]:
            return await self.deps.stores.conversations.record_proactive(
                conversation_id,
                NewReply(text, agent="staff", author=by),
                key=f"staff-reply:{uuid.uuid4().hex}",
            )

    async def decide(
        self,
        approval_id: str,
        *,
        action: str,
        by: str,
        note: str | None = None,
        changes: dict[str, str] | None = None,
    ) -> TurnResult:
        """Resume a paused conversation with staff's decision (approve / edit / reject)."""
        stores = self.deps.stores
        approval = await stores.conversations.get_approval(approval_id)
        status = {
            "approve": ApprovalStatus.APPROVED,
            "edit": ApprovalStatus.EDITED,
            "reject": ApprovalStatus.REJECTED,
        }[action]
        async with self._locks[approval.conversation_id]:
            await stores.conversations.decide_approval(
                approval_id, status, decided_by=by, note=note, changes=changes
            )
            resume = {"action": action, "by": by, "note": note, "changes": changes or {}}
            result = await self.graph.ainvoke(
                Command(resume=resume),
                self._config(approval.conversation_id),
                context=self.deps,
                durability="exit",
            )
            await self._prune(approval.conversation_id, result)
            anchor = str(result["message_id"])
            earlier = len(await stores.conversations.replies_to(anchor))
            return await self._release(approval.conversation_id, anchor, result, first_seq=earlier)

    async def _release(
        self, conversation_id: str, reply_to: str, result: dict[str, Any], *, first_seq: int = 0
    ) -> TurnResult:
        outbox = [m for m in result.get("outbox", []) if m["text"] or m["actions"]]
        interrupts = result.get("__interrupt__") or []
        approval_id = interrupts[0].value.get("approval_id") if interrupts else None
        replies = [
            NewReply(m["text"], tuple(m["buttons"]), m["agent"], m["intent"], tuple(m["actions"]))
            for m in outbox
        ]
        conversation, stored = await self.deps.stores.conversations.finish_turn(
            conversation_id,
            replies,
            reply_to=reply_to,
            first_seq=first_seq,
            language=result.get("language"),
            active_agent=result.get("active_agent") or "",
            awaiting_approval=bool(interrupts),
        )
        handed_over = any(announces_handover(m.agent, m.actions) for m in stored)
        if conversation.owner is Owner.STAFF and not handed_over:
            log.info("conversation %s is owned by staff: replies held", conversation_id)
            return TurnResult(conversation_id, [], silent=True, approval_id=approval_id)
        agent = outbox[-1]["agent"] if outbox else None
        return TurnResult(
            conversation_id, [r for r in stored if r.text], approval_id=approval_id, agent=agent
        )


def _prompt_state(conversation: Conversation) -> Prompt | None:
    """The conversation's prompt as the graph takes it."""
    prompt = conversation.prompt
    if prompt is None or not prompt.message_id:
        return None
    return {
        "agent": prompt.agent,
        "expecting": prompt.expecting,
        "slots": dict(prompt.slots),
        "offered": list(prompt.offered),
        "buttons": list(prompt.buttons),
        "question": prompt.question,
        "message_id": prompt.message_id,
    }


def _known_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
