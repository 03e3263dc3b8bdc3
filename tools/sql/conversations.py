"""Conversations, transcripts and approvals on SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from tools.conversations import (
    Approval,
    ApprovalStatus,
    Conversation,
    ConversationId,
    DialoguePrompt,
    Direction,
    Message,
    NewReply,
    Owner,
)
from tools.errors import Conflict, NotFound
from tools.ids import ContactId, new_id
from tools.sql._unit import Change, SqlBase
from tools.sql.engine import reading, writing
from tools.sql.schema import approvals, conversations, messages


def conversation_from_row(row: Row[Any]) -> Conversation:
    """A `Conversation` from a row of the conversations table."""
    return Conversation(
        id=row.id,
        channel=row.channel,
        external_id=row.external_id,
        contact_id=ContactId(row.contact_id),
        language=row.language,
        owner=Owner(row.owner),
        owner_staff=row.owner_staff,
        active_agent=row.active_agent,
        awaiting_approval=row.awaiting_approval,
        closed=row.closed,
        created_at=row.created_at,
        last_message_at=row.last_message_at,
        prompt=_prompt(row.prompt),
    )


def _prompt(stored: Mapping[str, Any] | None) -> DialoguePrompt | None:
    if not stored:
        return None
    return DialoguePrompt(
        agent=str(stored["agent"]),
        expecting=str(stored["expecting"]),
        slots={str(k): str(v) for k, v in dict(stored.get("slots") or {}).items()},
        offered=tuple(str(o) for o in stored.get("offered") or ()),
        message_id=str(stored.get("message_id") or ""),
        question=str(stored.get("question") or ""),
        buttons=tuple(str(b) for b in stored.get("buttons") or ()),
    )


def _stored_prompt(prompt: DialoguePrompt | None, message: Message) -> dict[str, object] | None:
    if prompt is None:
        return None
    return {
        "agent": prompt.agent,
        "expecting": prompt.expecting,
        "slots": dict(prompt.slots),
        "offered": list(prompt.offered),
        "message_id": message.id,
        "question": message.text,
        "buttons": list(message.buttons),
    }


def _message(row: Row[Any]) -> Message:
    return Message(
        id=row.id,
        conversation_id=row.conversation_id,
        direction=Direction(row.direction),
        text=row.text,
        created_at=row.created_at,
        provider_id=row.provider_id,
        reply_to=row.reply_to,
        seq=row.seq,
        agent=row.agent,
        intent=row.intent,
        author=row.author,
        buttons=tuple(row.buttons),
        actions=tuple(row.actions),
    )


def _message_from(values: Mapping[str, Any]) -> Message:
    return Message(
        id=values["id"],
        conversation_id=values["conversation_id"],
        direction=Direction(values["direction"]),
        text=values["text"],
        created_at=values["created_at"],
        provider_id=values.get("provider_id"),
        reply_to=values.get("reply_to"),
        seq=values["seq"],
        agent=values.get("agent"),
        intent=values.get("intent"),
        author=values["author"],
        buttons=tuple(values["buttons"]),
        actions=tuple(values["actions"]),
    )


_NEW_REPLIES = {
    name: dialect.insert(messages)
    .on_conflict_do_nothing(index_elements=[messages.c.reply_to, messages.c.seq])
    .returning(messages.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _new_reply(dialect: str) -> Any:
    """Insert an outbound message unless one answers the same message at the same position (no row back then)."""
    return _NEW_REPLIES[dialect]


def _approval(row: Row[Any]) -> Approval:
    return Approval(
        id=row.id,
        conversation_id=row.conversation_id,
        kind=row.kind,
        summary=row.summary,
        proposal=dict(row.proposal),
        status=ApprovalStatus(row.status),
        created_at=row.created_at,
        decided_by=row.decided_by,
        decision_note=row.decision_note,
        decided_at=row.decided_at,
        changes=dict(row.changes),
    )


_NEW_MESSAGE = insert(messages)
"""A transcript message; the row's values are given at execution (the statement is compiled once)."""
_MESSAGE_ARRIVED = (
    update(conversations)
    .where(conversations.c.id == bindparam("conversation"))
    .values(last_message_at=bindparam("arrived_at"), updated_at=bindparam("changed_at"))
)
"""A conversation's latest activity moves to a new inbound message."""


