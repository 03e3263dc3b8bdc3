"""Fuzzy matching of services, products and regions by their names and aliases, in both languages.

Words are folded and lemmatised (pymorphy3 for Russian, a light stemmer for English), then compared
to the playbook's phrases: the same lemma, a shared stem ("маникюрчик" ~ "маникюр") or a close
spelling ("стришка" ~ "стрижка"). Every content word of a phrase must be found, close together.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from agents.understanding.entities._morph import best_lemma, lemmas
from agents.understanding.entities._normalize import Text, fold
from agents.understanding.model import CatalogMatch
from tools.playbook import Playbook

THRESHOLD = 0.75
"""The lowest score returned."""
_FUZZY = 0.85
_FUZZY_LATIN = 0.9
_MAX_POSITIONS = 40
_STRONG = 0.9
"""Matches at least this good are listed in the order the message mentions them, before weaker ones."""
_TOKEN = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[а-я]")
_STOP_WORDS = """
    в во на с со и или для по под к ко от до за из у о об а но же бы ли мне меня я мы вы вас нас это этот эта все
    еще очень можно хочу хотела хотел нужно надо как что где когда сколько стоит есть ли мой моя мое мои ваш
    a an the and or for with to of in on my me i at by from up is it your you please can want would like some
"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class _Phrase:
    id: str
    kind: str
    language: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Hit:
    id: str
    kind: str
    language: str
    positions: frozenset[int]
    score: float


def _content_words(phrase: str) -> tuple[str, ...]:
    return tuple(word for word in _TOKEN.findall(fold(phrase)) if word not in _STOP)


def _common_prefix(first: str, second: str) -> int:
    size = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        size += 1
    return size


def similarity(word: str, other: str) -> float:
    """How alike a message word and a catalogue word (both folded) are, 0..1.

    1 when identical, 0.97 when the message word's likeliest lemma is one of the other's, 0.9 for
    a shared stem ("маникюрчик" ~ "маникюр"), else the spelling ratio when close enough (one typo
    in a word of seven letters for Russian; stricter for English, whose typos the aliases list).
    """
    if word == other:
        return 1.0
    if word.isdigit() or other.isdigit():
        return 0.0
    if min(len(word), len(other)) >= 3 and best_lemma(word) in lemmas(other):
        return 0.97
    shorter = min(len(word), len(other))
    if shorter < 5:
        return 0.0
    prefix = _common_prefix(word, other)
    if prefix >= 6 and prefix >= shorter - 1:
        return 0.9
    if abs(len(word) - len(other)) > 3:
        return 0.0
    floor = _FUZZY if _CYRILLIC.search(word) else _FUZZY_LATIN
    matcher = SequenceMatcher(None, word, other, autojunk=False)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    ratio = matcher.ratio()
    return round(ratio, 3) if ratio >= floor else 0.0


