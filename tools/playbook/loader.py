"""Load a playbook file and explain precisely what is wrong with a bad one.

Every problem is reported as ``FILE: FIELD.PATH: what is wrong, got VALUE (line N)``,
for example::

    examples/studio/playbook.yaml: services[2].duration_minutes: must be a positive
    whole number, got "1h" (line 88)

(printed on one line).
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any, Literal

import yaml
from pydantic import BaseModel, RootModel, ValidationError
from pydantic_core import ErrorDetails

from tools.errors import ConfigError
from tools.playbook._yaml import DuplicateKey, Path, line_of, parse_yaml
from tools.playbook.model import Playbook
from tools.playbook.references import check_references


@dataclass(frozen=True)
class PlaybookProblem:
    """One thing wrong with a playbook."""

    path: Path
    """The field at fault."""
    message: str
    """What is wrong, ending with the value found where that helps."""
    line: int | None = None
    """The line in the file, when known."""

    def describe(self, source: str) -> str:
        """Render as ``source: path: message (line N)``."""
        where = f" (line {self.line})" if self.line is not None else ""
        field = format_path(self.path)
        return f"{source}: {field + ': ' if field else ''}{self.message}{where}"


class PlaybookInvalid(ConfigError):
    """A playbook file that cannot be used, with every problem found."""

    def __init__(self, source: str, problems: list[PlaybookProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(problem.describe(source) for problem in problems))


def format_path(path: Path) -> str:
    """Render a path as ``services[2].duration_minutes``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_playbook(path: str | FilePath) -> Playbook:
    """Read, validate and cross-check the playbook at `path`.

    Raises:
        PlaybookInvalid: with every problem found, each naming the field and the value.
    """
    source = str(path)
    try:
        text = FilePath(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaybookInvalid(source, [PlaybookProblem((), "no such file")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PlaybookInvalid(source, [PlaybookProblem((), f"cannot be read: {error}")]) from None
    return parse_playbook(text, source=source)


def parse_playbook(text: str, *, source: str = "<playbook>") -> Playbook:
    """Validate playbook YAML given as text; `source` names it in errors."""
    try:
        data, lines = parse_yaml(text)
    except DuplicateKey as error:
        raise PlaybookInvalid(source, [PlaybookProblem(error.path, str(error), error.line)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise PlaybookInvalid(
            source, [PlaybookProblem((), f"is not valid YAML: {error.problem}", line)]
        ) from None
    if not isinstance(data, dict):
        raise PlaybookInvalid(
            source, [PlaybookProblem((), "must be a YAML mapping with business, hours, services…")]
        )
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as error:
        problems = [_problem_from(detail, data, lines) for detail in error.errors(include_url=False)]
        raise PlaybookInvalid(source, _dedupe(problems)) from None
    reference_problems = check_references(playbook)
    if reference_problems:
        raise PlaybookInvalid(
            source,
            [PlaybookProblem(p.path, p.message, line_of(lines, p.path)) for p in reference_problems],
        )
    return playbook


def _dedupe(problems: list[PlaybookProblem]) -> list[PlaybookProblem]:
    seen: set[tuple[Path, str]] = set()
    unique = []
    for problem in problems:
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            unique.append(problem)
    return unique


def _data_path(loc: tuple[str | int, ...], data: Any) -> Path:
    """Keep the parts of a pydantic location that exist in the data (drops union tags)."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        is_last = index == len(loc) - 1
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif is_last and isinstance(part, str) and not part.startswith(("function-", "[")):
            path.append(part)
    return tuple(path)


def _value_at(data: Any, path: Path) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node


_PLAIN_MESSAGES = {
    "missing": "is required",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of names to values",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "date_type": "must be a date written YYYY-MM-DD",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
}


def _problem_from(detail: ErrorDetails, data: Any, lines: dict[Path, int]) -> PlaybookProblem:
    kind = detail["type"]
    path = _data_path(tuple(detail["loc"]), data)
    ctx = detail.get("ctx") or {}
    if kind == "extra_forbidden":
        message = "is not a known field" + _suggestion(path, data)
    elif kind in {"union_tag_invalid", "union_tag_not_found"}:
        tag = str(ctx.get("discriminator", "")).strip("'")
        path = (*path, tag)
        expected = str(ctx.get("expected_tags", "")).replace("'", "")
        message = f"must be one of: {expected}" if kind == "union_tag_invalid" else "is required"
    elif kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        message = f"must be one of: {expected}"
    elif kind == "too_short" and "min_length" in ctx:
        count = ctx["min_length"]
        message = f"must have at least {count} item{'s' if count != 1 else ''}"
    elif kind in _PLAIN_MESSAGES:
        message = _PLAIN_MESSAGES[kind]
    else:
        message = detail["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        message = message[:1].lower() + message[1:]
    if kind == "union_tag_invalid":
        message += _got(ctx.get("tag"))
    elif kind not in {"missing", "extra_forbidden", "union_tag_not_found"}:
        message += _got(detail.get("input"))
    return PlaybookProblem(path, message, line_of(lines, path))


def _got(value: Any) -> str:
    if isinstance(value, str | int | float | bool) or value is None:
        return f", got {json.dumps(value, ensure_ascii=False, default=str)}"
    if hasattr(value, "isoformat"):
        return f", got {value.isoformat()}"
    return ""


def _suggestion(path: Path, data: Any = None) -> str:
    known = sorted(_fields_at(path[:-1], data))
    if not known or not path or not isinstance(path[-1], str):
        return ""
    close = difflib.get_close_matches(path[-1], known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]}?"
    return "; known fields: " + ", ".join(known)


def _fields_at(path: Path, data: Any = None) -> set[str]:
    """Field names of the model found at `path` inside a playbook (empty if none).

    In a union told apart by a ``type`` field (notification targets), the member whose
    ``type`` matches the data's is the one described.
    """
    annotation: Any = Playbook
    node = data
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return set()
        node = _child(node, part)
    model = _model_in(annotation, node)
    return set(model.model_fields) if model is not None else set()


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _tagged(model: type[BaseModel], node: Any) -> bool:
    """Whether `node` names `model` by its ``type`` literal (True when there is nothing to compare)."""
    field = model.model_fields.get("type")
    if not isinstance(node, dict) or field is None or typing.get_origin(field.annotation) is not Literal:
        return True
    return node.get("type") in typing.get_args(field.annotation)


def _model_in(annotation: Any, node: Any = None) -> type[BaseModel] | None:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0], node)
    if origin in (typing.Union, types.UnionType):
        found_first: type[BaseModel] | None = None
        for arg in typing.get_args(annotation):
            found = _model_in(arg, node)
            if found is not None and _tagged(found, node):
                return found
            found_first = found_first or found
        return found_first
    if (
        isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
        and not issubclass(annotation, RootModel)
    ):
        return annotation
    return None


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None and isinstance(part, str):
        field = model.model_fields.get(part)
        return field.annotation if field is not None else None
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _step(typing.get_args(annotation)[0], part)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _step(arg, part)
            if found is not None:
                return found
        return None
    if origin is list and isinstance(part, int):
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    return None