class SqlConversations(SqlBase):
    """`ConversationStore` on SQLite or PostgreSQL."""

    async def _insert_once(self, table: Any, values: Mapping[str, object], lookup: Any) -> Row[Any]:
        """Insert a row unless a unique twin exists; return the stored row either way."""
        async with writing(self._engine) as connection:
            try:
                async with connection.begin():
                    existing = (await connection.execute(lookup)).first()
                    if existing is not None:
                        return existing
                    await connection.execute(insert(table).values(**values))
            except IntegrityError:
                pass
            async with connection.begin():
                return (await connection.execute(lookup)).one()

    async def open_conversation(
        self, channel: str, external_id: str, contact_id: ContactId, *, language: str | None = None
    ) -> Conversation:
        """Return the conversation for a channel chat, creating it if new."""
        now = self._clock.now()
        conversation_id = f"{channel}:{external_id}"
        async with reading(self._engine) as connection:
            found = (
                await connection.execute(select(conversations).where(conversations.c.id == conversation_id))
            ).first()
        if found is not None:
            return conversation_from_row(found)
        row = await self._insert_once(
            conversations,
            {
                "id": conversation_id,
                "channel": channel,
                "external_id": external_id,
                "contact_id": contact_id,
                "language": language,
                "owner": Owner.BOT.value,
                "awaiting_approval": False,
                "closed": False,
                "created_at": now,
                "updated_at": now,
            },
            select(conversations).where(conversations.c.id == conversation_id),
        )
        return conversation_from_row(row)

    async def get_conversation(self, conversation_id: ConversationId) -> Conversation:
        """Return a conversation (NotFound if none)."""
        async with reading(self._engine) as connection:
            row = (
                await connection.execute(select(conversations).where(conversations.c.id == conversation_id))
            ).first()
        if row is None:
            raise NotFound(f"no conversation {conversation_id!r}")
        return conversation_from_row(row)

    async def list_conversations(self, *, limit: int = 100) -> list[Conversation]:
        """Conversations, most recent activity first."""
        query = (
            select(conversations).order_by(conversations.c.updated_at.desc(), conversations.c.id).limit(limit)
        )
        async with reading(self._engine) as connection:
            return [conversation_from_row(row) for row in (await connection.execute(query)).all()]

    async def _update(self, conversation_id: ConversationId, values: dict[str, object]) -> Conversation:
        async with writing(self._engine) as connection, connection.begin():
            result = await connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(**values, updated_at=self._clock.now())
            )
            if not result.rowcount:
                raise NotFound(f"no conversation {conversation_id!r}")
        return await self.get_conversation(conversation_id)

    async def update_conversation(
        self,
        conversation_id: ConversationId,
        *,
        language: str | None = None,
        active_agent: str | None = None,
        awaiting_approval: bool | None = None,
        closed: bool | None = None,
    ) -> Conversation:
        """Change what the console shows about a conversation."""
        values: dict[str, object] = {}
        if language is not None:
            values["language"] = language
        if active_agent is not None:
            values["active_agent"] = active_agent or None
        if awaiting_approval is not None:
            values["awaiting_approval"] = awaiting_approval
        if closed is not None:
            values["closed"] = closed
        return await self._update(conversation_id, values)

    async def set_owner(
        self, conversation_id: ConversationId, owner: Owner, *, staff_id: str | None, actor: str
    ) -> Conversation:
        """Hand the conversation to staff or back to the bot."""
        conversation = await self._update(
            conversation_id, {"owner": owner.value, "owner_staff": staff_id if owner is Owner.STAFF else None}
        )
        async with writing(self._engine) as connection, connection.begin():
            action = "conversation.taken_over" if owner is Owner.STAFF else "conversation.handed_back"
            await self.record(
                connection,
                Change(action, "conversation", conversation_id, f"owner {owner.value}"),
                actor=actor,
                key=new_id("own"),
                contact_id=conversation.contact_id,
            )
        return conversation

    async def record_inbound(
        self, conversation_id: ConversationId, text: str, *, provider_id: str, at: datetime
    ) -> tuple[Message, bool]:
        """Store an inbound message; the flag is False when it was already stored (a redelivery)."""
        lookup = select(messages).where(
            messages.c.conversation_id == conversation_id, messages.c.provider_id == provider_id
        )
        message_id = new_id("msg")
        values = {
            "id": message_id,
            "conversation_id": conversation_id,
            "direction": Direction.IN.value,
            "text": text,
            "provider_id": provider_id,
            "seq": 0,
            "author": "customer",
            "buttons": [],
            "actions": [],
            "created_at": at,
        }
        async with writing(self._engine) as connection:
            try:
                async with connection.begin():
                    await connection.execute(_NEW_MESSAGE, values)
                    await connection.execute(
                        _MESSAGE_ARRIVED,
                        {
                            "conversation": conversation_id,
                            "arrived_at": at,
                            "changed_at": self._clock.now(),
                        },
                    )
            except IntegrityError:
                async with connection.begin():
                    return _message((await connection.execute(lookup)).one()), False
        return _message_from(values), True

    def _outbound(
        self, conversation_id: ConversationId, reply: NewReply, *, reply_to: str | None, seq: int
    ) -> dict[str, Any]:
        """The row of an outbound message."""
        return {
            "id": new_id("msg"),
            "conversation_id": conversation_id,
            "direction": Direction.OUT.value,
            "text": reply.text,
            "reply_to": reply_to,
            "seq": seq,
            "agent": reply.agent,
            "intent": reply.intent,
            "author": reply.author,
            "buttons": list(reply.buttons),
            "actions": list(reply.actions),
            "created_at": self._clock.now(),
        }

    async def finish_turn(
        self,
        conversation_id: ConversationId,
        replies: Sequence[NewReply],
        *,
        reply_to: str,
        first_seq: int = 0,
        language: str | None = None,
        active_agent: str | None = None,
        awaiting_approval: bool | None = None,
    ) -> tuple[Conversation, list[Message]]:
        """Store a turn's replies (once per position) and the conversation's new state, in one transaction.

        A reply is inserted unless one is stored at its position (only then is it read back), and the
        conversation's update returns the row: no statement is spent on a lookup in the usual case.
        """
        stored: list[Message] = []
        async with writing(self._engine) as connection, connection.begin():
            for seq, reply in enumerate(replies, start=first_seq):
                values = self._outbound(conversation_id, reply, reply_to=reply_to, seq=seq)
                new = await connection.execute(_new_reply(connection.dialect.name), values)
                if new.first() is not None:
                    stored.append(_message_from(values))
                    continue
                lookup = select(messages).where(messages.c.reply_to == reply_to, messages.c.seq == seq)
                stored.append(_message((await connection.execute(lookup)).one()))
            changes: dict[str, object] = {"updated_at": self._clock.now()}
            if language is not None:
                changes["language"] = language
            if active_agent is not None:
                changes["active_agent"] = active_agent or None
            if awaiting_approval is not None:
                changes["awaiting_approval"] = awaiting_approval
            row = (
                await connection.execute(
                    update(conversations)
                    .where(conversations.c.id == conversation_id)
                    .values(**changes)
                    .returning(*conversations.c)
                )
            ).one()
        return conversation_from_row(row), stored

    async def record_reply(
        self, conversation_id: ConversationId, reply: NewReply, *, reply_to: str, seq: int
    ) -> Message:
        """Store an outbound message answering `reply_to` at position `seq` (the same one on a retry)."""
        row = await self._insert_once(
            messages,
            self._outbound(conversation_id, reply, reply_to=reply_to, seq=seq),
            select(messages).where(messages.c.reply_to == reply_to, messages.c.seq == seq),
        )
        return _message(row)

    async def record_proactive(
        self,
        conversation_id: ConversationId,
        reply: NewReply,
        *,
        key: str,
        prompt: DialoguePrompt | None = None,
    ) -> Message:
        """Store a message the business starts (after a payment, a reminder); once per `key`.

        It becomes the conversation's prompt: what the customer's next message answers
        (`prompt`), or nothing in particular (None clears an earlier one).
        """
        row = await self._insert_once(
            messages,
            {
                **self._outbound(conversation_id, reply, reply_to=None, seq=0),
                "provider_id": f"proactive:{key}",
            },
            select(messages).where(
                messages.c.conversation_id == conversation_id, messages.c.provider_id == f"proactive:{key}"
            ),
        )
        message = _message(row)
        async with writing(self._engine) as connection, connection.begin():
            await connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(prompt=_stored_prompt(prompt, message))
            )
        return message

    async def proactive_count(self, *, since: datetime, contact_id: ContactId | None = None) -> int:
        """Messages the business started (reminders, follow-ups, notices) since `since`, to one customer or all."""
        query = (
            select(func.count())
            .select_from(messages)
            .where(
                messages.c.direction == Direction.OUT.value,
                messages.c.reply_to.is_(None),
                messages.c.author == "bot",
                messages.c.created_at >= since,
            )
        )
        if contact_id is not None:
            query = query.join(conversations, conversations.c.id == messages.c.conversation_id).where(
                conversations.c.contact_id == contact_id
            )
        async with reading(self._engine) as connection:
            return int((await connection.execute(query)).scalar_one())

    async def latest_for_contact(self, contact_id: ContactId) -> Conversation | None:
        """The contact's conversation with the most recent activity."""
        query = (
            select(conversations)
            .where(conversations.c.contact_id == contact_id)
            .order_by(conversations.c.updated_at.desc(), conversations.c.id)
            .limit(1)
        )
        async with reading(self._engine) as connection:
            row = (await connection.execute(query)).first()
        return conversation_from_row(row) if row is not None else None

    async def replies_to(self, message_id: str) -> list[Message]:
        """The outbound messages answering an inbound one, in order."""
        query = select(messages).where(messages.c.reply_to == message_id).order_by(messages.c.seq)
        async with reading(self._engine) as connection:
            return [_message(row) for row in (await connection.execute(query)).all()]

    async def get_message(self, message_id: str) -> Message:
        """One message of a transcript (NotFound if none)."""
        async with reading(self._engine) as connection:
            row = (await connection.execute(select(messages).where(messages.c.id == message_id))).first()
        if row is None:
            raise NotFound(f"no message {message_id!r}")
        return _message(row)

    async def transcript(self, conversation_id: ConversationId, *, limit: int | None = None) -> list[Message]:
        """Messages, oldest first (the last `limit` when given)."""
        query = (
            select(messages)
            .where(messages.c.conversation_id == conversation_id)
            .order_by(messages.c.created_at.desc(), messages.c.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        async with reading(self._engine) as connection:
            rows = (await connection.execute(query)).all()
        return [_message(row) for row in reversed(rows)]

    async def create_approval(
        self,
        conversation_id: ConversationId,
        *,
        kind: str,
        summary: str,
        proposal: Mapping[str, str],
        key: str,
    ) -> Approval:
        """Record an action waiting for staff (the same record for the same key)."""
        row = await self._insert_once(
            approvals,
            {
                "id": new_id("ap"),
                "conversation_id": conversation_id,
                "kind": kind,
                "summary": summary,
                "proposal": dict(proposal),
                "status": ApprovalStatus.PENDING.value,
                "changes": {},
                "idempotency_key": key,
                "created_at": self._clock.now(),
            },
            select(approvals).where(approvals.c.idempotency_key == key),
        )
        return _approval(row)

    async def decide_approval(
        self,
        approval_id: str,
        status: ApprovalStatus,
        *,
        decided_by: str,
        note: str | None = None,
        changes: Mapping[str, str] | None = None,
    ) -> Approval:
        """Record staff's decision (Conflict if already decided)."""
        if status is ApprovalStatus.PENDING:
            raise Conflict("a decision must approve, edit or reject")
        async with writing(self._engine) as connection, connection.begin():
            result = await connection.execute(
                update(approvals)
                .where(approvals.c.id == approval_id, approvals.c.status == ApprovalStatus.PENDING.value)
                .values(
                    status=status.value,
                    decided_by=decided_by,
                    decision_note=note,
                    changes=dict(changes or {}),
                    decided_at=self._clock.now(),
                )
            )
            if result.rowcount:
                await self.audit(
                    connection,
                    Change(f"approval.{status.value}", "approval", approval_id, note or status.value),
                    actor=decided_by,
                    key=new_id("dec"),
                )
        approval = await self.get_approval(approval_id)
        if not result.rowcount:
            raise Conflict(
                f"approval {approval_id} was already {approval.status.value} by {approval.decided_by}"
            )
        return approval

    async def get_approval(self, approval_id: str) -> Approval:
        """Return an approval (NotFound if none)."""
        async with reading(self._engine) as connection:
            row = (await connection.execute(select(approvals).where(approvals.c.id == approval_id))).first()
        if row is None:
            raise NotFound(f"no approval {approval_id!r}")
        return _approval(row)

    async def list_approvals(
        self, *, status: ApprovalStatus | None = None, conversation_id: ConversationId | None = None
    ) -> list[Approval]:
        """Approvals (of one conversation when given), oldest first."""
        query = select(approvals).order_by(approvals.c.created_at, approvals.c.id)
        if status is not None:
            query = query.where(approvals.c.status == status.value)
        if conversation_id is not None:
            query = query.where(approvals.c.conversation_id == conversation_id)
        async with reading(self._engine) as connection:
            return [_approval(row) for row in (await connection.execute(query)).all()]
