"""Read suite files and folders into dialogues, or explain precisely what is wrong with them.

Every problem reads ``FILE: FIELD.PATH: what is wrong, got VALUE (line N)``, e.g.
``evals/suites/booking.yaml: dialogues[3].steps[2].expect.buttons.count: must be a
whole number, got "three" (line 41)``. All files are read and every problem is
reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from agents.understanding.offline import detect_language
from evals.dialogues import convert
from evals.dialogues import format as spec
from evals.dialogues.model import Dialogue, SeedBooking, Setup
from evals.dialogues.problems import SuiteInvalid, SuiteProblem, dedupe, problem_from
from tools.playbook import Playbook, PlaybookInvalid, load_playbook
from tools.playbook._yaml import DuplicateKey, Path, parse_yaml
from tools.playbook.loader import format_path

ROOT = FilePath(__file__).resolve().parents[2]
"""The repository root: playbook paths in suites are relative to it (or to the suite file)."""


@dataclass(frozen=True)
class LoadedSuites:
    """Dialogues ready to run, with the playbooks they use (each loaded once)."""

    dialogues: tuple[Dialogue, ...]
    playbooks: Mapping[FilePath, Playbook]


def suite_files(paths: Sequence[FilePath]) -> tuple[list[FilePath], list[SuiteProblem]]:
    """The ``*.yaml`` / ``*.yml`` files named or found (recursively) under the folders named."""
    files: list[FilePath] = []
    problems: list[SuiteProblem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(SuiteProblem(str(path), (), "no such file or folder"))
    return files, problems


def load_suites(paths: Sequence[FilePath]) -> LoadedSuites:
    """Load every dialogue under `paths`.

    Raises:
        SuiteInvalid: with every problem of every file (ids must be unique across them).
    """
    files, problems = suite_files(paths)
    playbooks: dict[FilePath, Playbook] = {}
    dialogues: list[Dialogue] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(SuiteProblem(str(file), (), f"cannot be read: {error}"))
            continue
        found, file_problems = parse_suite(text, source=str(file), base=file.parent, playbooks=playbooks)
        dialogues.extend(found)
        problems.extend(file_problems)
    first: dict[str, Dialogue] = {}
    for dialogue in dialogues:
        if dialogue.id in first:
            earlier = first[dialogue.id]
            path = _path_of(dialogue.prefix) + ("id",)
            problems.append(
                SuiteProblem(
                    dialogue.source,
                    path,
                    f"{dialogue.id!r} is used twice (first in {earlier.source}, line {earlier.line('id')})",
                    dialogue.line("id"),
                )
            )
        first.setdefault(dialogue.id, dialogue)
    if not files and not problems:
        problems.append(SuiteProblem(", ".join(map(str, paths)) or ".", (), "no suite files (*.yaml) found"))
    if problems:
        raise SuiteInvalid(dedupe(problems))
    return LoadedSuites(tuple(dialogues), playbooks)


def _path_of(prefix: str) -> Path:
    return ("dialogues", int(prefix[len("dialogues[") : -1])) if prefix else ()


def _plain(value: Any) -> Any:
    """YAML dates and times as ISO text, so that `where` and `args` values stay JSON."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def parse_suite(
    text: str, *, source: str, base: FilePath, playbooks: dict[FilePath, Playbook] | None = None
) -> tuple[list[Dialogue], list[SuiteProblem]]:
    """Validate one suite file's text; `base` is its folder (for relative playbook paths)."""
    playbooks = {} if playbooks is None else playbooks
    try:
        raw, lines = parse_yaml(text)
    except DuplicateKey as error:
        return [], [SuiteProblem(source, error.path, str(error), error.line)]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        return [], [SuiteProblem(source, (), f"is not valid YAML: {error.problem}", line)]
    data = _plain(raw)
    if not isinstance(data, dict):
        message = "must be a dialogue (id, start, steps…) or a suite (suite, dialogues: […])"
        return [], [SuiteProblem(source, (), message, 1)]
    validated = _validate(data, lines, source)
    if isinstance(validated, list):
        return [], validated
    suite, items = validated
    dialogues: list[Dialogue] = []
    problems: list[SuiteProblem] = []
    for prefix, item in items:
        own = {format_path(p[len(prefix) :]): n for p, n in lines.items() if p[: len(prefix)] == prefix}
        where = (*prefix, "playbook")
        found = resolve_playbook(item.playbook, base)
        if found is None:
            problems.append(SuiteProblem(source, where, f"no such file: {item.playbook}", lines.get(where)))
            continue
        playbook = _playbook(found, playbooks, source, where, lines, problems)
        if playbook is None:
            continue
        language = item.language
        if language is None:
            first = next((s.say for s in item.steps or () if isinstance(s, spec.SayStep)), "")
            language = detect_language(first, playbook.business.default_language)
        dialogue = convert.dialogue(
            item,
            suite=suite,
            source=source,
            prefix=format_path(prefix),
            playbook=found,
            language=language,
            lines=own,
        )
        problems.extend(
            SuiteProblem(source, (*prefix, *path), message, dialogue.line(format_path(path)))
            for path, message in check_setup(dialogue.setup, playbook)
        )
        dialogues.append(dialogue)
    return dialogues, problems


