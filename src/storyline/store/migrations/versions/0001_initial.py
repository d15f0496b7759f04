"""Initial schema: articles, ingest problems, and the tables later stages fill.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# A frozen copy of the types in tables.py as of this revision: migrations never import the live tables.
JSONData = sa.JSON().with_variant(JSONB(), "postgresql")
ID = sa.String(64)
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "articles",
        sa.Column("id", ID, nullable=False),
        sa.Column("url", sa.Text()),
        sa.Column("outlet", sa.Text()),
        sa.Column("title", sa.Text()),
        sa.Column("published", sa.String(40)),
        sa.Column("published_source", sa.String(16)),
        sa.Column("language", sa.String(16)),
        sa.Column("format", sa.String(16)),
        sa.Column("fetched", sa.String(40)),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", JSONData, nullable=False),
        sa.Column("added", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
    )
    op.create_index("ix_articles_url", "articles", ["url"])
    op.create_index("ix_articles_outlet", "articles", ["outlet"])
    op.create_index("ix_articles_published_id", "articles", ["published", "id"])
    op.create_index("ix_articles_language", "articles", ["language"])
    op.create_index("ix_articles_source_path", "articles", ["source_path"])

    op.create_table(
        "problems",
        sa.Column("id", ID, nullable=False),
        sa.Column("time", TIME, nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("source_member", sa.Text()),
        sa.Column("source_index", sa.Integer()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_problems"),
    )
    op.create_index("ix_problems_time", "problems", ["time"])

    op.create_table(
        "annotations",
        sa.Column("article_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", JSONData, nullable=False),
        sa.Column("updated", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_annotations_article_id_articles", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("article_id", name="pk_annotations"),
    )

    op.create_table(
        "stories",
        sa.Column("id", ID, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("data", JSONData, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
    )
    op.create_table(
        "story_articles",
        sa.Column("story_id", ID, nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="fk_story_articles_story_id_stories", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_story_articles_article_id_articles", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("story_id", "article_id", name="pk_story_articles"),
    )
    op.create_index("ix_story_articles_article_id", "story_articles", ["article_id"])


def downgrade() -> None:
    """Drop every table."""
    for name in ("story_articles", "stories", "annotations", "problems", "articles"):
        op.drop_table(name)
