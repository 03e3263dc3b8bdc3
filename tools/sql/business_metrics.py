"""The business metrics read model on SQL (SQLite and PostgreSQL).

Counts and shares are aggregated by the database. Percentiles need the individual waits, which
are read as rows: at most `ROW_LIMIT` per figure, the earliest of the period first. A small
business answers a few thousand messages a month, far below the bound; a report that reached it
says so (`MetricsReport.truncated`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tools.business_metrics import (
    FINISHED_INTENTS,
    PERSON_AGENTS,
    PRICE_AGENTS,
    SILENCE_HOURS,
    STEP_CHARS,
    TOP_DROP_OFFS,
    ChannelResponse,
    DropOff,
    Durations,
    HourResponse,
    MetricsReport,
    OutcomeCount,
    RateFigure,
    ResponseTimes,
    SatisfactionSignals,
    durations,
    percentile,
    response_times,
)
from tools.errors import InvalidInput
from tools.sql.engine import reading
from tools.sql.schema import approvals, audit_log, bookings, conversations, invoices, leads, messages, tickets

ROW_LIMIT = 50_000
"""Rows a percentile figure reads at most."""

_inbound = messages.alias("inbound")
_reply = messages.alias("reply")


def _within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _answered_by(agents: tuple[str, ...], start: datetime, end: datetime) -> ColumnElement[bool]:
    """The conversation has an outbound message of one of `agents` in the period."""
    return exists().where(
        messages.c.conversation_id == conversations.c.id,
        messages.c.direction == "out",
        messages.c.agent.in_(agents),
        _within(messages.c.created_at, start, end),
    )


def _share(among: ColumnElement[bool], counted: ColumnElement[bool]) -> Select[Any]:
    """How many conversations match `among`, and how many of those also match `counted`."""
    return (
        select(func.count(), func.coalesce(func.sum(case((counted, 1), else_=0)), 0))
        .select_from(conversations)
        .where(among)
    )


async def _rate(connection: AsyncConnection, query: Select[Any]) -> RateFigure:
    total, counted = (await connection.execute(query)).one()
    return RateFigure(int(counted), int(total))


async def _first_responses(
    connection: AsyncConnection, start: datetime, end: datetime, zone: ZoneInfo
) -> tuple[ResponseTimes, tuple[ChannelResponse, ...], tuple[HourResponse, ...], bool]:
    """Seconds from each customer message of the period to the first reply to it: overall, by
    channel and by local hour; the flag says the rows were cut at `ROW_LIMIT`."""
    first_reply = (
        select(func.min(_reply.c.created_at))
        .where(_reply.c.reply_to == _inbound.c.id, _reply.c.direction == "out")
        .scalar_subquery()
    )
    query = (
        select(conversations.c.channel, _inbound.c.created_at, first_reply.label("answered_at"))
        .select_from(_inbound.join(conversations, conversations.c.id == _inbound.c.conversation_id))
        .where(_inbound.c.direction == "in", _within(_inbound.c.created_at, start, end))
        .order_by(_inbound.c.created_at, _inbound.c.id)
        .limit(ROW_LIMIT + 1)
    )
    rows = (await connection.execute(query)).all()
    waits: dict[str, list[float]] = defaultdict(list)
    unanswered: dict[str, int] = defaultdict(int)
    by_hour: list[list[float]] = [[] for _ in range(24)]
    for row in rows[:ROW_LIMIT]:
        channel_waits = waits[row.channel]
        if row.answered_at is None:
            unanswered[row.channel] += 1
            continue
        wait = (row.answered_at - row.created_at).total_seconds()
        channel_waits.append(wait)
        by_hour[row.created_at.astimezone(zone).hour].append(wait)
    channels = tuple(
        ChannelResponse(channel, response_times(waits[channel], unanswered[channel]))
        for channel in sorted(waits)
    )
    hours = tuple(
        HourResponse(hour, len(found), percentile(found, 0.5)) for hour, found in enumerate(by_hour)
    )
    overall = response_times([wait for found in waits.values() for wait in found], sum(unanswered.values()))
    return overall, channels, hours, len(rows) > ROW_LIMIT


async def _solved_without_person(connection: AsyncConnection, start: datetime, end: datetime) -> RateFigure:
    """Conversations with messages in the period, and how many of them needed no person: none was
    taken over, escalated, handed to a person or written to by staff in the period."""
    active = exists().where(
        messages.c.conversation_id == conversations.c.id, _within(messages.c.created_at, start, end)
    )
    taken_over = exists().where(
        audit_log.c.entity == "conversation",
        audit_log.c.entity_id == conversations.c.id,
        audit_log.c.action == "conversation.taken_over",
        _within(audit_log.c.at, start, end),
    )
    escalated = exists().where(
        approvals.c.conversation_id == conversations.c.id,
        approvals.c.kind == "escalation",
        _within(approvals.c.created_at, start, end),
    )
    needed = await _rate(
        connection, _share(active, or_(taken_over, escalated, _answered_by(PERSON_AGENTS, start, end)))
    )
    return RateFigure(needed.denominator - needed.numerator, needed.denominator)


async def _drop_offs(connection: AsyncConnection, start: datetime, end: datetime) -> tuple[DropOff, ...]:
    """Conversations left in the middle of a flow (an agent still active) whose last message is the
    bot's answer, sent in the period but more than `SILENCE_HOURS` before its end, by flow step."""
    later = messages.alias("later")
    last = messages.alias("last")
    nothing_after = ~exists().where(
        later.c.conversation_id == last.c.conversation_id,
        or_(
            later.c.created_at > last.c.created_at,
            and_(later.c.created_at == last.c.created_at, later.c.id > last.c.id),
        ),
    )
    steps = (
        select(
            func.coalesce(last.c.agent, "").label("agent"),
            func.coalesce(func.nullif(last.c.intent, ""), func.substr(last.c.text, 1, STEP_CHARS)).label(
                "step"
            ),
        )
        .select_from(last.join(conversations, conversations.c.id == last.c.conversation_id))
        .where(
            conversations.c.active_agent.is_not(None),
            last.c.direction == "out",
            last.c.author == "bot",
            last.c.reply_to.is_not(None),
            _within(last.c.created_at, start, end - timedelta(hours=SILENCE_HOURS)),
            or_(last.c.intent.is_(None), last.c.intent.not_in(FINISHED_INTENTS)),
            nothing_after,
        )
        .subquery()
    )
    count = func.count().label("conversations")
    query = (
        select(steps.c.agent, steps.c.step, count)
        .group_by(steps.c.agent, steps.c.step)
        .order_by(count.desc(), steps.c.agent, steps.c.step)
        .limit(TOP_DROP_OFFS)
    )
    return tuple(
        DropOff(row.agent, row.step, int(row.conversations))
        for row in (await connection.execute(query)).all()
    )


