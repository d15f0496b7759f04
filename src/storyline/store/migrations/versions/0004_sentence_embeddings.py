"""Stored sentence embeddings: a story's account rebuilt after it grew embeds only its new sentences.

Adds a table only; nothing stored before is touched (it fills as accounts are built).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of stored sentence embeddings."""
    op.create_table(
        "sentence_embeddings",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sentence_embeddings"),
    )


def downgrade() -> None:
    """Drop the stored embeddings (derived data: they are computed again when needed)."""
    op.drop_table("sentence_embeddings")
