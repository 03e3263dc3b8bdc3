"""Domain values of the knowledge base: documents, sections, chunks and the errors it raises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NewType

from tools.errors import StaffFacing
from tools.playbook._types import Language

DocumentId = NewType("DocumentId", str)
"""A document's path relative to the ingestion root, with ``/`` separators: ``kb/en/faq.md``."""

ChunkId = NewType("ChunkId", str)
"""``<document id>#<position>``: unique within a business."""

SECTION_SEPARATOR = " › "
"""Joins heading paths and citations: ``Cancellation › Late cancellation``."""


class KnowledgeError(StaffFacing):
    """A problem with the knowledge base a person must fix; the message says how."""


@dataclass(frozen=True)
class Section:
    """Text under one heading path of a document."""

    headings: tuple[str, ...]
    """Headings from the top below the document title; empty for text before the first heading."""
    blocks: tuple[str, ...]
    """Paragraphs, list items and table rows as plain text, in order."""

    @property
    def title(self) -> str:
        """The heading path as one string, ``""`` for the introduction."""
        return SECTION_SEPARATOR.join(self.headings)


@dataclass(frozen=True)
class ParsedText:
    """What a reader found in one file, before it becomes a `Document`."""

    title: str | None
    """The first top-level heading (or the format's title), if there is one."""
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Document:
    """One source file, read and split into sections."""

    id: DocumentId
    title: str
    language: Language
    sections: tuple[Section, ...]
    content_hash: str
    """Changes whenever the file's bytes or the way files are read and chunked change."""
    source: Path
    """Where it was read from."""

    @property
    def text(self) -> str:
        """All the document's text, one block a line."""
        return "\n".join(block for section in self.sections for block in section.blocks)


@dataclass(frozen=True)
class Chunk:
    """A passage of at most a few sentences: the unit that is embedded, indexed and cited."""

    id: ChunkId
    business: str
    """The business id; chunks of one business live in their own collection."""
    document: DocumentId
    document_title: str
    section: str
    """The heading path below the title, ``""`` for the document's introduction."""
    language: Language
    text: str
    """Plain text, one sentence group, list item or paragraph a line."""
    position: int
    """Order within the document, from 0."""
    content_hash: str
    """SHA-256 of `text`."""
    document_hash: str
    """The `Document.content_hash` it was cut from."""

    @property
    def citation(self) -> str:
        """``Document title › Section`` (just the title for the introduction)."""
        return (
            f"{self.document_title}{SECTION_SEPARATOR}{self.section}" if self.section else self.document_title
        )

    @property
    def indexed_text(self) -> str:
        """What is embedded and indexed: title and section give short passages their topic."""
        heading = ". ".join(part for part in (self.document_title, self.section) if part)
        return f"{heading}.\n{self.text}"

    @property
    def words(self) -> int:
        """How many words the passage has."""
        return len(self.text.split())
