"""Tasks on SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.errors import Conflict, NotFound
from tools.ids import ContactId, TaskId, new_id
from tools.sql._unit import Change, SqlBase, fingerprint
from tools.sql.engine import reading
from tools.sql.schema import tasks
from tools.tasks import NewTask, Task, TaskStatus

_TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.ACCEPTED, TaskStatus.CANCELLED}),
    TaskStatus.ACCEPTED: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.DONE: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}


def _task(row: Row[Any]) -> Task:
    return Task(
        id=TaskId(row.id),
        team=row.team,
        title=row.title,
        details=row.details,
        owner_id=row.owner_id,
        status=TaskStatus(row.status),
        accept_by=row.accept_by,
        due_at=row.due_at,
        accepted_at=row.accepted_at,
        contact_id=ContactId(row.contact_id) if row.contact_id else None,
        reference=row.reference,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlTasks(SqlBase):
    """`TaskStore` on SQLite or PostgreSQL."""

    async def create_task(self, task: NewTask, *, key: str, actor: str = "system") -> Task:
        """Hand work to a team."""

        async def work(connection: AsyncConnection) -> str:
            contact_id = (await self._live_row(connection, task.contact_id)).id if task.contact_id else None
            now = self._clock.now()
            task_id = new_id("ts")
            await connection.execute(
                insert(tasks).values(
                    id=task_id,
                    team=task.team,
                    title=task.title,
                    details=task.details,
                    owner_id=task.owner_id,
                    status=TaskStatus.OPEN.value,
                    accept_by=task.accept_by,
                    due_at=task.due_at,
                    contact_id=contact_id,
                    reference=task.reference,
                    created_at=now,
                    updated_at=now,
                )
            )
            await self.record(
                connection,
                Change("task.created", "task", task_id, f"{task.team}: {task.title}"),
                actor=actor,
                key=key,
                contact_id=contact_id,
            )
            return task_id

        return await self.write(
            key=key,
            operation="create_task",
            request=fingerprint(task),
            work=work,
            load=lambda tid: self.get_task(TaskId(tid)),
        )

    async def _change(
        self,
        task_id: TaskId,
        status: TaskStatus,
        *,
        key: str,
        actor: str,
        operation: str,
        owner_id: str | None = None,
    ) -> Task:
        async def work(connection: AsyncConnection) -> str:
            row = await self._row(connection, task_id, lock=True)
            current = TaskStatus(row.status)
            if status not in _TASK_TRANSITIONS[current]:
                raise Conflict(f"task {task_id} is {current.value}; it cannot become {status.value}")
            now = self._clock.now()
            values: dict[str, object] = {"status": status.value, "updated_at": now}
            if status == TaskStatus.ACCEPTED:
                values["accepted_at"] = now
                values["owner_id"] = owner_id
            await connection.execute(update(tasks).where(tasks.c.id == task_id).values(**values))
            await self.record(
                connection,
                Change(
                    f"task.{status.value}",
                    "task",
                    task_id,
                    f"{current.value} → {status.value}" + (f" by {owner_id}" if owner_id else ""),
                ),
                actor=actor,
                key=key,
                contact_id=row.contact_id,
            )
            return str(task_id)

        return await self.write(
            key=key,
            operation=operation,
            request=fingerprint(task_id, status, owner_id),
            work=work,
            load=lambda tid: self.get_task(TaskId(tid)),
        )

    async def accept_task(self, task_id: TaskId, owner_id: str, *, key: str, actor: str = "system") -> Task:
        """Someone takes the task (Conflict unless it is open)."""
        return await self._change(
            task_id, TaskStatus.ACCEPTED, key=key, actor=actor, operation="accept_task", owner_id=owner_id
        )

    async def set_task_status(
        self, task_id: TaskId, status: TaskStatus, *, key: str, actor: str = "system"
    ) -> Task:
        """Move a task on."""
        return await self._change(task_id, status, key=key, actor=actor, operation="task_status")

    async def _row(self, connection: AsyncConnection, task_id: str, *, lock: bool = False) -> Row[Any]:
        query = select(tasks).where(tasks.c.id == task_id)
        row = (await connection.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            raise NotFound(f"no task {task_id!r}")
        return row

    async def get_task(self, task_id: TaskId) -> Task:
        """Return a task (NotFound if none)."""
        async with reading(self._engine) as connection:
            return _task(await self._row(connection, task_id))

    async def list_tasks(self, *, team: str | None = None, status: TaskStatus | None = None) -> list[Task]:
        """Tasks by deadline."""
        query = select(tasks).order_by(tasks.c.accept_by, tasks.c.id)
        if team is not None:
            query = query.where(tasks.c.team == team)
        if status is not None:
            query = query.where(tasks.c.status == status.value)
        async with reading(self._engine) as connection:
            return [_task(row) for row in (await connection.execute(query)).all()]

    async def unaccepted_past_deadline(self, now: datetime) -> list[Task]:
        """Open tasks whose acceptance deadline has passed."""
        query = (
            select(tasks)
            .where(tasks.c.status == TaskStatus.OPEN.value, tasks.c.accept_by < now)
            .order_by(tasks.c.accept_by, tasks.c.id)
        )
        async with reading(self._engine) as connection:
            return [_task(row) for row in (await connection.execute(query)).all()]
