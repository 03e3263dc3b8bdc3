"""Where staff notifications are sent: a Telegram chat, a Slack incoming webhook, a signed webhook.

Secrets are not kept in the playbook: each address or secret may be named by an environment
variable (``*_env``), and the server falls back to its ``FRONTDESK_ALERT_*`` settings. Which
values are actually set is checked when the server starts, not here.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from tools.playbook._types import PlaybookModel, Slug

AlertKind = Literal[
    "hot_lead", "approval_pending", "escalation", "internal_request", "failed_send", "sla_breach", "task"
]
"""A kind of staff notification (the values of `tools.notifications.NotificationKind`)."""

_ENV = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")
_CHAT = re.compile(r"^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$")


def _env_name(value: Any) -> str:
    if not isinstance(value, str) or not _ENV.match(value):
        raise PydanticCustomError(
            "env_name", "must be the name of an environment variable, such as SLACK_WEBHOOK_URL"
        )
    return value


def _url(value: Any) -> str:
    if not isinstance(value, str) or not _URL.match(value.strip()):
        raise PydanticCustomError("url", "must be a web address starting with https://")
    return value.strip()


def _chat_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _CHAT.match(value.strip()):
        raise PydanticCustomError(
            "chat_id",
            'must be a Telegram chat id such as "-1001234567890" or a channel name such as "@shop_alerts"',
        )
    return value.strip()


EnvName = Annotated[
    str, BeforeValidator(_env_name), WithJsonSchema({"type": "string", "pattern": _ENV.pattern})
]
"""The name of an environment variable that holds a value (``SLACK_WEBHOOK_URL``)."""

WebAddress = Annotated[
    str, BeforeValidator(_url), WithJsonSchema({"type": "string", "pattern": _URL.pattern})
]
"""An ``https://`` (or ``http://``) address."""

ChatId = Annotated[
    str,
    BeforeValidator(_chat_id),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string", "pattern": _CHAT.pattern}]}),
]
"""A Telegram chat id (``-100…`` for groups and channels) or ``@channelname``."""


class _Target(PlaybookModel):
    id: Slug | None = None
    """A name for this target, unique among the targets; defaults to its type."""
    kinds: list[AlertKind] = Field(default_factory=list)
    """Only these kinds of notification; empty for all."""
    recipients: list[str] = Field(default_factory=list)
    """Only notifications for these staff ids or ``team:NAME``; empty for all."""

    @property
    def target_id(self) -> str:
        """The id, or the type when none is given."""
        return self.id or str(getattr(self, "type"))


class TelegramAlerts(_Target):
    """A Telegram chat (a group, a channel or a person) the server's bot writes to."""

    type: Literal["telegram"]
    """``telegram``."""
    chat_id: ChatId | None = None
    """The chat; empty for the value of `chat_id_env` or ``FRONTDESK_ALERT_TELEGRAM_CHAT_ID``."""
    chat_id_env: EnvName | None = None
    """An environment variable that holds the chat id."""


class SlackAlerts(_Target):
    """A Slack incoming webhook (it posts into the channel it was created for)."""

    type: Literal["slack"]
    """``slack``."""
    webhook_url: WebAddress | None = None
    """The webhook URL; better kept in `webhook_url_env` or ``FRONTDESK_ALERT_SLACK_WEBHOOK_URL``."""
    webhook_url_env: EnvName | None = None
    """An environment variable that holds the webhook URL."""


class WebhookAlerts(_Target):
    """Any HTTPS endpoint: a JSON body signed with HMAC-SHA256."""

    type: Literal["webhook"]
    """``webhook``."""
    url: WebAddress | None = None
    """Where to POST; empty for the value of `url_env` or ``FRONTDESK_ALERT_WEBHOOK_URL``."""
    url_env: EnvName | None = None
    """An environment variable that holds the URL."""
    secret_env: EnvName | None = None
    """An environment variable that holds the signing secret; else ``FRONTDESK_ALERT_WEBHOOK_SECRET``."""


AlertTarget = Annotated[TelegramAlerts | SlackAlerts | WebhookAlerts, Discriminator("type")]
"""One place staff notifications go."""


class StaffAlerts(PlaybookModel):
    """Where staff notifications are sent, besides the console."""

    targets: list[AlertTarget] = Field(default_factory=list)
    """Telegram chats, Slack webhooks and signed webhooks; none by default."""


def is_chat_id(value: str) -> bool:
    """Whether `value` is a Telegram chat id or ``@channelname`` (for values read from the environment)."""
    return bool(_CHAT.match(value.strip()))


def is_web_address(value: str) -> bool:
    """Whether `value` is an ``http(s)://`` address (for values read from the environment)."""
    return bool(_URL.match(value.strip()))
