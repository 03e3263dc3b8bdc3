"""Provider answers become send, retry-later or give-up decisions; requests become HTTP calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from server.channels import (
    Ok,
    OutboundMessage,
    Permanent,
    Retry,
    build_http_call,
    classify_response,
    messenger_send_requests,
    telegram_send_requests,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def body(value: object) -> bytes:
    return json.dumps(value).encode()


def graph_error(code: int, **extra: object) -> bytes:
    return body({"error": {"message": f"(#{code}) error", "type": "OAuthException", "code": code, **extra}})


# -- Telegram ------------------------------------------------------------------------------


def test_telegram_success_gives_the_message_id() -> None:
    answer = body(
        {"ok": True, "result": {"message_id": 4242, "chat": {"id": 1}, "date": 1, "text": "Привет"}}
    )
    assert classify_response("telegram", 200, {}, answer) == Ok("4242")
    assert classify_response("telegram", 200, {}, body({"ok": True, "result": True})) == Ok(None)


def test_telegram_flood_control_waits_for_retry_after() -> None:
    answer = body(
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        }
    )
    outcome = classify_response("telegram", 429, {}, answer)
    assert isinstance(outcome, Retry)
    assert outcome.after_s == 7
    assert "Too Many Requests" in outcome.reason


def test_telegram_429_without_parameters_falls_back_to_the_retry_after_header() -> None:
    outcome = classify_response("telegram", 429, {"Retry-After": "12"}, b"")
    assert outcome == Retry(12.0, "Telegram: HTTP 429")


def test_telegram_server_errors_are_retried_with_our_own_backoff() -> None:
    outcome = classify_response("telegram", 502, {}, b"<html>Bad Gateway</html>")
    assert isinstance(outcome, Retry) and outcome.after_s is None


@pytest.mark.parametrize(
    ("status", "description", "hint"),
    [
        (403, "Forbidden: bot was blocked by the user", "blocked the bot"),
        (400, "Bad Request: message is too long", "too long"),
        (401, "Unauthorized", "FRONTDESK_TELEGRAM_BOT_TOKEN"),
        (400, "Bad Request: chat not found", "chat not found"),
    ],
)
def test_telegram_errors_retrying_cannot_fix_are_permanent_with_a_reason_for_staff(
    status: int, description: str, hint: str
) -> None:
    outcome = classify_response(
        "telegram", status, {}, body({"ok": False, "error_code": status, "description": description})
    )
    assert isinstance(outcome, Permanent)
    assert hint in outcome.reason


def test_a_group_that_became_a_supergroup_names_the_new_chat() -> None:
    answer = body(
        {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: group chat was upgraded to a supergroup chat",
            "parameters": {"migrate_to_chat_id": -1001234567890},
        }
    )
    outcome = classify_response("telegram", 400, {}, answer)
    assert isinstance(outcome, Permanent) and "-1001234567890" in outcome.reason


# -- Graph: WhatsApp, Messenger, Instagram ---------------------------------------------------


def test_graph_success_gives_the_wamid_or_the_message_id() -> None:
    whatsapp = body(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "+1", "wa_id": "1"}],
            "messages": [{"id": "wamid.X"}],
        }
    )
    assert classify_response("whatsapp", 200, {}, whatsapp) == Ok("wamid.X")
    assert classify_response("messenger", 200, {}, body({"recipient_id": "1", "message_id": "m_Y"})) == Ok(
        "m_Y"
    )
    assert classify_response("whatsapp", 200, {}, body({"success": True})) == Ok(None)


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80006, 130429])
def test_graph_rate_limits_are_retried(code: int) -> None:
    outcome = classify_response("messenger", 400, {}, graph_error(code))
    assert isinstance(outcome, Retry)


def test_a_retry_after_header_says_how_long_to_wait() -> None:
    assert classify_response("whatsapp", 429, {"retry-after": "30"}, graph_error(4)) == Retry(
        30.0, "Graph API error 4: (#4) error"
    )


def test_a_retry_after_http_date_is_read_against_now() -> None:
    outcome = classify_response(
        "instagram", 503, {"Retry-After": "Mon, 01 Mar 2027 09:01:00 GMT"}, b"", now=NOW
    )
    assert outcome == Retry(60.0, "Graph API: HTTP 503")


def test_the_whatsapp_pair_rate_limit_waits_six_seconds() -> None:
    outcome = classify_response("whatsapp", 400, {}, graph_error(131056))
    assert isinstance(outcome, Retry) and outcome.after_s == 6.0


def test_transient_graph_errors_and_5xx_are_retried() -> None:
    assert isinstance(classify_response("messenger", 500, {}, graph_error(2)), Retry)
    assert isinstance(classify_response("messenger", 400, {}, graph_error(999, is_transient=True)), Retry)
    assert isinstance(classify_response("messenger", 502, {}, b"<html>proxy</html>"), Retry)


def test_a_closed_whatsapp_window_is_permanent_and_asks_for_a_template() -> None:
    outcome = classify_response(
        "whatsapp",
        400,
        {},
        graph_error(
            131047, error_data={"details": "Message failed to send because more than 24 hours have passed"}
        ),
    )
    assert isinstance(outcome, Permanent)
    assert outcome.window_closed
    assert outcome.code == 131047
    assert "more than 24 hours" in outcome.reason


def test_a_messenger_send_outside_the_window_is_flagged_too() -> None:
    outcome = classify_response("messenger", 400, {}, graph_error(10, error_subcode=2018278))
    assert isinstance(outcome, Permanent) and outcome.window_closed


def test_an_expired_token_is_permanent_and_says_what_to_do() -> None:
    outcome = classify_response("instagram", 401, {}, graph_error(190))
    assert isinstance(outcome, Permanent) and "issue a new one" in outcome.reason


def test_an_invalid_parameter_is_permanent() -> None:
    outcome = classify_response("whatsapp", 400, {}, graph_error(100))
    assert isinstance(outcome, Permanent) and not outcome.window_closed
    assert classify_response("whatsapp", 404, {}, b"") == Permanent(
        "Graph API: HTTP 404 without an error object", 404
    )


# -- HTTP calls ----------------------------------------------------------------------------


def test_telegram_calls_carry_the_token_in_the_path_only() -> None:
    [request] = telegram_send_requests("42", OutboundMessage("Привет!"))
    call = build_http_call(request, base_url="https://api.telegram.org/", token="123:ABC")
    assert call.url == "https://api.telegram.org/bot123:ABC/sendMessage"
    assert all(name != "Authorization" for name, _ in call.headers)
    assert json.loads(call.content) == {"chat_id": 42, "text": "Привет!"}
    assert "Привет".encode() in call.content
    assert "123:ABC" not in json.dumps(request.body)


def test_graph_calls_carry_a_bearer_token_under_the_versioned_base() -> None:
    [request] = messenger_send_requests("psid", OutboundMessage("Hi"), page_id="112233")
    call = build_http_call(request, base_url="https://graph.facebook.com/v25.0", token="EAAG")
    assert call.url == "https://graph.facebook.com/v25.0/112233/messages"
    assert ("Authorization", "Bearer EAAG") in call.headers
