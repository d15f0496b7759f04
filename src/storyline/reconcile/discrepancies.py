"""Discrepancies: the same event or figure given differently by different sources.

Kept to high precision, since a false discrepancy is worse than a missing one:

* date: two timeline events of disjoint sources that name their days (a weekday or a calendar date), dated
  1 to ``FigureSettings.date_gap_days`` apart, neither dating a statement ("said in his address on
  Saturday": two statements on two days are two events), whose clauses (time expressions left out) have an
  embedding cosine of at least ``discrepancy_similarity``, share an uncommon event word, do not name
  disjoint persons or disjoint cities, and are each other's best match: in each article the clause closest
  to the other event stands in that event's sentence. A sequence of like events (charged on Saturday, in
  court on Monday) fails the last test.
* number: points of one comparable figure series (an outcome count such as the dead or the injured, or an
  area: :func:`storyline.reconcile.figures.comparable`; same measured thing, outcome and quoted party, an
  outlet's own figures sharing one series across outlets) from different sources that refer to the same day,
  each dated by a time expression, whose values exclude each other (:func:`storyline.reconcile.figures.conflict`:
  outside rounding, with "at least"/"more than" open) and whose sentences do not name disjoint persons or
  cities. Points dated only by a publication date are not compared: a toll told in the morning and in the
  evening of one day grows. One discrepancy per series and day, listing each value that clashes with another
  source's (in value order, one passage per value), each cited by its sentence.

See docs/stages/reconcile-figures.md for what was measured.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from itertools import combinations

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS
from wordfreq import zipf_frequency

from storyline.annotate.attribution import LEXICON_PATH
from storyline.annotate.times import MONTHS, WEEKDAYS, extract_times
from storyline.cluster.vectors import Embedder
from storyline.model import Annotations, Article, Citation, Discrepancy, FigurePoint, FigureSeries, TimelineEvent
from storyline.reconcile.figures import comparable, conflict
from storyline.reconcile.timeline import citation, clauses, encode_texts, event_text, plain, sentence_of
from storyline.settings import FigureSettings

_WORD = re.compile(r"[A-Za-z][a-z'’-]+")
_WEEKDAY = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
_MONTH = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b", re.IGNORECASE)
# Reporting cues from the attribution lexicon at or above this weight (say .87, tell .68, announce .80).
_CUE_WEIGHT = 0.6
# Speech events the cue lexicon (verbs of reporting) does not list, and irregular past forms of its verbs.
_SPEECH_WORDS = {"address", "speech", "speak", "statement", "announcement", "interview", "briefing", "remark",
                 "conference", "tweet", "post"}  # fmt: skip
_IRREGULAR = {"said": "say", "told": "tell", "wrote": "write", "spoke": "speak", "spoken": "speak"}


@lru_cache(maxsize=1)
def _cues() -> frozenset[str]:
    weights = json.loads(LEXICON_PATH.read_text())
    return frozenset(w for w, v in weights.items() if v >= _CUE_WEIGHT) | _SPEECH_WORDS


def _lemmas(word: str) -> set[str]:
    """Candidate base forms of a word (a light suffix stripper: enough for lexicon look-ups)."""
    w = word.lower().replace("’", "'")
    out = {w, _IRREGULAR.get(w, w)}
    for suffix, repl in (("ing", ""), ("ing", "e"), ("ied", "y"), ("ies", "y"), ("ed", ""), ("ed", "e"),
                         ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            out.add(w[: -len(suffix)] + repl)
    return out


def dates_a_statement(text: str) -> bool:
    """Whether a clause reports speech (its date is the date of a statement, not of the event told)."""
    cues = _cues()
    return any(_lemmas(w) & cues for w in _WORD.findall(text))


def content_words(text: str) -> list[str]:
    """The words of a clause that are not stop words."""
    return [w for w in _WORD.findall(text) if w.lower() not in STOP_WORDS]


def event_words(text: str, settings: FigureSettings) -> set[str]:
    """Lower-case content words of a clause that are uncommon enough to name what happened."""
    out = set()
    for w in _WORD.findall(text):
        if w[0].isupper() or len(w) < 3:
            continue
        lemma = min(_lemmas(w), key=len)
        if zipf_frequency(w.lower(), "en") < settings.event_word_max_zipf:
            out.add(lemma)
    return out


def _sources(event: TimelineEvent) -> set[str]:
    return {c.outlet or c.article_id for c in event.citations}


def _dated(event: TimelineEvent) -> str:
    """An event's date with the expression that gives it: "2022-09-11 (on Sunday)"."""
    said = [t.text for t in extract_times(event.text, None)]
    note = "; publication date estimated" if event.uncertain else ""
    return f"{event.date} ({', '.join(said)}{note})" if said else event.date


