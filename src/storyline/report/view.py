"""What the Markdown and the HTML report both show, worked out once: citation numbers, labels, values.

Every distinct cited passage (article, start, end) gets one number for the whole report, in reading
order (brief first), so ``[3]`` means the same passage wherever it appears.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

from storyline.cluster.sentences import quoted_spans
from storyline.model import Account, Article, Citation, FigurePoint, FigureSeries, QuoteGroup, QuoteVersion

_DOUBLE_MARKS = "\"“”"
_SINGLE_MARKS = "'‘’"
# Bounds as a reader writes them in front of a number.
_BOUND_SIGNS = {"=": "", "~": "about ", ">": "more than ", "<": "less than ", ">=": "at least ", "<=": "at most "}


@dataclass
class Footnote:
    """One numbered passage: the citation and, when the report has it, its article."""

    number: int
    citation: Citation
    article: Article | None


class Footnotes:
    """Numbers for the cited passages of one account."""

    def __init__(self, account: Account, articles: list[Article]) -> None:
        self.articles = {a.id: a for a in articles}
        self.notes: list[Footnote] = []
        self._numbers: dict[tuple[str, int, int], int] = {}
        self._by_article: dict[str, list[Footnote]] = {}
        for cite in account_citations(account):
            key = (cite.article_id, cite.start, cite.end)
            if key not in self._numbers:
                self._numbers[key] = len(self.notes) + 1
                note = Footnote(len(self.notes) + 1, cite, self.articles.get(cite.article_id))
                self.notes.append(note)
                self._by_article.setdefault(cite.article_id, []).append(note)

    def number(self, cite: Citation) -> int:
        """The footnote number of ``cite`` (every citation of the account has one)."""
        return self._numbers[(cite.article_id, cite.start, cite.end)]

    def outlet(self, cite: Citation) -> str:
        """Who published the cited passage, as a reader can recognise it (see :func:`source_label`)."""
        article = self.articles.get(cite.article_id)
        if article is not None:
            return self.outlet_of(article)
        return cite.outlet or f"article {cite.article_id[:8]}"

    def outlet_of(self, article: Article) -> str:
        """The article's outlet when known, else a label for it (see :func:`source_label`)."""
        return self.article_outlet(article) or source_label(article)

    def article_outlet(self, article: Article) -> str | None:
        """The article's outlet, else the one its citations name (the reconcile stage may know it).

        A citation whose "outlet" is only the article's id or web host names no outlet."""
        stand_ins = {article.id, web_host(article)}
        named = (
            n.citation.outlet
            for n in self.of_article(article.id)
            if n.citation.outlet and n.citation.outlet not in stand_ins
        )
        return article.outlet or next(named, None)

    def outlets(self, citations: list[Citation]) -> list[str]:
        """The outlets (or labels) behind ``citations``, each once, in citation order."""
        return list(dict.fromkeys(self.outlet(c) for c in citations))

    def of_article(self, article_id: str) -> list[Footnote]:
        """The footnotes citing one article, in number order."""
        return self._by_article.get(article_id, [])


def account_citations(account: Account) -> Iterator[Citation]:
    """Every citation of the account in the order the reports show them."""
    for sentence in account.brief:
        yield from sentence.citations
    for event in account.timeline:
        yield from event.citations
    for series in account.figures:
        yield from (p.citation for p in series.points)
    for group in account.quote_groups:
        for version in group.versions:
            yield version.content
            if version.speaker is not None:
                yield version.speaker
    for claim in account.claims:
        yield from claim.citations
    for disc in account.discrepancies:
        yield from disc.citations


def web_host(article: Article) -> str | None:
    """The host of the article's URL without ``www.`` (None without a URL)."""
    return urlparse(article.url).netloc.lower().removeprefix("www.") or None if article.url else None


def source_label(article: Article) -> str:
    """A label for an article whose outlet is unknown: its web host, else a short form of its id."""
    return web_host(article) or f"article {article.id[:8]}"


def entity_name(account: Account, ref: str | None) -> str | None:
    """A MergedEntity id as the entity's name; any other reference (already a name) as it is."""
    return next((e.name for e in account.entities if e.id == ref), ref)


def date_range(articles: list[Article]) -> str:
    """The span of publication dates, e.g. ``2022-09-10 – 2022-09-12`` (empty when none is known)."""
    dates = sorted(a.published[:10] for a in articles if a.published)
    if not dates:
        return ""
    return dates[0] if dates[0] == dates[-1] else f"{dates[0]} – {dates[-1]}"


def by_speaker(groups: list[QuoteGroup]) -> list[tuple[str, list[QuoteGroup]]]:
    """Quote groups gathered by speaker, speakers in order of first appearance (unknown ones last)."""
    speakers: dict[str, list[QuoteGroup]] = {}
    for group in groups:
        speakers.setdefault(group.speaker_name or "", []).append(group)
    unknown = speakers.pop("", [])
    return list(speakers.items()) + ([("Unattributed", unknown)] if unknown else [])


def spoken_text(version: QuoteVersion) -> str:
    """A quote's words as the report prints them, inside one pair of quotation marks.

    A direct quote shows only its quotations, joined by " … ": the attribution a content strings them
    around (``"A," she said. "B."``) and the marks themselves go (single marks too, when they enclose the
    whole content), and a trailing comma ends nothing. Any
    other content keeps its words, with its own double quotation marks turned single, as a quote inside
    a quote is printed.
    """
    text = version.content.text.strip()
    spans = quoted_spans(text)
    if version.kind == "direct" and spans:
        pieces = [text[a:b].strip(_DOUBLE_MARKS + " ").rstrip(",").strip() for a, b in spans]
        return " … ".join(p for p in pieces if p)
    if version.kind == "direct" and len(text) > 1 and text[0] in _SINGLE_MARKS and text[-1] in _SINGLE_MARKS:
        return text[1:-1].rstrip(",").strip()  # a quotation in single marks (a house style)
    chars = list(text)
    for a, b in spans:
        if chars[a] in _DOUBLE_MARKS:
            chars[a] = "‘"
        if b - 1 > a and chars[b - 1] in _DOUBLE_MARKS:
            chars[b - 1] = "’"
    return "".join(chars)


def refers_to_text(point: FigurePoint) -> str:
    """The date a value refers to, saying how it was found unless a time expression next to it gave it."""
    when = point.refers_to or "?"
    return f"{when} (dated by {point.dated_by})" if point.dated_by and point.dated_by != "expression" else when


def plotted(point: FigurePoint, series: FigureSeries) -> float:
    """The point's value in the series unit when it was normalised to it, else as given."""
    if point.normalized_value is not None and point.normalized_unit == series.unit:
        return point.normalized_value
    return point.value


def number_text(value: float) -> str:
    """A number as a reader writes it: thousands separated, no trailing ``.0``."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


def value_text(point: FigurePoint) -> str:
    """The value as the source gave it, e.g. ``more than 6,000 km²``."""
    unit = f" {point.unit}" if point.unit else ""
    return f"{_BOUND_SIGNS.get(point.bound, point.bound + ' ')}{number_text(point.value)}{unit}"


def agreeing(series: FigureSeries) -> list[list[FigurePoint]]:
    """The series' agreement groups as points (indexes past the end are ignored)."""
    groups = [[series.points[i] for i in group if 0 <= i < len(series.points)] for group in series.agreements]
    return [g for g in groups if len(g) > 1]
