"""The story's timeline, and the dating machinery shared with figures and discrepancies.

Dating. Each article's time expressions are resolved against its publication date. An article without a
usable date (none, or an inferred window wider than ``FigureSettings.max_window_days``) is anchored on its
story instead: the candidate days around the story's dated articles are tried, and the one that puts the
article's bare weekdays ("on Sunday", "last Thursday") closest before it wins. News names weekdays only for
the past week and reports the most recent events, so an article is published soon after the last weekday
it names. Every value resolved that way is marked uncertain.

Timeline. Each resolved day (and each named month or week that does not contain the anchor) dates the clause
it stands in; the same clause from several articles (same date, similar wording) is one event.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from statistics import median_low

import numpy as np

from storyline.annotate.times import WEEKDAYS, extract_times, parse_published
from storyline.cluster.sentences import sentence_spans
from storyline.cluster.vectors import Embedder, shared_embedder
from storyline.model import Annotations, Article, Citation, TimelineEvent, TimeRef
from storyline.settings import FigureSettings

# Clause boundaries inside a sentence: commas, semicolons, dashes and colons.
# A comma or colon between digits belongs to a number ("6,000", "10:45").
_CLAUSE_BREAK = re.compile(r"\s*(?:,(?!\d)|(?<!\d),|:(?!\d)|;|\s[-–—]\s|[–—])\s*")
_TAG = re.compile(r"<[^>]+>")
_WEEKDAY = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
# A sentence opening on a third-person pronoun subject continues the one before ("He added that ...").
_CONTINUATION = re.compile(r"^\W*(?:he|she|they|it)\s+\w+", re.IGNORECASE)


@dataclass
class Anchor:
    """The day an article's relative expressions are resolved against."""

    day: date | None
    source: str  # "published", "window" (end of a narrow inferred window), "story" (estimated), "none"

    @property
    def uncertain(self) -> bool:
        """True when the day is not the article's own known publication date."""
        return self.source != "published"


@dataclass
class Dated:
    """A resolved time expression with the sentence and clause it stands in."""

    article_id: str
    ref: TimeRef
    day: str  # ISO day (or month/week value for coarser references)
    granularity: str
    sentence: tuple[int, int]
    clause: tuple[int, int]
    uncertain: bool


# --------------------------------------------------------------------------- anchors


def _own_anchor(article: Article, settings: FigureSettings) -> Anchor:
    if article.published and article.published_source != "inferred":
        day = parse_published(article.published)
        if day is not None:
            return Anchor(day.date() if isinstance(day, datetime) else day, "published")
    window = article.published_window
    if window is not None:
        lo, hi = parse_published(window.earliest), parse_published(window.latest)
        if lo is not None and hi is not None and (hi - lo).days <= settings.max_window_days:
            return Anchor(hi.date() if isinstance(hi, datetime) else hi, "window")
    return Anchor(None, "none")


def _weekday_age(text: str, day: date) -> float:
    """Total days between ``day`` and the weekdays the text names, resolved against ``day``."""
    total = 0.0
    for ref in extract_times(text, day.isoformat()):
        if ref.granularity == "day" and ref.value and _WEEKDAY.search(ref.text):
            total += abs((day - date.fromisoformat(ref.value[:10])).days)
    return total


def story_anchors(articles: Sequence[Article], settings: FigureSettings | None = None) -> dict[str, Anchor]:
    """The anchor day of each article: its own date, else an estimate from the story's dated articles."""
    settings = settings or FigureSettings()
    anchors = {a.id: _own_anchor(a, settings) for a in articles}
    known = sorted(a.day for a in anchors.values() if a.day is not None)
    if not known:
        return anchors
    centre = median_low(known)
    slack = timedelta(days=settings.anchor_slack_days)
    candidates = [known[0] - slack + timedelta(days=i) for i in range((known[-1] - known[0] + 2 * slack).days + 1)]
    for article in articles:
        if anchors[article.id].day is not None:
            continue
        if not _WEEKDAY.search(article.text):
            anchors[article.id] = Anchor(centre, "story")
            continue
        best = min(candidates, key=lambda d: (_weekday_age(article.text, d), abs((d - centre).days), d))
        anchors[article.id] = Anchor(best, "story")
    return anchors


def article_times(article: Article, annotations: Annotations | None, anchor: Anchor) -> list[TimeRef]:
    """The article's time expressions, re-resolved against ``anchor`` when it is not the annotated date."""
    if anchor.source == "published" and annotations is not None:
        return annotations.times
    if anchor.day is None:
        return annotations.times if annotations is not None else []
    return extract_times(article.text, anchor.day.isoformat(), uncertain=True)


# --------------------------------------------------------------------------- sentences and clauses


