"""Article body and metadata from one HTML page.

The body comes from trafilatura; the metadata is gathered from every structured source the page
offers (JSON-LD, OpenGraph and other meta tags, ``<time>`` elements, byline markup, htmldate, the
URL) and settled by general rules: the page's own structured data wins over heuristics, titles lose
their " | Site" and " - Section" parts by comparison with the site name, the declared sections and the
other title candidates, two disagreeing structured headlines are settled by the ``<title>``, and author
values that are not person names (URLs, e-mails, the outlet itself, generic staff credits) are dropped.
Nothing here is keyed to an outlet.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from copy import deepcopy
from datetime import datetime
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import htmldate
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html

from storyline.model import Hints
from storyline.settings import HtmlSettings, IngestSettings

log = logging.getLogger(__name__)

# schema.org types whose JSON-LD object describes the article itself.
_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "socialmediaposting", "report", "scholarlyarticle", "techarticle",
}
_TITLE_SEPARATORS = re.compile(r"\s+[|–—\-:·•»/~]\s+|\s*[|•»｜：ㅣ]\s*")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)")
# A byline's lead word ("By", "Von", "Por" ...), dropped before splitting names.
_BYLINE_LEAD = re.compile(
    r"^\s*(?:(?i:written\s+by|posted\s+by|reported\s+by|text:|texto:|autor(?:in)?:?|author:?|by|von|por|par|door|av|af|"
    r"przez|tekst:?)|di|da|de|z|od)(?:\s+|$)",  # the short ones only in lower case: "De Luca" is a name
)
# Separators between names: punctuation and "and" in the languages of the sources (en, de, es, fr, it/pt,
# no/da, sv, nl, ca/pl).
_NAME_SPLIT = re.compile(r"\s*(?:[,;|/]|\s&\s|\b(?:and|und|y|et|e|og|och|en|i)\b)\s*", re.IGNORECASE)
# "Kicker: Headline" (colon, dash or bar after a short lead).
# Text in scripts that write no hyphenated compounds: Hangul, kana, CJK ideographs (and spaces).
_IDEOGRAPHIC = re.compile(r"[\s\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]+")
_KICKER = re.compile(r"^(.{3,80}?)(?::|\s[-–—|])\s+(.{10,})$")
_PARENTHESISED = re.compile(r"\([^)]*\)?")
# Job titles trailing a name ("Jane Doe, Reporter", Korean/Japanese "기자"/"記者" = reporter).
_ROLE_SUFFIX = re.compile(r"\s*(?:\b(?:staff\s+)?(?:reporter|correspondent|writer)|기자|특파원|記者|特派員)\s*$",
                          re.IGNORECASE)
# Letters (any script), marks, spaces and the punctuation names contain: "O'Neil", "Jean-Luc", "Dr. Max".
_NAME_CHARS = re.compile(r"[^\W\d_](?:[^\W\d_]|[\s.'’\-‐])*", re.UNICODE)
# Credits that name a role or a desk rather than a person; compared case-insensitively, whole value.
_GENERIC_CREDITS = {
    "staff", "admin", "administrator", "editor", "editors", "editorial", "editorial staff", "editorial team",
    "news desk", "newsdesk", "web desk", "webdesk", "desk", "staff writer", "staff reporter", "team",
    "redaktion", "newsroom", "online", "guest", "anonymous", "unknown", "null", "none", "red", "agenturen",
    "agencies", "agency", "wires", "wire", "wire services",
}
# A capitalised lead word inside a value ("Section By Jane Roe"): the name is what follows it.
_INNER_LEAD = re.compile(r"^.*?\s(?:By|Von|Por|Par|Door|Av|Af)\s+(?=\w)")


def extract_html(html: str, url: str | None = None, settings: HtmlSettings | None = None) -> tuple[list[str], Hints]:
    """The article body of ``html`` as paragraphs, and the metadata found on the page.

    Never raises on bad input: a page that cannot be parsed, or has no article text, gives an empty
    paragraph list (and whatever metadata could be read).
    """
    settings = settings or HtmlSettings()
    if not html or not html.strip():
        return [], Hints(url=url)
    try:
        tree = load_html(html)
    except (ValueError, etree.LxmlError) as exc:  # load_html guards most cases; be safe all the same
        log.debug("unparsable HTML: %s", exc)
        tree = None
    if tree is None:
        return [], Hints(url=url)
    page = _Page(tree, url, settings)
    text, doc = _body(tree, page.canonical_url(), settings)
    hints = page.hints(doc)
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    # The headline repeated as the first paragraph is not body text.
    while paragraphs and hints.title and _norm(paragraphs[0]) == _norm(hints.title):
        paragraphs.pop(0)
    return paragraphs, hints


# --------------------------------------------------------------------------- body


def _trafilatura(tree: HtmlElement, url: str | None, settings: HtmlSettings, **options: Any) -> Document | None:
    """One trafilatura pass over a copy of ``tree`` (it prunes the tree it is given); None when it fails."""
    try:
        doc = trafilatura.bare_extraction(deepcopy(tree), url=url, include_comments=False,
                                          include_tables=settings.include_tables, **options)
    except (ValueError, TypeError, AttributeError, etree.LxmlError, RecursionError) as exc:
        log.debug("trafilatura failed: %s", exc)
        return None
    return doc if isinstance(doc, Document) else None


def _body(tree: HtmlElement, url: str | None, settings: HtmlSettings) -> tuple[str, Document | None]:
    """The body text and trafilatura's metadata.

    The main pass favours precision and may hand over to trafilatura's fallback extractors; a second,
    plain fast pass checks it. The main pass is replaced when it looks wrong against the check: far
    longer than a substantial plain extraction (a fallback that took the whole page), or a scrap where
    the plain pass found an article (precision mode that kept the wrong block).
    """
    main = _trafilatura(tree, url, settings, with_metadata=True, favor_precision=settings.favor_precision)
    text = main.text if main and main.text else ""
    if not settings.check_pass:
        return text, main
    check = _trafilatura(tree, url, settings, fast=True)
    plain = check.text if check and check.text else ""
    n_main, n_plain = len(text.split()), len(plain.split())
    bloated = n_plain >= settings.bloat_min_words and n_main >= settings.bloat_ratio * n_plain
    starved = n_main < settings.starved_max_words and n_plain >= settings.starved_ratio * max(n_main, 1)
    return (plain if bloated or starved else text), main


# --------------------------------------------------------------------------- metadata


class _Page:
    """Metadata sources of one parsed page, read once."""

    def __init__(self, tree: HtmlElement, url: str | None, settings: HtmlSettings) -> None:
        self.tree = tree
        self.settings = settings
        self.given_url = url
        self.meta: dict[str, list[str]] = {}
        for el in tree.iter("meta"):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            value = (el.get("content") or "").strip()
            if key and value:
                self.meta.setdefault(key, []).append(value)
        self.ld = list(_json_ld_objects(tree))
        self.article = _main_article(self.ld)

    def first_meta(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, []):
                if value:
                    return _clean_space(value)
        return None

    # ---------------------------------------------------------------- fields

    def hints(self, doc: Document | None) -> Hints:
        url = self.canonical_url()
        outlet = self.outlet() or (doc.sitename if doc else None)
        published, source = self.published(url, doc.date if doc else self.htmldate())
        return Hints(
            url=url,
            title=self.title(outlet, url),
            published=published,
            published_source=source,
            outlet=outlet,
            byline=self.authors(outlet, url, doc.author if doc else None),
            language=self.language(),
        )

    def canonical_url(self) -> str | None:
        links = self.tree.iterfind(".//link")
        candidates = [el.get("href") for el in links if (el.get("rel") or "").lower() == "canonical"]
        candidates.append(self.first_meta("og:url"))
        for cand in candidates:
            if cand and cand.strip():
                absolute = urljoin(self.given_url or "", cand.strip())
                if absolute.startswith(("http://", "https://")):
                    return absolute
        return self.given_url

    def outlet(self) -> str | None:
        name = self.first_meta("og:site_name", "application-name", "al:android:app_name", "twitter:app:name:iphone")
        if not name and self.article:
            name = _ld_name(self.article.get("publisher"))
        return name or None

    def language(self) -> str | None:
        lang = (self.tree.get("lang") or self.tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
        if not lang:
            lang = self.first_meta("og:locale", "content-language", "language") or ""
        code = re.split(r"[-_]", lang.lower(), maxsplit=1)[0]
        return code if re.fullmatch(r"[a-z]{2}", code) else None

    # ---------------------------------------------------------------- title

    def title(self, outlet: str | None, url: str | None) -> str | None:
        """The headline: the first candidate by source reliability, cleaned of site and section parts and kicker.

        Order (measured on the fundus dev pages): JSON-LD headline, og:title, <title>, twitter:title,
        other meta titles, the first <h1>, JSON-LD name; a JSON-LD headline and og:title that disagree
        are settled by ``_headline_source``.
        """
        h1 = [_clean_space(h.text_content()) for h in self.tree.iter("h1")]
        ld = (self.article or {}).get
        raw = {"ld": _ld_text(ld("headline")), "og": self.first_meta("og:title"),
               "title": self.tree.findtext(".//title"), "twitter": self.first_meta("twitter:title"),
               "meta": self.first_meta("title", "dc.title", "sailthru.title", "parsely-title"),
               "h1": next((h for h in h1 if 3 <= len(h) <= 300), None), "ld_name": _ld_text(ld("name"))}
        found = {key: _clean_space(unescape(value)) for key, value in raw.items() if value and value.strip()}
        site_names = _site_names(outlet, url, self.first_meta("og:site_name"))
        sections = self.sections()
        candidates = list(found.values())
        cleaned = {key: title for key, value in found.items()
                   if (title := _strip_section(_strip_site(value, site_names, candidates), sections))}
        if not cleaned:
            return None
        best = cleaned[_headline_source(cleaned, self.settings.headline_apart_from_title)]
        # Of the spellings of that headline ("Topic: Headline", "Topic - Headline"), the one most sources share.
        spellings = [c for c in cleaned.values() if _norm(c) == _norm(best)]
        best = max(spellings, key=spellings.count)
        # A truncated headline ("..." at the end) gives way to the full one it starts.
        if best.endswith(("...", "…")):
            stem = _norm(best.rstrip(".… "))
            best = next((c for c in cleaned.values() if _norm(c).startswith(stem) and not c.endswith(("...", "…"))),
                        best)
        # A kicker ("Topic: Headline") that the social titles leave out or replace: keep the shared headline.
        # (Only og/twitter titles vote: the <h1> often carries its kicker in a separate element.)
        kicker = _KICKER.match(best)
        if kicker:
            social = [cleaned[key] for key in ("og", "twitter") if key in cleaned]
            # a social title with the same headline behind an unrelated kicker also marks it as a kicker
            head = _norm(kicker.group(1))
            tails = {_norm(m.group(2)) for c in social if (m := _KICKER.match(c))
                     and head not in _norm(m.group(1)) and _norm(m.group(1)) not in head}
            if _norm(kicker.group(2)) in {_norm(c) for c in social} | tails:
                return kicker.group(2)
        return best

    def sections(self) -> list[str]:
        """The section names the page declares (``article:section``, ``*category`` metas, JSON-LD articleSection)."""
        values = [v for key, vals in self.meta.items() if key.endswith(("section", "category")) for v in vals]
        values += [v for v in _as_list((self.article or {}).get("articleSection")) if isinstance(v, str)]
        names = [_clean_space(v).strip(" -–—|:/") for v in values]
        return [n for n in dict.fromkeys(names) if 2 <= len(n) <= 40]

    # ---------------------------------------------------------------- date

    def published(self, url: str | None, found: str | None) -> tuple[str | None, Any]:
        """Structured dates (with time and offset) first, then htmldate's pick (via trafilatura), then the URL."""
        candidates: list[str | None] = []
        if self.article:
            candidates.append(_ld_text(self.article.get("datePublished")))
        candidates.append(self.first_meta(
            "article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
            "pubdate", "publishdate", "publish-date", "date", "dc.date.issued", "dc.date", "dcterms.created",
            "sailthru.date", "article.published", "published_time", "og:published_time", "cxenseparse:recs:publishtime",
        ))
        if self.article:
            candidates.append(_ld_text(self.article.get("dateCreated")))
        for cand in candidates:
            iso = _iso(cand)
            if iso:
                return iso, "html"
        if found:
            return found, "html"
        for cand_url in (url, self.given_url):
            match = _URL_DATE.search(cand_url or "")
            if match:
                return "-".join(match.groups()), "url"
        return None, None

    def htmldate(self) -> str | None:
        """htmldate's publication date, for when trafilatura (which runs it) gave up on the page."""
        try:
            return htmldate.find_date(self.tree, original_date=True)
        except (ValueError, TypeError, AttributeError, etree.LxmlError) as exc:
            log.debug("htmldate failed: %s", exc)
            return None

    # ---------------------------------------------------------------- authors

    def authors(self, outlet: str | None, url: str | None, heuristic: str | None) -> list[str]:
        """Author names from the first source that yields any person-like name."""
        names = _site_names(outlet, url, self.first_meta("og:site_name"))
        if self.article:
            names.append(_ld_name(self.article.get("publisher")) or "")
        # each name both as words and run together ("n tv" / "ntv"), so "n-tv Nachrichten" matches n-tv.de
        banned = {form for n in names if n for form in (_norm(n), _norm(n).replace(" ", ""))} - {""}
        for values in self._author_sources(heuristic):
            names = _author_names(values, banned)
            if names:
                return names
        return []

    def _author_sources(self, heuristic: str | None) -> Iterator[list[str]]:
        if self.article:
            yield [n for n in (_ld_name(a) for a in _as_list(self.article.get("author"))) if n]
        for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
                    "byl", "cxenseparse:author", "twitter:creator"):
            yield self.meta.get(key, [])
        # trafilatura's byline heuristics (its names are ";"-separated)
        yield (heuristic or "").split(";")
        yield [_clean_space(el.text_content()) for el in self.tree.xpath(
            "//*[@rel='author' or @itemprop='author']") if len(el.text_content()) < 120]
        yield [_clean_space(el.text_content()) for el in self.tree.xpath(
            "//*[contains(@class,'byline') or contains(@class,'author')][not(descendant::*[contains(@class,'byline') "
            "or contains(@class,'author')])]") if len(el.text_content()) < 120][:4]


