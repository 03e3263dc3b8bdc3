"""Only requests from the provider get in: secrets, signatures and Meta's subscription check."""

from __future__ import annotations

import hmac
import json

import pytest

from server.channels import (
    MalformedPayload,
    SignatureInvalid,
    answer_subscription,
    verify_meta_signature,
    verify_telegram_secret,
)
from tests.channels.payloads import raw, wa_contact, wa_message, wa_value, wa_webhook
from tests.fakes.providers import meta_signature_headers, telegram_secret_headers

APP_SECRET = "f00dfacecafe0123456789abcdef0123"
SECRET = "s3cr3t_token-Frontdesk"
BODY = raw(
    wa_webhook(
        wa_value(
            wa_message("text", {"body": "Здравствуйте! Есть запись на завтра?"}), contacts=[wa_contact()]
        )
    )
)


def test_telegram_secret_header_that_matches_is_accepted() -> None:
    header = telegram_secret_headers(SECRET)["X-Telegram-Bot-Api-Secret-Token"]
    verify_telegram_secret(header, secret=SECRET)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("wrong-token", "does not match"),
        (SECRET + " ", "does not match"),
        ("", "does not match"),
    ],
)
def test_telegram_update_without_the_right_secret_is_rejected(header: str | None, reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        verify_telegram_secret(header, secret=SECRET)


def test_an_empty_configured_telegram_secret_is_a_setup_error_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="FRONTDESK_TELEGRAM_WEBHOOK_SECRET"):
        verify_telegram_secret("", secret="")


def test_meta_signature_over_the_raw_body_is_accepted() -> None:
    header = meta_signature_headers(BODY, APP_SECRET)["X-Hub-Signature-256"]
    verify_meta_signature(BODY, header, app_secret=APP_SECRET)


def test_meta_signature_in_upper_case_hex_is_accepted() -> None:
    header = meta_signature_headers(BODY, APP_SECRET)["X-Hub-Signature-256"]
    verify_meta_signature(BODY, "sha256=" + header.removeprefix("sha256=").upper(), app_secret=APP_SECRET)


def test_a_tampered_body_fails_the_signature() -> None:
    header = meta_signature_headers(BODY, APP_SECRET)["X-Hub-Signature-256"]
    tampered = BODY.replace("завтра".encode(), "сегодня".encode())
    with pytest.raises(SignatureInvalid, match="does not match"):
        verify_meta_signature(tampered, header, app_secret=APP_SECRET)


def test_re_serialised_json_does_not_verify_so_the_raw_bytes_must_be_used() -> None:
    header = meta_signature_headers(BODY, APP_SECRET)["X-Hub-Signature-256"]
    reserialised = json.dumps(json.loads(BODY)).encode()  # escapes the Cyrillic text
    assert reserialised != BODY
    with pytest.raises(SignatureInvalid):
        verify_meta_signature(reserialised, header, app_secret=APP_SECRET)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("sha1=0123abcd", "does not start with 'sha256='"),
        ("sha256=", "does not match"),
        ("sha256=" + "0" * 64, "does not match"),
    ],
)
def test_a_missing_or_wrong_meta_signature_is_rejected(header: str | None, reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        verify_meta_signature(BODY, header, app_secret=APP_SECRET)


def test_a_signature_made_with_another_app_secret_is_rejected() -> None:
    header = meta_signature_headers(BODY, "another-app-secret")["X-Hub-Signature-256"]
    with pytest.raises(SignatureInvalid):
        verify_meta_signature(BODY, header, app_secret=APP_SECRET)


def test_every_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    verify_telegram_secret(SECRET, secret=SECRET)
    verify_meta_signature(
        BODY, meta_signature_headers(BODY, APP_SECRET)["X-Hub-Signature-256"], app_secret=APP_SECRET
    )
    answer_subscription(
        {"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "1158201444"}, verify_token="vt"
    )
    assert len(compared) == 3


def test_subscription_check_echoes_the_challenge_when_the_verify_token_matches() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "мой-токен", "hub.challenge": "1158201444"}
    assert answer_subscription(params, verify_token="мой-токен") == "1158201444"


def test_subscription_check_with_a_wrong_verify_token_is_refused() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    with pytest.raises(SignatureInvalid, match="does not match"):
        answer_subscription(params, verify_token="the-real-token")


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"hub.verify_token": "vt", "hub.challenge": "1"}, "hub.mode is None"),
        ({"hub.mode": "unsubscribe", "hub.verify_token": "vt", "hub.challenge": "1"}, "expected 'subscribe'"),
        ({"hub.mode": "subscribe", "hub.verify_token": "vt"}, "hub.challenge is missing"),
    ],
)
def test_subscription_check_without_the_documented_parameters_is_malformed(
    params: dict[str, str], reason: str
) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        answer_subscription(params, verify_token="vt")


def test_subscription_check_without_a_verify_token_is_refused() -> None:
    with pytest.raises(SignatureInvalid, match="missing"):
        answer_subscription({"hub.mode": "subscribe", "hub.challenge": "1"}, verify_token="vt")
