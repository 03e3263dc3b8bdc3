"""Web chat: the widget's messages in, reply frames out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from server.channels import (
    MalformedPayload,
    OutboundMessage,
    parse_webchat_message,
    webchat_frames,
    webchat_typing,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
SESSION = "s_9f8e7d6c5b4a"


def parse(message: dict[str, object], session: str = SESSION):
    return parse_webchat_message(
        json.dumps(message, ensure_ascii=False).encode(), session_id=session, received_at=NOW
    )


def test_a_typed_message_is_a_text_event_keyed_by_session_and_client_id() -> None:
    event = parse({"id": "c1", "text": "  Здравствуйте! Сколько стоит стрижка?  ", "name": "Анна"})
    assert event.channel == "webchat"
    assert (event.kind, event.text, event.sender_name) == (
        "text",
        "Здравствуйте! Сколько стоит стрижка?",
        "Анна",
    )
    assert (event.chat_id, event.provider_id, event.at) == (SESSION, f"{SESSION}:c1", NOW)


def test_the_browsers_time_zone_is_kept_for_quiet_hours_and_garbage_is_ignored() -> None:
    event = parse({"id": "c1", "text": "Hi", "tz": "Asia/Novosibirsk"})
    assert event.timezone == "Asia/Novosibirsk" and event.for_inbox().extra["timezone"] == "Asia/Novosibirsk"
    assert parse({"id": "c2", "text": "Hi", "tz": "'; DROP TABLE contacts; --"}).timezone is None
    assert parse({"id": "c3", "text": "Hi"}).timezone is None


def test_a_resent_message_after_a_reconnect_has_the_same_dedup_key() -> None:
    assert parse({"id": "c1", "text": "Hi"}).provider_id == parse({"id": "c1", "text": "Hi"}).provider_id


def test_a_tapped_chip_is_a_button_with_its_payload() -> None:
    event = parse({"id": "c2", "text": "Book a visit", "kind": "button", "payload": "opt:1"})
    assert (event.kind, event.text, event.button_payload) == ("button", "Book a visit", "opt:1")


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ({"text": "hi"}, "id is missing"),
        ({"id": "bad id!", "text": "hi"}, "id must be"),
        ({"id": "c3", "text": "   "}, "text is empty"),
        ({"id": "c3", "text": "я" * 4001}, "4001 characters"),
        ({"id": "c3", "text": "hi", "kind": "image"}, "kind is 'image'"),
        ({"id": "c3", "text": 5}, "text is not a string"),
    ],
)
def test_broken_widget_messages_are_malformed(message: dict[str, object], reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse(message)


def test_a_bad_session_id_or_body_is_malformed() -> None:
    with pytest.raises(MalformedPayload, match="session id"):
        parse({"id": "c1", "text": "hi"}, session="x")
    with pytest.raises(MalformedPayload, match="not valid JSON"):
        parse_webchat_message(b"hello", session_id=SESSION, received_at=NOW)


def test_a_reply_is_one_frame_with_its_buttons_as_chips() -> None:
    [frame] = webchat_frames(OutboundMessage("Когда удобно?", ("Утром", "Вечером")), message_id="r1", at=NOW)
    assert frame.to_json() == {
        "type": "message",
        "id": "r1",
        "at": "2027-03-01T09:00:00+00:00",
        "text": "Когда удобно?",
        "buttons": ["Утром", "Вечером"],
    }
    assert webchat_typing(session_id=SESSION, at=NOW).to_json() == {
        "type": "typing",
        "id": f"typing:{SESSION}",
        "at": "2027-03-01T09:00:00+00:00",
    }
