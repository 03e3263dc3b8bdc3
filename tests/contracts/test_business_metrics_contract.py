"""The business metrics read model, on SQLite and PostgreSQL: a small studio's two days, figure by figure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import on_every_database
from tools.billing import LineItem, NewQuote, QuoteStatus
from tools.business_metrics import (
    ChannelResponse,
    DropOff,
    Durations,
    HourResponse,
    OutcomeCount,
    RateFigure,
    ResponseTimes,
    percentile,
)
from tools.calendar import NewBooking, Slot
from tools.clock import FrozenClock
from tools.conversations import NewReply, Owner
from tools.crm import LeadSource, NewLead
from tools.errors import InvalidInput
from tools.ids import ContactId, TicketId
from tools.sql import BusinessStores
from tools.tickets import NewTicket

START = datetime(2027, 3, 1, tzinfo=UTC)
END = datetime(2027, 3, 3, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")
GLEB_QUESTION = "На какое время вас записать? Свободно завтра в 10:00, 12:00 и 15:00 — выберите удобное."


class Studio:
    """Customers writing to the studio, and the bot answering them, through the stores' public API."""

    def __init__(self, stores: BusinessStores, clock: FrozenClock) -> None:
        self.stores = stores
        self.clock = clock
        self._sent = 0

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)

    async def chat(self, channel: str, chat: str) -> tuple[str, ContactId]:
        contact = await self.stores.crm.contact_for_identity(channel, chat, key=f"c:{channel}:{chat}")
        conversation = await self.stores.conversations.open_conversation(channel, chat, contact.id)
        return conversation.id, contact.id

    async def turn(
        self,
        conversation: str,
        text: str,
        *,
        wait_s: float | None = None,
        agent: str | None = None,
        intent: str | None = None,
        reply: str = "…",
        active_agent: str | None = None,
    ) -> None:
        """The customer writes now; the bot answers `wait_s` later (never when None)."""
        self._sent += 1
        message, _ = await self.stores.conversations.record_inbound(
            conversation, text, provider_id=f"p{self._sent}", at=self.clock.now()
        )
        if wait_s is None:
            return
        self.clock.advance(timedelta(seconds=wait_s))
        await self.stores.conversations.record_reply(
            conversation, NewReply(reply, agent=agent, intent=intent), reply_to=message.id, seq=0
        )
        await self.stores.conversations.update_conversation(conversation, active_agent=active_agent or "")

    async def ticket(self, contact: ContactId, key: str, outcome: str | None) -> None:
        ticket = await self.stores.tickets.open_ticket(NewTicket(contact, "escalation", key, "…"), key=key)
        if outcome is not None:
            await self.stores.tickets.update_ticket(TicketId(ticket.id), key=f"{key}-o", outcome=outcome)


