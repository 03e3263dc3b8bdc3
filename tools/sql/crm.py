"""The CRM on SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, and_, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.crm import (
    OPEN_STAGES,
    Activity,
    Consent,
    Contact,
    ContactChanges,
    Identity,
    Lead,
    LeadChanges,
    LeadSource,
    LeadStage,
    NewLead,
    Note,
)
from tools.errors import NotFound
from tools.ids import ActivityId, ConsentId, ContactId, IdentityId, LeadId, NoteId, new_id
from tools.sql._unit import Change, SqlBase, fingerprint
from tools.sql.engine import reading
from tools.sql.schema import activities, consents, contacts, identities, leads, metadata, notes

CONTACT_TABLES = (
    "identities",
    "leads",
    "notes",
    "consents",
    "activities",
    "bookings",
    "quotes",
    "invoices",
    "orders",
    "tickets",
    "tasks",
    "conversations",
)
"""Tables whose rows follow a contact when it is merged into another."""


def _contact(row: Row[Any]) -> Contact:
    return Contact(
        id=ContactId(row.id),
        name=row.name,
        phone=row.phone,
        email=row.email,
        phone_verified=row.phone_verified,
        email_verified=row.email_verified,
        language=row.language,
        tags=tuple(row.tags),
        opted_out=row.opted_out,
        merged_into=ContactId(row.merged_into) if row.merged_into else None,
        created_at=row.created_at,
        timezone=row.timezone,
    )


def _note(row: Row[Any]) -> Note:
    return Note(NoteId(row.id), ContactId(row.contact_id), row.author, row.text, row.created_at)


def _consent(row: Row[Any]) -> Consent:
    return Consent(
        ConsentId(row.id),
        ContactId(row.contact_id),
        row.purpose,
        row.granted,
        row.text,
        row.channel,
        row.created_at,
    )


def _activity(row: Row[Any]) -> Activity:
    return Activity(
        ActivityId(row.id),
        ContactId(row.contact_id),
        row.kind,
        row.summary,
        row.reference,
        row.actor,
        row.created_at,
    )


def _lead(row: Row[Any]) -> Lead:
    return Lead(
        id=LeadId(row.id),
        contact_id=ContactId(row.contact_id),
        stage=LeadStage(row.stage),
        tags=tuple(row.tags),
        owner_id=row.owner_id,
        source=LeadSource(row.source_channel, row.source_detail, row.source_reference),
        service_id=row.service_id,
        answers=dict(row.answers),
        summary=row.summary,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlCrm(SqlBase):
    """`CrmStore` on SQLite or PostgreSQL."""

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
        async with reading(self._engine) as connection:
            row = (
                await connection.execute(
                    select(contacts)
                    .join(identities, identities.c.contact_id == contacts.c.id)
                    .where(identities.c.channel == channel, identities.c.external_id == external_id)
                )
            ).first()
            if row is not None:
                return _contact(row if row.merged_into is None else await self._live_row(connection, row.id))

        async def work(connection: AsyncConnection) -> str:
            now = self._clock.now()
            contact_id = new_id("ct")
            await connection.execute(
                insert(contacts).values(
                    id=contact_id,
                    name=display_name,
                    tags=[],
                    phone_verified=False,
                    email_verified=False,
                    opted_out=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            await connection.execute(
                insert(identities).values(
                    id=new_id("id"),
                    contact_id=contact_id,
                    channel=channel,
                    external_id=external_id,
                    display_name=display_name,
                    created_at=now,
                )
            )
            await self.record(
                connection,
                Change("contact.created", "contact", contact_id, f"new contact from {channel}"),
                actor=actor,
                key=key,
                contact_id=contact_id,
            )
            return contact_id

        return await self.write(
            key=key,
            operation="contact_for_identity",
            request=fingerprint(channel, external_id),
            work=work,
            load=lambda contact_id: self._identity_owner(channel, external_id, contact_id),
        )

    async def _identity_owner(self, channel: str, external_id: str, fallback: str) -> Contact:
        async with reading(self._engine) as connection:
            row = (
                await connection.execute(
                    select(identities.c.contact_id).where(
                        identities.c.channel == channel, identities.c.external_id == external_id
                    )
                )
            ).first()
        return await self.get_contact(ContactId(row.contact_id if row is not None else fallback))

    async def get_contact(self, contact_id: ContactId) -> Contact:
        """Return a contact, following merges (NotFound if none)."""
        async with reading(self._engine) as connection:
            return _contact(await self._live_row(connection, contact_id))

    async def find_contact(self, *, phone: str | None = None, email: str | None = None) -> Contact | None:
        """Find a live (not merged) contact by phone or email."""
        conditions = []
        if phone:
            conditions.append(contacts.c.phone == phone)
        if email:
            conditions.append(func.lower(contacts.c.email) == email.lower())
        if not conditions:
            return None
        async with reading(self._engine) as connection:
            row = (
                await connection.execute(
                    select(contacts)
                    .where(or_(*conditions), contacts.c.merged_into.is_(None))
                    .order_by(contacts.c.created_at, contacts.c.id)
                )
            ).first()
        return _contact(row) if row is not None else None

    async def identities(self, contact_id: ContactId) -> list[Identity]:
        """Every channel identity of a contact."""
        live = await self.get_contact(contact_id)
        async with reading(self._engine) as connection:
            rows = (
                await connection.execute(
                    select(identities)
                    .where(identities.c.contact_id == live.id)
                    .order_by(identities.c.created_at)
                )
            ).all()
        return [
            Identity(
                IdentityId(r.id),
                ContactId(r.contact_id),
                r.channel,
                r.external_id,
                r.display_name,
                r.created_at,
            )
            for r in rows
        ]

    async def update_contact(
        self, contact_id: ContactId, changes: ContactChanges, *, key: str, actor: str = "system"
    ) -> Contact:
        """Change a contact; a verified phone or email that another contact has verified merges the two."""

        async def work(connection: AsyncConnection) -> str:
            row = await self._live_row(connection, contact_id)
            values = {name: value for name, value in vars(changes).items() if value is not None}
            if values:
                await connection.execute(
                    update(contacts)
                    .where(contacts.c.id == row.id)
                    .values(**values, updated_at=self._clock.now())
                )
                await self.record(
                    connection,
                    Change("contact.updated", "contact", row.id, "changed " + ", ".join(sorted(values))),
                    actor=actor,
                    key=key,
                    contact_id=row.id,
                )
            return await self._merge_verified_twin(connection, row.id, actor=actor, key=key)

        return await self.write(
            key=key,
            operation="update_contact",
            request=fingerprint(contact_id, changes),
            work=work,
            load=lambda cid: self.get_contact(ContactId(cid)),
        )

    async def _merge_verified_twin(
        self, connection: AsyncConnection, contact_id: str, *, actor: str, key: str
    ) -> str:
        row = await self._live_row(connection, contact_id)
        twins = []
        if row.phone and row.phone_verified:
            twins.append(and_(contacts.c.phone == row.phone, contacts.c.phone_verified.is_(True)))
        if row.email and row.email_verified:
            twins.append(
                and_(func.lower(contacts.c.email) == row.email.lower(), contacts.c.email_verified.is_(True))
            )
        if not twins:
            return str(row.id)
        twin = (
            await connection.execute(
                select(contacts)
                .where(or_(*twins), contacts.c.id != row.id, contacts.c.merged_into.is_(None))
                .order_by(contacts.c.created_at, contacts.c.id)
            )
        ).first()
        if twin is None:
            return str(row.id)
        older, newer = sorted([row, twin], key=lambda r: (r.created_at, r.id))
        await self._merge(connection, newer, older, actor=actor, key=key)
        return str(older.id)

    async def merge_contacts(
        self, source: ContactId, target: ContactId, *, key: str, actor: str = "system"
    ) -> Contact:
        """Move everything of `source` to `target` and mark `source` merged."""

        async def work(connection: AsyncConnection) -> str:
            source_row = await self._live_row(connection, source)
            target_row = await self._live_row(connection, target)
            if source_row.id != target_row.id:
                await self._merge(connection, source_row, target_row, actor=actor, key=key)
            return str(target_row.id)

        return await self.write(
            key=key,
            operation="merge_contacts",
            request=fingerprint(source, target),
            work=work,
            load=lambda cid: self.get_contact(ContactId(cid)),
        )

    async def _merge(
        self, connection: AsyncConnection, source: Row[Any], target: Row[Any], *, actor: str, key: str
    ) -> None:
        for name in CONTACT_TABLES:
            table = metadata.tables[name]
            await connection.execute(
                update(table).where(table.c.contact_id == source.id).values(contact_id=target.id)
            )
        filled = {
            field: getattr(source, field)
            for field in ("name", "phone", "email", "language")
            if getattr(target, field) is None and getattr(source, field) is not None
        }
        await connection.execute(
            update(contacts)
            .where(contacts.c.id == target.id)
            .values(
                **filled,
                tags=sorted(set(target.tags) | set(source.tags)),
                opted_out=bool(target.opted_out or source.opted_out),
                phone_verified=bool(
                    target.phone_verified or (source.phone_verified and source.phone == target.phone)
                ),
                email_verified=bool(
                    target.email_verified or (source.email_verified and source.email == target.email)
                ),
                updated_at=self._clock.now(),
            )
        )
        await connection.execute(
            update(contacts)
            .where(contacts.c.id == source.id)
            .values(merged_into=target.id, updated_at=self._clock.now())
        )
        await self.record(
            connection,
            Change("contact.merged", "contact", target.id, f"merged {source.id} into it"),
            actor=actor,
            key=key,
            contact_id=target.id,
        )

    async def set_tags(
        self, contact_id: ContactId, tags: Sequence[str], *, key: str, actor: str = "system"
    ) -> Contact:
        """Add tags to a contact (existing tags stay)."""

        async def work(connection: AsyncConnection) -> str:
            row = await self._live_row(connection, contact_id)
            merged = sorted(set(row.tags) | set(tags))
            await connection.execute(
                update(contacts)
                .where(contacts.c.id == row.id)
                .values(tags=merged, updated_at=self._clock.now())
            )
            await self.audit(
                connection, Change("contact.tagged", "contact", row.id, ", ".join(tags)), actor=actor, key=key
            )
            return str(row.id)

        return await self.write(
            key=key,
            operation="set_tags",
            request=fingerprint(contact_id, tuple(tags)),
            work=work,
            load=lambda cid: self.get_contact(ContactId(cid)),
        )

    async def set_opted_out(
        self, contact_id: ContactId, opted_out: bool, *, key: str, actor: str = "system"
    ) -> Contact:
        """Record that the contact does (or no longer does) refuse proactive messages."""

        async def work(connection: AsyncConnection) -> str:
            row = await self._live_row(connection, contact_id)
            await connection.execute(
                update(contacts)
                .where(contacts.c.id == row.id)
                .values(opted_out=opted_out, updated_at=self._clock.now())
            )
            action = "contact.opted_out" if opted_out else "contact.opted_in"
            await self.record(
                connection,
                Change(
                    action,
                    "contact",
                    row.id,
                    "opted out of proactive messages" if opted_out else "opted back in",
                ),
                actor=actor,
                key=key,
                contact_id=row.id,
            )
            return str(row.id)

        return await self.write(
            key=key,
            operation="set_opted_out",
            request=fingerprint(contact_id, opted_out),
            work=work,
            load=lambda cid: self.get_contact(ContactId(cid)),
        )

    async def create_lead(self, lead: NewLead, *, key: str, actor: str = "system") -> Lead:
        """Open a lead."""

        async def work(connection: AsyncConnection) -> str:
            contact = await self._live_row(connection, lead.contact_id)
            now = self._clock.now()
            lead_id = new_id("ld")
            await connection.execute(
                insert(leads).values(
                    id=lead_id,
                    contact_id=contact.id,
                    stage=lead.stage.value,
                    tags=sorted(set(lead.tags)),
                    owner_id=lead.owner_id,
                    source_channel=lead.source.channel,
                    source_detail=lead.source.detail,
                    source_reference=lead.source.reference,
                    service_id=lead.service_id,
                    answers=dict(lead.answers),
                    summary=lead.summary,
                    created_at=now,
                    updated_at=now,
                )
            )
            detail = f"lead from {lead.source.detail or lead.source.channel}" + (
                f", owner {lead.owner_id}" if lead.owner_id else ""
            )
            await self.record(
                connection,
                Change("lead.created", "lead", lead_id, detail),
                actor=actor,
                key=key,
                contact_id=contact.id,
            )
            return lead_id

        return await self.write(
            key=key,
            operation="create_lead",
            request=fingerprint(lead),
            work=work,
            load=lambda lid: self.get_lead(LeadId(lid)),
        )

    async def update_lead(
        self, lead_id: LeadId, changes: LeadChanges, *, key: str, actor: str = "system"
    ) -> Lead:
        """Change a lead's stage, tags, owner, answers or summary."""

        async def work(connection: AsyncConnection) -> str:
            row = (await connection.execute(select(leads).where(leads.c.id == lead_id))).first()
            if row is None:
                raise NotFound(f"no lead {lead_id!r}")
            values: dict[str, object] = {}
            if changes.stage is not None:
                values["stage"] = changes.stage.value
            if changes.tags is not None:
                values["tags"] = sorted(set(changes.tags))
            if changes.owner_id is not None:
                values["owner_id"] = changes.owner_id
            if changes.answers is not None:
                values["answers"] = {**row.answers, **changes.answers}
            if changes.summary is not None:
                values["summary"] = changes.summary
            if changes.service_id is not None:
                values["service_id"] = changes.service_id
            await connection.execute(
                update(leads).where(leads.c.id == lead_id).values(**values, updated_at=self._clock.now())
            )
            await self.record(
                connection,
                Change(
                    "lead.updated", "lead", lead_id, "changed " + (", ".join(sorted(values)) or "nothing")
                ),
                actor=actor,
                key=key,
                contact_id=row.contact_id,
            )
            return str(lead_id)

        return await self.write(
            key=key,
            operation="update_lead",
            request=fingerprint(lead_id, changes),
            work=work,
            load=lambda lid: self.get_lead(LeadId(lid)),
        )

    async def get_lead(self, lead_id: LeadId) -> Lead:
        """Return a lead (NotFound if none)."""
        async with reading(self._engine) as connection:
            row = (await connection.execute(select(leads).where(leads.c.id == lead_id))).first()
        if row is None:
            raise NotFound(f"no lead {lead_id!r}")
        return _lead(row)

    async def list_leads(
        self,
        *,
        contact_id: ContactId | None = None,
        owner_id: str | None = None,
        stage: LeadStage | None = None,
    ) -> list[Lead]:
        """Leads matching every filter given, newest first."""
        query = select(leads).order_by(leads.c.created_at.desc(), leads.c.id)
        if contact_id is not None:
            query = query.where(leads.c.contact_id == (await self.get_contact(contact_id)).id)
        if owner_id is not None:
            query = query.where(leads.c.owner_id == owner_id)
        if stage is not None:
            query = query.where(leads.c.stage == stage.value)
        async with reading(self._engine) as connection:
            return [_lead(row) for row in (await connection.execute(query)).all()]

    async def open_lead_counts(self) -> Mapping[str, int]:
        """Open leads per owner, for routing by load."""
        query = (
            select(leads.c.owner_id, func.count())
            .where(leads.c.stage.in_([stage.value for stage in OPEN_STAGES]), leads.c.owner_id.is_not(None))
            .group_by(leads.c.owner_id)
        )
        async with reading(self._engine) as connection:
            return {str(owner): int(count) for owner, count in (await connection.execute(query)).all()}

    async def add_note(self, contact_id: ContactId, text: str, *, key: str, author: str) -> Note:
        """Attach a note to a contact."""

        async def work(connection: AsyncConnection) -> str:
            contact = await self._live_row(connection, contact_id)
            note_id = new_id("nt")
            await connection.execute(
                insert(notes).values(
                    id=note_id, contact_id=contact.id, author=author, text=text, created_at=self._clock.now()
                )
            )
            await self.audit(
                connection, Change("note.added", "note", note_id, text[:200]), actor=author, key=key
            )
            return note_id

        return await self.write(
            key=key,
            operation="add_note",
            request=fingerprint(contact_id, text, author),
            work=work,
            load=self._note,
        )

    async def _note(self, note_id: str) -> Note:
        async with reading(self._engine) as connection:
            return _note((await connection.execute(select(notes).where(notes.c.id == note_id))).one())

    async def _for_contact(self, table: Table, contact_id: ContactId) -> Sequence[Row[Any]]:
        """A live contact's rows of `table`, oldest first."""
        live = await self.get_contact(contact_id)
        query = select(table).where(table.c.contact_id == live.id).order_by(table.c.created_at, table.c.id)
        async with reading(self._engine) as connection:
            return (await connection.execute(query)).all()

    async def notes(self, contact_id: ContactId) -> list[Note]:
        """A contact's notes, oldest first."""
        return [_note(row) for row in await self._for_contact(notes, contact_id)]

    async def record_consent(
        self, contact_id: ContactId, *, purpose: str, granted: bool, text: str, channel: str, key: str
    ) -> Consent:
        """Store a consent (or its withdrawal) with the words the customer saw."""

        async def work(connection: AsyncConnection) -> str:
            contact = await self._live_row(connection, contact_id)
            consent_id = new_id("cs")
            await connection.execute(
                insert(consents).values(
                    id=consent_id,
                    contact_id=contact.id,
                    purpose=purpose,
                    granted=granted,
                    text=text,
                    channel=channel,
                    created_at=self._clock.now(),
                )
            )
            verb = "granted" if granted else "withdrew"
            await self.record(
                connection,
                Change("consent.recorded", "consent", consent_id, f"{verb} {purpose}"),
                actor=f"customer:{contact.id}",
                key=key,
                contact_id=contact.id,
            )
            return consent_id

        return await self.write(
            key=key,
            operation="record_consent",
            request=fingerprint(contact_id, purpose, granted, text, channel),
            work=work,
            load=self._consent,
        )

    async def _consent(self, consent_id: str) -> Consent:
        async with reading(self._engine) as connection:
            return _consent(
                (await connection.execute(select(consents).where(consents.c.id == consent_id))).one()
            )

    async def consents(self, contact_id: ContactId) -> list[Consent]:
        """A contact's consent records, oldest first."""
        return [_consent(row) for row in await self._for_contact(consents, contact_id)]

    async def timeline(self, contact_id: ContactId) -> list[Activity]:
        """A contact's activity across CRM, calendar, billing, orders and tickets, oldest first."""
        return [_activity(row) for row in await self._for_contact(activities, contact_id)]
