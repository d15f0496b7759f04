"""Figure series: quantities of the story that measure the same thing, ordered by the date they refer to.

Three keys make quantities one series, across the story's outlets: the dimension (with the unit they are
reconciled to, e.g. km²), the measured thing and the party claiming it. The measured thing is the measured
noun (lower-cased, singular, without determiners or trailing prepositional phrases: "of the territory of
Ukraine" -> "territory") and, for a count, the outcome it counts ("killing at least five people" -> people,
killed; "249 injured" -> injured), so that the dead and the injured are two figures. The party is the speaker
of the quote the quantity stands in (or of the quote before a pronoun-led sentence continuing it); an
outlet's own statement has no party, so the same figure given by two outlets is one series and is compared.

The annotator's measured noun is checked first and dropped when it cannot be what a unit measures: a "distance
from X" on something that is not a length, a word that only names a number ("figure", "total"), or the subject
of a clause whose verb acts on the quantity ("forces retook 1,000 sq km"). A quantity with no valid noun joins
the series of its dimension, outcome and party when that series is the only one (in the story for an
outcome count or a physical quantity, in its own article for money, shares and durations); an outcome count
with no such series starts one named by its outcome ("45 injured").

A point refers to the day of the time expression governing it: one in its clause, else the nearest before it
in its sentence, else after it, else the day of the sentence it continues; else a named week, month or year
("the 2004 tsunami killed 230,000") that does not hold the anchor; else the anchor
(publication date, end of a narrow inferred window, or the story estimate of
:func:`storyline.reconcile.timeline.story_anchors`), recorded in ``FigurePoint.dated_by``.

Agreement within rounding: each point stands for an interval, half a unit of its last significant digit either
side (widened for "about"; one-sided for "more than"/"less than"; a small count without "about" is exact);
points whose intervals all overlap agree. :func:`conflict` is stricter about what disagrees: a bound is open
("at least 5" is consistent with 24), so only values that no single true value could satisfy conflict.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from storyline.annotate.units import AGE_DIMENSION
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
# Outcomes a count of people or things is a count of: the dead and the injured of one event are two figures.
# Each word names its outcome; the word nearest the number in its clause wins ("killing one and injuring 24").
_OUTCOMES = {
    "killed": ("kill", "kills", "killed", "killing", "dead", "die", "died", "dies", "dying", "death", "deaths",
               "fatalities", "fatality", "toll", "perished", "bodies"),
    "injured": ("injure", "injured", "injures", "injuring", "injury", "injuries", "wounded", "wounding", "hurt",
                "hospitalised", "hospitalized"),
    "missing": ("missing", "unaccounted"),
    "trapped": ("trapped",),
    "displaced": ("displaced", "evacuated", "evacuate", "homeless", "fled", "flee", "fleeing"),
    "arrested": ("arrested", "arrest", "arrests", "detained", "detain", "detention"),
    "rescued": ("rescued", "rescue", "saved"),
    "damaged": ("damaged", "destroyed", "collapsed", "flattened"),
}
_OUTCOME_OF = {w: role for role, words in _OUTCOMES.items() for w in words}
# Count nouns too general to name a figure without an outcome: "a town of 27,000 people" and "tens of thousands
# of people without power" are not one figure.
_GENERIC_COUNTS = {"person", "man", "woman", "child", "resident", "citizen", "individual", "thing", "time", "member",
                   "worker", "civilian"}
_PRONOUNS = {"other", "one", "more", "many", "some", "several"}  # "40 others injured" is "45 injured"
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")


@dataclass
class _Item:
    article: Article
    quantity: Quantity
    measured: str | None  # the measured key, with the outcome for counts ("person killed")
    outcome: str | None
    party: str | None  # the quoted party claiming the figure; None for the outlet's own statement
    refers_to: str | None
    dated_by: str


def _singular(word: str) -> str:
    if word == "people":
        return "person"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and re.search(r"(?:ss|x|z|ch|sh)es$", word):
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
        if w in _PREPOSITIONS and words[:i] != ["distance"]:  # "distance from Lyon" keeps its place
            words = words[:i]
            break
    words = [_singular(w.removesuffix("'s")) for w in words if w not in _DETERMINERS]
    return " ".join(words) or None


def _valid_measured(article: Article, q: Quantity, sentence: tuple[int, int]) -> str | None:
    """The quantity's measured key, or None when the annotated noun cannot be what the quantity measures."""
    key = measured_key(q.measured)
    if key is None or key.split()[-1] in _PLACEHOLDERS or key.split()[-1] in _OUTCOME_OF:
        return None  # "that figure", "the death toll": the thing counted is elsewhere
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


