"""The customer's answer to a reactivation message: book, ask for a call back, or say it is no longer relevant.

Every reactivation message offers two next steps as buttons (a booking when there is something
to book, and a call back) plus "no longer relevant". A refusal ends the ladder and marks the
lead lost with the reason; a question is answered by the sales qualifier as usual.
"""

from __future__ import annotations

import re
from datetime import timedelta

from agents.base import Outcome, Turn
from agents.team_tasks import hand_to_team
from agents.understanding import ChoiceKind
from tools.crm import OPEN_STAGES, LeadChanges, LeadStage
from tools.followup_timers import followup_group
from tools.ids import ContactId, LeadId
from tools.intents import Intent
from tools.notifications import NotificationKind
from tools.playbook import Playbook

EXPECTING = "confirm:reactivation"
"""What a reactivation message asks for: one of its next steps, or a refusal."""
REACTIVATED_TAG = "reactivation"
"""The tag of a lead that got a reactivation message."""
DECLINED_TAG = "declined: reactivation"
OPTED_OUT_TAG = "opted out: reactivation"

BOOK, CALL, DECLINE = "book", "call", "decline"
_LABELS = {
    CALL: {"en": "Call me back", "ru": "Перезвоните мне"},
    DECLINE: {"en": "No longer relevant", "ru": "Уже неактуально"},
}
_DECLINES = re.compile(
    r"не ?актуальн|не интересн|не нужно|не надо|передумал|уже наш(ли|ла|ел)|выбрали друг|обойд[её]мся|отказ|"
    r"no longer|not interested|no thanks|no, thanks|don'?t need|found (someone|another)|not relevant|changed (my|our) mind",
    re.IGNORECASE,
)
_CALLS = re.compile(r"перезвон|позвон|звонок|созвон|call", re.IGNORECASE)
_BOOKS = re.compile(r"запис|\bbook|appointment|slot|свободн", re.IGNORECASE)


def _book_target(playbook: Playbook, service_id: str) -> str | None:
    """What "book" books: the lead's service when bookable, else the business's demo (a site visit, a trial)."""
    bookable = {s.id: s for s in playbook.services if s.bookable}
    if service_id in bookable:
        return service_id
    return next((s.id for s in bookable.values() if s.demo), None)


def next_steps(playbook: Playbook, service_id: str, language: str) -> list[tuple[str, str]]:
    """The message's buttons as (label, action): book (when possible), a call back, no longer relevant."""
    lang = "ru" if language == "ru" else "en"
    steps: list[tuple[str, str]] = []
    target = _book_target(playbook, service_id)
    if target is not None:
        name = playbook.service(target).name.get(lang) or ""
        if target == service_id:
            label = "Записаться" if lang == "ru" else "Book a time"
        else:
            label = f"Записаться: {name}" if lang == "ru" else f"Book: {name}"
        steps.append((label, BOOK))
    steps += [(_LABELS[CALL][lang], CALL), (_LABELS[DECLINE][lang], DECLINE)]
    return steps


def _action(turn: Turn, steps: list[str]) -> str | None:
    """The next step the customer picked, or None when the message is something else."""
    text = turn.meaning.text.strip().lower().lstrip("#").rstrip(".)!")
    if text.isdigit() and 0 < int(text) <= len(steps):
        return steps[int(text) - 1]
    lang = "ru" if turn.language == "ru" else "en"
    labels = {label.lower(): action for label, action in next_steps(turn.deps.playbook, "", lang)}
    labels.update({_LABELS[action][other].lower(): action for action in _LABELS for other in ("en", "ru")})
    if text in labels and labels[text] in steps:
        return labels[text]
    if text.startswith(("записаться", "book")) and BOOK in steps:
        return BOOK
    choice = turn.meaning.entities.choice
    if _DECLINES.search(text) or (
        choice is not None and choice.kind is ChoiceKind.NO and len(text.split()) <= 3
    ):
        return DECLINE
    if _CALLS.search(text):
        return CALL
    if BOOK in steps and (_BOOKS.search(text) or turn.meaning.intent is Intent.BOOKING_NEW):
        return BOOK
    if choice is not None and choice.kind is ChoiceKind.YES:
        return steps[0]
    return None


