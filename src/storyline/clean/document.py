"""Turn a :class:`RawDocument` into a clean :class:`Article`.

The order matters: first the document's own shape is undone (HTML extraction, a paragraph list's
inline markup, a text file's header lines), then the general furniture rules run over the
paragraphs, then the metadata is settled, with values the user gave winning over guesses.
Repetition across articles of one outlet needs the whole batch: :func:`clean_batch` applies it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from storyline.clean.detokenize import detokenize, join_tokens
from storyline.clean.furniture import remove_furniture
from storyline.clean.markup import strip_inline_markup
from storyline.clean.metadata import date_from_url, detect_language, find_outlet
from storyline.clean.published import infer_date_window
from storyline.clean.repetition import remove_repeated_lines
from storyline.clean.textdoc import parse_text_document
from storyline.ingest.html import extract_html
from storyline.model import PARAGRAPH_SEPARATOR, Article, RawDocument, Removed
from storyline.settings import Settings


def article_key(url: str | None, text: str) -> str:
    """The identity an article is stored under: its URL when known, else a hash of its normalised text."""
    if url:
        return "url:" + url.strip()
    normalised = re.sub(r"\W+", " ", text.lower()).strip()
    return "text:" + hashlib.sha256(normalised.encode()).hexdigest()


def article_id(key: str) -> str:
    """A short stable id derived from :func:`article_key`."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def clean_document(raw: RawDocument, settings: Settings | None = None) -> Article:
    """Extract, de-furnish and describe one document."""
    settings = settings or Settings()
    removed: list[Removed] = []
    if raw.format == "html":
        assert isinstance(raw.content, str)
        paragraphs, found = extract_html(raw.content, url=raw.hints.url)
    elif raw.format == "paragraphs":
        assert isinstance(raw.content, list)
        paragraphs, found, removed = strip_inline_markup(raw.content)
    else:
        assert isinstance(raw.content, str)
        paragraphs, found, removed = parse_text_document(raw.content)
    hints = raw.hints.over(found)
    if settings.clean.detokenize and (joined := detokenize(paragraphs)) is not paragraphs:
        paragraphs = joined
        hints.title = join_tokens(hints.title) if hints.title else None

    paragraphs, furniture, bylines = remove_furniture(paragraphs)
    removed.extend(furniture)
    text = PARAGRAPH_SEPARATOR.join(paragraphs)

    published, published_source, window = hints.published, hints.published_source, None
    if not published and (published := date_from_url(hints.url)):
        published_source = "url"
    if not published:
        window = infer_date_window(text, extra="\n".join(r.text for r in removed))
        published_source = "inferred" if window else None
    key = article_key(hints.url, text)
    return Article(
        id=article_id(key),
        source=raw.source,
        text=text,
        paragraphs=paragraphs,
        url=hints.url,
        outlet=hints.outlet or find_outlet(hints.url, paragraphs, removed),
        title=hints.title,
        published=published,
        published_source=published_source,
        published_window=window,
        byline=hints.byline or bylines,
        language=hints.language or detect_language(text),
        format=raw.format,
        fetched=hints.fetched,
        removed=removed,
    )


def clean_batch(raws: Iterable[RawDocument], settings: Settings | None = None) -> list[Article]:
    """Clean every document, then remove lines that recur across many articles of one outlet."""
    settings = settings or Settings()
    articles = [clean_document(raw, settings) for raw in raws]
    return remove_repeated_lines(articles, settings.clean)
