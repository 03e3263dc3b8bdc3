"""The CRM: contacts (one person across channels), leads, notes, consents and the timeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tools.ids import ActivityId, ConsentId, ContactId, IdentityId, LeadId, NoteId


class LeadStage(StrEnum):
    """Where a lead is in the pipeline."""

    NEW = "new"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    WON = "won"
    LOST = "lost"


OPEN_STAGES = frozenset({LeadStage.NEW, LeadStage.QUALIFIED, LeadStage.PROPOSAL})
IG_COMMENT_SOURCE = "IG comment"
"""`LeadSource.detail` of a lead that began with a public Instagram comment (its reference: the post id)."""


@dataclass(frozen=True)
class Identity:
    """How a contact is known on one channel."""

    id: IdentityId
    contact_id: ContactId
    channel: str
    """``telegram``, ``whatsapp``, ``instagram``, ``messenger``, ``webchat``, ``cli``…"""
    external_id: str
    """The sender's id on that channel."""
    display_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class Contact:
    """One person, whichever channels they write from."""

    id: ContactId
    name: str | None
    phone: str | None
    """E.164 digits with ``+`` when known."""
    email: str | None
    phone_verified: bool
    email_verified: bool
    language: str | None
    tags: tuple[str, ...]
    opted_out: bool
    """True once the customer asked for no proactive messages."""
    merged_into: ContactId | None
    """Set when this contact was merged into another; follow it."""
    created_at: datetime
    timezone: str | None = None
    """The customer's IANA time zone when known (their web-chat browser's); else the business's applies."""


@dataclass(frozen=True)
class ContactChanges:
    """Fields to change on a contact; `None` leaves a field as it is."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    phone_verified: bool | None = None
    email_verified: bool | None = None
    language: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class LeadSource:
    """Where a lead came from."""

    channel: str
    """The channel of the first message."""
    detail: str | None = None
    """What exactly, e.g. ``IG comment``."""
    reference: str | None = None
    """The provider's id of that thing, e.g. the Instagram post id."""


@dataclass(frozen=True)
class Lead:
    """A sales opportunity."""

    id: LeadId
    contact_id: ContactId
    stage: LeadStage
    tags: tuple[str, ...]
    owner_id: str | None
    """The staff id who owns it."""
    source: LeadSource
    service_id: str | None
    answers: Mapping[str, str]
    """Qualification answers by slot (need, budget, timeline…)."""
    summary: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewLead:
    """What is needed to open a lead."""

    contact_id: ContactId
    source: LeadSource
    service_id: str | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    tags: Sequence[str] = ()
    owner_id: str | None = None
    summary: str | None = None
    stage: LeadStage = LeadStage.NEW


@dataclass(frozen=True)
class LeadChanges:
    """Fields to change on a lead; `None` leaves a field as it is."""

    stage: LeadStage | None = None
    tags: Sequence[str] | None = None
    owner_id: str | None = None
    answers: Mapping[str, str] | None = None
    """Merged into the existing answers."""
    summary: str | None = None
    service_id: str | None = None


@dataclass(frozen=True)
class Note:
    """A free-text note on a contact, by staff or an agent."""

    id: NoteId
    contact_id: ContactId
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Consent:
    """A record of what a contact agreed to (or withdrew), with the words they saw."""

    id: ConsentId
    contact_id: ContactId
    purpose: str
    """``contact``, ``marketing``…"""
    granted: bool
    text: str
    channel: str
    created_at: datetime


@dataclass(frozen=True)
class Activity:
    """One line of a contact's timeline."""

    id: ActivityId
    contact_id: ContactId
    kind: str
    """``contact.created``, ``lead.created``, ``booking.created``, ``invoice.paid``…"""
    summary: str
    reference: str | None
    actor: str
    created_at: datetime


class CrmStore(Protocol):
    """Contacts, leads, notes, consents and the activity timeline.

    Every write takes an idempotency `key`: the same key with the same request
    returns the first result instead of writing again. `actor` names who made the
    change (``agent:sales``, ``staff:anna``, ``system``) for the audit log.
    """

    async def contact_for_identity(
        self,
        channel: str,
        external_id: str,
        *,
        key: str,
        display_name: str | None = None,
        actor: str = "system",
    ) -> Contact:
        """Return the contact behind a channel identity, creating both if new."""
        ...

    async def get_contact(self, contact_id: ContactId) -> Contact:
        """Return a contact, following merges (NotFound if none)."""
        ...

    async def find_contact(self, *, phone: str | None = None, email: str | None = None) -> Contact | None:
        """Find a live (not merged) contact by phone or email."""
        ...

    async def identities(self, contact_id: ContactId) -> list[Identity]:
        """Every channel identity of a contact."""
        ...

    async def update_contact(
        self, contact_id: ContactId, changes: ContactChanges, *, key: str, actor: str = "system"
    ) -> Contact:
        """Change a contact; a verified phone or email that another contact has merges the two.

        Returns the surviving contact (the older one when two merge).
        """
        ...

    async def merge_contacts(
        self, source: ContactId, target: ContactId, *, key: str, actor: str = "system"
    ) -> Contact:
        """Move everything of `source` to `target` and mark `source` merged."""
        ...

    async def set_tags(
        self, contact_id: ContactId, tags: Sequence[str], *, key: str, actor: str = "system"
    ) -> Contact:
        """Add tags to a contact (existing tags stay)."""
        ...

    async def set_opted_out(
        self, contact_id: ContactId, opted_out: bool, *, key: str, actor: str = "system"
    ) -> Contact:
        """Record that the contact does (or no longer does) refuse proactive messages."""
        ...

    async def create_lead(self, lead: NewLead, *, key: str, actor: str = "system") -> Lead:
        """Open a lead."""
        ...

    async def update_lead(
        self, lead_id: LeadId, changes: LeadChanges, *, key: str, actor: str = "system"
    ) -> Lead:
        """Change a lead's stage, tags, owner, answers or summary."""
        ...

    async def get_lead(self, lead_id: LeadId) -> Lead:
        """Return a lead (NotFound if none)."""
        ...

    async def list_leads(
        self,
        *,
        contact_id: ContactId | None = None,
        owner_id: str | None = None,
        stage: LeadStage | None = None,
    ) -> list[Lead]:
        """Leads matching every filter given, newest first."""
        ...

    async def open_lead_counts(self) -> Mapping[str, int]:
        """Open leads per owner, for routing by load."""
        ...

    async def add_note(self, contact_id: ContactId, text: str, *, key: str, author: str) -> Note:
        """Attach a note to a contact."""
        ...

    async def notes(self, contact_id: ContactId) -> list[Note]:
        """A contact's notes, oldest first."""
        ...

    async def record_consent(
        self, contact_id: ContactId, *, purpose: str, granted: bool, text: str, channel: str, key: str
    ) -> Consent:
        """Store a consent (or its withdrawal) with the words the customer saw."""
        ...

    async def consents(self, contact_id: ContactId) -> list[Consent]:
        """A contact's consent records, oldest first."""
        ...

    async def timeline(self, contact_id: ContactId) -> list[Activity]:
        """A contact's activity across CRM, calendar, billing, orders and tickets, oldest first."""
        ...
