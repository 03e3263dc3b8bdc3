"""Staff-alert targets from the playbook's ``notifications`` section, the environment and settings.

A playbook target names its address inline, through an environment variable (``*_env``), or
not at all, in which case the ``FRONTDESK_ALERT_*`` setting of its type is used. Settings alone
also work: each ``FRONTDESK_ALERT_*`` address set for a type the playbook has no target of
becomes a target for every notification. A target that cannot work (no chat id, no bot token,
no signing secret) stops the server at start-up with a message naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from server.alert_formats import BusinessInfo
from server.alert_targets import AlertSender, SignedWebhook, SlackWebhook, TelegramChat
from server.alerts import AlertWorker
from server.settings import Settings
from tools.clock import Clock
from tools.errors import ConfigError
from tools.notifications import NotificationKind
from tools.playbook import Playbook
from tools.playbook.alerts import (
    AlertTarget,
    SlackAlerts,
    TelegramAlerts,
    WebhookAlerts,
    is_chat_id,
    is_web_address,
)
from tools.staff_alerts import AlertRoute, StaffAlertStore


@dataclass(frozen=True)
class ConfiguredTarget:
    """A target ready to send, and what it receives."""

    route: AlertRoute
    sender: AlertSender


class _Problems(list[str]):
    """What is wrong with the targets, one line each."""

    def value(
        self,
        where: str,
        target: AlertTarget,
        fields: tuple[str | None, str],
        setting: tuple[str | SecretStr | None, str],
        environ: Mapping[str, str],
        *,
        what: str,
    ) -> str | None:
        """The first of: the inline field, the environment variable the env field names, the setting."""
        inline_field, env_field = fields
        inline = getattr(target, inline_field) if inline_field else None
        env = getattr(target, env_field)
        if inline:
            return str(inline)
        if env:
            found = environ.get(env, "").strip()
            if not found:
                self.append(f"{where}.{env_field}: the environment variable {env} is not set")
            return found or None
        value, setting_name = setting
        fallback = value.get_secret_value() if isinstance(value, SecretStr) else value
        if fallback and fallback.strip():
            return fallback.strip()
        named = f"{inline_field} or {env_field}" if inline_field else env_field
        self.append(f"{where}: no {what}; set {named} in the playbook, or {setting_name}")
        return None


def _targets(playbook: Playbook, settings: Settings) -> list[tuple[str, AlertTarget]]:
    listed: list[tuple[str, AlertTarget]] = [
        (f"notifications.targets[{i}]", target) for i, target in enumerate(playbook.notifications.targets)
    ]
    types = {target.type for _, target in listed}
    if "telegram" not in types and settings.alert_telegram_chat_id:
        listed.append(("FRONTDESK_ALERT_TELEGRAM_CHAT_ID", TelegramAlerts(type="telegram")))
    if "slack" not in types and settings.alert_slack_webhook_url is not None:
        listed.append(("FRONTDESK_ALERT_SLACK_WEBHOOK_URL", SlackAlerts(type="slack")))
    if "webhook" not in types and settings.alert_webhook_url:
        listed.append(("FRONTDESK_ALERT_WEBHOOK_URL", WebhookAlerts(type="webhook")))
    return listed


def configured_targets(
    playbook: Playbook,
    settings: Settings,
    client: httpx.AsyncClient,
    *,
    clock: Clock,
    environ: Mapping[str, str],
) -> list[ConfiguredTarget]:
    """Every staff-alert target, ready to send (ConfigError naming each field that is missing or wrong)."""
    problems = _Problems()
    configured: list[ConfiguredTarget] = []
    for where, target in _targets(playbook, settings):
        sender: AlertSender | None = None
        if isinstance(target, TelegramAlerts):
            chat = problems.value(
                where,
                target,
                ("chat_id", "chat_id_env"),
                (settings.alert_telegram_chat_id, "FRONTDESK_ALERT_TELEGRAM_CHAT_ID"),
                environ,
                what="chat id",
            )
            if chat is not None and not is_chat_id(chat):
                problems.append(
                    f"{where}: the chat id {chat!r} is not a Telegram chat id (-100… or @channel)"
                )
            elif settings.telegram_bot_token is None:
                problems.append(f"{where}: Telegram alerts use the bot; set FRONTDESK_TELEGRAM_BOT_TOKEN")
            elif chat is not None:
                token = settings.telegram_bot_token.get_secret_value()
                sender = TelegramChat(chat, settings.telegram_api_url, token, client, clock)
        elif isinstance(target, SlackAlerts):
            url = problems.value(
                where,
                target,
                ("webhook_url", "webhook_url_env"),
                (settings.alert_slack_webhook_url, "FRONTDESK_ALERT_SLACK_WEBHOOK_URL"),
                environ,
                what="webhook URL",
            )
            if url is not None and not is_web_address(url):
                problems.append(f"{where}: the Slack webhook URL is not an https:// address")
            elif url is not None:
                sender = SlackWebhook(url, client, clock)
        else:
            url = problems.value(
                where,
                target,
                ("url", "url_env"),
                (settings.alert_webhook_url, "FRONTDESK_ALERT_WEBHOOK_URL"),
                environ,
                what="URL",
            )
            secret = problems.value(
                where,
                target,
                (None, "secret_env"),
                (settings.alert_webhook_secret, "FRONTDESK_ALERT_WEBHOOK_SECRET"),
                environ,
                what="signing secret",
            )
            if url is not None and not is_web_address(url):
                problems.append(f"{where}: the webhook URL {url!r} is not an https:// address")
            elif url is not None and secret is not None:
                sender = SignedWebhook(url, secret, client, clock)
        if sender is not None:
            route = AlertRoute(
                target.target_id,
                frozenset(NotificationKind(kind) for kind in target.kinds),
                frozenset(target.recipients),
            )
            configured.append(ConfiguredTarget(route, sender))
    if problems:
        raise ConfigError("staff notifications are misconfigured:\n" + "\n".join(problems))
    return configured


def alert_worker(
    playbook: Playbook,
    settings: Settings,
    store: StaffAlertStore,
    client: httpx.AsyncClient,
    *,
    clock: Clock,
    environ: Mapping[str, str],
) -> AlertWorker:
    """The worker for the configured targets (with none, it only marks notifications dispatched)."""
    targets = configured_targets(playbook, settings, client, clock=clock, environ=environ)
    business = playbook.business
    return AlertWorker(
        store,
        tuple(target.route for target in targets),
        {target.route.target: target.sender for target in targets},
        BusinessInfo(business.id, business.name.get(business.default_language), business.default_language),
        console_url=settings.effective_public_url,
    )
