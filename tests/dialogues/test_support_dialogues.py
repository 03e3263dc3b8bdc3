"""Support triage through the real path on SQLite and PostgreSQL: identity, returns with approval, tickets."""

from __future__ import annotations

from server.assembly import Frontdesk
from tests.conftest import on_every_database
from tests.dialogues.conftest import Chat
from tools.conversations import Owner
from tools.ids import ContactId, TicketId
from tools.orders import Delivery, NewOrder, OrderItem, OrderStatus
from tools.tickets import TicketStatus


async def _order(desk: Frontdesk, number: str, status: OrderStatus, *, email: str) -> None:
    stores = desk.stores
    owner = await stores.crm.contact_for_identity("shop", number, key=f"owner-{number}")
    order = await stores.orders.create_order(
        NewOrder(
            number,
            ContactId(owner.id),
            [OrderItem("shampoo-repair", "Shampoo", 1, 165000)],
            "RUB",
            Delivery("courier", tracking_number="CDEK777", carrier="CDEK"),
            email=email,
        ),
        key=f"order-{number}",
    )
    path = [OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED]
    for step in path[: path.index(status) + 1]:
        await stores.orders.set_order_status(order.id, step, key=f"order-{number}-{step}")


@on_every_database
async def test_three_failed_checks_hand_over_without_revealing_the_order(studio: Frontdesk) -> None:
    await _order(studio, "LM-04217", OrderStatus.SHIPPED, email="anna@mail.ru")
    chat = Chat(studio, customer="probe")
    await chat.say("какой статус у заказа LM-04217?")
    wrong_email = await chat.say("petya@mail.ru")
    no_such_order = await chat.say("заказ LM-99999, почта petya@mail.ru")
    assert wrong_email == no_such_order, "the reply must not tell whether the order exists"
    assert "CDEK777" not in " ".join(chat.log)
    locked = await chat.say("LM-04217 +7 999 000 11 22")
    conversation = await studio.stores.conversations.get_conversation("telegram:probe")
    assert conversation.owner is Owner.STAFF, chat.log
    assert locked and "CDEK777" not in locked
    [ticket] = await studio.stores.tickets.list_tickets()
    assert ticket.category == "identity" and "Transcript:" in ticket.context
    assert await chat.say("ну что там?") == "", "the bot stays silent once staff own the conversation"


async def test_a_verified_order_shows_its_status_and_a_solved_case_is_recorded(studio: Frontdesk) -> None:
    await _order(studio, "LM-20481", OrderStatus.SHIPPED, email="kate@example.com")
    chat = Chat(studio, customer="kate")
    await chat.say("where is my order LM-20481?")
    status = await chat.say("kate@example.com")
    assert "CDEK777" in status and chat.buttons == ["Yes", "No"], chat.log
    await chat.say("yes")
    [ticket] = await studio.stores.tickets.list_tickets()
    assert (ticket.status, ticket.outcome) == (TicketStatus.RESOLVED, "solved_by_bot")


@on_every_database
async def test_a_return_waits_for_the_manager_and_is_never_refunded_automatically(studio: Frontdesk) -> None:
    await _order(studio, "LM-30001", OrderStatus.DELIVERED, email="olga@mail.ru")
    chat = Chat(studio, customer="ret")
    await chat.say("хочу вернуть заказ LM-30001, почта olga@mail.ru")
    assert chat.buttons == ["Да", "Нет"], chat.log
    await chat.say("да")
    assert chat.last is not None and chat.last.approval_id, chat.log
    order = await studio.stores.orders.order_by_number("LM-30001")
    assert order is not None and order.status is OrderStatus.DELIVERED, "nothing changes before approval"
    result = await studio.runner.decide(chat.last.approval_id, action="approve", by="staff:olga")
    assert "LM-30001" in result.replies[-1].text
    order = await studio.stores.orders.order_by_number("LM-30001")
    assert order is not None and order.status is OrderStatus.RETURN_REQUESTED
    assert await studio.stores.billing.list_invoices() == [], "no refund or invoice is created by the bot"


async def test_staff_moving_a_ticket_on_tells_the_customer_once(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="warranty")
    await chat.say("гель лак отколупался через 3 дня, переделаете?")
    [ticket] = await studio.stores.tickets.list_tickets()
    first = await studio.runner.ticket_update(
        TicketId(ticket.id), by="staff:daria", status=TicketStatus.IN_PROGRESS
    )
    again = await studio.runner.ticket_update(
        TicketId(ticket.id), by="staff:daria", status=TicketStatus.IN_PROGRESS
    )
    assert len(first) == 1 and "работаем" in first[0].text
    assert again == []


async def test_a_pasted_card_number_is_never_stored(studio: Frontdesk) -> None:
    chat = Chat(studio, customer="card")
    await chat.say("оплатите с моей карты 4111 1111 1111 1111, срок 12/27, cvv 123")
    stored = " ".join(m.text for m in await studio.stores.conversations.transcript("telegram:card"))
    assert "4111 1111 1111 1111" not in stored and "123" not in stored.replace("1111", "")
    assert "1111" in stored, "the last four digits stay, so staff can tell which card"
