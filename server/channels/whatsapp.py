"""WhatsApp Cloud API webhooks: ``entry[].changes[].value`` in, `InboundEvent`s out.

Verify first with `verify_meta_signature` (``X-Hub-Signature-256`` over the raw body). One
webhook may carry many messages and statuses:

- ``messages[]``: text; ``interactive`` ``button_reply`` / ``list_reply`` and template ``button``
  (kind ``button``, text = the title); ``reaction``; image / audio / video / document /
  sticker / location / contacts (kind ``non_text``, text = the caption if any);
- ``statuses[]``: kind ``status`` with the state and errors; the dedup key is ``<wamid>:<state>``.

The conversation key is the business-scoped ``user_id`` when Meta sends one (usernames hide the
phone number), else ``wa_id``. A ``wa_id`` becomes the event's verified ``phone`` (E.164).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from server.channels._json import Node, load_object
from server.channels.model import (
    DeliveryReport,
    InboundEvent,
    MalformedPayload,
    NonTextKind,
    ProviderError,
    utc_from_epoch,
)

log = logging.getLogger("frontdesk.channels.whatsapp")

WHATSAPP_OBJECT = "whatsapp_business_account"
_MEDIA: dict[str, NonTextKind] = {
    "image": "image",
    "video": "video",
    "document": "file",
    "sticker": "sticker",
    "location": "location",
    "contacts": "contact",
    "order": "other",
    "unsupported": "other",
    "unknown": "other",
}


@dataclass(frozen=True)
class _Contact:
    name: str | None
    username: str | None
    wa_id: str | None
    user_id: str | None


def _phone(wa_id: str | None) -> str | None:
    return f"+{wa_id}" if wa_id and wa_id.isdigit() else None


def _contacts(value: Node) -> list[_Contact]:
    found = []
    for contact in value.items("contacts"):
        profile = contact.opt_obj("profile")
        found.append(
            _Contact(
                name=profile.opt_text("name") if profile else None,
                username=profile.opt_text("username") if profile else None,
                wa_id=contact.opt_id("wa_id"),
                user_id=contact.opt_id("user_id"),
            )
        )
    return found


def _sender(message: Node, contacts: list[_Contact]) -> _Contact:
    wa_id, user_id = message.opt_id("from"), message.opt_id("from_user_id")
    for contact in contacts:
        if (wa_id and contact.wa_id == wa_id) or (user_id and contact.user_id == user_id):
            return _Contact(
                contact.name, contact.username, wa_id or contact.wa_id, user_id or contact.user_id
            )
    if len(contacts) == 1 and not (wa_id or user_id):
        return contacts[0]
    return _Contact(None, None, wa_id, user_id)


def _content(message: Node, base: InboundEvent) -> InboundEvent | None:
    """Fill in what the message says, by its ``type``."""
    kind = message.text("type")
    if kind == "text":
        return replace(base, text=message.obj("text").text("body"))
    if kind == "interactive":
        interactive = message.obj("interactive")
        reply = interactive.opt_obj("button_reply") or interactive.opt_obj("list_reply")
        if reply is None:
            log.info("whatsapp: interactive %s reply is not handled; ignored", interactive.opt_text("type"))
            return None
        return replace(base, kind="button", text=reply.text("title"), button_payload=reply.opt_id("id"))
    if kind == "button":
        button = message.obj("button")
        return replace(
            base, kind="button", text=button.text("text"), button_payload=button.opt_text("payload")
        )
    if kind == "reaction":
        reaction = message.obj("reaction")
        return replace(
            base,
            kind="reaction",
            text=reaction.opt_text("emoji") or "",
            reply_to=reaction.opt_id("message_id"),
        )
    if kind == "audio":
        audio = message.opt_obj("audio")
        voice = audio is not None and audio.flag("voice")
        return replace(base, kind="non_text", non_text_kind="voice" if voice else "audio")
    if kind in _MEDIA:
        media = message.opt_obj(kind)
        caption = media.opt_text("caption") if media is not None else None
        return replace(base, kind="non_text", non_text_kind=_MEDIA[kind], text=caption or "")
    log.info("whatsapp: message %s of type %r is not handled; ignored", base.provider_id, kind)
    return None


def _message_event(message: Node, value: Node, account_id: str | None) -> InboundEvent | None:
    sender = _sender(message, _contacts(value))
    chat_id = sender.user_id or sender.wa_id
    if chat_id is None:
        raise MalformedPayload(f"{message.path} has neither from nor from_user_id, nor a matching contact")
    context = message.opt_obj("context")
    base = InboundEvent(
        channel="whatsapp",
        provider_id=message.id("id"),
        chat_id=chat_id,
        sender_id=chat_id,
        sender_name=sender.name,
        text="",
        kind="text",
        at=utc_from_epoch(message.number("timestamp")),
        account_id=account_id,
        phone=_phone(sender.wa_id),
        username=sender.username,
        reply_to=context.opt_id("id") if context is not None else None,
    )
    return _content(message, base)


def _errors(node: Node) -> tuple[ProviderError, ...]:
    errors = []
    for error in node.items("errors"):
        data = error.opt_obj("error_data")
        code = error.value.get("code")
        errors.append(
            ProviderError(
                code=code if isinstance(code, int) and not isinstance(code, bool) else None,
                title=error.opt_text("title") or error.opt_text("message") or "error",
                detail=(data.opt_text("details") if data is not None else None) or "",
            )
        )
    return tuple(errors)


def _status_event(status: Node, account_id: str | None) -> InboundEvent:
    message_id, state = status.id("id"), status.text("status")
    chat_id = status.opt_id("recipient_user_id") or status.opt_id("recipient_id")
    if chat_id is None:
        raise MalformedPayload(f"{status.path} has neither recipient_id nor recipient_user_id")
    return InboundEvent(
        channel="whatsapp",
        provider_id=f"{message_id}:{state}",
        chat_id=chat_id,
        sender_id=account_id or "",
        sender_name=None,
        text="",
        kind="status",
        at=utc_from_epoch(status.number("timestamp")),
        account_id=account_id,
        status=DeliveryReport(message_id=message_id, state=state, errors=_errors(status)),
    )


def parse_whatsapp_webhook(raw: bytes) -> list[InboundEvent]:
    """Every message and status in one WhatsApp webhook, in payload order.

    Raises:
        MalformedPayload: not a ``whatsapp_business_account`` payload, or a message without the
            fields every message has (``id``, ``timestamp``, ``type``, a sender).
    """
    payload = load_object(raw, what="WhatsApp webhook")
    kind = payload.opt_text("object")
    if kind != WHATSAPP_OBJECT:
        raise MalformedPayload(f"object is {kind!r}, expected {WHATSAPP_OBJECT!r}")
    events: list[InboundEvent] = []
    for entry in payload.required_items("entry"):
        for change in entry.items("changes"):
            field = change.opt_text("field")
            if field != "messages":
                log.info("whatsapp: change of field %r is not handled; ignored", field)
                continue
            value = change.obj("value")
            metadata = value.opt_obj("metadata")
            account_id = metadata.opt_id("phone_number_id") if metadata is not None else None
            for message in value.items("messages"):
                event = _message_event(message, value, account_id)
                if event is not None:
                    events.append(event)
            events.extend(_status_event(status, account_id) for status in value.items("statuses"))
            for error in _errors(value):
                log.warning(
                    "whatsapp: the webhook reports error %s: %s %s", error.code, error.title, error.detail
                )
    return events
