"""Quote → estimate → consent → invoice → payment → operations, with staff approval above the threshold."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.understanding.adapter import OfflineUnderstanding
from server.assembly import Frontdesk, open_frontdesk
from tests.conftest import DATABASES
from tests.dialogues.conftest import Chat, settings_for, understander
from tools.billing import InvoiceStatus, QuoteStatus
from tools.clock import FrozenClock
from tools.conversations import ApprovalStatus
from tools.tasks import TaskStatus


async def _scope(chat: Chat, area: str) -> None:
    """Answer the renovation checklist: area, rooms, walls, building, materials, start."""
    await chat.say(area)
    await chat.say("3")
    await chat.say("1")
    await chat.say("1")
    await chat.say("1")
    await chat.say("в апреле")


async def test_a_small_quote_in_russian_becomes_an_invoice_payment_and_an_operations_task(
    renovation: Frontdesk,
) -> None:
    chat = Chat(renovation)
    intro = await chat.say("Посчитайте, пожалуйста, смету на покраску стен")
    assert chat.agent == "quoting", chat.log
    assert "1" in intro and "6" in intro, "the first of six checklist questions is asked at once"
    await _scope(chat, "40 м2")
    estimate = chat.log[-1]
    assert "₽" in estimate and chat.buttons == ["Да", "Нет"], "\n".join(chat.log)
    asked = await chat.say("да")
    assert "телефон" in asked.lower(), "contact details are asked for before the invoice"
    invoice_reply = await chat.say("+7 916 000 11 22")
    assert "/pay/" in invoice_reply
    [invoice] = await renovation.stores.billing.list_invoices()
    [quote] = await renovation.stores.billing.list_quotes()
    assert quote.status is QuoteStatus.ACCEPTED and invoice.quote_id == quote.id
    await renovation.stores.billing.record_payment(
        invoice.id, amount_minor=invoice.amount_minor, provider="builtin", provider_reference="p", key="p"
    )
    messages = await renovation.runner.invoice_paid(invoice.id)
    again = await renovation.runner.invoice_paid(invoice.id)
    assert [m.id for m in again] == [m.id for m in messages] and len(messages) == 2
    [task] = await renovation.stores.tasks.list_tasks(team="operations")
    assert task.status is TaskStatus.OPEN and invoice.id in task.details
    assert (await renovation.stores.billing.get_invoice(invoice.id)).status is InvoiceStatus.PAID


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
async def test_an_expensive_quote_waits_for_staff_and_resumes_after_a_restart(
    tmp_path: Path, clock: FrozenClock, database_url: str
) -> None:
    settings = settings_for("renovation", tmp_path, database_url)
    understanding: OfflineUnderstanding = understander("renovation")
    async with open_frontdesk(settings, clock=clock, understanding=understanding, knowledge="none") as desk:
        chat = Chat(desk, customer="big")
        await chat.say("I need an estimate for a capital renovation of my flat")
        assert chat.agent == "quoting", chat.log
        await chat.say("120 m2")
        for answer in ["4", "1", "1", "1", "in May"]:
            await chat.say(answer)
        assert chat.last is not None and chat.last.approval_id, chat.log
        approval_id = chat.last.approval_id
        waiting = await chat.say("so?")
        assert "manager" in waiting.lower() or "check" in waiting.lower(), waiting
    async with open_frontdesk(settings, clock=clock, understanding=understanding, knowledge="none") as desk:
        result = await desk.runner.decide(
            approval_id,
            action="edit",
            by="staff:olga-kuznetsova",
            changes={"low": "1700000", "high": "1900000"},
        )
        text = "\n".join(r.text for r in result.replies)
        assert "1,700,000" in text and "1,900,000" in text, text
        [approval] = await desk.stores.conversations.list_approvals()
        assert approval.status is ApprovalStatus.EDITED and approval.decided_by == "staff:olga-kuznetsova"
        chat = Chat(desk, customer="big")
        await chat.say("yes")
        await chat.say("john.smith@example.com")
        [invoice] = await desk.stores.billing.list_invoices()
        assert invoice.amount_minor == 170_000_000


async def test_a_rejected_quote_tells_the_customer_why(renovation: Frontdesk) -> None:
    chat = Chat(renovation, customer="rej")
    await chat.say("Нужна смета на капитальный ремонт квартиры")
    await _scope(chat, "150 м2")
    assert chat.last is not None and chat.last.approval_id, chat.log
    result = await renovation.runner.decide(
        chat.last.approval_id,
        action="reject",
        by="staff:olga-kuznetsova",
        note="для такого объёма нужен выезд инженера",
    )
    assert "выезд инженера" in result.replies[-1].text
    assert await renovation.stores.billing.list_quotes() == []
