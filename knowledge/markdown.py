"""Markdown and plain text → title and sections.

Markdown: ATX (``## Title``) and setext (underlined) headings open sections; paragraphs,
list items (nested items joined to their parent, so "If you cancel late:" keeps its
cases), table rows and code lines become blocks; inline markup (emphasis, code
spans, links, images, HTML tags) is reduced to its text; a YAML front matter
``title:`` is used as the title when there is no level-1 heading.

Plain text: paragraphs separated by blank lines; a short first line standing alone
(no final full stop) is the title.
"""

from __future__ import annotations

import re

from knowledge.model import ParsedText
from knowledge.sections import SectionBuilder, clean

_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_QUOTE = re.compile(r"^\s*>\s?")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_TAG = re.compile(r"<[^>]+>")
_FRONT_TITLE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.MULTILINE)


def inline(text: str) -> str:
    """Markdown inline markup reduced to its text."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    return clean(_EMPHASIS.sub("", text))


def _front_matter(lines: list[str]) -> tuple[str | None, list[str]]:
    if not lines or lines[0].strip() != "---":
        return None, lines
    for end in range(1, len(lines)):
        if lines[end].strip() in {"---", "..."}:
            match = _FRONT_TITLE.search("\n".join(lines[1:end]))
            return (clean(match.group(1)) if match else None), lines[end + 1 :]
    return None, lines


def _table_row(line: str) -> str:
    cells = [inline(cell) for cell in line.strip().strip("|").split("|")]
    return " — ".join(cell for cell in cells if cell)


def parse_markdown(text: str) -> ParsedText:
    """Read Markdown `text` into a title and sections."""
    front_title, lines = _front_matter(text.splitlines())
    builder = SectionBuilder()
    paragraph: list[str] = []
    fenced = False
    list_indent: int | None = None

    def flush() -> None:
        if paragraph:
            builder.block(inline(" ".join(paragraph)))
            paragraph.clear()

    for index, line in enumerate(lines):
        if _FENCE.match(line):
            flush()
            fenced = not fenced
            continue
        if fenced:
            builder.block(line)
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if atx := _ATX.match(line):
            flush()
            builder.heading(len(atx.group(1)), inline(atx.group(2)))
        elif (
            line.strip()
            and _SETEXT.match(following)
            and not _LIST_ITEM.match(line)
            and not _SETEXT.match(line)
        ):
            flush()
            builder.heading(1 if following.strip().startswith("=") else 2, inline(line))
        elif not line.strip() or _SETEXT.match(line):
            flush()
        elif _TABLE_RULE.match(line):
            continue
        elif line.lstrip().startswith("|"):
            flush()
            builder.block(_table_row(line))
        elif item := _LIST_ITEM.match(line):
            indent = len(line) - len(line.lstrip())
            if not (paragraph and list_indent is not None and indent > list_indent):
                flush()
                list_indent = indent
            paragraph.append(item.group(1))
        else:
            paragraph.append(_QUOTE.sub("", line))
    flush()
    parsed = builder.result()
    if parsed.title is None and front_title:
        return ParsedText(title=front_title, sections=parsed.sections)
    return parsed


def parse_plain_text(text: str) -> ParsedText:
    """Read plain `text`: blank lines separate paragraphs; a short standalone first line is the title."""
    paragraphs = [clean(part) for part in re.split(r"\n\s*\n", text.strip())]
    paragraphs = [part for part in paragraphs if part]
    builder = SectionBuilder()
    first = text.strip().split("\n", 1)[0].strip()
    if (
        paragraphs
        and paragraphs[0] == clean(first)
        and len(first) <= 100
        and not first.endswith((".", "!", "?"))
    ):
        builder.heading(1, first)
        paragraphs = paragraphs[1:]
    for paragraph in paragraphs:
        builder.block(paragraph)
    return builder.result()
