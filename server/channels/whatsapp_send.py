"""WhatsApp Cloud API calls for a reply: ``POST /<phone_number_id>/messages``.

Paths are relative to ``FRONTDESK_GRAPH_API_URL`` (it carries the version); the bearer token is
added by `build_http_call`. The recipient is ``to`` (``+<wa_id>``) when the phone is known, else
``recipient`` with the business-scoped user id.

Channel policy for free-form messages (only inside the 24-hour window, see
`within_whatsapp_window`; outside it send `whatsapp_template_request`):
- text over 4096 characters is split; a body that carries buttons holds at most 1024;
- 1–3 options with titles of at most 20 characters → reply buttons;
- up to 10 options with titles of at most 24 characters → a list message;
- anything else → numbered lines in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from server.channels.model import JsonObject, OutboundMessage, RateLimit, SendRequest
from server.channels.policy import (
    WHATSAPP_INTERACTIVE_BODY,
    WHATSAPP_TEXT,
    fits,
    numbered_options,
    split_text,
)

MAX_REPLY_BUTTONS = 3
REPLY_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
LIST_ROW_TITLE = 24
LIST_BUTTON_LABEL = 20
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def whatsapp_limits(to: str, *, phone_number_id: str) -> tuple[RateLimit, ...]:
    """80 messages/s per business number (Meta's default throughput) and ~1 per 6 s to one person
    (the pair rate limit behind error 131056; bursts are tolerated, so 10 a minute)."""
    return (
        RateLimit(f"whatsapp:number:{phone_number_id}", 80, 1.0),
        RateLimit(f"whatsapp:pair:{phone_number_id}:{to}", 10, 60.0),
    )


def recipient_fields(to: str, *, phone: str | None = None) -> JsonObject:
    """``to`` for a phone number, ``recipient`` for a business-scoped user id (``US.1349…``)."""
    number = phone or (to if to.lstrip("+").isdigit() else None)
    if number is not None:
        return {"to": "+" + number.lstrip("+")}
    return {"recipient": to}


def _request(
    to: str, body: JsonObject, purpose: str, *, phone_number_id: str, phone: str | None
) -> SendRequest:
    full: JsonObject = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient_fields(to, phone=phone),
        **body,
    }
    return SendRequest(
        channel="whatsapp",
        path=f"/{phone_number_id}/messages",
        body=full,
        purpose=purpose,
        limits=whatsapp_limits(to, phone_number_id=phone_number_id),
    )


def interactive_layout(buttons: Sequence[str]) -> Literal["button", "list"] | None:
    """How WhatsApp can show `buttons`: reply buttons, a list, or None (numbered lines)."""
    if not buttons:
        return None
    if len(buttons) <= MAX_REPLY_BUTTONS and all(len(title) <= REPLY_BUTTON_TITLE for title in buttons):
        return "button"
    if len(buttons) <= MAX_LIST_ROWS and all(len(title) <= LIST_ROW_TITLE for title in buttons):
        return "list"
    return None


def _interactive(body_text: str, buttons: tuple[str, ...], list_label: str | None) -> JsonObject:
    """The ``interactive`` object showing `buttons` under `body_text`."""
    options = [(f"opt:{number}", title) for number, title in enumerate(buttons, start=1)]
    if interactive_layout(buttons) == "button":
        replies = [{"type": "reply", "reply": {"id": key, "title": title}} for key, title in options]
        return {"type": "button", "body": {"text": body_text}, "action": {"buttons": replies}}
    label = list_label or ("Выберите вариант" if _CYRILLIC.search(body_text) else "Choose an option")
    rows = [{"id": key, "title": title} for key, title in options]
    return {
        "type": "list",
        "body": {"text": body_text},
        "action": {"button": label[:LIST_BUTTON_LABEL], "sections": [{"rows": rows}]},
    }


def whatsapp_send_requests(
    to: str,
    message: OutboundMessage,
    *,
    phone_number_id: str,
    phone: str | None = None,
    list_button_label: str | None = None,
    reply_to: str | None = None,
) -> list[SendRequest]:
    """The calls that deliver a free-form `message` to `to` (a chat id), in order.

    Args:
        to: the conversation's chat id (``wa_id`` or business-scoped ``user_id``).
        message: the reply.
        phone_number_id: the business number sending it (``FRONTDESK_WHATSAPP_PHONE_NUMBER_ID``).
        phone: the customer's verified number when known (Meta prefers sending to numbers).
        list_button_label: the list message's button (≤20 characters); by default "Choose an
            option" or "Выберите вариант" after the text's script.
        reply_to: a ``wamid`` to quote in the first part.
    """
    text, buttons = message.text, message.buttons
    if buttons and interactive_layout(buttons) is None:
        text, buttons = numbered_options(text, buttons), ()
    parts = list(split_text(text, WHATSAPP_TEXT))
    if buttons and not fits(parts[-1], WHATSAPP_INTERACTIVE_BODY):
        parts[-1:] = split_text(parts[-1], WHATSAPP_INTERACTIVE_BODY)
    requests = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        body: JsonObject = (
            {"type": "interactive", "interactive": _interactive(part, buttons, list_button_label)}
            if buttons and last
            else {"type": "text", "text": {"preview_url": False, "body": part}}
        )
        if index == 0 and reply_to:
            body["context"] = {"message_id": reply_to}
        purpose = "interactive" if buttons and last else "text"
        requests.append(_request(to, body, purpose, phone_number_id=phone_number_id, phone=phone))
    return requests


def template_parameter(value: str) -> str:
    """A template body parameter as WhatsApp accepts it: one line, no tabs, no runs of spaces."""
    flat = re.sub(r"\s+", " ", value).strip()
    if not flat:
        raise ValueError("a WhatsApp template parameter is empty; give every {{n}} placeholder a value")
    return flat


def whatsapp_template_request(
    to: str,
    *,
    phone_number_id: str,
    name: str,
    language: str,
    body_parameters: Sequence[str] = (),
    phone: str | None = None,
) -> SendRequest:
    """An approved template message: the only kind allowed outside the 24-hour window.

    Args:
        name: the template's name as approved in WhatsApp Manager.
        language: its language code, e.g. ``ru`` or ``en_US``.
        body_parameters: values for ``{{1}}``, ``{{2}}``… in the template body, in order.
    """
    template: JsonObject = {"name": name, "language": {"code": language}}
    if body_parameters:
        template["components"] = [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": template_parameter(value)} for value in body_parameters
                ],
            }
        ]
    return _request(
        to,
        {"type": "template", "template": template},
        "template",
        phone_number_id=phone_number_id,
        phone=phone,
    )


def whatsapp_mark_read(message_id: str, *, phone_number_id: str, typing: bool = True) -> SendRequest:
    """Mark the customer's message read (blue ticks) and, with `typing`, show the typing indicator."""
    body: JsonObject = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return SendRequest(
        channel="whatsapp",
        path=f"/{phone_number_id}/messages",
        body=body,
        purpose="typing" if typing else "read",
        limits=(RateLimit(f"whatsapp:number:{phone_number_id}", 80, 1.0),),
    )
