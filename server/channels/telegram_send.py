"""Telegram Bot API calls for a reply: ``sendMessage``, ``answerCallbackQuery``, ``sendChatAction``.

Paths are relative to ``<FRONTDESK_TELEGRAM_API_URL>/bot<token>``; `build_http_call` adds both.

Channel policy:
- text over 4096 (UTF-16 units) is split at paragraphs, lines, sentences or words;
- buttons go on the last part as an inline keyboard (one button a row). ``callback_data`` is
  the title when it fits in 64 bytes, else ``opt:<number>``; the parser maps a press back to
  the title from the message's keyboard;
- beyond `TELEGRAM_MAX_BUTTONS` options the reply falls back to numbered lines.
"""

from __future__ import annotations

from typing import Literal

from server.channels.model import JsonObject, OutboundMessage, RateLimit, SendRequest
from server.channels.policy import (
    TELEGRAM_CALLBACK_ANSWER,
    TELEGRAM_CALLBACK_DATA_BYTES,
    TELEGRAM_TEXT,
    numbered_options,
    split_text,
    truncate,
)
from server.channels.telegram import CALLBACK_INDEX_PREFIX

Keyboard = Literal["inline", "reply"]

TELEGRAM_MAX_BUTTONS = 100
"""More options than this are sent as numbered lines (the Bot API caps keyboards at 100 buttons)."""


def telegram_limits(chat_id: str) -> tuple[RateLimit, ...]:
    """The Bot FAQ's guidance: ~1 message/s per chat, 20/min per group, ~30/s for the bot."""
    per_chat = (
        RateLimit(f"telegram:chat:{chat_id}", 20, 60.0)
        if chat_id.startswith("-")
        else RateLimit(f"telegram:chat:{chat_id}", 1, 1.0)
    )
    return (per_chat, RateLimit("telegram:bot", 30, 1.0))


def _chat(chat_id: str) -> int | str:
    """Telegram wants the numeric id as a number (``@channelname`` stays a string)."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def callback_data(title: str, number: int) -> str:
    """The ``callback_data`` of the button `title` (1–64 bytes): the title itself when it fits."""
    if 0 < len(title.encode("utf-8")) <= TELEGRAM_CALLBACK_DATA_BYTES:
        return title
    return f"{CALLBACK_INDEX_PREFIX}{number}"


def _markup(buttons: tuple[str, ...], keyboard: Keyboard) -> JsonObject:
    if keyboard == "reply":
        return {
            "keyboard": [[{"text": title}] for title in buttons],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }
    return {
        "inline_keyboard": [
            [{"text": title, "callback_data": callback_data(title, number)}]
            for number, title in enumerate(buttons, start=1)
        ]
    }


def telegram_send_requests(
    chat_id: str,
    message: OutboundMessage,
    *,
    keyboard: Keyboard = "inline",
    reply_to_message_id: int | None = None,
) -> list[SendRequest]:
    """The ``sendMessage`` calls that deliver `message` to `chat_id`, in order.

    Args:
        chat_id: the conversation's Telegram chat id.
        message: the reply.
        keyboard: ``inline`` buttons under the message (presses arrive as callback queries), or a
            one-time ``reply`` keyboard (presses arrive as ordinary text messages).
        reply_to_message_id: quote this message in the first part.
    """
    text, buttons = message.text, message.buttons
    if len(buttons) > TELEGRAM_MAX_BUTTONS:
        text, buttons = numbered_options(text, buttons), ()
    parts = split_text(text, TELEGRAM_TEXT)
    requests: list[SendRequest] = []
    for index, part in enumerate(parts):
        body: JsonObject = {"chat_id": _chat(chat_id), "text": part}
        if index == 0 and reply_to_message_id is not None:
            body["reply_parameters"] = {
                "message_id": reply_to_message_id,
                "allow_sending_without_reply": True,
            }
        if buttons and index == len(parts) - 1:
            body["reply_markup"] = _markup(buttons, keyboard)
        requests.append(
            SendRequest(
                channel="telegram",
                path="/sendMessage",
                body=body,
                purpose="interactive" if "reply_markup" in body else "text",
                limits=telegram_limits(chat_id),
            )
        )
    return requests


def telegram_answer_callback(callback_query_id: str, *, text: str | None = None) -> SendRequest:
    """``answerCallbackQuery``: stops the spinner on the pressed button (call it for every press).

    `text` (0–200 characters) shows as a short notification; longer text is shortened.
    """
    body: JsonObject = {"callback_query_id": callback_query_id}
    if text:
        body["text"] = truncate(text, TELEGRAM_CALLBACK_ANSWER)
    return SendRequest(
        channel="telegram",
        path="/answerCallbackQuery",
        body=body,
        purpose="answer_callback",
        limits=(RateLimit("telegram:bot", 30, 1.0),),
    )


def telegram_typing(chat_id: str) -> SendRequest:
    """``sendChatAction`` ``typing``: shown up to 5 s or until the bot's next message."""
    return SendRequest(
        channel="telegram",
        path="/sendChatAction",
        body={"chat_id": _chat(chat_id), "action": "typing"},
        purpose="typing",
        limits=(RateLimit("telegram:bot", 30, 1.0),),
    )
