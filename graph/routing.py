"""Routing: which specialist answers this turn. Sticky to the flow under way unless the topic clearly changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.understanding import ChoiceKind, Repair, Understanding
from tools.intents import Agent, Intent, agent_for

CONFIDENT = 0.55
"""Above this, a different intent switches away from the active flow."""
UNSURE = 0.35
"""Below this, with no flow under way, ask which of the two likeliest was meant."""

_ANSWERS = {
    "phone": lambda m: m.entities.phone is not None or m.entities.phone_text is not None,
    "contact": lambda m: (
        m.entities.phone is not None or m.entities.email is not None or m.entities.phone_text is not None
    ),
    "email": lambda m: m.entities.email is not None,
    "name": lambda m: m.entities.name is not None,
    "date": lambda m: bool(m.entities.dates),
    "choice": lambda m: m.entities.choice is not None or bool(m.entities.dates),
    "confirm": lambda m: m.entities.choice is not None,
    "budget": lambda m: bool(m.entities.money),
    "service": lambda m: bool(m.entities.catalog),
    "number": lambda m: bool(m.entities.quantities) or any(ch.isdigit() for ch in m.text),
}
_QUICK = {Agent.SALES, Agent.SUPPORT, Agent.SMALLTALK}
_FREE_TEXT = ("q:", "field:", "scope:", "text")
"""Questions answered in the customer's own words: the flow keeps the answer unless it is clearly a new question."""
STRONG = 0.8
"""A different intent this sure, asked as a question, interrupts a free-text answer."""
"""Agents whose answer is a digression: the interrupted flow resumes after it."""


@dataclass(frozen=True)
class Route:
    """The routing decision for one turn."""

    agent: str
    digression: bool = False
    """Answer, then resume the flow under way."""
    clarify: tuple[Intent, ...] = ()
    """Ask which of these was meant."""


def answers_question(meaning: Understanding, expecting: str | None) -> bool:
    """Whether the message carries what the last question asked for."""
    if expecting is None:
        return False
    check = _ANSWERS.get(expecting.split(":")[0])
    return bool(check and check(meaning))


def picks_a_button(meaning: Understanding, buttons: Sequence[str]) -> bool:
    """Whether the message is one of the buttons just shown, or its number."""
    text = meaning.text.strip().lower().lstrip("#").rstrip(".)")
    if not buttons or not text:
        return False
    if text.isdigit():
        return 0 < int(text) <= len(buttons)
    return text in {button.strip().lower() for button in buttons}


def _bare_service(meaning: Understanding) -> bool:
    """A message that is little more than a service's name ("маникюр", "women's haircut")."""
    services = [m for m in meaning.entities.catalog if m.kind == "service"]
    return bool(services) and len(meaning.text.split()) <= len(services[0].text.split()) + 1


def choose(
    meaning: Understanding, *, active: str | None, expecting: str | None, buttons: Sequence[str] = ()
) -> Route:
    """Pick the specialist for this turn (exactly one)."""
    wanted = agent_for(meaning.intent).value
    if active:
        if meaning.repair in {Repair.CORRECT, Repair.SKIP, Repair.CANCEL} or answers_question(
            meaning, expecting
        ):
            return Route(active)
        picked = meaning.entities.choice is not None and expecting in {"which", "discount"}
        if picks_a_button(meaning, buttons) or picked:
            return Route(active)
        if wanted == active or wanted in {Agent.UNKNOWN.value, Agent.SMALLTALK.value}:
            return Route(active)
        asking = "?" in meaning.text
        free_text = bool(expecting and expecting.startswith(_FREE_TEXT))
        long_enough = len(meaning.text.split()) >= 3
        if (asking and meaning.confidence >= (STRONG if free_text else CONFIDENT)) or (
            not free_text and long_enough and meaning.confidence >= STRONG
        ):
            return Route(wanted, digression=Agent(wanted) in _QUICK)
        return Route(active)
    choice = meaning.entities.choice
    if (
        choice is not None
        and choice.kind in {ChoiceKind.YES, ChoiceKind.NO}
        and len(meaning.text.split()) <= 2
    ):
        return Route(Agent.SMALLTALK.value)
    if meaning.entities.name and len(meaning.text.split()) <= 4 and meaning.confidence < STRONG:
        return Route(Agent.SMALLTALK.value)
    if meaning.confidence < UNSURE and len(meaning.alternatives) >= 1 and meaning.text.strip():
        options = (meaning.intent, meaning.alternatives[0].intent)
        if _bare_service(meaning):
            options = (Intent.PRICING, Intent.BOOKING_NEW)
        agents = {agent_for(i) for i in options}
        if len(agents) > 1 and Agent.UNKNOWN not in agents and Agent.SMALLTALK not in agents:
            return Route(Agent.UNKNOWN.value, clarify=options)
    return Route(wanted)
