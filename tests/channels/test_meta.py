"""Messenger and Instagram: messages, quick replies, postbacks, echoes and comments in; replies out."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from server.channels import (
    InboundEvent,
    MalformedPayload,
    OutboundMessage,
    instagram_private_reply,
    instagram_send_requests,
    messenger_send_requests,
    parse_meta_webhook,
)
from server.channels.policy import measure
from tests.channels.payloads import (
    IG_ACCOUNT_ID,
    IGSID,
    PAGE_ID,
    PSID,
    body_of,
    ig_comment,
    ig_comment_entry,
    messaging,
    messaging_entry,
    meta_webhook,
    raw,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def parse(payload: dict[str, object]) -> list[InboundEvent]:
    return parse_meta_webhook(raw(payload), received_at=NOW)


def messenger(*events: dict[str, object]) -> list[InboundEvent]:
    return parse(meta_webhook("page", messaging_entry(*events)))


def test_a_messenger_text_is_a_text_event_from_the_psid_to_the_page() -> None:
    [event] = messenger(messaging(message={"mid": "m_1", "text": "hello, world!"}))
    assert event.channel == "messenger"
    assert (event.kind, event.text, event.provider_id) == ("text", "hello, world!", "m_1")
    assert (event.chat_id, event.sender_id, event.account_id) == (PSID, PSID, PAGE_ID)
    assert event.at == datetime.fromtimestamp(1_458_692_752.478, tz=UTC)


def test_a_tapped_quick_reply_keeps_the_visible_title_and_the_payload() -> None:
    message = {"mid": "m_2", "text": "Записаться", "quick_reply": {"payload": "opt:1"}}
    [event] = messenger(messaging(message=message))
    assert (event.kind, event.text, event.button_payload) == ("button", "Записаться", "opt:1")


def test_a_postback_is_a_button_with_its_title_and_a_stable_key_even_without_a_mid() -> None:
    with_mid = messenger(messaging(postback={"mid": "m_3", "title": "Get Started", "payload": "START"}))[0]
    without = messenger(messaging(postback={"title": "Начать", "payload": "START"}))[0]
    assert (with_mid.kind, with_mid.text, with_mid.button_payload, with_mid.provider_id) == (
        "button",
        "Get Started",
        "START",
        "m_3",
    )
    assert without.text == "Начать"
    assert (
        without.provider_id
        == messenger(messaging(postback={"title": "Начать", "payload": "START"}))[0].provider_id
    )


@pytest.mark.parametrize(
    ("attachment", "kind"),
    [
        ({"type": "image", "payload": {"url": "https://cdn/x.jpg"}}, "image"),
        (
            {"type": "image", "payload": {"url": "https://cdn/s.png", "sticker_id": 369239263222822}},
            "sticker",
        ),
        ({"type": "audio", "payload": {"url": "https://cdn/v.mp4"}}, "voice"),
        ({"type": "file", "payload": {"url": "https://cdn/f.pdf"}}, "file"),
        ({"type": "ig_reel", "payload": {"url": "https://cdn/r"}}, "video"),
        ({"type": "fallback", "payload": None}, "other"),
    ],
)
def test_attachments_arrive_as_non_text(attachment: dict[str, object], kind: str) -> None:
    [event] = messenger(messaging(message={"mid": "m_4", "attachments": [attachment]}))
    assert (event.kind, event.non_text_kind) == ("non_text", kind)


def test_an_echo_of_our_own_message_is_marked_so_it_is_never_answered() -> None:
    event_body = messaging(
        sender=PAGE_ID,
        recipient=PSID,
        message={"mid": "m_5", "text": "Ответил менеджер", "is_echo": True, "app_id": 263902037430900},
    )
    [event] = messenger(event_body)
    assert event.kind == "echo"
    assert event.chat_id == PSID
    assert event.account_id == PAGE_ID
    assert event.sent_by_app_id == "263902037430900"


def test_a_reaction_and_reads_are_told_apart(caplog: pytest.LogCaptureFixture) -> None:
    reaction = messaging(reaction={"mid": "m_ours", "action": "react", "reaction": "love", "emoji": "❤️"})
    read = messaging(read={"watermark": 1458668856253})
    with caplog.at_level(logging.DEBUG, logger="frontdesk.channels.meta"):
        [event] = messenger(reaction, read)
    assert (event.kind, event.text, event.reply_to) == ("reaction", "❤️", "m_ours")
    assert "read" in caplog.text


def test_several_entries_and_events_all_arrive_in_order() -> None:
    payload = meta_webhook(
        "page",
        messaging_entry(
            messaging(message={"mid": "m_a", "text": "Hi"}), messaging(message={"mid": "m_b", "text": "?"})
        ),
        messaging_entry(messaging(sender="777", message={"mid": "m_c", "text": "Привет"})),
    )
    assert [e.provider_id for e in parse(payload)] == ["m_a", "m_b", "m_c"]


def test_an_instagram_dm_is_an_instagram_event() -> None:
    entry = messaging_entry(
        messaging(sender=IGSID, recipient=IG_ACCOUNT_ID, message={"mid": "aWdf", "text": "Сколько стоит?"}),
        account_id=IG_ACCOUNT_ID,
    )
    [event] = parse(meta_webhook("instagram", entry))
    assert (event.channel, event.chat_id, event.account_id, event.text) == (
        "instagram",
        IGSID,
        IG_ACCOUNT_ID,
        "Сколько стоит?",
    )


def test_a_deleted_instagram_message_is_ignored() -> None:
    entry = messaging_entry(messaging(message={"mid": "aWdf", "is_deleted": True}), account_id=IG_ACCOUNT_ID)
    assert parse(meta_webhook("instagram", entry)) == []


def test_an_instagram_comment_becomes_a_comment_event_with_the_post_and_the_commenter() -> None:
    [event] = parse(meta_webhook("instagram", ig_comment_entry(ig_comment())))
    assert event.channel == "instagram"
    assert event.kind == "comment"
    assert event.text == "Сколько стоит маникюр?"
    assert event.provider_id == "comment:17865799348089039"
    assert event.chat_id == IGSID
    assert event.comment is not None
    assert (event.comment.comment_id, event.comment.media_id, event.comment.media_product_type) == (
        "17865799348089039",
        "18023345678901234",
        "FEED",
    )
    assert event.details()["media_id"] == "18023345678901234"
    assert event.at == datetime.fromtimestamp(1_763_800_000, tz=UTC)


def test_a_comment_named_with_comment_id_and_a_live_comment_are_accepted() -> None:
    value = ig_comment() | {"comment_id": "999"}
    del value["id"]
    [named] = parse(meta_webhook("instagram", ig_comment_entry(value)))
    [live] = parse(meta_webhook("instagram", ig_comment_entry(ig_comment("555"), field="live_comments")))
    assert named.comment is not None and named.comment.comment_id == "999"
    assert live.provider_id == "comment:555"


def test_our_own_public_reply_to_a_comment_is_not_treated_as_a_customer_comment() -> None:
    own = ig_comment("1", "Спасибо! Написали вам в директ", author=IG_ACCOUNT_ID)
    assert parse(meta_webhook("instagram", ig_comment_entry(own))) == []


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"object": "user", "entry": []}, "expected 'page'"),
        ({"object": "page"}, "entry is missing"),
        (
            meta_webhook("page", messaging_entry({"timestamp": 1, "message": {"mid": "x"}})),
            "sender is missing",
        ),
        (meta_webhook("page", messaging_entry(messaging(message={"text": "no mid"}))), "mid is missing"),
        (
            meta_webhook("instagram", ig_comment_entry({"text": "hi", "from": {"id": "1"}})),
            "neither id nor comment_id",
        ),
        (meta_webhook("page", {"time": 1, "messaging": []}), r"entry\[0\].id is missing"),
    ],
)
def test_payloads_that_break_the_documented_shape_are_malformed(
    payload: dict[str, object], reason: str
) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse(payload)


# -- sending -------------------------------------------------------------------------------


def test_a_messenger_reply_is_a_response_with_quick_replies() -> None:
    [request] = messenger_send_requests(PSID, OutboundMessage("Pick a time", ("Morning", "Evening")))
    assert request.path == "/me/messages"
    assert request.body == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {
            "text": "Pick a time",
            "quick_replies": [
                {"content_type": "text", "title": "Morning", "payload": "opt:1"},
                {"content_type": "text", "title": "Evening", "payload": "opt:2"},
            ],
        },
    }


@pytest.mark.parametrize(
    "options",
    [tuple(f"Вариант {n}" for n in range(1, 15)), ("Консультация дизайнера", "Нет")],
)
def test_more_than_13_quick_replies_or_titles_over_20_become_numbered_lines(options: tuple[str, ...]) -> None:
    [request] = messenger_send_requests(PSID, OutboundMessage("Выберите:", options))
    message = body_of(request)["message"]
    assert "quick_replies" not in message
    assert message["text"].endswith(f"{len(options)}. {options[-1]}")


def test_a_long_messenger_reply_is_split_under_2000_characters() -> None:
    text = ("Our studio offers haircuts, colouring and styling for every hair type. " * 70).strip()
    requests = messenger_send_requests(PSID, OutboundMessage(text, ("Book",)))
    assert len(requests) == 3
    assert all(len(body_of(r)["message"]["text"]) <= 2000 for r in requests)
    assert "quick_replies" in body_of(requests[-1])["message"]


def test_a_person_answering_late_uses_the_human_agent_tag() -> None:
    [request] = messenger_send_requests(PSID, OutboundMessage("Это Мария, администратор."), human_agent=True)
    assert (body_of(request)["messaging_type"], body_of(request)["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_russian_instagram_replies_are_split_by_utf8_bytes() -> None:
    text = ("Маникюр с покрытием стоит две тысячи рублей, дизайн оплачивается отдельно. " * 20).strip()
    requests = instagram_send_requests(IGSID, OutboundMessage(text))
    assert len(text) < 2000
    assert len(requests) >= 3
    assert all(measure(body_of(r)["message"]["text"], "utf8") <= 1000 for r in requests)
    assert all(r.channel == "instagram" for r in requests)


def test_a_private_reply_answers_the_comment_once_with_numbered_options() -> None:
    message = OutboundMessage(
        "Спасибо за вопрос о посте! Вас интересует маникюр или педикюр?", ("Маникюр", "Педикюр")
    )
    request = instagram_private_reply("17865799348089039", message)
    assert request.purpose == "private_reply"
    assert request.body == {
        "recipient": {"comment_id": "17865799348089039"},
        "message": {
            "text": "Спасибо за вопрос о посте! Вас интересует маникюр или педикюр?\n\n1. Маникюр\n2. Педикюр"
        },
    }
    assert ("instagram:private_replies:me", 750, 3600.0) in [
        (x.key, x.calls, x.per_s) for x in request.limits
    ]


def test_a_private_reply_too_long_for_one_message_is_shortened_but_keeps_its_options() -> None:
    long_text = "Мы получили ваш комментарий под постом о ремонте кухни. " * 30
    request = instagram_private_reply("1", OutboundMessage(long_text, ("Да", "Нет")))
    text = body_of(request)["message"]["text"]
    assert measure(text, "utf8") <= 1000
    assert text.endswith("…\n\n1. Да\n2. Нет")
