"""Finding and reading source files: Markdown, plain text, HTML and PDF."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from knowledge.html_text import parse_html
from knowledge.language import detect_language, language_from_path
from knowledge.markdown import parse_markdown, parse_plain_text
from knowledge.model import Document, DocumentId, KnowledgeError, ParsedText
from knowledge.pdf import parse_pdf

PIPELINE_VERSION = "1"
"""Part of every document hash: bump it when reading or chunking changes, so re-ingestion redoes all."""

READERS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
"""Supported file suffixes and their format."""


@dataclass(frozen=True)
class SourceFile:
    """A file found under an ingested path."""

    path: Path
    id: DocumentId


def is_supported(path: Path) -> bool:
    """Whether the file's suffix names a format the knowledge base reads."""
    return path.suffix.lower() in READERS


def document_id(path: Path, root: Path) -> DocumentId:
    """The id of `path`: its path relative to `root`, with ``/`` separators."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        raise KnowledgeError(
            f"{path} is outside {root}: document ids are paths relative to the root, "
            "so give a root that contains it (frontdesk kb ingest --root)"
        ) from None
    return DocumentId(relative.as_posix())


def _hidden(path: Path, base: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(base).parts)


def discover(paths: Iterable[Path], root: Path) -> Iterator[SourceFile]:
    """Every supported file under `paths` (files or folders), in a stable order, hidden ones skipped.

    A path that does not exist is an error rather than an empty folder, so that a
    typo never looks like "every document was deleted".
    """
    seen: set[DocumentId] = set()
    for path in paths:
        if not path.exists():
            raise KnowledgeError(f"{path} does not exist: check the path (nothing was changed)")
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if (path.is_dir() and _hidden(file, path)) or not is_supported(file):
                continue
            source = SourceFile(path=file, id=document_id(file, root))
            if source.id not in seen:
                seen.add(source.id)
                yield source


def title_from_name(path: Path) -> str:
    """A title made from a file name: ``gift-certificates.md`` → ``Gift certificates``."""
    words = re.sub(r"[-_]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:] if words else path.name


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def parse(data: bytes, suffix: str) -> ParsedText:
    """Read the bytes of one file by its `suffix`."""
    kind = READERS.get(suffix.lower())
    if kind == "pdf":
        return parse_pdf(data)
    if kind == "html":
        return parse_html(_decode(data))
    if kind == "markdown":
        return parse_markdown(_decode(data))
    if kind == "text":
        return parse_plain_text(_decode(data))
    raise KnowledgeError(f"files ending in {suffix!r} are not supported; use one of {', '.join(READERS)}")


def content_hash(data: bytes) -> str:
    """The hash that tells whether a document changed since it was ingested."""
    return hashlib.sha256(PIPELINE_VERSION.encode() + b"\0" + data).hexdigest()


def read_document(source: SourceFile) -> Document:
    """Read one file into a `Document`; its language comes from an ``en``/``ru`` folder or its text."""
    try:
        data = source.path.read_bytes()
    except OSError as error:
        raise KnowledgeError(f"cannot read {source.path}: {error.strerror or error}") from error
    try:
        parsed = parse(data, source.path.suffix)
    except KnowledgeError as error:
        raise KnowledgeError(f"{source.path}: {error}") from error
    title = parsed.title or title_from_name(source.path)
    text = "\n".join(block for section in parsed.sections for block in section.blocks)
    language = language_from_path(source.id) or detect_language(f"{title}\n{text}")
    return Document(
        id=source.id,
        title=title,
        language=language,
        sections=parsed.sections,
        content_hash=content_hash(data),
        source=source.path,
    )
