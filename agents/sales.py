"""The sales qualifier: price question → 2–4 questions → range or package → contact + consent → lead."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal, InvalidOperation

from agents._common import (
    learn_contact_details,
    looks_like_name,
    ordinal_pick,
    save_contact,
    service_name,
    yes_no,
)
from agents.base import ApprovalRequest, Decision, Outcome, Turn
from agents.discounts import asks_for_discount, decide_discount, offer_discounts, pick_discount
from agents.reactivation import answer_reactivation
from agents.understanding import ChoiceKind, Repair
from agents.understanding.entities import parse_money
from tools.crm import IG_COMMENT_SOURCE, Lead, LeadChanges, LeadSource, LeadStage, NewLead
from tools.followup_timers import stalled_lead_timer
from tools.intents import Intent
from tools.leads import LeadFacts, choose_owner, qualify
from tools.money import per_unit
from tools.notifications import NewNotification, NotificationKind
from tools.playbook.catalog import Package, Product, Service
from tools.playbook.rules import QualificationQuestion

QUESTION_SLOTS = ("need", "budget", "timeline", "location", "decision_role", "size")


def _lang(turn: Turn) -> str:
    return "ru" if turn.language == "ru" else "en"


def _today(turn: Turn) -> date:
    return turn.deps.clock.now().astimezone(turn.deps.playbook.business.zone).date()


def _learn(turn: Turn, slots: dict[str, str]) -> None:
    """Fill qualification slots from what the message says (a correction overwrites)."""
    entities = turn.meaning.entities
    overwrite = turn.meaning.repair is Repair.CORRECT
    services = [m for m in entities.catalog if m.kind in {"service", "product"}]
    if services and (overwrite or "service" not in slots):
        slots["service"] = services[0].id
    regions = [m for m in entities.catalog if m.kind == "region"]
    if regions and (overwrite or "location" not in slots):
        slots["location"] = regions[0].id
    if entities.money and (overwrite or "budget" not in slots):
        amounts = [m.amount for m in entities.money]
        slots["budget"] = str(amounts[-1] if overwrite else max(amounts))
    if entities.dates and (overwrite or "timeline" not in slots):
        mention = entities.dates[0]
        day = mention.until or mention.day
        if day is not None:
            slots["timeline"] = str(max((day - _today(turn)).days, 0))
    if entities.quantities and (overwrite or "size" not in slots):
        quantity = entities.quantities[0]
        slots["size"] = f"{quantity.value} {quantity.unit}"
    _learn_answer(turn, slots)


def _another_service(turn: Turn, slots: dict[str, str]) -> str | None:
    """A service or product the message names other than the one being discussed (None: no other)."""
    named = [m.id for m in turn.meaning.entities.catalog if m.kind in {"service", "product"}]
    return named[0] if named and named[0] != slots.get("service") else None


def _asks_a_price_again(turn: Turn, slots: dict[str, str]) -> bool:
    """Instead of answering yes or no to the offer, the customer asks a price (of this or another service).

    Then the question is answered afresh ("and a pedicure?" is not a "no"): `slots` forget the
    offer, and the other service when one is named.
    """
    if turn.meaning.entities.choice is not None:
        return False
    other = _another_service(turn, slots)
    if turn.meaning.intent is not Intent.PRICING and other is None:
        return False
    slots.pop("stage", None)
    if other is not None:
        slots.pop("service", None)
    return True


def _learn_answer(turn: Turn, slots: dict[str, str]) -> None:
    """Take the customer's own words as the answer to the question just asked.

    A correction of an earlier answer ("ой, бюджет не 7000, а 20000") is not an answer to the
    pending question, which is asked again.
    """
    entities = turn.meaning.entities
    expecting = turn.expecting or ""
    if turn.meaning.repair is Repair.CORRECT:
        return
    if expecting == "q:need" and "need" not in slots and turn.meaning.text.strip():
        slots["need"] = turn.meaning.text.strip()[:200]
    if expecting == "q:decision_role" and "decision_role" not in slots:
        choice = entities.choice
        if choice is not None and choice.kind in {ChoiceKind.YES, ChoiceKind.NO}:
            slots["decision_role"] = "yes" if choice.kind is ChoiceKind.YES else "no"
        elif turn.meaning.text.strip():
            slots["decision_role"] = turn.meaning.text.strip()[:100]
    if expecting.startswith("q:") and expecting[2:] not in slots:
        slot = expecting[2:]
        text = turn.meaning.text.strip()
        if turn.meaning.repair is Repair.SKIP:
            slots[slot] = "-"
        elif slot == "budget":
            _learn_budget(turn, slots)
        elif text and not text.endswith("?"):
            slots[slot] = _choice_label(turn, slot) or text[:200]


def _learn_budget(turn: Turn, slots: dict[str, str]) -> None:
    """A budget from a picked button ("Up to 500,000") or, after asking twice, unknown."""
    label = _choice_label(turn, "budget")
    amounts = parse_money(label) if label else ()
    if amounts:
        slots["budget"] = str(max(m.amount for m in amounts))
        return
    slots["budget_asked"] = str(int(slots.get("budget_asked", "0")) + 1)
    if int(slots["budget_asked"]) >= 2:
        slots["budget"] = "-"


def _choice_label(turn: Turn, slot: str) -> str | None:
    """The label of the button a "2" / "второй" answer picks, for a question with choices."""
    question = next((q for q in turn.deps.playbook.qualification.questions if q.slot == slot), None)
    if question is None or not question.choices:
        return None
    picked = ordinal_pick(turn.meaning.entities.choice, question.choices, turn.meaning.text)
    return picked.get(turn.language) if picked is not None else None


def facts(slots: dict[str, str]) -> LeadFacts:
    """The lead facts the playbook's rules are written against."""
    budget: Decimal | None = None
    try:
        budget = Decimal(slots["budget"]) if slots.get("budget", "-") != "-" else None
    except InvalidOperation:
        budget = None
    timeline = slots.get("timeline", "-")
    role = slots.get("decision_role")
    return LeadFacts(
        budget=budget,
        start_within_days=int(timeline) if timeline.isdigit() else None,
        service_id=slots.get("service"),
        region_id=slots.get("location") if slots.get("location", "-") != "-" else None,
        decision_maker=True if role == "yes" else False if role == "no" else None,
    )


