"""The article store: SQLite by default, any SQLAlchemy URL (e.g. PostgreSQL) in principle.

Everything database-specific stays in this module: the SQLite connection setup is in
:func:`_configure_sqlite`, every other statement is a SQLAlchemy Core expression compiled per dialect.

Identity and idempotence: an article is keyed by :attr:`Article.id` (derived from its URL, else from
its normalised text). The first stored copy wins; a later copy with the same id is reported as
already present (and as *differing* when its text differs) but never overwrites, because annotations
hold character offsets into the stored text and would silently go wrong if the text changed.

Crash safety: articles are written in batches, one transaction per batch. A crash loses at most the
batch in flight; rerunning the same ingest adds exactly what is missing. When a :class:`StoryAssigner`
is given, the batch's story assignments and the clusterer's state changes are written in that same
transaction, so stories always reflect exactly the stored articles.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, bindparam, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError

from storyline.model import Article, InputProblem, Source, Story, from_dict, to_dict
from storyline.settings import StoreSettings
from storyline.store.tables import (
    annotations,
    articles,
    cluster_df,
    cluster_meta,
    cluster_stories,
    problems,
    sentence_embeddings,
    stories,
    story_accounts,
    story_articles,
)

# Article fields kept in columns; the rest of to_dict(article) goes to the JSON ``data`` column.
_ARTICLE_COLUMNS = ("id", "url", "outlet", "title", "published", "published_source", "language", "format", "fetched",
                    "text")
# Ids per ``IN (...)`` clause: far below every backend's bound-parameter limit.
_IN_CHUNK = 500
# Rows fetched at a time while streaming articles.
_YIELD_PER = 200
# Execution option marking a connection that will write (SQLite then takes the write lock up front).
_WRITE = "storyline_write"


class StoreError(Exception):
    """The store cannot be opened or used as asked (bad URL, database newer than this storyline)."""


@dataclass
class AddResult:
    """What :meth:`Store.add_articles` did, ids in input order."""

    added_ids: list[str] = field(default_factory=list)
    # Already stored, or repeated in the input: not written.
    present_ids: list[str] = field(default_factory=list)
    # Those of ``present_ids`` whose text differs from the stored copy (e.g. an edited re-scrape).
    differing_ids: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        """How many articles were newly stored."""
        return len(self.added_ids)

    @property
    def already_present(self) -> int:
        """How many articles were skipped because their id was already stored."""
        return len(self.present_ids)


@dataclass
class ProblemRecord:
    """An ingest problem as stored: ``time`` is when it was last seen (UTC)."""

    time: datetime
    problem: InputProblem


@dataclass
class StoryState:
    """The online clusterer's stored state, as plain data (``cluster/state.py`` gives it meaning)."""

    meta: dict[str, Any] = field(default_factory=dict)  # document counts, refresh counter, version
    df: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> token -> documents
    # (state, weights, embedding or None) per live story, in refresh order (``seq``).
    stories: list[tuple[dict[str, Any], bytes, bytes | None]] = field(default_factory=list)

    @property
    def version(self) -> int:
        """Bumped by every write of the state; 0 when none was written."""
        return int(self.meta.get("version", 0))


@dataclass
class StoryRecord:
    """One live story as written: the public :class:`Story` (without members) and the clusterer's state."""

    story: Story
    seq: int
    state: dict[str, Any]
    weights: bytes
    embedding: bytes | None = None


@dataclass
class StoryChanges:
    """What one assignment step changed, written in the transaction of the articles it assigned."""

    meta: dict[str, Any]
    df: dict[str, dict[str, int]]  # kind -> token -> new document count
    stories: list[StoryRecord]  # created or refreshed, still live
    removed: list[str]  # merged into another story
    # In order: ("assign", article id, story id, position), ("merge", merged id, kept id, position offset),
    # ("move", article id, story id, new position): a split story's members.
    events: list[tuple[str, str, str, int]]


