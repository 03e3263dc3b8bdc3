"""Subset matching of expected values: mappings, lists, numbers, moments and local days."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from evals.dialogues.matching import matches, normalize_text, render
from evals.dialogues.model import Json

MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("expected", "actual", "result"),
    [
        ({"status": "confirmed"}, {"status": "confirmed", "id": "bk_1"}, True),
        ({"status": "confirmed"}, {"status": "cancelled"}, False),
        ({"missing": None}, {}, False),
        (
            {"delivery": {"tracking_number": "T1"}},
            {"delivery": {"tracking_number": "T1", "method": "courier"}},
            True,
        ),
        ({"tags": ["hot"]}, {"tags": ["vip", "hot"]}, True),
        ({"tags": ["hot", "cold"]}, {"tags": ["hot"]}, False),
        ({"tags": "hot"}, {"tags": ["hot"]}, True),
        (1490, "1490.00", True),
        ("1490", 1490.0, True),
        ("300000", "3E+5", True),
        ("+79161234567", "79161234567", False),
        (True, 1, False),
        (None, None, True),
        ("2027-03-02T12:00:00+03:00", "2027-03-02T09:00:00+00:00", True),
        ("2027-03-02T12:00:00", "2027-03-02T09:00:00+00:00", True),
        ("2027-03-02", "2027-03-01T22:00:00+00:00", True),
        ("2027-03-01", "2027-03-01T22:00:00+00:00", False),
        ("confirmed", {"status": "confirmed"}, False),
    ],
)
def test_subset_matching(expected: Json, actual: Json, result: bool) -> None:
    assert matches(expected, actual, MSK) is result


def test_text_comparison_ignores_case_and_no_break_spaces() -> None:
    assert normalize_text("1\u00a0800\u202f₽ МАНИКЮР") == "1 800 ₽ маникюр"


def test_rendered_values_are_compact_json_and_shortened() -> None:
    assert render({"a": [1, "б"]}) == '{"a": [1, "б"]}'
    assert len(render("x" * 1000, limit=50)) == 50 and render("x" * 1000, limit=50).endswith("…")
