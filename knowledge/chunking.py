"""Sentences and chunks: a document's sections cut into passages of bounded size.

Every chunk stays inside one section, so its citation names the exact section. A
section of at most `MAX_WORDS` words is one chunk, however short (splitting it or
gluing it to a neighbour would blur the citation); a longer one is cut at sentence
boundaries into pieces of about equal size, none over `MAX_WORDS` and none under
`MIN_WORDS` unless the whole section is. A single sentence longer than `MAX_WORDS`
(a run-on list in a PDF) is cut between words.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

from knowledge.model import Chunk, ChunkId, Document

MAX_WORDS = 200
"""No chunk has more words than this."""
MIN_WORDS = 80
"""Pieces of a long section have at least this many words."""


def _wordlist(text: str) -> frozenset[str]:
    return frozenset(text.split())


_BOUNDARY = re.compile(r"(?<=[.!?…])[\"»”')\]]*\s+(?=[\"«“'(\[]?[A-ZА-ЯЁ0-9])")
_ABBREVIATIONS = _wordlist(
    """
    e.g i.e etc vs mr mrs ms dr st bldg no nos approx incl min max tel ext jan feb mar apr jun jul aug sep
    sept oct nov dec т.е т.д т.п т.к т.н г гг ул д стр корп м руб р мин ч см им др пр тыс млн кв п с
    вкл искл напр тел доб
    """
)


def _abbreviation_before(text: str, end: int) -> bool:
    start = end - 1
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = text[start : end - 1].lower().lstrip("(«\"'")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[str]:
    """The sentences of one block of text (abbreviations such as ``e.g.``, ``ул.`` do not end one)."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start()
        while end > start and text[end - 1] in "\"»”')]":
            end -= 1
        if _abbreviation_before(text, end):
            continue
        sentence = text[start : match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


@dataclass(frozen=True)
class _Unit:
    block: int
    text: str
    words: int


def _units(blocks: tuple[str, ...], max_words: int) -> list[_Unit]:
    units: list[_Unit] = []
    for index, block in enumerate(blocks):
        for sentence in split_sentences(block):
            tokens = sentence.split()
            for start in range(0, len(tokens), max_words):
                piece = tokens[start : start + max_words]
                units.append(_Unit(block=index, text=" ".join(piece), words=len(piece)))
    return units


def _join(units: list[_Unit]) -> str:
    lines: list[str] = []
    previous = -1
    for unit in units:
        if unit.block == previous:
            lines[-1] += " " + unit.text
        else:
            lines.append(unit.text)
        previous = unit.block
    return "\n".join(lines)


def _pack(units: list[_Unit], max_words: int = MAX_WORDS, min_words: int = MIN_WORDS) -> list[list[_Unit]]:
    """Group consecutive sentences into pieces of about equal size within the bounds."""
    total = sum(unit.words for unit in units)
    if total <= max_words:
        return [units] if units else []
    target = total / math.ceil(total / max_words)
    pieces: list[list[_Unit]] = []
    current: list[_Unit] = []
    count = 0
    for unit in units:
        if current and (count + unit.words > max_words or count >= target):
            pieces.append(current)
            current, count = [], 0
        current.append(unit)
        count += unit.words
    if current:
        last = sum(unit.words for unit in current)
        if pieces and last < min_words and last + sum(u.words for u in pieces[-1]) <= max_words:
            pieces[-1] = pieces[-1] + current
        else:
            pieces.append(current)
    return pieces


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunk_document(
    document: Document, business: str, *, max_words: int = MAX_WORDS, min_words: int = MIN_WORDS
) -> list[Chunk]:
    """Cut `document` into chunks of `business`, in reading order."""
    chunks: list[Chunk] = []
    for section in document.sections:
        for piece in _pack(_units(section.blocks, max_words), max_words, min_words):
            text = _join(piece)
            chunks.append(
                Chunk(
                    id=ChunkId(f"{document.id}#{len(chunks)}"),
                    business=business,
                    document=document.id,
                    document_title=document.title,
                    section=section.title,
                    language=document.language,
                    text=text,
                    position=len(chunks),
                    content_hash=_hash(text),
                    document_hash=document.content_hash,
                )
            )
    return chunks
