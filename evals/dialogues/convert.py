"""From the validated suite format (pydantic) to the engine's frozen dataclasses."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import JsonValue

from evals.dialogues import format as spec
from evals.dialogues import format_expect as expects
from evals.dialogues import format_setup as seed
from evals.dialogues.model import (
    Advance,
    Buttons,
    Dialogue,
    Event,
    Expectation,
    Final,
    Json,
    Proactive,
    RecordsExpectation,
    Say,
    SeedBooking,
    SeedContact,
    SeedItem,
    SeedOrder,
    Setup,
    Simulation,
    StaffAct,
    Step,
    ToolCallExpectation,
)


def _json(value: JsonValue) -> Json:
    if isinstance(value, dict):
        return {str(key): _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value


def _mapping(values: dict[str, JsonValue]) -> dict[str, Json]:
    return {key: _json(value) for key, value in values.items()}


def _tools(calls: list[expects.ToolExpect]) -> tuple[ToolCallExpectation, ...]:
    return tuple(ToolCallExpectation(call.name, _mapping(call.args)) for call in calls)


def _records(records: expects.RecordsByKind | None) -> tuple[RecordsExpectation, ...]:
    if records is None:
        return ()
    found = []
    for kind in type(records).model_fields:
        expected = getattr(records, kind)
        if expected is not None:
            found.append(RecordsExpectation(kind, expected.count, _mapping(expected.where)))
    return tuple(found)


def _entities(entities: expects.EntitiesExpect | None) -> dict[str, Json]:
    if entities is None:
        return {}
    dumped = entities.model_dump(mode="json")
    return {key: _json(dumped[key]) for key in sorted(entities.model_fields_set)}


def expectation(expect: expects.Expect | None) -> Expectation:
    """The engine's form of one step's `expect`."""
    if expect is None:
        return Expectation()
    buttons = expect.buttons
    return Expectation(
        agent=expect.agent,
        intent=expect.intent.value if expect.intent is not None else None,
        entities=_entities(expect.entities),
        slots=_mapping(expect.slots),
        reply_contains=tuple(expect.reply_contains),
        reply_matches=tuple(expect.reply_matches),
        reply_not_contains=tuple(expect.reply_not_contains),
        buttons=Buttons(
            buttons.count,
            tuple(buttons.contains),
            tuple(buttons.equals) if buttons.equals is not None else None,
        )
        if buttons is not None
        else None,
        tools=_tools(expect.tools),
        no_tools=tuple(expect.no_tools),
        records=_records(expect.records),
        approval=expect.approval,
        handoff=expect.handoff,
        language=expect.language,
        silent=expect.silent,
        proactive=Proactive(expect.proactive.count, tuple(expect.proactive.contains))
        if expect.proactive is not None
        else None,
    )


def step(item: spec.SayStep | spec.StaffStep | spec.EventStep | spec.AdvanceStep) -> Step:
    """The engine's form of one step."""
    expect = expectation(item.expect)
    if isinstance(item, spec.SayStep):
        return Say(item.say, expect)
    if isinstance(item, spec.StaffStep):
        staff = item.staff
        changes = {key: str(value) for key, value in staff.changes.items()}
        return StaffAct(staff.action, staff.by, staff.note, changes, staff.text, expect)
    if isinstance(item, spec.EventStep):
        event = item.event
        return Event(event.type, expect, status=event.status, assignee=event.assignee, note=event.note)
    moved = item.advance
    return Advance(timedelta(days=moved.days, hours=moved.hours, minutes=moved.minutes), expect)


def setup(data: seed.Setup) -> Setup:
    """The engine's form of the seeded data."""
    return Setup(
        contacts=tuple(
            SeedContact(
                c.id,
                c.channel,
                c.external_id,
                c.name,
                c.phone,
                c.email,
                c.phone_verified,
                c.email_verified,
                c.language,
                tuple(c.tags),
                c.opted_out,
            )
            for c in data.contacts
        ),
        orders=tuple(
            SeedOrder(
                o.number,
                o.contact,
                tuple(SeedItem(i.product_id, i.name, i.quantity, i.unit_price) for i in o.items),
                o.status,
                o.email,
                o.phone,
                {
                    key: (value.isoformat() if hasattr(value, "isoformat") else value)
                    for key, value in o.delivery.model_dump().items()
                },
            )
            for o in data.orders
        ),
        bookings=tuple(
            SeedBooking(b.contact, b.service, b.staff, b.start, b.status, dict(b.fields))
            for b in data.bookings
        ),
        busy=tuple(SeedBooking(None, b.service, b.staff, b.start, minutes=b.minutes) for b in data.busy),
        knowledge=tuple(data.knowledge),
    )


def dialogue(
    item: spec.DialogueSpec,
    *,
    suite: str,
    source: str,
    prefix: str,
    playbook: Path,
    language: str,
    lines: dict[str, int],
) -> Dialogue:
    """The engine's form of one dialogue."""
    final = item.final
    return Dialogue(
        id=item.id,
        suite=suite,
        source=source,
        prefix=prefix,
        playbook=playbook,
        start=item.start,
        title=item.title or "",
        tags=tuple(item.tags),
        channel=item.channel,
        language=language,
        customer=item.customer or item.id,
        setup=setup(item.setup),
        steps=tuple(step(s) for s in item.steps or ()),
        simulate=Simulation(item.simulate.persona, item.simulate.goal, item.simulate.max_turns)
        if item.simulate is not None
        else None,
        final=Final(_records(final.records), _tools(final.tools), tuple(final.no_tools), final.handoff)
        if final is not None
        else Final(),
        repeat_policy=item.repeat_policy,
        lines=lines,
    )
