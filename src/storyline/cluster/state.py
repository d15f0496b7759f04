"""Persistent online clustering: a :class:`StoryClusterer` whose state lives in the store.

:class:`StoryTracker` is what :meth:`Store.add_articles` calls inside each batch's transaction: it
assigns the batch's new articles to stories and returns the changes (new and refreshed stories, merges,
document frequencies, counters), which the store writes in that same transaction. So stories always
reflect exactly the stored articles, and a crash loses the batch's articles and their assignments
together.

The state is JSON and raw float32 bytes, never pickle: per live story its bounded term and name counts,
its term and name vectors as last refreshed, outlet counts, dates, title, size and embedding sum; the
document frequencies one row per token; a few scalars. A young story (at most ``split_members``
articles) also keeps its members, so that it can still split: their term and name counts, title, outlet
and date in the JSON, their lead embeddings after the story's embedding sum in the same float32 bytes.
The article -> story map is the store's ``story_articles`` table and is never loaded: a tracker holds
only stories (and the kept members of young ones). The inverted index is not stored but rebuilt on load
by entering the stories in the order they were last refreshed, which reproduces it exactly as long as
no term's posting list overflowed (``ClusterSettings.posting_limit``); past that, a story dropped from a
long posting list earlier may come back in it, which only widens the candidate search.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

import numpy as np

from storyline.cluster.stories import (
    ClusterChanges,
    StoryClusterer,
    _Member,
    _Story,
    cluster_item,
    lead,
    stream_order,
)
from storyline.cluster.vectors import Embedder, shared_embedder
from storyline.model import Article, Story
from storyline.settings import ClusterSettings
from storyline.store import StoryChanges, StoryRecord, StoryState

_FLOAT = np.dtype("<f4")  # embedding sums are stored as little-endian float32 (what the embedder returns)
_WEIGHT = np.dtype("<f8")  # counts and vector weights: float64 holds both exactly


class StoryTracker:
    """Assigns stored articles to persistent stories (implements :class:`storyline.store.StoryAssigner`).

    Load it once (``api.open_stories`` or :meth:`load`) and keep it while articles arrive, as a long-running
    service would; the store reloads it when another process wrote stories since.
    """

    def __init__(self, settings: ClusterSettings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or ClusterSettings()
        self.embedder = embedder
        self.version: int | None = None
        self.clusterer = self._empty()
        self._embeddings: dict[str, np.ndarray] = {}  # computed ahead of a batch's transaction (prepare)

    @property
    def embeds(self) -> bool:
        """Whether articles' leads are embedded (settings allow it)."""
        return self.settings.use_embeddings and self.settings.embedding_weight > 0

    def _empty(self) -> StoryClusterer:
        clusterer = StoryClusterer(self.settings)
        clusterer.changes = ClusterChanges()
        return clusterer

    # ------------------------------------------------------------------ StoryAssigner

    def load(self, state: StoryState) -> None:
        """Replace the in-memory state with the stored one."""
        clusterer = self._empty()
        meta = state.meta
        clusterer.term_df.documents = int(meta.get("term_documents", 0))
        clusterer.name_df.documents = int(meta.get("name_documents", 0))
        clusterer.term_df.counts = Counter(state.df.get("term", {}))
        clusterer.name_df.counts = Counter(state.df.get("name", {}))
        clusterer.seq = int(meta.get("seq", 0))
        for row, weights, embedding in state.stories:
            story = _story_from_state(row, weights, embedding)
            clusterer.stories[story.id] = story
        clusterer.rebuild_index()
        self.clusterer = clusterer
        self.version = state.version

    def assign(self, articles: list[Article]) -> StoryChanges:
        """Assign each article (stream order: publication day, undated last) and return the changes."""
        ordered = sorted(articles, key=stream_order)
        missing = [a for a in ordered if a.id not in self._embeddings]
        if self.embeds and missing:
            self.prepare(missing)
        for article in ordered:
            self.clusterer.add(cluster_item(article, embedding=self._embeddings.pop(article.id, None)))
        return self._take_changes()

    def invalidate(self) -> None:
        """Forget that the in-memory state matches the store (it is reloaded before the next use)."""
        self.version = None

    # ------------------------------------------------------------------ helpers

    def prepare(self, articles: Iterable[Article]) -> None:
        """Embed the leads of articles about to be assigned, outside the store's write transaction."""
        todo = [a for a in articles if a.id not in self._embeddings]
        if not self.embeds or not todo:
            return
        self.embedder = self.embedder or shared_embedder()
        leads = [lead(a.title or "", a.text, self.settings.lead_chars) for a in todo]
        self._embeddings.update(zip((a.id for a in todo), self.embedder.encode(leads), strict=True))

    def _take_changes(self) -> StoryChanges:
        clusterer = self.clusterer
        changes = clusterer.changes or ClusterChanges()
        version = (self.version or 0) + 1
        records = []
        for sid in sorted(changes.touched):
            story = clusterer.stories.get(sid)
            if story is None:
                continue  # merged away within this step
            records.append(_record(story))
            story.article_ids.clear()  # members live in the store; memory stays bounded per story
        meta = {
            "term_documents": clusterer.term_df.documents,
            "name_documents": clusterer.name_df.documents,
            "seq": clusterer.seq,
            "version": version,
        }
        df = {
            "term": {t: clusterer.term_df.counts[t] for t in changes.terms},
            "name": {t: clusterer.name_df.counts[t] for t in changes.names},
        }
        clusterer.changes = ClusterChanges()
        clusterer.assignment.clear()  # the store keeps article -> story
        self.version = version
        return StoryChanges(meta=meta, df=df, stories=records, removed=sorted(changes.removed), events=changes.events)