@lru_cache(maxsize=256)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans(text))


def sentence_of(text: str, pos: int) -> tuple[int, int]:
    """The span of the sentence containing character ``pos``."""
    for start, end in _sentences(text):
        if start <= pos < end:
            return start, end
    return pos, pos


def previous_sentence(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The sentence before ``span`` when ``span`` opens on a pronoun subject (news paragraphs are often one
    sentence, so the one before may stand in the paragraph before)."""
    if not _CONTINUATION.match(text[span[0]:span[1]]):
        return None
    spans = _sentences(text)
    for i, s in enumerate(spans):
        if s == span and i:
            return spans[i - 1]
    return None


def clause_of(text: str, sentence: tuple[int, int], pos: int, min_words: int = 0) -> tuple[int, int]:
    """The clause of ``sentence`` around ``pos``, widened over neighbours until it has ``min_words`` words."""
    start, end = sentence
    cuts = [start] + [start + m.end() for m in _CLAUSE_BREAK.finditer(text[start:end])] + [end]
    pieces = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1) if cuts[i] < cuts[i + 1]]
    i = next((k for k, (a, b) in enumerate(pieces) if a <= pos < b), len(pieces) - 1)
    lo = hi = i
    while len(_WORD.findall(text[pieces[lo][0]:pieces[hi][1]])) < min_words and (lo > 0 or hi < len(pieces) - 1):
        if hi < len(pieces) - 1:
            hi += 1
        else:
            lo -= 1
    a, b = pieces[lo][0], pieces[hi][1]
    piece = text[a:b]
    a += len(piece) - len(piece.lstrip())
    b -= len(piece) - len(piece.rstrip(" ,;:-–—"))
    return a, b


def clauses(text: str, min_words: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Every clause of ``text`` (widened to ``min_words``) with the sentence it stands in."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for sent in _sentences(text):
        pos = sent[0]
        while pos < sent[1]:
            clause = clause_of(text, sent, pos, min_words)
            out.setdefault(clause, sent)
            pos = max(clause[1] + 1, pos + 1)
    return sorted(out.items())


def plain(text: str) -> str:
    """Text with leftover markup tags removed and spaces collapsed, for display and comparison."""
    return " ".join(_TAG.sub("", text).split())


def citation(article: Article, span: tuple[int, int]) -> Citation:
    """A citation of ``article.text[span]``."""
    return Citation(article.id, span[0], span[1], article.text[span[0]:span[1]], article.outlet)


# --------------------------------------------------------------------------- dated expressions


def day_of(ref: TimeRef, anchor: Anchor) -> tuple[str, str] | None:
    """The (value, granularity) a reference dates: a day, or a week/month/year; None for durations and vague ones.

    "now"/"today" are the anchor day; a period ("since the beginning of September") is its end.
    """
    if ref.value == "PRESENT_REF" and anchor.day is not None:
        return anchor.day.isoformat(), "day"
    if ref.granularity == "period" and ref.end_value and re.fullmatch(r"\d{4}-\d\d-\d\d", ref.end_value[:10]):
        return ref.end_value[:10], "day"
    if ref.granularity in ("day", "time") and ref.value:
        return ref.value[:10], "day"
    if ref.granularity in ("week", "month") and ref.value:
        return ref.value, ref.granularity
    if ref.granularity == "year" and ref.value and re.fullmatch(r"\d{4}", ref.value):
        return ref.value, "year"
    return None


def contains_anchor(value: str, granularity: str, anchor: Anchor) -> bool:
    """Whether a week, month or year value contains the anchor day ("earlier this month")."""
    if anchor.day is None:
        return False
    if granularity == "year":
        return value == anchor.day.isoformat()[:4]
    if granularity == "month":
        return value == anchor.day.isoformat()[:7]
    if granularity == "week":
        iso = anchor.day.isocalendar()
        return value[:8] == f"{iso.year:04d}-W{iso.week:02d}"
    return False


def dated_refs(
    articles: Sequence[Article], annotations: dict[str, Annotations], settings: FigureSettings | None = None
) -> tuple[dict[str, Anchor], dict[str, list[Dated]]]:
    """Anchors and every dated expression of each article, in text order."""
    settings = settings or FigureSettings()
    anchors = story_anchors(articles, settings)
    out: dict[str, list[Dated]] = {}
    for article in articles:
        anchor = anchors[article.id]
        found = []
        for ref in article_times(article, annotations.get(article.id), anchor):
            dated = day_of(ref, anchor)
            if dated is None:
                continue
            sent = sentence_of(article.text, ref.start)
            clause = clause_of(article.text, sent, ref.start, settings.event_min_words)
            found.append(Dated(article.id, ref, dated[0], dated[1], sent, clause, ref.uncertain or anchor.uncertain))
        # A bare part of the day ("his evening address on Saturday") is resolved to the anchor day by the
        # annotator; the sentence's named day says which day it is.
        out[article.id] = [d for d in found if not (_bare_part_of_day(d) and any(
            o is not d and o.sentence == d.sentence and not _bare_part_of_day(o) for o in found))]
    return anchors, out


def _bare_part_of_day(d: Dated) -> bool:
    return d.ref.granularity == "time" and not re.search(r"\d", d.ref.text) and not _WEEKDAY.search(d.ref.text)


# --------------------------------------------------------------------------- the timeline


def event_text(text: str, refs: Sequence[TimeRef] = ()) -> str:
    """The clause without its time expressions: what two datings of one event are compared on."""
    spans = sorted((r.start, r.end) for r in refs) or [(s.start, s.end) for s in extract_times(text, None)]
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        pos = max(pos, end)
    out.append(text[pos:])
    return plain(" ".join(out))


def _source_key(article: Article) -> str:
    return article.outlet or article.id


def build_timeline(
    articles: Sequence[Article],
    annotations: dict[str, Annotations],
    settings: FigureSettings | None = None,
    embedder: Embedder | None = None,
) -> list[TimelineEvent]:
    """Dated events of the story, sorted by date; one event per clause, merged across articles.

    An event's text is the clause its time expression dates; its citations are the sentences. Expressions
    that only bound a period ("since ..."), years, "now"/"today", and months or weeks containing the anchor
    ("earlier this month") are not events. Clauses of two articles with the same date merge when their wording (time
    expressions left out) has an embedding cosine of at least ``FigureSettings.merge_similarity``.
    """
    settings = settings or FigureSettings()
    by_id = {a.id: a for a in articles}
    anchors, dated = dated_refs(articles, annotations, settings)
    items: list[tuple[Dated, str]] = []
    for article_id, refs in dated.items():
        article, anchor = by_id[article_id], anchors[article_id]
        for d in refs:
            if d.ref.value == "PRESENT_REF" or d.granularity == "year" or d.ref.granularity == "period" or re.search(
                r"\b(?:today|tonight|now)\b", d.ref.text, re.IGNORECASE
            ):
                continue
            if d.granularity != "day" and contains_anchor(d.day, d.granularity, anchor):
                continue
            items.append((d, plain(article.text[d.clause[0]:d.clause[1]])))
    if not items:
        return []
    # Only clauses of one day told by two sources are ever compared: only those are embedded.
    sources_of_day: dict[str, set[str]] = defaultdict(set)
    for d, _ in items:
        sources_of_day[d.day].add(_source_key(by_id[d.article_id]))
    compared = [i for i, (d, _) in enumerate(items) if len(sources_of_day[d.day]) > 1]
    vectors = np.zeros((len(items), 1))
    if compared:
        clause_texts = [by_id[items[i][0].article_id].text[slice(*items[i][0].clause)] for i in compared]
        encoded = encode_texts([event_text(t) for t in clause_texts], embedder, settings)
        vectors = np.zeros((len(items), encoded.shape[1]), dtype=encoded.dtype)
        vectors[compared] = encoded
    events: list[tuple[TimelineEvent, list[int], set[str]]] = []
    for i, (d, text) in enumerate(items):
        article = by_id[d.article_id]
        home = None
        for event, members, sources in events:
            if event.date != d.day or _source_key(article) in sources:
                continue
            if min(float(vectors[i] @ vectors[j]) for j in members) >= settings.merge_similarity:
                home = (event, members, sources)
                break
        cite = citation(article, d.sentence)
        if home is None:
            event = TimelineEvent(d.day, d.granularity, text, [cite], uncertain=d.uncertain)
            events.append((event, [i], {_source_key(article)}))
        elif not any(c.article_id == cite.article_id and c.start == cite.start for c in home[0].citations):
            home[0].citations.append(cite)
            home[0].uncertain = home[0].uncertain and d.uncertain
            home[1].append(i)
            home[2].add(_source_key(article))
    return sorted((e for e, _, _ in events), key=lambda e: (e.date, e.text))


def encode_texts(texts: Sequence[str], embedder: Embedder | None, settings: FigureSettings) -> np.ndarray:
    """Unit embeddings of ``texts`` (bag-of-words vectors when embeddings are switched off)."""
    if settings.use_embeddings:
        return (embedder or shared_embedder()).encode(list(texts))
    vocab: dict[str, int] = {}
    rows = [[vocab.setdefault(w.lower(), len(vocab)) for w in _WORD.findall(t)] for t in texts]
    out = np.zeros((len(texts), max(1, len(vocab))))
    for i, row in enumerate(rows):
        out[i, row] = 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)
