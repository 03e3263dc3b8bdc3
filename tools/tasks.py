"""Handoff tasks for teams (operations, finance…) with a response deadline (SLA)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.ids import ContactId, TaskId


class TaskStatus(StrEnum):
    """The life of a task."""

    OPEN = "open"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class SlaState(StrEnum):
    """Whether a task is being handled in time."""

    ON_TRACK = "on_track"
    BREACHED = "breached"
    """Not accepted by its deadline."""
    MET = "met"
    """Accepted in time (or done)."""


@dataclass(frozen=True)
class NewTask:
    """What is needed to hand work to a team."""

    team: str
    title: str
    details: str
    accept_by: datetime
    """The SLA: someone must accept it by then."""
    due_at: datetime | None = None
    owner_id: str | None = None
    contact_id: ContactId | None = None
    reference: str | None = None
    """What it is about, e.g. ``invoice:inv_…`` or ``internal:partnership``."""


@dataclass(frozen=True)
class Task:
    """Work handed to a team."""

    id: TaskId
    team: str
    title: str
    details: str
    owner_id: str | None
    status: TaskStatus
    accept_by: datetime
    due_at: datetime | None
    accepted_at: datetime | None
    contact_id: ContactId | None
    reference: str | None
    created_at: datetime
    updated_at: datetime

    def sla(self, now: datetime) -> SlaState:
        """The SLA state at `now`."""
        if self.accepted_at is not None:
            return SlaState.MET if self.accepted_at <= self.accept_by else SlaState.BREACHED
        if self.status == TaskStatus.CANCELLED:
            return SlaState.MET
        return SlaState.BREACHED if now > self.accept_by else SlaState.ON_TRACK


class TaskStore(Protocol):
    """Tasks."""

    async def create_task(self, task: NewTask, *, key: str, actor: str = "system") -> Task:
        """Hand work to a team."""
        ...

    async def accept_task(self, task_id: TaskId, owner_id: str, *, key: str, actor: str = "system") -> Task:
        """Someone takes the task (Conflict unless it is open)."""
        ...

    async def set_task_status(
        self, task_id: TaskId, status: TaskStatus, *, key: str, actor: str = "system"
    ) -> Task:
        """Move a task on."""
        ...

    async def get_task(self, task_id: TaskId) -> Task:
        """Return a task (NotFound if none)."""
        ...

    async def list_tasks(self, *, team: str | None = None, status: TaskStatus | None = None) -> list[Task]:
        """Tasks by deadline."""
        ...

    async def unaccepted_past_deadline(self, now: datetime) -> list[Task]:
        """Open tasks whose acceptance deadline has passed."""
        ...
