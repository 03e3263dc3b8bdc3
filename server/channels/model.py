"""Channel-neutral values: what a webhook brings in and what a reply sends out.

Every provider adapter turns raw webhook bytes into `InboundEvent`s and a reply
(`OutboundMessage`) into `SendRequest`s. Nothing here knows HTTP frameworks; the
routes map the two errors to status codes:

    ChannelError
    ├── SignatureInvalid    the request is not from the provider (401 / 403, nothing stored)
    └── MalformedPayload    the body is not a payload the provider documents (400, logged)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from tools.inbox import NewInboxEvent

JsonObject = dict[str, object]
"""A JSON object as sent to or read from a provider; used only inside `server.channels`."""

Channel = Literal["telegram", "whatsapp", "messenger", "instagram", "webchat"]

EventKind = Literal["text", "button", "non_text", "comment", "echo", "status", "reaction", "edit"]
"""What an inbound event is:

- ``text``: a typed message; ``button``: a pressed button, quick reply, list row or postback
  (`InboundEvent.text` holds the button's visible title, `button_payload` its id or payload);
- ``non_text``: voice, image, sticker, location, file… (`non_text_kind` says which; `text`
  holds a caption when there is one);
- ``comment``: a public Instagram comment (`comment` says where);
- ``echo``: a message the business side sent (Messenger / Instagram), never to be answered;
- ``status``: a delivery report for a message we sent (`status`);
- ``reaction``: an emoji reaction (`text` is the emoji, empty when removed);
- ``edit``: a customer edited an earlier message (Telegram).
"""

NonTextKind = Literal["voice", "audio", "image", "video", "sticker", "location", "file", "contact", "other"]


class ChannelError(Exception):
    """Base of the errors the channel adapters raise."""


class SignatureInvalid(ChannelError):
    """The request does not carry the provider's valid signature, secret or verify token."""


class MalformedPayload(ChannelError):
    """The body is not a payload this provider documents; `reason` says precisely what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ProviderError:
    """An error a provider reports about one of our messages."""

    code: int | None
    title: str
    detail: str = ""


@dataclass(frozen=True)
class DeliveryReport:
    """A delivery status of a message we sent (WhatsApp ``statuses[]``)."""

    message_id: str
    """The provider id of our message (a ``wamid.…``)."""
    state: str
    """``sent``, ``delivered``, ``read`` or ``failed``."""
    errors: tuple[ProviderError, ...] = ()


@dataclass(frozen=True)
class CommentRef:
    """Where an Instagram comment was left: what a private reply and the lead's source need."""

    comment_id: str
    media_id: str | None
    media_product_type: str | None = None
    """``FEED``, ``REELS``, ``AD``…"""
    parent_id: str | None = None
    """Set when the comment answers another comment."""
    username: str | None = None


@dataclass(frozen=True, kw_only=True)
class InboundEvent:
    """One thing a customer (or the provider about our messages) sent, in channel-neutral form."""

    channel: Channel
    provider_id: str
    """The provider's unique id of the message or event: the inbox's dedup key with `channel`."""
    chat_id: str
    """The conversation on this channel (Telegram chat id; WhatsApp ``user_id`` when present,
    else ``wa_id``; Messenger PSID; Instagram IGSID; web chat session id)."""
    sender_id: str
    sender_name: str | None
    text: str
    kind: EventKind
    at: datetime
    """When the provider says it happened, in UTC."""
    account_id: str | None = None
    """The business side: WhatsApp ``phone_number_id``, Page id, Instagram account id."""
    non_text_kind: NonTextKind | None = None
    phone: str | None = None
    """An E.164 number the provider vouches for (WhatsApp ``wa_id``, a Telegram own contact)."""
    username: str | None = None
    language_code: str | None = None
    """The client's language as the provider reports it (Telegram ``language_code``)."""
    button_payload: str | None = None
    """The id or payload behind a pressed button, quick reply or postback."""
    reply_to: str | None = None
    """The provider id of the message this one quotes or reacts to."""
    callback_query_id: str | None = None
    """Telegram: answer it with `telegram_answer_callback` so the client stops its spinner."""
    comment: CommentRef | None = None
    status: DeliveryReport | None = None
    sent_by_app_id: str | None = None
    """Echoes: the app that sent the message (another app or a person in Meta's inbox)."""
    timezone: str | None = None
    """The customer's IANA time zone as their client reports it (the web-chat widget's browser)."""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("InboundEvent.at must be timezone-aware; convert provider timestamps to UTC")
        if not self.provider_id or not self.chat_id:
            raise ValueError("InboundEvent needs a provider_id and a chat_id")

    def for_inbox(self) -> NewInboxEvent:
        """The event as the durable inbox stores it (the channel details flattened into ``extra``)."""
        return NewInboxEvent(
            channel=self.channel,
            provider_id=self.provider_id,
            chat_id=self.chat_id,
            sender_id=self.sender_id,
            text=self.text,
            received_at=self.at,
            kind=self.kind,
            sender_name=self.sender_name,
            extra=self.details(),
        )

    def details(self) -> dict[str, str]:
        """The channel details a reply needs, as flat strings (for the inbox's ``extra``)."""
        values: dict[str, str | None] = {
            "account_id": self.account_id,
            "non_text_kind": self.non_text_kind,
            "phone": self.phone,
            "username": self.username,
            "language_code": self.language_code,
            "button_payload": self.button_payload,
            "reply_to": self.reply_to,
            "callback_query_id": self.callback_query_id,
            "sent_by_app_id": self.sent_by_app_id,
            "timezone": self.timezone,
        }
        if self.comment is not None:
            values |= {
                "comment_id": self.comment.comment_id,
                "media_id": self.comment.media_id,
                "media_product_type": self.comment.media_product_type,
                "parent_comment_id": self.comment.parent_id,
            }
        if self.status is not None:
            values |= {"status_message_id": self.status.message_id, "status": self.status.state}
            if self.status.errors:
                values["status_errors"] = "; ".join(
                    f"{error.code}: {error.title}" for error in self.status.errors
                )
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class OutboundMessage:
    """One reply as the graph wrote it; channel policy shapes it for each provider."""

    text: str
    buttons: tuple[str, ...] = ()
    """Visible titles of the options the customer may pick, in order."""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("OutboundMessage.text is empty; every reply must say something")
        if any(not button.strip() for button in self.buttons):
            raise ValueError("OutboundMessage.buttons has an empty title; drop it or give it a label")


@dataclass(frozen=True)
class RateLimit:
    """At most `calls` requests in any `per_s` seconds for everything sharing `key`."""

    key: str
    """e.g. ``telegram:chat:123`` (per recipient) or ``whatsapp:number:1065…`` (per sender)."""
    calls: int
    per_s: float


@dataclass(frozen=True)
class SendRequest:
    """One provider API call, without credentials: `build_http_call` adds the token."""

    channel: Channel
    path: str
    """Relative to the provider base: Telegram ``/sendMessage`` (under ``/bot<token>``), Graph
    ``/<phone_number_id>/messages`` or ``/me/messages`` (under the versioned Graph URL)."""
    body: JsonObject
    purpose: str
    """``text``, ``interactive``, ``template``, ``private_reply``, ``answer_callback``, ``typing``…"""
    limits: tuple[RateLimit, ...] = ()
    method: Literal["POST"] = "POST"

    def body_bytes(self) -> bytes:
        """The JSON body as sent: UTF-8, non-ASCII kept as is."""
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def utc_from_epoch(value: float) -> datetime:
    """A UTC datetime from unix seconds, or milliseconds when the number is that large."""
    seconds = value / 1000 if value > 100_000_000_000 else value
    return datetime.fromtimestamp(seconds, tz=UTC)
