"""The eval suite file format: pydantic models of the YAML, validated at the boundary only.

A file holds one dialogue (a mapping with ``id``, ``start``, ``steps``…) or a suite
(``suite:`` and a list under ``dialogues:``). Unknown keys are errors. The loader
turns these models into the frozen dataclasses of `evals.dialogues.model`;
`frontdesk eval schema` prints their JSON Schema. See ``docs/evals.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    NonNegativeInt,
    PositiveInt,
    Tag,
    TypeAdapter,
    model_validator,
)

from evals.dialogues.format_expect import Expect, RecordsByKind, Strict, ToolExpect, ToolName
from evals.dialogues.format_setup import Setup


class SayStep(Strict):
    """A customer message."""

    say: str
    expect: Expect | None = None


class StaffAction(Strict):
    """What staff do."""

    action: Literal["approve", "edit", "reject", "takeover", "handback", "reply"]
    note: str | None = None
    """The decision's note (approve / edit / reject)."""
    changes: dict[str, str | int | float] = Field(default_factory=dict)
    """Edited values (``low``, ``high``, ``percent``, ``reply``…), for ``edit``."""
    text: str | None = None
    """The message staff write, for ``reply``."""
    by: str = "staff:eval"

    @model_validator(mode="after")
    def _reply_has_text(self) -> StaffAction:
        if self.action == "reply" and not self.text:
            raise ValueError("a staff reply needs text")
        return self


class StaffStep(Strict):
    """Staff act on the latest pending approval or on the conversation."""

    staff: StaffAction
    expect: Expect | None = None


class EventSpec(Strict):
    """Something that happens outside the chat."""

    type: Literal["payment", "ticket", "service_completed"]
    """``payment``: the latest open invoice is paid; ``ticket``: staff move the conversation's latest ticket on;
    ``service_completed``: the customer's latest confirmed booking is reported done (as ``POST /api/events``)."""
    status: Literal["assigned", "in_progress", "resolved", "closed"] | None = None
    """For ``ticket``: the new status."""
    assignee: str | None = None
    """For ``ticket``: the staff id it is assigned to."""
    note: str | None = None
    """For ``ticket``: a sentence for the customer."""

    @model_validator(mode="after")
    def _ticket_fields(self) -> EventSpec:
        if self.type == "ticket" and self.status is None and self.assignee is None:
            raise ValueError("a ticket event needs status or assignee")
        if self.type != "ticket" and (self.status or self.assignee or self.note):
            raise ValueError("status, assignee and note belong to ticket events")
        return self


class EventStep(Strict):
    """An outside event."""

    event: EventSpec
    expect: Expect | None = None


class AdvanceSpec(Strict):
    """How far the frozen clock moves."""

    minutes: NonNegativeInt = 0
    hours: NonNegativeInt = 0
    days: NonNegativeInt = 0


class AdvanceStep(Strict):
    """Time passes."""

    advance: AdvanceSpec
    expect: Expect | None = None


def _step_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        for key in ("say", "staff", "event", "advance"):
            if key in value:
                return f"{key}-step"
    return None


Step = Annotated[
    Annotated[SayStep, Tag("say-step")]
    | Annotated[StaffStep, Tag("staff-step")]
    | Annotated[EventStep, Tag("event-step")]
    | Annotated[AdvanceStep, Tag("advance-step")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="must have one of: say, staff, event, advance",
    ),
]


STEP_TAGS: dict[str, type[BaseModel]] = {
    "say-step": SayStep,
    "staff-step": StaffStep,
    "event-step": EventStep,
    "advance-step": AdvanceStep,
}
"""The tag of each kind of step (pydantic names them in error locations)."""


class Simulate(Strict):
    """A simulated customer (an LLM) instead of scripted steps."""

    persona: str
    goal: str
    max_turns: PositiveInt = 12


class Final(Strict):
    """What must hold at the end of the dialogue."""

    records: RecordsByKind | None = None
    tools: list[ToolExpect] = Field(default_factory=list)
    """Calls made at any point of the dialogue."""
    no_tools: list[ToolName] = Field(default_factory=list)
    handoff: bool | None = None


class DialogueSpec(Strict):
    """One scripted (or simulated) conversation."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    title: str | None = None
    tags: list[str] = Field(default_factory=list)
    playbook: str = "examples/studio/playbook.yaml"
    """Relative to the repository root or to the file."""
    channel: str = "telegram"
    language: Literal["en", "ru"] | None = None
    """Detected from the first message when not given."""
    start: datetime
    """The frozen clock's start; without a UTC offset it is read in the business's time zone."""
    setup: Setup = Field(default_factory=Setup)
    customer: str | None = None
    """The sender and chat id (default: the dialogue id)."""
    steps: list[Step] | None = None
    simulate: Simulate | None = None
    final: Final | None = None
    repeat_policy: Literal["all", "majority"] = "all"

    @model_validator(mode="after")
    def _steps_or_simulation(self) -> DialogueSpec:
        if (self.steps is None) == (self.simulate is None):
            raise ValueError("needs either steps or simulate (one of them)")
        if self.simulate is not None and self.final is None:
            raise ValueError("a simulated dialogue needs final assertions to be graded on")
        return self


class SuiteSpec(Strict):
    """A file of several dialogues."""

    suite: str | None = None
    """The suite's name (default: the file's stem)."""
    dialogues: Annotated[list[DialogueSpec], Field(min_length=1)]


class DialogueFileSpec(DialogueSpec):
    """A file of one dialogue."""

    suite: str | None = None
    """The suite's name (default: the file's stem)."""


FileSpec = TypeAdapter(SuiteSpec | DialogueFileSpec)
"""A suite file: several dialogues, or one."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a suite file."""
    document = FileSpec.json_schema(mode="validation")
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "Frontdesk eval suite"
    return document
