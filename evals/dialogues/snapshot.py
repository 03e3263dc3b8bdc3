"""What the stores hold, as plain records, for ``records`` expectations (read through the ports).

Contacts that were merged into another are left out (the surviving one is listed),
and so are the placeholder contact of ``setup.busy`` and its bookings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy import select

from evals.dialogues.model import Json
from evals.dialogues.recording import plain
from tools.crm import Contact
from tools.ids import ContactId
from tools.sql import BusinessStores
from tools.sql.schema import contacts as contacts_table

RECORD_KINDS = (
    "contacts",
    "leads",
    "bookings",
    "quotes",
    "invoices",
    "payments",
    "orders",
    "tickets",
    "tasks",
    "notifications",
    "approvals",
    "consents",
)

Row = dict[str, Json]


def _rows(items: Iterable[object]) -> tuple[Row, ...]:
    rows = []
    for item in items:
        row = plain(item)
        assert isinstance(row, dict)
        rows.append(row)
    return tuple(rows)


async def _contacts(stores: BusinessStores, hidden: frozenset[str]) -> list[Contact]:
    query = (
        select(contacts_table.c.id)
        .where(contacts_table.c.merged_into.is_(None))
        .order_by(contacts_table.c.id)
    )
    async with stores.engine.connect() as connection:
        ids = [ContactId(str(row[0])) for row in await connection.execute(query)]
    return [await stores.crm.get_contact(contact_id) for contact_id in ids if contact_id not in hidden]


async def _read(stores: BusinessStores, kind: str, hidden: frozenset[str]) -> tuple[Row, ...]:
    readers: dict[str, Callable[[], Awaitable[Iterable[object]]]] = {
        "leads": stores.crm.list_leads,
        "quotes": stores.billing.list_quotes,
        "invoices": stores.billing.list_invoices,
        "orders": stores.orders.list_orders,
        "tickets": stores.tickets.list_tickets,
        "tasks": stores.tasks.list_tasks,
        "notifications": stores.notifications.list_notifications,
        "approvals": stores.conversations.list_approvals,
    }
    if kind in readers:
        return _rows(await readers[kind]())
    if kind == "contacts":
        return _rows(await _contacts(stores, hidden))
    if kind == "bookings":
        return _rows(b for b in await stores.calendar.list_bookings() if b.contact_id not in hidden)
    if kind == "payments":
        invoices = await stores.billing.list_invoices()
        return _rows(
            [payment for invoice in invoices for payment in await stores.billing.payments(invoice.id)]
        )
    if kind == "consents":
        people = await _contacts(stores, hidden)
        return _rows([consent for person in people for consent in await stores.crm.consents(person.id)])
    raise ValueError(f"unknown record kind {kind!r}; known: {', '.join(RECORD_KINDS)}")


async def snapshot(
    stores: BusinessStores, kinds: Iterable[str], *, hidden: frozenset[str] = frozenset()
) -> dict[str, tuple[Row, ...]]:
    """The records of each kind in `kinds`, as plain values, without the `hidden` contacts' ones."""
    return {kind: await _read(stores, kind, hidden) for kind in dict.fromkeys(kinds)}
