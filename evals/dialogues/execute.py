"""Play one dialogue's steps through the runner and grade each step (one trial)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from langchain_core.runnables import RunnableConfig

from agents.proactive.flows import FLOWS
from agents.understanding import Understanding
from evals.dialogues.checks import Observation, check_step, entity_values
from evals.dialogues.harness import Desk
from evals.dialogues.model import Advance, Dialogue, Event, Expectation, Json, Say, StaffAct, Step
from evals.dialogues.results import Reply, StepResult
from evals.dialogues.snapshot import snapshot
from graph import Inbound, TurnResult
from server.business_events import ServiceCompleted, handle_event
from server.timer_worker import TimerWorker
from tools.billing import InvoiceStatus
from tools.calendar import BookingStatus
from tools.conversations import ApprovalStatus, Message, Owner
from tools.errors import NotFound
from tools.ids import TicketId
from tools.tickets import TicketStatus

_LLM_SOURCES = frozenset({"llm", "llm-fallback"})


class StepFailed(Exception):
    """A step could not be carried out (no approval to decide, no invoice to pay…)."""


MAX_FIRINGS = 200
"""Timers fired in one ``advance`` step at most (a guard against a flow that keeps deferring)."""


@dataclass(frozen=True)
class _Done:
    """What carrying out a step returned, before it is observed."""

    replies: tuple[Reply, ...] = ()
    agent: str | None = None
    approval: bool = False


def _replies(messages: list[Message]) -> tuple[Reply, ...]:
    return tuple(Reply(m.text, m.agent, tuple(m.buttons), m.author) for m in messages if m.text)


def _turn(result: TurnResult) -> _Done:
    replies = _replies(result.replies)
    agent = result.agent or (replies[-1].agent if replies else None)
    return _Done(replies, agent if replies else None, result.approval_id is not None)


def understood(meaning: Understanding) -> dict[str, Json]:
    """An understanding as plain values for results."""
    return {
        "intent": meaning.intent.value,
        "confidence": round(meaning.confidence, 3),
        "language": meaning.language,
        "source": meaning.source,
        "repair": meaning.repair.value if meaning.repair is not None else None,
        "entities": entity_values(meaning),
    }


class Driver:
    """Carries out steps for one dialogue on one desk and observes what each did."""

    def __init__(self, dialogue: Dialogue, desk: Desk, *, hidden: frozenset[str] = frozenset()) -> None:
        self.dialogue, self.desk, self.hidden = dialogue, desk, hidden
        self.conversation_id = f"{dialogue.channel}:{dialogue.customer}"
        self.zone = desk.playbook.business.zone

    async def run(self, index: int, step: Step) -> StepResult:
        """Carry out `step` (the `index`-th) and grade it."""
        if isinstance(step, Say):
            return await self.say(index, step.text, step.expect)
        mark = self.desk.log.mark()
        started = time.perf_counter()
        kind, label = "advance", ""
        if isinstance(step, StaffAct):
            kind, label = "staff", f"{step.action}" + (f": {step.text}" if step.text else "")
            done = await self._staff(step)
        elif isinstance(step, Event):
            kind, label = "event", step.type
            done = await self._event(step)
        else:
            assert isinstance(step, Advance)
            label = str(step.delta)
            done = await self._advance(step.delta)
        return await self._observe(index, kind, label, done, step.expect, mark, started)

    async def say(self, index: int, text: str, expect: Expectation, *, kind: str = "say") -> StepResult:
        """Send a customer message through the runner and grade what came back."""
        mark = self.desk.log.mark()
        started = time.perf_counter()
        customer = self.dialogue.customer
        inbound = Inbound(
            self.dialogue.channel, customer, customer, text, message_id=f"{self.dialogue.id}-{index}"
        )
        done = _turn(await self.desk.runner.handle(inbound))
        return await self._observe(index, kind, text, done, expect, mark, started)

    async def _advance(self, delta: timedelta) -> _Done:
        """Move the clock, firing each timer at its own time on the way (what a live worker would do)."""
        clock, timers = self.desk.clock, self.desk.raw.timers
        target = clock.now() + delta
        worker = TimerWorker(self.desk.runner.deps, FLOWS, owner="eval")
        before = {m.id for m in await self.desk.raw.conversations.transcript(self.conversation_id)}
        for _ in range(MAX_FIRINGS):
            due = await timers.next_due_at()
            if due is None or due > target:
                break
            clock.set(max(due, clock.now()))
            await worker.run_once()
        clock.set(target)
        sent = [
            m
            for m in await self.desk.raw.conversations.transcript(self.conversation_id)
            if m.id not in before and m.reply_to is None
        ]
        replies = _replies(sent)
        return _Done(replies, replies[-1].agent if replies else None)

    async def _staff(self, act: StaffAct) -> _Done:
        conversations = self.desk.raw.conversations
        if act.action in {"approve", "edit", "reject"}:
            pending = await conversations.list_approvals(
                status=ApprovalStatus.PENDING, conversation_id=self.conversation_id
            )
            if not pending:
                raise StepFailed(f"staff {act.action}: no pending approval in {self.conversation_id}")
            result = await self.desk.runner.decide(
                pending[-1].id, action=act.action, by=act.by, note=act.note, changes=dict(act.changes) or None
            )
            return _turn(result)
        if act.action == "reply":
            message = await self.desk.runner.staff_reply(self.conversation_id, act.text or "", by=act.by)
            return _Done(_replies([message]), "staff")
        owner = Owner.STAFF if act.action == "takeover" else Owner.BOT
        await conversations.set_owner(
            self.conversation_id, owner, staff_id=act.by.removeprefix("staff:"), actor=act.by
        )
        return _Done()

    async def _event(self, event: Event) -> _Done:
        if event.type == "ticket":
            return await self._ticket(event)
        if event.type == "service_completed":
            return await self._service_completed()
        return await self._payment()

    async def _service_completed(self) -> _Done:
        """The customer's latest confirmed booking is reported done, through the events API's handler."""
        conversation = await self.desk.raw.conversations.get_conversation(self.conversation_id)
        bookings = await self.desk.raw.calendar.list_bookings(
            contact_id=conversation.contact_id, statuses=frozenset({BookingStatus.CONFIRMED})
        )
        if not bookings:
            raise StepFailed(f"service_completed: no confirmed booking in {self.conversation_id}")
        booking = max(bookings, key=lambda b: b.created_at)
        event = ServiceCompleted(type="service_completed", id=f"eval:{booking.id}", booking_id=booking.id)
        await handle_event(event, sender="eval", stores=self.desk.raw, runner=self.desk.runner)
        return _Done()

    async def _payment(self) -> _Done:
        invoices = [i for i in await self.desk.raw.billing.list_invoices() if i.status is InvoiceStatus.OPEN]
        if not invoices:
            raise StepFailed("payment: no open invoice to pay")
        invoice = invoices[0]
        await self.desk.raw.billing.record_payment(
            invoice.id,
            amount_minor=invoice.amount_minor,
            provider="builtin",
            provider_reference=f"eval:{invoice.id}",
            key=f"eval-payment:{invoice.id}",
        )
        messages = await self.desk.runner.invoice_paid(invoice.id)
        return _Done(_replies(messages), "billing" if messages else None)

    async def _ticket(self, event: Event) -> _Done:
        tickets = [
            t for t in await self.desk.raw.tickets.list_tickets() if t.conversation_id == self.conversation_id
        ]
        if not tickets:
            raise StepFailed(f"ticket: no ticket in {self.conversation_id}")
        messages = await self.desk.runner.ticket_update(
            TicketId(tickets[0].id),
            by="staff:eval",
            status=TicketStatus(event.status) if event.status else None,
            assignee=event.assignee,
            note=event.note,
        )
        return _Done(_replies(messages), "support" if messages else None)

    async def owned_by_staff(self) -> bool:
        """Whether staff own the conversation now."""
        try:
            conversation = await self.desk.raw.conversations.get_conversation(self.conversation_id)
        except NotFound:
            return False
        return conversation.owner is Owner.STAFF

    async def slots(self, agent: str | None) -> dict[str, Json]:
        """The shared slots and those of the active specialist (or `agent`), from the graph state."""
        config: RunnableConfig = {"configurable": {"thread_id": self.conversation_id}}
        state = await self.desk.runner.graph.aget_state(config)
        values = state.values or {}
        active = values.get("active_agent") or agent or ""
        own = (values.get("slots") or {}).get(active) or {}
        return {str(k): str(v) for k, v in {**(values.get("shared") or {}), **own}.items()}

    async def _observe(
        self,
        index: int,
        kind: str,
        label: str,
        done: _Done,
        expect: Expectation,
        mark: tuple[int, int],
        started: float,
    ) -> StepResult:
        latency = (time.perf_counter() - started) * 1000
        calls, meanings = self.desk.log.since(mark)
        records = await snapshot(self.desk.raw, [r.kind for r in expect.records], hidden=self.hidden)
        seen = Observation(
            zone=self.zone,
            default_language=self.desk.playbook.business.default_language,
            replies=done.replies,
            agent=done.agent,
            understanding=meanings[-1] if meanings else None,
            slots=await self.slots(done.agent) if expect.slots else {},
            calls=calls,
            approval=done.approval,
            handoff=await self.owned_by_staff(),
            records=records,
        )
        checks, tools = check_step(expect, seen, dialogue=self.dialogue, base=f"steps[{index}].expect")
        return StepResult(
            index=index,
            kind=kind,
            input=label,
            replies=done.replies,
            agent=done.agent,
            understood=understood(meanings[-1]) if meanings else None,
            calls=calls,
            approval=seen.approval,
            handoff=seen.handoff,
            latency_ms=round(latency, 2),
            llm_calls=sum(1 for m in meanings if m.source in _LLM_SOURCES),
            llm_tokens=sum(m.llm_tokens for m in meanings),
            checks=checks,
            tools=tools,
        )
