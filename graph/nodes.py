"""The graph's two nodes: `respond` (understand, supervise, the specialists, finish) and `await_staff` (pause for staff)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agents._common import label
from agents.base import ApprovalRequest, Decision, Outcome, Specialist, Turn
from agents.basic import HumanHandoff, NotUnderstood, OptOut, SmallTalk
from agents.booking import BookingCoordinator
from agents.booking_reminder import EXPECTING as REMINDER_EXPECTING
from agents.context import RunDeps
from agents.discounts import asks_for_discount
from agents.escalation import Escalation
from agents.internal import InternalRouter
from agents.quoting import QuotingAgent
from agents.sales import SalesQualifier
from agents.support import SupportTriage
from agents.understanding import ChoiceKind, DialogueContext, Repair, Understanding
from graph import guardrails, routing
from graph.routing import picks_a_button
from graph.state import RECENT_LIMIT, Clarification, ConversationState, OutMessage, RepeatCount
from tools.ids import ContactId
from tools.intents import Agent, Intent
from tools.notifications import NewNotification, NotificationKind

SPECIALISTS: dict[str, Specialist] = {
    s.name: s
    for s in (
        SalesQualifier(),
        BookingCoordinator(),
        QuotingAgent(),
        SupportTriage(),
        InternalRouter(),
        SmallTalk(),
        NotUnderstood(),
        HumanHandoff(),
        OptOut(),
    )
}
AGENT_NODES = (*SPECIALISTS, "escalation")
Update = dict[str, Any]


def _offered_times(state: ConversationState) -> tuple[Any, ...]:
    from datetime import datetime

    times = []
    for token in state.get("offered", []):
        try:
            times.append(datetime.fromisoformat(token.split("|")[0]))
        except ValueError:
            continue
    return tuple(times)


def answering_prompt(state: ConversationState) -> Update:
    """The dialogue as the business's latest proactive message left it, if the customer has not answered it yet.

    A reminder's "confirm or reschedule?" makes the next message an answer to the booking
    coordinator, as if it had asked; a flow under way before it is set aside.
    """
    prompt = state.get("prompt")
    if not prompt or prompt["message_id"] == state.get("prompt_seen"):
        return {}
    slots = {name: values for name, values in state.get("slots", {}).items() if name != prompt["agent"]}
    slots[prompt["agent"]] = dict(prompt["slots"])
    return {
        "active_agent": prompt["agent"],
        "slots": slots,
        "expecting": prompt["expecting"],
        "offered": list(prompt["offered"]),
        "question": prompt["question"],
        "buttons": list(prompt["buttons"]),
        "suspended": [],
        "clarifying": None,
        "prompt_seen": prompt["message_id"],
    }


async def understand(state: ConversationState, runtime: Runtime[RunDeps]) -> Update:
    """Understand the customer's message (as an answer to a proactive prompt, if any) and pin the language."""
    deps = runtime.context
    prompted = answering_prompt(state)
    state = {**state, **prompted}  # type: ignore[typeddict-item]
    text = state.get("text", "")
    expecting = state.get("expecting")
    if expecting and expecting.startswith(("q:", "field:")):
        expecting = expecting.split(":", 1)[1]
    context = DialogueContext(
        now=deps.clock.now(),
        language=state.get("language"),
        expecting=expecting,
        offered_times=_offered_times(state),
        active_agent=state.get("active_agent"),
        recent_customer_texts=tuple(state.get("recent", [])),
    )
    meaning = await deps.understanding.understand(text, context)
    clarifying = state.get("clarifying")
    if clarifying is not None and not state.get("active_agent"):
        meaning = await _clarified(meaning, clarifying, context, deps)
    language = state.get("language") or meaning.language
    letters = sum(ch.isalpha() for ch in text)
    if (
        state.get("language")
        and meaning.language != state["language"]
        and letters >= 12
        and len(text.split()) >= 3
    ):
        language = meaning.language
    if language not in deps.playbook.business.languages:
        language = deps.playbook.business.default_language
    return {**prompted, "meaning": meaning, "language": language, "outbox": [], "route": ""}


