"""Webhook bodies shaped like the providers' documented examples, in English and Russian."""

from __future__ import annotations

import json
from typing import Any

from server.channels import SendRequest

JsonObject = dict[str, Any]

PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
PAGE_ID = "112233445566"
IG_ACCOUNT_ID = "17841400000000001"
PSID = "6543210987654321"
IGSID = "987654321012345"


def body_of(request: SendRequest) -> JsonObject:
    """A request's JSON body, typed loosely so tests can look inside nested objects."""
    return request.body


def raw(payload: JsonObject) -> bytes:
    """The body as a provider sends it: UTF-8 JSON with non-ASCII text as is."""
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


# -- Telegram ------------------------------------------------------------------------------


def tg_user(**extra: Any) -> JsonObject:
    return {
        "id": 123456789,
        "is_bot": False,
        "first_name": "Анна",
        "last_name": "Петрова",
        "language_code": "ru",
    } | extra


def tg_message(update_id: int = 912345678, message_id: int = 42, **content: Any) -> JsonObject:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": 1_763_800_000,
            "from": tg_user(),
            "chat": {"id": 123456789, "type": "private", "first_name": "Анна"},
            **content,
        },
    }


def tg_callback(data: str, keyboard: list[list[JsonObject]] | None = None) -> JsonObject:
    message: JsonObject = {
        "message_id": 43,
        "date": 1_763_800_010,
        "chat": {"id": 123456789, "type": "private"},
        "text": "Что вас интересует?",
    }
    if keyboard is not None:
        message["reply_markup"] = {"inline_keyboard": keyboard}
    return {
        "update_id": 912345679,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": tg_user(),
            "message": message,
            "chat_instance": "-1234567890",
            "data": data,
        },
    }


# -- WhatsApp ------------------------------------------------------------------------------


def wa_webhook(*values: JsonObject) -> JsonObject:
    changes = [{"field": "messages", "value": value} for value in values]
    return {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": changes}]}


def wa_value(
    *messages: JsonObject, contacts: list[JsonObject] | None = None, statuses: list[JsonObject] | None = None
) -> JsonObject:
    value: JsonObject = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages:
        value["messages"] = list(messages)
    if statuses is not None:
        value["statuses"] = statuses
    return value


def wa_contact(name: str = "Sheena Nelson", wa_id: str | None = "16505551234", **extra: Any) -> JsonObject:
    contact: JsonObject = {"profile": {"name": name}}
    if wa_id is not None:
        contact["wa_id"] = wa_id
    return contact | extra


def wa_message(
    kind: str,
    content: JsonObject | None = None,
    *,
    message_id: str = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
    sender: str | None = "16505551234",
    **extra: Any,
) -> JsonObject:
    message: JsonObject = {"id": message_id, "timestamp": "1749416383", "type": kind}
    if sender is not None:
        message["from"] = sender
    if content is not None:
        message[kind] = content
    return message | extra


# -- Messenger / Instagram -------------------------------------------------------------------


def meta_webhook(object_: str, *entries: JsonObject) -> JsonObject:
    return {"object": object_, "entry": list(entries)}


def messaging_entry(*events: JsonObject, account_id: str = PAGE_ID) -> JsonObject:
    return {"id": account_id, "time": 1_458_692_752_478, "messaging": list(events)}


def messaging(
    sender: str = PSID, recipient: str = PAGE_ID, timestamp: int = 1_458_692_752_478, **event: Any
) -> JsonObject:
    return {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": timestamp, **event}


def ig_comment_entry(comment: JsonObject, *, field: str = "comments") -> JsonObject:
    return {"id": IG_ACCOUNT_ID, "time": 1_763_800_000, "changes": [{"field": field, "value": comment}]}


def ig_comment(
    comment_id: str = "17865799348089039", text: str = "Сколько стоит маникюр?", author: str = IGSID
) -> JsonObject:
    return {
        "id": comment_id,
        "from": {"id": author, "username": "anna.petrova"},
        "text": text,
        "media": {"id": "18023345678901234", "media_product_type": "FEED"},
    }