def outcome_of(text: str, q: Quantity, others: Sequence[Quantity], max_words: int) -> str | None:
    """The outcome a count counts: the outcome word nearest the number in its clause, within ``max_words``
    words, with no other number or conjunction in between ("24 people were killed and 249 injured", "five
    were injured and 10 houses damaged")."""
    sent = sentence_of(text, q.start)
    clause = clause_of(text, sent, q.start)
    lo, hi = min(clause[0], q.start), max(clause[1], q.end)
    inner = [(o.start, o.end) for o in others if o is not q and lo <= o.start < hi]
    best: tuple[int, str] | None = None
    for side, span in (("before", (lo, q.start)), ("after", (q.end, hi))):
        words = [(m.start() + span[0], m.group(0).lower()) for m in _TOKEN.finditer(text[span[0]:span[1]])]
        ordered = list(reversed(words)) if side == "before" else words
        for distance, (pos, word) in enumerate(ordered):
            if distance > max_words or any(s <= pos < e for s, e in inner) or word[0].isdigit() or word in (
                    "and", "or", "but", "while", "whereas"):
                break
            role = _OUTCOME_OF.get(word.replace("’", "'"))
            if role is not None:
                if best is None or distance < best[0]:
                    best = (distance, role)
                break
    return best[1] if best else None


# --------------------------------------------------------------------------- claimant


def _quote_at(quotes: Sequence[Quote], start: int, end: int) -> Quote | None:
    inside = [q for q in quotes if q.start <= start and end <= q.end]
    return min(inside, key=lambda q: q.end - q.start) if inside else None


def _speaker_key(quote: Quote) -> str | None:
    if quote.speaker_entity:
        return quote.speaker_entity
    return " ".join(quote.speaker.text.lower().split()) if quote.speaker else None


def party_of(article: Article, quotes: Sequence[Quote], start: int, end: int) -> str | None:
    """The quoted party stating the passage ``start:end``: its quote's speaker, or the speaker a pronoun-led
    sentence continues; None when the outlet states it itself."""
    quote = _quote_at(quotes, start, end)
    if quote is not None and _speaker_key(quote):
        return _speaker_key(quote)
    sent = sentence_of(article.text, start)
    prev = previous_sentence(article.text, sent)
    if prev is not None:
        spoken = [q for q in quotes if q.start < prev[1] and prev[0] < q.end and _speaker_key(q)]
        if spoken:
            return _speaker_key(spoken[-1])
    return None


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
    article: Article, refs: Sequence[Dated], anchor: Anchor, start: int, end: int | None = None
) -> tuple[str | None, str]:
    """The date a passage at ``start:end`` refers to and how it was found (see ``FigurePoint.dated_by``);
    expressions inside the passage do not date it (the "1000" of "more than 1000" read as a year)."""
    how = "expression" if anchor.source == "published" else f"expression:{anchor.source}"
    if end is not None:
        refs = [d for d in refs if not (d.ref.start < end and start < d.ref.end)]
    sent = sentence_of(article.text, start)
    found = _governing_day(article.text, refs, sent, start)
    if found is None:
        prev = previous_sentence(article.text, sent)
        if prev is not None:
            found = _governing_day(article.text, refs, prev, prev[1])
    if found is not None:
        return found.day, how
    coarse = [d for d in refs if d.sentence == sent and d.granularity in ("week", "month", "year")]
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


def _half_width(point: FigurePoint, settings: FigureSettings) -> float:
    """Half the rounding interval of a point in its normalised unit."""
    value = point.normalized_value if point.normalized_value is not None else point.value
    factor = value / point.value if point.value else 1.0
    exact = point.unit is None and point.bound != "~" and abs(point.value) < settings.exact_count_below
    half = (0.5 if exact else _last_digit_unit(point.value) / 2) * abs(factor)
    return half * settings.approximate_factor if point.bound == "~" else half


def interval(point: FigurePoint, settings: FigureSettings | None = None) -> tuple[float, float]:
    """The range of true values a point allows, in its normalised unit, given rounding and its bound."""
    settings = settings or FigureSettings()
    value = point.normalized_value if point.normalized_value is not None else point.value
    half = _half_width(point, settings)
    if point.bound in (">", ">="):
        return value, value + 2 * half
    if point.bound in ("<", "<="):
        return value - 2 * half, value
    return value - half, value + half


def agree(a: FigurePoint, b: FigurePoint, settings: FigureSettings | None = None) -> bool:
    """Whether two points of a series can be the same figure within rounding and their bounds (intervals that
    only touch do not: 1,000 +- 500 and 2,000 +- 500 are two figures)."""
    (alo, ahi), (blo, bhi) = interval(a, settings), interval(b, settings)
    return alo < bhi and blo < ahi