async def _clarified(
    meaning: Understanding, clarifying: Clarification, context: DialogueContext, deps: RunDeps
) -> Understanding:
    """The unclear message re-read with the option the customer picked ("маникюр" + «цены»)."""
    intents = clarifying["intents"]
    picked = picks_a_button(meaning, clarifying["buttons"])
    index: int | None = None
    if picked:
        text = meaning.text.strip().lower().lstrip("#").rstrip(".)")
        labels = [button.strip().lower() for button in clarifying["buttons"]]
        index = int(text) - 1 if text.isdigit() else labels.index(text)
    elif meaning.entities.choice is not None and meaning.entities.choice.kind is ChoiceKind.ORDINAL:
        ordinal = meaning.entities.choice.index
        index = ordinal if ordinal is not None and -len(intents) <= ordinal < len(intents) else None
    if index is None:
        return meaning
    combined = await deps.understanding.understand(f"{clarifying['text']}. {meaning.text}", context)
    return dataclasses.replace(
        combined, text=meaning.text, intent=Intent(intents[index]), confidence=1.0, alternatives=()
    )


def _repeats(state: ConversationState, text: str) -> RepeatCount:
    """How many times in a row the customer has sent this message to the same question."""
    normalised = " ".join(text.lower().split())
    question = state.get("question", "")
    previous = state.get("repeat")
    same = previous is not None and previous["text"] == normalised and previous["question"] == question
    count = previous["count"] + 1 if same and previous is not None else 1
    return {"text": normalised, "question": question, "count": count if len(normalised) >= 2 else 0}


async def supervise(state: ConversationState, runtime: Runtime[RunDeps]) -> Update:
    """Guardrails first, then routing to exactly one specialist."""
    meaning = state["meaning"]
    assert meaning is not None
    repeat = _repeats(state, meaning.text)
    return {"clarifying": None, **await _decide(state, runtime, repeat), "repeat": repeat}


async def _decide(state: ConversationState, runtime: Runtime[RunDeps], repeat: RepeatCount) -> Update:
    deps = runtime.context
    meaning = state["meaning"]
    assert meaning is not None
    language = state["language"]
    first_turn = not state.get("recent")
    contact = await deps.stores.crm.get_contact(ContactId(state["contact_id"])) if first_turn else None
    verdict = guardrails.check(
        deps.playbook,
        meaning,
        language=language,
        repeats=repeat["count"],
        contact=contact,
        first_turn=first_turn,
        expecting=state.get("expecting"),
    )
    if verdict is not None and verdict.guard is guardrails.Guard.HUMAN and _presses_a_button(state, meaning):
        verdict = None  # "Call me back" pressed under a follow-up is that follow-up's next step
    if verdict is not None:
        if verdict.guard is guardrails.Guard.FORBIDDEN:
            reply = _message(verdict.topic_reply or "", "guardrails", meaning)
            resumed = _resume_line(state, deps)
            return {"route": "finish", "outbox": [reply, *resumed]}
        return {
            "route": "escalation" if verdict.guard is guardrails.Guard.ESCALATE else verdict.guard.value,
            "escalation_reason": verdict.reason,
        }
    if not meaning.text.strip() or not any(ch.isalnum() for ch in meaning.text):
        question = state.get("question") or deps.replies.text("not_understood", language)
        again = (
            deps.replies.text("ask_again_text", language, question=question)
            if state.get("active_agent")
            else question
        )
        buttons = list(state.get("buttons", [])) if state.get("active_agent") else []
        return {"route": "finish", "outbox": [_message(again, "guardrails", meaning, buttons=buttons)]}
    active = state.get("active_agent")
    answering_reminder = state.get("expecting") == REMINDER_EXPECTING  # "cancel" cancels the booking
    if meaning.repair is Repair.CANCEL and active and not state.get("pending") and not answering_reminder:
        slots = {name: values for name, values in state.get("slots", {}).items() if name != active}
        text = deps.replies.text("flow_cancelled", language)
        return {
            "route": "finish",
            "active_agent": None,
            "expecting": None,
            "offered": [],
            "question": "",
            "buttons": [],
            "slots": slots,
            "suspended": [],
            "outbox": [_message(text, active, meaning)],
        }
    route = routing.choose(
        meaning,
        active=state.get("active_agent"),
        expecting=state.get("expecting"),
        buttons=state.get("buttons", []),
    )
    if not active and asks_for_discount(meaning.text) and route.agent in {"internal", "unknown", "smalltalk"}:
        route = routing.Route("sales")
    if await _documents_answer(state, deps, meaning, route):
        route = routing.Route(Agent.SUPPORT.value)
    if route.clarify:
        options = [label(intent, language) for intent in route.clarify]
        text = deps.replies.text("fallback_clarify", language, options=" / ".join(options))
        return {
            "route": "finish",
            "outbox": [_message(text, "unknown", meaning, buttons=options)],
            "clarifying": {
                "text": meaning.text,
                "intents": [intent.value for intent in route.clarify],
                "buttons": options,
            },
        }
    update: Update = {"route": route.agent}
    if route.digression and active and active != route.agent:
        update["suspended"] = [
            {
                "agent": active,
                "expecting": state.get("expecting"),
                "offered": state.get("offered", []),
                "question": state.get("question", ""),
                "buttons": list(state.get("buttons", [])),
            }
        ]
    elif active and active != route.agent:
        update["suspended"] = []
    return update


