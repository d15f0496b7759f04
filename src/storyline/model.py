"""The one data model shared by every stage.

Plain dataclasses, serialisable with :func:`to_dict` / :func:`from_dict`. Every span
(``start``, ``end``) is a character offset into :attr:`Article.text`, the clean text,
whose paragraphs are joined by a blank line (``"\\n\\n"``).

Flow: ``RawDocument`` (ingest) -> ``Article`` (clean) -> ``Annotations`` (annotate)
-> ``Story`` / ``CopyLink`` (cluster) -> the account (reconcile).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

PARAGRAPH_SEPARATOR = "\n\n"

PublishedSource = Literal["given", "header", "html", "url", "record", "feed", "warc", "inferred"]


# --------------------------------------------------------------------------- ingest


@dataclass
class Source:
    """Where a document came from: a path, the member inside an archive, the record index inside a file."""

    path: str
    member: str | None = None
    index: int | None = None

    def label(self) -> str:
        """A human-readable locator such as ``dump.zip!a/b.json#3``."""
        out = self.path
        if self.member:
            out += f"!{self.member}"
        if self.index is not None:
            out += f"#{self.index}"
        return out


@dataclass
class Hints:
    """Metadata known before extraction (sidecar, manifest, record fields, feed, WARC headers).

    ``given`` marks values the user supplied explicitly (sidecar/manifest); they win over anything
    guessed from the content.
    """

    url: str | None = None
    title: str | None = None
    published: str | None = None
    published_source: PublishedSource | None = None
    outlet: str | None = None
    byline: list[str] = field(default_factory=list)
    language: str | None = None
    fetched: str | None = None

    def over(self, found: Hints) -> Hints:
        """These hints with their gaps filled from ``found``: given values win over found ones.

        The date's source travels with the date it describes.
        """
        merged = Hints(**{f.name: getattr(self, f.name) or getattr(found, f.name) for f in dataclasses.fields(self)})
        merged.published_source = self.published_source if self.published else found.published_source
        return merged


@dataclass
class RawDocument:
    """One document as read from input, before cleaning.

    ``format`` is one of: html, paragraphs (a list of paragraph strings), text.
    ``content`` is the document's text (HTML source for ``html``; for ``paragraphs`` the list itself).
    """

    source: Source
    format: str
    content: str | list[str]
    hints: Hints = field(default_factory=Hints)


@dataclass
class InputProblem:
    """A file or record that could not be read; the batch goes on without it."""

    source: Source
    reason: str
    severity: Literal["warning", "error"] = "error"

    def message(self) -> str:
        """One line naming the file and the reason."""
        return f"{self.severity}: {self.source.label()}: {self.reason}"


# --------------------------------------------------------------------------- clean


@dataclass
class Removed:
    """A piece of input text the cleaner removed, with the rule that removed it."""

    text: str
    reason: str
    paragraph: int | None = None  # index of the paragraph it stood before, in the clean paragraphs


@dataclass
class DateWindow:
    """An inclusive range of possible publication dates (ISO ``YYYY-MM-DD``)."""

    earliest: str
    latest: str


@dataclass
class Article:
    """A clean article: the unit every later stage works on."""

    id: str
    source: Source
    text: str
    paragraphs: list[str]
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date (or datetime) when known
    published_source: PublishedSource | None = None
    published_window: DateWindow | None = None  # set when the date is inferred
    byline: list[str] = field(default_factory=list)
    language: str | None = None
    format: str | None = None
    fetched: str | None = None
    removed: list[Removed] = field(default_factory=list)

    def paragraph_spans(self) -> list[tuple[int, int]]:
        """Character spans of each paragraph inside :attr:`text`."""
        spans, pos = [], 0
        for para in self.paragraphs:
            spans.append((pos, pos + len(para)))
            pos += len(para) + len(PARAGRAPH_SEPARATOR)
        return spans


# --------------------------------------------------------------------------- annotate


EntityKind = Literal["person", "organisation", "place", "other"]


@dataclass
class Mention:
    """One occurrence of an entity in the text."""

    start: int
    end: int
    text: str


@dataclass
class Place:
    """A place resolved against the gazetteer."""

    geonameid: int | None
    name: str
    kind: Literal["city", "region", "country", "continent", "other"]
    country: str | None  # ISO 3166-1 alpha-2
    latitude: float | None
    longitude: float | None


@dataclass
class Entity:
    """A canonical entity of one article with all its mentions."""

    id: str
    kind: EntityKind
    name: str
    mentions: list[Mention] = field(default_factory=list)
    place: Place | None = None


@dataclass
class Quote:
    """Direct or reported speech with its speaker."""

    start: int
    end: int
    content: Mention
    cue: Mention | None
    speaker: Mention | None
    speaker_entity: str | None  # Entity.id
    kind: Literal["direct", "indirect", "mixed"]


@dataclass
class Quantity:
    """A number with its unit, bound and what it measures."""

    start: int
    end: int
    text: str
    value: float
    bound: Literal["=", "~", ">", "<", ">=", "<="] = "="
    upper: float | None = None  # for ranges
    unit: str | None = None
    dimension: str | None = None  # pint dimensionality, e.g. "[length] ** 2"
    normalized_value: float | None = None
    normalized_unit: str | None = None
    measured: str | None = None  # the noun it counts or measures


@dataclass
class TimeRef:
    """A time expression resolved against the publication date."""

    start: int
    end: int
    text: str
    value: str | None  # ISO: 2022-09-12, 2022-W37, 2022-09, 2022, or a period start/end
    granularity: Literal["day", "week", "month", "year", "time", "period", "unknown"]
    end_value: str | None = None  # for periods ("since the beginning of September")
    uncertain: bool = False