class StoryAssigner(Protocol):
    """Assigns articles to stories inside :meth:`Store.add_articles`' transaction (cluster.state.StoryTracker)."""

    #: The stored state version this assigner's in-memory state reflects (None: unknown, reload).
    version: int | None

    def load(self, state: StoryState) -> None:
        """Replace the in-memory state with the stored one."""

    def assign(self, articles: list[Article]) -> StoryChanges:
        """Assign the articles (stored, without a story) and return what changed."""

    def invalidate(self) -> None:
        """The last changes were not written: the in-memory state must be reloaded before the next use."""


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config for the store's migrations (shipped in the package; no alembic.ini)."""
    cfg = Config()
    cfg.set_main_option("script_location", "storyline.store:migrations")
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision() -> str | None:
    """The newest migration this version of storyline knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class Store:
    """Articles, ingest problems, annotations and stories in one database.

    ``url`` is a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql+psycopg://...``); a plain path
    means a SQLite file there. Opening migrates the database to the newest schema.
    """

    def __init__(self, url: str, settings: StoreSettings | None = None) -> None:
        self.settings = settings or StoreSettings()
        try:
            parsed = make_url(url if "://" in url else f"sqlite:///{url}")
        except (ArgumentError, ValueError) as exc:
            raise StoreError(f"{url!r} is not a database URL (e.g. sqlite:///path/to/storyline.db)") from exc
        self.url = parsed.render_as_string(hide_password=True)  # for messages: never shows a password
        if parsed.get_backend_name() == "sqlite":
            _prepare_sqlite_path(parsed.database)
        try:
            self._engine: Engine = create_engine(parsed, json_deserializer=_json_loads)
        except (NoSuchModuleError, ImportError) as exc:
            raise StoreError(f"{self.url}: no database driver for {parsed.drivername!r} is installed ({exc})") from exc
        if parsed.get_backend_name() == "sqlite":
            _configure_sqlite(self._engine, self.settings.busy_timeout_s)
        try:
            self._migrate()
        except BaseException:
            self._engine.dispose()
            raise

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Release every connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def revision(self) -> str | None:
        """The schema revision the database is at."""
        with self._engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _migrate(self) -> None:
        cfg = alembic_config()
        script = ScriptDirectory.from_config(cfg)
        current = self.revision()
        if current == script.get_current_head():
            return
        if current is not None:
            try:
                script.get_revision(current)
            except CommandError as exc:
                raise StoreError(
                    f"{self.url}: the database is at schema revision {current!r}, unknown to this version of "
                    "storyline (it was written by a newer one)"
                ) from exc
        with self._writing() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed on success, rolled back on error."""
        with self._engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    # ------------------------------------------------------------------ articles

    def add_articles(
        self, articles_in: Iterable[Article], batch_size: int | None = None, stories: StoryAssigner | None = None
    ) -> AddResult:
        """Store articles not stored yet, ``batch_size`` (default: settings) per transaction.

        Idempotent: an id already stored is skipped, never overwritten. The input is consumed lazily,
        so a generator over a large ingest is never held in memory. With ``stories``, every article of
        the batch that has no story yet (new, or stored earlier without one) is assigned to a story in
        the same transaction.
        """
        size = self.settings.batch_size if batch_size is None else batch_size
        if size < 1:
            raise ValueError(f"batch_size must be at least 1, not {size}")
        result = AddResult()
        seen: dict[str, int] = {}  # id -> hash of the text stored in this call: spots repeats, holds no text
        iterator = iter(articles_in)
        while batch := list(itertools.islice(iterator, size)):
            self._add_batch(batch, result, seen, stories)
        return result

    def _add_batch(
        self, batch: Sequence[Article], result: AddResult, seen: dict[str, int], stories: StoryAssigner | None
    ) -> None:
        first: dict[str, Article] = {}
        for art in batch:
            first.setdefault(art.id, art)
        # A concurrent writer (PostgreSQL) may insert one of our ids between our check and our insert:
        # the batch then rolls back whole and one retry sees that row as present.
        unseen = [i for i in first if i not in seen]
        for attempt in range(2):
            try:
                with self._writing() as conn:
                    stored = dict(_select_in(conn, (articles.c.id, articles.c.text), unseen))
                    new = [first[i] for i in unseen if i not in stored]
                    if new:
                        now = _now()
                        conn.execute(insert(articles), [_article_row(a, now) for a in new])
                    if stories is not None:
                        self._assign(conn, new, [i for i in unseen if i in stored], stories)
                break
            except IntegrityError:
                if stories is not None:
                    stories.invalidate()
                if attempt:
                    raise
            except BaseException:
                if stories is not None:
                    stories.invalidate()
                raise
        new_ids = {a.id for a in new}
        for art in batch:
            if art.id in new_ids and art.id not in seen:
                result.added_ids.append(art.id)
                seen[art.id] = hash(art.text)
                continue
            result.present_ids.append(art.id)
            reference = seen[art.id] if art.id in seen else hash(stored[art.id])
            if hash(art.text) != reference:
                result.differing_ids.append(art.id)

    def _assign(self, conn: Connection, new: list[Article], present: list[str], stories: StoryAssigner) -> None:
        """Assign the new articles and the present ones without a story; write the changes on ``conn``."""
        linked = {aid for (aid,) in _select_in(conn, (story_articles.c.article_id,), present)}
        todo = list(new)
        for chunk in _chunks([i for i in present if i not in linked], _IN_CHUNK):
            rows = conn.execute(select(articles).where(articles.c.id.in_(chunk)))
            todo.extend(_article_from_row(r._mapping) for r in rows)
        if not todo:
            return
        if stories.version != int(_story_meta(conn).get("version", 0)):
            stories.load(self._read_story_state(conn))  # another process wrote since, or first use
        self._write_story_changes(conn, stories.assign(todo))

    def get_article(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        with self._engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
        return None if row is None else _article_from_row(row._mapping)

    def has_article(self, article_id: str) -> bool:
        """Whether an article with this id is stored."""
        with self._engine.connect() as conn:
            return conn.execute(select(articles.c.id).where(articles.c.id == article_id)).first() is not None

    def count_articles(self) -> int:
        """How many articles are stored."""
        with self._engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(articles)).scalar_one()

    def iter_articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Stored articles (all, or those of ``ids`` that are stored), by published date then id.

        Undated articles come last. Rows are streamed, not loaded all at once.
        """
        if ids is None:
            with self._engine.connect() as conn:
                stmt = select(articles).order_by(articles.c.published.nulls_last(), articles.c.id)
                for row in conn.execution_options(yield_per=_YIELD_PER).execute(stmt):
                    yield _article_from_row(row._mapping)
            return
        # Sort the (small) keys first, then fetch full rows chunk by chunk in that order.
        keys: list[tuple[str | None, str]] = []
        with self._engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(ids)), _IN_CHUNK):
                stmt = select(articles.c.published, articles.c.id).where(articles.c.id.in_(chunk))
                keys.extend((published, aid) for published, aid in conn.execute(stmt))
        keys.sort(key=lambda k: (k[0] is None, k[0] or "", k[1]))
        for chunk in _chunks([k[1] for k in keys], _IN_CHUNK):
            with self._engine.connect() as conn:
                rows = {r.id: r._mapping for r in conn.execute(select(articles).where(articles.c.id.in_(chunk)))}
            yield from (_article_from_row(rows[i]) for i in chunk if i in rows)

    # ------------------------------------------------------------------ ingest problems

    def add_problems(self, problems_in: Iterable[InputProblem], time: datetime | None = None) -> int:
        """Record ingest problems; the same problem seen again only gets its time refreshed.

        Returns how many were new.
        """
        time = (time or _now()).astimezone(UTC)
        rows = {_problem_id(p): _problem_row(p) for p in problems_in}
        with self._writing() as conn:
            existing = {pid for (pid,) in _select_in(conn, (problems.c.id,), list(rows))}
            for chunk in _chunks(list(existing), _IN_CHUNK):
                conn.execute(update(problems).where(problems.c.id.in_(chunk)).values(time=time))
            new = [{"id": pid, "time": time, **row} for pid, row in rows.items() if pid not in existing]
            if new:
                conn.execute(insert(problems), new)
        return len(new)

    def iter_problems(self, since: datetime | None = None) -> Iterator[ProblemRecord]:
        """Stored ingest problems (last seen at or after ``since``, if given), oldest first."""
        stmt = select(problems).order_by(problems.c.time, problems.c.source_path, problems.c.source_index)
        if since is not None:
            stmt = stmt.where(problems.c.time >= since.astimezone(UTC))
        with self._engine.connect() as conn:
            for row in conn.execute(stmt):
                source = Source(row.source_path, row.source_member, row.source_index)
                yield ProblemRecord(_as_utc(row.time), InputProblem(source, row.reason, row.severity))

    # ------------------------------------------------------------------ annotations (annotate stage)

    def put_annotations(self, article_id: str, data: dict[str, Any], version: int = 1) -> None:
        """Store (or replace) the annotations of a stored article, made by annotator ``version``."""
        with self._writing() as conn:
            self._require_articles(conn, [article_id])
            values = {"data": data, "version": version, "updated": _now()}
            done = conn.execute(update(annotations).where(annotations.c.article_id == article_id).values(**values))
            if done.rowcount == 0:
                conn.execute(insert(annotations).values(article_id=article_id, **values))

    def get_annotations(self, article_id: str, version: int | None = None) -> dict[str, Any] | None:
        """The stored annotations of an article, or None (also when made by another ``version``)."""
        stmt = select(annotations.c.data).where(annotations.c.article_id == article_id)
        if version is not None:
            stmt = stmt.where(annotations.c.version == version)
        with self._engine.connect() as conn:
            return conn.execute(stmt).scalar_one_or_none()

    def annotations_of(self, article_ids: Iterable[str], version: int | None = None) -> dict[str, dict[str, Any]]:
        """The stored annotations of those ``article_ids`` that have them (by ``version``), in one query per chunk."""
        columns = (annotations.c.article_id, annotations.c.data)
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, dict[str, Any]] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(ids, _IN_CHUNK):
                stmt = select(*columns).where(annotations.c.article_id.in_(chunk))
                if version is not None:
                    stmt = stmt.where(annotations.c.version == version)
                found.update((aid, data) for aid, data in conn.execute(stmt))
        return found

    # ------------------------------------------------------------------ accounts (reconcile stage)

    def put_account(self, story_id: str, key: str, data: dict[str, Any]) -> None:
        """Store (or replace) the account of a stored story, built from what ``key`` fingerprints."""
        with self._writing() as conn:
            if conn.execute(select(stories.c.id).where(stories.c.id == story_id)).first() is None:
                raise KeyError(f"account: no stored story with id {story_id}")
            values = {"key": key, "data": data, "updated": _now()}
            done = conn.execute(update(story_accounts).where(story_accounts.c.story_id == story_id).values(**values))
            if done.rowcount == 0:
                conn.execute(insert(story_accounts).values(story_id=story_id, **values))

    def get_account(self, story_id: str, key: str) -> dict[str, Any] | None:
        """The stored account of a story when it was built from what ``key`` fingerprints, else None."""
        stmt = select(story_accounts.c.data).where(story_accounts.c.story_id == story_id, story_accounts.c.key == key)
        with self._engine.connect() as conn:
            return conn.execute(stmt).scalar_one_or_none()

    # ------------------------------------------------------------------ sentence embeddings (reconcile stage)

    def get_embeddings(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored embedding bytes of those ``keys`` that have one."""
        found: dict[str, bytes] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(keys)), _IN_CHUNK):
                stmt = select(sentence_embeddings.c.key, sentence_embeddings.c.vector)
                found.update((k, bytes(v)) for k, v in conn.execute(stmt.where(sentence_embeddings.c.key.in_(chunk))))
        return found

    def put_embeddings(self, vectors: dict[str, bytes]) -> None:
        """Store embeddings by key; a key already stored keeps its row (the same text has the same vector)."""
        if not vectors:
            return
        try:
            with self._writing() as conn:
                todo = dict(vectors)
                for chunk in _chunks(list(todo), _IN_CHUNK):
                    stmt = select(sentence_embeddings.c.key).where(sentence_embeddings.c.key.in_(chunk))
                    for (key,) in conn.execute(stmt):
                        todo.pop(key, None)
                if todo:
                    conn.execute(insert(sentence_embeddings), [{"key": k, "vector": v} for k, v in todo.items()])
        except IntegrityError:
            pass  # another process stored some of them meanwhile (PostgreSQL): derived data, computed again if needed

    # ------------------------------------------------------------------ stories (cluster stage)

    def put_stories(self, stories_in: Iterable[Story], replace_all: bool = False) -> None:
        """Store stories in one transaction, replacing any stored under the same id.

        ``replace_all`` first removes every stored story (a fresh clustering of the whole store). For
        stories made elsewhere: this does not update the persistent clusterer's state (``add_articles``
        with a ``StoryAssigner`` does), and replacing one of its stories drops that story's state.
        """
        with self._writing() as conn:
            if replace_all:
                conn.execute(delete(story_articles))
                conn.execute(delete(stories))
            for story in stories_in:
                self._require_articles(conn, story.article_ids, f"story {story.id}")
                conn.execute(delete(story_articles).where(story_articles.c.story_id == story.id))
                conn.execute(delete(stories).where(stories.c.id == story.id))
                data = to_dict(story)
                for name in ("id", "title", "article_ids"):
                    del data[name]
                conn.execute(insert(stories).values(id=story.id, title=story.title, data=data))
                links = [
                    {"story_id": story.id, "article_id": aid, "position": pos}
                    for pos, aid in enumerate(dict.fromkeys(story.article_ids))
                ]
                if links:
                    conn.execute(insert(story_articles), links)

    def get_story(self, story_id: str) -> Story | None:
        """The stored story with this id, or None."""
        stories_found = self._read_stories(stories.c.id == story_id)
        return stories_found[0] if stories_found else None

    def list_stories(self) -> list[Story]:
        """Every stored story, by id."""
        return self._read_stories(None)

    def _read_stories(self, where: Any) -> list[Story]:
        story_stmt = select(stories).order_by(stories.c.id)
        link_stmt = select(story_articles).order_by(story_articles.c.story_id, story_articles.c.position)
        if where is not None:
            story_stmt = story_stmt.where(where)
            link_stmt = link_stmt.join(stories, stories.c.id == story_articles.c.story_id).where(where)
        with self._engine.connect() as conn:
            rows = conn.execute(story_stmt).all()
            members: dict[str, list[str]] = {}
            for link in conn.execute(link_stmt):
                members.setdefault(link.story_id, []).append(link.article_id)
        return [
            from_dict(Story, {**row.data, "id": row.id, "title": row.title, "article_ids": members.get(row.id, [])})
            for row in rows
        ]

    def count_stories(self) -> int:
        """How many stories are stored."""
        with self._engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(stories)).scalar_one()

    def stories_of(self, article_ids: Iterable[str]) -> list[Story]:
        """The stored stories holding any of these articles, with all their members, by id."""
        with self._engine.connect() as conn:
            story_ids = {sid for (_, sid) in _select_in(
                conn, (story_articles.c.article_id, story_articles.c.story_id), list(dict.fromkeys(article_ids)))}
        found: list[Story] = []
        for chunk in _chunks(sorted(story_ids), _IN_CHUNK):
            found.extend(self._read_stories(stories.c.id.in_(chunk)))
        return sorted(found, key=lambda st: st.id)

    def unassigned_article_ids(self) -> list[str]:
        """Ids of the stored articles that belong to no story (stored without a clusterer), by date."""
        stmt = (
            select(articles.c.id)
            .outerjoin(story_articles, story_articles.c.article_id == articles.c.id)
            .where(story_articles.c.article_id.is_(None))
            .order_by(articles.c.published.nulls_last(), articles.c.id)
        )
        with self._engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def assigned_ids(self, article_ids: Iterable[str]) -> set[str]:
        """Those of ``article_ids`` that already belong to a story."""
        with self._engine.connect() as conn:
            return {aid for (aid,) in _select_in(conn, (story_articles.c.article_id,), list(set(article_ids)))}

    def load_story_state(self) -> StoryState:
        """The clusterer's stored state (empty when nothing was clustered yet)."""
        with self._engine.connect() as conn:
            return self._read_story_state(conn)

    @staticmethod
    def _read_story_state(conn: Connection) -> StoryState:
        state = StoryState()
        state.meta = _story_meta(conn)
        for kind, token, count in conn.execute(select(cluster_df.c.kind, cluster_df.c.token, cluster_df.c.count)):
            state.df.setdefault(kind, {})[token] = count
        columns = (cluster_stories.c.state, cluster_stories.c.weights, cluster_stories.c.embedding)
        state.stories = [tuple(row) for row in conn.execute(select(*columns).order_by(cluster_stories.c.seq))]
        return state

    def _write_story_changes(self, conn: Connection, changes: StoryChanges) -> None:
        """Write one assignment step: stories, their members, document frequencies and counters."""
        live = {record.story.id: record for record in changes.stories}
        mentioned = set(live) | set(changes.removed) | {e[2] for e in changes.events} | {e[1] for e in changes.events
                                                                                      if e[0] == "merge"}
        existing = {sid for (sid,) in _select_in(conn, (stories.c.id,), list(mentioned))}
        for sid, record in live.items():
            data = to_dict(record.story)
            for name in ("id", "title", "article_ids"):
                del data[name]
            state = {"seq": record.seq, "state": record.state, "weights": record.weights, "embedding": record.embedding}
            if sid in existing:
                conn.execute(update(stories).where(stories.c.id == sid).values(title=record.story.title, data=data))
                conn.execute(update(cluster_stories).where(cluster_stories.c.id == sid).values(**state))
            else:
                conn.execute(insert(stories).values(id=sid, title=record.story.title, data=data))
                conn.execute(insert(cluster_stories).values(id=sid, **state))
        # A story created and merged away within this step still needs a row for its links to move from.
        stubs = mentioned - existing - set(live)
        if stubs:
            conn.execute(insert(stories), [{"id": sid, "title": "", "data": {}} for sid in sorted(stubs)])
        links: list[dict[str, Any]] = []
        for kind, first, second, number in changes.events:
            if kind == "assign":
                links.append({"story_id": second, "article_id": first, "position": number})
                continue
            if links:
                conn.execute(insert(story_articles), links)
                links = []
            if kind == "move":
                conn.execute(update(story_articles).where(story_articles.c.article_id == first)
                             .values(story_id=second, position=number))
                continue
            conn.execute(
                update(story_articles).where(story_articles.c.story_id == first)
                .values(story_id=second, position=story_articles.c.position + number)
            )
        if links:
            conn.execute(insert(story_articles), links)
        for chunk in _chunks(sorted(changes.removed), _IN_CHUNK):
            conn.execute(delete(cluster_stories).where(cluster_stories.c.id.in_(chunk)))
            conn.execute(delete(stories).where(stories.c.id.in_(chunk)))
        for kind, counts in changes.df.items():
            self._write_counts(conn, kind, counts)
        done = conn.execute(update(cluster_meta).where(cluster_meta.c.key == "state").values(value=changes.meta))
        if done.rowcount == 0:
            conn.execute(insert(cluster_meta).values(key="state", value=changes.meta))

    @staticmethod
    def _write_counts(conn: Connection, kind: str, counts: dict[str, int]) -> None:
        stored: set[str] = set()
        for chunk in _chunks(list(counts), _IN_CHUNK):
            where = (cluster_df.c.kind == kind) & cluster_df.c.token.in_(chunk)
            stored.update(conn.execute(select(cluster_df.c.token).where(where)).scalars())
        if stored:
            stmt = (
                update(cluster_df)
                .where(cluster_df.c.kind == bindparam("b_kind"), cluster_df.c.token == bindparam("b_token"))
                .values(count=bindparam("b_count"))
            )
            conn.execute(stmt, [{"b_kind": kind, "b_token": t, "b_count": counts[t]} for t in stored])
        new = [{"kind": kind, "token": t, "count": c} for t, c in counts.items() if t not in stored]
        if new:
            conn.execute(insert(cluster_df), new)

    @staticmethod
    def _require_articles(conn: Connection, ids: list[str], what: str = "annotations") -> None:
        missing = set(ids) - {aid for (aid,) in _select_in(conn, (articles.c.id,), list(set(ids)))}
        if missing:
            raise KeyError(f"{what}: no stored article with id {', '.join(sorted(missing))}")