def _record(story: _Story) -> StoryRecord:
    public = Story(
        id=story.id,
        title=story.title,
        article_ids=[],
        outlets=[o for o, _ in story.outlets.most_common()],
        first=story.first.isoformat() if story.first else None,
        last=story.last.isoformat() if story.last else None,
    )
    term_keys, term_arrays = _encode(story.terms, story.term_vec)
    name_keys, name_arrays = _encode(story.names, story.name_vec)
    state = {
        "id": story.id,
        "title": story.title,
        "size": story.size,
        "seq": story.seq,
        "first": public.first,
        "last": public.last,
        "outlets": dict(story.outlets),
        "terms": term_keys,
        "term_vec": len(story.term_vec),
        "names": name_keys,
        "name_vec": len(story.name_vec),
        "members": None if story.members is None else [_member_row(m) for m in story.members],
    }
    weights = np.concatenate(term_arrays + name_arrays).astype(_WEIGHT).tobytes()
    embedding = None
    if story.embedding_sum is not None:  # the sum, then the embeddings of the kept members that have one
        vectors = [story.embedding_sum] + [m.embedding for m in story.members or [] if m.embedding is not None]
        embedding = np.concatenate(vectors).astype(_FLOAT).tobytes()
    return StoryRecord(story=public, seq=story.seq, state=state, weights=weights, embedding=embedding)


def _member_row(member: _Member) -> dict:
    return {
        "id": member.id,
        "title": member.title,
        "outlet": member.outlet,
        "published": member.published.isoformat() if member.published else None,
        "terms": dict(member.terms),
        "names": dict(member.names),
        "embedded": member.embedding is not None,
    }


def _members_from_state(rows: list[dict] | None, vectors: np.ndarray | None) -> list[_Member] | None:
    """A story's kept members (None: an established story, or one saved before members were kept)."""
    if rows is None:
        return None
    members, at = [], 0
    for row in rows:
        embedding = None
        if row["embedded"] and vectors is not None:
            embedding, at = vectors[at], at + 1
        members.append(_Member(
            id=row["id"], title=row["title"], terms=Counter(row["terms"]), names=Counter(row["names"]),
            embedding=embedding, outlet=row["outlet"],
            published=date.fromisoformat(row["published"]) if row["published"] else None,
        ))
    return members


def _encode(counts: Counter[str], vec: dict[str, float]) -> tuple[list[str], list[np.ndarray]]:
    """Keys (the counts' order) and three aligned arrays: counts, the vector's key positions and weights.

    Both orders are kept: they decide ties in truncation and the order of floating-point sums, so the
    reloaded story scores exactly like the saved one.
    """
    keys = list(counts) + [k for k in vec if k not in counts]
    position = {k: i for i, k in enumerate(keys)}
    return keys, [
        np.array([counts.get(k, np.nan) for k in keys], dtype=_WEIGHT),
        np.array([position[k] for k in vec], dtype=_WEIGHT),
        np.array(list(vec.values()), dtype=_WEIGHT),
    ]


def _decode(keys: list[str], n_vec: int, arrays: np.ndarray, at: int) -> tuple[Counter[str], dict[str, float], int]:
    """Inverse of :func:`_encode`, reading from ``arrays`` at offset ``at``; returns the next offset."""
    n = len(keys)
    counts = arrays[at : at + n]
    known = ~np.isnan(counts)  # NaN: a key only in the vector
    counter = Counter(dict(zip(np.asarray(keys)[known].tolist() if not known.all() else keys,
                               counts[known].astype(np.int64).tolist(), strict=True)))
    positions = arrays[at + n : at + n + n_vec].astype(np.int64).tolist()
    weights = arrays[at + n + n_vec : at + n + 2 * n_vec].tolist()
    return counter, dict(zip([keys[i] for i in positions], weights, strict=True)), at + n + 2 * n_vec


def _story_from_state(row: dict, weights: bytes, embedding: bytes | None) -> _Story:
    arrays = np.frombuffer(weights, dtype=_WEIGHT)
    terms, term_vec, at = _decode(row["terms"], row["term_vec"], arrays, 0)
    names, name_vec, _ = _decode(row["names"], row["name_vec"], arrays, at)
    vectors = None if embedding is None else np.frombuffer(embedding, dtype=_FLOAT).astype(np.float32)
    if vectors is not None:  # the sum, then one row per kept member with an embedding
        vectors = vectors.reshape(1 + sum(m["embedded"] for m in row.get("members") or []), -1)
    return _Story(
        id=row["id"],
        title=row["title"],
        outlets=Counter(row["outlets"]),
        terms=terms,
        names=names,
        embedding_sum=None if vectors is None else vectors[0].copy(),
        first=date.fromisoformat(row["first"]) if row["first"] else None,
        last=date.fromisoformat(row["last"]) if row["last"] else None,
        term_vec=term_vec,
        name_vec=name_vec,
        size=int(row["size"]),
        seq=int(row["seq"]),
        members=_members_from_state(row.get("members"), None if vectors is None else vectors[1:]),
    )
