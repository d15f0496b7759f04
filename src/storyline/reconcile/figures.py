"""Figure series: quantities of the story that measure the same thing, ordered by the date they refer to.

Three keys make quantities one series: the dimension (with the unit they are reconciled to, e.g. km²), the
measured noun (lower-cased, singular, without determiners or trailing prepositional phrases: "of the
territory of Ukraine" -> "territory") and the claimant (the speaker of the quote the quantity stands in, or
of the quote before a pronoun-led sentence continuing it; else the outlet).

The annotator's measured noun is checked first and dropped when it cannot be what a unit measures: a "distance
from X" on something that is not a length, a word that only names a number ("figure", "total"), or the subject
of a clause whose verb acts on the quantity ("forces retook 1,000 sq km"). A quantity with no valid noun joins
the series of its dimension and claimant when that series is the only one.

A point refers to the day of the time expression governing it: one in its clause, else the nearest before it
in its sentence, else after it, else the day of the sentence it continues; else a named month; else the anchor
(publication date, end of a narrow inferred window, or the story estimate of
:func:`storyline.reconcile.timeline.story_anchors`), recorded in ``FigurePoint.dated_by``.

Agreement within rounding: each point stands for an interval, half a unit of its last significant digit either
side (widened for "about"; one-sided for "more than"/"less than"); points whose intervals all overlap agree.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from storyline.model import Annotations, Article, FigurePoint, FigureSeries, Quantity, Quote
from storyline.reconcile.timeline import (
    Anchor,
    Dated,
    citation,
    clause_of,
    contains_anchor,
    dated_refs,
    previous_sentence,
    sentence_of,
)
from storyline.settings import FigureSettings

_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "my", "your", "this", "that", "these",
                "those", "some", "any", "all", "total"}  # fmt: skip
_PREPOSITIONS = {"of", "in", "from", "for", "on", "at", "to", "by", "with", "across", "since", "over", "under"}
# Nouns that only name a number: the thing measured is elsewhere ("that figure had tripled to 3,000 sq km").
_PLACEHOLDERS = {"figure", "number", "total", "amount", "tally", "count", "sum", "quantity", "estimate", "value"}
# Verbs between a subject and a physical quantity that make the subject what is measured ("the area is ...",
# "the toll rose to ..."); any other verb makes the subject an agent ("troops retook 6,000 sq km").
_LINKING = re.compile(
    r"\b(?:is|are|was|were|be|been|being|covers?|covered|covering|measures?|measured|spans?|spanned|totals|"
    r"totall?ed|stands?|stood|reach(?:es|ed)?|r[oi]se[ns]?|fell|falls?|grew|grows?|increased?|decreased?|"
    r"dropped|drops?|climbed|climbs?|doubled|tripled|quadrupled|halved|amounts?|amounted)\b",
    re.IGNORECASE,
)
_AGE = re.compile(r"\bof age\b")


@dataclass
class _Item:
    article: Article
    quantity: Quantity
    measured: str | None
    claimant: str
    refers_to: str | None
    dated_by: str


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and re.search(r"(?:s|x|z|ch|sh)es$", word):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def measured_key(measured: str | None) -> str | None:
    """The comparable form of a measured noun phrase: "of the territory of Ukraine" -> "territory"."""
    if not measured:
        return None
    words = [w.strip(".,;:'\"‘’“”()") for w in measured.lower().replace("’", "'").split()]
    words = [w for w in words if w]
    while words and (words[0] in _PREPOSITIONS or words[0] in _DETERMINERS):
        words = words[1:]
    for i, w in enumerate(words):
        if w in _PREPOSITIONS:
            words = words[:i]
            break
    words = [_singular(w.removesuffix("'s")) for w in words if w not in _DETERMINERS]
    return " ".join(words) or None


def _valid_measured(article: Article, q: Quantity, sentence: tuple[int, int]) -> str | None:
    """The quantity's measured key, or None when the annotated noun cannot be what the quantity measures."""
    key = measured_key(q.measured)
    if key is None or key.split()[-1] in _PLACEHOLDERS:
        return None
    if key == "distance" and q.dimension != "[length]":
        return None  # "N sq km from Russian control" read as a distance
    if q.dimension and q.dimension != "[currency]" and q.measured:
        before = article.text[sentence[0]:q.start]
        pos = before.rfind(q.measured)
        if pos >= 0 and q.measured not in article.text[q.end:sentence[1]]:
            between = before[pos + len(q.measured):]
            if not _LINKING.search(between):
                return None  # the subject acting on the quantity, not what it measures
    return key


