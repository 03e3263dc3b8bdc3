"""Staff alerts over real HTTP: a hot lead reaches a Telegram chat, a Slack webhook and a signed webhook.

The worker runs against local fakes of the Bot API, a Slack incoming webhook and a receiver,
with a frozen clock; retries are driven by advancing it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest

from server.alert_config import alert_worker
from server.alert_formats import AlertMessage
from server.alerts import AlertWorker
from server.delivery import HOLD_MARGIN_S, MAX_SEND_ATTEMPTS, SendOutcome, Sent
from server.settings import Settings
from tests.conftest import on_every_database
from tests.fakes.hooks import FakeHooks
from tests.fakes.providers import FakeProviders
from tools.clock import FrozenClock
from tools.notifications import NewNotification, NotificationKind
from tools.playbook import Playbook
from tools.playbook.alerts import StaffAlerts
from tools.sql import BusinessStores
from tools.staff_alerts import AlertStatus

CONVERSATION_LINK = "http://desk.example/console/conversations/telegram:100"
SECRET = "whsec-test-0123456789"
ONE_TELEGRAM_CHAT: list[dict[str, object]] = [{"type": "telegram", "chat_id": "-100777"}]
"""Alert targets: one staff group on Telegram."""


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    with FakeProviders() as fake:
        yield fake


@pytest.fixture
def hooks() -> Iterator[FakeHooks]:
    with FakeHooks() as fake:
        yield fake


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as http:
        yield http


def _worker(
    playbook: Playbook,
    stores: BusinessStores,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    providers: FakeProviders,
    hooks: FakeHooks,
    targets: list[dict[str, object]] | None = None,
) -> AlertWorker:
    configured = playbook.model_copy(
        update={
            "notifications": StaffAlerts.model_validate(
                {
                    "targets": targets
                    or [
                        {"type": "telegram", "chat_id": "-1001234567890"},
                        {"type": "slack", "webhook_url_env": "SLACK_WEBHOOK_URL"},
                        {"type": "webhook", "url": hooks.webhook_url, "secret_env": "ALERT_SECRET"},
                    ]
                }
            )
        }
    )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=providers.telegram_token,
        telegram_api_url=providers.telegram_url,
        public_url="http://desk.example",
    )
    environ = {"SLACK_WEBHOOK_URL": hooks.slack_url, "ALERT_SECRET": SECRET}
    return alert_worker(configured, settings, stores.staff_alerts, client, clock=clock, environ=environ)


async def _hot_lead(stores: BusinessStores, key: str = "lead-1") -> None:
    await stores.notifications.notify(
        NewNotification(
            NotificationKind.HOT_LEAD,
            "anna",
            "Hot lead: Maria <VIP> & co",
            "Wants balayage on Saturday, budget 9000 ₽",
            link=CONVERSATION_LINK,
        ),
        key=key,
    )


def _verify_like_a_receiver(raw: bytes, headers: dict[str, str], now: float) -> bool:
    """What docs/notifications.md tells a receiver to do, written out independently."""
    timestamp = headers["x-frontdesk-timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    fresh = abs(now - int(timestamp)) <= 300
    return fresh and hmac.compare_digest(headers["x-frontdesk-signature"], f"sha256={expected}")


@on_every_database
async def test_a_hot_lead_reaches_telegram_slack_and_a_signed_webhook(
    minimal_playbook: Playbook,
    stores: BusinessStores,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    providers: FakeProviders,
    hooks: FakeHooks,
) -> None:
    await _hot_lead(stores)
    worker = _worker(minimal_playbook, stores, client, clock, providers, hooks)
    assert await worker.run_once() == 3
    assert await worker.run_once() == 0, "each alert is sent once"

    [telegram] = providers.calls_to("telegram", accepted_only=True)
    assert telegram.body["chat_id"] == -1001234567890 and telegram.body["parse_mode"] == "HTML"
    text = telegram.body["text"]
    assert "<b>Hot lead: Maria &lt;VIP&gt; &amp; co</b>" in text and "balayage" in text
    assert f'<a href="{CONVERSATION_LINK}">' in text

    [slack] = hooks.calls_to("slack", accepted_only=True)
    assert slack.body["text"].startswith("Hot lead: Maria &lt;VIP&gt; &amp; co · ")
    blocks = json.dumps(slack.body["blocks"], ensure_ascii=False)
    assert "Maria &lt;VIP&gt; &amp; co" in blocks and f"<{CONVERSATION_LINK}|" in blocks

    [webhook] = hooks.calls_to("webhook", accepted_only=True)
    assert _verify_like_a_receiver(
        webhook.request.raw, dict(webhook.request.headers), clock.now().timestamp()
    )
    assert not _verify_like_a_receiver(
        webhook.request.raw + b" ", dict(webhook.request.headers), clock.now().timestamp()
    ), "a changed body fails the check"
    assert not _verify_like_a_receiver(
        webhook.request.raw, dict(webhook.request.headers), clock.now().timestamp() + 301
    ), "an old request is refused"
    payload = webhook.body
    assert payload["kind"] == "hot_lead" and payload["link"] == CONVERSATION_LINK
    assert payload["title"] == "Hot lead: Maria <VIP> & co" and payload["business"]["id"]
    assert webhook.request.headers["x-frontdesk-alert-id"] == payload["alert_id"]

    sent = await stores.staff_alerts.alerts(status=AlertStatus.SENT)
    assert {alert.target for alert in sent} == {"telegram", "slack", "webhook"}
    assert next(a for a in sent if a.target == "telegram").provider_response_id is not None


async def test_telegram_flood_control_is_waited_out_and_the_chat_gets_one_message(
    minimal_playbook: Playbook,
    stores: BusinessStores,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    providers: FakeProviders,
    hooks: FakeHooks,
) -> None:
    targets = ONE_TELEGRAM_CHAT
    worker = _worker(minimal_playbook, stores, client, clock, providers, hooks, targets)
    await _hot_lead(stores, "one")
    await _hot_lead(stores, "two")
    providers.fail_next("telegram", status=429, retry_after=5)
    assert await worker.run_once() == 2
    clock.advance(timedelta(seconds=4))
    assert await worker.run_once() == 0, "not before retry_after"
    clock.advance(timedelta(seconds=1))
    assert await worker.run_once() == 2
    assert len(providers.calls_to("telegram")) == 3, "the second alert waited without knocking"
    assert len(providers.texts("telegram")) == 2
    attempts = sorted(alert.attempts for alert in await stores.staff_alerts.alerts(status=AlertStatus.SENT))
    assert attempts == [1, 2]


async def test_a_slack_outage_is_retried_then_dead_lettered_without_a_loop(
    minimal_playbook: Playbook,
    stores: BusinessStores,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    providers: FakeProviders,
    hooks: FakeHooks,
) -> None:
    targets: list[dict[str, object]] = [{"type": "slack", "webhook_url_env": "SLACK_WEBHOOK_URL"}]
    worker = _worker(minimal_playbook, stores, client, clock, providers, hooks, targets)
    await _hot_lead(stores)
    hooks.fail_next("slack", MAX_SEND_ATTEMPTS + 3, status=500)
    for _ in range(MAX_SEND_ATTEMPTS + 3):
        await worker.run_once()
        clock.advance(timedelta(minutes=11))
    assert len(hooks.calls_to("slack")) == MAX_SEND_ATTEMPTS
    [dead] = await stores.staff_alerts.alerts(status=AlertStatus.DEAD)
    assert dead.attempts == MAX_SEND_ATTEMPTS and "rollup_error" in (dead.last_error or "")
    assert hooks.slack_url not in (dead.last_error or "")
    notices = await stores.notifications.list_notifications()
    assert [n.kind for n in notices] == [NotificationKind.HOT_LEAD], "a dead alert raises no notification"
    assert len(await stores.staff_alerts.alerts()) == 1


async def test_a_deleted_slack_channel_is_dead_at_once(
    minimal_playbook: Playbook,
    stores: BusinessStores,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    providers: FakeProviders,
    hooks: FakeHooks,
) -> None:
    targets: list[dict[str, object]] = [{"type": "slack", "webhook_url_env": "SLACK_WEBHOOK_URL"}]
    worker = _worker(minimal_playbook, stores, client, clock, providers, hooks, targets)
    await _hot_lead(stores)
    hooks.fail_next("slack", status=404)
    await worker.run_once()
    [dead] = await stores.staff_alerts.alerts(status=AlertStatus.DEAD)
    assert "channel_not_found" in (dead.last_error or "") and "new incoming webhook" in (
        dead.last_error or ""
    )


async def test_the_kinds_filter_picks_what_each_target_receives(
    minimal_playbook: Playbook,
    stores: BusinessStores,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    providers: FakeProviders,
    hooks: FakeHooks,
) -> None:
    targets: list[dict[str, object]] = [
        {"type": "telegram", "chat_id": "@shop_alerts", "kinds": ["hot_lead"]},
        {
            "type": "slack",
            "webhook_url_env": "SLACK_WEBHOOK_URL",
            "kinds": ["approval_pending", "failed_send"],
        },
    ]
    worker = _worker(minimal_playbook, stores, client, clock, providers, hooks, targets)
    await _hot_lead(stores)
    await stores.notifications.notify(
        NewNotification(
            NotificationKind.APPROVAL_PENDING, "team:sales", "Waiting for approval: discount", "10% off"
        ),
        key="approval",
    )
    assert await worker.run_once() == 2
    [telegram] = providers.calls_to("telegram", accepted_only=True)
    assert telegram.body["chat_id"] == "@shop_alerts" and "Hot lead" in telegram.body["text"]
    [slack] = hooks.calls_to("slack", accepted_only=True)
    assert "Waiting for approval" in slack.body["text"]
    assert "http://desk.example/console" in json.dumps(slack.body["blocks"]), "no link: the console"


@on_every_database
async def test_a_crash_between_notify_and_dispatch_still_alerts_once(
    minimal_playbook: Playbook,
    stores: BusinessStores,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    providers: FakeProviders,
    hooks: FakeHooks,
) -> None:
    targets = ONE_TELEGRAM_CHAT
    await _hot_lead(stores)  # stored while no worker ran ("the process died right after")
    first = _worker(minimal_playbook, stores, client, clock, providers, hooks, targets)
    await stores.staff_alerts.dispatch(first.routes)
    claimed = await stores.staff_alerts.claim(first.owner, lease_s=first.lease_s)
    assert len(claimed) == 1  # claimed, then this worker died before sending
    restarted = _worker(minimal_playbook, stores, client, clock, providers, hooks, targets)
    assert await restarted.run_once() == 0, "the claim holds until its lease ends"
    clock.advance(timedelta(seconds=first.lease_s + 1))
    assert await restarted.run_once() == 1
    assert await restarted.run_once() == 0
    assert len(providers.texts("telegram")) == 1


class SlowTarget:
    """A target that takes `delay_s` to answer each alert and records the titles it got."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.titles: list[str] = []

    async def send(self, message: AlertMessage) -> SendOutcome:
        await asyncio.sleep(self.delay_s)
        self.titles.append(message.title)
        return Sent("ok")


