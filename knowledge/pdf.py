"""PDF → title and sections, with pypdf's text extraction.

A PDF carries no reliable headings, so each page is a section named ``p. N`` (a
citation then points at the page). Lines are joined back into paragraphs: a line
ending in a hyphen is glued to the next, and a new block starts at a bullet or
numbered line, or after a line ending a sentence when the next line is short of
the page's usual width. The document's title is its metadata title, if it has one.
Scanned PDFs without a text layer yield no text (and are reported as empty).
"""

from __future__ import annotations

import io
import re

from knowledge.model import KnowledgeError, ParsedText
from knowledge.sections import SectionBuilder, clean

_BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·\-–—*]|\d{1,3}[.)])\s+")
_SENTENCE_END = (".", "!", "?", ":", ";", "…")


def _paragraphs(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    width = max((len(line) for line in lines), default=0)
    blocks: list[str] = []
    current = ""
    previous = ""
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if current:
                blocks.append(current)
            current = ""
            continue
        starts_block = bool(_BULLET.match(stripped)) or (
            current.endswith(_SENTENCE_END) and len(previous) < 0.8 * width
        )
        if current and starts_block:
            blocks.append(current)
            current = ""
        if current.endswith("-") and stripped[:1].islower():
            current = current[:-1] + stripped
        else:
            current = f"{current} {stripped}" if current else stripped
        previous = stripped
    if current:
        blocks.append(current)
    return [clean(block) for block in blocks if clean(block)]


def parse_pdf(data: bytes) -> ParsedText:
    """Read the text layer of a PDF into sections, one per page."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise KnowledgeError("the PDF is encrypted: save an unprotected copy and ingest that")
        builder = SectionBuilder()
        for number, page in enumerate(reader.pages, start=1):
            builder.heading(2, f"p. {number}")
            for block in _paragraphs(page.extract_text() or ""):
                builder.block(block)
        title = reader.metadata.title if reader.metadata is not None else None
    except PdfReadError as error:
        raise KnowledgeError(f"not a readable PDF ({error})") from error
    parsed = builder.result()
    return ParsedText(title=(clean(title) or None) if title else None, sections=parsed.sections)
