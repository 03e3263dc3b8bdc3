"""Reading provider JSON with precise complaints: every failure names the path that is wrong."""

from __future__ import annotations

import json
from typing import TypeVar

from server.channels.model import JsonObject, MalformedPayload

_T = TypeVar("_T")


def load_object(raw: bytes, *, what: str) -> Node:
    """Parse `raw` as one JSON object, or raise `MalformedPayload` saying why it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedPayload(f"{what} body is not UTF-8 (byte {error.start})") from error
    if not text.strip():
        raise MalformedPayload(f"{what} body is empty")
    try:
        value = json.loads(text)
    except ValueError as error:
        raise MalformedPayload(f"{what} body is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise MalformedPayload(f"{what} body is a JSON {type(value).__name__}, not an object")
    return Node(value, "$")


def try_load_object(raw: bytes) -> JsonObject | None:
    """The JSON object in `raw`, or None when it is not one (for provider responses)."""
    try:
        value = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


class Node:
    """A JSON object at a known path, with typed, complaining accessors."""

    def __init__(self, value: JsonObject, path: str) -> None:
        self.value = value
        self.path = path

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path != "$" else key

    def has(self, key: str) -> bool:
        """Whether `key` is present and not null."""
        return self.value.get(key) is not None

    def _required(self, key: str, found: _T | None) -> _T:
        if found is None:
            raise MalformedPayload(f"{self._where(key)} is missing")
        return found

    def obj(self, key: str) -> Node:
        """The object at `key`; it must be there."""
        return self._required(key, self.opt_obj(key))

    def _optional(self, key: str, kind: type[_T], label: str) -> _T | None:
        value = self.value.get(key)
        if value is None:
            return None
        if not isinstance(value, kind):
            raise MalformedPayload(f"{self._where(key)} is not {label}")
        return value

    def opt_obj(self, key: str) -> Node | None:
        """The object at `key`, or None when absent."""
        value = self._optional(key, dict, "an object")
        return Node(value, self._where(key)) if value is not None else None

    def items(self, key: str) -> list[Node]:
        """The objects of the list at `key`; an absent key is an empty list."""
        value = self._optional(key, list, "a list") or []
        nodes: list[Node] = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise MalformedPayload(f"{self._where(key)}[{index}] is not an object")
            nodes.append(Node(item, f"{self._where(key)}[{index}]"))
        return nodes

    def required_items(self, key: str) -> list[Node]:
        """Like `items`, but the list must be present."""
        if key not in self.value:
            raise MalformedPayload(f"{self._where(key)} is missing")
        return self.items(key)

    def id(self, key: str) -> str:
        """An identifier that providers send as a string or an integer; it must be there."""
        return self._required(key, self.opt_id(key))

    def opt_id(self, key: str) -> str | None:
        """An identifier (string or integer), or None when absent."""
        value = self.value.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise MalformedPayload(f"{self._where(key)} is not a string or an integer")
        text = str(value)
        if not text:
            raise MalformedPayload(f"{self._where(key)} is empty")
        return text

    def text(self, key: str) -> str:
        """A string; it must be there."""
        return self._required(key, self.opt_text(key))

    def opt_text(self, key: str) -> str | None:
        """A string, or None when absent."""
        return self._optional(key, str, "a string")

    def number(self, key: str) -> float:
        """A number (or a string of digits, as WhatsApp sends timestamps); it must be there."""
        value = self._required(key, self.value.get(key))
        if isinstance(value, str) and value.strip().isdigit():
            return float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MalformedPayload(f"{self._where(key)} is not a number")
        return float(value)

    def flag(self, key: str) -> bool:
        """Whether `key` is true."""
        return self.value.get(key) is True
