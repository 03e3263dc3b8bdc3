"""Which business a knowledge base belongs to and where its documents are, read from a playbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tools.playbook import Playbook, load_playbook


@dataclass(frozen=True)
class KnowledgeSource:
    """One business's knowledge base: its id, name and document folders.

    Document ids are paths relative to `root` (the playbook's folder), e.g.
    ``kb/ru/cancellation.md``, so they stay the same wherever the project is checked out.
    """

    business: str
    """The playbook's business id; it names the Chroma collection (``kb-<id>``)."""
    name: str
    """The business name in its default language, for people."""
    root: Path
    paths: tuple[Path, ...]
    """The playbook's ``knowledge.paths``, resolved against `root`."""

    @classmethod
    def of(cls, playbook: Playbook, playbook_path: Path) -> KnowledgeSource:
        """The knowledge source described by a loaded `playbook` read from `playbook_path`."""
        business = playbook.business
        root = playbook_path.resolve().parent
        return cls(
            business=business.id,
            name=business.name.get(business.default_language),
            root=root,
            paths=tuple(root / path for path in playbook.knowledge.paths),
        )

    @classmethod
    def from_playbook(cls, playbook_path: Path) -> KnowledgeSource:
        """Load the playbook at `playbook_path` (raises `PlaybookInvalid` if it is not valid)."""
        return cls.of(load_playbook(playbook_path), playbook_path)