def _presses_a_button(state: ConversationState, meaning: Understanding) -> bool:
    """Whether the message is one of the buttons the flow under way just offered (a choice, not a request)."""
    return bool(state.get("active_agent")) and picks_a_button(meaning, state.get("buttons", []))


_FAQ_CANDIDATES = frozenset({Agent.INTERNAL.value, Agent.UNKNOWN.value, Agent.SMALLTALK.value})
_QUESTION = re.compile(
    r"\?|^\s*(?:how|what|when|where|which|who|why|do|does|can|is|are|should|will|would"
    r"|как|что|когда|где|какой|какая|какие|кто|почему|зачем|сколько|можно|есть\s+ли|до\s+скольки|нужно\s+ли)\b",
    re.IGNORECASE,
)


async def _documents_answer(
    state: ConversationState, deps: RunDeps, meaning: Understanding, route: routing.Route
) -> bool:
    """A general question ("do you have parking?") that no specialist claims, answered by the documents.

    Only outside a flow, when the classifier is not sure, and only if the knowledge base is.
    """
    if state.get("active_agent") or deps.knowledge is None or meaning.confidence >= routing.STRONG:
        return False
    if route.agent not in _FAQ_CANDIDATES or not _QUESTION.search(meaning.text):
        return False
    return await deps.knowledge.answer(meaning.text, language=state["language"]) is not None


def _message(
    text: str,
    agent: str,
    meaning: Understanding | None,
    *,
    buttons: list[str] | None = None,
    actions: list[str] | None = None,
) -> OutMessage:
    return {
        "text": text,
        "buttons": buttons or [],
        "agent": agent,
        "intent": meaning.intent.value if meaning is not None else "",
        "actions": actions or [],
    }


def _resume_line(state: ConversationState, deps: RunDeps) -> list[OutMessage]:
    question = state.get("question")
    if state.get("active_agent") and question and state.get("meaning") is not None:
        meaning = state["meaning"]
        assert meaning is not None
        return [
            _message(
                deps.replies.text("resume_flow", state["language"], question=question),
                "guardrails",
                meaning,
                buttons=list(state.get("buttons", [])),
            )
        ]
    return []


