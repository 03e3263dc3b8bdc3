"""Precise problems for suite files, built on the playbook loader's machinery.

The playbook loader already turns pydantic errors into ``FILE: FIELD.PATH: what is
wrong, got VALUE (line N)``; this module reuses it and adds what suite files need:
suggestions for unknown keys against the suite models (not the playbook's), steps
told apart by their tag, and plain words for dates, intents and tool names.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from tools.errors import ConfigError
from tools.playbook._yaml import Path, line_of
from tools.playbook.loader import _data_path, _got, _model_in, _problem_from, _step, format_path


@dataclass(frozen=True)
class SuiteProblem:
    """One thing wrong with a suite file."""

    source: str
    """The file."""
    path: Path
    """The field at fault."""
    message: str
    line: int | None = None

    def describe(self) -> str:
        """Render as ``FILE: path: message (line N)``."""
        where = f" (line {self.line})" if self.line is not None else ""
        field = format_path(self.path)
        return f"{self.source}: {field + ': ' if field else ''}{self.message}{where}"


class SuiteInvalid(ConfigError):
    """Suite files that cannot be run, with every problem found."""

    def __init__(self, problems: list[SuiteProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(problem.describe() for problem in problems))


_MESSAGES = {
    "datetime_type": "must be a date and time such as 2027-03-01T12:00:00+03:00",
    "datetime_parsing": "must be a date and time such as 2027-03-01T12:00:00+03:00",
    "datetime_from_date_parsing": "must be a date and time such as 2027-03-01T12:00:00+03:00",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "greater_than": "must be more than zero",
    "greater_than_equal": "must not be negative",
    "decimal_parsing": "must be a number",
}


def problem_from(
    detail: ErrorDetails,
    data: Any,
    lines: dict[Path, int],
    *,
    source: str,
    root: type[BaseModel],
    tags: Mapping[str, type[BaseModel]],
) -> SuiteProblem:
    """Explain one pydantic error of validating `data` (parsed with `lines`) against `root`.

    `tags` maps the tags of tagged unions (``say-step``) to their models, so that an
    unknown key is compared with the fields of the right model.
    """
    kind = detail["type"]
    loc = tuple(detail["loc"])
    if kind == "extra_forbidden":
        path = _data_path(loc, data)
        message = "is not a known field" + _suggestion(root, tags, loc)
        return SuiteProblem(source, path, message, line_of(lines, path))
    if kind in {"enum", "string_pattern_mismatch"} or kind in _MESSAGES:
        path = _data_path(loc, data)
        ctx = detail.get("ctx") or {}
        if kind == "enum":
            message = "must be one of: " + str(ctx.get("expected", "")).replace("'", "")
        elif kind == "string_pattern_mismatch":
            message = _pattern_message(str(ctx.get("pattern", "")))
        else:
            message = _MESSAGES[kind]
        return SuiteProblem(source, path, message + _got(detail.get("input")), line_of(lines, path))
    problem = _problem_from(detail, data, lines)
    return SuiteProblem(source, problem.path, problem.message, problem.line)


def _pattern_message(pattern: str) -> str:
    if "crm|" in pattern:
        return (
            "must be port.method such as calendar.book (ports: "
            + pattern.split("(")[1].split(")")[0].replace("|", ", ")
            + ")"
        )
    return "must start with a letter or digit and use only letters, digits, '.', '_' and '-'"


def _suggestion(root: type[BaseModel], tags: Mapping[str, type[BaseModel]], loc: tuple[Any, ...]) -> str:
    known = sorted(known_fields(root, tags, loc[:-1]))
    name = loc[-1] if loc else None
    if not known or not isinstance(name, str):
        return ""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]}?"
    return "; known fields: " + ", ".join(known)


def known_fields(
    root: type[BaseModel], tags: Mapping[str, type[BaseModel]], loc: tuple[Any, ...]
) -> set[str]:
    """The field names of the model a pydantic location `loc` points into (empty if none)."""
    annotation: Any = root
    for part in loc:
        if isinstance(part, str) and part in tags:
            annotation = tags[part]
            continue
        annotation = _step(annotation, part)
        if annotation is None:
            return set()
    model = _model_in(annotation)
    return set(model.model_fields) if model is not None else set()


def dedupe(problems: list[SuiteProblem]) -> list[SuiteProblem]:
    """Drop repeated problems (the same field and message), keeping the order."""
    seen: set[tuple[str, Path, str]] = set()
    unique = []
    for problem in problems:
        key = (problem.source, problem.path, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique
