"""Discrepancies: the same event or figure given differently by different sources.

Kept to high precision, since a false discrepancy is worse than a missing one:

* date: two timeline events of disjoint sources, dated by day at most ``FigureSettings.date_gap_days`` apart,
  whose clauses (time expressions left out) have an embedding cosine of at least
  ``FigureSettings.discrepancy_similarity`` and share an event word (a lower-case content word rarer than
  ``event_word_max_zipf``). Clauses that date a statement ("said in his address on Saturday") are left out:
  two statements on two days are two events.
* number: two points of one figure series (same measured thing and claimant) from different sources that
  refer to the same day, both dated by a time expression, whose rounding intervals do not overlap.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from itertools import combinations

from wordfreq import zipf_frequency

from storyline.annotate.attribution import LEXICON_PATH
from storyline.annotate.times import extract_times
from storyline.cluster.vectors import Embedder
from storyline.model import Annotations, Article, Discrepancy, FigureSeries, TimelineEvent
from storyline.reconcile.figures import agree
from storyline.reconcile.timeline import encode_texts, event_text, plain
from storyline.settings import FigureSettings

_WORD = re.compile(r"[A-Za-z][a-z'’-]+")
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


def _date_discrepancies(
    timeline: Sequence[TimelineEvent], settings: FigureSettings, embedder: Embedder | None
) -> list[Discrepancy]:
    events = [e for e in timeline if e.granularity == "day" and not dates_a_statement(e.text)]
    if len(events) < 2:
        return []
    texts = [event_text(e.text) for e in events]
    vectors = encode_texts(texts, embedder, settings)
    words = [event_words(t, settings) for t in texts]
    found = []
    for i, j in combinations(range(len(events)), 2):
        a, b = events[i], events[j]
        gap = abs((date.fromisoformat(a.date[:10]) - date.fromisoformat(b.date[:10])).days)
        if not 0 < gap <= settings.date_gap_days or _sources(a) & _sources(b):
            continue
        if float(vectors[i] @ vectors[j]) < settings.discrepancy_similarity or not words[i] & words[j]:
            continue
        found.append(Discrepancy("", "date", f"the date of: {plain(a.text)}", [_dated(a), _dated(b)],
                                 [a.citations[0], b.citations[0]]))
    return found


def _number_discrepancies(figures: Sequence[FigureSeries], settings: FigureSettings) -> list[Discrepancy]:
    found = []
    for series in figures:
        for a, b in combinations(series.points, 2):
            if a.refers_to != b.refers_to or a.refers_to is None or len(a.refers_to) != 10:
                continue
            if not (a.dated_by or "").startswith("expression") or not (b.dated_by or "").startswith("expression"):
                continue
            if (a.citation.outlet or a.citation.article_id) == (b.citation.outlet or b.citation.article_id):
                continue
            if agree(a, b, settings):
                continue
            found.append(Discrepancy(
                "", "number", f"{series.measured} on {a.refers_to} ({series.claimant})",
                [plain(a.citation.text), plain(b.citation.text)], [a.citation, b.citation]))
    return found


def find_discrepancies(
    articles: Sequence[Article],
    annotations: dict[str, Annotations],
    figures: Sequence[FigureSeries],
    timeline: Sequence[TimelineEvent],
    settings: FigureSettings | None = None,
    embedder: Embedder | None = None,
) -> list[Discrepancy]:
    """Date and number discrepancies between the story's sources (see the module docstring).

    ``articles`` and ``annotations`` are accepted for the place and actor kinds, which are not detected yet.
    """
    settings = settings or FigureSettings()
    found = _date_discrepancies(timeline, settings, embedder) + _number_discrepancies(figures, settings)
    for n, d in enumerate(found, 1):
        d.id = f"discrepancy:{n}"
    return found
