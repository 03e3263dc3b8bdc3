"""The staff-alert outbox on SQLite and PostgreSQL: dispatched once per target, claimed once, retried, dead-lettered."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.conftest import on_every_database
from tools.clock import FrozenClock
from tools.notifications import NewNotification, Notification, NotificationKind
from tools.sql import BusinessStores
from tools.staff_alerts import AlertRoute, AlertStatus

EVERYTHING = (AlertRoute("telegram"), AlertRoute("slack"))


async def _notify(
    stores: BusinessStores,
    key: str,
    kind: NotificationKind = NotificationKind.HOT_LEAD,
    recipient: str = "anna",
) -> Notification:
    return await stores.notifications.notify(
        NewNotification(
            kind, recipient, f"Hot lead {key}", "Wants a haircut today", "http://x/console/conversations/c1"
        ),
        key=key,
    )


@on_every_database
async def test_each_notification_is_dispatched_once_to_each_matching_target(stores: BusinessStores) -> None:
    first = await _notify(stores, "n1")
    await _notify(stores, "n2", NotificationKind.APPROVAL_PENDING, "team:sales")
    routes = (
        AlertRoute("telegram", kinds=frozenset({NotificationKind.HOT_LEAD})),
        AlertRoute("slack"),
        AlertRoute("sales-hook", recipients=frozenset({"team:sales"})),
    )
    assert await stores.staff_alerts.dispatch(routes) == 4
    assert await stores.staff_alerts.dispatch(routes) == 0, "already dispatched"
    alerts = await stores.staff_alerts.alerts()
    assert sorted((a.notification.title, a.target) for a in alerts) == [
        ("Hot lead n1", "slack"),
        ("Hot lead n1", "telegram"),
        ("Hot lead n2", "sales-hook"),
        ("Hot lead n2", "slack"),
    ]
    telegram = await stores.staff_alerts.alerts(target="telegram")
    assert [a.notification for a in telegram] == [first]
    assert {a.status for a in alerts} == {AlertStatus.PENDING} and {a.attempts for a in alerts} == {0}


@on_every_database
async def test_a_notification_nobody_wanted_is_not_sent_when_targets_are_added_later(
    stores: BusinessStores,
) -> None:
    await _notify(stores, "old")
    assert await stores.staff_alerts.dispatch(()) == 0
    await _notify(stores, "new")
    assert await stores.staff_alerts.dispatch(EVERYTHING) == 2
    assert {a.notification.title for a in await stores.staff_alerts.alerts()} == {"Hot lead new"}


@on_every_database
async def test_racing_dispatchers_create_each_alert_once(stores: BusinessStores) -> None:
    for number in range(6):
        await _notify(stores, f"n{number}")
    created = await asyncio.gather(*(stores.staff_alerts.dispatch(EVERYTHING, limit=4) for _ in range(3)))
    created_more = await stores.staff_alerts.dispatch(EVERYTHING)
    assert sum(created) + created_more == 12
    assert len(await stores.staff_alerts.alerts()) == 12


@on_every_database
async def test_a_claimed_alert_is_nobody_elses_until_its_lease_ends(
    stores: BusinessStores, clock: FrozenClock
) -> None:
    for number in range(5):
        await _notify(stores, f"n{number}")
    await stores.staff_alerts.dispatch(EVERYTHING)
    first, second = await asyncio.gather(
        stores.staff_alerts.claim("a", lease_s=60, limit=10),
        stores.staff_alerts.claim("b", lease_s=60, limit=10),
    )
    ids = [alert.id for alert in first + second]
    assert len(ids) == 10 and len(set(ids)) == 10, "no alert is claimed twice"
    assert await stores.staff_alerts.claim("c", lease_s=60) == []
    clock.advance(timedelta(seconds=61))
    again = await stores.staff_alerts.claim("c", lease_s=60, limit=50)
    assert len(again) == 10, "a worker that died mid-send gives its alerts back when the lease ends"


@on_every_database
async def test_retry_postpone_sent_and_dead_letter(stores: BusinessStores, clock: FrozenClock) -> None:
    await _notify(stores, "n1")
    await stores.staff_alerts.dispatch(EVERYTHING)
    telegram, slack = sorted(await stores.staff_alerts.claim("w", lease_s=60), key=lambda a: a.target)[::-1]
    retried = await stores.staff_alerts.retry(telegram.id, after_s=7, error="429 Too Many Requests")
    assert retried.attempts == 1 and retried.last_error == "429 Too Many Requests"
    assert retried.next_attempt_at == clock.now() + timedelta(seconds=7)
    postponed = await stores.staff_alerts.postpone(slack.id, after_s=7)
    assert postponed.attempts == 0, "waiting for a rate limit costs no try"
    clock.advance(timedelta(seconds=7))
    due = await stores.staff_alerts.claim("w", lease_s=60)
    assert {a.id for a in due} == {telegram.id, slack.id}
    sent = await stores.staff_alerts.sent(telegram.id, provider_response_id="42")
    assert sent.status is AlertStatus.SENT and sent.attempts == 2 and sent.provider_response_id == "42"
    dead = await stores.staff_alerts.dead_letter(slack.id, error="Slack: HTTP 404 channel_not_found")
    assert dead.status is AlertStatus.DEAD and dead.attempts == 1
    clock.advance(timedelta(hours=1))
    assert await stores.staff_alerts.claim("w", lease_s=60) == [], "sent and dead alerts are never claimed"
    assert [a.id for a in await stores.staff_alerts.alerts(status=AlertStatus.DEAD)] == [slack.id]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_reading_an_unknown_alert_says_so(stores: BusinessStores) -> None:
    from tools.errors import NotFound
    from tools.staff_alerts import StaffAlertId

    with pytest.raises(NotFound):
        await stores.staff_alerts.sent(StaffAlertId("sa_missing"), provider_response_id=None)