async def _reactivation_answer(turn: Turn, outcome: Outcome) -> tuple[Outcome | None, Turn]:
    """An answer to a reactivation message, acted on; else the qualification goes on as if it had not asked."""
    if outcome.slots.get("mode") != "reactivation":
        return None, turn
    answered = await answer_reactivation(turn, outcome)
    if answered is not None:
        return answered, turn
    for key in ("mode", "steps", "lead", "pending"):
        outcome.slots.pop(key, None)
    return None, dataclasses.replace(turn, expecting=None)


class SalesQualifier:
    """Qualifies a lead the way the playbook says, then hands it to the right owner."""

    name = "sales"

    async def handle(self, turn: Turn) -> Outcome:
        """Advance the qualification one step."""
        slots = dict(turn.slots)
        outcome = Outcome(slots=slots)
        learn_contact_details(turn, outcome)
        answered, turn = await _reactivation_answer(turn, outcome)
        if answered is not None:
            return answered
        if turn.expecting == "name" and "name" not in outcome.shared and looks_like_name(turn.meaning.text):
            outcome.shared["name"] = turn.meaning.text.strip().title()
        shared = {**turn.shared, **outcome.shared}
        if turn.expecting == "discount":
            return pick_discount(turn, outcome)
        if asks_for_discount(turn.meaning.text):
            return offer_discounts(turn, outcome)
        if turn.expecting == "confirm:book" and not _asks_a_price_again(turn, slots):
            return self._after_offer(turn, outcome)
        if turn.expecting == "consent":
            return await self._consent(turn, outcome, shared)
        _learn(turn, slots)
        if turn.digression:
            outcome.done = True
            self._offer(turn, outcome, self._service(turn, slots))
            return outcome
        if turn.expecting == "phone" and turn.meaning.entities.phone_text and not turn.meaning.entities.phone:
            return outcome.say(turn.deps.replies.text("invalid_phone", turn.language)).expect("phone")
        service = self._service(turn, slots)
        if slots.get("stage") is None and service is not None and self._simple_price(service):
            slots["stage"] = "offered"
            price = self._price_text(turn, service)
            outcome.say(
                turn.deps.replies.text(
                    "price_answer", turn.language, service=service_name(turn, service.id), price=price
                )
            )
            await self._remind_if_quiet(turn, service)
            return self._offer_next_step(turn, outcome, service)
        question = self._next_question(turn, slots)
        if question is not None:
            if slots.get("stage") is None:
                outcome.say(turn.deps.replies.text("qualification_intro", turn.language))
            slots["stage"] = "qualifying"
            slots["asked"] = str(int(slots.get("asked", "0")) + 1)
            buttons = tuple(choice.get(_lang(turn)) for choice in question.choices)
            return outcome.say(question.ask.get(_lang(turn)), *buttons).expect(f"q:{question.slot}")
        if slots.get("stage") in (None, "qualifying"):
            slots["stage"] = "offered"
            self._offer(turn, outcome, service)
        if "name" not in shared:
            return outcome.say(turn.deps.replies.text("ask_name", turn.language)).expect("name")
        if "phone" not in shared and "email" not in shared:
            return outcome.say(turn.deps.replies.text("ask_contact", turn.language)).expect("phone")
        consent = turn.deps.playbook.consent.text.get(_lang(turn))
        return outcome.say(consent, *yes_no(turn.language)).expect("consent")

    def _service(self, turn: Turn, slots: dict[str, str]) -> Service | None:
        try:
            return turn.deps.playbook.service(slots["service"]) if "service" in slots else None
        except KeyError:
            return None

    @staticmethod
    def _simple_price(service: Service) -> bool:
        return service.bookable and not service.packages and service.price.amount is not None

    @staticmethod
    def _product(turn: Turn, slots: dict[str, str]) -> Product | None:
        try:
            return turn.deps.playbook.product(slots["service"]) if "service" in slots else None
        except KeyError:
            return None

    def _price_text(self, turn: Turn, service: Service | Product) -> str:
        playbook = turn.deps.playbook
        text = turn.deps.replies.price_range(
            playbook.minor_units(service.price.low), playbook.minor_units(service.price.high), turn.language
        )
        return text + per_unit(service.price.per, turn.language)

    def _next_question(self, turn: Turn, slots: dict[str, str]) -> QualificationQuestion | None:
        qualification = turn.deps.playbook.qualification
        if int(slots.get("asked", "0")) >= qualification.max_questions:
            return None
        for question in qualification.questions:
            if question.slot not in slots and not (question.slot == "need" and "service" in slots):
                return question
        return None

    def _offer(self, turn: Turn, outcome: Outcome, service: Service | None) -> None:
        replies = turn.deps.replies
        playbook = turn.deps.playbook
        product = self._product(turn, outcome.slots) if service is None else None
        if product is not None:
            outcome.say(
                replies.text(
                    "price_answer",
                    turn.language,
                    service=service_name(turn, product.id),
                    price=self._price_text(turn, product),
                )
            )
            return
        if service is None:
            prices = "; ".join(
                f"{service_name(turn, s.id)} — {self._price_text(turn, s)}" for s in playbook.services[:4]
            )
            outcome.say(replies.text("price_list", turn.language, prices=prices))
            return
        if service.packages:
            budget = facts(outcome.slots).budget
            ordered = sorted(service.packages, key=lambda p: p.price.low)
            fitting = [p for p in ordered if budget is None or p.price.low <= budget]
            best = (
                fitting[-1]
                if budget is not None and fitting
                else next((p for p in ordered if p.recommended), ordered[len(ordered) // 2])
            )
            others = [p for p in ordered if p.id != best.id]
            alternative = (
                others[-1]
                if others and others[-1].price.low < best.price.low
                else (others[0] if others else best)
            )
            lang = _lang(turn)

            def price(p: Package) -> str:
                return replies.price_range(
                    playbook.minor_units(p.price.low), playbook.minor_units(p.price.high), lang
                )

            outcome.slots["package"] = best.id
            outcome.say(
                replies.text(
                    "package_offer",
                    turn.language,
                    package=best.name.get(lang),
                    price=price(best),
                    includes=", ".join(best.includes.get(lang)[:3]),
                    alternative=alternative.name.get(lang),
                    alternative_price=price(alternative),
                )
            )
            return
        outcome.say(
            replies.text(
                "price_answer",
                turn.language,
                service=service_name(turn, service.id),
                price=self._price_text(turn, service),
            )
        )

    async def _remind_if_quiet(self, turn: Turn, service: Service) -> None:
        """After a price answer: should the customer go quiet, one follow-up later (any message cancels it)."""
        follow_up = stalled_lead_timer(
            contact_id=turn.contact_id,
            conversation_id=turn.conversation_id,
            service_id=service.id,
            now=turn.deps.clock.now(),
            after_hours=turn.deps.playbook.follow_ups.stalled_lead_hours,
        )
        await turn.deps.stores.timers.schedule(follow_up, key=turn.key("stalled-lead"))

    def _offer_next_step(self, turn: Turn, outcome: Outcome, service: Service | None) -> Outcome:
        yes, no = yes_no(turn.language)
        return outcome.say(turn.deps.replies.text("next_step_offer", turn.language), yes, no).expect(
            "confirm:book"
        )

    def _after_offer(self, turn: Turn, outcome: Outcome) -> Outcome:
        choice = turn.meaning.entities.choice
        if choice is not None and choice.kind is ChoiceKind.YES:
            outcome.done = True
            outcome.transfer = "booking"
            bookable = {s.id for s in turn.deps.playbook.services if s.bookable}
            if outcome.slots.get("service") in bookable:
                outcome.shared["service"] = outcome.slots["service"]
            return outcome
        outcome.done = True
        return outcome.say(turn.deps.replies.text("thanks_bye", turn.language))

    async def _consent(self, turn: Turn, outcome: Outcome, shared: dict[str, str]) -> Outcome:
        choice = turn.meaning.entities.choice
        if choice is None or choice.kind not in {ChoiceKind.YES, ChoiceKind.NO}:
            consent = turn.deps.playbook.consent.text.get(_lang(turn))
            return outcome.say(consent, *yes_no(turn.language)).expect("consent")
        deps = turn.deps
        consent_text = deps.playbook.consent.text.get(_lang(turn))
        await deps.stores.crm.record_consent(
            turn.contact_id,
            purpose="contact",
            granted=choice.kind is ChoiceKind.YES,
            text=consent_text,
            channel=turn.channel,
            key=turn.key("consent"),
        )
        outcome.done = True
        if choice.kind is ChoiceKind.NO:
            return outcome.say(deps.replies.text("lead_declined_consent", turn.language))
        await save_contact(turn, shared)
        lead_facts = facts(outcome.slots)
        tag = qualify(deps.playbook, lead_facts)
        owner = choose_owner(deps.playbook, lead_facts, await deps.stores.crm.open_lead_counts())
        answers = {
            k: v for k, v in outcome.slots.items() if k in QUESTION_SLOTS or k in {"service", "package"}
        }
        summary = self._summary(turn, answers, tag, shared)
        lead = await _save_lead(
            turn,
            NewLead(
                turn.contact_id,
                LeadSource(turn.channel, outcome.slots.get("source")),
                service_id=outcome.slots.get("service"),
                answers=answers,
                tags=[tag],
                owner_id=owner,
                summary=summary,
            ),
        )
        kind = NotificationKind.HOT_LEAD if tag == "hot" else NotificationKind.TASK
        await deps.stores.notifications.notify(
            NewNotification(
                kind,
                owner,
                f"{'Hot lead' if tag == 'hot' else 'New lead'}: {shared.get('name', '')}",
                summary,
                link=f"{deps.console_url}/console/conversations/{turn.conversation_id}",
            ),
            key=turn.key("lead-notify"),
        )
        outcome.actions.append(f"lead {lead.id} created ({tag}, owner {owner})")
        team = deps.playbook.internal_routing.teams.get("sales")
        owner_name = deps.playbook.staff_member(owner).name.get(_lang(turn))
        outcome.say(
            deps.replies.text(
                "lead_thanks",
                turn.language,
                name=shared.get("name", ""),
                owner=owner_name,
                hours=team.response_hours if team else 24,
            )
        )
        if not any(s.bookable for s in deps.playbook.services):
            return outcome
        outcome.done = False
        outcome.slots = {"stage": "after-lead", "service": outcome.slots.get("service", "")}
        return self._offer_next_step(turn, outcome, None)

    def _summary(self, turn: Turn, answers: dict[str, str], tag: str, shared: dict[str, str]) -> str:
        parts = [f"{key}: {value}" for key, value in answers.items() if value != "-"]
        contact = shared.get("phone") or shared.get("email") or ""
        next_reply = "offer a call or a booking today" if tag == "hot" else "send prices and examples"
        return (
            f"[{tag}] {shared.get('name', '')} {contact} via {turn.channel}. "
            + "; ".join(parts)
            + f". Recommended next reply: {next_reply}."
        )

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Staff decided about a discount the customer asked for."""
        outcome = Outcome(slots=dict(turn.slots), done=True)
        return decide_discount(turn, request, decision, outcome)


async def _save_lead(turn: Turn, lead: NewLead) -> Lead:
    """Open the lead, or qualify the one a public comment opened (its source, the post, is kept)."""
    crm = turn.deps.stores.crm
    from_comment = [
        found
        for found in await crm.list_leads(contact_id=lead.contact_id, stage=LeadStage.NEW)
        if found.source.detail == IG_COMMENT_SOURCE
    ]
    if not from_comment:
        return await crm.create_lead(lead, key=turn.key("lead"), actor="agent:sales")
    changes = LeadChanges(
        tags=lead.tags,
        owner_id=lead.owner_id,
        answers=lead.answers,
        summary=lead.summary,
        service_id=lead.service_id,
    )
    return await crm.update_lead(from_comment[0].id, changes, key=turn.key("lead"), actor="agent:sales")
