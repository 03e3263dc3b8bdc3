"""The staff inbox's conversation list on SQL (SQLite and PostgreSQL).

Tags live in JSON arrays (on the contact and on each lead); a tag is matched as the quoted
string inside the array's text, which both databases answer without JSON functions. Search is
``LIKE`` on the customer's fields and on message texts: case-insensitive on PostgreSQL
(``ILIKE``), and on SQLite for Latin letters only (SQLite folds only ASCII case).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from tools.conversation_list import Change, ConversationFilter, ConversationRow, ConversationState
from tools.conversations import Owner
from tools.sql.conversations import conversation_from_row
from tools.sql.engine import reading
from tools.sql.schema import contacts, conversations, leads, messages

_last = (
    select(messages.c.text, messages.c.author)
    .where(messages.c.conversation_id == conversations.c.id)
    .order_by(messages.c.created_at.desc(), messages.c.id.desc())
    .limit(1)
)
_LAST_TEXT = _last.with_only_columns(messages.c.text).scalar_subquery().label("last_text")
_LAST_AUTHOR = _last.with_only_columns(messages.c.author).scalar_subquery().label("last_author")


def _like(pattern: str) -> str:
    """`pattern` as a LIKE operand matching it anywhere, its own ``%`` and ``_`` taken literally."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _state(state: ConversationState) -> ColumnElement[bool]:
    c = conversations.c
    if state is ConversationState.CLOSED:
        return c.closed.is_(True)
    if state is ConversationState.APPROVAL:
        return and_(c.closed.is_(False), c.awaiting_approval.is_(True))
    owner = Owner.STAFF if state is ConversationState.HUMAN else Owner.BOT
    return and_(c.closed.is_(False), c.awaiting_approval.is_(False), c.owner == owner.value)


def _tagged(tag: str) -> ColumnElement[bool]:
    quoted = _like(f'"{tag}"')
    on_lead = exists().where(
        leads.c.contact_id == conversations.c.contact_id, cast(leads.c.tags, String).like(quoted, escape="\\")
    )
    return or_(cast(contacts.c.tags, String).like(quoted, escape="\\"), on_lead)


def _searched(text: str) -> ColumnElement[bool]:
    pattern = _like(text.strip())
    in_messages = exists().where(
        messages.c.conversation_id == conversations.c.id, messages.c.text.ilike(pattern, escape="\\")
    )
    return or_(
        contacts.c.name.ilike(pattern, escape="\\"),
        contacts.c.phone.ilike(pattern, escape="\\"),
        contacts.c.email.ilike(pattern, escape="\\"),
        conversations.c.external_id.ilike(pattern, escape="\\"),
        in_messages,
    )


def _conditions(where: ConversationFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.channel:
        conditions.append(conversations.c.channel == where.channel)
    if where.state is not None:
        conditions.append(_state(where.state))
    if where.staff:
        conditions.append(conversations.c.owner_staff == where.staff)
    if where.tag:
        conditions.append(_tagged(where.tag))
    if where.search and where.search.strip():
        conditions.append(_searched(where.search))
    if where.ids:
        conditions.append(conversations.c.id.in_(where.ids))
    return conditions


def _tags(row: Any, lead_tags: dict[str, list[str]]) -> tuple[str, ...]:
    found = [*(row.contact_tags or []), *lead_tags.get(row.contact_id, [])]
    return tuple(dict.fromkeys(str(tag) for tag in found))


class SqlConversationList:
    """`ConversationListing` over the conversations, contacts, leads and messages tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def rows(self, where: ConversationFilter) -> list[ConversationRow]:
        """Conversations matching `where`, most recent activity first, at most `where.limit`."""
        query = (
            select(
                conversations,
                contacts.c.name.label("contact_name"),
                contacts.c.phone.label("contact_phone"),
                contacts.c.tags.label("contact_tags"),
                _LAST_TEXT,
                _LAST_AUTHOR,
            )
            .join(contacts, contacts.c.id == conversations.c.contact_id)
            .where(*_conditions(where))
            .order_by(conversations.c.updated_at.desc(), conversations.c.id)
            .limit(max(1, min(where.limit, 500)))
        )
        async with reading(self._engine) as connection:
            found = (await connection.execute(query)).all()
            contact_ids = list({row.contact_id for row in found})
            lead_tags: dict[str, list[str]] = {}
            if contact_ids:
                tag_rows = await connection.execute(
                    select(leads.c.contact_id, leads.c.tags).where(leads.c.contact_id.in_(contact_ids))
                )
                for contact_id, tags in tag_rows.all():
                    lead_tags.setdefault(contact_id, []).extend(tags or [])
        return [
            ConversationRow(
                conversation=conversation_from_row(row),
                updated_at=row.updated_at,
                contact_name=row.contact_name,
                contact_phone=row.contact_phone,
                tags=_tags(row, lead_tags),
                last_text=row.last_text,
                last_author=row.last_author,
            )
            for row in found
        ]

    async def changed_since(self, since: datetime, *, limit: int = 200) -> list[Change]:
        """Conversations changed at or after `since`, oldest change first."""
        query = (
            select(conversations.c.id, conversations.c.updated_at)
            .where(conversations.c.updated_at >= since)
            .order_by(conversations.c.updated_at, conversations.c.id)
            .limit(limit)
        )
        async with reading(self._engine) as connection:
            return [Change(row.id, row.updated_at) for row in (await connection.execute(query)).all()]
