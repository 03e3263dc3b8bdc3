"""HTML → title and sections, with the standard library's parser.

``<h1>``…``<h6>`` open sections; paragraphs, list items, table rows and other block
elements become blocks. Scripts, styles, templates, forms and page furniture
(``<nav>``, ``<footer>``, ``<aside>``) are skipped. Without an ``<h1>`` the
``<title>`` element names the document.
"""

from __future__ import annotations

from html.parser import HTMLParser

from knowledge.model import ParsedText
from knowledge.sections import SectionBuilder, clean

_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "svg", "nav", "footer", "aside", "form", "button"}
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = frozenset(
    {
        "p", "div", "li", "tr", "dt", "dd", "blockquote", "pre", "section", "article", "main",
        "ul", "ol", "dl", "table", "thead", "tbody", "figure", "figcaption", "address", "br", "hr", "body",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
_VOID = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}
)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = SectionBuilder()
        self.page_title: str | None = None
        self._skip_depth = 0
        self._heading: int | None = None
        self._in_title = False
        self._text: list[str] = []

    def finish(self) -> None:
        """Emit the text read since the last block boundary."""
        self._flush()

    def _flush(self) -> None:
        text = clean("".join(self._text))
        self._text = []
        if not text:
            return
        if self._heading is not None:
            self.builder.heading(self._heading, text)
        else:
            self.builder.block(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            if tag not in _VOID:
                self._skip_depth += 1
            return
        if self._skip_depth:
            return
        if tag == "title":
            self._in_title = True
        elif tag in _HEADINGS:
            self._flush()
            self._heading = _HEADINGS[tag]
        elif tag in _BLOCKS:
            self._flush()
        elif tag in _CELLS and self._text and "".join(self._text).strip():
            self._text.append(" — ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._skip_depth:
            return
        if tag == "title":
            self._in_title = False
        elif tag in _HEADINGS:
            self._flush()
            self._heading = None
        elif tag in _BLOCKS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skip_depth and tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._in_title:
            self.page_title = clean((self.page_title or "") + " " + data) or None
        else:
            self._text.append(data)


def parse_html(text: str) -> ParsedText:
    """Read an HTML page into a title and sections."""
    reader = _Reader()
    reader.feed(text)
    reader.close()
    reader.finish()
    parsed = reader.builder.result()
    if parsed.title is None and reader.page_title:
        return ParsedText(title=reader.page_title, sections=parsed.sections)
    return parsed
