"""One turn: a conversation's claimed inbox events → the runner → the replies to queue for sending.

The events of one claim are one customer turn, with two exceptions answered on their own:
a public comment (answered once, privately, under that comment) and a turn with nothing to read
(voice, photo, sticker…: the customer is asked for text, or it is noted on their open ticket).
Each reply's delivery carries what the channel needs to send it: the comment to answer, the
Telegram button presses to acknowledge, the customer's verified phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph import ConversationRunner, Inbound, TurnResult
from graph.channel_events import PublicComment
from server.logs import conversation_context
from tools.conversations import Message
from tools.inbox import Claim, InboxEvent, NewDelivery

_ONCE = frozenset({"callback_query_ids", "read_message_id"})
"""Details acted on with a turn's first reply only."""


def _language(events: Sequence[InboxEvent]) -> str | None:
    """The client's language as the provider reports it (Telegram), when it is one we speak."""
    for event in events:
        code = event.extra.get("language_code", "").lower()
        if code[:2] in ("ru", "en"):
            return code[:2]
    return None


def _inbound(
    events: Sequence[InboxEvent], message_id: str, text: str, *, language: str | None = None
) -> Inbound:
    first = events[0]
    return Inbound(
        first.channel,
        first.chat_id,
        first.sender_id,
        text,
        message_id=message_id,
        sender_name=next((event.sender_name for event in events if event.sender_name), None),
        at=first.received_at,
        language=language,
        timezone=next((event.extra["timezone"] for event in events if event.extra.get("timezone")), None),
    )


def _details(events: Sequence[InboxEvent]) -> dict[str, str]:
    """What the sender needs from the turn's events."""
    details: dict[str, str] = {}
    callbacks = [event.extra["callback_query_id"] for event in events if "callback_query_id" in event.extra]
    if callbacks:
        details["callback_query_ids"] = " ".join(callbacks)
    phone = next((event.extra["phone"] for event in events if "phone" in event.extra), None)
    if phone:
        details["phone"] = phone
    if events[-1].channel == "whatsapp":
        details["read_message_id"] = events[-1].provider_id
    return details


@dataclass(frozen=True)
class QueuedReply:
    """A reply the turn recorded, with the delivery that sends it."""

    delivery: NewDelivery
    message: Message


def _queued(result: TurnResult, event: InboxEvent, details: Mapping[str, str]) -> list[QueuedReply]:
    queued = []
    for reply in result.replies:
        delivery = NewDelivery(reply.id, result.conversation_id, event.channel, event.chat_id, details)
        queued.append(QueuedReply(delivery, reply))
        details = {key: value for key, value in details.items() if key not in _ONCE}
    return queued


async def process_turn(claim: Claim, runner: ConversationRunner) -> list[QueuedReply]:
    """Answer the claimed events; every reply, in order, with its delivery (queued when the turn completes).

    Idempotent: the turn is keyed by the claim's batch id (a comment by its own id), so a turn a
    dead worker started is answered once, and its replies come back as they were recorded.
    """
    with conversation_context(claim.conversation_key):
        return await _process(claim, runner)


async def _process(claim: Claim, runner: ConversationRunner) -> list[QueuedReply]:
    queued: list[QueuedReply] = []
    comments = [event for event in claim.events if event.kind == "comment"]
    rest = [event for event in claim.events if event.kind != "comment"]
    for event in comments:
        comment = PublicComment(
            comment_id=event.extra.get("comment_id", event.provider_id),
            media_id=event.extra.get("media_id"),
            media_product_type=event.extra.get("media_product_type"),
            text=event.text,
        )
        label = f"[Instagram comment on post {comment.media_id or '?'}] {event.text}".strip()
        result = await runner.handle_comment(_inbound([event], event.provider_id, label), comment)
        queued += _queued(result, event, {"comment_id": comment.comment_id})
    if not rest:
        return queued
    text = "\n".join(event.text for event in rest if event.text.strip())
    if text:
        result = await runner.handle(_inbound(rest, claim.batch, text))
    else:
        kinds = [event.extra.get("non_text_kind", "other") for event in rest]
        label = " ".join(f"[{kind}]" for kind in kinds)
        inbound = _inbound(rest, claim.batch, label, language=_language(rest))
        result = await runner.handle_non_text(inbound, kinds)
    return queued + _queued(result, rest[0], _details(rest))
