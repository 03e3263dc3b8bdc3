"""A simulated customer (τ-bench style): a chat model plays the customer until its goal is met.

The model gets a persona and a goal, sees the business's replies as the other side of
the chat, and writes one customer message at a time. It ends the conversation by
writing ``[DONE]`` (alone, or after its last message), or when `max_turns` is reached.
The dialogue is then graded on its ``final`` assertions only.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from evals.dialogues.execute import Driver
from evals.dialogues.model import Expectation, Simulation
from evals.dialogues.results import StepResult

DONE = "[DONE]"
OPENING = "(The chat is open. Write your first message.)"
NO_REPLY = "(no reply)"


@dataclass(frozen=True)
class SimulatedRun:
    """The messages the simulated customer sent, and the tokens it used."""

    steps: tuple[StepResult, ...]
    tokens: int


def instructions(simulation: Simulation, *, business: str, language: str, channel: str) -> str:
    """The system prompt of the simulated customer."""
    tongue = {"ru": "Russian", "en": "English"}.get(language, "the customer's language")
    return (
        f"You are role-playing a customer who writes to {business} on {channel}.\n"
        f"Persona: {simulation.persona}\n"
        f"Goal: {simulation.goal}\n"
        f"Write only the customer's next message, short and natural, in {tongue}. "
        "Answer the business's questions with details that fit your persona and goal; "
        "pick from offered options by number or by their words. "
        f"When your goal is reached, or clearly cannot be reached, reply with exactly {DONE}."
    )


def _tokens(message: BaseMessage) -> int:
    usage = getattr(message, "usage_metadata", None)
    if usage:
        return int(usage.get("total_tokens") or usage.get("input_tokens", 0) + usage.get("output_tokens", 0))
    return 0


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return " ".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)


async def simulate(
    driver: Driver, simulation: Simulation, model: BaseChatModel, *, business: str
) -> SimulatedRun:
    """Let `model` play the customer through `driver` until it is done or `max_turns` messages were sent."""
    dialogue = driver.dialogue
    system = SystemMessage(
        instructions(simulation, business=business, language=dialogue.language, channel=dialogue.channel)
    )
    history: list[BaseMessage] = [HumanMessage(OPENING)]
    steps: list[StepResult] = []
    tokens = 0
    for turn in range(simulation.max_turns):
        answer = await model.ainvoke([system, *history])
        tokens += _tokens(answer)
        raw = _text(answer).strip()
        finished = DONE in raw
        text = raw.replace(DONE, "").strip()
        if text:
            step = await driver.say(turn, text, Expectation(), kind="simulated")
            steps.append(step)
            reply = "\n".join(r.text for r in step.replies) or NO_REPLY
            history += [AIMessage(text), HumanMessage(reply)]
        if finished or not text:
            break
    return SimulatedRun(tuple(steps), tokens)