# --------------------------------------------------------------------------- claimant


def _quote_at(quotes: Sequence[Quote], start: int, end: int) -> Quote | None:
    inside = [q for q in quotes if q.start <= start and end <= q.end]
    return min(inside, key=lambda q: q.end - q.start) if inside else None


def _speaker_key(quote: Quote) -> str | None:
    if quote.speaker_entity:
        return quote.speaker_entity
    return " ".join(quote.speaker.text.lower().split()) if quote.speaker else None


def outlet_key(article: Article) -> str:
    """The outlet standing behind an article's own statements."""
    return article.outlet or article.id


def claimant_of(article: Article, quotes: Sequence[Quote], start: int, end: int) -> str:
    """Who states the passage ``start:end``: its quote's speaker, the speaker a pronoun-led sentence
    continues, else the outlet."""
    quote = _quote_at(quotes, start, end)
    if quote is not None and _speaker_key(quote):
        return _speaker_key(quote) or ""
    sent = sentence_of(article.text, start)
    prev = previous_sentence(article.text, sent)
    if prev is not None:
        spoken = [q for q in quotes if q.start < prev[1] and prev[0] < q.end and _speaker_key(q)]
        if spoken:
            return _speaker_key(spoken[-1]) or ""
    return outlet_key(article)


# --------------------------------------------------------------------------- referred date


def _governing_day(text: str, refs: Sequence[Dated], sentence: tuple[int, int], pos: int) -> Dated | None:
    days = [d for d in refs if d.sentence == sentence and d.granularity == "day"]
    clause = clause_of(text, sentence, pos)
    inside = [d for d in days if clause[0] <= d.ref.start < clause[1]]
    if inside:
        return min(inside, key=lambda d: abs(d.ref.start - pos))
    before = [d for d in days if d.ref.end <= pos]
    if before:
        return max(before, key=lambda d: d.ref.start)
    after = [d for d in days if d.ref.start >= pos]
    return min(after, key=lambda d: d.ref.start) if after else None


def referred_date(
    article: Article, refs: Sequence[Dated], anchor: Anchor, start: int
) -> tuple[str | None, str]:
    """The date a passage at ``start`` refers to and how it was found (see ``FigurePoint.dated_by``)."""
    how = "expression" if anchor.source == "published" else f"expression:{anchor.source}"
    sent = sentence_of(article.text, start)
    found = _governing_day(article.text, refs, sent, start)
    if found is None:
        prev = previous_sentence(article.text, sent)
        if prev is not None:
            found = _governing_day(article.text, refs, prev, prev[1])
    if found is not None:
        return found.day, how
    coarse = [d for d in refs if d.sentence == sent and d.granularity in ("week", "month")]
    for d in sorted(coarse, key=lambda d: abs(d.ref.start - start)):
        if not contains_anchor(d.day, d.granularity, anchor):
            return d.day, how
    return (anchor.day.isoformat() if anchor.day else None), anchor.source


# --------------------------------------------------------------------------- rounding


def _last_digit_unit(value: float) -> float:
    """The unit of a number's last significant digit: 6000 -> 1000, 2317 -> 1, 2.5 -> 0.1."""
    if value == 0 or not math.isfinite(value):
        return 1.0
    text = f"{abs(value):.10f}".rstrip("0")
    if not text.endswith("."):
        return 10.0 ** -len(text.split(".")[1])
    digits = text[:-1]
    return 10.0 ** (len(digits) - len(digits.rstrip("0")))


