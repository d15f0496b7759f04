"""Plain-text documents: optional header lines, an optional headline line, then paragraphs.

Recognised header lines, at the top of the file only (keys are case-insensitive):

* ``date YYYY-MM-DD[ time] Headline`` - a dump format that puts the date and the headline on one line;
* ``key: value`` with key one of title/headline, url/link, date/published, by/author/byline;
* ``by Name[, Title]`` - a byline;
* a URL alone on the line (spaced-out tokenised URLs are joined up).

A line among the first three of the body that is only a date, with an optional weekday, time and zone
(a dateline: "Tue Jul 2, 2013 1:28PM GMT"), dates the article when no header did, and is removed.

Without a title header, a first line of 3-30 words not ending like a sentence or a dateline, followed
by a blank line is the headline. Paragraphs are separated by blank lines; a text with no blank line at
all, or whose long lines show it is not hard-wrapped, has one paragraph per line. Furniture inside the
body (a bare comment count under the headline, promos...) is left to :mod:`storyline.clean.furniture`.
"""

from __future__ import annotations

import re

import dateparser

from storyline.clean.furniture import parse_byline
from storyline.model import Hints, Removed

_ISO = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DATE_TITLE = re.compile(rf"^date\s+(?P<date>{_ISO})(?:\s+(?P<title>.+))?$", re.I)
_KEY_VALUE = re.compile(r"^(?P<key>title|headline|url|link|date|published|by|author|byline)\s*:\s*(?P<value>.*)$", re.I)
_KEYS = {"headline": "title", "link": "url", "published": "date", "author": "by", "byline": "by"}
# A headline is a line, not a paragraph: at most this many words (longest headlines run ~20-25).
MAX_HEADLINE_WORDS = 30
# A line ending like a sentence or a dateline ("KYIV (Reuters) -") is not a headline.
_NOT_HEADLINE_END = re.compile(r"[.,;:(\[–—-]\s*$")
MIN_HEADLINE_WORDS = 3
# A URL alone on a header line. Tokenised corpus dumps space it out ("http: / / www. example. com / a - b"):
# then every gap touches a URL punctuation mark, which a URL followed by words never does.
_BARE_URL = re.compile(r"^https?\s*:\s*/\s*/\s*\S.*$", re.I)
_URL_GAP = re.compile(r"(?<![./:?=&_#-])\s+(?![./:?=&_#-])")


_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
# A dateline: a line that is only a date, after an optional weekday, with an optional time and zone after it
# ("Tue Jul 2, 2013 1:28PM GMT", "WEDNESDAY 03 JULY 2013", "March 1, 2012 -- 07:58 GMT (23:58 PST)").
_DATELINE = re.compile(
    rf"^(?:[a-z]+day|mon|tue|wed|thu|fri|sat|sun)?\.?,?\s*"
    rf"(?P<date>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s*\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}})"
    r"(?P<rest>(?:[\s\d:.,()/|–—-]|[ap]\.?\s?m\b\.?|\b[a-z]{2,4}t\b|\butc\b)*)$",
    re.I,
)
# Lines at the top of the body searched for a dateline.
DATELINE_LINES = 3


def _dateline(line: str) -> str | None:
    """The ISO date of a dateline line, None for any other line."""
    match = _DATELINE.match(line.strip())
    return _parse_date(match["date"]) if match else None


def _parse_date(value: str) -> str | None:
    """An ISO date (or datetime) from a header value, or None when it is not an unambiguous full date."""
    value = value.strip()
    if re.fullmatch(_ISO, value):
        return value
    parsed = dateparser.parse(value, settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]})
    return parsed.date().isoformat() if parsed else None


def _header(line: str, hints: Hints) -> bool:
    """Read one header line into ``hints``; False when the line is not a header."""
    stripped = line.strip()
    if hints.url is None and _BARE_URL.match(stripped) and not _URL_GAP.search(stripped):
        hints.url = re.sub(r"\s+", "", stripped)
        return True
    if match := _DATE_TITLE.match(stripped):
        hints.published, hints.published_source = match["date"], "header"
        hints.title = hints.title or (match["title"] or "").strip() or None
        return True
    names = parse_byline(stripped)
    if names and not re.match(r"^by\s*:", stripped, re.I):
        hints.byline.extend(names)
        return True
    match = _KEY_VALUE.match(stripped)
    if not match:
        return False
    key = _KEYS.get(match["key"].lower(), match["key"].lower())
    value = match["value"].strip()
    if key == "title":
        hints.title = value or hints.title
    elif key == "url":
        if not re.match(r"^(?:https?://)?[\w.-]+\.[a-z]{2,}\S*$", value, re.I):
            return False
        hints.url = value
    elif key == "date":
        date = _parse_date(value)
        if date:
            hints.published, hints.published_source = date, "header"
    else:
        names = parse_byline("by " + value)
        if not names:
            return False
        hints.byline.extend(names)
    return True


# A text whose lines never exceed this many characters is hard-wrapped (e-mail, terminal dumps wrap at
# 72-80): its single newlines are soft. Longer lines mean one line per paragraph or item.
MAX_WRAP_WIDTH = 100


def _paragraphs(lines: list[str]) -> list[str]:
    body = "\n".join(lines).strip("\n")
    if not re.search(r"\n[ \t]*\n", body):
        return [" ".join(line.split()) for line in body.split("\n") if line.strip()]
    blocks = re.split(r"\n[ \t]*\n", body)
    hard_wrapped = max(len(line.rstrip()) for line in body.split("\n")) <= MAX_WRAP_WIDTH
    if not hard_wrapped:  # a line break inside a block separates items ("Previous article…" / "Next article…")
        blocks = [line for block in blocks for line in block.split("\n")]
    return [" ".join(block.split()) for block in blocks if block.strip()]


def parse_text_document(text: str) -> tuple[list[str], Hints, list[Removed]]:
    """Split a plain-text article into paragraphs, reading header lines and a headline into hints."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    hints = Hints()
    removed: list[Removed] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
        elif _header(lines[i], hints):
            removed.append(Removed(text=lines[i].strip(), reason="header", paragraph=0))
            i += 1
        else:
            break
    if hints.title is None and i + 1 < len(lines) and not lines[i + 1].strip():
        first = lines[i].strip()
        rest = "\n".join(lines[i + 1 :]).strip()
        words = len(first.split())
        if rest and MIN_HEADLINE_WORDS <= words <= MAX_HEADLINE_WORDS and not _NOT_HEADLINE_END.search(first):
            hints.title = first
            removed.append(Removed(text=first, reason="headline", paragraph=0))
            i += 1
    if hints.published is None:  # a dateline among the first lines of the body dates the article
        body = [k for k in range(i, len(lines)) if lines[k].strip()][:DATELINE_LINES]
        for k in body:
            if date := _dateline(lines[k]):
                hints.published, hints.published_source = date, "header"
                removed.append(Removed(text=lines[k].strip(), reason="dateline", paragraph=0))
                del lines[k]
                break
    return _paragraphs(lines[i:]), hints, removed