@on_every_database
async def test_a_slow_target_never_gets_an_alert_after_the_lease_ran_short(
    minimal_playbook: Playbook,
    stores: BusinessStores,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    providers: FakeProviders,
    hooks: FakeHooks,
) -> None:
    """Alerts the lease no longer covers wait for its end; a send that hangs is cut off and retried."""
    targets = ONE_TELEGRAM_CHAT
    configured = _worker(minimal_playbook, stores, client, clock, providers, hooks, targets)
    [target] = configured.senders
    slow = SlowTarget(0.3)
    worker = dataclasses.replace(
        configured, senders={target: slow}, send_budget_s=0.5, lease_s=HOLD_MARGIN_S + 1.0
    )
    for number in range(4):
        await _hot_lead(stores, key=f"lead-{number}")
    assert await worker.run_once() == 4
    assert len(slow.titles) == 2, "sends start only in the lease's first 0.5 s"
    assert await worker.run_once() == 0, "the other two stay this worker's until the lease ends"
    clock.advance(timedelta(seconds=worker.lease_s + 1))
    assert await worker.run_once() == 2 and len(slow.titles) == 4
    slow.delay_s = 5.0
    await _hot_lead(stores, key="lead-hung")
    assert await worker.run_once() == 1
    [late] = [a for a in await stores.staff_alerts.alerts() if a.status is AlertStatus.PENDING]
    assert late.attempts == 1 and "longer than 0.5 s" in (late.last_error or "")