def conflict(a: FigurePoint, b: FigurePoint, settings: FigureSettings | None = None) -> bool:
    """Whether no one true value satisfies both points: like :func:`agree`, but a bound is open ("at least 5"
    allows 24, "less than 10" allows 2), so only values that exclude each other conflict."""
    settings = settings or FigureSettings()
    (alo, ahi), (blo, bhi) = interval(a, settings), interval(b, settings)
    if a.bound in (">", ">="):
        ahi = math.inf
    if b.bound in (">", ">="):
        bhi = math.inf
    if a.bound in ("<", "<="):
        alo = -math.inf
    if b.bound in ("<", "<="):
        blo = -math.inf
    return not (alo < bhi and blo < ahi)


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

_Key = tuple[str | None, str | None, str | None, str | None, str]  # dimension, unit, outcome, party, measured


def _item(article: Article, found: Annotations, q: Quantity, refs: Sequence[Dated], anchor: Anchor,
          settings: FigureSettings) -> _Item:
    sent = sentence_of(article.text, q.start)
    refers_to, how = referred_date(article, refs, anchor, q.start, q.end)
    noun = _valid_measured(article, q, sent)
    outcome = None
    if q.unit is None and q.dimension is None:  # a count: of the dead, the injured, ...
        outcome = outcome_of(article.text, q, found.quantities, settings.outcome_max_words)
        if noun is not None:
            noun = " ".join(w for w in noun.split() if w not in _OUTCOME_OF) or None
        if noun is not None and (noun in _PRONOUNS or (outcome is None and noun.split()[-1] in _GENERIC_COUNTS)):
            noun = None
    measured = " ".join(x for x in (noun, outcome) if x) if noun else None
    return _Item(article, q, measured, outcome, party_of(article, found.quotes, q.start, q.end), refers_to, how)


def comparable(series: FigureSeries) -> bool:
    """Whether a series names one figure closely enough for its sources' values to be compared: a count of an
    outcome (the dead, the injured, ...) or an area. Other counts, money, shares, lengths and durations share
    their measured noun across different things too often (points of two players, the total and the cash part
    of a deal, distances of two places from one town)."""
    return series.measured.split()[-1] in _OUTCOMES or series.dimension == "[length] ** 2"


def _distinctive(q: Quantity, outcome: str | None) -> bool:
    """Whether a figure without a measured noun is distinctive enough to join the story's only series of its
    kind from another article: an outcome count or a physical quantity (an area, a distance), not a share,
    an amount of money or a duration, of which a story holds many unrelated ones."""
    return outcome is not None or q.dimension not in (None, "dimensionless", "[time]", "[currency]")


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
            if q.normalized_value is None or q.dimension == AGE_DIMENSION or (q.unit and q.unit.endswith(" of age")):
                continue  # ages (also as stored before they had their dimension) are no figure of the story
            items.append(_item(article, found, q, dated[article.id], anchors[article.id], settings))
    groups: dict[_Key, list[_Item]] = defaultdict(list)
    for item in items:
        if item.measured is not None:
            q = item.quantity
            groups[(q.dimension, q.normalized_unit, item.outcome, item.party, item.measured)].append(item)
    for item in items:
        q = item.quantity
        if item.measured is None and (q.dimension is not None or item.outcome is not None):
            homes = [k for k in groups if k[:4] == (q.dimension, q.normalized_unit, item.outcome, item.party)
                     and (_distinctive(q, item.outcome) or any(m.article is item.article for m in groups[k]))]
            if len(homes) == 1:
                groups[homes[0]].append(item)
            elif not homes and item.outcome is not None:  # "45 injured": the outcome alone names the figure
                groups[(q.dimension, q.normalized_unit, item.outcome, item.party, item.outcome)].append(item)
    series = [_series(key, members, settings) for key, members in groups.items() if len(members) >= settings.min_points]
    return sorted(series, key=lambda s: (-len(s.points), s.id))


def _bound(q: Quantity) -> str:
    """A point's bound: a range ("three or four", "dozens") is at least its lower end (a point has no upper)."""
    if q.upper is None or q.bound in ("<", "<="):
        return q.bound
    return ">="


def _series(key: _Key, members: list[_Item], settings: FigureSettings) -> FigureSeries:
    dimension, unit, _, party, measured = key
    members = sorted(members, key=lambda m: (m.refers_to or "9999", m.quantity.normalized_value or 0.0,
                                             m.article.id, m.quantity.start))
    points = [
        FigurePoint(m.quantity.value, _bound(m.quantity), m.quantity.unit, m.quantity.normalized_value, unit,
                    m.refers_to, citation(m.article, (m.quantity.start, m.quantity.end)), party, m.dated_by)
        for m in members
    ]
    names = Counter(m.measured for m in members if m.measured)
    name = re.sub(r"\bperson\b", "people", names.most_common(1)[0][0] if names else measured)  # "people killed"
    slug = re.sub(r"[^a-z0-9]+", "-", f"{measured} {party or ''} {unit or ''}".lower()).strip("-")
    return FigureSeries(f"figure:{slug}", name, dimension, unit, party, points, _agreements(points, settings))