async def _two_days(stores: BusinessStores, clock: FrozenClock) -> None:
    studio = Studio(stores, clock)
    anna, anna_id = await studio.chat("telegram", "1")
    studio.at(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    await studio.turn(anna, "Сколько стоит маникюр?", wait_s=30, agent="sales", intent="pricing")
    await stores.crm.create_lead(NewLead(anna_id, LeadSource("telegram")), key="lead-anna")
    studio.at(datetime(2027, 3, 1, 9, 1, 30, tzinfo=UTC))
    await studio.turn(anna, "спасибо, пока", wait_s=10, agent="smalltalk", intent="thanks_bye")

    bob, bob_id = await studio.chat("whatsapp", "2")
    studio.at(datetime(2027, 3, 1, 9, 5, tzinfo=UTC))
    await studio.turn(
        bob, "Хочу на стрижку", wait_s=90, agent="booking", intent="booking_new", active_agent="booking"
    )

    vera, _ = await studio.chat("whatsapp", "3")
    studio.at(datetime(2027, 3, 1, 9, 10, tzinfo=UTC))
    await stores.conversations.set_owner(vera, Owner.STAFF, staff_id="olga", actor="staff:olga")
    await studio.turn(vera, "Где мой заказ?")  # staff own it: the bot stays silent
    clock.advance(timedelta(minutes=2))
    await stores.conversations.record_proactive(
        vera, NewReply("Сейчас посмотрю", agent="staff", author="staff:olga"), key="olga-1"
    )

    dima, dima_id = await studio.chat("webchat", "s_4")
    studio.at(datetime(2027, 3, 1, 9, 20, tzinfo=UTC))
    await studio.turn(dima, "Это безобразие, верните деньги", wait_s=60, agent="sales", intent="pricing")
    await stores.conversations.create_approval(
        dima, kind="escalation", summary="upset", proposal={"reason": "the customer is upset"}, key="esc-dima"
    )
    await studio.ticket(dima_id, "t-dima", "escalated")

    eva, eva_id = await studio.chat("telegram", "5")
    studio.at(datetime(2027, 3, 1, 10, 0, tzinfo=UTC))
    await studio.turn(eva, "Запишите на завтра в 10", wait_s=45, agent="booking", intent="booking_new")
    slot = Slot(datetime(2027, 3, 2, 7, tzinfo=UTC), datetime(2027, 3, 2, 8, tzinfo=UTC), "anna", None)
    await stores.calendar.book(NewBooking(eva_id, "haircut", slot), key="book-eva")
    await studio.ticket(eva_id, "t-eva", "solved_by_bot")

    gleb, _ = await studio.chat("webchat", "s_7")
    studio.at(datetime(2027, 3, 1, 11, 0, tzinfo=UTC))
    await studio.turn(
        gleb,
        "Хочу на маникюр",
        wait_s=5,
        agent="booking",
        intent="",
        reply=GLEB_QUESTION,
        active_agent="booking",
    )

    hanna, hanna_id = await studio.chat("whatsapp", "8")
    studio.at(datetime(2027, 3, 1, 11, 30, tzinfo=UTC))
    await studio.turn(
        hanna, "Можно записаться?", wait_s=90, agent="booking", intent="booking_new", active_agent="booking"
    )
    await studio.ticket(hanna_id, "t-hanna", None)

    fedor, _ = await studio.chat("telegram", "6")
    studio.at(datetime(2027, 3, 2, 8, 0, tzinfo=UTC))
    await studio.turn(
        fedor, "А окрашивание сколько?", wait_s=20, agent="sales", intent="pricing", active_agent="sales"
    )

    quote = await stores.billing.create_quote(
        NewQuote(anna_id, [LineItem("Маникюр", Decimal(1), None, 180000, 180000)], "RUB", END), key="q"
    )
    await stores.billing.set_quote_status(quote.id, QuoteStatus.SENT, key="q-sent")
    await stores.billing.set_quote_status(quote.id, QuoteStatus.ACCEPTED, key="q-ok")
    invoice = await stores.billing.invoice_quote(quote.id, amount_minor=180000, due_at=None, key="inv")
    studio.at(datetime(2027, 3, 2, 9, 0, tzinfo=UTC))
    await stores.billing.record_payment(
        invoice.id, amount_minor=180000, provider="fake", provider_reference="pay-1", key="pay"
    )
    studio.at(datetime(2027, 3, 2, 9, 30, tzinfo=UTC))
    await stores.crm.set_opted_out(bob_id, True, key="stop-bob", actor="agent:optout")

    ivan, ivan_id = await studio.chat("telegram", "9")  # after the period: counted nowhere
    studio.at(datetime(2027, 3, 3, 10, 0, tzinfo=UTC))
    await studio.turn(
        ivan, "Сколько стоит?", wait_s=500, agent="sales", intent="pricing", active_agent="sales"
    )
    await stores.crm.create_lead(NewLead(ivan_id, LeadSource("telegram")), key="lead-ivan")


@on_every_database
async def test_two_days_of_a_studio(stores: BusinessStores, clock: FrozenClock) -> None:
    await _two_days(stores, clock)
    report = await stores.business_metrics.report(START, END, MOSCOW)

    assert report.zone == "Europe/Moscow" and not report.truncated
    assert report.first_response == ResponseTimes(8, 37.5, pytest.approx(90.0), 1)  # type: ignore[arg-type]
    assert report.first_response_by_channel == (
        ChannelResponse("telegram", ResponseTimes(4, 25.0, pytest.approx(40.5), 0)),  # type: ignore[arg-type]
        ChannelResponse("webchat", ResponseTimes(2, 32.5, pytest.approx(54.5), 0)),  # type: ignore[arg-type]
        ChannelResponse("whatsapp", ResponseTimes(2, 90.0, 90.0, 1)),
    )
    hours = {entry.hour: entry for entry in report.first_response_by_hour if entry.count}
    assert [entry.hour for entry in report.first_response_by_hour] == list(range(24))
    assert hours == {
        11: HourResponse(11, 1, 20.0),  # Fedor, 08:00 UTC
        12: HourResponse(12, 4, 45.0),  # Anna twice, Bob, Dima
        13: HourResponse(13, 1, 45.0),
        14: HourResponse(14, 2, 47.5),
    }
    assert report.qualification == RateFigure(1, 3)  # Anna, Dima, Fedor; only Anna became a lead
    assert report.booking == RateFigure(1, 4)  # Bob, Eva, Gleb, Hanna; Eva booked
    assert report.solved_without_person == RateFigure(6, 8)  # Vera taken over, Dima escalated
    assert report.solved_without_person.rate == 0.75
    assert (
        report.drop_offs
        == (
            DropOff("booking", "booking_new", 2),  # Bob and Hanna never said when
            DropOff("booking", GLEB_QUESTION[:60], 1),
        )
    )
    assert report.price_to_payment == Durations(1, 86400.0, 86400.0)
    satisfaction = report.satisfaction
    assert satisfaction.ticket_outcomes == (OutcomeCount("escalated", 1), OutcomeCount("solved_by_bot", 1))
    assert (satisfaction.thanks, satisfaction.escalations, satisfaction.opt_outs) == (1, 1, 1)


@on_every_database
async def test_recent_silence_is_not_yet_a_drop_off(stores: BusinessStores, clock: FrozenClock) -> None:
    await _two_days(stores, clock)
    report = await stores.business_metrics.report(START, datetime(2027, 3, 4, tzinfo=UTC), MOSCOW)
    assert DropOff("sales", "pricing", 1) in report.drop_offs  # Fedor, silent for two days now
    assert report.qualification == RateFigure(2, 4)  # Ivan's question and lead are in this period


@on_every_database
async def test_an_empty_period_has_no_figures(stores: BusinessStores) -> None:
    report = await stores.business_metrics.report(START, END, MOSCOW)
    assert report.first_response == ResponseTimes(0, None, None, 0)
    assert report.first_response_by_channel == ()
    assert len(report.first_response_by_hour) == 24
    assert report.qualification.rate is None and report.booking == RateFigure(0, 0)
    assert report.solved_without_person.rate is None
    assert report.drop_offs == () and report.price_to_payment == Durations(0, None, None)
    assert report.satisfaction.ticket_outcomes == () and report.satisfaction.opt_outs == 0


@on_every_database
async def test_a_period_must_end_after_it_starts(stores: BusinessStores) -> None:
    with pytest.raises(InvalidInput):
        await stores.business_metrics.report(END, START, MOSCOW)


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([30.0, 90.0], 0.5) == 60.0
    assert percentile([10.0, 20.0, 30.0, 45.0], 0.9) == pytest.approx(40.5)
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([], 0.5) is None
