"""Handing work from a conversation to a team: a task with an accept-by deadline, its SLA timer, and a notification."""

from __future__ import annotations

from datetime import datetime

from agents.base import Turn
from tools.ids import ContactId
from tools.notifications import NewNotification, NotificationKind
from tools.task_timers import task_sla_timer
from tools.tasks import NewTask, Task


async def hand_to_team(
    turn: Turn,
    *,
    team: str,
    title: str,
    details: str,
    accept_by: datetime,
    reference: str | None,
    notification: NotificationKind,
    actor: str,
) -> Task:
    """Create the task (once per turn), set its SLA timer and notify the team with a link to the conversation."""
    deps = turn.deps
    task = await deps.stores.tasks.create_task(
        NewTask(
            team,
            title,
            details,
            accept_by=accept_by,
            contact_id=ContactId(turn.contact_id),
            reference=reference,
        ),
        key=turn.key("task"),
        actor=actor,
    )
    sla_key, sla_timer = task_sla_timer(task)
    await deps.stores.timers.schedule(sla_timer, key=sla_key)
    await deps.stores.notifications.notify(
        NewNotification(
            notification,
            f"team:{team}",
            title,
            details,
            link=f"{deps.console_url}/console/conversations/{turn.conversation_id}?task={task.id}",
        ),
        key=turn.key("notify"),
        actor=actor,
    )
    return task
