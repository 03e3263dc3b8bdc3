"""The graph's state: the live dialogue only. The transcript lives in the conversation store.

Every field is small and bounded, so a checkpoint stays a few kilobytes however
long the conversation runs.
"""

from __future__ import annotations

from typing_extensions import TypedDict

from agents.understanding import Understanding

RECENT_LIMIT = 6
"""How many of the customer's last messages are kept (to notice repetition)."""


class OutMessage(TypedDict):
    """A reply produced this turn."""

    text: str
    buttons: list[str]
    agent: str
    intent: str
    actions: list[str]


class RepeatCount(TypedDict):
    """The customer's last message and how often it was sent in a row to the same question."""

    text: str
    question: str
    count: int


class PendingApproval(TypedDict):
    """The action paused for staff."""

    approval_id: str
    agent: str
    kind: str
    summary: str
    proposal: dict[str, str]


class SuspendedFlow(TypedDict):
    """A flow interrupted by a digression, to resume afterwards."""

    agent: str
    expecting: str | None
    offered: list[str]
    question: str
    """The last question of the flow, asked again on resuming."""
    buttons: list[str]
    """That question's buttons, shown again with it."""


class Clarification(TypedDict):
    """A "did you mean A or B?" question waiting for its answer."""

    text: str
    """The customer's message that was unclear; re-read together with the answer."""
    intents: list[str]
    """The intents offered, in the order of `buttons`."""
    buttons: list[str]
    """Their labels as shown."""


class Prompt(TypedDict):
    """What a message the business started (a reminder, a follow-up) asked; the next message answers it."""

    agent: str
    expecting: str
    slots: dict[str, str]
    offered: list[str]
    buttons: list[str]
    question: str
    message_id: str


class ConversationState(TypedDict, total=False):
    """One conversation's live dialogue."""

    conversation_id: str
    """``channel:chat id``; also the LangGraph thread id."""
    contact_id: str
    """The CRM contact."""
    channel: str
    """Where the customer writes from."""
    message_id: str
    """The inbound message of this turn (base of idempotency keys)."""
    text: str
    """The customer's message this turn."""
    language: str
    """The pinned reply language."""
    active_agent: str | None
    """The specialist whose flow is under way (sticky across turns)."""
    slots: dict[str, dict[str, str]]
    """Each specialist's collected slots."""
    shared: dict[str, str]
    """Slots every specialist shares: name, phone, email."""
    expecting: str | None
    """What the last question asked for."""
    question: str
    """The text of the last question, to repeat when resuming a flow."""
    offered: list[str]
    """What the last reply offered: ISO times or option ids."""
    buttons: list[str]
    """The buttons of the last question, shown again when it is repeated."""
    suspended: list[SuspendedFlow]
    """Flows interrupted by a digression (at most one kept)."""
    recent: list[str]
    """The customer's last few messages."""
    outbox: list[OutMessage]
    """Replies produced this turn."""
    pending: PendingApproval | None
    """The action waiting for staff, if any."""
    route: str
    """The specialist chosen this turn."""
    meaning: Understanding | None
    """This turn's understanding (cleared before the checkpoint is kept)."""
    repeat: RepeatCount | None
    """The last message and its repetitions, for the repeated-message escalation."""
    escalation_reason: str
    """Why the guardrails escalated this turn."""
    clarifying: Clarification | None
    """The clarifying question just asked, if the last reply was one."""
    prompt: Prompt | None
    """Input: what the business's latest proactive message asked (applied once, before understanding)."""
    prompt_seen: str
    """The message id of the last prompt applied."""
    turns: int
    """Turns the conversation has finished (old checkpoints are pruned every few)."""
