"""Metadata fields as crawlers, feeds and manifests spell them, normalised into :class:`Hints`.

The alias lists cover news-please (title, maintext, date_publish, url, authors, source_domain,
language), schema.org / NewsAPI / generic scraper layouts, and the manifest and sidecar columns.
The first alias present with a usable value wins.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Mapping
from typing import Any

from storyline.ingest.detect import HTML_BLOCK_TAG
from storyline.model import Hints, PublishedSource

TITLE = ("title", "headline")
URL = ("url", "link", "canonical_url", "source_url", "href")
PUBLISHED = (
    "date_publish",
    "published",
    "date",
    "pubDate",
    "datePublished",
    "published_at",
    "publishedAt",
    "publish_date",
    "date_published",
)
AUTHORS = ("authors", "author", "byline", "creator", "creators")
OUTLET = ("outlet", "source_domain", "site", "site_name", "source", "publisher", "domain")
LANGUAGE = ("language", "lang", "language_code", "inLanguage")
FETCHED = ("date_download", "fetched", "fetched_at", "crawled", "crawled_at", "scraped_at", "date_crawled")
# Article body fields: extracted text first, raw HTML after, a summary only as a last resort.
BODY = (
    "maintext",
    "text",
    "content",
    "content_text",  # JSON Feed
    "content_html",
    "body",
    "article",
    "articleBody",
    "article_body",
    "html",
    "raw_html",
    "description",
    "summary",
)
_HTML = re.compile(HTML_BLOCK_TAG, re.I)
# Epoch numbers above this are milliseconds, not seconds (1e11 s is the year 5138).
_EPOCH_MS = 1e11


def first(record: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    """The value of the first of ``names`` present in ``record`` with a non-empty value."""
    for name in names:
        value = record.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def text_value(value: Any) -> str | None:
    """A scalar as a stripped string; a ``{"name"|"rendered"|"@value": ...}`` object as that; else None."""
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("rendered") or value.get("@value")
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def looks_like_html(text: str) -> bool:
    """True when ``text`` has block-level HTML tags (inline ``<b>``/``<a>`` alone do not count)."""
    return bool(_HTML.search(text))


def normalize_date(value: Any) -> str | None:
    """An ISO date or datetime for an ISO string, an RFC 2822 date, an epoch number, or another absolute date.

    Relative phrases ("2 hours ago") are not resolved: they depend on when the page was fetched.
    Returns None when the value is not understood.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > _EPOCH_MS else value
        try:
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    if not re.search(r"\d", value):
        return None  # an absolute date has a day or a year; this spares dateparser's slow first load
    import dateparser  # slow to import; only needed for the unusual formats

    parsed = dateparser.parse(value, settings={"PARSERS": ["timestamp", "custom-formats", "absolute-time"]})
    if parsed is None:
        return None
    # "12 September 2022" names a day, not midnight: keep it a date when the text has no clock time.
    return parsed.date().isoformat() if not re.search(r"\d:\d", value) else parsed.isoformat()


def normalize_language(tag: str | None) -> str | None:
    """The ISO 639-1 code of a language tag ("en-US" -> "en"); None for anything else ("English")."""
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


def split_byline(value: Any) -> list[str]:
    """Author names from a list, a ``{"name": ...}`` object, or a string such as "By A and B; C"."""
    if isinstance(value, list | tuple):
        return [name for item in value for name in split_byline(item)]
    name = text_value(value)
    if not name:
        return []
    name = re.sub(r"^by\s+", "", name, flags=re.I)
    parts = [p.strip() for p in re.split(r"\s*(?:;|\||&|\band\b)\s*", name) if p.strip()]
    out = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        # "Smith, John" is one name; "John Smith, Jane Doe" is two.
        out.extend(pieces if len(pieces) > 1 and all(" " in p for p in pieces) else [part])
    return out


def hints_from_fields(record: Mapping[str, Any], published_source: PublishedSource) -> tuple[Hints, str | None]:
    """Hints from a record's metadata fields, and a warning when a date was present but not understood."""
    raw_date = first(record, PUBLISHED)
    published = normalize_date(raw_date) if raw_date is not None else None
    warning = f"date {str(raw_date)[:40]!r} not understood; ignored" if raw_date is not None and not published else None
    fetched = first(record, FETCHED)
    hints = Hints(
        url=text_value(first(record, URL)),
        title=text_value(first(record, TITLE)),
        published=published,
        published_source=published_source if published else None,
        outlet=text_value(first(record, OUTLET)),
        byline=split_byline(first(record, AUTHORS)),
        language=normalize_language(text_value(first(record, LANGUAGE))),
        fetched=normalize_date(fetched) if fetched is not None else None,
    )
    return hints, warning