# --------------------------------------------------------------------------- JSON-LD


def _json_depth(text: str) -> int:
    """Maximum bracket nesting of a JSON text, strings ignored (checked before parsing)."""
    depth = best = 0
    for ch in re.sub(r'"(?:\\.|[^"\\])*"', "", text):
        if ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def _json_ld_objects(tree: HtmlElement, max_depth: int = IngestSettings.max_json_depth) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts, flattened through lists and ``@graph``."""
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = (script.text or "").strip().removeprefix("<!--").removesuffix("-->").strip()
        if not text or _json_depth(text) > max_depth:
            continue
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity", "mainEntityOfPage"))


def _types(obj: dict[str, Any]) -> set[str]:
    return {str(t).lower().rsplit("/", 1)[-1] for t in _as_list(obj.get("@type"))}


def _main_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The JSON-LD object describing the article: an article type, preferring one with a headline."""
    articles = [o for o in objects if _types(o) & _ARTICLE_TYPES]
    for obj in articles:
        if obj.get("headline"):
            return obj
    return articles[0] if articles else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _ld_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, str | int | float) and str(value).strip():
        return _clean_space(str(value))
    return None


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            name = " ".join(str(n) for n in name)
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName', '')} {value.get('familyName', '')}"
        return _clean_space(str(name)) if name else None
    return _clean_space(value) if isinstance(value, str) and value.strip() else None


