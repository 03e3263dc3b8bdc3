"""The tables of the business systems (SQLAlchemy Core), shared by SQLite and PostgreSQL.

The database itself enforces the invariants: one identity per (channel, sender),
no two bookings on one staff member's or resource's time (`booking_cells`), one
invoice per quote and one deposit invoice per booking, one payment per provider
reference, unique order numbers, and one result per idempotency key.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tools.sql.types import JsonColumn, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = 40
"""Length of id columns."""


def _id() -> Column[str]:
    return Column("id", String(ID), primary_key=True)


def _contact(nullable: bool = False) -> Column[str]:
    return Column("contact_id", String(ID), ForeignKey("contacts.id"), nullable=nullable, index=True)


def _stamps() -> list[Column[object]]:
    return [
        Column("created_at", UtcDateTime(), nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    ]


contacts = Table(
    "contacts",
    metadata,
    _id(),
    Column("name", String(200)),
    Column("phone", String(32), index=True),
    Column("email", String(320), index=True),
    Column("phone_verified", Boolean, nullable=False, default=False),
    Column("email_verified", Boolean, nullable=False, default=False),
    Column("language", String(8)),
    Column("timezone", String(64)),
    Column("tags", JsonColumn, nullable=False),
    Column("opted_out", Boolean, nullable=False, default=False),
    Column("merged_into", String(ID), ForeignKey("contacts.id")),
    *_stamps(),
)

identities = Table(
    "identities",
    metadata,
    _id(),
    _contact(),
    Column("channel", String(32), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("display_name", String(200)),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("channel", "external_id", name="uq_identities_channel_external_id"),
)

leads = Table(
    "leads",
    metadata,
    _id(),
    _contact(),
    Column("stage", String(20), nullable=False, index=True),
    Column("tags", JsonColumn, nullable=False),
    Column("owner_id", String(64), index=True),
    Column("source_channel", String(32), nullable=False),
    Column("source_detail", String(200)),
    Column("source_reference", String(200)),
    Column("service_id", String(64)),
    Column("answers", JsonColumn, nullable=False),
    Column("summary", Text),
    *_stamps(),
)

notes = Table(
    "notes",
    metadata,
    _id(),
    _contact(),
    Column("author", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

consents = Table(
    "consents",
    metadata,
    _id(),
    _contact(),
    Column("purpose", String(40), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("text", Text, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

activities = Table(
    "activities",
    metadata,
    _id(),
    _contact(),
    Column("kind", String(60), nullable=False),
    Column("summary", Text, nullable=False),
    Column("reference", String(200)),
    Column("actor", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
)

bookings = Table(
    "bookings",
    metadata,
    _id(),
    _contact(),
    Column("service_id", String(64), nullable=False),
    Column("staff_id", String(64), nullable=False, index=True),
    Column("resource_id", String(64)),
    Column("start_at", UtcDateTime(), nullable=False, index=True),
    Column("end_at", UtcDateTime(), nullable=False),
    Column("held_from", UtcDateTime(), nullable=False),
    Column("held_until", UtcDateTime(), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("fields", JsonColumn, nullable=False),
    Column("deposit_minor", Integer, nullable=False, default=0),
    Column("deposit_due_at", UtcDateTime()),
    Column("rescheduled_from", String(ID), ForeignKey("bookings.id")),
    Column("note", Text),
    *_stamps(),
)

booking_cells = Table(
    "booking_cells",
    metadata,
    Column("holder", String(80), primary_key=True),
    Column("cell_start", UtcDateTime(), primary_key=True),
    Column("booking_id", String(ID), ForeignKey("bookings.id"), nullable=False, index=True),
)
"""One row per five minutes a staff member or resource is held: the primary key makes overlaps impossible."""

quotes = Table(
    "quotes",
    metadata,
    _id(),
    _contact(),
    Column("lead_id", String(ID), ForeignKey("leads.id")),
    Column("service_id", String(64)),
    Column("package_id", String(64)),
    Column("items", JsonColumn, nullable=False),
    Column("assumptions", JsonColumn, nullable=False),
    Column("total_low_minor", Integer, nullable=False),
    Column("total_high_minor", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("valid_until", UtcDateTime(), nullable=False),
    Column("decided_by", String(100)),
    Column("decision_note", Text),
    *_stamps(),
)

invoices = Table(
    "invoices",
    metadata,
    _id(),
    Column("kind", String(20), nullable=False),
    _contact(),
    Column("quote_id", String(ID), ForeignKey("quotes.id"), unique=True),
    Column("booking_id", String(ID), ForeignKey("bookings.id"), unique=True),
    Column("amount_minor", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("payment_token", String(64), nullable=False, unique=True),
    Column("due_at", UtcDateTime()),
    Column("paid_at", UtcDateTime()),
    *_stamps(),
)

payments = Table(
    "payments",
    metadata,
    _id(),
    Column("invoice_id", String(ID), ForeignKey("invoices.id"), nullable=False, index=True),
    Column("amount_minor", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("provider", String(40), nullable=False),
    Column("provider_reference", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("provider", "provider_reference", name="uq_payments_provider_reference"),
)

orders = Table(
    "orders",
    metadata,
    _id(),
    Column("number", String(64), nullable=False, unique=True),
    _contact(),
    Column("items", JsonColumn, nullable=False),
    Column("total_minor", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(20), nullable=False),
    Column("delivery", JsonColumn, nullable=False),
    Column("email", String(320)),
    Column("phone", String(32)),
    *_stamps(),
)

order_history = Table(
    "order_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("note", Text),
    Column("actor", String(100), nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    _id(),
    _contact(),
    Column("category", String(40), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("context", Text, nullable=False),
    Column("priority", String(10), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("assignee", String(64)),
    Column("conversation_id", String(200)),
    Column("order_number", String(64)),
    Column("outcome", String(40)),
    *_stamps(),
)

tasks = Table(
    "tasks",
    metadata,
    _id(),
    Column("team", String(40), nullable=False, index=True),
    Column("title", String(300), nullable=False),
    Column("details", Text, nullable=False),
    Column("owner_id", String(64)),
    Column("status", String(20), nullable=False, index=True),
    Column("accept_by", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime()),
    Column("accepted_at", UtcDateTime()),
    _contact(nullable=True),
    Column("reference", String(200)),
    *_stamps(),
)

notifications = Table(
    "notifications",
    metadata,
    _id(),
    Column("kind", String(30), nullable=False),
    Column("recipient", String(100), nullable=False, index=True),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("link", String(500)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("read_at", UtcDateTime()),
    Column("dispatched_at", UtcDateTime(), index=True),
)
"""Staff notifications; `dispatched_at` is set once their staff alerts are created."""

audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    Column("entity", String(30), nullable=False),
    Column("entity_id", String(ID), nullable=False),
    Column("detail", Text, nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Index("ix_audit_log_entity", "entity", "entity_id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("operation", String(60), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("result_id", String(ID), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(240), primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("external_id", String(200), nullable=False),
    _contact(),
    Column("language", String(8)),
    Column("owner", String(10), nullable=False),
    Column("owner_staff", String(64)),
    Column("active_agent", String(20)),
    Column("awaiting_approval", Boolean, nullable=False, default=False),
    Column("closed", Boolean, nullable=False, default=False),
    Column("last_message_at", UtcDateTime(), index=True),
    Column("prompt", JsonColumn),
    *_stamps(),
    UniqueConstraint("channel", "external_id", name="uq_conversations_channel_external_id"),
    Index("ix_conversations_updated_at", "updated_at"),
)

messages = Table(
    "messages",
    metadata,
    _id(),
    Column("conversation_id", String(240), ForeignKey("conversations.id"), nullable=False, index=True),
    Column("direction", String(3), nullable=False),
    Column("text", Text, nullable=False),
    Column("provider_id", String(200)),
    Column("reply_to", String(ID), ForeignKey("messages.id")),
    Column("seq", Integer, nullable=False, default=0),
    Column("agent", String(20)),
    Column("intent", String(40)),
    Column("author", String(80), nullable=False),
    Column("buttons", JsonColumn, nullable=False),
    Column("actions", JsonColumn, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("conversation_id", "provider_id", name="uq_messages_conversation_provider_id"),
    UniqueConstraint("reply_to", "seq", name="uq_messages_reply_to_seq"),
)
"""The transcript. Inbound messages are unique per conversation and provider id; replies per (inbound, seq)."""

approvals = Table(
    "approvals",
    metadata,
    _id(),
    Column("conversation_id", String(240), ForeignKey("conversations.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("summary", Text, nullable=False),
    Column("proposal", JsonColumn, nullable=False),
    Column("status", String(10), nullable=False, index=True),
    Column("decided_by", String(80)),
    Column("decision_note", Text),
    Column("changes", JsonColumn, nullable=False),
    Column("decided_at", UtcDateTime()),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

inbox_events = Table(
    "inbox_events",
    metadata,
    _id(),
    Column("channel", String(32), nullable=False),
    Column("provider_id", String(200), nullable=False),
    Column("chat_id", String(200), nullable=False),
    Column("conversation_key", String(240), nullable=False, index=True),
    Column("sender_id", String(200), nullable=False),
    Column("sender_name", String(200)),
    Column("text", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("extra", JsonColumn, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_owner", String(80)),
    Column("batch", String(ID)),
    Column("processed_at", UtcDateTime()),
    Column("error", Text),
    UniqueConstraint("channel", "provider_id", name="uq_inbox_events_channel_provider_id"),
    Index("ix_inbox_events_status_received_at", "status", "received_at"),
)
"""The durable inbox: every verified inbound event, once per (channel, provider id), before the provider is answered."""

conversation_leases = Table(
    "conversation_leases",
    metadata,
    Column("conversation_key", String(240), primary_key=True),
    Column("owner", String(80), nullable=False),
    Column("until", UtcDateTime(), nullable=False),
)
"""Which worker is processing a conversation's turns, until when: one at a time per conversation."""

