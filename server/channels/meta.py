"""Messenger and Instagram webhooks (one Meta app, one callback): payload in, `InboundEvent`s out.

Verify first with `verify_meta_signature`. ``object`` says the channel: ``page`` is Messenger,
``instagram`` is Instagram. Each ``entry`` may hold several events:

- ``messaging[]``: ``message`` (text; ``quick_reply`` → kind ``button`` with the title as text
  and the payload; attachments → ``non_text``; ``is_echo`` → kind ``echo``, our own side),
  ``postback`` (kind ``button``: title, payload), ``reaction``; reads and deliveries are ignored;
- ``changes[]`` with field ``comments`` / ``live_comments`` (Instagram): kind ``comment``
  with the comment and media ids. Comments written by the business account itself (our public
  replies) are ignored, so the bot never answers itself.

Dedup keys: ``message.mid``, ``postback.mid`` (or ``postback:<sender>:<timestamp>`` before
v11), ``comment:<comment id>``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from server.channels._json import Node, load_object
from server.channels.model import (
    Channel,
    CommentRef,
    InboundEvent,
    MalformedPayload,
    NonTextKind,
    utc_from_epoch,
)

log = logging.getLogger("frontdesk.channels.meta")

OBJECTS: dict[str, Channel] = {"page": "messenger", "instagram": "instagram"}
_ATTACHMENTS: dict[str, NonTextKind] = {
    "image": "image",
    "video": "video",
    "audio": "voice",
    "file": "file",
    "location": "location",
    "ig_reel": "video",
    "reel": "video",
}
_IGNORED_EVENTS = ("read", "delivery", "referral", "optin", "account_linking", "pass_thread_control")


def _attachment_kind(message: Node) -> NonTextKind:
    attachments = message.items("attachments")
    if not attachments:
        return "other"
    first = attachments[0]
    payload = first.opt_obj("payload")
    if payload is not None and payload.has("sticker_id"):
        return "sticker"
    return _ATTACHMENTS.get(first.opt_text("type") or "", "other")


def _message_event(message: Node, base: InboundEvent) -> InboundEvent | None:
    mid = message.id("mid")
    event = replace(base, provider_id=mid, text=message.opt_text("text") or "")
    reply_to = message.opt_obj("reply_to")
    if reply_to is not None:
        event = replace(event, reply_to=reply_to.opt_id("mid"))
    if message.flag("is_deleted"):
        log.info("meta: message %s was deleted by the customer; ignored", mid)
        return None
    if message.flag("is_echo"):
        return replace(event, kind="echo", sent_by_app_id=message.opt_id("app_id"))
    quick_reply = message.opt_obj("quick_reply")
    if quick_reply is not None:
        payload = quick_reply.opt_text("payload")
        return replace(event, kind="button", text=event.text or payload or "", button_payload=payload)
    if event.text:
        return event
    return replace(event, kind="non_text", non_text_kind=_attachment_kind(message))


def _postback_event(postback: Node, base: InboundEvent, timestamp: str) -> InboundEvent:
    payload = postback.opt_text("payload")
    title = postback.opt_text("title")
    return replace(
        base,
        provider_id=postback.opt_id("mid") or f"postback:{base.sender_id}:{timestamp}",
        kind="button",
        text=title or payload or "",
        button_payload=payload,
    )


def _reaction_event(reaction: Node, base: InboundEvent, timestamp: str) -> InboundEvent:
    target = reaction.opt_id("mid")
    action = reaction.opt_text("action") or "react"
    return replace(
        base,
        provider_id=f"reaction:{target}:{base.sender_id}:{action}:{timestamp}",
        kind="reaction",
        text=(reaction.opt_text("emoji") or "") if action == "react" else "",
        reply_to=target,
    )


def _messaging_event(event: Node, channel: Channel, account_id: str) -> InboundEvent | None:
    sender_id = event.obj("sender").id("id")
    recipient = event.opt_obj("recipient")
    recipient_id = (recipient.opt_id("id") if recipient is not None else None) or account_id
    timestamp = event.id("timestamp")
    message = event.opt_obj("message")
    echo = message is not None and message.flag("is_echo")
    base = InboundEvent(
        channel=channel,
        provider_id=f"{sender_id}:{timestamp}",
        chat_id=recipient_id if echo else sender_id,
        sender_id=sender_id,
        sender_name=None,
        text="",
        kind="text",
        at=utc_from_epoch(event.number("timestamp")),
        account_id=sender_id if echo else recipient_id,
    )
    if message is not None:
        return _message_event(message, base)
    if (postback := event.opt_obj("postback")) is not None:
        return _postback_event(postback, base, timestamp)
    if (reaction := event.opt_obj("reaction")) is not None:
        return _reaction_event(reaction, base, timestamp)
    kinds = sorted(key for key in event.value if key not in ("sender", "recipient", "timestamp"))
    level = logging.DEBUG if any(kind in _IGNORED_EVENTS for kind in kinds) else logging.INFO
    log.log(level, "meta: %s messaging event %s is not handled; ignored", channel, kinds)
    return None


def _comment_event(value: Node, account_id: str, at: datetime) -> InboundEvent | None:
    comment_id = value.opt_id("id") or value.opt_id("comment_id")
    if comment_id is None:
        raise MalformedPayload(f"{value.path} has neither id nor comment_id")
    author = value.obj("from")
    author_id = author.id("id")
    if author_id == account_id:
        log.debug("meta: comment %s was written by our own account; ignored", comment_id)
        return None
    media = value.opt_obj("media")
    return InboundEvent(
        channel="instagram",
        provider_id=f"comment:{comment_id}",
        chat_id=author_id,
        sender_id=author_id,
        sender_name=None,
        text=value.opt_text("text") or "",
        kind="comment",
        at=at,
        account_id=account_id,
        username=author.opt_text("username"),
        comment=CommentRef(
            comment_id=comment_id,
            media_id=media.opt_id("id") if media is not None else None,
            media_product_type=media.opt_text("media_product_type") if media is not None else None,
            parent_id=value.opt_id("parent_id"),
            username=author.opt_text("username"),
        ),
    )


def parse_meta_webhook(raw: bytes, *, received_at: datetime) -> list[InboundEvent]:
    """Every Messenger or Instagram event in one webhook, in payload order.

    Args:
        raw: the request body as received.
        received_at: now, from the Clock: used when an entry carries no time.

    Raises:
        MalformedPayload: ``object`` is neither ``page`` nor ``instagram``, ``entry`` is missing,
            or an event lacks what every such event has (sender, timestamp, mid, comment id).
    """
    payload = load_object(raw, what="Meta webhook")
    kind = payload.opt_text("object")
    channel = OBJECTS.get(kind or "")
    if channel is None:
        raise MalformedPayload(f"object is {kind!r}, expected 'page' (Messenger) or 'instagram'")
    events: list[InboundEvent] = []
    for entry in payload.required_items("entry"):
        account_id = entry.id("id")
        at = utc_from_epoch(entry.number("time")) if entry.has("time") else received_at
        for item in entry.items("messaging"):
            event = _messaging_event(item, channel, account_id)
            if event is not None:
                events.append(event)
        for change in entry.items("changes"):
            field = change.opt_text("field")
            if channel == "instagram" and field in ("comments", "live_comments"):
                comment = _comment_event(change.obj("value"), account_id, at)
                if comment is not None:
                    events.append(comment)
            else:
                log.info("meta: %s change of field %r is not handled; ignored", channel, field)
        if entry.has("standby"):
            log.info(
                "meta: %d standby events (another app owns the thread) ignored", len(entry.items("standby"))
            )
    return events
