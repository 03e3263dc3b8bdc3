"""A web-chat session's history: the transcript, with each customer message under the browser's own id.

The transcript records a turn's customer messages as one inbound message (keyed by the turn's
batch); the inbox still has each message the browser sent, with the browser's id. So the history
shows every customer message as the widget sent it — under the id the widget already knows, so
a bubble it shows is never shown twice — followed by the messages still waiting for their turn.
"""

from __future__ import annotations

from collections import defaultdict

from server.webchat.frames import Author, HistoryEntry
from tools.conversations import ConversationStore, Direction, Message
from tools.inbox import InboxEvent, InboxStatus, InboxStore

HISTORY_MESSAGES = 200
"""Transcript messages a history holds (the most recent)."""


def webchat_conversation(session_id: str) -> str:
    """The conversation id of a web-chat session."""
    return f"webchat:{session_id}"


def _customer(event: InboxEvent, session_id: str) -> HistoryEntry:
    return HistoryEntry(
        event.provider_id.removeprefix(f"{session_id}:"), "customer", event.text, event.received_at
    )


def _business(message: Message) -> HistoryEntry:
    author: Author = "staff" if message.author.startswith("staff") else "bot"
    return HistoryEntry(message.id, author, message.text, message.created_at, tuple(message.buttons))


async def _session_events(inbox: InboxStore, conversation_id: str) -> list[InboxEvent]:
    """The session's inbox events, oldest first."""
    return await inbox.events(conversation_key=conversation_id)


async def webchat_history(
    session_id: str,
    *,
    conversations: ConversationStore,
    inbox: InboxStore,
    limit: int = HISTORY_MESSAGES,
) -> list[HistoryEntry]:
    """The session's messages, both sides, oldest first."""
    conversation_id = webchat_conversation(session_id)
    transcript = await conversations.transcript(conversation_id, limit=limit)
    batches: defaultdict[str, list[InboxEvent]] = defaultdict(list)
    waiting: list[InboxEvent] = []
    for event in await _session_events(inbox, conversation_id):
        if event.batch is not None:
            batches[event.batch].append(event)
        if event.status is not InboxStatus.DONE:
            waiting.append(event)
    entries: list[HistoryEntry] = []
    shown: set[str] = set()
    for message in transcript:
        if message.direction is Direction.OUT:
            entries.append(_business(message))
            continue
        turn = batches.get(message.provider_id or "", [])
        if not turn:
            entries.append(HistoryEntry(message.id, "customer", message.text, message.created_at))
        for event in turn:
            entries.append(_customer(event, session_id))
            shown.add(event.id)
    entries.extend(_customer(event, session_id) for event in waiting if event.id not in shown)
    return entries


def entries_after(entries: list[HistoryEntry], last_id: str) -> list[HistoryEntry]:
    """The business's messages after the entry `last_id` (for SSE ``Last-Event-ID``); none if unknown."""
    ids = [entry.id for entry in entries]
    if last_id not in ids:
        return []
    return [entry for entry in entries[ids.index(last_id) + 1 :] if entry.author != "customer"]
