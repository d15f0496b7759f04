"""The store's tables, in SQLAlchemy Core.

This metadata describes the schema at the newest migration; the migrations in ``migrations/versions``
are what actually create it (a test checks the two agree). Change a table here *and* add a migration.

Only portable types are used, so the same tables work on SQLite and PostgreSQL; JSON becomes JSONB on
PostgreSQL. Dates of articles stay ISO strings, as in the model (a date or a datetime, sorted as text).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

# Stable constraint names, so later migrations can refer to them (SQLite batch mode needs names).
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

JSONData = JSON().with_variant(JSONB(), "postgresql")

ID = String(64)  # article ids are 16 hex characters (clean.document.article_id); room to grow

#: One row per article. Columns hold what users filter on; ``data`` holds the rest of
#: ``model.to_dict(article)`` (source, paragraphs, removed, byline, published_window, and any field
#: added to Article later), so a new model field needs no migration.
articles = Table(
    "articles",
    metadata,
    Column("id", ID, primary_key=True),
    Column("url", Text),
    Column("outlet", Text),
    Column("title", Text),
    Column("published", String(40)),
    Column("published_source", String(16)),
    Column("language", String(16)),
    Column("format", String(16)),
    Column("fetched", String(40)),
    Column("source_path", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("data", JSONData, nullable=False),
    Column("added", DateTime(timezone=True), nullable=False),
    Index(None, "url"),
    Index(None, "outlet"),
    Index(None, "published", "id"),
    Index(None, "language"),
    Index(None, "source_path"),
)

#: Files and records ingest could not read. ``id`` is a hash of (source, reason, severity), so a rerun
#: over the same input refreshes ``time`` instead of listing the same failure twice.
problems = Table(
    "problems",
    metadata,
    Column("id", ID, primary_key=True),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("source_path", Text, nullable=False),
    Column("source_member", Text),
    Column("source_index", Integer),
    Column("reason", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Index(None, "time"),
)

#: The annotate stage's output for one article (``model.Annotations`` as a dict). ``version`` is the
#: annotator's version, so annotations made by an older annotator can be found and redone.
annotations = Table(
    "annotations",
    metadata,
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("data", JSONData, nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
)

#: Stories found by the cluster stage: ``data`` holds ``model.to_dict(story)`` minus id, title and
#: article_ids, which live in columns and in ``story_articles``.
stories = Table(
    "stories",
    metadata,
    Column("id", ID, primary_key=True),
    Column("title", Text, nullable=False),
    Column("data", JSONData, nullable=False),
)

#: Which articles a story holds, in the story's order (``position``).
story_articles = Table(
    "story_articles",
    metadata,
    Column("story_id", ID, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
    Index(None, "article_id"),
)

#: The online clusterer's state for one live story (cluster/state.py): ``state`` (JSON) holds its title,
#: size, dates, outlet counts and the keys of its bounded term and name counts; ``weights`` the counts and
#: the term and name vectors as last refreshed (little-endian float64 arrays, decoded with the keys);
#: ``embedding`` the sum of its members' lead embeddings (little-endian float32) when embedded.
#: ``seq`` orders the stories by last refresh, which is the order the inverted index is rebuilt in.
cluster_stories = Table(
    "cluster_stories",
    metadata,
    Column("id", ID, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("state", JSONData, nullable=False),
    Column("weights", LargeBinary, nullable=False),
    Column("embedding", LargeBinary),
)

#: The clusterer's online document frequencies: ``kind`` is ``term`` (words) or ``name`` (anchors).
cluster_df = Table(
    "cluster_df",
    metadata,
    Column("kind", String(8), primary_key=True),
    Column("token", Text, primary_key=True),
    Column("count", Integer, nullable=False),
)

#: Scalars of the clusterer's state under ``key`` (``state``: document counts, refresh counter, and a
#: version bumped by every write, which tells a running clusterer that another process wrote since).
cluster_meta = Table(
    "cluster_meta",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", JSONData, nullable=False),
)

#: The reconcile stage's account of one story, as ``analyze`` or ``report`` last built it: ``data`` holds
#: ``{"account": model.to_dict(account), "copies": [model.to_dict(link), ...]}`` (the copy links among
#: the story's members). ``key`` fingerprints what the account was built from (members, annotator and
#: account versions, reconcile settings: ``reconcile.fingerprint.account_key``); a reader uses the row only when its own
#: key matches, so a story that grew or other settings rebuild it. Derived data: dropped with its story.
story_accounts = Table(
    "story_accounts",
    metadata,
    Column("story_id", ID, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(64), nullable=False),
    Column("data", JSONData, nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
)

#: Sentence embeddings already computed by the reconcile and copy stages (claim sentences, quote contents,
#: clauses, aligned passages), keyed by a digest of the model's name and the text
#: (``cluster.vectors.embedding_key``); ``vector`` is the unit-length float32 vector's bytes. A story rebuilt
#: after it grew embeds only its new sentences. Derived data: deleting rows only costs recomputing them.
sentence_embeddings = Table(
    "sentence_embeddings",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
)
