"""Replies go over real HTTP to a local server that implements each provider's send endpoint."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import httpx
import pytest

from server.channels import (
    Ok,
    OutboundMessage,
    Permanent,
    ProviderOutcome,
    Retry,
    SendRequest,
    build_http_call,
    classify_response,
    instagram_private_reply,
    instagram_send_requests,
    messenger_send_requests,
    telegram_answer_callback,
    telegram_send_requests,
    whatsapp_send_requests,
    whatsapp_template_request,
)
from tests.fakes.providers import FakeProviders

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
LONG_RU = "\n\n".join(["Мы работаем ежедневно с 9 до 21, запись открыта на две недели вперёд. " * 12] * 8)


@pytest.fixture
def fake() -> Iterator[FakeProviders]:
    with FakeProviders() as server:
        server.instagram_users.add("987654321012345")
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def send(client: httpx.Client, fake: FakeProviders, request: SendRequest) -> ProviderOutcome:
    """One attempt, as the worker makes it: build the call, post it, classify the answer."""
    if request.channel == "telegram":
        base, token = fake.telegram_url, fake.telegram_token
    else:
        base = fake.graph_url
        token = fake.whatsapp_token if request.channel == "whatsapp" else fake.page_token
    call = build_http_call(request, base_url=base, token=token)
    response = client.request(call.method, call.url, headers=dict(call.headers), content=call.content)
    return classify_response(
        request.channel, response.status_code, dict(response.headers), response.content, now=NOW
    )


def deliver(
    client: httpx.Client, fake: FakeProviders, requests: Sequence[SendRequest]
) -> tuple[list[ProviderOutcome], list[float | None]]:
    """Send every request, retrying `Retry` outcomes at once (recording the waits asked for)."""
    outcomes, waits = [], []
    for request in requests:
        outcome = send(client, fake, request)
        for _ in range(5):
            if not isinstance(outcome, Retry):
                break
            waits.append(outcome.after_s)
            outcome = send(client, fake, request)
        outcomes.append(outcome)
    return outcomes, waits


def test_a_long_telegram_reply_with_buttons_is_accepted_part_by_part(
    client: httpx.Client, fake: FakeProviders
) -> None:
    requests = telegram_send_requests("123456789", OutboundMessage(LONG_RU, ("Записаться", "Цены")))
    outcomes, _ = deliver(client, fake, requests)
    assert all(isinstance(o, Ok) and o.provider_message_id for o in outcomes)
    assert " ".join(" ".join(fake.texts("telegram")).split()) == " ".join(LONG_RU.split())
    last = fake.calls_to("telegram")[-1].body
    assert [row[0]["text"] for row in last["reply_markup"]["inline_keyboard"]] == ["Записаться", "Цены"]


def test_telegram_would_refuse_the_unsplit_text(client: httpx.Client, fake: FakeProviders) -> None:
    unsplit = SendRequest(
        channel="telegram", path="/sendMessage", body={"chat_id": 1, "text": LONG_RU}, purpose="text"
    )
    outcome = send(client, fake, unsplit)
    assert isinstance(outcome, Permanent) and "message is too long" in outcome.reason


def test_telegram_flood_control_is_waited_out_then_the_message_goes_through(
    client: httpx.Client, fake: FakeProviders
) -> None:
    fake.fail_next("telegram", 2, status=429, retry_after=3)
    outcomes, waits = deliver(client, fake, telegram_send_requests("1", OutboundMessage("Hello!")))
    assert waits == [3, 3]
    assert isinstance(outcomes[0], Ok)
    assert fake.texts("telegram") == ["Hello!"]


def test_answering_a_button_press_is_accepted(client: httpx.Client, fake: FakeProviders) -> None:
    assert send(client, fake, telegram_answer_callback("4382bfdwdsb323b2d9", text="Готово")) == Ok(None)


def test_a_wrong_bot_token_is_a_permanent_failure_naming_the_setting(
    client: httpx.Client, fake: FakeProviders
) -> None:
    request = telegram_send_requests("1", OutboundMessage("Hi"))[0]
    call = build_http_call(request, base_url=fake.telegram_url, token="000:WRONG")
    response = client.post(call.url, headers=dict(call.headers), content=call.content)
    outcome = classify_response("telegram", response.status_code, dict(response.headers), response.content)
    assert isinstance(outcome, Permanent) and "FRONTDESK_TELEGRAM_BOT_TOKEN" in outcome.reason


def test_whatsapp_buttons_lists_and_long_text_are_all_accepted(
    client: httpx.Client, fake: FakeProviders
) -> None:
    messages = [
        OutboundMessage("Когда вам удобно?", ("Утром", "Днём", "Вечером")),
        OutboundMessage("Free slots this week:", tuple(f"Day {n} 10:00" for n in range(1, 8))),
        OutboundMessage(LONG_RU, ("Да", "Нет")),
        OutboundMessage("Pick one", tuple(f"Option {n}" for n in range(1, 15))),
    ]
    for message in messages:
        requests = whatsapp_send_requests("16505551234", message, phone_number_id=fake.phone_number_id)
        outcomes, _ = deliver(client, fake, requests)
        assert all(isinstance(o, Ok) and str(o.provider_message_id).startswith("wamid.") for o in outcomes)
    kinds = [c.body.get("interactive", {}).get("type") for c in fake.calls_to("whatsapp")]
    assert "button" in kinds and "list" in kinds


def test_whatsapp_throughput_limit_and_outage_are_retried(client: httpx.Client, fake: FakeProviders) -> None:
    fake.fail_next("whatsapp", status=429, retry_after=2, code=130429)
    fake.fail_next("whatsapp", status=503)
    requests = whatsapp_send_requests(
        "16505551234", OutboundMessage("Hello"), phone_number_id=fake.phone_number_id
    )
    outcomes, waits = deliver(client, fake, requests)
    assert waits == [2.0, None]
    assert isinstance(outcomes[0], Ok)


def test_after_the_window_closes_only_a_template_gets_through(
    client: httpx.Client, fake: FakeProviders
) -> None:
    fake.close_whatsapp_window("+16505551234")
    free_form = whatsapp_send_requests(
        "16505551234", OutboundMessage("Напоминаем о записи"), phone_number_id=fake.phone_number_id
    )
    outcome = send(client, fake, free_form[0])
    assert isinstance(outcome, Permanent) and outcome.window_closed
    template = whatsapp_template_request(
        "16505551234",
        phone_number_id=fake.phone_number_id,
        name="booking_reminder",
        language="ru",
        body_parameters=["Анна", "завтра в 10:00"],
    )
    assert isinstance(send(client, fake, template), Ok)


def test_messenger_and_instagram_replies_are_accepted_within_their_limits(
    client: httpx.Client, fake: FakeProviders
) -> None:
    messenger = messenger_send_requests("6543210987654321", OutboundMessage(LONG_RU, ("Записаться",)))
    instagram = instagram_send_requests("987654321012345", OutboundMessage(LONG_RU, ("Да", "Нет")))
    outcomes, _ = deliver(client, fake, [*messenger, *instagram])
    assert all(isinstance(o, Ok) and str(o.provider_message_id).startswith("m_") for o in outcomes)
    assert " ".join(" ".join(fake.texts("instagram")).split()) == " ".join(LONG_RU.split())
    assert len(fake.texts("instagram")) > len(fake.texts("messenger"))


def test_instagram_would_refuse_russian_text_split_by_characters_instead_of_bytes(
    client: httpx.Client, fake: FakeProviders
) -> None:
    too_long = SendRequest(
        channel="instagram",
        path="/me/messages",
        body={"recipient": {"id": "987654321012345"}, "message": {"text": "я" * 600}},
        purpose="text",
    )
    outcome = send(client, fake, too_long)
    assert isinstance(outcome, Permanent) and outcome.code == 100


def test_a_comment_gets_exactly_one_private_reply(client: httpx.Client, fake: FakeProviders) -> None:
    reply = instagram_private_reply(
        "17865799348089039",
        OutboundMessage("Спасибо за комментарий! Вам удобнее утром или вечером?", ("Утром", "Вечером")),
    )
    assert isinstance(send(client, fake, reply), Ok)
    second = send(client, fake, reply)
    assert isinstance(second, Permanent)
    assert fake.texts("instagram") == [
        "Спасибо за комментарий! Вам удобнее утром или вечером?\n\n1. Утром\n2. Вечером"
    ]


def test_graph_rate_limits_are_honoured_from_the_retry_after_header(
    client: httpx.Client, fake: FakeProviders
) -> None:
    fake.fail_next("messenger", status=429, retry_after=30, code=613)
    outcomes, waits = deliver(client, fake, messenger_send_requests("1", OutboundMessage("Hi")))
    assert waits == [30.0]
    assert isinstance(outcomes[0], Ok)
    assert [c.status for c in fake.calls_to("messenger")] == [429, 200]
