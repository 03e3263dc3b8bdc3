"""The console's record pages over real HTTP, on SQLite and PostgreSQL: pipeline, calendar, billing, tickets, tasks, notifications."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from tests.api.conftest import Served, sent_texts
from tests.api.console_client import CONVERSATION, PASSWORD, answered_customer, csrf, log_in
from tests.conftest import DATABASES
from tests.fakes.providers import FakeProviders
from tools.billing import LineItem, NewQuote, QuoteStatus
from tools.calendar import NewBooking, Slot
from tools.clock import FrozenClock
from tools.crm import LeadSource, LeadStage, NewLead
from tools.notifications import NewNotification, NotificationKind
from tools.staff_accounts import StaffRole
from tools.tasks import NewTask, TaskStatus
from tools.tickets import NewTicket, TicketStatus

pytestmark = pytest.mark.parametrize("database_url", DATABASES, indirect=True)
ENGLISH = {"accept-language": "en"}


async def _logged_in(served: Served, client: httpx.AsyncClient) -> str:
    await served.state.stores.staff_accounts.add_account(
        "vera", name="Vera", role=StaffRole.AGENT, password=PASSWORD, actor="test"
    )
    await log_in(client, "vera")
    return await csrf(client)


async def test_the_pipeline_shows_leads_by_stage_and_moves_them(served: Served) -> None:
    crm = served.state.stores.crm
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        contact = await answered_customer(served, client)
        lead = await crm.create_lead(
            NewLead(contact, LeadSource("telegram"), service_id="manicure", tags=("hot",), owner_id="olga"),
            key="lead-1",
        )
        token = await _logged_in(served, client)
        page = await client.get("/console/leads")
        new_column = page.text.split('data-stage="new"')[1].split('data-stage="qualified"')[0]
        assert lead.id in new_column and "Manicure without polish" in new_column and "hot" in new_column
        assert f'href="/console/conversations/{CONVERSATION.replace(":", "%3A")}"' in new_column
        other_owner = await client.get("/console/leads?owner=nobody")
        assert lead.id not in other_owner.text
        moved = await client.post(
            f"/console/leads/{lead.id}", data={"csrf_token": token, "stage": "qualified"}
        )
        assert moved.status_code == 303
        bad = await client.post(f"/console/leads/{lead.id}", data={"csrf_token": token, "stage": "sold"})
        assert "fd_flash" in bad.headers["set-cookie"]
    assert (await crm.get_lead(lead.id)).stage is LeadStage.QUALIFIED


async def test_the_calendar_shows_a_week_and_a_day_per_staff_member(
    served: Served, clock: FrozenClock
) -> None:
    zone = served.state.playbook.business.zone
    start = datetime(2027, 3, 3, 15, 0, tzinfo=zone)  # Wednesday of the frozen week
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        contact = await answered_customer(served, client)
        booking = await served.state.stores.calendar.book(
            NewBooking(contact, "manicure", Slot(start, start + timedelta(hours=1), "olga", None)), key="b1"
        )
        await _logged_in(served, client)
        week = await client.get("/console/bookings")
        row = week.text.split('data-staff="olga"')[1].split("</tr>")[0]
        assert booking.id in row and "15:00–16:00" in row and "Manicure without polish" in row
        assert row.count("<td>") == 7, "Monday to Sunday"
        day = await client.get("/console/bookings?view=day&day=2027-03-03")
        assert booking.id in day.text and "03.03.2027" in day.text
        other_day = await client.get("/console/bookings?view=day&day=2027-03-04")
        assert booking.id not in other_day.text
        garbage = await client.get("/console/bookings?view=day&day=not-a-date")
        assert garbage.status_code == 200, "a bad date shows today"


async def test_quotes_invoices_and_payments(served: Served, clock: FrozenClock) -> None:
    billing = served.state.stores.billing
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        contact = await answered_customer(served, client)
        item = LineItem("Bridal hair", Decimal(1), None, 3_450_000, 3_450_000)
        quote = await billing.create_quote(
            NewQuote(contact, [item], "RUB", clock.now() + timedelta(days=14), service_id="bridal-package"),
            key="q1",
        )
        for status in (QuoteStatus.SENT, QuoteStatus.ACCEPTED):
            await billing.set_quote_status(quote.id, status, key=f"q1-{status.value}")
        invoice = await billing.invoice_quote(quote.id, amount_minor=3_450_000, due_at=None, key="i1")
        await billing.record_payment(
            invoice.id, amount_minor=3_450_000, provider="builtin", provider_reference="pay-1", key="p1"
        )
        await _logged_in(served, client)
        page = await client.get("/console/billing")
        assert quote.id in page.text and invoice.id in page.text
        invoice_row = page.text.split(f'data-record="{invoice.id}"')[1].split("</tr>")[0]
        assert "paid" in invoice_row and "builtin" in invoice_row and "34" in invoice_row


async def test_a_ticket_moved_on_in_the_console_reaches_the_customer(
    served: Served, providers: FakeProviders, clock: FrozenClock
) -> None:
    stores = served.state.stores
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        contact = await answered_customer(served, client)
        ticket = await stores.tickets.open_ticket(
            NewTicket(
                contact, "technical", "Gel polish peeled after two days", "…", conversation_id=CONVERSATION
            ),
            key="t1",
        )
        before = len(providers.texts("telegram"))
        clock.advance(timedelta(hours=30))
        token = await _logged_in(served, client)
        page = await client.get("/console/work")
        row = page.text.split(f'data-ticket="{ticket.id}"')[1].split("</tr>")[0]
        assert "late" in row, "not taken within the support team's response hours"
        moved = await client.post(
            f"/console/tickets/{ticket.id}",
            data={"csrf_token": token, "status": "in_progress", "assignee": "olga"},
        )
        assert moved.status_code == 303
        texts = await sent_texts(providers, "telegram", before + 1)
        assert texts[before:] == [f"Мы работаем над вашим обращением {ticket.id}."]
    changed = await stores.tickets.get_ticket(ticket.id)
    assert changed.status is TicketStatus.IN_PROGRESS and changed.assignee == "olga"


async def test_a_team_task_is_accepted_and_moved_on(served: Served, clock: FrozenClock) -> None:
    tasks = served.state.stores.tasks
    task = await tasks.create_task(
        NewTask(
            "marketing", "Partnership: yoga studio next door", "…", accept_by=clock.now() + timedelta(hours=4)
        ),
        key="task-1",
    )
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        token = await _logged_in(served, client)
        page = await client.get("/console/work?team=marketing")
        assert task.id in page.text and "on track" in page.text
        await client.post(f"/console/tasks/{task.id}", data={"csrf_token": token, "change": "accept"})
        await client.post(
            f"/console/tasks/{task.id}", data={"csrf_token": token, "change": "status", "status": "done"}
        )
    done = await tasks.get_task(task.id)
    assert done.owner_id == "vera" and done.status is TaskStatus.DONE


async def test_notifications_link_to_their_conversation_and_are_marked_read(served: Served) -> None:
    notifications = served.state.stores.notifications
    notice = await notifications.notify(
        NewNotification(
            NotificationKind.HOT_LEAD,
            "team:sales",
            "Hot lead: bridal hair",
            "Anna, 5 people, 12 June",
            link=f"http://127.0.0.1:8000/console/conversations/{CONVERSATION}",
        ),
        key="n1",
    )
    async with httpx.AsyncClient(base_url=served.url, headers=ENGLISH) as client:
        token = await _logged_in(served, client)
        inbox = await client.get("/console/inbox")
        assert 'data-testid="notifications-count">1<' in inbox.text
        page = await client.get("/console/notifications")
        item = page.text.split(f'data-notification="{notice.id}"')[1].split("</li>")[0]
        assert f'href="/console/conversations/{CONVERSATION}"' in item and "Hot lead" in item
        await client.post(f"/console/notifications/{notice.id}/read", data={"csrf_token": token})
        assert "notifications-count" not in (await client.get("/console/inbox")).text
    [read] = await notifications.list_notifications()
    assert read.read_at is not None
