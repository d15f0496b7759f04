"""Stored accounts: each story's reconciled account and copy links, so a report need not rebuild them.

Adds a table only; nothing stored before is touched (stories without a stored account get one the next
time they are analysed or reported).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# A frozen copy of the types in tables.py as of this revision: migrations never import the live tables.
JSONData = sa.JSON().with_variant(JSONB(), "postgresql")
ID = sa.String(64)


def upgrade() -> None:
    """Create the table of stored accounts."""
    op.create_table(
        "story_accounts",
        sa.Column("story_id", ID, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("data", JSONData, nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="fk_story_accounts_story_id_stories", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("story_id", name="pk_story_accounts"),
    )


def downgrade() -> None:
    """Drop the stored accounts (derived data: the next report rebuilds them)."""
    op.drop_table("story_accounts")
