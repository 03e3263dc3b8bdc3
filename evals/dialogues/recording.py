"""Recording proxies: every write to the business stores, and every understanding, logged for grading.

`record_stores` wraps each port of `BusinessStores` so that a write method
(``create_*``, ``update_*``, ``set_*``, ``record_*``, ``invoice_*``, ``book``,
``reschedule``, ``notify``…) is logged as ``port.method`` with its arguments
flattened to plain values; reads pass straight through. The proxies change
nothing: each call goes to the real store with the same arguments and its result
or error comes back unchanged.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from agents.knowledge import KnowledgeAnswer, KnowledgeAnswerer
from agents.understanding import DialogueContext, Understander, Understanding
from evals.dialogues.model import Json
from tools.sql import BusinessStores

PORTS = ("crm", "calendar", "billing", "orders", "tickets", "tasks", "notifications", "conversations")
_WRITE_PREFIXES = (
    "create_",
    "update_",
    "set_",
    "record_",
    "invoice_",
    "open_",
    "add_",
    "merge_",
    "decide_",
    "mark_",
    "accept_",
    "void_",
    "finish_",
)
_WRITE_NAMES = frozenset({"book", "reschedule", "notify", "contact_for_identity"})
_DROPPED = frozenset({"self", "key", "actor"})


def is_write(method: str) -> bool:
    """Whether a store method writes (reads are not logged)."""
    return method in _WRITE_NAMES or method.startswith(_WRITE_PREFIXES)


def plain(value: object) -> Json:
    """A value as JSON-like data: dataclasses as mappings, enums by value, Decimal and datetimes as text."""
    if isinstance(value, Enum):
        return plain(value.value)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    return str(value)


@dataclass(frozen=True)
class ToolCall:
    """One write call: ``port.method`` and its arguments (dataclass arguments expanded into their fields)."""

    name: str
    args: Mapping[str, Json]
    error: str | None = None
    """The error's class name when the call raised."""


def flatten_arguments(
    method: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Json]:
    """A call's arguments by name, with dataclass arguments expanded and ``key`` / ``actor`` dropped."""
    bound = inspect.signature(method).bind(*args, **kwargs)
    bound.apply_defaults()
    flat: dict[str, Json] = {}
    explicit: dict[str, Json] = {}
    for name, value in bound.arguments.items():
        if name in _DROPPED:
            continue
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for inner, item in cast(dict[str, Json], plain(value)).items():
                flat.setdefault(inner, item)
        else:
            explicit[name] = plain(value)
    flat.update(explicit)
    return flat


@dataclass
class CallLog:
    """The calls of one dialogue, in order."""

    calls: list[ToolCall] = field(default_factory=list)
    understandings: list[Understanding] = field(default_factory=list)

    def mark(self) -> tuple[int, int]:
        """Where the log stands now, to take what came after with `since`."""
        return len(self.calls), len(self.understandings)

    def since(self, mark: tuple[int, int]) -> tuple[tuple[ToolCall, ...], tuple[Understanding, ...]]:
        """The calls and understandings logged after `mark`."""
        return tuple(self.calls[mark[0] :]), tuple(self.understandings[mark[1] :])


class RecordingPort:
    """A store that logs its write calls to a `CallLog` and otherwise behaves exactly as the store it wraps."""

    def __init__(self, port: str, target: object, log: CallLog) -> None:
        self._port = port
        self._target = target
        self._log = log

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not is_write(name) or not inspect.iscoroutinefunction(attribute):
            return attribute
        method = cast(Callable[..., Awaitable[object]], attribute)
        port, log = self._port, self._log

        async def recorded(*args: Any, **kwargs: Any) -> object:
            arguments = flatten_arguments(method, args, kwargs)
            try:
                result = await method(*args, **kwargs)
            except Exception as error:
                log.calls.append(ToolCall(f"{port}.{name}", arguments, type(error).__name__))
                raise
            log.calls.append(ToolCall(f"{port}.{name}", arguments))
            return result

        return recorded


def record_stores(stores: BusinessStores, log: CallLog) -> BusinessStores:
    """The same stores, each port wrapped so that its writes are logged to `log`."""
    wrapped = {port: RecordingPort(port, getattr(stores, port), log) for port in PORTS}
    return dataclasses.replace(stores, **cast(dict[str, Any], wrapped))


@dataclass(frozen=True)
class RecordingUnderstander:
    """An `Understander` that logs every meaning the wrapped one returns."""

    inner: Understander
    log: CallLog

    async def understand(self, text: str, context: DialogueContext) -> Understanding:
        """The wrapped understander's meaning of `text`, logged."""
        meaning = await self.inner.understand(text, context)
        self.log.understandings.append(meaning)
        return meaning


@dataclass(frozen=True)
class RecordingKnowledge:
    """A `KnowledgeAnswerer` whose every question is logged as the tool call ``knowledge.answer``.

    The call's arguments are the question, the language, and what came back: the source document
    (empty when the knowledge base was not sure) and the confidence.
    """

    inner: KnowledgeAnswerer
    log: CallLog

    async def answer(self, question: str, *, language: str) -> KnowledgeAnswer | None:
        """The wrapped answerer's answer, logged."""
        found = await self.inner.answer(question, language=language)
        args: dict[str, Json] = {
            "question": question,
            "language": language,
            "document": found.document if found else "",
            "confidence": round(found.confidence, 3) if found else 0.0,
        }
        self.log.calls.append(ToolCall("knowledge.answer", args))
        return found