@dataclass
class Annotations:
    """Everything the annotate stage found in one article."""

    article_id: str
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    times: list[TimeRef] = field(default_factory=list)


# --------------------------------------------------------------------------- cluster


@dataclass
class Story:
    """A group of articles telling the same story."""

    id: str
    title: str
    article_ids: list[str]
    outlets: list[str] = field(default_factory=list)
    first: str | None = None
    last: str | None = None


@dataclass
class AlignedPassage:
    """A passage of one article aligned to a passage of another."""

    source_start: int
    source_end: int
    target_start: int
    target_end: int
    similarity: float


@dataclass
class CopyLink:
    """One article copying or rewriting another (``source`` is the earlier one when dates allow)."""

    source: str
    target: str
    kind: Literal["duplicate", "rewrite", "shared_wire"]
    score: float
    directed: bool
    passages: list[AlignedPassage] = field(default_factory=list)


# --------------------------------------------------------------------------- reconcile (the account)


@dataclass
class Citation:
    """A passage of one article that supports something the account says."""

    article_id: str
    start: int
    end: int
    text: str
    outlet: str | None = None


@dataclass
class MergedEntity:
    """One entity across the story's articles, with every spelling and the articles using it."""

    id: str
    kind: EntityKind
    name: str
    spellings: dict[str, list[str]] = field(default_factory=dict)  # spelling -> article ids
    article_ids: list[str] = field(default_factory=list)
    place: Place | None = None


@dataclass
class QuoteVersion:
    """One outlet's rendering of a statement."""

    article_id: str
    outlet: str | None
    kind: Literal["direct", "indirect", "mixed"]
    content: Citation
    speaker: Citation | None = None


@dataclass
class QuoteGroup:
    """The same statement as reported by several articles (verbatim, paraphrased or translated)."""

    id: str
    speaker_entity: str | None  # MergedEntity.id
    speaker_name: str | None
    versions: list[QuoteVersion] = field(default_factory=list)
    similarity: float = 1.0  # lowest pairwise similarity of the versions' contents


@dataclass
class Claim:
    """A factual statement grouped across sources."""

    id: str
    text: str  # the representative wording (a source sentence)
    citations: list[Citation] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    independent_sources: int = 1  # copies and shared wire copy count once
    asserted_by: str | None = None  # None: the outlet itself; else a MergedEntity.id or name
    hedges: list[str] = field(default_factory=list)  # "cannot verify", "reportedly", ...

    @property
    def single_source(self) -> bool:
        """True when only one independent source reports the claim."""
        return self.independent_sources <= 1


@dataclass
class FigurePoint:
    """One value of a figure, as one source gives it."""

    value: float
    bound: str
    unit: str | None
    normalized_value: float | None
    normalized_unit: str | None
    refers_to: str | None  # ISO date (or period start) the value describes
    citation: Citation
    claimant: str | None = None
    # How refers_to was found: "expression" (a time expression governing the figure), "published", "window"
    # (end of an inferred window), "story" (estimated from the story); "expression:<anchor>" when the
    # expression was resolved against a window or story anchor.
    dated_by: str | None = None


@dataclass
class FigureSeries:
    """Quantities that measure the same thing, ordered by the date they refer to."""

    id: str
    measured: str
    dimension: str | None
    unit: str | None  # the unit values are reconciled to
    claimant: str | None
    points: list[FigurePoint] = field(default_factory=list)
    agreements: list[list[int]] = field(default_factory=list)  # groups of point indexes that agree within rounding


@dataclass
class Discrepancy:
    """The same event or figure given differently by different sources."""

    id: str
    kind: Literal["date", "number", "place", "actor"]
    about: str  # what the sources disagree on
    values: list[str]  # one per side, aligned with ``citations``
    citations: list[Citation] = field(default_factory=list)


@dataclass
class TimelineEvent:
    """A dated event with its sources."""

    date: str
    granularity: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    uncertain: bool = False  # every source dates it against an estimated publication date


@dataclass
class BriefSentence:
    """One sentence of the brief, with the passages that support it."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    support: Literal["corroborated", "single-source", "unverified"] = "corroborated"


@dataclass
class Account:
    """The cross-source account of one story."""

    story_id: str
    title: str
    article_ids: list[str] = field(default_factory=list)
    entities: list[MergedEntity] = field(default_factory=list)
    quote_groups: list[QuoteGroup] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    figures: list[FigureSeries] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    brief: list[BriefSentence] = field(default_factory=list)


# --------------------------------------------------------------------------- (de)serialisation


def to_dict(obj: Any) -> Any:
    """Turn a model object (or list/dict of them) into JSON-ready data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [to_dict(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


T = typing.TypeVar("T")


def from_dict(cls: type[T], data: Any) -> T:
    """Rebuild a model object of type ``cls`` from :func:`to_dict` output."""
    return typing.cast(T, _convert(cls, data))


def _convert(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], data) if len(args) == 1 else data
    if origin is list:
        (item,) = typing.get_args(tp)
        return [_convert(item, x) for x in data]
    if origin is dict:
        _, val = typing.get_args(tp)
        return {k: _convert(val, v) for k, v in data.items()}
    if dataclasses.is_dataclass(tp):
        fields = _field_types(tp)
        return tp(**{name: _convert(hint, data[name]) for name, hint in fields if name in data})
    return data


@functools.cache
def _field_types(cls: type) -> tuple[tuple[str, Any], ...]:
    """A dataclass's fields with their resolved types (resolving is slow, and the model's classes are few)."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
