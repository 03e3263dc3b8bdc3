"""Telegram: what a customer sends becomes the right event; what we answer reaches them intact."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from server.channels import (
    InboundEvent,
    MalformedPayload,
    OutboundMessage,
    parse_telegram_update,
    telegram_answer_callback,
    telegram_send_requests,
)
from server.channels.policy import measure
from tests.channels.payloads import body_of, raw, tg_callback, tg_message, tg_user

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def parse(payload: dict[str, object]) -> list[InboundEvent]:
    return parse_telegram_update(raw(payload), received_at=NOW)


def test_a_russian_text_message_becomes_one_text_event_with_who_and_when() -> None:
    [event] = parse(tg_message(text="Здравствуйте! Можно записаться на стрижку?"))
    assert event.channel == "telegram"
    assert event.kind == "text"
    assert event.text == "Здравствуйте! Можно записаться на стрижку?"
    assert event.chat_id == "123456789"
    assert event.sender_id == "123456789"
    assert event.sender_name == "Анна Петрова"
    assert event.language_code == "ru"
    assert event.at == datetime.fromtimestamp(1_763_800_000, tz=UTC)
    assert event.provider_id == "123456789:42"


def test_the_same_message_delivered_twice_has_the_same_dedup_key_even_with_a_new_update_id() -> None:
    first = parse(tg_message(update_id=1, text="hello"))[0]
    again = parse(tg_message(update_id=99, text="hello"))[0]
    assert first.provider_id == again.provider_id


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"voice": {"file_id": "AwACAgI", "duration": 3}}, "voice"),
        ({"photo": [{"file_id": "AgAD", "width": 90, "height": 90}]}, "image"),
        ({"sticker": {"file_id": "CAAC", "emoji": "👍"}}, "sticker"),
        ({"location": {"latitude": 55.75, "longitude": 37.62}}, "location"),
        ({"document": {"file_id": "BQAC", "file_name": "смета.pdf"}}, "file"),
        ({"video_note": {"file_id": "DQAC", "length": 240}}, "video"),
    ],
)
def test_voice_photos_stickers_locations_and_files_arrive_as_non_text(
    content: dict[str, Any], kind: str
) -> None:
    [event] = parse(tg_message(**content))
    assert event.kind == "non_text"
    assert event.non_text_kind == kind
    assert event.text == ""


def test_a_photo_caption_is_kept_as_the_text() -> None:
    [event] = parse(tg_message(photo=[{"file_id": "AgAD"}], caption="Вот такой цвет хочу"))
    assert (event.kind, event.non_text_kind, event.text) == ("non_text", "image", "Вот такой цвет хочу")


def test_sharing_ones_own_contact_gives_a_verified_phone_but_someone_elses_does_not() -> None:
    own = parse(
        tg_message(contact={"phone_number": "79161234567", "first_name": "Анна", "user_id": 123456789})
    )[0]
    other = parse(
        tg_message(contact={"phone_number": "+1 650 555 1234", "first_name": "Bob", "user_id": 555})
    )[0]
    assert own.phone == "+79161234567"
    assert other.phone is None


def test_a_pressed_inline_button_arrives_with_its_visible_title_and_the_callback_to_answer() -> None:
    keyboard = [
        [{"text": "Записаться", "callback_data": "Записаться"}],
        [{"text": "Узнать цены", "callback_data": "Узнать цены"}],
    ]
    [event] = parse(tg_callback("Узнать цены", keyboard))
    assert event.kind == "button"
    assert event.text == "Узнать цены"
    assert event.callback_query_id == "4382bfdwdsb323b2d9"
    assert event.chat_id == "123456789"
    assert event.provider_id == "callback:4382bfdwdsb323b2d9"
    assert event.at == NOW


def test_a_button_with_a_long_title_round_trips_through_its_short_callback_data() -> None:
    title = "Записаться на окрашивание и стрижку в субботу"
    [request] = telegram_send_requests("123456789", OutboundMessage("Что выберете?", ("Нет", title)))
    keyboard = body_of(request)["reply_markup"]["inline_keyboard"]
    data = keyboard[1][0]["callback_data"]
    assert len(data.encode()) <= 64
    [event] = parse(tg_callback(data, keyboard))
    assert event.text == title


def test_a_button_press_whose_message_is_gone_still_reads_as_the_option_number() -> None:
    [event] = parse(tg_callback("opt:2", keyboard=None))
    assert event.text == "2"


def test_an_edit_is_a_separate_event_that_does_not_collide_with_the_original() -> None:
    original = parse(tg_message(text="Завтра в 10"))[0]
    edited_payload = tg_message(text="Завтра в 11")
    edited_payload["edited_message"] = edited_payload.pop("message") | {"edit_date": 1_763_800_100}
    [edit] = parse(edited_payload)
    assert edit.kind == "edit"
    assert edit.text == "Завтра в 11"
    assert edit.provider_id != original.provider_id


def test_update_types_a_front_desk_does_not_handle_are_ignored_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    payload = {"update_id": 5, "my_chat_member": {"chat": {"id": 1}, "from": tg_user(), "date": 1}}
    with caplog.at_level(logging.INFO, logger="frontdesk.channels.telegram"):
        assert parse(payload) == []
    assert "my_chat_member" in caplog.text


def test_messages_from_other_bots_are_ignored() -> None:
    payload = tg_message(text="spam")
    payload["message"]["from"] = tg_user(is_bot=True)
    assert parse(payload) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "empty"),
        (b"[1, 2]", "JSON list, not an object"),
        (b"\xff\xfe", "not UTF-8"),
        (raw({"message": {"text": "hi"}}), "update_id is missing"),
        (
            raw({"update_id": 1, "message": {"message_id": 1, "date": 1, "text": "hi"}}),
            "message.chat is missing",
        ),
        (
            raw({"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1}, "text": "hi"}}),
            "message.date is missing",
        ),
        (raw({"update_id": 1, "message": "hi"}), "message is not an object"),
    ],
)
def test_bodies_that_are_not_updates_are_malformed_with_a_precise_reason(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse_telegram_update(body, received_at=NOW)


# -- sending -------------------------------------------------------------------------------


def test_a_short_reply_is_one_send_message_to_the_numeric_chat() -> None:
    [request] = telegram_send_requests("123456789", OutboundMessage("Hello! How can I help?"))
    assert request.path == "/sendMessage"
    assert request.body == {"chat_id": 123456789, "text": "Hello! How can I help?"}
    assert {limit.key for limit in request.limits} == {"telegram:chat:123456789", "telegram:bot"}


def test_a_long_reply_is_split_at_paragraphs_with_the_buttons_under_the_last_part() -> None:
    paragraph = "Мы работаем каждый день с девяти до девяти, кроме праздников. " * 20
    text = "\n\n".join([paragraph.strip()] * 8)
    requests = telegram_send_requests("123456789", OutboundMessage(text, ("Записаться", "Цены")))
    parts = [str(body_of(r)["text"]) for r in requests]
    assert len(parts) > 1
    assert all(measure(part, "utf16") <= 4096 for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    assert all(part.endswith("праздников.") for part in parts)
    assert [("reply_markup" in r.body) for r in requests] == [False] * (len(parts) - 1) + [True]


def test_emoji_count_double_toward_telegrams_limit() -> None:
    text = "😀" * 3000
    requests = telegram_send_requests("1", OutboundMessage(text))
    assert len(requests) == 2
    assert "".join(str(body_of(r)["text"]) for r in requests) == text


def test_buttons_become_an_inline_keyboard_whose_data_is_the_title() -> None:
    [request] = telegram_send_requests("1", OutboundMessage("Выберите услугу", ("Стрижка", "Manicure")))
    assert body_of(request)["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Стрижка", "callback_data": "Стрижка"}],
            [{"text": "Manicure", "callback_data": "Manicure"}],
        ]
    }
    assert request.purpose == "interactive"


def test_a_reply_keyboard_can_be_chosen_instead() -> None:
    [request] = telegram_send_requests("1", OutboundMessage("Choose", ("Yes", "No")), keyboard="reply")
    assert body_of(request)["reply_markup"] == {
        "keyboard": [[{"text": "Yes"}], [{"text": "No"}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def test_more_options_than_a_keyboard_holds_become_numbered_lines() -> None:
    options = tuple(f"Слот {n}" for n in range(1, 102))
    requests = telegram_send_requests("1", OutboundMessage("Свободное время:", options))
    text = "\n".join(str(body_of(r)["text"]) for r in requests)
    assert "1. Слот 1\n2. Слот 2" in text
    assert "101. Слот 101" in text
    assert all("reply_markup" not in r.body for r in requests)


def test_the_first_part_can_quote_the_customers_message() -> None:
    [request] = telegram_send_requests("1", OutboundMessage("Да, есть"), reply_to_message_id=42)
    assert body_of(request)["reply_parameters"] == {"message_id": 42, "allow_sending_without_reply": True}


def test_a_button_press_is_answered_so_the_spinner_stops() -> None:
    request = telegram_answer_callback("4382bfdwdsb323b2d9", text="Принято! " * 40)
    assert request.path == "/answerCallbackQuery"
    assert body_of(request)["callback_query_id"] == "4382bfdwdsb323b2d9"
    assert len(str(body_of(request)["text"])) <= 200
    assert telegram_answer_callback("abc").body == {"callback_query_id": "abc"}


def test_group_chats_get_the_group_rate_limit() -> None:
    [request] = telegram_send_requests("-1001234567890", OutboundMessage("Hi all"))
    per_chat = request.limits[0]
    assert (per_chat.key, per_chat.calls, per_chat.per_s) == ("telegram:chat:-1001234567890", 20, 60.0)
    assert body_of(request)["chat_id"] == -1001234567890
