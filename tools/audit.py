"""The audit log: who or what changed what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tools.ids import AuditId


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change."""

    id: AuditId
    at: datetime
    actor: str
    """``agent:booking``, ``staff:anna``, ``customer:ct_…``, ``system``."""
    action: str
    """``booking.created``, ``quote.status``, ``contact.merged``…"""
    entity: str
    """The table the change is in: ``booking``, ``quote``…"""
    entity_id: str
    detail: str
    """A short human-readable description of the change."""
    idempotency_key: str


class AuditLog(Protocol):
    """Reads of the audit log (writes happen inside each store's transactions)."""

    async def entries(self, *, entity: str | None = None, entity_id: str | None = None) -> list[AuditEntry]:
        """Entries, oldest first."""
        ...