def _turn(state: ConversationState, agent: str, deps: RunDeps) -> Turn:
    meaning = state["meaning"]
    assert meaning is not None
    same = state.get("active_agent") == agent
    return Turn(
        meaning=meaning,
        slots=state.get("slots", {}).get(agent, {}),
        shared=state.get("shared", {}),
        expecting=state.get("expecting") if same else None,
        offered=tuple(state.get("offered", [])) if same else (),
        language=state["language"],
        conversation_id=state["conversation_id"],
        contact_id=ContactId(state["contact_id"]),
        channel=state["channel"],
        message_id=state["message_id"],
        deps=deps,
        digression=any(flow["agent"] != agent for flow in state.get("suspended", [])),
    )


def apply(state: ConversationState, agent: str, outcome: Outcome) -> Update:
    """Fold a specialist's outcome into the state."""
    meaning = state.get("meaning")
    slots = dict(state.get("slots", {}))
    slots[agent] = outcome.slots
    if outcome.done:
        slots.pop(agent, None)
    messages = [_message(r.text, agent, meaning, buttons=list(r.buttons)) for r in outcome.replies]
    if messages and outcome.actions:
        messages[-1]["actions"] = list(outcome.actions)
    elif outcome.actions:
        messages.append(_message("", agent, meaning, actions=list(outcome.actions)))
    update: Update = {
        "slots": slots,
        "shared": {**state.get("shared", {}), **{k: v for k, v in outcome.shared.items() if v}},
        "outbox": [*state.get("outbox", []), *messages],
        "active_agent": None if outcome.done else agent,
        "expecting": None if outcome.done else outcome.expecting,
        "offered": [] if outcome.done else list(outcome.offered),
        "question": ""
        if outcome.done
        else (outcome.replies[-1].text if outcome.replies else state.get("question", "")),
        "buttons": [] if outcome.done or not outcome.replies else list(outcome.replies[-1].buttons),
        "route": outcome.transfer or "",
    }
    return update


async def run_specialist(name: str, state: ConversationState, deps: RunDeps) -> Update:
    """Run specialist `name` on the turn and fold its outcome in (an approval it asks for is created here)."""
    specialist: Specialist = (
        Escalation(state.get("escalation_reason", "")) if name == "escalation" else SPECIALISTS[name]
    )
    outcome = await specialist.handle(_turn(state, name, deps))
    update = apply(state, name, outcome)
    if outcome.approval is not None:
        approval = await deps.stores.conversations.create_approval(
            state["conversation_id"],
            kind=outcome.approval.kind,
            summary=outcome.approval.summary,
            proposal=outcome.approval.proposal,
            key=f"{state['message_id']}:approval",
        )
        await deps.stores.notifications.notify(
            NewNotification(
                NotificationKind.APPROVAL_PENDING,
                "team:sales" if outcome.approval.kind != "escalation" else "team:support",
                f"Waiting for approval: {outcome.approval.kind}",
                outcome.approval.summary,
                link=f"{deps.console_url}/console/conversations/{state['conversation_id']}?approval={approval.id}",
            ),
            key=f"{state['message_id']}:approval-notify",
        )
        update["pending"] = {
            "approval_id": approval.id,
            "agent": name,
            "kind": outcome.approval.kind,
            "summary": outcome.approval.summary,
            "proposal": dict(outcome.approval.proposal),
        }
        update["active_agent"] = name
        update["meaning"] = None
    if outcome.done and state.get("suspended") and not outcome.transfer and outcome.approval is None:
        flow = state["suspended"][0]
        update.update(
            {
                "active_agent": flow["agent"],
                "expecting": flow["expecting"],
                "offered": flow["offered"],
                "question": flow["question"],
                "buttons": flow.get("buttons", []),
                "suspended": [],
            }
        )
        update["outbox"] = [
            *update["outbox"],
            _message(
                deps.replies.text("resume_flow", state["language"], question=flow["question"]),
                flow["agent"],
                state.get("meaning"),
                buttons=list(flow.get("buttons", [])),
            ),
        ]
    return update