# --------------------------------------------------------------------------- helpers


def _clean_space(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _site_names(outlet: str | None, url: str | None, site_name: str | None) -> list[str]:
    """Names the site goes by: its declared name, its host, the host's main label (``example`` of www.example.co.uk)."""
    names = [n for n in (outlet, site_name) if n]
    host = urlsplit(url or "").hostname or ""
    labels = [part for part in host.split(".") if part not in ("www", "m", "amp", "edition")]
    if labels:
        names.append(host.removeprefix("www."))
        # the registrable label: the longest label of the host except the top-level ones
        names.append(max(labels[:-1] or labels, key=len))
    return names


def _strip_site(title: str, site_names: list[str], candidates: list[str]) -> str:
    """``title`` without a leading or trailing segment that names the site."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    keys = {_norm(n) for n in site_names if n}
    compact = {k.replace(" ", "") for k in keys}

    def is_site(segment: str) -> bool:
        key = _norm(segment)
        # the site's name as the segment, inside it, or leading a short one ("Example News" on example.com)
        words = key.split()
        return bool(key) and (key in keys or key.replace(" ", "") in compact or (words[0] in keys and len(words) <= 3)
                              or any(k and (k in key or key in k) and len(key) <= 40 for k in compact if len(k) >= 4))

    seps = _TITLE_SEPARATORS.findall(title)
    # drop site-naming segments from the end, then from the start
    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
        seps.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
        seps.pop(0)
    rebuilt = parts[0] + "".join(s + p for s, p in zip(seps, parts[1:], strict=False))
    if rebuilt != title:
        return rebuilt.strip()
    # No site name matched: another candidate equal to this title's leading segments marks the rest as suffix.
    others = {_norm(c) for c in candidates if c != title}
    for i in range(1, len(parts)):
        head = parts[0] + "".join(s + p for s, p in zip(seps[: i - 1], parts[1:i], strict=True))
        if _norm(head) in others:
            return head.strip()
    return title


def _headline_source(cleaned: dict[str, str], apart_from_title: bool) -> str:
    """Which title candidate to take: the first by source order.

    With ``apart_from_title``, a JSON-LD headline and og:title that disagree are settled by the
    ``<title>``: a page with two headlines repeats one of them there, and the other one wins
    (measured on the fundus pages: 234/258 against 225 without it; see docs/stages/extraction.md).
    """
    first = next(iter(cleaned))
    if not apart_from_title or not all(key in cleaned for key in ("ld", "og", "title")):
        return first
    ld, og, title = (_norm(cleaned[key]) for key in ("ld", "og", "title"))
    if ld == og or title not in (ld, og):
        return first
    return "og" if title == ld else "ld"


def _strip_section(title: str, sections: list[str]) -> str:
    """``title`` without a trailing segment naming one of the page's sections ("Headline - Politics").

    The separator is spaced (" - ", " | " ...), or a bare hyphen when the section is written in a script
    without hyphenated compounds (Hangul, kana, CJK: "헤드라인-정치").
    """
    for section in sections:
        glued = "|(?<=\\S)-" if _IDEOGRAPHIC.fullmatch(section) else ""
        match = re.search(rf"(?:\s+[|–—\-:·•»/~]\s*|\s*[|•»｜ㅣ]\s*{glued}){re.escape(section)}\s*$", title,
                          re.IGNORECASE)
        if match and len(title[: match.start()].strip()) >= 10:
            return title[: match.start()].strip()
    return title


def _author_names(values: Iterable[str], banned: set[str]) -> list[str]:
    """Person-like names from raw author values: split, de-prefixed, non-names dropped, order kept."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        if not value or re.match(r"https?://|www\.|@", value.strip(), re.IGNORECASE):
            continue
        # parenthesised initials or credits ("Jane Doe (jd)", "(Image: ...)") are not part of a name
        value = _BYLINE_LEAD.sub("", _PARENTHESISED.sub(" ", value.replace("_", " ")).strip())
        value = _INNER_LEAD.sub("", value)
        for part in _NAME_SPLIT.split(value):
            name = _ROLE_SUFFIX.sub("", _BYLINE_LEAD.sub("", part)).strip(" .,-–—·\"'")
            if not _is_person_like(name, banned):
                continue
            key = _norm(name)
            if key not in seen:
                seen.add(key)
                out.append(name)
    return out


def _is_person_like(name: str, banned: set[str]) -> bool:
    """A name: letters with only the punctuation names use, not a generic credit, not the outlet."""
    if not name or len(name) < 2 or len(name) > 60 or len(name.split()) > 5:
        return False
    if not _NAME_CHARS.fullmatch(name) or re.search(r"\.[a-z]{2,4}$", name):
        return False
    key = _norm(name)
    if key in _GENERIC_CREDITS or key in banned:
        return False
    # the outlet named as a word of the credit ("Example News" on example.com, "MDR Thüringen" on mdr.de)
    tokens = {re.sub(r"\W+", "", t) for t in name.casefold().split()}
    # e-mail or web addresses that a byline heuristic turned into words ("Desk Example Com")
    return not (tokens & banned) and not (tokens & {"com", "net", "org", "www", "http", "https"})


def _iso(value: str | None) -> str | None:
    """An ISO date or datetime (offset kept) from a structured date value, or None when it is not one."""
    if not value:
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        match = re.match(r"((?:19|20)\d{2})-(\d{2})-(\d{2})", text)
        return "-".join(match.groups()) if match else None
    if parsed.year < 1990:
        return None
    if parsed.hour == parsed.minute == parsed.second == 0 and parsed.tzinfo is None and len(text) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat()
