"""Quoting: scope checklist → estimate with assumptions and a range → consent → invoice and payment link.

An estimate above the playbook's approval threshold pauses for staff, who
approve it, edit the amounts, or reject it with a reason the customer hears.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from agents._common import learn_contact_details, ordinal_pick, save_contact, service_name, yes_no
from agents.base import ApprovalRequest, Decision, Outcome, Turn
from agents.project_match import project_keywords
from agents.understanding import ChoiceKind, Repair
from tools.billing import LineItem, NewQuote, QuoteStatus
from tools.followup_timers import quote_timers
from tools.ids import QuoteId
from tools.playbook.catalog import ScopeQuestion, Service
from tools.reactivation_timers import after_quote


def _lang(turn: Turn) -> str:
    return "ru" if turn.language == "ru" else "en"


def estimate(service: Service, answers: dict[str, str]) -> tuple[Decimal, Decimal, list[str]]:
    """The low and high estimate (major units) and the lines it is made of."""
    rules = service.estimate
    assert rules is not None
    low, high = rules.base.low, rules.base.high
    lines = []
    if rules.per_unit is not None:
        quantity = Decimal(0)
        for question in rules.scope:
            if question.kind == "number" and question.unit == rules.unit and question.id in answers:
                try:
                    quantity = Decimal(answers[question.id])
                except InvalidOperation:
                    quantity = Decimal(0)
        low += rules.per_unit.low * quantity
        high += rules.per_unit.high * quantity
        lines.append(f"{quantity} {rules.unit}")
    multiplier, extra = Decimal(1), Decimal(0)
    for question in rules.scope:
        for choice in question.choices:
            if answers.get(question.id) == choice.id:
                multiplier *= choice.multiplier
                extra += choice.extra
    return (
        (low * multiplier + extra).quantize(Decimal(1)),
        (high * multiplier + extra).quantize(Decimal(1)),
        lines,
    )


def _answer(turn: Turn, question: ScopeQuestion) -> str | None:
    meaning = turn.meaning
    if meaning.repair is Repair.SKIP and not question.required:
        return "-"
    if question.kind == "number":
        for quantity in meaning.entities.quantities:
            if (
                question.unit is None
                or quantity.unit == question.unit
                or question.unit.startswith(quantity.unit)
            ):
                return str(quantity.value)
        digits = "".join(ch if ch.isdigit() or ch in ".," else " " for ch in meaning.text).split()
        return digits[0].replace(",", ".") if digits else None
    if question.kind == "choice":
        choice = meaning.entities.choice
        picked = ordinal_pick(choice, question.choices, meaning.text)
        if picked is not None:
            return picked.id
        text = meaning.text.lower()
        for option in question.choices:
            if any(
                label.lower() in text or text in label.lower() for label in option.label.root.values() if text
            ):
                return option.id
        return None
    if question.kind == "yes_no":
        choice = meaning.entities.choice
        if choice is not None and choice.kind in {ChoiceKind.YES, ChoiceKind.NO}:
            return "yes" if choice.kind is ChoiceKind.YES else "no"
        return None
    return meaning.text.strip()[:300] or None


class QuotingAgent:
    """Estimates projects and turns accepted estimates into invoices."""

    name = "quoting"

    async def handle(self, turn: Turn) -> Outcome:
        """Advance the quote one step."""
        slots = dict(turn.slots)
        outcome = Outcome(slots=slots)
        learn_contact_details(turn, outcome)
        playbook = turn.deps.playbook
        projects = [s for s in playbook.services if s.estimate is not None]
        if "service" not in slots:
            matches = [m for m in turn.meaning.entities.catalog if m.id in {s.id for s in projects}]
            picked = (
                ordinal_pick(turn.meaning.entities.choice, turn.offered, turn.meaning.text)
                if turn.expecting == "service"
                else None
            )
            if matches:
                slots["service"] = matches[0].id
            elif picked is not None:
                slots["service"] = picked
            elif not turn.meaning.entities.catalog and (
                keyword := project_keywords(playbook).project_for(turn.meaning.text)
            ):
                slots["service"] = keyword
            if "service" not in slots and self._non_standard(turn):
                return self._ask_staff(turn, outcome)
            if "service" not in slots:
                names = [service_name(turn, s.id) for s in projects[:5]]
                return outcome.say(
                    turn.deps.replies.text("booking_ask_service", turn.language, services=", ".join(names)),
                    *names,
                ).expect("service", tuple(s.id for s in projects[:5]))
            outcome.say(
                turn.deps.replies.text(
                    "quote_intro", turn.language, service=service_name(turn, slots["service"])
                )
            )
        service = playbook.service(slots["service"])
        assert service.estimate is not None
        if turn.expecting == "contact" and slots.get("awaiting_contact"):
            return await self._invoice_or_ask_contact(turn, outcome, service)
        scope = service.estimate.scope
        corrected = turn.meaning.repair is Repair.CORRECT and self._correct(turn, slots, scope)
        if corrected and turn.expecting == "consent":
            return self._present(turn, outcome, service)
        if turn.expecting == "consent":
            return await self._consent(turn, outcome, service)
        if turn.expecting and turn.expecting.startswith("scope:") and not corrected:
            question = next((q for q in scope if q.id == turn.expecting.removeprefix("scope:")), None)
            if question is not None:
                value = _answer(turn, question)
                if value is None:
                    return self._ask(turn, outcome, question, scope)
                slots[f"a:{question.id}"] = value
        for question in scope:
            if f"a:{question.id}" not in slots:
                return self._ask(turn, outcome, question, scope)
        return self._present(turn, outcome, service)

    @staticmethod
    def _non_standard(turn: Turn) -> bool:
        """A described request that matches nothing in the catalogue, when the playbook sends those to staff."""
        playbook = turn.deps.playbook
        described = len(turn.meaning.text.split()) >= 4 and turn.expecting != "service"
        return playbook.approvals.non_standard_requests and described and not turn.meaning.entities.catalog

    def _ask_staff(self, turn: Turn, outcome: Outcome) -> Outcome:
        summary = f"Non-standard request (not in the catalogue): {turn.meaning.text[:500]}"
        outcome.slots["non_standard"] = turn.meaning.text[:500]
        outcome.approval = ApprovalRequest(
            "non_standard", summary, {"request": turn.meaning.text[:500], "answer": ""}
        )
        return outcome.say(turn.deps.replies.text("non_standard_ack", turn.language))

    @staticmethod
    def _correct(turn: Turn, slots: dict[str, str], scope: list[ScopeQuestion]) -> bool:
        """Apply "не 40, а 45 м2" / "actually 4 rooms" to the answered question with that unit."""
        changed = False
        for quantity in turn.meaning.entities.quantities:
            for question in scope:
                unit = question.unit or ("rooms" if "room" in question.id else None)
                if question.kind == "number" and unit == quantity.unit and f"a:{question.id}" in slots:
                    slots[f"a:{question.id}"] = str(quantity.value)
                    changed = True
        return changed

    def _ask(
        self, turn: Turn, outcome: Outcome, question: ScopeQuestion, scope: list[ScopeQuestion]
    ) -> Outcome:
        lang = _lang(turn)
        buttons = [choice.label.get(lang) for choice in question.choices]
        if question.kind == "yes_no":
            buttons = list(yes_no(turn.language))
        text = turn.deps.replies.text(
            "quote_scope_question",
            turn.language,
            step=scope.index(question) + 1,
            total=len(scope),
            question=question.ask.get(lang),
        )
        return outcome.say(text, *buttons).expect(f"scope:{question.id}")

    def _present(self, turn: Turn, outcome: Outcome, service: Service) -> Outcome:
        deps = turn.deps
        answers = {k.removeprefix("a:"): v for k, v in outcome.slots.items() if k.startswith("a:")}
        low, high, _ = estimate(service, answers)
        outcome.slots["low"], outcome.slots["high"] = str(low), str(high)
        if high > deps.playbook.approvals.quote_amount_over and outcome.slots.get("approved") != "yes":
            summary = (
                f"Quote for {service.id} above {deps.playbook.approvals.quote_amount_over}: {low}–{high} "
                f"{deps.playbook.business.currency}. Scope: "
                + ", ".join(f"{k}={v}" for k, v in answers.items())
            )
            outcome.approval = ApprovalRequest(
                "quote", summary, {"low": str(low), "high": str(high), "service": service.id}
            )
            return outcome.say(deps.replies.text("approval_pending", turn.language))
        return self._estimate_reply(turn, outcome, service, low, high)

    def _estimate_reply(
        self, turn: Turn, outcome: Outcome, service: Service, low: Decimal, high: Decimal
    ) -> Outcome:
        deps = turn.deps
        rules = service.estimate
        assert rules is not None
        playbook = deps.playbook
        price = deps.replies.price_range(playbook.minor_units(low), playbook.minor_units(high), turn.language)
        text = deps.replies.text(
            "quote_estimate",
            turn.language,
            service=service_name(turn, service.id),
            price=price,
            assumptions="; ".join(a.rstrip(".; ") for a in rules.assumptions.get(_lang(turn))[:3]),
            valid_days=rules.valid_days,
        )
        return outcome.say(text, *yes_no(turn.language)).expect("consent")

    async def _consent(self, turn: Turn, outcome: Outcome, service: Service) -> Outcome:
        deps = turn.deps
        choice = turn.meaning.entities.choice
        if choice is None or choice.kind not in {ChoiceKind.YES, ChoiceKind.NO}:
            return self._estimate_reply(
                turn, outcome, service, Decimal(outcome.slots["low"]), Decimal(outcome.slots["high"])
            )
        if choice.kind is ChoiceKind.NO:
            outcome.done = True
            outcome.slots = {}
            return outcome.say(deps.replies.text("quote_declined", turn.language))
        return await self._invoice_or_ask_contact(turn, outcome, service)

    async def _invoice_or_ask_contact(self, turn: Turn, outcome: Outcome, service: Service) -> Outcome:
        """Issue the invoice once a phone or email is known (asked for first, once)."""
        deps = turn.deps
        known = {**turn.shared, **outcome.shared}
        if not known.get("phone") and not known.get("email"):
            outcome.slots["awaiting_contact"] = "yes"
            invalid = turn.expecting == "contact" and turn.meaning.entities.phone_text is not None
            return outcome.say(
                deps.replies.text("invalid_phone" if invalid else "ask_contact", turn.language)
            ).expect("contact")
        outcome.done = True
        await save_contact(turn, known)
        playbook = deps.playbook
        low, high = Decimal(outcome.slots["low"]), Decimal(outcome.slots["high"])
        rules = service.estimate
        assert rules is not None
        item = LineItem(
            service_name(turn, service.id),
            Decimal(1),
            None,
            playbook.minor_units(low),
            playbook.minor_units(high),
        )
        quote = await deps.stores.billing.create_quote(
            NewQuote(
                turn.contact_id,
                [item],
                playbook.business.currency,
                deps.clock.now() + timedelta(days=rules.valid_days),
                service_id=service.id,
                assumptions=rules.assumptions.get(_lang(turn)),
            ),
            key=turn.key("quote"),
            actor="agent:quoting",
        )
        if quote.status is QuoteStatus.DRAFT:
            await deps.stores.billing.set_quote_status(
                quote.id, QuoteStatus.SENT, key=turn.key("quote-sent"), actor="agent:quoting"
            )
        current = await deps.stores.billing.get_quote(QuoteId(quote.id))
        if current.status is QuoteStatus.SENT:
            await deps.stores.billing.set_quote_status(
                quote.id,
                QuoteStatus.ACCEPTED,
                key=turn.key("quote-accepted"),
                actor=f"customer:{turn.contact_id}",
            )
        amount = (
            item.total_high_minor if item.total_low_minor == item.total_high_minor else item.total_low_minor
        )
        invoice = await deps.stores.billing.invoice_quote(
            quote.id,
            amount_minor=amount,
            due_at=deps.clock.now() + timedelta(days=3),
            key=turn.key("invoice"),
            actor="agent:quoting",
        )
        follow_ups = deps.playbook.follow_ups
        for key, timer in quote_timers(
            contact_id=turn.contact_id,
            conversation_id=turn.conversation_id,
            quote_id=quote.id,
            invoice_id=invoice.id,
            now=deps.clock.now(),
            reminder_hours=follow_ups.quote_reminder_hours,
            alternative_hours=follow_ups.quote_alternative_hours,
        ):
            await deps.stores.timers.schedule(timer, key=key)
        ladder_key, ladder = after_quote(
            contact_id=turn.contact_id,
            conversation_id=turn.conversation_id,
            quote_id=quote.id,
            invoice_id=invoice.id,
            lead_id=quote.lead_id,
            service_id=quote.service_id,
            now=deps.clock.now(),
            follow_ups=follow_ups,
        )
        await deps.stores.timers.schedule(ladder, key=ladder_key)
        outcome.actions += [f"quote {quote.id} accepted", f"invoice {invoice.id} issued"]
        outcome.slots = {}
        return outcome.say(
            deps.replies.text(
                "invoice_sent",
                turn.language,
                amount=deps.replies.money(amount, turn.language),
                link=deps.payments.link_for(invoice),
            )
        )

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Staff approved (maybe with new amounts) or rejected the estimate."""
        slots = dict(turn.slots)
        outcome = Outcome(slots=slots)
        if request.kind == "non_standard":
            outcome.done = True
            outcome.slots = {}
            if decision.action == "reject":
                reason = decision.note or (
                    "мы такое не выполняем" if turn.language == "ru" else "we don't do this"
                )
                return outcome.say(turn.deps.replies.text("approval_rejected", turn.language, reason=reason))
            answer = (
                decision.changes.get("answer")
                or decision.note
                or (
                    "менеджер свяжется с вами, чтобы обсудить детали"
                    if turn.language == "ru"
                    else "a manager will contact you to discuss the details"
                )
            )
            outcome.actions.append(f"non-standard request {decision.action}d by {decision.by}")
            return outcome.say(turn.deps.replies.text("non_standard_answer", turn.language, answer=answer))
        service = turn.deps.playbook.service(slots["service"])
        if decision.action == "reject":
            outcome.done = True
            outcome.slots = {}
            reason = decision.note or (
                "нужен выезд специалиста" if turn.language == "ru" else "a site visit is needed"
            )
            return outcome.say(turn.deps.replies.text("approval_rejected", turn.language, reason=reason))
        low = Decimal(decision.changes.get("low", slots["low"]))
        high = Decimal(decision.changes.get("high", slots["high"]))
        slots.update({"low": str(low), "high": str(high), "approved": "yes"})
        outcome.actions.append(f"estimate {decision.action}d by {decision.by}")
        return self._estimate_reply(turn, outcome, service, low, high)
