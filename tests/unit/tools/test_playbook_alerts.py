"""The playbook's ``notifications`` section: targets load, and each mistake names its field."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from tools.notifications import NotificationKind
from tools.playbook import PlaybookInvalid, parse_playbook
from tools.playbook.alerts import AlertKind, SlackAlerts, TelegramAlerts, WebhookAlerts

ROOT = Path(__file__).resolve().parents[3]
MINIMAL = (ROOT / "tests/fixtures/minimal_playbook.yaml").read_text(encoding="utf-8")


def _problems(section: str) -> list[str]:
    with pytest.raises(PlaybookInvalid) as caught:
        parse_playbook(MINIMAL + section, source="broken.yaml")
    return [line.removeprefix("broken.yaml: ") for line in str(caught.value).splitlines()]


def test_the_kinds_are_the_notification_kinds() -> None:
    assert set(typing.get_args(AlertKind)) == {kind.value for kind in NotificationKind}


def test_no_section_means_no_targets() -> None:
    assert parse_playbook(MINIMAL).notifications.targets == []


def test_a_section_with_every_kind_of_target_loads() -> None:
    playbook = parse_playbook(
        MINIMAL
        + """notifications:
  targets:
    - type: telegram
      chat_id: -1001234567890
      kinds: [hot_lead, escalation]
    - type: telegram
      id: managers
      chat_id_env: MANAGERS_CHAT
      recipients: [anna, team:sales]
    - type: slack
      webhook_url_env: SLACK_WEBHOOK_URL
    - type: webhook
      url: https://crm.example/frontdesk
      secret_env: CRM_WEBHOOK_SECRET
"""
    )
    first, managers, slack, hook = playbook.notifications.targets
    assert isinstance(first, TelegramAlerts) and first.chat_id == "-1001234567890"
    assert first.target_id == "telegram" and managers.target_id == "managers"
    assert isinstance(slack, SlackAlerts) and slack.webhook_url_env == "SLACK_WEBHOOK_URL"
    assert isinstance(hook, WebhookAlerts) and hook.secret_env == "CRM_WEBHOOK_SECRET"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "- type: telegramm\n      chat_id: '-100'",
            'notifications.targets[0].type: must be one of: telegram, slack, webhook, got "telegramm" (line 84)',
        ),
        ("- chat_id: '-100'", "notifications.targets[0].type: is required (line 84)"),
        (
            "- type: telegram\n      chat_id: sales team",
            'notifications.targets[0].chat_id: must be a Telegram chat id such as "-1001234567890" or a channel '
            'name such as "@shop_alerts", got "sales team" (line 85)',
        ),
        (
            "- type: slack\n      webhook_url_env: slack-url",
            "notifications.targets[0].webhook_url_env: must be the name of an environment variable, such as "
            'SLACK_WEBHOOK_URL, got "slack-url" (line 85)',
        ),
        (
            "- type: webhook\n      url: ftp://crm.example",
            'notifications.targets[0].url: must be a web address starting with https://, got "ftp://crm.example" '
            "(line 85)",
        ),
        (
            "- type: slack\n      kinds: [hot_leads]",
            "notifications.targets[0].kinds[0]: must be one of: hot_lead, approval_pending, escalation, "
            'internal_request, failed_send, sla_breach or task, got "hot_leads" (line 85)',
        ),
        (
            "- type: slack\n      webhook: https://hooks.slack.com/x",
            "notifications.targets[0].webhook: is not a known field; did you mean webhook_url? (line 85)",
        ),
        (
            "- type: webhook\n      secret: abc",
            "notifications.targets[0].secret: is not a known field; did you mean secret_env? (line 85)",
        ),
    ],
)
def test_a_wrong_field_is_named(target: str, expected: str) -> None:
    assert _problems(f"notifications:\n  targets:\n    {target}\n") == [expected]


def test_cross_checks_name_the_field() -> None:
    problems = _problems(
        """notifications:
  targets:
    - type: telegram
      chat_id: "-100"
      chat_id_env: CHAT
    - type: telegram
      recipients: [anna, olga, team:kitchen]
"""
    )
    assert problems == [
        "notifications.targets[0].chat_id_env: give chat_id or chat_id_env, not both (line 86)",
        "notifications.targets[1].id: the target id 'telegram' is already used by notifications.targets[0]; "
        "give each target its own id (line 87)",
        "notifications.targets[1].recipients[1]: unknown recipient 'olga'; use a staff id (anna, boris) or one "
        "of team:finance, team:hr, team:sales, team:support, team:operations, team:marketing (line 88)",
        "notifications.targets[1].recipients[2]: unknown recipient 'team:kitchen'; use a staff id (anna, boris) "
        "or one of team:finance, team:hr, team:sales, team:support, team:operations, team:marketing (line 88)",
    ]
