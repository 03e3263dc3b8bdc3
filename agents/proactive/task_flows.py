"""Handoff tasks (sales → operations → finance) that nobody accepted in time: the team's manager is told."""

from __future__ import annotations

from agents.context import RunDeps
from agents.proactive.rules import Drop, Handled
from tools.ids import TaskId
from tools.notifications import NewNotification, NotificationKind
from tools.tasks import TaskStatus
from tools.timers import Timer


async def task_sla(deps: RunDeps, timer: Timer) -> Drop | Handled:
    """At the accept-by time: an open, unaccepted task goes to the manager (staff only; the customer hears nothing)."""
    task = await deps.stores.tasks.get_task(TaskId(timer.data["task"]))
    if task.accepted_at is not None or task.status is not TaskStatus.OPEN:
        return Drop(f"accepted in time ({task.status.value})")
    team = deps.playbook.internal_routing.teams.get(task.team)  # type: ignore[call-overload]
    manager = team.manager if team is not None else None
    recipient = f"staff:{manager}" if manager else f"team:{task.team}"
    await deps.stores.notifications.notify(
        NewNotification(
            NotificationKind.SLA_BREACH,
            recipient,
            f"Not accepted in time: {task.title}",
            f"Team {task.team} had until {task.accept_by:%Y-%m-%d %H:%M} UTC to accept task {task.id}. {task.details[:300]}",
            link=f"{deps.console_url}/console/work?team={task.team}",
        ),
        key=f"timer:{timer.id}:notify",
    )
    return Handled(f"not accepted in time: {recipient} told")