MAX_TRANSFERS = 8
"""Specialists one turn may pass through after the first (sales → booking is one); more is a bug."""


class TransferLoop(RuntimeError):
    """Specialists kept handing the turn to each other."""


async def respond(state: ConversationState, runtime: Runtime[RunDeps]) -> Update:
    """One customer turn in one graph step: understand → supervise → the specialist (and any it transfers to) → finish.

    The steps run in order on the state as each leaves it, exactly as separate nodes would, but
    LangGraph's per-step bookkeeping is paid once. A specialist that asks staff for approval ends
    the step there: the graph goes on to `await_staff`, which finishes the turn after the decision.
    """
    deps = runtime.context
    update: Update = {}
    current: dict[str, Any] = dict(state)

    def fold(part: Update) -> None:
        update.update(part)
        current.update(part)

    fold(await understand(current, runtime))  # type: ignore[arg-type]
    fold(await supervise(current, runtime))  # type: ignore[arg-type]
    route = current.get("route") or ""
    hops = 0
    while route in AGENT_NODES:
        if hops > MAX_TRANSFERS:
            raise TransferLoop(f"more than {MAX_TRANSFERS} transfers in one turn (last to {route!r})")
        fold(await run_specialist(route, current, deps))  # type: ignore[arg-type]
        if current.get("pending"):
            return _changed(state, update)
        route = current.get("route") or ""
        route = route if route in SPECIALISTS else ""
        hops += 1
    fold(finished(current))  # type: ignore[arg-type]
    return _changed(state, update)


def _changed(state: ConversationState, update: Update) -> Update:
    """Only the fields the turn changed: an unchanged field written again would be stored again in the checkpoint."""
    missing = object()
    return {key: value for key, value in update.items() if state.get(key, missing) != value}


async def await_staff(state: ConversationState, runtime: Runtime[RunDeps]) -> Update:
    """Pause until staff decide; then let the specialist act on the decision."""
    pending = state.get("pending")
    assert pending is not None
    answer = interrupt(
        {
            "approval_id": pending["approval_id"],
            "kind": pending["kind"],
            "summary": pending["summary"],
            "proposal": pending["proposal"],
        }
    )
    deps = runtime.context
    decision = Decision(
        action=str(answer.get("action", "reject")),
        by=str(answer.get("by", "staff")),
        note=answer.get("note"),
        changes={k: str(v) for k, v in (answer.get("changes") or {}).items()},
    )
    name = pending["agent"]
    specialist: Specialist = Escalation() if name == "escalation" else SPECIALISTS[name]
    request = ApprovalRequest(pending["kind"], pending["summary"], pending["proposal"])
    outcome = await specialist.resume(
        _turn(state, name, deps) if state.get("meaning") else _turn_without_meaning(state, name, deps),
        request,
        decision,
    )
    update = apply({**state, "outbox": [], "active_agent": name}, name, outcome)
    update["pending"] = None
    return {**update, **finished({**state, **update})}  # type: ignore[typeddict-item]


def _turn_without_meaning(state: ConversationState, name: str, deps: RunDeps) -> Turn:
    from agents.understanding import Understanding
    from tools.intents import Intent

    blank = Understanding(text="", language=state["language"], intent=Intent.OUT_OF_SCOPE, confidence=0.0)
    return _turn({**state, "meaning": blank, "active_agent": name}, name, deps)


def finished(state: ConversationState) -> Update:
    """The end of a turn: keep only what the next one needs (recent messages, no understanding)."""
    recent = [*state.get("recent", []), state.get("text", "")][-RECENT_LIMIT:]
    return {"recent": recent, "meaning": None, "text": "", "turns": state.get("turns", 0) + 1}
