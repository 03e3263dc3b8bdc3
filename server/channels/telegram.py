"""Telegram Bot API webhooks: an ``Update`` in, `InboundEvent`s out.

Verify first with `verify_telegram_secret` (``X-Telegram-Bot-Api-Secret-Token``). One update
carries at most one of ``message``, ``edited_message``, ``callback_query``, ``my_chat_member``…;
the types a front desk does not handle are logged and yield no event (answer 200 so Telegram
does not resend them for 24 hours).

Dedup keys are message-level (``<chat id>:<message id>``), not ``update_id``: Telegram picks a
random ``update_id`` after a week without updates, so old and new ids could collide.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from server.channels._json import Node, load_object
from server.channels.model import InboundEvent, MalformedPayload, NonTextKind, utc_from_epoch

log = logging.getLogger("frontdesk.channels.telegram")

_NON_TEXT: tuple[tuple[str, NonTextKind], ...] = (
    ("voice", "voice"),
    ("video_note", "video"),
    ("audio", "audio"),
    ("photo", "image"),
    ("sticker", "sticker"),
    ("animation", "video"),
    ("video", "video"),
    ("venue", "location"),
    ("location", "location"),
    ("contact", "contact"),
    ("document", "file"),
    ("poll", "other"),
    ("dice", "other"),
)
CALLBACK_INDEX_PREFIX = "opt:"
"""``callback_data`` for a button whose title is longer than 64 bytes: ``opt:<number>``."""


def _name(user: Node | None) -> str | None:
    if user is None:
        return None
    parts = [user.opt_text("first_name"), user.opt_text("last_name")]
    name = " ".join(part for part in parts if part)
    return name or user.opt_text("username")


def _own_phone(message: Node, sender_id: str) -> str | None:
    """The number of a contact the customer shared about *themselves* (Telegram vouches for it)."""
    contact = message.opt_obj("contact")
    if contact is None or contact.opt_id("user_id") != sender_id:
        return None
    digits = "".join(ch for ch in contact.opt_text("phone_number") or "" if ch.isdigit())
    return f"+{digits}" if digits else None


def _message_event(message: Node, *, edited: bool) -> InboundEvent | None:
    chat = message.obj("chat")
    chat_id = chat.id("id")
    message_id = message.id("message_id")
    user = message.opt_obj("from")
    if user is not None and user.flag("is_bot"):
        log.info("telegram: ignoring a message from bot %s in chat %s", user.opt_id("id"), chat_id)
        return None
    sender_id = user.id("id") if user is not None else chat_id
    text = message.opt_text("text")
    caption = message.opt_text("caption")
    event = InboundEvent(
        channel="telegram",
        provider_id=f"{chat_id}:{message_id}",
        chat_id=chat_id,
        sender_id=sender_id,
        sender_name=_name(user) or chat.opt_text("title"),
        text=text if text is not None else caption or "",
        kind="text",
        at=utc_from_epoch(message.number("edit_date" if edited else "date")),
        username=user.opt_text("username") if user is not None else None,
        language_code=user.opt_text("language_code") if user is not None else None,
        reply_to=_reply_to(message, chat_id),
    )
    if edited:
        return replace(
            event, provider_id=f"{chat_id}:{message_id}:edit:{message.id('edit_date')}", kind="edit"
        )
    if text is not None:
        return event
    for key, kind in _NON_TEXT:
        if message.has(key):
            return replace(event, kind="non_text", non_text_kind=kind, phone=_own_phone(message, sender_id))
    log.info("telegram: message %s in chat %s has no content a customer sends; ignored", message_id, chat_id)
    return None


def _reply_to(message: Node, chat_id: str) -> str | None:
    quoted = message.opt_obj("reply_to_message")
    return f"{chat_id}:{quoted.id('message_id')}" if quoted is not None else None


def _button_title(query: Node, data: str) -> str:
    """The visible title of the pressed inline button, looked up on the message it belongs to."""
    message = query.opt_obj("message")
    markup = message.opt_obj("reply_markup") if message is not None else None
    if markup is not None:
        rows = markup.value.get("inline_keyboard")
        for row in rows if isinstance(rows, list) else []:
            for button in row if isinstance(row, list) else []:
                if isinstance(button, dict) and button.get("callback_data") == data:
                    title = button.get("text")
                    if isinstance(title, str) and title:
                        return title
    if data.startswith(CALLBACK_INDEX_PREFIX) and data[len(CALLBACK_INDEX_PREFIX) :].isdigit():
        return data[len(CALLBACK_INDEX_PREFIX) :]
    return data


def _callback_event(query: Node, received_at: datetime) -> InboundEvent | None:
    query_id = query.id("id")
    user = query.obj("from")
    data = query.opt_text("data")
    if data is None:
        log.info("telegram: callback query %s carries no data (a game button?); ignored", query_id)
        return None
    message = query.opt_obj("message")
    chat_id = message.obj("chat").id("id") if message is not None else user.id("id")
    return InboundEvent(
        channel="telegram",
        provider_id=f"callback:{query_id}",
        chat_id=chat_id,
        sender_id=user.id("id"),
        sender_name=_name(user),
        text=_button_title(query, data),
        kind="button",
        at=received_at,
        username=user.opt_text("username"),
        language_code=user.opt_text("language_code"),
        button_payload=data,
        callback_query_id=query_id,
    )


def parse_telegram_update(raw: bytes, *, received_at: datetime) -> list[InboundEvent]:
    """The events in one webhook ``Update`` (zero or one).

    Args:
        raw: the request body as received.
        received_at: now, from the Clock: the time of a button press (a callback query has no date).

    Raises:
        MalformedPayload: the body is not an ``Update`` (not JSON, no ``update_id``, a broken message).
    """
    update = load_object(raw, what="Telegram update")
    if isinstance(update.value.get("update_id"), bool) or not isinstance(update.value.get("update_id"), int):
        raise MalformedPayload("update_id is missing or not an integer")
    if (message := update.opt_obj("message")) is not None:
        event = _message_event(message, edited=False)
    elif (edited := update.opt_obj("edited_message")) is not None:
        event = _message_event(edited, edited=True)
    elif (query := update.opt_obj("callback_query")) is not None:
        event = _callback_event(query, received_at)
    else:
        kinds = sorted(key for key in update.value if key != "update_id")
        log.info("telegram: update %s of type %s is not handled; ignored", update.value["update_id"], kinds)
        return []
    return [event] if event is not None else []
