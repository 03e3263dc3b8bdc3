"""timers: durable timers for proactive messages (reminders, deadlines, follow-ups)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tools.sql.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("group_key", sa.String(length=240), nullable=False),
        sa.Column("subject", sa.String(length=240), nullable=False),
        sa.Column("conversation_id", sa.String(length=240), nullable=True),
        sa.Column("contact_id", sa.String(length=40), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("due_at", tools.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", tools.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=80), nullable=True),
        sa.Column("lease_until", tools.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("fired_at", tools.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", tools.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tools.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        sa.UniqueConstraint("key", name=op.f("uq_timers_key")),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timers_group_key"), ["group_key"], unique=False)
        batch_op.create_index("ix_timers_status_due_at", ["status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index("ix_timers_status_due_at")
        batch_op.drop_index(batch_op.f("ix_timers_group_key"))

    op.drop_table("timers")