deliveries = Table(
    "deliveries",
    metadata,
    _id(),
    Column("message_id", String(ID), ForeignKey("messages.id"), nullable=False, unique=True),
    Column("conversation_id", String(240), ForeignKey("conversations.id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("chat_id", String(200), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("provider_message_id", String(200), index=True),
    Column("last_error", Text),
    Column("parts_sent", Integer, nullable=False, default=0),
    Column("details", JsonColumn, nullable=False, default=dict),
    Column("provider_status", String(12)),
    *_stamps(),
    Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_deliveries_conversation_id_status", "conversation_id", "status"),
)
"""The outbox: each recorded reply's delivery to its channel, retried with backoff, then dead-lettered."""

staff_alerts = Table(
    "staff_alerts",
    metadata,
    _id(),
    Column("notification_id", String(ID), ForeignKey("notifications.id"), nullable=False),
    Column("target", String(64), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("claimed_by", String(80)),
    Column("last_error", Text),
    Column("provider_response_id", String(200)),
    *_stamps(),
    UniqueConstraint("notification_id", "target", name="uq_staff_alerts_notification_id_target"),
    Index("ix_staff_alerts_status_next_attempt_at", "status", "next_attempt_at"),
)
"""The staff-alert outbox: each notification's delivery to each matching target, once, retried, then dead-lettered."""

staff_accounts = Table(
    "staff_accounts",
    metadata,
    _id(),
    Column("login", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(10), nullable=False),
    Column("staff_member", String(64)),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime()),
    Column("last_login_at", UtcDateTime()),
    *_stamps(),
)
"""People who sign in to the staff console; `login` is stored lower-cased."""

staff_sessions = Table(
    "staff_sessions",
    metadata,
    _id(),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", String(ID), ForeignKey("staff_accounts.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
)
"""Signed-in console browsers: only the SHA-256 of each session token is stored."""

timers = Table(
    "timers",
    metadata,
    _id(),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("group_key", String(240), nullable=False, index=True),
    Column("subject", String(240), nullable=False, default=""),
    Column("conversation_id", String(240)),
    Column("contact_id", String(ID)),
    Column("data", JsonColumn, nullable=False, default=dict),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime()),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_owner", String(80)),
    Column("lease_until", UtcDateTime()),
    Column("fired_at", UtcDateTime()),
    Column("outcome", Text),
    *_stamps(),
    Index("ix_timers_status_due_at", "status", "due_at"),
)
"""Durable timers for proactive messages: scheduled once per key, claimed under a lease, cancelled by group."""

api_tokens = Table(
    "api_tokens",
    metadata,
    _id(),
    Column("name", String(64), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_used_at", UtcDateTime()),
    Column("revoked_at", UtcDateTime()),
)
"""Tokens of the business's other systems for the events API: only the SHA-256 of each secret is stored.

At most one token of a name is active (`revoked_at` empty); the store checks that when it adds one.
"""
