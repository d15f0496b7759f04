"""The account of one story as ONE self-contained HTML file: it opens offline and loads nothing.

CSS, JavaScript, the vendored ``topojson-client`` and the ``world-atlas`` country shapes (both in
``static/``, with their licences) are inlined; a Content-Security-Policy meta tag forbids every
network fetch. Article text reaches the page only through Jinja2 autoescaping or as JSON inside a
``<script type="application/json">`` block (``tojson`` escapes ``<``, ``>``, ``&`` and ``'``); the
script reads it with ``JSON.parse`` and writes labels with ``textContent``. No inline event handlers.

Cited passages are highlighted in each article as ``<mark id="cite-N">``, where ``N`` is the
citation number used by the brief and every other section (:class:`storyline.report.view.Footnotes`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from storyline.model import Account, Annotations, Article, Citation, FigureSeries, Place
from storyline.report.view import (
    Footnotes,
    agreeing,
    by_speaker,
    date_range,
    entity_name,
    number_text,
    plotted,
    refers_to_text,
    spoken_text,
    value_text,
)

# Chart geometry (SVG user units): small multiples that fit two to a row at 1280 px.
_CHART_W, _CHART_H, _CHART_PAD = 420, 180, 44
_JITTER = 12  # horizontal gap between points given for the same date
# Colours for outlets in charts (Okabe-Ito, distinguishable with colour blindness).
_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
_SUPPORT_LABEL = {"single-source": "single source", "unverified": "unverified"}


def render_html(account: Account, articles: list[Article], annotations: dict[str, Annotations] | None = None) -> str:
    """The HTML report of ``account``.

    ``articles`` supplies the texts whose cited passages are highlighted (those of the account, in
    its order); ``annotations`` (article id -> Annotations), when given, adds the places the articles
    mention to those of the account's entities on the map.
    """
    notes = Footnotes(account, articles)
    by_id = {a.id: a for a in articles}
    mine = [by_id[i] for i in account.article_ids if i in by_id]
    outlets = sorted({o for o in map(notes.article_outlet, mine) if o})
    places = _places(account, mine, annotations or {})
    views = [_article_view(a, notes) for a in mine]
    context = {
        "account": account,
        "notes": notes,
        "outlets": outlets,
        "dates": date_range(mine),
        "brief": account.brief,
        "support_label": _SUPPORT_LABEL,
        "timeline": account.timeline,
        "charts": [_chart(series, notes) for series in account.figures],
        "speakers": by_speaker(account.quote_groups),
        "articles": views,
        "places": places,
        "places_json": [{"name": p.name, "kind": p.kind, "lat": p.latitude, "lon": p.longitude,
                         "articles": p.articles} for p in places],
        "atlas": _atlas(),
        "static": _static(),
        # Numbers with a highlighted passage to link to; the others link to their entry under Sources.
        "cited": {n for view in views for para in view["paragraphs"] for piece in para for n in piece.anchors},
        "entity_name": lambda ref: entity_name(account, ref),
        "spoken": spoken_text,
    }
    return _environment().get_template("report.html").render(context)


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("storyline.report", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = number_text
    env.filters["value"] = value_text
    env.filters["refers_to"] = refers_to_text
    env.globals.update(numbers=_numbers, zip=zip)
    return env


@cache
def _atlas() -> Any:
    """The world-atlas countries (TopoJSON, 1:110m)."""
    return json.loads(resources.files("storyline.report").joinpath("static/countries-110m.json").read_text("utf-8"))


@cache
def _static() -> dict[str, str]:
    """Inlined assets; a vendored script must not be able to close its own <script> element."""
    files = resources.files("storyline.report")
    assets = {"topojson": files.joinpath("static/topojson-client.min.js").read_text("utf-8"),
              "script": files.joinpath("templates/report.js").read_text("utf-8"),
              "style": files.joinpath("templates/report.css").read_text("utf-8")}
    for name, text in assets.items():
        if "</script" in text.lower() or "</style" in text.lower():
            raise ValueError(f"storyline.report static asset {name!r} contains a closing tag and cannot be inlined")
    return assets


# --------------------------------------------------------------------------- map


@dataclass
class MapPlace:
    """A place to draw: where it is and how many of the story's articles name it."""

    name: str
    kind: str
    latitude: float
    longitude: float
    article_ids: set[str] = field(default_factory=set)

    @property
    def articles(self) -> int:
        """How many articles name the place."""
        return len(self.article_ids)