def names_a_day(text: str) -> bool:
    """Whether a clause names its day (a weekday or a calendar date), not only "yesterday" or "this morning".

    Deictic days depend on the exact publication date, which is often estimated; named days do not.
    """
    return any(_WEEKDAY.search(t.text) or (_MONTH.search(t.text) and re.search(r"\d", t.text))
               for t in extract_times(text, None))


def _participants(annotations: dict[str, Annotations], citations: Sequence[Citation]) -> tuple[set[str], set[str]]:
    """Person entities and cities mentioned in the cited passages."""
    persons, cities = set(), set()
    for c in citations:
        found = annotations.get(c.article_id)
        for entity in found.entities if found else []:
            if not any(c.start <= m.start < c.end for m in entity.mentions):
                continue
            if entity.kind == "person":
                persons.add(entity.id)
            elif entity.place is not None and entity.place.kind == "city":
                cities.add(str(entity.place.geonameid or entity.place.name))
    return persons, cities


def _disjoint(a: tuple[set[str], set[str]], b: tuple[set[str], set[str]]) -> bool:
    """Whether two passages name persons (or cities) and none in common: two like events, not one."""
    return any(x and y and not x & y for x, y in zip(a, b, strict=True))


def _dates_both(events: Sequence[TimelineEvent], sims: np.ndarray, x: int, y: int, settings: FigureSettings) -> bool:
    """Whether the source of event ``x`` also dates a clause like event ``y`` on y's day: two events, not one."""
    return any(
        k not in (x, y) and events[k].date == events[y].date and _sources(events[k]) & _sources(events[x])
        and sims[k, y] >= settings.discrepancy_similarity
        for k in range(len(events))
    )


class _ClosestSentence:
    """The sentence of an article holding the clause closest to a vector; each article is encoded once, when
    first asked about (only articles of candidate pairs are)."""

    def __init__(self, articles: Sequence[Article], settings: FigureSettings, embedder: Embedder | None) -> None:
        self.articles = {a.id: a for a in articles}
        self.settings, self.embedder = settings, embedder
        self.cache: dict[str, tuple[list[tuple[int, int]], np.ndarray]] = {}

    def __call__(self, vector: np.ndarray, article_id: str) -> tuple[int, int] | None:
        if article_id not in self.cache:
            article = self.articles.get(article_id)
            spans = clauses(article.text, self.settings.event_min_words) if article else []
            texts = [event_text(article.text[a:b]) for (a, b), _ in spans] if article else []
            self.cache[article_id] = ([sent for _, sent in spans],
                                      encode_texts(texts, self.embedder, self.settings) if texts else np.zeros(0))
        sentences, vectors = self.cache[article_id]
        return sentences[int((vectors @ vector).argmax())] if sentences else None


