"""Which quoted project a request means when no catalogue phrase matched whole.

"can you calculate bridal styling with a trial" names no phrase of the catalogue in full ("Bridal hair
styling" needs "hair"), yet "bridal" belongs to one entry of the whole catalogue, and that entry is
quoted: the request is that project, not something outside the catalogue.
"""

from __future__ import annotations

import re
from collections import defaultdict

from agents.understanding.entities._morph import best_lemma
from agents.understanding.entities._normalize import fold
from tools.playbook import Playbook

_TOKEN = re.compile(r"[^\W\d_]{4,}")
_GENERIC = frozenset(
    [
        "price",
        "cost",
        "service",
        "work",
        "works",
        "project",
        "estimate",
        "quote",
        "calculate",
        "calculation",
        "package",
        "job",
        "order",
        "full",
        "from",
        "with",
        "that",
        "this",
        "have",
        "need",
        "want",
        "also",
        "just",
        "your",
        "about",
        "into",
        "over",
        "under",
        "unit",
        "site",
        "complete",
        "цена",
        "стоимость",
        "услуга",
        "работа",
        "работы",
        "проект",
        "смета",
        "расчет",
        "рассчитать",
        "посчитать",
        "пакет",
        "заказ",
        "полный",
        "сделать",
        "нужно",
        "надо",
        "хотеть",
        "замена",
        "заменить",
        "положить",
        "переделать",
        "легкий",
        "сдача",
        "весь",
        "новый",
        "старый",
    ]
)


def _words(text: str) -> set[str]:
    return {best_lemma(token) for token in _TOKEN.findall(fold(text))} - _GENERIC


class ProjectKeywords:
    """The words of a playbook's catalogue that belong to exactly one entry, for its quoted projects."""

    def __init__(self, playbook: Playbook) -> None:
        owners: dict[str, set[str]] = defaultdict(set)
        entries = [(s.id, s.name, s.aliases) for s in playbook.services]
        entries += [(p.id, p.name, p.aliases) for p in playbook.products]
        for entry_id, name, aliases in entries:
            texts = list(name.root.values()) + [text for group in aliases.root.values() for text in group]
            for text in texts:
                for word in _words(text):
                    owners[word].add(entry_id)
        projects = {s.id for s in playbook.services if s.estimate is not None}
        self._keyword_owner = {
            word: next(iter(ids)) for word, ids in owners.items() if len(ids) == 1 and ids <= projects
        }

    def project_for(self, text: str) -> str | None:
        """The one quoted project whose own words `text` uses, or None when none or several."""
        found = {self._keyword_owner[word] for word in _words(text) if word in self._keyword_owner}
        return next(iter(found)) if len(found) == 1 else None


_BY_PLAYBOOK: dict[int, tuple[Playbook, ProjectKeywords]] = {}


def project_keywords(playbook: Playbook) -> ProjectKeywords:
    """The (cached) keywords of `playbook`'s quoted projects."""
    cached = _BY_PLAYBOOK.get(id(playbook))
    if cached is None or cached[0] is not playbook:
        cached = (playbook, ProjectKeywords(playbook))
        _BY_PLAYBOOK[id(playbook)] = cached
    return cached[1]