def _places(account: Account, articles: list[Article], annotations: dict[str, Annotations]) -> list[MapPlace]:
    """Places with coordinates from the merged entities and the articles' annotations, most named first."""
    found: dict[Any, MapPlace] = {}

    def add(place: Place, article_ids: list[str]) -> None:
        if place.latitude is None or place.longitude is None:
            return
        key = place.geonameid if place.geonameid is not None else (place.name, place.kind)
        entry = found.setdefault(key, MapPlace(place.name, place.kind, place.latitude, place.longitude))
        entry.article_ids.update(article_ids)

    for entity in account.entities:
        if entity.place is not None:
            add(entity.place, entity.article_ids)
    for article in articles:
        for entity in annotations[article.id].entities if article.id in annotations else []:
            if entity.place is not None:
                add(entity.place, [article.id])
    return sorted(found.values(), key=lambda p: (-p.articles, p.name))


# --------------------------------------------------------------------------- figures


def _chart(series: FigureSeries, notes: Footnotes) -> dict[str, Any]:
    """Coordinates of one series' chart: x by the date a value refers to (else by order), y from zero."""
    values = [plotted(p, series) for p in series.points]
    days = [_day(p.refers_to) for p in series.points]
    dated = len({d for d in days if d is not None}) > 1 and None not in days
    xs = [d.toordinal() for d in days if d is not None] if dated else list(range(len(values)))
    lo_x, hi_x = min(xs, default=0), max(xs, default=1)
    lo_y, hi_y = min([0.0, *values]), max([1e-9, *values]) * 1.15
    inner_w, inner_h = _CHART_W - 2 * _CHART_PAD, _CHART_H - 2 * _CHART_PAD

    def sx(x: float) -> float:
        return _CHART_PAD + (inner_w * (x - lo_x) / (hi_x - lo_x) if hi_x > lo_x else inner_w / 2)

    def sy(y: float) -> float:
        return _CHART_PAD + inner_h * (1 - (y - lo_y) / (hi_y - lo_y))

    outlets: list[str] = []
    points = []
    same_x = {x: xs.count(x) for x in xs}
    placed: dict[float, int] = {}
    for point, x, y in zip(series.points, xs, values, strict=True):
        outlet = notes.outlet(point.citation)
        if outlet not in outlets:
            outlets.append(outlet)
        # Points of one date side by side; their labels stacked above the group, coloured like the points.
        rank = placed[x] = placed.get(x, -1) + 1
        points.append({"x": round(sx(x) + (rank - (same_x[x] - 1) / 2) * _JITTER, 1), "y": round(sy(y), 1),
                       "label_x": round(sx(x), 1), "rank": rank, "bound": point.bound, "point": point,
                       "colour": _PALETTE[outlets.index(outlet) % len(_PALETTE)], "outlet": outlet,
                       "number": notes.number(point.citation), "label": number_text(y)})
    for p in points:
        top = min(q["y"] for q in points if q["label_x"] == p["label_x"])
        p["label_y"] = round(top - 10 - 13 * p["rank"], 1)
    ticks = sorted({(p["label_x"], pt.refers_to or "") for p, pt in zip(points, series.points, strict=True)})
    return {
        "series": series, "width": _CHART_W, "height": _CHART_H, "points": points,
        "baseline": round(sy(max(lo_y, 0.0)), 1), "left": _CHART_PAD, "right": _CHART_W - _CHART_PAD,
        "ticks": [{"x": x, "label": label[:10]} for x, label in ticks if label],
        "legend": [{"outlet": o, "colour": _PALETTE[i % len(_PALETTE)]} for i, o in enumerate(outlets)],
        "agreements": [[notes.number(p.citation) for p in group] for group in agreeing(series)],
    }


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- articles


@dataclass
class Piece:
    """A run of article text: plain, or inside one or more cited passages (``numbers``).

    ``anchors`` are the citation numbers whose passage starts here (the first becomes the mark's id).
    """

    text: str
    numbers: list[int]
    anchors: list[int]


def _article_view(article: Article, notes: Footnotes) -> dict[str, Any]:
    url = article.url if article.url and article.url.lower().startswith(("https://", "http://")) else None
    return {"article": article, "url": url, "paragraphs": _pieces(article, notes.of_article(article.id))}


def _pieces(article: Article, cited: list[Any]) -> list[list[Piece]]:
    """The article's paragraphs cut at every cited passage's ends."""
    size = len(article.text)
    spans = [(max(0, n.citation.start), min(size, n.citation.end), n.number) for n in cited]
    spans = [s for s in spans if s[0] < s[1]]
    placed: set[int] = set()
    paragraphs = []
    for start, end in article.paragraph_spans():
        cuts = sorted({start, end} | {x for s, e, _ in spans for x in (s, e) if start < x < end})
        pieces = []
        for a, b in pairwise(cuts):
            numbers = [n for s, e, n in spans if s <= a and b <= e]
            anchors = [n for n in numbers if n not in placed]
            placed.update(anchors)
            pieces.append(Piece(article.text[a:b], numbers, anchors))
        paragraphs.append(pieces)
    return paragraphs


def _numbers(citations: list[Citation], notes: Footnotes) -> list[int]:
    """The distinct footnote numbers of ``citations``, ascending."""
    return sorted({notes.number(c) for c in citations})