# ---------------------------------------------------------------------- helpers


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    """WAL (readers never block the writer), a busy timeout, foreign keys, real transactions.

    pysqlite's own transaction handling starts transactions late and never for DDL; it is switched off
    so that SQLAlchemy's BEGIN (emitted below) makes every batch and every migration atomic. A writing
    connection takes the write lock at BEGIN (IMMEDIATE), so two writers queue on the busy timeout
    instead of failing when a read lock cannot be upgraded.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        # WAL persists in the file, so only the first opener switches it. The switch needs the file to
        # itself, and SQLite says "database is locked" at once instead of waiting on the busy timeout when
        # several processes open a new file together: retried until the timeout.
        # (An in-memory database stays "memory": the switch then returns without error and is not retried.)
        deadline = time.monotonic() + busy_timeout_s
        while cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            try:
                cursor.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        # In WAL mode NORMAL survives any process crash; only a power cut may lose the last commits.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def _json_loads(text: str | bytes) -> Any:
    """JSON columns read with orjson (several times faster on large annotations and accounts).

    Rows written by Python's json may hold NaN or Infinity, which orjson refuses: those are read by json.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _prepare_sqlite_path(database: str | None) -> None:
    """Create the directory of a SQLite file (in-memory and URI databases need nothing)."""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _article_row(article: Article, now: datetime) -> dict[str, Any]:
    data = to_dict(article)
    row = {name: data.pop(name) for name in _ARTICLE_COLUMNS}
    row.update(source_path=article.source.path, data=data, added=now)
    return row


def _article_from_row(row: Any) -> Article:
    return from_dict(Article, {**row["data"], **{name: row[name] for name in _ARTICLE_COLUMNS}})


def _problem_row(problem: InputProblem) -> dict[str, Any]:
    src = problem.source
    return {"source_path": src.path, "source_member": src.member, "source_index": src.index,
            "reason": problem.reason, "severity": problem.severity}


def _problem_id(problem: InputProblem) -> str:
    key = json.dumps(_problem_row(problem), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _story_meta(conn: Connection) -> dict[str, Any]:
    """The clusterer's stored scalars (empty before the first write)."""
    return conn.execute(select(cluster_meta.c.value).where(cluster_meta.c.key == "state")).scalar_one_or_none() or {}


def _select_in(conn: Connection, columns: Sequence[Any], ids: list[str]) -> Iterator[Any]:
    """Rows of ``columns`` whose first column (a primary key) is one of ``ids``, queried in chunks."""
    for chunk in _chunks(ids, _IN_CHUNK):
        yield from conn.execute(select(*columns).where(columns[0].in_(chunk)))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every time the store writes is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
