"""Handoff tasks with SLA timers: a task nobody accepted in time goes to the team's manager, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.proactive.flows import FLOWS
from server.assembly import Frontdesk
from server.timer_worker import TimerWorker
from tests.conftest import DATABASES
from tests.dialogues.conftest import Chat
from tools.clock import FrozenClock
from tools.ids import TaskId
from tools.notifications import NotificationKind
from tools.task_timers import TASK_SLA
from tools.timers import TimerStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def _partnership_task(studio: Frontdesk) -> TaskId:
    chat = Chat(studio)
    await chat.say("Здравствуйте! Хотим предложить сотрудничество, мы производим косметику")
    for answer in [
        "ООО Ромашка",
        "Мария Петрова",
        "maria@romashka.ru",
        "Поставки уходовой косметики для салона",
    ]:
        await chat.say(answer)
    [task] = await studio.stores.tasks.list_tasks()
    return task.id


async def test_a_task_not_accepted_in_time_goes_to_the_manager_once(
    studio: Frontdesk, clock: FrozenClock
) -> None:
    task_id = await _partnership_task(studio)
    task = await studio.stores.tasks.get_task(task_id)
    [timer] = await studio.stores.timers.timers(group=f"task:{task_id}")
    assert timer.kind == TASK_SLA and timer.due_at == task.accept_by
    worker = TimerWorker(studio.deps, FLOWS, owner="w1")

    clock.set(task.accept_by - timedelta(seconds=1))
    await worker.run_once()
    assert not [
        n
        for n in await studio.stores.notifications.list_notifications()
        if n.kind is NotificationKind.SLA_BREACH
    ]
    clock.set(task.accept_by + timedelta(seconds=1))
    await worker.run_once()
    await worker.run_once()
    [breach] = [
        n
        for n in await studio.stores.notifications.list_notifications()
        if n.kind is NotificationKind.SLA_BREACH
    ]
    manager = studio.playbook.internal_routing.teams[task.team].manager  # type: ignore[index]
    assert breach.recipient == f"staff:{manager}" and task_id in breach.body
    assert breach.link is not None and "/console/work" in breach.link
    [done] = await studio.stores.timers.timers(group=f"task:{task_id}")
    assert done.status is TimerStatus.DONE and transcript_untouched(done.outcome)


def transcript_untouched(outcome: str | None) -> bool:
    """A staff-only step: it says so, and no message to the customer was recorded."""
    return outcome is not None and "told" in outcome


async def test_a_task_accepted_in_time_raises_nothing(studio: Frontdesk, clock: FrozenClock) -> None:
    task_id = await _partnership_task(studio)
    task = await studio.stores.tasks.get_task(task_id)
    await studio.stores.tasks.accept_task(task.id, "olga", key="accept")
    clock.set(task.accept_by + timedelta(minutes=5))
    await TimerWorker(studio.deps, FLOWS, owner="w1").run_once()
    assert not [
        n
        for n in await studio.stores.notifications.list_notifications()
        if n.kind is NotificationKind.SLA_BREACH
    ]
    [timer] = await studio.stores.timers.timers(group=f"task:{task_id}")
    assert timer.status is TimerStatus.DROPPED and "accepted in time" in (timer.outcome or "")
