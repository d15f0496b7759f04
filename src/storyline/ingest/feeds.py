"""RSS and Atom feeds (feedparser): one document per item.

feedparser is always given a byte stream, never a string: given a string it would treat it as a
URL or a file name and fetch or open it. It does not resolve external XML entities.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import time
from collections.abc import Iterator
from typing import Any

import feedparser
import lxml.etree
import lxml.html

from storyline.ingest.fields import normalize_language, split_byline
from storyline.ingest.records import too_many_records
from storyline.model import Hints, InputProblem, RawDocument, Source
from storyline.settings import IngestSettings

Item = RawDocument | InputProblem
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article")


def read_feed(data: bytes, source: Source, settings: IngestSettings) -> Iterator[Item]:
    """Yield one document per feed item: HTML content -> html, else the summary as text."""
    try:
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=True)
    except Exception as exc:  # feedparser lets assorted errors (e.g. UnicodeDecodeError) escape on corrupt bytes
        yield InputProblem(source, f"not a readable feed: {type(exc).__name__}: {exc}")
        return
    entries = parsed.entries
    if not entries:
        reason = f": {parsed.get('bozo_exception')}" if parsed.bozo else ""
        yield InputProblem(source, f"feed has no items{reason}")
        return
    if parsed.bozo:
        reason = f"malformed feed XML ({parsed.get('bozo_exception')}); items read leniently"
        yield InputProblem(source, reason, "warning")
    language = normalize_language(parsed.feed.get("language"))
    for index, entry in enumerate(entries[: settings.max_records_per_file]):
        yield _entry_document(entry, Source(source.path, source.member, index), language)
    if len(entries) > settings.max_records_per_file:
        yield too_many_records(source, settings)


def _entry_document(entry: Any, source: Source, language: str | None) -> Item:
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")] or entry.get("author")
    hints = Hints(
        url=entry.get("link"),
        title=entry.get("title") or None,
        published=_iso(published) if published else None,
        published_source="feed" if published else None,
        byline=split_byline(authors),
        language=language,
    )
    contents = [c for c in entry.get("content", []) if c.get("value", "").strip()]
    html = next((c["value"] for c in contents if c.get("type") in _HTML_TYPES), None)
    if html:
        return RawDocument(source, "html", html, hints)
    summary = contents[0] if contents else entry.get("summary_detail")
    if not summary or not summary.get("value", "").strip():
        return InputProblem(source, "feed item has no content or summary")
    value = summary["value"]
    text = fragment_text(value) if summary.get("type") in _HTML_TYPES else value
    return RawDocument(source, "text", text, hints)


def fragment_text(html: str) -> str:
    """Plain text of an HTML fragment, one paragraph per block element, blank lines between them."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):  # e.g. a summary that is only a comment
        return html
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter(*_BLOCKS):
        block.tail = "\n\n" + (block.tail or "")
    lines = (line.strip() for line in root.text_content().split("\n\n"))
    return "\n\n".join(line for line in lines if line)


def _iso(parsed: time.struct_time) -> str:
    """feedparser's UTC struct_time as an ISO datetime."""
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC).isoformat()
