"""Fuzzy catalogue matching: inflection, diminutives, typos, both languages, regions."""

from __future__ import annotations

import pytest

from agents.understanding.entities import match_catalog
from agents.understanding.entities.catalog import catalog_index, similarity

from .support import playbook


def _ids(text: str, business: str = "studio") -> list[str]:
    return [match.id for match in match_catalog(text, playbook(business))]


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("хочу на стрижку", "haircut-women"),
        ("можно маникюрчик?", "manicure"),
        ("сколько стоит окрашивания?", "coloring"),
        ("Хочу покраситься в блонд", "coloring"),
        ("стришка", "haircut-women"),
        ("манекюр", "manicure"),
        ("маникюр с покрытием", "gel-polish"),
        ("массаж 90 минут", "massage-90"),
        ("записаться на педикюрчик", "pedicure"),
        ("мужская стрижка", "haircut-men"),
        ("I need a haircut", "haircut-women"),
        ("Can you cut my hair?", "haircut-women"),
        ("do you do gel nails", "gel-polish"),
        ("a massage for my back", "massage-60"),
        ("шампунь для окрашенных волос", "shampoo-repair"),
        ("подарочный сертификат", "gift-certificate"),
        ("в Чистых прудах", "chistye-prudy"),
    ],
)
def test_studio(text: str, best: str) -> None:
    assert _ids(text)[0] == best


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("ванной под ключ", "bathroom-turnkey"),
        ("ремонт ванной", "bathroom-turnkey"),
        ("сделать ремонт кухни", "kitchen-renovation"),
        ("нужен электрик", "electrician-callout"),
        ("в Химках", "khimki"),
        ("я из Масквы", "msk-other"),
        ("живу в Одинцово", "odintsovo"),
        ("kitchen renovation in Khimki", "kitchen-renovation"),
        ("капремонт квартиры", "capital-renovation"),
    ],
)
def test_renovation(text: str, best: str) -> None:
    assert _ids(text, "renovation")[0] == best


def test_several_entries_in_one_message_best_per_id() -> None:
    ids = _ids("I need a haircut and a manicure, and a haircut for my son")
    assert ids[:2] == ["haircut-women", "manicure"] or ids[:2] == ["manicure", "haircut-women"]
    assert len(ids) == len(set(ids))


def test_a_word_inside_a_longer_match_scores_lower() -> None:
    matches = match_catalog("маникюр с покрытием", playbook("studio"))
    assert matches[0].id == "gel-polish" and matches[0].score == 1.0
    assert matches[1].id == "manicure" and matches[1].score < 1.0


def test_regions_and_services_together() -> None:
    kinds = {match.kind for match in match_catalog("ремонт ванной в Химках", playbook("renovation"))}
    assert kinds == {"service", "region"}


@pytest.mark.parametrize("text", ["привет", "завтра в 15:00", "how much?", "спасибо большое", ""])
def test_nothing_matches(text: str) -> None:
    assert _ids(text) == []


@pytest.mark.parametrize(
    ("first", "second", "alike"),
    [
        ("стрижку", "стрижка", True),
        ("маникюрчик", "маникюр", True),
        ("стришка", "стрижка", True),
        ("электрик", "электрощит", False),
        ("маска", "массаж", False),
    ],
)
def test_similarity(first: str, second: str, alike: bool) -> None:
    assert (similarity(first, second) >= 0.8) is alike


def test_the_index_is_built_once_per_playbook() -> None:
    assert catalog_index(playbook("studio")) is catalog_index(playbook("studio"))


def test_strong_matches_are_listed_in_the_order_they_are_mentioned() -> None:
    text = "есть ли время на стрижку женскую в пятницу, и ещё делаете ли окрашивание корней?"
    assert _ids(text)[:2] == ["haircut-women", "coloring"]


def test_transliterated_russian_finds_the_service() -> None:
    from agents.understanding.entities import extract_entities
    from agents.understanding.model import DialogueContext

    from .support import NOW

    entities = extract_entities(
        "skolko stoit manikyur", language="ru", playbook=playbook("studio"), context=DialogueContext(now=NOW)
    )
    assert [match.id for match in entities.catalog] == ["manicure"]
