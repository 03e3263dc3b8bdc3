"""``service_completed`` and ``order_delivered`` over real HTTP, on SQLite and PostgreSQL: the record
moves on, one satisfaction question reaches the customer's Telegram a day later, and what the
record's state forbids is refused."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest

from tests.api.conftest import Served, sent_texts
from tests.api.console_client import answered_customer
from tests.conftest import DATABASES
from tests.fakes.providers import FakeProviders
from tools.booking_timers import booking_group
from tools.calendar import Booking, BookingStatus
from tools.clock import FrozenClock
from tools.ids import ContactId
from tools.orders import Delivery, NewOrder, Order, OrderItem, OrderStatus
from tools.satisfaction_timers import SATISFACTION
from tools.timers import TimerStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


async def _token(served: Served, name: str = "pos") -> dict[str, str]:
    secret, _ = await served.state.stores.api_tokens.create_token(name, actor="test")
    return {"authorization": f"Bearer {secret}"}


async def _booking(served: Served, contact: ContactId, day: int = 3) -> Booking:
    appointments = served.state.runner.deps.appointments
    start = datetime(2027, 3, day, 15, 0, tzinfo=served.state.playbook.business.zone)
    [slot, *_] = await appointments.free_slots("manicure", start=start, end=start + timedelta(hours=1))
    booked = await appointments.book(
        contact, "manicure", slot, fields={"name": "Анна", "phone": "+79161234567"}, key=f"b{day}"
    )
    return booked.booking


async def _order(served: Served, contact: ContactId, number: str, status: OrderStatus) -> Order:
    orders = served.state.stores.orders
    order = await orders.create_order(
        NewOrder(
            number, contact, [OrderItem("shampoo-repair", "Shampoo", 1, 165_000)], "RUB", Delivery("post")
        ),
        key=number,
    )
    for step in (OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.SHIPPED):
        if order.status is status:
            break
        order = await orders.set_order_status(order.id, step, key=f"{number}-{step.value}")
    return order


async def test_the_new_types_are_listed_when_a_type_is_unknown(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, headers=await _token(served)) as client:
        unknown = await client.post("/api/events", json={"type": "service_done", "id": "e1"})
        missing = await client.post("/api/events", json={"type": "order_delivered", "id": "e2"})
    assert unknown.status_code == 422
    assert {"service_completed", "order_delivered"} <= set(unknown.json()["allowed"])
    assert missing.status_code == 422 and "order_id" in missing.json()["detail"]


async def test_a_completed_service_is_asked_about_once_on_telegram_a_day_later(
    served: Served, providers: FakeProviders, clock: FrozenClock
) -> None:
    stores = served.state.stores
    async with httpx.AsyncClient(base_url=served.url) as client:
        contact = await answered_customer(served, client)
        booking = await _booking(served, contact)
        clock.set(booking.end + timedelta(minutes=10))
        headers = await _token(served)
        event = {"type": "service_completed", "id": "visit-1", "booking_id": booking.id}
        answers = [await client.post("/api/events", json=event, headers=headers) for _ in range(2)]
        again = {**event, "id": "visit-1-resent"}
        answers.append(await client.post("/api/events", json=again, headers=headers))
    assert [a.status_code for a in answers] == [202] * 3
    assert answers[0].json() == answers[1].json(), "a redelivery gets the same answer"
    assert (
        answers[0].json()["outcome"].startswith(f"booking {booking.id} is completed; satisfaction question")
    )
    assert (await stores.calendar.get_booking(booking.id)).status is BookingStatus.COMPLETED
    assert {t.status for t in await stores.timers.timers(group=booking_group(booking.id))} == {
        TimerStatus.CANCELLED
    }
    [question] = [t for t in await stores.timers.timers(status=TimerStatus.PENDING) if t.kind == SATISFACTION]
    hours = served.state.playbook.follow_ups.satisfaction_after_hours
    assert question.due_at == clock.now() + timedelta(hours=hours)

    answered = len(providers.texts("telegram"))
    clock.set(question.due_at - timedelta(seconds=1))
    await asyncio.sleep(1.5)
    assert len(providers.texts("telegram")) == answered, "not a second early"
    clock.set(question.due_at)
    texts = await sent_texts(providers, "telegram", answered + 1)
    assert "Маникюр без покрытия" in texts[-1] and "1 до 5" in texts[-1], texts[-1]
    await asyncio.sleep(1.5)
    assert len(providers.texts("telegram")) == answered + 1, "once"


async def test_what_a_records_state_forbids_is_refused(served: Served) -> None:
    stores = served.state.stores
    async with httpx.AsyncClient(base_url=served.url, headers=await _token(served, "shop")) as client:
        contact = await answered_customer(served, client)
        booking = await _booking(served, contact, day=4)
        await served.state.runner.deps.appointments.cancel(
            booking.id, key="c1", actor="test", reason="the customer cancelled"
        )
        cancelled = await client.post(
            "/api/events", json={"type": "service_completed", "id": "v2", "booking_id": booking.id}
        )
        gone = await client.post(
            "/api/events", json={"type": "service_completed", "id": "v3", "booking_id": "bk_missing"}
        )
        packed = await _order(served, contact, "LM-1", OrderStatus.PACKED)
        early = await client.post(
            "/api/events", json={"type": "order_delivered", "id": "d1", "order_id": packed.number}
        )
        shipped = await _order(served, contact, "LM-2", OrderStatus.SHIPPED)
        delivered = await client.post(
            "/api/events", json={"type": "order_delivered", "id": "d2", "order_id": shipped.id}
        )
        unknown = await client.post(
            "/api/events", json={"type": "order_delivered", "id": "d3", "order_id": "LM-404"}
        )
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json()["detail"]
    assert gone.status_code == 404
    assert early.status_code == 409 and "packed" in early.json()["detail"]
    assert delivered.status_code == 202 and delivered.json()["outcome"].startswith("order LM-2 is delivered")
    assert unknown.status_code == 404
    assert (await stores.orders.get_order(packed.id)).status is OrderStatus.PACKED
    questions = [t for t in await stores.timers.timers() if t.kind == SATISFACTION]
    assert [t.subject for t in questions] == [f"order:{shipped.id}"], "a question only for what was done"