async def answer_reactivation(turn: Turn, outcome: Outcome) -> Outcome | None:
    """Act on the answer to a reactivation message (None: not an answer; the sales flow goes on without it)."""
    slots = outcome.slots
    steps = [s for s in slots.get("steps", "").split(",") if s]
    action = CALL if slots.get("pending") == CALL else _action(turn, steps)
    if action is None:
        return None
    if action == DECLINE:
        return await _decline(turn, outcome)
    if action == BOOK:
        target = _book_target(turn.deps.playbook, slots.get("service", ""))
        outcome.done = True
        outcome.slots = {}
        outcome.transfer = "booking"
        if target is not None:
            outcome.shared["service"] = target
        return outcome
    return await _call_back(turn, outcome)


async def _decline(turn: Turn, outcome: Outcome) -> Outcome:
    """No longer relevant: the lead is lost (with the reason), the ladder ends, the customer is thanked."""
    deps = turn.deps
    lead_id = outcome.slots.get("lead")
    if lead_id:
        lead = await deps.stores.crm.get_lead(LeadId(lead_id))
        if lead.stage in OPEN_STAGES:
            await deps.stores.crm.update_lead(
                lead.id,
                LeadChanges(stage=LeadStage.LOST, tags=[*lead.tags, DECLINED_TAG]),
                key=turn.key("reactivation-declined"),
                actor="agent:sales",
            )
            outcome.actions.append(f"lead {lead.id} lost: declined during reactivation")
    await deps.stores.crm.add_note(
        turn.contact_id,
        f"Declined during reactivation: {turn.meaning.text.strip()[:300]}",
        key=turn.key("reactivation-note"),
        author="agent:sales",
    )
    await deps.stores.timers.cancel(followup_group(turn.contact_id), reason="the customer declined")
    outcome.done = True
    outcome.slots = {}
    return outcome.say(deps.replies.text("reactivation_declined", turn.language))


async def _call_back(turn: Turn, outcome: Outcome) -> Outcome:
    """A call back: the phone (asked for if unknown), then a task for the sales team with an accept-by SLA."""
    deps = turn.deps
    contact = await deps.stores.crm.get_contact(turn.contact_id)
    phone = outcome.shared.get("phone") or turn.shared.get("phone") or contact.phone
    if not phone:
        outcome.slots["pending"] = CALL
        return outcome.say(deps.replies.text("reactivation_ask_phone", turn.language)).expect("phone")
    teams = deps.playbook.internal_routing.teams
    team = "sales" if "sales" in teams else next(iter(teams))
    hours = teams[team].response_hours  # type: ignore[index]
    now = deps.clock.now()
    service = outcome.slots.get("service", "")
    details = (
        f"Call back {contact.name or 'the customer'} at {phone} about {service or 'their request'} "
        f"(answered a reactivation message). Lead: {outcome.slots.get('lead') or '—'}."
    )
    task = await hand_to_team(
        turn,
        team=team,
        title=f"Call back: {contact.name or phone}",
        details=details,
        accept_by=now + timedelta(hours=deps.playbook.follow_ups.task_accept_sla_hours),
        reference=f"lead:{outcome.slots['lead']}" if outcome.slots.get("lead") else None,
        notification=NotificationKind.TASK,
        actor="agent:sales",
    )
    outcome.actions.append(f"call-back task {task.id} for {team}")
    outcome.done = True
    outcome.slots = {}
    return outcome.say(deps.replies.text("reactivation_callback", turn.language, phone=phone, hours=hours))


async def mark_opted_out(turn: Turn) -> list[str]:
    """An opt-out during a reactivation ladder: its open leads are lost with the reason; returns what was done."""
    deps = turn.deps
    done = []
    for lead in await deps.stores.crm.list_leads(contact_id=ContactId(turn.contact_id)):
        if lead.stage in OPEN_STAGES and REACTIVATED_TAG in lead.tags:
            await deps.stores.crm.update_lead(
                lead.id,
                LeadChanges(stage=LeadStage.LOST, tags=[*lead.tags, OPTED_OUT_TAG]),
                key=turn.key(f"optout-lead:{lead.id}"),
                actor="agent:optout",
            )
            done.append(f"lead {lead.id} lost: opted out during reactivation")
    return done