def _validate(
    data: dict[str, Any], lines: dict[Path, int], source: str
) -> tuple[str, list[tuple[Path, spec.DialogueSpec]]] | list[SuiteProblem]:
    """The suite's name and its dialogues with their place in the file, or the problems found."""
    model: type[BaseModel] = spec.SuiteSpec if "dialogues" in data else spec.DialogueFileSpec
    try:
        validated = model.model_validate(data)
    except ValidationError as error:
        problems = [
            problem_from(detail, data, lines, source=source, root=model, tags=spec.STEP_TAGS)
            for detail in error.errors(include_url=False)
        ]
        return dedupe(problems)
    stem = FilePath(source).stem
    if isinstance(validated, spec.SuiteSpec):
        items: list[tuple[Path, spec.DialogueSpec]] = [
            (("dialogues", i), item) for i, item in enumerate(validated.dialogues)
        ]
        return validated.suite or stem, items
    assert isinstance(validated, spec.DialogueFileSpec)
    return validated.suite or stem, [((), validated)]


def resolve_playbook(name: str, base: FilePath) -> FilePath | None:
    """The playbook file `name` names: absolute, or relative to the repository root, the suite's folder or here."""
    given = FilePath(name)
    candidates = [given] if given.is_absolute() else [ROOT / given, base / given, FilePath.cwd() / given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    return None


def _playbook(
    path: FilePath,
    cache: dict[FilePath, Playbook],
    source: str,
    where: Path,
    lines: dict[Path, int],
    problems: list[SuiteProblem],
) -> Playbook | None:
    if path not in cache:
        try:
            cache[path] = load_playbook(path)
        except PlaybookInvalid as error:
            first = error.problems[0].describe(str(path))
            more = f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
            problems.append(
                SuiteProblem(source, where, f"is not a valid playbook: {first}{more}", lines.get(where))
            )
            return None
    return cache[path]


def check_setup(setup: Setup, playbook: Playbook) -> list[tuple[Path, str]]:
    """Problems of `setup` as (path inside the dialogue, message): unknown contacts, services and staff."""
    problems: list[tuple[Path, str]] = []
    refs = [contact.ref for contact in setup.contacts]
    seen: set[str] = set()
    for index, contact in enumerate(setup.contacts):
        if contact.ref in seen:
            problems.append((("setup", "contacts", index, "id"), f"{contact.ref!r} is used twice"))
        seen.add(contact.ref)
    known = ", ".join(refs) or "none"
    for index, order in enumerate(setup.orders):
        if order.contact not in seen:
            problems.append(
                (
                    ("setup", "orders", index, "contact"),
                    f"must be a setup contact id (known: {known}), got {order.contact!r}",
                )
            )
    for group, bookings in (("bookings", setup.bookings), ("busy", setup.busy)):
        for index, booking in enumerate(bookings):
            where: Path = ("setup", group, index)
            if booking.contact is not None and booking.contact not in seen:
                problems.append(
                    (
                        (*where, "contact"),
                        f"must be a setup contact id (known: {known}), got {booking.contact!r}",
                    )
                )
            problems.extend(((*where, *path), message) for path, message in _check_service(booking, playbook))
    return problems


def _check_service(booking: SeedBooking, playbook: Playbook) -> list[tuple[Path, str]]:
    bookable = [service.id for service in playbook.services if service.bookable]
    if booking.service not in bookable:
        return [
            (
                ("service",),
                f"must be a bookable service of the playbook ({', '.join(bookable)}), got {booking.service!r}",
            )
        ]
    service = playbook.service(booking.service)
    if booking.staff is not None and booking.staff not in service.staff:
        return [
            (
                ("staff",),
                f"must be one of the service's staff ({', '.join(service.staff)}), got {booking.staff!r}",
            )
        ]
    return []
