"""Staff-alert targets from the playbook, the environment and settings; what is wrong is named."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest

from server.alert_config import configured_targets
from server.alert_formats import signature, verify_signature
from server.alert_targets import SignedWebhook, SlackWebhook, TelegramChat
from server.settings import Settings
from tools.clock import FrozenClock
from tools.errors import ConfigError
from tools.notifications import NotificationKind
from tools.playbook import Playbook
from tools.playbook.alerts import StaffAlerts


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def _with(playbook: Playbook, *targets: dict[str, object]) -> Playbook:
    section = StaffAlerts.model_validate({"targets": list(targets)})
    return playbook.model_copy(update={"notifications": section})


def _targets(
    playbook: Playbook,
    settings: Settings,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    environ: Mapping[str, str] | None = None,
) -> dict[str, object]:
    found = configured_targets(playbook, settings, client, clock=clock, environ=environ or {})
    return {target.route.target: target for target in found}


async def test_nothing_configured_means_no_targets(
    minimal_playbook: Playbook, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    assert _targets(minimal_playbook, _settings(), client, clock) == {}


async def test_settings_alone_make_a_target_of_each_type(
    minimal_playbook: Playbook, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    settings = _settings(
        telegram_bot_token="1:abc",
        alert_telegram_chat_id="-100555",
        alert_slack_webhook_url="https://hooks.slack.com/services/T/B/x",
        alert_webhook_url="https://ops.example/hook",
        alert_webhook_secret="s3cret",
    )
    found = configured_targets(minimal_playbook, settings, client, clock=clock, environ={})
    senders = {target.route.target: target.sender for target in found}
    assert isinstance(senders["telegram"], TelegramChat) and senders["telegram"].chat_id == "-100555"
    assert isinstance(senders["slack"], SlackWebhook)
    assert isinstance(senders["webhook"], SignedWebhook) and senders["webhook"].secret == "s3cret"
    assert all(not target.route.kinds and not target.route.recipients for target in found)


async def test_playbook_targets_take_values_from_the_environment_then_settings(
    minimal_playbook: Playbook, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    playbook = _with(
        minimal_playbook,
        {"type": "telegram", "id": "sales-chat", "chat_id_env": "SALES_CHAT", "kinds": ["hot_lead"]},
        {"type": "telegram", "id": "ops-chat", "recipients": ["team:support"]},
        {"type": "webhook", "url": "https://crm.example/in", "secret_env": "CRM_SECRET"},
    )
    settings = _settings(telegram_bot_token="1:abc", alert_telegram_chat_id="-100999")
    found = configured_targets(
        playbook, settings, client, clock=clock, environ={"SALES_CHAT": "-100111", "CRM_SECRET": "k"}
    )
    routes = {target.route.target: target for target in found}
    assert set(routes) == {"sales-chat", "ops-chat", "webhook"}, "the setting does not add a third chat"
    sales, ops = routes["sales-chat"].sender, routes["ops-chat"].sender
    assert isinstance(sales, TelegramChat) and sales.chat_id == "-100111"
    assert isinstance(ops, TelegramChat) and ops.chat_id == "-100999"
    assert routes["sales-chat"].route.kinds == frozenset({NotificationKind.HOT_LEAD})
    assert routes["ops-chat"].route.recipients == frozenset({"team:support"})


async def test_every_missing_value_is_named_at_start_up(
    minimal_playbook: Playbook, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    playbook = _with(
        minimal_playbook,
        {"type": "telegram", "chat_id": "-100111"},
        {"type": "slack", "webhook_url_env": "SLACK_WEBHOOK_URL"},
        {"type": "webhook", "url": "https://crm.example/in"},
    )
    with pytest.raises(ConfigError) as caught:
        configured_targets(playbook, _settings(), client, clock=clock, environ={})
    assert str(caught.value).splitlines()[1:] == [
        "notifications.targets[0]: Telegram alerts use the bot; set FRONTDESK_TELEGRAM_BOT_TOKEN",
        "notifications.targets[1].webhook_url_env: the environment variable SLACK_WEBHOOK_URL is not set",
        "notifications.targets[2]: no signing secret; set secret_env in the playbook, "
        "or FRONTDESK_ALERT_WEBHOOK_SECRET",
    ]


async def test_a_bad_value_from_the_environment_is_named(
    minimal_playbook: Playbook, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    playbook = _with(minimal_playbook, {"type": "telegram", "chat_id_env": "CHAT"})
    with pytest.raises(ConfigError, match=r"notifications.targets\[0\]: the chat id 'sales' is not"):
        configured_targets(
            playbook, _settings(telegram_bot_token="1:abc"), client, clock=clock, environ={"CHAT": "sales"}
        )


def test_the_signature_helper_matches_the_documented_recipe() -> None:
    body = b'{"id":"nf_1"}'
    assert signature("key", 1_800_000_000, body).startswith("sha256=")
    signed = signature("key", 1_800_000_000, body)
    assert verify_signature("key", body, "1800000000", signed, now=1_800_000_100)
    assert not verify_signature("key", body, "1800000000", signed, now=1_800_000_301)
    assert not verify_signature("other", body, "1800000000", signed, now=1_800_000_000)
    assert not verify_signature("key", body, "soon", signed, now=1_800_000_000)
