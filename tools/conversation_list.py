"""The staff inbox's view of conversations: filtered, searched, newest activity first.

A read model beside `tools.conversations`: it joins what staff scan a list by (the customer's
name and tags, the last message, who answers) and reports which conversations changed since a
moment, which feeds the console's live updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.conversations import Conversation, Owner


class ConversationState(StrEnum):
    """Where a conversation stands, as the inbox filters it."""

    BOT = "bot"
    """The bot answers."""
    APPROVAL = "approval"
    """Paused until staff approve, edit or reject an action."""
    HUMAN = "human"
    """Staff own it; the bot is silent."""
    CLOSED = "closed"


def state_of(conversation: Conversation) -> ConversationState:
    """The inbox state of `conversation` (closed first, then approval, then owner)."""
    if conversation.closed:
        return ConversationState.CLOSED
    if conversation.awaiting_approval:
        return ConversationState.APPROVAL
    if conversation.owner is Owner.STAFF:
        return ConversationState.HUMAN
    return ConversationState.BOT


@dataclass(frozen=True)
class ConversationFilter:
    """What the inbox shows; every field narrows the list, None leaves it open."""

    channel: str | None = None
    state: ConversationState | None = None
    staff: str | None = None
    """The login of the staff member who took the conversation over."""
    tag: str | None = None
    """A tag of the customer or of one of their leads (``hot``, ``vip``…)."""
    search: str | None = None
    """Part of the customer's name, phone, e-mail, chat id or of any message."""
    ids: tuple[str, ...] = ()
    """Only these conversations (the live feed's refresh of changed rows)."""
    limit: int = 100


@dataclass(frozen=True)
class ConversationRow:
    """One line of the inbox."""

    conversation: Conversation
    updated_at: datetime
    contact_name: str | None
    contact_phone: str | None
    tags: tuple[str, ...]
    """The customer's tags and their leads' tags, without repeats."""
    last_text: str | None
    last_author: str | None
    """``customer``, ``bot`` or ``staff:LOGIN`` of the last message."""

    @property
    def state(self) -> ConversationState:
        """Where the conversation stands."""
        return state_of(self.conversation)


@dataclass(frozen=True)
class Change:
    """A conversation that changed, and when (its `updated_at`)."""

    conversation_id: str
    at: datetime


class ConversationListing(Protocol):
    """The inbox's queries."""

    async def rows(self, where: ConversationFilter) -> list[ConversationRow]:
        """Conversations matching `where`, most recent activity first, at most `where.limit`."""
        ...

    async def changed_since(self, since: datetime, *, limit: int = 200) -> list[Change]:
        """Conversations changed at or after `since`, oldest change first."""
        ...
