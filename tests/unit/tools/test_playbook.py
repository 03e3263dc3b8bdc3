"""Playbooks: the demo businesses load, and every kind of mistake is named precisely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.intents import Intent
from tools.playbook import PlaybookInvalid, load_playbook, parse_playbook
from tools.playbook.loader import format_path

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted(ROOT.glob("examples/*/playbook.yaml"))
MINIMAL = (ROOT / "tests/fixtures/minimal_playbook.yaml").read_text(encoding="utf-8")


def _problems(text: str) -> list[str]:
    with pytest.raises(PlaybookInvalid) as caught:
        parse_playbook(text, source="broken.yaml")
    return str(caught.value).splitlines()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_every_demo_business_is_valid_bilingual_and_complete(path: Path) -> None:
    playbook = load_playbook(path)
    assert playbook.business.languages == ["en", "ru"]
    assert len(playbook.services) >= 8
    assert len(playbook.staff) >= 4
    assert set(playbook.examples) == set(Intent)
    for intent, phrases in playbook.examples.items():
        assert len(phrases.get("en")) >= 5 and len(phrases.get("ru")) >= 5, intent
    for language in ("en", "ru"):
        documents = list((path.parent / "kb" / language).glob("*.md"))
        assert len(documents) >= 10, f"{path.parent.name} has {len(documents)} {language} KB documents"


def test_the_demo_businesses_are_different_kinds_of_business() -> None:
    assert len(EXAMPLES) >= 2
    studio, renovation = (
        load_playbook(ROOT / f"examples/{name}/playbook.yaml") for name in ("studio", "renovation")
    )
    assert studio.products and any(s.deposit for s in studio.services)
    assert any(not s.bookable and s.estimate for s in renovation.services)


def test_the_issue_example_error_is_reproduced_exactly() -> None:
    broken = MINIMAL.replace("duration_minutes: 120", 'duration_minutes: "1h"')
    assert _problems(broken) == [
        'broken.yaml: services[1].duration_minutes: must be a positive whole number, got "1h" (line 35)'
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "duration_minutes: 60",
            "duraton_minutes: 60",
            "services[0].duraton_minutes: is not a known field; did you mean duration_minutes? (line 28)",
        ),
        (
            "staff: [anna, boris]",
            "staff: [anna, olga]",
            "services[0].staff[1]: unknown staff id 'olga'; known: anna, boris (line 30)",
        ),
        (
            'mon: ["10:00-19:00"]\n    tue',
            'mon: ["19:00-10:00"]\n    tue',
            "hours.weekly.mon[0]: the end must be later than the start (line 13)",
        ),
        (
            "currency: RUB",
            "currency: rubles",
            'business.currency: must be a three-letter ISO 4217 code such as RUB or EUR, got "rubles" (line 8)',
        ),
        (
            "timezone: Europe/Moscow",
            "timezone: Mars/Olympus",
            'business.timezone: must be an IANA time zone such as Europe/Moscow or America/New_York, got "Mars/Olympus" (line 5)',
        ),
        (
            '"Здравствуйте, {name}!"',
            '"Здравствуйте!"',
            "templates.greeting_known.ru: uses placeholders [] but the en text uses ['name'] (line 77)",
        ),
        (
            "kind: percent",
            "kind: percentage",
            'services[1].deposit.kind: must be one of: percent or fixed, got "percentage" (line 36)',
        ),
        (
            "price: {amount: 2000}",
            "price: {amount: 2000, min: 3}",
            "services[0].price: give either amount (a fixed price) or min and max (a range), not both (line 27)",
        ),
        (
            "sales: true",
            "sales: false",
            "sales_routing.default_owners[0]: 'anna' is not a staff member with sales: true; sales staff: none (line 63)",
        ),
        (
            "quote_amount_over: 20000",
            "quote_amount_over: lots",
            'approvals.quote_amount_over: must be an amount of money such as 2500 or 99.90, got "lots" (line 65)',
        ),
        ("ru: Стрижка}", "fr: Coupe}", 'services[0].name.fr: must be one of: en or ru, got "fr" (line 25)'),
        (
            "  - id: boris\n",
            "  - id: anna\n",
            "staff[1].id: the id 'anna' is already used by staff[0] (line 48)",
        ),
        (
            "name: {en: Coloring, ru: Окрашивание}",
            "name: {en: Coloring}",
            "services[1].name: missing the ru text; the business serves en, ru (line 33)",
        ),
        ("date: 2026-12-31", "date: 2026-13-31", "hours.holidays[0].date: must be a date written YYYY-MM-DD"),
    ],
)
def test_a_broken_playbook_names_the_field_the_problem_and_the_value(
    old: str, new: str, expected: str
) -> None:
    assert old in MINIMAL
    problems = _problems(MINIMAL.replace(old, new, 1))
    assert any(line.startswith(f"broken.yaml: {expected}") for line in problems), problems


def test_every_problem_is_reported_not_only_the_first() -> None:
    broken = MINIMAL.replace("duration_minutes: 60", "duration_minutes: 0").replace(
        "currency: RUB", "currency: x"
    )
    assert len(_problems(broken)) == 2


def test_missing_sections_are_required_by_name() -> None:
    assert "broken.yaml: approvals: is required" in "\n".join(
        _problems(
            MINIMAL.replace("approvals:\n  quote_amount_over: 20000\n  discount_percent_over: 10\n", "")
        )
    )


def test_yaml_syntax_errors_name_the_line() -> None:
    assert _problems("business: [unclosed\n") == [
        "broken.yaml: is not valid YAML: expected ',' or ']', but got '<stream end>' (line 2)"
    ]


def test_times_and_words_are_not_turned_into_numbers_or_booleans() -> None:
    playbook = parse_playbook(
        MINIMAL.replace("aliases: {en: [trim, cut], ru:", "aliases: {en: [no, on, 10:30], ru:")
    )
    assert playbook.services[0].aliases.get("en") == ["no", "on", "10:30"]


def test_a_missing_file_is_reported() -> None:
    with pytest.raises(PlaybookInvalid, match="nowhere.yaml: no such file"):
        load_playbook("nowhere.yaml")


def test_paths_render_like_the_yaml() -> None:
    assert format_path(("services", 2, "duration_minutes")) == "services[2].duration_minutes"
    assert format_path(("templates", "greeting", "ru")) == "templates.greeting.ru"


def test_the_committed_json_schema_is_current() -> None:
    from typer.testing import CliRunner

    from server.cli import app

    result = CliRunner().invoke(app, ["playbook", "schema"])
    assert result.exit_code == 0
    generated = json.loads(result.stdout)
    committed = json.loads((ROOT / "docs/playbook.schema.json").read_text(encoding="utf-8"))
    assert generated == committed, "run: frontdesk playbook schema -o docs/playbook.schema.json"
    assert {"business", "services", "hours", "approvals"} <= set(generated["properties"])


def test_a_key_written_twice_is_an_error_not_a_silent_overwrite() -> None:
    broken = MINIMAL.replace("  currency: RUB\n", "  currency: RUB\n  currency: EUR\n")
    assert _problems(broken) == [
        "broken.yaml: business.currency: is written twice (first at line 8); keep one (line 9)"
    ]


def test_a_template_with_a_stray_brace_is_reported() -> None:
    broken = MINIMAL.replace('"Hello, {name}!"', '"Hello, {name}! :-{"')
    [problem] = _problems(broken)
    assert problem.startswith("broken.yaml: templates.greeting_known.en: is not a valid template")


@pytest.mark.parametrize(
    "path", [*EXAMPLES, ROOT / "tests/fixtures/minimal_playbook.yaml"], ids=lambda p: p.parent.name
)
def test_the_json_schema_accepts_every_valid_playbook(path: Path) -> None:
    import jsonschema

    from tools.playbook._yaml import parse_yaml

    data, _ = parse_yaml(path.read_text(encoding="utf-8"))
    as_json = json.loads(json.dumps(data, default=str))
    schema = json.loads((ROOT / "docs/playbook.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(as_json, schema)
