"""Persistent online clustering: the clusterer's state beside the stories it made.

Stories stored before this revision were made by clustering each run's articles in memory and have no
clusterer state to extend; they are removed (they are derived data), which leaves their articles without
a story, and the next ingest or analyze clusters every such article in date order
(``cluster.state.StoryTracker``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# A frozen copy of the types in tables.py as of this revision: migrations never import the live tables.
JSONData = sa.JSON().with_variant(JSONB(), "postgresql")
ID = sa.String(64)


def upgrade() -> None:
    """Create the clusterer's tables and drop the stories that have no clusterer state."""
    op.execute(sa.table("story_articles").delete())
    op.execute(sa.table("stories").delete())
    op.create_table(
        "cluster_stories",
        sa.Column("id", ID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", JSONData, nullable=False),
        sa.Column("weights", sa.LargeBinary(), nullable=False),
        sa.Column("embedding", sa.LargeBinary()),
        sa.ForeignKeyConstraint(["id"], ["stories.id"], name="fk_cluster_stories_id_stories", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_cluster_stories"),
    )
    op.create_table(
        "cluster_df",
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "token", name="pk_cluster_df"),
    )
    op.create_table(
        "cluster_meta",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("value", JSONData, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_cluster_meta"),
    )


def downgrade() -> None:
    """Drop the clusterer's tables (the stories stay, frozen)."""
    for name in ("cluster_meta", "cluster_df", "cluster_stories"):
        op.drop_table(name)