def _date_discrepancies(
    articles: Sequence[Article], timeline: Sequence[TimelineEvent], annotations: dict[str, Annotations],
    settings: FigureSettings, embedder: Embedder | None,
) -> list[Discrepancy]:
    events = [e for e in timeline if e.granularity == "day" and names_a_day(e.text) and not dates_a_statement(e.text)]
    texts = [event_text(e.text) for e in events]
    keep = [i for i, t in enumerate(texts) if len(content_words(t)) >= settings.event_min_content_words]
    events, texts = [events[i] for i in keep], [texts[i] for i in keep]
    if len(events) < 2:
        return []
    vectors = encode_texts(texts, embedder, settings)
    sims = vectors @ vectors.T
    closest = _ClosestSentence(articles, settings, embedder)
    words = [event_words(t, settings) for t in texts]
    participants = [_participants(annotations, e.citations) for e in events]
    found = []
    for i, j in combinations(range(len(events)), 2):
        a, b = events[i], events[j]
        gap = abs((date.fromisoformat(a.date[:10]) - date.fromisoformat(b.date[:10])).days)
        if not 0 < gap <= settings.date_gap_days or _sources(a) & _sources(b):
            continue
        if sims[i, j] < settings.discrepancy_similarity or not words[i] & words[j]:
            continue
        if _disjoint(participants[i], participants[j]):
            continue  # the same kind of event happening to different people or in different cities
        if _dates_both(events, sims, i, j, settings) or _dates_both(events, sims, j, i, settings):
            continue
        # Each clause's closest clause in the other article must stand in the other's sentence: a sequence of
        # like events (charged on Saturday, in court on Monday) has closer partners than each other.
        ca, cb = a.citations[0], b.citations[0]
        if closest(vectors[i], cb.article_id) != (cb.start, cb.end) or closest(vectors[j], ca.article_id) != (
            ca.start, ca.end):
            continue
        found.append(Discrepancy("", "date", f"the date of: {plain(a.text)}", [_dated(a), _dated(b)],
                                 [a.citations[0], b.citations[0]]))
    return found


def _number_discrepancies(
    articles: Sequence[Article], annotations: dict[str, Annotations], figures: Sequence[FigureSeries],
    settings: FigureSettings,
) -> list[Discrepancy]:
    """One discrepancy per series and day on which two sources give values that exclude each other."""
    by_id = {a.id: a for a in articles}
    found = []
    for series in figures:
        if not comparable(series):
            continue
        by_day: dict[str, list[FigurePoint]] = defaultdict(list)
        for p in series.points:
            if p.refers_to and len(p.refers_to) == 10 and (p.dated_by or "").startswith("expression"):
                by_day[p.refers_to].append(p)
        for day, points in sorted(by_day.items()):
            cited = {id(p): _sentence_citation(by_id, p.citation) for p in points}
            named = {id(p): _participants(annotations, [cited[id(p)]]) for p in points}
            clashing = {id(p): p for a, b in combinations(points, 2)
                        if _source(a) != _source(b) and conflict(a, b, settings)
                        and not _disjoint(named[id(a)], named[id(b)]) for p in (a, b)}
            if not clashing:
                continue
            shown: dict[tuple[float, str, str | None], FigurePoint] = {}
            for p in sorted(clashing.values(), key=lambda p: p.normalized_value or p.value):
                shown.setdefault((p.value, p.bound, p.unit), p)  # one passage per value as given
            unit = f" ({series.unit})" if series.unit else ""
            found.append(Discrepancy("", "number", f"{series.measured}{unit} on {day}",
                                     [plain(p.citation.text) for p in shown.values()],
                                     [cited[id(p)] for p in shown.values()]))
    return found


def _source(point: FigurePoint) -> str:
    return point.citation.outlet or point.citation.article_id


def _sentence_citation(articles: dict[str, Article], cited: Citation) -> Citation:
    """The sentence holding a cited figure (the figure's own span when its article is not at hand)."""
    article = articles.get(cited.article_id)
    return citation(article, sentence_of(article.text, cited.start)) if article is not None else cited


def find_discrepancies(
    articles: Sequence[Article],
    annotations: dict[str, Annotations],
    figures: Sequence[FigureSeries],
    timeline: Sequence[TimelineEvent],
    settings: FigureSettings | None = None,
    embedder: Embedder | None = None,
) -> list[Discrepancy]:
    """Date and number discrepancies between the story's sources (see the module docstring).

    Place and actor discrepancies are not detected yet.
    """
    settings = settings or FigureSettings()
    found = _date_discrepancies(articles, timeline, annotations, settings, embedder)
    found += _number_discrepancies(articles, annotations, figures, settings)
    for n, d in enumerate(found, 1):
        d.id = f"discrepancy:{n}"
    return found
