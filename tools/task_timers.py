"""The timer a handoff task sets: not accepted by its deadline → the team's manager is told."""

from __future__ import annotations

from tools.tasks import Task
from tools.timers import NewTimer

TASK_SLA = "task_sla"


def task_sla_timer(task: Task) -> tuple[str, NewTimer]:
    """(idempotency key, timer) for `task`'s accept-by deadline."""
    group = f"task:{task.id}"
    timer = NewTimer(
        kind=TASK_SLA,
        due_at=task.accept_by,
        group=group,
        subject=group,
        contact_id=task.contact_id,
        data={"task": task.id},
    )
    return f"{TASK_SLA}:{task.id}", timer
