"""Online story clustering: each arriving article joins the most similar live story or starts one.

Similarity blends three signals (weights in :class:`ClusterSettings`): distinctive words (TF-IDF
with online document frequencies), shared names (canonical entities and places from annotation when
given, else the words of capitalised runs; years and figures), and the cosine of lead embeddings. An
article and a story that both mention years but none in common score lower (two instances of one kind
of event). Stories fade as days pass between an article and the story's last article. Candidate
stories come from an inverted index over each story's heaviest terms, so each article is compared
with a bounded number of stories, never all pairs. When an article is close to two stories, they
merge (the bridging article). Young stories are revised: a story of at most ``split_members`` articles
keeps its members and splits in two when they form two groups that mention different years and score
low against each other, and a single-article story joins a story that has grown to fit it.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from storyline.cluster.vectors import (
    DocumentFrequencies,
    Embedder,
    anchors,
    cosine,
    shared_embedder,
    tokens,
    top_terms,
    weigh,
)
from storyline.model import Annotations, Article, Story
from storyline.settings import ClusterSettings


@dataclass
class ClusterItem:
    """What the clusterer needs of one article."""

    id: str
    title: str
    text: str
    published: date | None = None
    outlet: str | None = None
    entities: Sequence[str] | None = None  # canonical entity / place names, when annotated
    embedding: np.ndarray | None = None  # unit-length lead embedding, when computed


@dataclass
class _Member:
    """What a young story keeps of each member, so that it can split (see ``StoryClusterer._split``)."""

    id: str
    title: str
    terms: Counter[str]
    names: Counter[str]
    embedding: np.ndarray | None = None
    outlet: str | None = None
    published: date | None = None


@dataclass
class _Story:
    id: str
    title: str
    article_ids: list[str] = field(default_factory=list)
    outlets: Counter[str] = field(default_factory=Counter)
    terms: Counter[str] = field(default_factory=Counter)
    names: Counter[str] = field(default_factory=Counter)
    embedding_sum: np.ndarray | None = None
    first: date | None = None
    last: date | None = None
    term_vec: dict[str, float] = field(default_factory=dict)
    name_vec: dict[str, float] = field(default_factory=dict)
    # Articles in the story; ``article_ids`` holds only those added since the state was loaded (cluster/state.py).
    size: int = 0
    # When the story's vectors were last refreshed: the inverted index is rebuilt in this order on load.
    seq: int = 0
    # Every member, in order, while the story holds at most ``split_members`` articles; None after that.
    members: list[_Member] | None = field(default_factory=list)


@dataclass
class ClusterChanges:
    """What a clusterer changed since its state was last saved (cluster/state.py writes it to the store)."""

    # In order: ("assign", article id, story id, position in the story), ("merge", merged story id, kept story
    # id, position offset of the merged story's articles in the kept one), ("move", article id, story id, new
    # position): a split story's members, renumbered in the story they stay in or go to.
    events: list[tuple[str, str, str, int]] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # stories created or refreshed
    removed: set[str] = field(default_factory=set)  # stories merged into another
    terms: set[str] = field(default_factory=set)  # terms whose document frequency changed
    names: set[str] = field(default_factory=set)


def lead(title: str, text: str, max_chars: int) -> str:
    """The title and the start of the text: what an embedding of an article should see."""
    return (title + ". " + text)[:max_chars] if title else text[:max_chars]


class StoryClusterer:
    """Assigns articles to stories one at a time; state is bounded per story."""

    def __init__(self, settings: ClusterSettings | None = None) -> None:
        self.settings = settings or ClusterSettings()
        self.term_df = DocumentFrequencies(self.settings.prior_documents)
        self.name_df = DocumentFrequencies(self.settings.prior_documents)
        self.stories: dict[str, _Story] = {}
        self.assignment: dict[str, str] = {}  # article id -> story id (of the articles added since loading)
        self.seq = 0  # refresh counter (orders the inverted index)
        self.changes: ClusterChanges | None = None  # recorded only when set (a persistent clusterer)
        # term -> {story id: weight of the term in the story}, most recently updated last.
        self._postings: dict[str, OrderedDict[str, float]] = {}

    # ------------------------------------------------------------------ public

    def add(self, item: ClusterItem) -> str:
        """Assign one article to a story (new or existing) and return the story id."""
        if item.id in self.assignment:
            return self.assignment[item.id]
        s = self.settings
        item_terms = Counter(tokens(item.title) * s.title_repeat + tokens(item.text))
        item_names = Counter(anchors(item.text, item.entities))
        self.term_df.add(item_terms)
        self.name_df.add(item_names)
        if self.changes is not None:
            self.changes.terms.update(item_terms)
            self.changes.names.update(item_names)
        term_vec = weigh(item_terms, self.term_df)
        name_vec = weigh(item_names, self.name_df) if item_names else {}

        scored = sorted(
            ((self._similarity(term_vec, name_vec, item, story), sid) for sid, story in self._candidates(term_vec)),
            reverse=True,
        )
        if scored and scored[0][0] >= s.join_threshold:
            story = self.stories[scored[0][1]]
            for score, sid in scored[1:]:
                if score >= s.merge_threshold and sid in self.stories:
                    story = self._merge(story, self.stories[sid])
        else:
            story = _Story(id=_story_id(item.id), title=_title(item, s.lead_chars))
            self.stories[story.id] = story
        self._attach(story, item, item_terms, item_names)
        if story.members is not None and len(story.members) >= 3:
            self._split(story)
        self._absorb(self.stories[self.assignment[item.id]], [sid for _, sid in scored])
        return self.assignment[item.id]

    def story_list(self) -> list[Story]:
        """All stories as model objects, largest first."""
        out = []
        for st in self.stories.values():
            out.append(
                Story(
                    id=st.id,
                    title=st.title,
                    article_ids=list(st.article_ids),
                    outlets=[o for o, _ in st.outlets.most_common()],
                    first=st.first.isoformat() if st.first else None,
                    last=st.last.isoformat() if st.last else None,
                )
            )
        return sorted(out, key=lambda x: (-len(x.article_ids), x.id))

    # ------------------------------------------------------------------ internals

    def _candidates(self, term_vec: dict[str, float]) -> list[tuple[str, _Story]]:
        """Stories sharing heavy terms with the article, best partial dot products first."""
        s = self.settings
        partial: Counter[str] = Counter()
        for term, weight in sorted(term_vec.items(), key=lambda kv: -kv[1])[: s.query_terms]:
            for sid, story_weight in self._postings.get(term, {}).items():
                partial[sid] += weight * story_weight
        return [(sid, self.stories[sid]) for sid, _ in partial.most_common(s.max_candidates) if sid in self.stories]

    def _similarity(
        self, term_vec: dict[str, float], name_vec: dict[str, float], item: ClusterItem, story: _Story
    ) -> float:
        embedding = None
        if item.embedding is not None and story.embedding_sum is not None:
            norm = float(np.linalg.norm(story.embedding_sum)) or 1.0
            embedding = float(item.embedding @ story.embedding_sum) / norm
        score = self._blend(cosine(term_vec, story.term_vec), cosine(name_vec, story.name_vec)
                            if name_vec and story.name_vec else None, embedding)
        return score * self._decay(item.published, story) * self._year_conflict(name_vec, story.names)

    def _blend(self, terms: float, names: float | None, embedding: float | None) -> float:
        """The weighted mean of the signals present (``None``: a side has no names, or no embedding)."""
        s = self.settings
        score, weights = s.term_weight * terms, s.term_weight
        if names is not None:
            score += s.name_weight * names
            weights += s.name_weight
        if embedding is not None:
            # Any two news leads sit around 0.4-0.5 in MiniLM space: only the excess over the floor is evidence.
            score += s.embedding_weight * max(0.0, (embedding - s.embedding_floor) / (1.0 - s.embedding_floor))
            weights += s.embedding_weight
        return score / weights

    def _year_conflict(self, name_vec: dict[str, float], names: Counter[str] | dict[str, float]) -> float:
        """``year_conflict_factor`` when the article and the story (``names``) both name years but none in common.

        Two instances of one kind of event (two quakes in a region, two emergency patches) share their
        words and names; the years they mention, the filing year in a dateline among them, often differ.
        """
        years = [key for key in name_vec if key.startswith("year:")]
        if not years or any(key in names for key in years):
            return 1.0
        story_has_years = any(key.startswith("year:") for key in names)
        return self.settings.year_conflict_factor if story_has_years else 1.0

    def _absorb(self, story: _Story, candidates: list[str]) -> None:
        """Merge into ``story`` the single-article stories among ``candidates`` whose article now fits it.

        An article that arrived before its story had taken shape started a story of its own; once the
        story has grown (an article was just attached to it), that article is scored against it again as
        if it arrived now, and joins at ``absorb_threshold``. A single-article story is its article (its
        vectors, its embedding, its date), so this needs no state of its own.
        """
        for sid in candidates:
            other = self.stories.get(sid)
            if other is None or other is story or other.size != 1:
                continue
            embedding = None
            if other.embedding_sum is not None and story.embedding_sum is not None:
                embedding = float(other.embedding_sum @ story.embedding_sum) / (
                    float(np.linalg.norm(story.embedding_sum)) or 1.0
                )
            names = cosine(other.name_vec, story.name_vec) if other.name_vec and story.name_vec else None
            score = self._blend(cosine(other.term_vec, story.term_vec), names, embedding)
            score *= self._year_conflict(other.name_vec, story.names) * self._decay(other.last, story)
            if score >= self.settings.absorb_threshold:
                story = self._merge(story, other)

    def _decay(self, when: date | None, story: _Story) -> float:
        """1 within the grace period of the story's span, then exponential fading with the gap in days."""
        if when is None or story.first is None or story.last is None:
            return 1.0
        gap = max((story.first - when).days, (when - story.last).days, 0)
        s = self.settings
        return 1.0 if gap <= s.grace_days else math.exp(-(gap - s.grace_days) / s.half_life_days)

    def _attach(self, story: _Story, item: ClusterItem, terms: Counter[str], item_names: Counter[str]) -> None:
        if self.changes is not None:
            self.changes.events.append(("assign", item.id, story.id, story.size))
        story.article_ids.append(item.id)
        story.size += 1
        self.assignment[item.id] = story.id
        if item.outlet:
            story.outlets[item.outlet] += 1
        story.terms.update(terms)
        story.names.update(item_names)
        if item.embedding is not None:
            story.embedding_sum = _add(story.embedding_sum, item.embedding)
        if item.published:
            story.first = min(story.first or item.published, item.published)
            story.last = max(story.last or item.published, item.published)
        if story.members is not None:
            if story.size <= self.settings.split_members:
                story.members.append(_Member(item.id, _title(item, self.settings.lead_chars), terms, item_names,
                                             item.embedding, item.outlet, item.published))
            else:
                story.members = None  # an established story: its members are no longer kept
        self._refresh(story)

    def _split(self, story: _Story) -> None:
        """Split a young story in two when its members form two groups that do not belong together.

        The second article of an event is often compared with a single article, where the evidence is
        weakest; when it is the first report of a sibling event (another quake, another title fight), it
        joins, and the mixed story then draws in both events. While a story is young its members are kept:
        they are grouped in two by average linkage on the pairwise similarity (the blend an article and a
        story are scored with), and when the years most of each group's members mention differ (two instances
        of one kind of event) and the mean similarity across the groups is below ``split_threshold``, the group
        without the story's first article becomes a story of its own. Similarity alone does not decide:
        on ECB+ the groups of one story's members were as far apart as those of two sibling stories.
        """
        members = story.members
        assert members is not None
        dated = [{k for k in m.names if k.startswith("year:")} for m in members]
        dated = [years for years in dated if years]
        if len(dated) < 2 or set.intersection(*dated):
            return  # a year every dated member mentions is the dominant year of any group: no conflict possible
        n = len(members)
        vectors = [(weigh(m.terms, self.term_df), weigh(m.names, self.name_df) if m.names else {}) for m in members]
        sim = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                (ti, ni), (tj, nj) = vectors[i], vectors[j]
                ei, ej = members[i].embedding, members[j].embedding
                score = self._blend(cosine(ti, tj), cosine(ni, nj) if ni and nj else None,
                                    float(ei @ ej) if ei is not None and ej is not None else None)
                sim[i, j] = sim[j, i] = score * self._year_conflict(ni, nj)
        groups = [[i] for i in range(n)]
        while len(groups) > 2:
            best = max(((a, b) for a in range(len(groups)) for b in range(a + 1, len(groups))),
                       key=lambda ab: sim[np.ix_(groups[ab[0]], groups[ab[1]])].mean())
            groups[best[0]] += groups.pop(best[1])
        years = [_dominant_years([members[i] for i in group]) for group in groups]
        if not (years[0] and years[1]) or years[0] & years[1]:
            return  # no conflict: a story's members can differ in what they stress and still be one story
        if sim[np.ix_(groups[0], groups[1])].mean() >= self.settings.split_threshold:
            return
        stay, leave = sorted(groups, key=min)
        new = _Story(id=_story_id(members[min(leave)].id, self.seq), title=members[min(leave)].title)
        self.stories[new.id] = new
        for target, group in ((story, sorted(stay)), (new, sorted(leave))):
            self._rebuild(target, [members[i] for i in group])

    def _rebuild(self, story: _Story, members: list[_Member]) -> None:
        """Make ``story`` hold exactly ``members`` (one half of a split), renumbered in their order."""
        story.members = members
        story.size = len(members)
        story.outlets = Counter(m.outlet for m in members if m.outlet)
        story.terms, story.names = Counter(), Counter()
        story.embedding_sum = None
        story.first = story.last = None
        for position, m in enumerate(members):
            story.terms.update(m.terms)
            story.names.update(m.names)
            if m.embedding is not None:
                story.embedding_sum = _add(story.embedding_sum, m.embedding)
            if m.published:
                story.first = min(story.first or m.published, m.published)
                story.last = max(story.last or m.published, m.published)
            self.assignment[m.id] = story.id
            if self.changes is not None:
                self.changes.events.append(("move", m.id, story.id, position))
        ids = {m.id for m in members}
        story.article_ids = [aid for aid in dict.fromkeys(story.article_ids + [m.id for m in members]) if aid in ids]
        self._refresh(story)

    def _refresh(self, story: _Story) -> None:
        """Truncate the story's counts, recompute its vectors and re-index its heavy terms."""
        s = self.settings
        if len(story.terms) > s.story_terms * 2:
            story.terms = Counter(dict(story.terms.most_common(s.story_terms)))
        if len(story.names) > s.story_terms:
            story.names = Counter(dict(story.names.most_common(s.story_terms // 2)))
        for term in story.term_vec:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(story.id, None)
        story.term_vec = top_terms(weigh(story.terms, self.term_df), s.story_terms)
        story.name_vec = weigh(story.names, self.name_df) if story.names else {}
        self.seq += 1
        story.seq = self.seq
        if self.changes is not None:
            self.changes.touched.add(story.id)
        for term, weight in story.term_vec.items():
            posting = self._postings.setdefault(term, OrderedDict())
            posting[story.id] = weight
            if len(posting) > s.posting_limit:
                posting.popitem(last=False)  # forget the story least recently updated on this term

    def rebuild_index(self) -> None:
        """The inverted index from the stories' vectors, entered in refresh order (after loading a state)."""
        entries: dict[str, list[tuple[str, float]]] = {}
        for story in sorted(self.stories.values(), key=lambda st: st.seq):
            for term, weight in story.term_vec.items():
                entries.setdefault(term, []).append((story.id, weight))
        limit = self.settings.posting_limit
        self._postings = {term: OrderedDict(found[-limit:]) for term, found in entries.items()}

    def _merge(self, keep: _Story, other: _Story) -> _Story:
        """Fold ``other`` into ``keep`` (the bridging article joins the merged story)."""
        if other.size > keep.size:
            keep, other = other, keep
        if self.changes is not None:
            self.changes.events.append(("merge", other.id, keep.id, keep.size))
            self.changes.removed.add(other.id)
        for aid in other.article_ids:
            self.assignment[aid] = keep.id
        keep.article_ids.extend(other.article_ids)
        keep.size += other.size
        keep.outlets.update(other.outlets)
        keep.terms.update(other.terms)
        keep.names.update(other.names)
        if other.embedding_sum is not None:
            keep.embedding_sum = _add(keep.embedding_sum, other.embedding_sum)
        fits = keep.members is not None and other.members is not None and keep.size <= self.settings.split_members
        keep.members = keep.members + other.members if fits else None  # type: ignore[operator]
        for d in (other.first, other.last):
            if d:
                keep.first = min(keep.first or d, d)
                keep.last = max(keep.last or d, d)
        for term in other.term_vec:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(other.id, None)
        del self.stories[other.id]
        self._refresh(keep)
        return keep


def _first_sentence(text: str, max_chars: int) -> str:
    """A stand-in title for an untitled article: its first sentence (or first paragraph, when that is a
    line without a full stop, like a headline), cut at a word."""
    sentence = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0]
    return sentence if len(sentence) <= max_chars else sentence[:max_chars].rsplit(" ", 1)[0] + "…"


def _dominant_years(members: list[_Member]) -> set[str]:
    """The years mentioned by the most members (``year:…`` anchors; ties all count, none: empty).

    The year of the event, not every year a member recalls: two reports of one event can both look back to
    different earlier years, and the union of a group's years would overlap the other group's by chance.
    """
    counts = Counter(key for m in members for key in set(m.names) if key.startswith("year:"))
    top = max(counts.values(), default=0)
    return {key for key, n in counts.items() if n == top}


def _title(item: ClusterItem, max_chars: int) -> str:
    return item.title or _first_sentence(item.text, max_chars)


def _add(total: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    return vector.copy() if total is None else total + vector


def _story_id(first_article_id: str, split_at: int | None = None) -> str:
    """A story's id, from its first article (and, for the half split off a story, the refresh counter then)."""
    key = first_article_id if split_at is None else f"{first_article_id}/split/{split_at}"
    return "s" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _day(article: Article) -> date | None:
    """The article's publication day when known (an inferred window is too wide to place it)."""
    if not article.published or article.published_source == "inferred":
        return None
    try:
        return datetime.fromisoformat(article.published).date()
    except ValueError:
        return None


def stream_order(article: Article) -> tuple[bool, date, str]:
    """Sort key of articles fed as a stream would bring them: publication day, undated last, then id."""
    day = _day(article)
    return (day is None, day or date.min, article.id)


def cluster_item(
    article: Article, entities: Sequence[str] | None = None, embedding: np.ndarray | None = None
) -> ClusterItem:
    """What the clusterer needs of a stored article."""
    return ClusterItem(
        id=article.id,
        title=article.title or "",
        text=article.text,
        published=_day(article),
        outlet=article.outlet,
        entities=entities,
        embedding=embedding,
    )


def cluster_articles(
    articles: Sequence[Article],
    annotations: dict[str, Annotations] | None = None,
    settings: ClusterSettings | None = None,
    embedder: Embedder | None = None,
) -> list[Story]:
    """Stories of ``articles`` fed in publication order (undated last), as a stream would bring them.

    Annotated articles are matched on their canonical entities; others on capitalised names.
    """
    settings = settings or ClusterSettings()
    annotations = annotations or {}
    ordered = sorted(articles, key=stream_order)
    embeddings = None
    if settings.use_embeddings and settings.embedding_weight > 0 and ordered:
        leads = [lead(a.title or "", a.text, settings.lead_chars) for a in ordered]
        embeddings = (embedder or shared_embedder()).encode(leads)
    clusterer = StoryClusterer(settings)
    for i, article in enumerate(ordered):
        found = annotations.get(article.id)
        entities = [e.id for e in found.entities] if found and found.entities else None
        clusterer.add(cluster_item(article, entities, None if embeddings is None else embeddings[i]))
    return clusterer.story_list()
