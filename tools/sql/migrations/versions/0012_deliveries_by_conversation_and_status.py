"""deliveries: one index on (conversation_id, status) instead of conversation_id alone

A turn's completion asks whether earlier deliveries of the conversation still wait; the index
answers from the conversation's pending rows instead of every delivery it ever had.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_deliveries_conversation_id_status", "deliveries", ["conversation_id", "status"], unique=False
    )
    op.drop_index("ix_deliveries_conversation_id", table_name="deliveries")


def downgrade() -> None:
    op.create_index("ix_deliveries_conversation_id", "deliveries", ["conversation_id"], unique=False)
    op.drop_index("ix_deliveries_conversation_id_status", table_name="deliveries")
