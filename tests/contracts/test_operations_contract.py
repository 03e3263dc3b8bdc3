"""Orders, tickets, tasks and notifications, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import DATABASES
from tools.clock import FrozenClock
from tools.errors import Conflict
from tools.notifications import NewNotification, NotificationKind
from tools.orders import Delivery, NewOrder, OrderItem, OrderStatus
from tools.sql import BusinessStores
from tools.tasks import NewTask, SlaState, TaskStatus
from tools.tickets import NewTicket, TicketPriority, TicketStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def _order(stores: BusinessStores, number: str = "LM-10001", key: str = "o1"):
    contact = await stores.crm.contact_for_identity("instagram", "ig", key="c")
    return await stores.orders.create_order(
        NewOrder(
            number,
            contact.id,
            [OrderItem("shampoo", "Shampoo", 2, 149000), OrderItem("mask", "Mask", 1, 99000)],
            "RUB",
            Delivery("courier", "Moscow, Tverskaya 1"),
            email="olga@example.com",
            phone="+79160000000",
        ),
        key=key,
    )


async def test_an_order_totals_items_and_starts_its_history(stores: BusinessStores) -> None:
    order = await _order(stores)
    assert order.total_minor == 397000
    assert order.status is OrderStatus.PLACED
    assert [h.status for h in order.history] == [OrderStatus.PLACED]
    assert (await stores.orders.order_by_number("LM-10001")) == order
    assert await stores.orders.order_by_number("LM-99999") is None


async def test_order_numbers_are_unique(stores: BusinessStores) -> None:
    await _order(stores)
    with pytest.raises(Conflict, match="already exists"):
        await _order(stores, key="o2")


async def test_status_changes_follow_the_allowed_path_and_are_kept(stores: BusinessStores) -> None:
    order = await _order(stores)
    for step, status in enumerate([OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.SHIPPED]):
        await stores.orders.set_order_status(order.id, status, key=f"s{step}", actor="staff:olga")
    with pytest.raises(Conflict):
        await stores.orders.set_order_status(order.id, OrderStatus.REFUNDED, key="bad")
    tracked = await stores.orders.update_delivery(
        order.id, Delivery("courier", "Moscow", tracking_number="CDEK123", carrier="CDEK"), key="d"
    )
    assert tracked.delivery.tracking_number == "CDEK123"
    assert [h.status.value for h in tracked.history] == ["placed", "paid", "packed", "shipped"]
    assert tracked.history[-1].actor == "staff:olga"


async def test_tickets_carry_context_and_change_status(stores: BusinessStores) -> None:
    contact = await stores.crm.contact_for_identity("telegram", "t", key="c")
    ticket = await stores.tickets.open_ticket(
        NewTicket(
            contact.id,
            "return",
            "Return a mask",
            "Customer: the mask caused redness\nOrder LM-10001",
            priority=TicketPriority.HIGH,
            conversation_id="telegram:t",
            order_number="LM-10001",
        ),
        key="t1",
    )
    assert ticket.status is TicketStatus.NEW
    assigned = await stores.tickets.update_ticket(ticket.id, key="t2", assignee="olga", actor="staff:olga")
    assert assigned.status is TicketStatus.ASSIGNED and assigned.assignee == "olga"
    resolved = await stores.tickets.update_ticket(
        ticket.id, key="t3", status=TicketStatus.RESOLVED, outcome="resolved_by_staff"
    )
    assert resolved.outcome == "resolved_by_staff"
    assert [t.id for t in await stores.tickets.list_tickets(status=TicketStatus.RESOLVED)] == [ticket.id]


async def test_tasks_track_their_acceptance_deadline(stores: BusinessStores, clock: FrozenClock) -> None:
    deadline = clock.now() + timedelta(hours=4)
    task = await stores.tasks.create_task(
        NewTask("operations", "Start renovation RM-0042", "Paid invoice inv_1", accept_by=deadline), key="k1"
    )
    assert task.sla(clock.now()) is SlaState.ON_TRACK
    assert await stores.tasks.unaccepted_past_deadline(clock.now()) == []
    late = clock.now() + timedelta(hours=5)
    assert [t.id for t in await stores.tasks.unaccepted_past_deadline(late)] == [task.id]
    clock.advance(timedelta(hours=1))
    accepted = await stores.tasks.accept_task(task.id, "pavel", key="k2")
    assert accepted.owner_id == "pavel" and accepted.sla(late) is SlaState.MET
    with pytest.raises(Conflict):
        await stores.tasks.accept_task(task.id, "ivan", key="k3")
    done = await stores.tasks.set_task_status(task.id, TaskStatus.DONE, key="k4")
    assert done.status is TaskStatus.DONE


async def test_notifications_are_listed_for_their_recipient_until_read(stores: BusinessStores) -> None:
    note = await stores.notifications.notify(
        NewNotification(
            NotificationKind.HOT_LEAD,
            "anna",
            "Hot lead: balayage",
            "Budget 9000 RUB, this week",
            link="/console/conversations/telegram:1",
        ),
        key="n1",
    )
    await stores.notifications.notify(
        NewNotification(NotificationKind.TASK, "team:finance", "Invoice", "x"), key="n2"
    )
    assert [
        n.id for n in await stores.notifications.list_notifications(recipient="anna", unread_only=True)
    ] == [note.id]
    read = await stores.notifications.mark_read(note.id, key="n3")
    assert read.read_at == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert await stores.notifications.list_notifications(recipient="anna", unread_only=True) == []
