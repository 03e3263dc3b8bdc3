"""The suite format: good files become dialogues, bad ones get one precise line per problem."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from evals.dialogues.format import json_schema
from evals.dialogues.loading import load_suites, parse_suite
from evals.dialogues.model import Advance, Event, Say, StaffAct
from evals.dialogues.problems import SuiteInvalid
from tests.conftest import ROOT

HEAD = """suite: s
dialogues:
  - id: one
    playbook: examples/studio/playbook.yaml
    start: 2027-03-01T12:00:00+03:00
    steps:
"""


def _problems(text: str, source: str = "suite.yaml") -> list[str]:
    dialogues, problems = parse_suite(text, source=source, base=ROOT)
    assert not dialogues or problems
    return [problem.describe() for problem in problems]


def test_a_whole_number_given_as_a_word_is_named_with_its_path_value_and_line() -> None:
    text = HEAD + '      - say: "hi"\n        expect:\n          buttons: {count: three}\n'
    assert _problems(text) == [
        'suite.yaml: dialogues[0].steps[0].expect.buttons.count: must be a whole number, got "three" (line 9)'
    ]


def test_unknown_keys_are_errors_with_a_suggestion_from_the_right_model() -> None:
    text = HEAD + (
        '      - say: "hi"\n        expct: {agent: booking}\n'
        "      - staff: {action: approve, notes: x}\n"
        '      - say: "hi"\n        expect: {records: {bokings: {count: 1}}}\n'
    )
    assert _problems(text) == [
        "suite.yaml: dialogues[0].steps[0].expct: is not a known field; did you mean expect? (line 8)",
        "suite.yaml: dialogues[0].steps[1].staff.notes: is not a known field; did you mean note? (line 9)",
        "suite.yaml: dialogues[0].steps[2].expect.records.bokings: is not a known field; "
        "did you mean bookings? (line 11)",
    ]


def test_steps_enums_and_names_are_checked() -> None:
    text = HEAD + (
        "      - {wait: 1}\n"
        '      - say: "hi"\n'
        "        expect: {intent: bokking, agent: bookng, tools: [{name: calender.book}], reply_matches: ['(']}\n"
        "      - staff: {action: reply}\n"
    )
    problems = _problems(text)
    assert (
        problems[0]
        == "suite.yaml: dialogues[0].steps[0]: must have one of: say, staff, event, advance (line 7)"
    )
    assert any(
        p.startswith("suite.yaml: dialogues[0].steps[1].expect.intent: must be one of: pricing, booking_new,")
        and p.endswith('got "bokking" (line 9)')
        for p in problems
    ), problems
    assert any("expect.agent: must be one of: sales, booking" in p and 'got "bookng"' in p for p in problems)
    assert any(
        "expect.tools[0].name: must be port.method such as calendar.book" in p and 'got "calender.book"' in p
        for p in problems
    )
    assert any("expect.reply_matches[0]: is not a valid regular expression" in p for p in problems)
    assert problems[-1] == "suite.yaml: dialogues[0].steps[2].staff: a staff reply needs text (line 10)"


def test_missing_start_bad_dates_and_steps_with_a_simulation_are_explained() -> None:
    text = (
        "dialogues:\n"
        "  - id: a\n    steps: []\n"
        "  - id: b\n    start: tomorrow\n    steps: []\n"
        "  - id: c\n    start: 2027-03-01T12:00:00\n    steps: []\n    simulate: {persona: p, goal: g}\n"
    )
    assert _problems(text) == [
        "suite.yaml: dialogues[0].start: is required (line 2)",
        'suite.yaml: dialogues[1].start: must be a date and time such as 2027-03-01T12:00:00+03:00, got "tomorrow" '
        "(line 5)",
        "suite.yaml: dialogues[2]: needs either steps or simulate (one of them) (line 7)",
    ]


def test_yaml_errors_duplicate_keys_and_non_mappings() -> None:
    assert _problems("id: a\nid: b\n") == [
        "suite.yaml: id: is written twice (first at line 1); keep one (line 2)"
    ]
    assert _problems("id: [a\n")[0].startswith("suite.yaml: is not valid YAML:")
    assert _problems("- a\n- b\n") == [
        "suite.yaml: must be a dialogue (id, start, steps…) or a suite (suite, dialogues: […]) (line 1)"
    ]


def test_setup_references_and_playbooks_are_checked_against_the_playbook() -> None:
    text = HEAD.replace("    steps:\n", "") + (
        "    setup:\n"
        "      contacts: [{id: c1, external_id: u1}]\n"
        "      orders: [{number: N1, contact: c2, items: [{product_id: p, name: P, unit_price: 10}]}]\n"
        "      bookings: [{contact: c1, service: nails, start: 2027-03-02T12:00:00}]\n"
        "      busy: [{service: manicure, staff: artem, start: 2027-03-02T12:00:00}]\n"
        '    steps: [{say: "hi"}]\n'
        "  - id: two\n    playbook: nowhere/playbook.yaml\n    start: 2027-03-01T12:00:00\n    steps: []\n"
    )
    problems = _problems(text)
    assert (
        problems[0]
        == "suite.yaml: dialogues[0].setup.orders[0].contact: must be a setup contact id (known: c1), got 'c2' (line 8)"
    )
    assert problems[1].startswith(
        "suite.yaml: dialogues[0].setup.bookings[0].service: must be a bookable service"
    )
    assert problems[1].endswith("got 'nails' (line 9)")
    assert problems[2].startswith(
        "suite.yaml: dialogues[0].setup.busy[0].staff: must be one of the service's staff"
    )
    assert problems[3] == "suite.yaml: dialogues[1].playbook: no such file: nowhere/playbook.yaml (line 13)"


def test_ids_must_be_unique_across_files_and_missing_paths_are_named(tmp_path: Path) -> None:
    one = "id: same\nstart: 2027-03-01T12:00:00+03:00\nsteps: [{say: hi}]\n"
    (tmp_path / "a.yaml").write_text(one, encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.yaml").write_text(one, encoding="utf-8")
    with pytest.raises(SuiteInvalid) as caught:
        load_suites([tmp_path, tmp_path / "missing.yaml"])
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{tmp_path / 'missing.yaml'}: no such file or folder",
        f"{tmp_path / 'nested' / 'b.yaml'}: id: 'same' is used twice (first in {tmp_path / 'a.yaml'}, line 1) (line 1)",
    ]


def test_a_good_file_becomes_dialogues_with_defaults_lines_and_every_kind_of_step(tmp_path: Path) -> None:
    text = (
        "id: solo\nstart: 2027-03-01T12:00:00\nsteps:\n"
        "  - say: Можно на завтра?\n    expect: {buttons: {count: 3}, entities: {phone: null}}\n"
        "  - staff: {action: edit, changes: {low: 1700000}}\n"
        "  - event: {type: payment}\n"
        "  - advance: {hours: 2, minutes: 5}\n"
    )
    path = tmp_path / "solo.yaml"
    path.write_text(text, encoding="utf-8")
    [dialogue] = load_suites([path]).dialogues
    assert (dialogue.suite, dialogue.customer, dialogue.channel, dialogue.language) == (
        "solo",
        "solo",
        "telegram",
        "ru",
    )
    assert dialogue.playbook == (ROOT / "examples/studio/playbook.yaml").resolve()
    say, staff, event, advance = dialogue.steps
    assert isinstance(say, Say) and say.expect.buttons is not None and say.expect.buttons.count == 3
    assert dict(say.expect.entities) == {"phone": None}
    assert (
        isinstance(staff, StaffAct) and dict(staff.changes) == {"low": "1700000"} and staff.by == "staff:eval"
    )
    assert isinstance(event, Event) and event.type == "payment"
    assert isinstance(advance, Advance) and advance.delta == timedelta(hours=2, minutes=5)
    assert dialogue.line("steps[0].expect.buttons.count") == 5
    assert dialogue.line("steps[3].advance") == 8


def test_the_committed_json_schema_is_the_generated_one() -> None:
    committed = json.loads((ROOT / "docs/evals.schema.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(json_schema()))
    assert {"say", "staff", "event", "advance"} <= set(json.dumps(committed).split('"')[1::2])
