"""Grade one step (or the end of a dialogue) against its expectations: a `Check` per expected value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from agents.understanding import Understanding
from agents.understanding.offline import detect_language
from evals.dialogues.matching import matches, normalize_text, project, render
from evals.dialogues.model import Dialogue, Expectation, Final, Json, RecordsExpectation, ToolCallExpectation
from evals.dialogues.recording import ToolCall
from evals.dialogues.results import Check, Reply, ToolStats

BOOKKEEPING = frozenset(
    {
        "crm.contact_for_identity",
        "conversations.open_conversation",
        "conversations.record_inbound",
        "conversations.finish_turn",
        "conversations.record_reply",
        "conversations.update_conversation",
        "conversations.decide_approval",
    }
)
"""Writes the runner makes on every turn: logged, but not counted as the agents' tool calls."""

Records = Mapping[str, tuple[Mapping[str, Json], ...]]


@dataclass(frozen=True)
class Observation:
    """What one step did, as the checks see it."""

    zone: ZoneInfo
    default_language: str
    replies: tuple[Reply, ...] = ()
    agent: str | None = None
    understanding: Understanding | None = None
    slots: Mapping[str, Json] = field(default_factory=dict)
    calls: tuple[ToolCall, ...] = ()
    approval: bool = False
    handoff: bool = False
    records: Records = field(default_factory=dict)


def entity_values(meaning: Understanding) -> dict[str, Json]:
    """The entities of an understanding as plain values (the keys ``expect.entities`` may name)."""
    found = meaning.entities
    return {
        "catalog": [match.id for match in found.catalog],
        "dates": [mention.day.isoformat() for mention in found.dates if mention.day is not None],
        "times": [mention.at.strftime("%H:%M") for mention in found.dates if mention.at is not None],
        "phone": found.phone,
        "email": found.email,
        "money": [str(mention.amount) for mention in found.money],
        "quantities": [{"value": str(q.value), "unit": q.unit} for q in found.quantities],
        "order_id": found.order_id,
        "name": found.name,
    }


class _Grader:
    """Collects the checks of one step (or the final block) of one dialogue."""

    def __init__(self, dialogue: Dialogue, base: str, zone: ZoneInfo) -> None:
        self.dialogue, self.base, self.zone = dialogue, base, zone
        self.checks: list[Check] = []

    def add(
        self,
        path: str,
        kind: str,
        passed: bool,
        expected: str,
        got: str,
        *,
        truth: bool | None = None,
        observed: bool | None = None,
    ) -> None:
        """Record one check at `path` under the base, with the line it is written on."""
        full = f"{self.base}.{path}" if path else self.base
        line = self.dialogue.line(full)
        self.checks.append(Check(full, kind, passed, expected, got, line, truth, observed))

    def tools(
        self, path: str, expected: tuple[ToolCallExpectation, ...], calls: tuple[ToolCall, ...]
    ) -> ToolStats:
        """One check per expected call (matched one-to-one), and the counts for precision and recall."""
        made = [call for call in calls if call.name not in BOOKKEEPING]
        free = list(range(len(calls)))
        found = bookkeeping = 0
        for index, want in enumerate(expected):
            hit = next(
                (
                    i
                    for i in free
                    if calls[i].name == want.name and matches(dict(want.args), dict(calls[i].args), self.zone)
                ),
                None,
            )
            if hit is not None:
                free.remove(hit)
                found += 1
                bookkeeping += calls[hit].name in BOOKKEEPING
            same = [c for c in calls if c.name == want.name]
            got = (
                "; ".join(f"{c.name}({render(dict(c.args), limit=300)})" for c in same)
                if same
                else "calls: " + (", ".join(c.name for c in made) or "none")
            )
            wanted = f"{want.name}({render(dict(want.args))})" if want.args else want.name
            self.add(f"{path}[{index}]", "tools", hit is not None, wanted, got)
        return ToolStats(expected=len(expected), found=found, made=len(made) + bookkeeping)

    def no_tools(self, path: str, names: tuple[str, ...], calls: tuple[ToolCall, ...]) -> None:
        """One check per name that must not have been called."""
        for index, name in enumerate(names):
            count = sum(1 for call in calls if call.name == name)
            self.add(f"{path}[{index}]", "no_tools", count == 0, f"no {name}", f"{count} call(s)")

    def records(self, path: str, expected: tuple[RecordsExpectation, ...], records: Records) -> None:
        """One check per record kind: how many records match `where`."""
        for want in expected:
            rows = records.get(want.kind, ())
            hits = [row for row in rows if matches(dict(want.where), dict(row), self.zone)]
            passed = len(hits) == want.count if want.count is not None else bool(hits)
            count = f"{want.count}" if want.count is not None else "at least 1"
            wanted = f"{count} {want.kind}" + (f" where {render(dict(want.where))}" if want.where else "")
            shown = [project(row, list(want.where)) for row in rows]
            got = f"{len(hits)} of {len(rows)}: {render(shown)}"
            self.add(f"{path}.{want.kind}", "records", passed, wanted, got)


