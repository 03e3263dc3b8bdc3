"""The internal router: partnership, press, vacancies, supplier invoices → the right team, with what it needs."""

from __future__ import annotations

import re
from datetime import timedelta

from agents._common import learn_contact_details
from agents.base import ApprovalRequest, Decision, Outcome, Turn
from agents.team_tasks import hand_to_team
from tools.intents import Intent
from tools.notifications import NotificationKind

KINDS = {
    Intent.INTERNAL_PARTNERSHIP: "partnership",
    Intent.INTERNAL_PR: "pr",
    Intent.INTERNAL_VACANCY: "vacancy",
    Intent.INTERNAL_VENDOR_INVOICE: "vendor_invoice",
    Intent.INTERNAL_ADMIN: "admin",
}
FIELD_WORDS: dict[str, dict[str, str]] = {
    "email": {"en": "an email for the reply", "ru": "email для ответа"},
    "phone": {"en": "a phone number", "ru": "телефон"},
    "phone_or_email": {"en": "a phone or email for the reply", "ru": "телефон или email для ответа"},
    "name": {"en": "your name", "ru": "ваше имя"},
    "contact_name": {"en": "your name", "ru": "ваше имя"},
    "full_name": {"en": "your full name", "ru": "ваши фамилию и имя"},
    "company": {"en": "your company's name", "ru": "название компании"},
    "inn": {"en": "the company's tax number (INN)", "ru": "ИНН компании"},
    "proposal": {"en": "a short description of the proposal", "ru": "кратко суть предложения"},
    "outlet": {"en": "the media outlet", "ru": "название издания"},
    "topic": {"en": "the topic", "ru": "тему материала"},
    "deadline": {"en": "the deadline", "ru": "сроки"},
    "invoice_number": {"en": "the invoice number", "ru": "номер счёта"},
    "amount": {"en": "the amount", "ru": "сумму"},
    "due_date": {"en": "the payment due date", "ru": "срок оплаты"},
    "order_id": {"en": "the order number", "ru": "номер заказа"},
    "position": {"en": "the position you're interested in", "ru": "какая вакансия интересует"},
    "experience": {"en": "your experience", "ru": "ваш опыт"},
    "experience_years": {"en": "years of experience", "ru": "опыт работы, лет"},
    "trade": {"en": "your trade", "ru": "вашу специальность"},
    "portfolio": {"en": "a link to your portfolio", "ru": "ссылку на портфолио"},
    "portfolio_or_resume": {"en": "a link to your portfolio or CV", "ru": "ссылку на портфолио или резюме"},
    "object_address": {"en": "the address of the property", "ru": "адрес объекта"},
    "request": {"en": "what the request is about", "ru": "суть запроса"},
    "details": {"en": "the details", "ru": "подробности"},
}
SHARED_FOR: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "contact_name": ("name",),
    "full_name": ("name",),
    "email": ("email",),
    "phone": ("phone",),
    "phone_or_email": ("phone", "email"),
}
"""Required fields that the shared contact details already answer."""


def _field_label(field: str, language: str) -> str:
    words = FIELD_WORDS.get(field)
    if words:
        return words[language]
    return field.replace("_", " ")


_INN = re.compile(r"(?<!\d)(\d{10}|\d{12})(?!\d)")
_COMPANY = re.compile(r"([^,.;\n]*\b(?:LLC|Ltd|Inc|GmbH|ООО|ИП|АО|ПАО|ЗАО)\b[^,.;\n]*)", re.IGNORECASE)
_INVOICE = re.compile(
    r"(?:invoice|сч[её]т)\s*(?:no\.?|№|#|number|номер)?\s*([A-Za-zА-Яа-я0-9][\w/-]*\d[\w/-]*)", re.IGNORECASE
)