class CatalogIndex:
    """The phrases of one playbook's catalogue, prepared for fast matching."""

    def __init__(self, playbook: Playbook) -> None:
        phrases: list[_Phrase] = []
        entries = [("service", item.id, item.name, item.aliases) for item in playbook.services]
        entries += [("product", item.id, item.name, item.aliases) for item in playbook.products]
        entries += [("region", item.id, item.name, item.aliases) for item in playbook.regions]
        for kind, entry_id, name, aliases in entries:
            for language, text in name.root.items():
                for part in re.split(r"[()]", text):
                    if words := _content_words(part):
                        phrases.append(_Phrase(entry_id, kind, language, words))
            for language, texts in aliases.root.items():
                for text in texts:
                    if words := _content_words(text):
                        phrases.append(_Phrase(entry_id, kind, language, words))
        self.phrases = tuple(dict.fromkeys(phrases))
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for number, phrase in enumerate(self.phrases):
            for word in phrase.words:
                self._by_word[word].append(number)
        for word in self._by_word:
            self._by_first[word[0]].append(word)
        self._memo: dict[str, tuple[tuple[str, float], ...]] = {}

    def similar(self, token: str) -> tuple[tuple[str, float], ...]:
        """Catalogue words close to `token`, with their similarity."""
        cached = self._memo.get(token)
        if cached is not None:
            return cached
        firsts = {token[0]} | {lemma[0] for lemma in lemmas(token) if lemma}
        found = []
        for first in firsts:
            for word in self._by_first.get(first, ()):
                score = similarity(token, word)
                if score >= _FUZZY:
                    found.append((word, score))
        result = tuple(found)
        if len(self._memo) > 50_000:
            self._memo.clear()
        self._memo[token] = result
        return result

    def _best(
        self, phrase: _Phrase, positions: dict[str, list[tuple[int, float]]], stop: list[bool]
    ) -> _Hit | None:
        options = [positions.get(word) for word in phrase.words]
        if any(not option for option in options):
            return None
        window = len(phrase.words) + 2
        best: tuple[float, int, frozenset[int]] | None = None
        for anchor, anchor_score in options[0] or ():
            order, total = [anchor], anchor_score
            for option in options[1:]:
                near = [
                    (score - 0.001 * abs(position - order[-1]), position, score)
                    for position, score in option or ()
                    if abs(position - anchor) <= window and position not in order
                ]
                if not near:
                    break
                _, position, score = max(near)
                order.append(position)
                total += score
            else:
                if max(order) - min(order) < window:
                    gaps = sum(1 for i in range(min(order), max(order)) if i not in order and not stop[i])
                    mean = total / len(phrase.words) * (1.0 if order == sorted(order) else 0.95) - 0.1 * gaps
                    span = max(order) - min(order)
                    if best is None or (mean, -span) > (best[0], -best[1]):
                        best = (mean, span, frozenset(order))
        if best is None:
            return None
        return _Hit(phrase.id, phrase.kind, phrase.language, best[2], best[0])

    def match(self, text: Text, language: str | None = None) -> list[CatalogMatch]:
        """Catalogue entries `text` refers to, one per id, scored 0..1.

        Strong matches come first in the order the message mentions them (the first named is usually
        the one wanted: "стрижку …, и ещё: делаете ли окрашивание?"), then weaker ones, best first.
        """
        tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text.low)]
        positions: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, (token, _, _) in enumerate(tokens):
            if token in _STOP:
                continue
            for word, score in self.similar(token):
                if len(positions[word]) < _MAX_POSITIONS:
                    positions[word].append((number, score))
        candidates = {number for word in positions for number in self._by_word.get(word, ())}
        stop = [token in _STOP for token, _, _ in tokens]
        hits = [
            hit for number in sorted(candidates) if (hit := self._best(self.phrases[number], positions, stop))
        ]
        best: dict[str, tuple[tuple[float, int, bool], _Hit]] = {}
        for hit in hits:
            covered = any(other.id != hit.id and hit.positions < other.positions for other in hits)
            rank = (hit.score * (0.85 if covered else 1.0), len(hit.positions), hit.language == language)
            if hit.id not in best or rank > best[hit.id][0]:
                best[hit.id] = (rank, hit)
        results = []
        for (score, _, _), hit in best.values():
            if score < THRESHOLD:
                continue
            start, end = tokens[min(hit.positions)][1], tokens[max(hit.positions)][2]
            results.append(
                (
                    hit.language != language,
                    min(hit.positions),
                    CatalogMatch(hit.id, hit.kind, text.snippet(start, end), round(score, 3)),
                )
            )
        results.sort(key=lambda item: (item[2].score < _STRONG, item[0], item[1], -item[2].score))
        return [match for _, _, match in results]


_INDEXES: dict[int, tuple[Playbook, CatalogIndex]] = {}


def catalog_index(playbook: Playbook) -> CatalogIndex:
    """The (cached) index of `playbook`'s catalogue."""
    cached = _INDEXES.get(id(playbook))
    if cached is not None and cached[0] is playbook:
        return cached[1]
    if len(_INDEXES) >= 32:
        _INDEXES.pop(next(iter(_INDEXES)))
    index = CatalogIndex(playbook)
    _INDEXES[id(playbook)] = (playbook, index)
    return index


def match_catalog(text: str, playbook: Playbook, *, language: str | None = None) -> tuple[CatalogMatch, ...]:
    """Services, products and regions of `playbook` that `text` mentions, best first (score ≥ 0.75)."""
    return tuple(catalog_index(playbook).match(Text.of(text), language))