def interval(point: FigurePoint, settings: FigureSettings | None = None) -> tuple[float, float]:
    """The range of true values a point allows, in its normalised unit, given rounding and its bound."""
    settings = settings or FigureSettings()
    value = point.normalized_value if point.normalized_value is not None else point.value
    factor = value / point.value if point.value else 1.0
    half = _last_digit_unit(point.value) / 2 * abs(factor)
    if point.bound == "~":
        half *= settings.approximate_factor
    if point.bound in (">", ">="):
        return value, value + 2 * half
    if point.bound in ("<", "<="):
        return value - 2 * half, value
    return value - half, value + half


def agree(a: FigurePoint, b: FigurePoint, settings: FigureSettings | None = None) -> bool:
    """Whether two points of a series can be the same figure within rounding and their bounds."""
    (alo, ahi), (blo, bhi) = interval(a, settings), interval(b, settings)
    return alo <= bhi and blo <= ahi


def _agreements(points: Sequence[FigurePoint], settings: FigureSettings) -> list[list[int]]:
    """Groups of point indexes that all agree pairwise (greedy, in value order); only groups of two or more."""
    order = sorted(range(len(points)), key=lambda i: points[i].normalized_value or points[i].value)
    groups: list[list[int]] = []
    for i in order:
        for group in groups:
            if all(agree(points[i], points[j], settings) for j in group):
                group.append(i)
                break
        else:
            groups.append([i])
    return [sorted(g) for g in groups if len(g) > 1]


# --------------------------------------------------------------------------- series


def figure_series(
    articles: Sequence[Article], annotations: dict[str, Annotations], settings: FigureSettings | None = None
) -> list[FigureSeries]:
    """The story's figure series (see the module docstring), largest first."""
    settings = settings or FigureSettings()
    anchors, dated = dated_refs(articles, annotations, settings)
    items: list[_Item] = []
    for article in articles:
        found = annotations.get(article.id)
        if found is None:
            continue
        for q in found.quantities:
            if q.normalized_value is None or (q.unit and _AGE.search(q.unit)):
                continue
            sent = sentence_of(article.text, q.start)
            refers_to, how = referred_date(article, dated[article.id], anchors[article.id], q.start)
            items.append(_Item(article, q, _valid_measured(article, q, sent),
                               claimant_of(article, found.quotes, q.start, q.end), refers_to, how))
    groups: dict[tuple[str | None, str | None, str, str], list[_Item]] = defaultdict(list)
    for item in items:
        if item.measured is not None:
            groups[(item.quantity.dimension, item.quantity.normalized_unit, item.claimant, item.measured)].append(item)
    for item in items:
        if item.measured is None and item.quantity.dimension is not None:
            homes = [k for k in groups if k[:3] == (item.quantity.dimension, item.quantity.normalized_unit,
                                                    item.claimant)]
            if len(homes) == 1:
                groups[homes[0]].append(item)
    series = [_series(key, members, settings) for key, members in groups.items() if len(members) >= settings.min_points]
    return sorted(series, key=lambda s: (-len(s.points), s.id))


def _series(
    key: tuple[str | None, str | None, str, str], members: list[_Item], settings: FigureSettings
) -> FigureSeries:
    dimension, unit, claimant, measured = key
    members = sorted(members, key=lambda m: (m.refers_to or "9999", m.quantity.normalized_value or 0.0,
                                             m.article.id, m.quantity.start))
    points = [
        FigurePoint(m.quantity.value, m.quantity.bound, m.quantity.unit, m.quantity.normalized_value, unit,
                    m.refers_to, citation(m.article, (m.quantity.start, m.quantity.end)), claimant, m.dated_by)
        for m in members
    ]
    names = Counter(m.measured for m in members if m.measured)
    slug = re.sub(r"[^a-z0-9]+", "-", f"{measured} {claimant} {unit or ''}".lower()).strip("-")
    return FigureSeries(f"figure:{slug}", names.most_common(1)[0][0] if names else measured, dimension, unit,
                        claimant, points, _agreements(points, settings))
