"""The recording proxies log every write with flattened arguments, skip reads, and change nothing."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agents.understanding import DialogueContext
from agents.understanding.adapter import OfflineUnderstanding
from evals.dialogues.recording import PORTS, CallLog, RecordingUnderstander, is_write, record_stores
from evals.dialogues.run import RunResult
from graph import Inbound
from server.assembly import open_frontdesk
from server.settings import Settings
from tests.conftest import ROOT
from tools.billing import BillingStore
from tools.calendar import CalendarStore, NewBooking, Slot
from tools.clock import FrozenClock
from tools.conversations import ConversationStore
from tools.crm import ContactChanges, CrmStore
from tools.errors import SlotUnavailable
from tools.notifications import NotificationStore
from tools.orders import OrderStore
from tools.playbook import Playbook, load_playbook
from tools.sql import BusinessStores
from tools.tasks import TaskStore
from tools.tickets import TicketStore

START = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


async def test_writes_are_logged_with_flat_arguments_and_reads_are_not(stores: BusinessStores) -> None:
    log = CallLog()
    recorded = record_stores(stores, log)
    contact = await recorded.crm.contact_for_identity("telegram", "u1", key="k1", display_name="Anna")
    same = await stores.crm.get_contact(contact.id)
    assert await recorded.crm.get_contact(contact.id) == same
    await recorded.crm.update_contact(
        contact.id, ContactChanges(name="Anna K"), key="k2", actor="agent:sales"
    )
    slot = Slot(START, START + timedelta(hours=1), "anna", None)
    booking = await recorded.calendar.book(
        NewBooking(contact.id, "haircut", slot, fields={"name": "Anna"}), key="k3"
    )
    assert [call.name for call in log.calls] == [
        "crm.contact_for_identity",
        "crm.update_contact",
        "calendar.book",
    ]
    first, update, book = log.calls
    assert dict(first.args) == {"channel": "telegram", "external_id": "u1", "display_name": "Anna"}
    assert (
        update.args["name"] == "Anna K"
        and update.args["contact_id"] == contact.id
        and "actor" not in update.args
    )
    assert book.args["slot"] == {
        "start": "2027-03-02T09:00:00+00:00",
        "end": "2027-03-02T10:00:00+00:00",
        "staff_id": "anna",
        "resource_id": None,
    }
    assert book.args["fields"] == {"name": "Anna"} and book.args["deposit_minor"] == 0 and book.error is None
    assert (await stores.calendar.get_booking(booking.id)).status.value == "confirmed"


async def test_errors_pass_through_unchanged_and_are_logged(stores: BusinessStores) -> None:
    log = CallLog()
    recorded = record_stores(stores, log)
    contact = await stores.crm.contact_for_identity("telegram", "u2", key="k1")
    slot = Slot(START, START + timedelta(hours=1), "anna", None)
    await recorded.calendar.book(NewBooking(contact.id, "haircut", slot), key="first")
    with pytest.raises(SlotUnavailable):
        await recorded.calendar.book(NewBooking(contact.id, "haircut", slot), key="second")
    assert [(call.name, call.error) for call in log.calls] == [
        ("calendar.book", None),
        ("calendar.book", "SlotUnavailable"),
    ]
    assert recorded.engine is stores.engine and recorded.audit is stores.audit


@pytest.mark.parametrize(
    "port",
    [
        CrmStore,
        CalendarStore,
        BillingStore,
        OrderStore,
        TicketStore,
        TaskStore,
        NotificationStore,
        ConversationStore,
    ],
)
def test_every_port_method_is_classified_as_a_read_or_a_write(port: type) -> None:
    methods = [name for name, _ in inspect.getmembers(port, inspect.isfunction) if not name.startswith("_")]
    reads = {name for name in methods if not is_write(name)}
    for name in reads:
        assert name.startswith(("get_", "list_", "find_")) or name in {
            "identities",
            "notes",
            "consents",
            "timeline",
            "open_lead_counts",
            "busy",
            "invoice_by_token",
            "payments",
            "order_by_number",
            "unaccepted_past_deadline",
            "latest_for_contact",
            "replies_to",
            "transcript",
            "proactive_count",
        }, f"{port.__name__}.{name} looks like a write"
    assert len(PORTS) == 8


async def test_the_recording_understander_returns_and_logs_the_same_meaning(
    minimal_playbook: Playbook,
) -> None:
    inner = OfflineUnderstanding(minimal_playbook)
    log = CallLog()
    recording = RecordingUnderstander(inner, log)
    context = DialogueContext(now=START)
    meaning = await recording.understand("Can I book a haircut tomorrow?", context)
    assert meaning == await inner.understand("Can I book a haircut tomorrow?", context)
    assert log.understandings == [meaning]
    calls, meanings = log.since((0, 0))
    assert calls == () and meanings == (meaning,)


async def test_a_dialogue_run_by_the_engine_gets_the_replies_the_plain_assembly_gives(
    passing: RunResult, tmp_path: Path, data_dir: Path
) -> None:
    result = next(r for r in passing.results if r.dialogue.id == "small-quote-paid-ru")
    steps = [step for step in result.trials[0].steps if step.kind == "say"]
    playbook = ROOT / "examples/renovation/playbook.yaml"
    database = f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    settings = Settings(playbook=playbook, data_dir=tmp_path, database_url=database)
    clock = FrozenClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    understanding = OfflineUnderstanding(load_playbook(playbook), cache_dir=data_dir / "cache")
    async with open_frontdesk(settings, clock=clock, understanding=understanding, knowledge="none") as desk:
        for index, step in enumerate(steps):
            turn = await desk.runner.handle(
                Inbound("telegram", "q1", "q1", step.input, message_id=f"m{index}")
            )
            plain = [_masked(reply.text) for reply in turn.replies]
            assert plain == [_masked(reply.text) for reply in step.replies], step.input


def _masked(text: str) -> str:
    return re.sub(r"/pay/\S+", "/pay/…", text)