async def _price_to_payment(
    connection: AsyncConnection, start: datetime, end: datetime
) -> tuple[Durations, bool]:
    """Seconds from the first price question of each customer who paid in the period to the payment:
    the customer message the sales or quoting agent first answered (or that answer, if it answered
    none). The flag says the invoices were cut at `ROW_LIMIT`."""
    paid = select(invoices.c.contact_id, invoices.c.paid_at).where(_within(invoices.c.paid_at, start, end))
    asked = messages.alias("asked")
    moment = func.min(func.coalesce(asked.c.created_at, messages.c.created_at)).label("asked_at")
    first_asked = (
        select(conversations.c.contact_id, moment)
        .select_from(
            messages.join(conversations, conversations.c.id == messages.c.conversation_id).outerjoin(
                asked, asked.c.id == messages.c.reply_to
            )
        )
        .where(
            messages.c.direction == "out",
            messages.c.agent.in_(PRICE_AGENTS),
            conversations.c.contact_id.in_(paid.with_only_columns(invoices.c.contact_id)),
        )
        .group_by(conversations.c.contact_id)
    )
    invoices_paid = (await connection.execute(paid.order_by(invoices.c.paid_at).limit(ROW_LIMIT + 1))).all()
    asked_at = {row.contact_id: row.asked_at for row in (await connection.execute(first_asked)).all()}
    waits = [
        (row.paid_at - asked_at[row.contact_id]).total_seconds()
        for row in invoices_paid[:ROW_LIMIT]
        if row.contact_id in asked_at and asked_at[row.contact_id] <= row.paid_at
    ]
    return durations(waits), len(invoices_paid) > ROW_LIMIT


