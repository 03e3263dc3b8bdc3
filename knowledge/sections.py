"""Turns a stream of headings and text blocks (from any reader) into a title and sections."""

from __future__ import annotations

import re

from knowledge.model import ParsedText, Section

_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Collapse runs of whitespace (including non-breaking spaces) into single spaces and trim."""
    return _SPACES.sub(" ", text.replace("\u00ad", "")).strip()


class SectionBuilder:
    """Collects headings and blocks in reading order.

    The first level-1 heading becomes the document title; every other heading opens a
    section whose heading path is the chain of enclosing headings below the title.
    Sections without text (a heading directly followed by a subheading) are dropped.
    """

    def __init__(self) -> None:
        self._title: str | None = None
        self._stack: list[tuple[int, str]] = []
        self._blocks: list[str] = []
        self._sections: list[Section] = []

    def heading(self, level: int, text: str) -> None:
        """A heading of `level` (1 = top) was read."""
        title = clean(text)
        if not title:
            return
        self._flush()
        if level == 1 and self._title is None:
            self._title = title
            self._stack = []
            return
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))

    def block(self, text: str) -> None:
        """A paragraph, list item or table row was read."""
        content = clean(text)
        if content:
            self._blocks.append(content)

    def _flush(self) -> None:
        if self._blocks:
            headings = tuple(title for _, title in self._stack)
            self._sections.append(Section(headings=headings, blocks=tuple(self._blocks)))
            self._blocks = []

    def result(self) -> ParsedText:
        """The title (if any) and the sections read so far."""
        self._flush()
        return ParsedText(title=self._title, sections=tuple(self._sections))
