"""conversations: an index on updated_at, for the console's inbox order and its live change feed

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
