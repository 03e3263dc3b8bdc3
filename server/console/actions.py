"""What staff do to a conversation from the console: take over, reply, hand back, decide an approval, note.

Actions that reach the customer are recorded in the transcript and queued in the outbox like the
bot's replies, so they leave through the customer's channel with the same retries; the outbox
re-reads who owns the conversation right before each send. A decision resumes the paused graph
while this process holds the conversation's lease (the one workers take for a turn), so it never
overlaps a customer's turn in any process.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from graph import ConversationRunner, TurnResult
from server.outbox_queue import queue_for_sending
from server.worker_names import worker_name
from tools.conversations import ApprovalStatus, Conversation, Message, NewReply, Owner
from tools.errors import Conflict, InvalidInput
from tools.ids import TicketId
from tools.sql import BusinessStores
from tools.staff_accounts import StaffAccount
from tools.tickets import TicketStatus

HOLD_WAIT_S = 15.0
"""How long a decision waits for a customer's running turn to finish before giving up."""
HOLD_LEASE_S = 120.0
"""The lease a decision takes: longer than the slowest resumed turn."""
MAX_REPLY_CHARS = 4000

EDITABLE: Mapping[str, tuple[str, ...]] = {
    "quote": ("low", "high"),
    "discount": ("percent",),
    "escalation": ("reply",),
    "non_standard": ("answer",),
    "return": ("note",),
}
"""Which proposal values staff may change when editing, by approval kind."""
NUMERIC = frozenset({"low", "high", "percent"})


def checked_changes(kind: str, changes: Mapping[str, str]) -> dict[str, str]:
    """Staff's edits of a proposal, validated: only the kind's editable values, numbers where numbers go.

    Raises `InvalidInput` naming the field and what is wrong.
    """
    allowed = EDITABLE.get(kind, ())
    edited = {key: value.strip() for key, value in changes.items() if key in allowed and value.strip()}
    for key, value in edited.items():
        if key in NUMERIC:
            try:
                number = Decimal(value.replace(" ", "").replace(",", "."))
            except InvalidOperation:
                raise InvalidInput(f"{key}: not a number, got {value!r}") from None
            if not number.is_finite() or number < 0:
                raise InvalidInput(f"{key}: must be zero or more, got {value!r}")
            if key == "percent" and number > 100:
                raise InvalidInput(f"percent: at most 100, got {value!r}")
            edited[key] = str(number)
    if "low" in edited or "high" in edited:
        low, high = edited.get("low"), edited.get("high")
        if low is not None and high is not None and Decimal(low) > Decimal(high):
            raise InvalidInput(f"low: must not exceed high ({low} > {high})")
    if not edited:
        raise InvalidInput(f"nothing to change: edit one of {', '.join(allowed) or 'no fields'}")
    return edited


@dataclass
class StaffActions:
    """Console actions on conversations, for one server process."""

    stores: BusinessStores
    runner: ConversationRunner
    wake_outbox: Callable[[], None] | None = None

    async def take_over(self, conversation_id: str, staff: StaffAccount) -> Conversation:
        """Staff own the conversation: the bot stays silent, queued bot messages are withheld."""
        return await self.stores.conversations.set_owner(
            conversation_id, Owner.STAFF, staff_id=staff.login, actor=staff.actor
        )

    async def hand_back(self, conversation_id: str, staff: StaffAccount) -> Conversation:
        """The bot answers again from the next message, with the conversation's context."""
        return await self.stores.conversations.set_owner(
            conversation_id, Owner.BOT, staff_id=None, actor=staff.actor
        )

    async def reply(self, conversation_id: str, text: str, staff: StaffAccount) -> Message:
        """Send the customer a message from staff; only while staff own the conversation."""
        text = text.strip()
        if not text:
            raise InvalidInput("the reply is empty")
        if len(text) > MAX_REPLY_CHARS:
            raise InvalidInput(f"the reply is {len(text)} characters; at most {MAX_REPLY_CHARS}")
        conversation = await self.stores.conversations.get_conversation(conversation_id)
        if conversation.owner is not Owner.STAFF:
            raise Conflict("take the conversation over before replying (the bot answers it now)")
        message = await self.stores.conversations.record_proactive(
            conversation_id,
            NewReply(text, agent="staff", author=staff.actor),
            key=f"staff-reply:{uuid.uuid4().hex}",
        )
        await self._queue([message])
        return message

    async def note(self, conversation_id: str, text: str, staff: StaffAccount) -> None:
        """An internal note on the customer (never sent)."""
        text = text.strip()
        if not text:
            raise InvalidInput("the note is empty")
        conversation = await self.stores.conversations.get_conversation(conversation_id)
        await self.stores.crm.add_note(
            conversation.contact_id, text, key=f"console-note:{uuid.uuid4().hex}", author=staff.actor
        )

    async def decide(
        self,
        approval_id: str,
        action: str,
        staff: StaffAccount,
        *,
        note: str | None = None,
        changes: Mapping[str, str] | None = None,
    ) -> TurnResult:
        """Approve, edit or reject a paused action; the conversation resumes and the customer is answered."""
        if action not in ("approve", "edit", "reject"):
            raise InvalidInput(f"action: approve, edit or reject, got {action!r}")
        approval = await self.stores.conversations.get_approval(approval_id)
        if approval.status is not ApprovalStatus.PENDING:
            raise Conflict(f"already {approval.status.value} by {approval.decided_by}")
        edited = checked_changes(approval.kind, changes or {}) if action == "edit" else None
        reason = (note or "").strip() or None
        if action == "reject" and reason is None:
            raise InvalidInput("a rejection needs a reason (the customer is told it)")
        conversation = await self.stores.conversations.get_conversation(approval.conversation_id)
        async with self._holding(conversation.id):
            result = await self.runner.decide(
                approval_id, action=action, by=staff.actor, note=reason, changes=edited
            )
            await self._queue(result.replies)
        return result

    @asynccontextmanager
    async def _holding(self, conversation_id: str) -> AsyncIterator[None]:
        """Hold the conversation's lease (waiting out a running turn) while the block runs."""
        owner = f"console:{worker_name()}:{uuid.uuid4().hex[:8]}"
        inbox = self.stores.inbox
        deadline = asyncio.get_running_loop().time() + HOLD_WAIT_S
        while not await inbox.hold_conversation(conversation_id, owner, lease_s=HOLD_LEASE_S):
            if asyncio.get_running_loop().time() > deadline:
                raise Conflict("the conversation is busy with a customer's message; try again in a moment")
            await asyncio.sleep(0.1)
        try:
            yield
        finally:
            await inbox.release_conversation(conversation_id, owner)

    async def ticket_update(
        self,
        ticket_id: TicketId,
        staff: StaffAccount,
        *,
        status: TicketStatus | None = None,
        assignee: str | None = None,
        note: str | None = None,
    ) -> list[Message]:
        """Move a ticket on; the customer's notice (once per change) goes out through their channel."""
        messages = await self.runner.ticket_update(
            ticket_id, by=staff.actor, status=status, assignee=assignee, note=note
        )
        await self._queue(messages)
        return messages

    async def _queue(self, messages: Sequence[Message]) -> None:
        await queue_for_sending(messages, conversations=self.stores.conversations, inbox=self.stores.inbox)
        if messages and self.wake_outbox is not None:
            self.wake_outbox()