def harvest(turn: Turn, wanted: list[str]) -> dict[str, str]:
    """Details a message gives for several fields at once ("Keramika LLC, invoice 118, 84 500 RUB, due 15 March")."""
    entities = turn.meaning.entities
    text = turn.meaning.text
    found: dict[str, str] = {}
    for field in wanted:
        value: str | None = None
        if field in {"amount"} and entities.money:
            value = entities.money[0].text
        elif field in {"due_date", "deadline"} and entities.dates:
            value = entities.dates[0].text
        elif field == "order_id" and entities.order_id:
            value = entities.order_id
        elif field == "inn":
            match = _INN.search(text)
            value = match.group(1) if match else None
        elif field == "company":
            match = _COMPANY.search(text)
            value = match.group(1).strip() if match else None
        elif field == "invoice_number":
            match = _INVOICE.search(text)
            value = match.group(1) if match else None
        elif field == "email":
            value = entities.email
        elif field in {"phone", "phone_or_email"}:
            value = entities.phone or (entities.email if field == "phone_or_email" else None)
        if value:
            found[f"f:{field}"] = value
    return found


class InternalRouter:
    """Collects a non-customer request's required details and routes a summary to the team."""

    name = "internal"

    async def handle(self, turn: Turn) -> Outcome:
        """Ask for the next missing detail, or route the request."""
        slots = dict(turn.slots)
        outcome = Outcome(slots=slots)
        learn_contact_details(turn, outcome)
        routing = turn.deps.playbook.internal_routing
        if "kind" not in slots:
            slots["kind"] = KINDS.get(turn.meaning.intent, "admin")
            slots["first"] = turn.meaning.text.strip()[:500]
        kind = slots["kind"]
        request = routing.requests.get(kind) or next(iter(routing.requests.values()))  # type: ignore[call-overload]
        if turn.expecting and turn.expecting.startswith("field:"):
            field = turn.expecting.removeprefix("field:")
            entities = turn.meaning.entities
            value = (
                entities.email if field == "email" else entities.phone if field == "phone" else None
            ) or turn.meaning.text.strip()
            if value:
                slots[f"f:{field}"] = value[:500]
        for name, value in harvest(turn, list(request.required_fields)).items():
            slots.setdefault(name, value)
        known = {**turn.shared, **outcome.shared}
        lang = "ru" if turn.language == "ru" else "en"
        for field in request.required_fields:
            if f"f:{field}" in slots or any(known.get(name) for name in SHARED_FOR.get(field, (field,))):
                continue
            question = turn.deps.replies.text(
                "internal_ask_field", turn.language, field=_field_label(field, lang)
            )
            if turn.expecting and turn.expecting.startswith("field:"):
                question = f"{turn.deps.replies.text('accepted', turn.language)} {question}"
            return outcome.say(question).expect(f"field:{field}")
        return await self._route(turn, outcome, request.team)

    async def _route(self, turn: Turn, outcome: Outcome, team_id: str) -> Outcome:
        deps = turn.deps
        team = deps.playbook.internal_routing.teams[team_id]  # type: ignore[index]
        known = {**turn.shared, **outcome.shared}
        details = {k.removeprefix("f:"): v for k, v in outcome.slots.items() if k.startswith("f:")}
        for field in ("name", "phone", "email"):
            if known.get(field):
                details.setdefault(field, known[field])
        kind = outcome.slots["kind"]
        summary = (
            f"{kind}: "
            + "; ".join(f"{k}: {v}" for k, v in details.items())
            + f". First message: {outcome.slots.get('first', '')}"
        )
        task = await hand_to_team(
            turn,
            team=team_id,
            title=f"Internal request: {kind}",
            details=summary,
            accept_by=deps.clock.now() + timedelta(hours=team.response_hours),
            reference=f"internal:{kind}",
            notification=NotificationKind.INTERNAL_REQUEST,
            actor="agent:internal",
        )
        outcome.actions.append(f"task {task.id} for {team_id}")
        outcome.done = True
        outcome.slots = {}
        lang = "ru" if turn.language == "ru" else "en"
        return outcome.say(
            deps.replies.text(
                "internal_ack", turn.language, team=team.name.get(lang), hours=team.response_hours
            )
        )

    async def resume(self, turn: Turn, request: ApprovalRequest, decision: Decision) -> Outcome:
        """Internal routing does not ask for approval."""
        return Outcome(slots=dict(turn.slots))
