"""The LGL and TR-News toponym corpora (../shared/data/geo), read once for every benchmark that uses them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

CORPORA = (("lgl", "lgl.xml"), ("trnews", "TR-News.xml"))


@dataclass
class Toponym:
    """A gold toponym: its phrase, character span (when given) and GeoNames point (when given)."""

    phrase: str
    start: int | None
    end: int | None
    lat: float | None
    lon: float | None


@dataclass
class GeoArticle:
    """One article: its text, URL (or domain) and gold toponyms."""

    text: str
    url: str | None
    toponyms: list[Toponym]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def read_corpus(path: Path) -> list[GeoArticle]:
    """Every article of one corpus file; exits with a message naming the file when it cannot be read."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise SystemExit(f"{path}: cannot read the corpus: {exc}") from exc
    articles = []
    for article in root.iter("article"):
        toponyms = []
        for t in article.iter("toponym"):
            g = t.find("gaztag")
            lat = g.findtext("lat") if g is not None else None
            lon = g.findtext("lon") if g is not None else None
            toponyms.append(
                Toponym(
                    phrase=(t.findtext("phrase") or "").strip(),
                    start=_int(t.findtext("start")),
                    end=_int(t.findtext("end")),
                    lat=float(lat) if lat else None,
                    lon=float(lon) if lon else None,
                )
            )
        url = (article.findtext("url") or article.findtext("domain") or "").strip() or None
        articles.append(GeoArticle(article.findtext("text") or "", url, toponyms))
    return articles
