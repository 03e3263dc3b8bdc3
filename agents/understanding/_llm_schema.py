"""The LLM understanding's output schema: the boundary type the model fills in.

The model answers with one JSON object of this shape. It is deliberately made of
plain JSON types (strings for dates and times, numbers for amounts) so any
OpenAI-compatible server can constrain its output to it; `_llm_convert` turns a
validated answer into the frozen result types of `agents.understanding.model`,
dropping what does not check out.

Validation is lenient where it costs nothing (missing lists are empty, missing
optional fields are null, unknown extra keys are ignored, numbers are accepted
for strings, unknown intents among the alternatives are dropped), and strict
where it matters (the top intent must be one of the 23).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.understanding.model import ChoiceKind, DayPart, Repair
from tools.intents import Intent

SCHEMA_NAME = "understanding"
SCHEMA_DESCRIPTION = "The meaning of one customer message: intent, language, tone and entities."

_LENIENT = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class DateOut(BaseModel):
    """A date or time the customer mentioned."""

    model_config = _LENIENT

    text: str = Field("", description="The customer's words for it.")
    day: str | None = Field(
        None, description="The date as YYYY-MM-DD, resolved against today; null when only a time is given."
    )
    until: str | None = Field(
        None,
        description="For a span of days ('this weekend', 'next week'): the last day, YYYY-MM-DD; else null.",
    )
    at: str | None = Field(None, description="An exact time, HH:MM on a 24-hour clock; else null.")
    day_part: DayPart | None = Field(None, description="A vague part of the day; else null.")
    after: str | None = Field(None, description="A lower time bound ('after 5pm'), HH:MM; else null.")
    before: str | None = Field(None, description="An upper time bound ('before noon'), HH:MM; else null.")


class MoneyOut(BaseModel):
    """An amount or bound of money."""

    model_config = _LENIENT

    text: str = Field("", description="The customer's words for it.")
    amount: float = Field(description="The amount in major units: '300к' is 300000, '$5k' is 5000.")
    currency: str | None = Field(None, description="ISO 4217 code (RUB, USD, EUR) when stated; else null.")
    bound: Literal["max", "min"] | None = Field(
        None, description="'max' for 'up to / до / under', 'min' for 'from / от / over'; else null."
    )


class QuantityOut(BaseModel):
    """A number with a unit."""

    model_config = _LENIENT

    text: str = Field("", description="The customer's words for it.")
    value: float = Field(description="The number.")
    unit: str = Field(description="m2, rooms, items, people, days, weeks or months.")


class CatalogOut(BaseModel):
    """A service, product or region of the business the message refers to."""

    model_config = _LENIENT

    id: str = Field(description="The id from the business catalogue, exactly as listed.")
    kind: Literal["service", "product", "region"] = Field(description="Which list the id comes from.")
    text: str = Field("", description="The customer's words for it.")


class ChoiceOut(BaseModel):
    """A pick among the options just offered, or a yes / no."""

    model_config = _LENIENT

    kind: ChoiceKind = Field(description="ordinal, time, yes or no.")
    index: int | None = Field(
        None, description="For ordinal: the 0-based position, -1 for 'the last one'; else null."
    )
    at: str | None = Field(None, description="For time: the picked time, HH:MM; else null.")


class EntitiesOut(BaseModel):
    """Everything extracted from the message."""

    model_config = _LENIENT

    dates: list[DateOut] = Field(default_factory=list, description="Dates and times mentioned.")
    money: list[MoneyOut] = Field(default_factory=list, description="Amounts or budgets mentioned.")
    quantities: list[QuantityOut] = Field(default_factory=list, description="Numbers with units.")
    phone: str | None = Field(None, description="A phone number as written; else null.")
    email: str | None = Field(None, description="An email address; else null.")
    order_id: str | None = Field(None, description="A shop order id as written; else null.")
    name: str | None = Field(None, description="The customer's own name when they give it; else null.")
    catalog: list[CatalogOut] = Field(default_factory=list, description="Catalogue items referred to.")
    choice: ChoiceOut | None = Field(
        None, description="A pick among offered options or a yes / no; else null."
    )
    durations_minutes: list[int] = Field(
        default_factory=list, description="Durations mentioned, in minutes ('an hour' is 60)."
    )


class AlternativeOut(BaseModel):
    """A runner-up intent."""

    model_config = _LENIENT

    intent: Intent
    score: float = Field(description="0..1.")


def _known_intents(value: Any, *, key: str | None) -> Any:
    if not isinstance(value, list):
        return value
    known = {intent.value for intent in Intent}
    kept = []
    for item in value:
        name = item.get(key) if key is not None and isinstance(item, dict) else item
        if isinstance(name, str) and name in known:
            kept.append(item)
    return kept


class UnderstandingOutput(BaseModel):
    """The meaning of one customer message."""

    model_config = _LENIENT

    intent: Intent = Field(description="What the message is mainly about.")
    confidence: float = Field(description="0..1: how sure the intent is right.")
    alternatives: list[AlternativeOut] = Field(
        default_factory=list, description="Up to 3 next likeliest intents with scores, best first."
    )
    extra_intents: list[Intent] = Field(
        default_factory=list, description="Other intents also clearly asked for in the same message."
    )
    language: Literal["en", "ru"] = Field(description="The language of this message.")
    negative: bool = Field(False, description="True when the customer is angry, upset or complaining.")
    repair: Repair | None = Field(None, description="A conversation-repair command; else null.")
    entities: EntitiesOut = Field(default_factory=EntitiesOut, description="What the message mentions.")

    @field_validator("alternatives", mode="before")
    @classmethod
    def _drop_unknown_alternatives(cls, value: Any) -> Any:
        return _known_intents(value, key="intent")

    @field_validator("extra_intents", mode="before")
    @classmethod
    def _drop_unknown_extras(cls, value: Any) -> Any:
        return _known_intents(value, key=None)


_DROPPED_KEYS = frozenset({"title", "default"})


def _strict(node: Any, defs: dict[str, Any]) -> Any:
    """Inline ``$ref``s, drop titles and defaults, and close every object (all properties required)."""
    if isinstance(node, list):
        return [_strict(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = _strict(defs[str(node["$ref"]).rsplit("/", 1)[-1]], defs)
        siblings = {k: _strict(v, defs) for k, v in node.items() if k != "$ref" and k not in _DROPPED_KEYS}
        return {**target, **siblings}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED_KEYS:
            continue
        if key == "properties":
            out[key] = {name: _strict(prop, defs) for name, prop in value.items()}
        else:
            out[key] = _strict(value, defs)
    if out.get("type") == "object" and "properties" in out:
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def output_json_schema(catalog_ids: list[str]) -> dict[str, Any]:
    """The strict JSON Schema of `UnderstandingOutput`, with catalogue ids limited to `catalog_ids`.

    Self-contained (no ``$ref``), every property required (optional ones are nullable) and
    ``additionalProperties: false`` everywhere, as OpenAI's strict structured outputs require.
    """
    raw = UnderstandingOutput.model_json_schema()
    defs: dict[str, Any] = raw.pop("$defs", {})
    schema: dict[str, Any] = _strict(raw, defs)
    if catalog_ids:
        catalog_id = schema["properties"]["entities"]["properties"]["catalog"]["items"]["properties"]["id"]
        catalog_id["enum"] = sorted(catalog_ids)
    return schema