def check_step(
    expect: Expectation, seen: Observation, *, dialogue: Dialogue, base: str
) -> tuple[tuple[Check, ...], ToolStats | None]:
    """Every check of one step's `expect` (at `base`, e.g. ``steps[2].expect``) against what it did."""
    grade = _Grader(dialogue, base, seen.zone)
    if expect.agent is not None:
        grade.add("agent", "agent", seen.agent == expect.agent, render(expect.agent), render(seen.agent))
    meaning = seen.understanding
    if expect.intent is not None:
        intent = meaning.intent.value if meaning is not None else None
        grade.add("intent", "intent", intent == expect.intent, render(expect.intent), render(intent))
    values = entity_values(meaning) if meaning is not None else {}
    for key, value in expect.entities.items():
        got = values.get(key)
        passed = got in (None, []) if value is None else matches(value, got, seen.zone)
        grade.add(f"entities.{key}", "entities", passed, render(value), render(got))
    for key, value in expect.slots.items():
        got = seen.slots.get(key)
        passed = got is not None and matches(value, got, seen.zone)
        grade.add(f"slots.{key}", "slots", passed, render(value), render(got))
    _replies(grade, expect, seen)
    stats = grade.tools("tools", expect.tools, seen.calls) if expect.tools else None
    grade.no_tools("no_tools", expect.no_tools, seen.calls)
    grade.records("records", expect.records, seen.records)
    for name, flag, happened in (
        ("approval", expect.approval, seen.approval),
        ("handoff", expect.handoff, seen.handoff),
    ):
        if flag is not None:
            grade.add(
                name, name, flag == happened, render(flag), render(happened), truth=flag, observed=happened
            )
    if expect.silent is not None:
        silent = not seen.replies
        grade.add("silent", "silent", expect.silent == silent, render(expect.silent), render(silent))
    if expect.language is not None:
        text = " ".join(reply.text for reply in seen.replies)
        language = detect_language(text, "en" if seen.default_language == "en" else "ru") if text else None
        grade.add(
            "language", "language", language == expect.language, render(expect.language), render(language)
        )
    return tuple(grade.checks), stats


def _replies(grade: _Grader, expect: Expectation, seen: Observation) -> None:
    joined = "\n".join(reply.text for reply in seen.replies)
    folded = normalize_text(joined)
    shown = render(joined, limit=600)
    for index, text in enumerate(expect.reply_contains):
        grade.add(
            f"reply_contains[{index}]", "reply_contains", normalize_text(text) in folded, render(text), shown
        )
    for index, pattern in enumerate(expect.reply_matches):
        found = re.search(pattern, joined.replace("\u00a0", " ").replace("\u202f", " ")) is not None
        grade.add(f"reply_matches[{index}]", "reply_matches", found, render(pattern), shown)
    for index, text in enumerate(expect.reply_not_contains):
        grade.add(
            f"reply_not_contains[{index}]",
            "reply_not_contains",
            normalize_text(text) not in folded,
            render(text),
            shown,
        )
    if expect.buttons is not None:
        buttons = next((list(r.buttons) for r in reversed(seen.replies) if r.buttons), [])
        want = expect.buttons
        if want.count is not None:
            grade.add(
                "buttons.count", "buttons", len(buttons) == want.count, render(want.count), render(buttons)
            )
        for index, label in enumerate(want.contains):
            present = normalize_text(label) in [normalize_text(b) for b in buttons]
            grade.add(f"buttons.contains[{index}]", "buttons", present, render(label), render(buttons))
        if want.equals is not None:
            equal = buttons == list(want.equals)
            grade.add("buttons.equals", "buttons", equal, render(list(want.equals)), render(buttons))
    if expect.proactive is not None:
        texts = [
            str(c.args.get("text", "")) for c in seen.calls if c.name == "conversations.record_proactive"
        ]
        if expect.proactive.count is not None:
            count = expect.proactive.count
            grade.add("proactive.count", "proactive", len(texts) == count, render(count), render(texts))
        everything = normalize_text("\n".join(texts))
        for index, text in enumerate(expect.proactive.contains):
            present = normalize_text(text) in everything
            grade.add(f"proactive.contains[{index}]", "proactive", present, render(text), render(texts))


def check_final(
    final: Final,
    *,
    dialogue: Dialogue,
    calls: tuple[ToolCall, ...],
    records: Records,
    handoff: bool,
    zone: ZoneInfo,
) -> tuple[tuple[Check, ...], ToolStats | None]:
    """The checks of the dialogue's `final` block against the whole run and the final stores."""
    grade = _Grader(dialogue, "final", zone)
    grade.records("records", final.records, records)
    stats = grade.tools("tools", final.tools, calls) if final.tools else None
    grade.no_tools("no_tools", final.no_tools, calls)
    if final.handoff is not None:
        passed = final.handoff == handoff
        grade.add(
            "handoff",
            "handoff",
            passed,
            render(final.handoff),
            render(handoff),
            truth=final.handoff,
            observed=handoff,
        )
    return tuple(grade.checks), stats