async def _satisfaction(connection: AsyncConnection, start: datetime, end: datetime) -> SatisfactionSignals:
    tickets_count = func.count().label("tickets")
    outcomes = (
        select(tickets.c.outcome, tickets_count)
        .where(tickets.c.outcome.is_not(None), _within(tickets.c.created_at, start, end))
        .group_by(tickets.c.outcome)
        .order_by(tickets_count.desc(), tickets.c.outcome)
    )
    thanked = exists().where(
        _reply.c.reply_to == _inbound.c.id, _reply.c.direction == "out", _reply.c.intent == "thanks_bye"
    )
    thanks = (
        select(func.count())
        .select_from(_inbound)
        .where(_inbound.c.direction == "in", _within(_inbound.c.created_at, start, end), thanked)
    )
    escalations = select(func.count(func.distinct(approvals.c.conversation_id))).where(
        approvals.c.kind == "escalation", _within(approvals.c.created_at, start, end)
    )
    opt_outs = select(func.count(func.distinct(audit_log.c.entity_id))).where(
        audit_log.c.action == "contact.opted_out", _within(audit_log.c.at, start, end)
    )
    return SatisfactionSignals(
        ticket_outcomes=tuple(
            OutcomeCount(row.outcome, int(row.tickets)) for row in (await connection.execute(outcomes)).all()
        ),
        thanks=int((await connection.execute(thanks)).scalar_one()),
        escalations=int((await connection.execute(escalations)).scalar_one()),
        opt_outs=int((await connection.execute(opt_outs)).scalar_one()),
    )


class SqlBusinessMetrics:
    """`BusinessMetricsReader` over the conversations, messages, leads, bookings, invoices, tickets,
    approvals and audit log tables."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def report(self, start: datetime, end: datetime, zone: ZoneInfo) -> MetricsReport:
        """The figures of `[start, end)`; hours of the day are counted in `zone`.

        Opt-outs are read from the audit log (``contact.opted_out``), which every opt-out writes,
        whether the customer asked the bot or staff recorded it.
        """
        if start.tzinfo is None or end.tzinfo is None:
            raise InvalidInput("a metrics period needs times with a time zone")
        if end <= start:
            raise InvalidInput(f"a metrics period must end after it starts ({start} .. {end})")
        leads_created = exists().where(
            leads.c.contact_id == conversations.c.contact_id, _within(leads.c.created_at, start, end)
        )
        booked = exists().where(
            bookings.c.contact_id == conversations.c.contact_id,
            bookings.c.rescheduled_from.is_(None),
            _within(bookings.c.created_at, start, end),
        )
        async with reading(self._engine) as connection:
            overall, channels, hours, responses_cut = await _first_responses(connection, start, end, zone)
            qualification = await _rate(
                connection, _share(_answered_by(("sales",), start, end), leads_created)
            )
            booking = await _rate(connection, _share(_answered_by(("booking",), start, end), booked))
            solved = await _solved_without_person(connection, start, end)
            drop_offs = await _drop_offs(connection, start, end)
            price_to_payment, payments_cut = await _price_to_payment(connection, start, end)
            satisfaction = await _satisfaction(connection, start, end)
        return MetricsReport(
            start=start,
            end=end,
            zone=zone.key,
            first_response=overall,
            first_response_by_channel=channels,
            first_response_by_hour=hours,
            qualification=qualification,
            booking=booking,
            solved_without_person=solved,
            drop_offs=drop_offs,
            price_to_payment=price_to_payment,
            satisfaction=satisfaction,
            truncated=responses_cut or payments_cut,
        )
