"""WhatsApp Cloud API: messages, buttons, statuses and usernames in; policy-shaped messages out."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.channels import (
    InboundEvent,
    MalformedPayload,
    OutboundMessage,
    SendRequest,
    parse_whatsapp_webhook,
    whatsapp_mark_read,
    whatsapp_send_requests,
    whatsapp_template_request,
    within_whatsapp_window,
)
from tests.channels.payloads import (
    PHONE_NUMBER_ID,
    body_of,
    raw,
    wa_contact,
    wa_message,
    wa_value,
    wa_webhook,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def parse(
    *messages: dict[str, object],
    contacts: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
) -> list[InboundEvent]:
    contacts = [wa_contact()] if contacts is None else contacts
    return parse_whatsapp_webhook(raw(wa_webhook(wa_value(*messages, contacts=contacts, statuses=statuses))))


def test_a_text_message_carries_the_profile_name_and_the_verified_phone() -> None:
    [event] = parse(wa_message("text", {"body": "Does it come in another color?"}))
    assert event.channel == "whatsapp"
    assert (event.kind, event.text) == ("text", "Does it come in another color?")
    assert event.chat_id == "16505551234"
    assert event.sender_name == "Sheena Nelson"
    assert event.phone == "+16505551234"
    assert event.account_id == PHONE_NUMBER_ID
    assert event.provider_id.startswith("wamid.")
    assert event.at == datetime.fromtimestamp(1_749_416_383, tz=UTC)


def test_a_customer_with_a_username_is_keyed_by_the_business_scoped_user_id_without_a_phone() -> None:
    contact = {"profile": {"name": "Анна", "username": "anna_p"}, "user_id": "US.13491208655302741918"}
    message = wa_message("text", {"body": "Привет"}, sender=None, from_user_id="US.13491208655302741918")
    [event] = parse(message, contacts=[contact])
    assert event.chat_id == "US.13491208655302741918"
    assert event.phone is None
    assert (event.sender_name, event.username) == ("Анна", "anna_p")


def test_the_user_id_is_the_conversation_key_even_when_the_phone_is_also_known() -> None:
    contact = wa_contact(name="Иван", user_id="RU.5551234")
    message = wa_message("text", {"body": "Добрый день"}, sender="79161234567", from_user_id="RU.5551234")
    [event] = parse(message, contacts=[contact | {"wa_id": "79161234567"}])
    assert event.chat_id == "RU.5551234"
    assert event.phone == "+79161234567"


@pytest.mark.parametrize(
    ("interactive", "title", "payload"),
    [
        (
            {"type": "button_reply", "button_reply": {"id": "opt:1", "title": "Записаться"}},
            "Записаться",
            "opt:1",
        ),
        (
            {
                "type": "list_reply",
                "list_reply": {"id": "opt:4", "title": "Evening 18:00", "description": ""},
            },
            "Evening 18:00",
            "opt:4",
        ),
    ],
)
def test_a_pressed_reply_button_or_list_row_arrives_as_a_button_with_its_title(
    interactive: dict[str, object], title: str, payload: str
) -> None:
    [event] = parse(wa_message("interactive", interactive))
    assert (event.kind, event.text, event.button_payload) == ("button", title, payload)


def test_a_template_quick_reply_button_arrives_as_a_button() -> None:
    [event] = parse(wa_message("button", {"payload": "CONFIRM", "text": "Подтвердить"}))
    assert (event.kind, event.text, event.button_payload) == ("button", "Подтвердить", "CONFIRM")


@pytest.mark.parametrize(
    ("kind", "content", "non_text", "text"),
    [
        ("audio", {"id": "1", "mime_type": "audio/ogg; codecs=opus", "voice": True}, "voice", ""),
        ("audio", {"id": "1", "mime_type": "audio/mpeg"}, "audio", ""),
        ("image", {"id": "2", "caption": "Вот мой ремонт"}, "image", "Вот мой ремонт"),
        ("sticker", {"id": "3", "animated": False}, "sticker", ""),
        ("location", {"latitude": 55.75, "longitude": 37.62}, "location", ""),
        (
            "document",
            {"id": "4", "filename": "plan.pdf", "caption": "The floor plan"},
            "file",
            "The floor plan",
        ),
        ("video", {"id": "5"}, "video", ""),
        ("unsupported", None, "other", ""),
    ],
)
def test_media_arrives_as_non_text_with_its_caption(
    kind: str, content: dict[str, object] | None, non_text: str, text: str
) -> None:
    [event] = parse(wa_message(kind, content))
    assert (event.kind, event.non_text_kind, event.text) == ("non_text", non_text, text)


def test_a_reaction_names_the_message_it_reacts_to() -> None:
    [event] = parse(wa_message("reaction", {"message_id": "wamid.OURS", "emoji": "👍"}))
    assert (event.kind, event.text, event.reply_to) == ("reaction", "👍", "wamid.OURS")


def test_a_reply_to_an_earlier_message_keeps_the_quoted_id() -> None:
    message = wa_message("text", {"body": "Да, это"}, context={"from": "15550783881", "id": "wamid.QUOTED"})
    assert parse(message)[0].reply_to == "wamid.QUOTED"


def test_delivery_statuses_are_status_events_keyed_by_message_and_state() -> None:
    statuses: list[dict[str, Any]] = [
        {"id": "wamid.OURS", "status": "delivered", "timestamp": "1749416400", "recipient_id": "16505551234"},
        {
            "id": "wamid.OURS2",
            "status": "failed",
            "timestamp": "1749416401",
            "recipient_id": "16505551234",
            "errors": [
                {
                    "code": 131047,
                    "title": "Re-engagement message",
                    "error_data": {"details": "More than 24 hours"},
                }
            ],
        },
    ]
    delivered, failed = parse(contacts=[], statuses=statuses)
    assert (delivered.kind, delivered.provider_id, delivered.chat_id) == (
        "status",
        "wamid.OURS:delivered",
        "16505551234",
    )
    assert delivered.status is not None and delivered.status.state == "delivered"
    assert failed.status is not None and failed.status.errors[0].code == 131047
    assert failed.details()["status_errors"] == "131047: Re-engagement message"


def test_one_webhook_with_many_messages_yields_them_all_in_order() -> None:
    first = wa_message("text", {"body": "Hello"}, message_id="wamid.1")
    second = wa_message("text", {"body": "Are you open on Sunday?"}, message_id="wamid.2")
    other = wa_value(wa_message("text", {"body": "Здравствуйте"}, message_id="wamid.3", sender="79161234567"))
    other["contacts"] = [wa_contact(name="Ольга", wa_id="79161234567")]
    payload = wa_webhook(wa_value(first, second, contacts=[wa_contact()]), other)
    events = parse_whatsapp_webhook(raw(payload))
    assert [e.provider_id for e in events] == ["wamid.1", "wamid.2", "wamid.3"]
    assert events[2].sender_name == "Ольга"


def test_other_webhook_fields_are_ignored_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [{"field": "message_template_status_update", "value": {"event": "APPROVED"}}],
            }
        ],
    }
    with caplog.at_level(logging.INFO, logger="frontdesk.channels.whatsapp"):
        assert parse_whatsapp_webhook(raw(payload)) == []
    assert "message_template_status_update" in caplog.text


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"object": "page", "entry": []}, "expected 'whatsapp_business_account'"),
        ({"object": "whatsapp_business_account"}, "entry is missing"),
        (
            wa_webhook(wa_value(wa_message("text", {"body": "x"}) | {"id": None})),
            r"messages\[0\].id is missing",
        ),
        (
            wa_webhook(wa_value(wa_message("text", {"body": "x"}, sender=None))),
            "neither from nor from_user_id",
        ),
        (wa_webhook(wa_value(wa_message("text", None), contacts=[wa_contact()])), "text is missing"),
        (
            wa_webhook(wa_value(wa_message("text", {"body": "x"}) | {"timestamp": "yesterday"})),
            "timestamp is not a number",
        ),
    ],
)
def test_payloads_that_break_the_documented_shape_are_malformed(
    payload: dict[str, object], reason: str
) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse_whatsapp_webhook(raw(payload))


# -- sending -------------------------------------------------------------------------------


def send(message: OutboundMessage, to: str = "16505551234", **options: object) -> list[SendRequest]:
    return whatsapp_send_requests(to, message, phone_number_id=PHONE_NUMBER_ID, **options)  # type: ignore[arg-type]


def test_a_text_reply_goes_to_the_business_numbers_messages_endpoint_with_a_plus_number() -> None:
    [request] = send(OutboundMessage("Yes, we have it in blue."))
    assert request.path == f"/{PHONE_NUMBER_ID}/messages"
    assert request.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+16505551234",
        "type": "text",
        "text": {"preview_url": False, "body": "Yes, we have it in blue."},
    }


def test_a_customer_known_only_by_user_id_is_addressed_as_recipient() -> None:
    [request] = send(OutboundMessage("Здравствуйте!"), to="US.13491208655302741918")
    assert body_of(request)["recipient"] == "US.13491208655302741918"
    assert "to" not in request.body


def test_up_to_three_short_options_become_reply_buttons() -> None:
    [request] = send(OutboundMessage("Когда вам удобно?", ("Утром", "Днём", "Вечером")))
    interactive = body_of(request)["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Когда вам удобно?"}
    assert [b["reply"]["title"] for b in interactive["action"]["buttons"]] == ["Утром", "Днём", "Вечером"]


def test_four_to_ten_options_become_a_list_labelled_in_the_customers_language() -> None:
    slots = ("Пн 10:00", "Пн 12:00", "Вт 15:00", "Ср 18:00")
    [request] = send(OutboundMessage("Свободные окна:", slots))
    interactive = body_of(request)["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Выберите вариант"
    assert [row["title"] for row in interactive["action"]["sections"][0]["rows"]] == list(slots)
    [english] = send(OutboundMessage("Free slots:", ("Mon 10:00", "Mon 12:00", "Tue 15:00", "Wed 18:00")))
    assert body_of(english)["interactive"]["action"]["button"] == "Choose an option"


def test_a_title_too_long_for_a_button_but_fine_for_a_list_row_makes_a_list() -> None:
    [request] = send(OutboundMessage("Which one?", ("Full renovation quote", "Call me")))
    assert body_of(request)["interactive"]["type"] == "list"


@pytest.mark.parametrize(
    "options",
    [
        tuple(f"Option {n}" for n in range(1, 12)),
        ("Консультация по ремонту квартиры под ключ", "Нет"),
    ],
)
def test_options_beyond_what_whatsapp_can_show_become_numbered_lines(options: tuple[str, ...]) -> None:
    [request] = send(OutboundMessage("Выберите:", options))
    assert body_of(request)["type"] == "text"
    body = body_of(request)["text"]["body"]
    assert body.startswith("Выберите:\n\n1. ")
    assert f"{len(options)}. {options[-1]}" in body


def test_a_long_text_with_buttons_keeps_the_buttons_on_a_last_part_within_1024() -> None:
    text = ("The renovation includes demolition, wiring, plumbing and finishing. " * 60).strip()
    requests = send(OutboundMessage(text, ("Yes", "No")))
    assert [body_of(r)["type"] for r in requests][-1] == "interactive"
    assert all(body_of(r)["type"] == "text" for r in requests[:-1])
    assert len(body_of(requests[-1])["interactive"]["body"]["text"]) <= 1024
    sent = " ".join(
        body_of(r)["text"]["body"]
        if body_of(r)["type"] == "text"
        else body_of(r)["interactive"]["body"]["text"]
        for r in requests
    )
    assert " ".join(sent.split()) == " ".join(text.split())


def test_a_template_carries_name_language_and_one_line_body_parameters() -> None:
    request = whatsapp_template_request(
        "16505551234",
        phone_number_id=PHONE_NUMBER_ID,
        name="booking_reminder",
        language="ru",
        body_parameters=["Анна", "завтра\tв 10:00\n(стрижка)"],
    )
    assert body_of(request)["type"] == "template"
    assert body_of(request)["template"] == {
        "name": "booking_reminder",
        "language": {"code": "ru"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Анна"},
                    {"type": "text", "text": "завтра в 10:00 (стрижка)"},
                ],
            }
        ],
    }
    assert request.purpose == "template"


def test_a_template_without_parameters_has_no_components_and_an_empty_parameter_is_refused() -> None:
    request = whatsapp_template_request("1", phone_number_id="2", name="hello_world", language="en_US")
    assert body_of(request)["template"] == {"name": "hello_world", "language": {"code": "en_US"}}
    with pytest.raises(ValueError, match="placeholder"):
        whatsapp_template_request("1", phone_number_id="2", name="t", language="en", body_parameters=[" "])


def test_the_24_hour_window_closes_exactly_24_hours_after_the_customers_last_message() -> None:
    assert within_whatsapp_window(NOW - timedelta(hours=23, minutes=59), NOW)
    assert not within_whatsapp_window(NOW - timedelta(hours=24), NOW)
    assert not within_whatsapp_window(None, NOW)


def test_marking_read_also_shows_the_typing_indicator() -> None:
    request = whatsapp_mark_read("wamid.IN", phone_number_id=PHONE_NUMBER_ID)
    assert request.body == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN",
        "typing_indicator": {"type": "text"},
    }


def test_sends_are_paced_per_business_number_and_per_customer() -> None:
    [request] = send(OutboundMessage("Hi"))
    assert [(limit.key, limit.calls, limit.per_s) for limit in request.limits] == [
        (f"whatsapp:number:{PHONE_NUMBER_ID}", 80, 1.0),
        (f"whatsapp:pair:{PHONE_NUMBER_ID}:16505551234", 10, 60.0),
    ]
