"""General furniture rules: what a page wraps around the article, whatever the outlet.

Every paragraph is first repaired (mojibake via ftfy, leftover tags, entities, CSS class debris) and
normalised (exotic quotes, dashes and spaces), then tested against the paragraph rules below. A rule
removes a *whole* paragraph only when the paragraph is short and its shape is unmistakably page
chrome (a label at the start, a promo addressed to the reader, a copyright notice...): a paragraph
that merely mentions a newsletter or a copyright inside a long sentence is article text and stays.
Each rule has a name, used as :attr:`Removed.reason`.

Curly single quotes are left alone: ``‘ ’`` as quotation marks and ``’`` as an apostrophe are
different characters the quote extractor relies on; only exotic variants are mapped onto them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import ftfy

from storyline.model import Removed

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, unescape_html=False)

# ---------------------------------------------------------------------------------------- repair

# HTML elements that appear inside article text; "<The Palace>" or "<name@example.com>" are text.
_ELEMENTS = (
    "a|abbr|address|article|aside|audio|b|bdi|bdo|big|blockquote|body|br|button|caption|center|cite|code|col|"
    "colgroup|dd|del|details|dfn|div|dl|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|"
    "iframe|img|input|ins|kbd|label|li|link|main|mark|meta|nav|noscript|object|ol|p|picture|pre|q|s|samp|script|"
    "section|small|source|span|strike|strong|style|sub|summary|sup|svg|table|tbody|td|template|tfoot|th|thead|time|"
    "title|tr|track|tt|u|ul|var|video|wbr"
)
_ATTRIBUTES = r"""(?:\s+[\w:-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+))?)*"""
_TAG = re.compile(rf"</?(?i:{_ELEMENTS})\b{_ATTRIBUTES}\s*/?>|<!--.*?-->", re.S)
# A tag whose opening "<" was lost, or attribute debris left in the text: `b class="x y">`.
_ATTRIBUTE_DEBRIS = re.compile(
    r"(?:\b[a-z][\w-]*\s+)?\b(?:class|style|id|href|src|alt|rel|target|data-[\w-]+)\s*=\s*"
    r"(?:\"[^\"<>]*\"|'[^'<>]*')\s*/?>?"
)
# Generated CSS-in-JS class names (``abccss-1x2y3z-Name``, ``css-1n8hx2y``, ``sc-bdfBwQ``), with the
# hash class that usually follows them (``e1ab2cd3``).
# Hashes have digits (css) or mixed case (sc): "the css-grid property" is text.
_CSS_CLASS = re.compile(
    r"\b(?:[a-z]*css-(?=[\w-]*\d)[A-Za-z0-9_-]+|sc-(?=[a-z]*[A-Z])[A-Za-z]{5,})\b(?:\s+[a-z][a-z0-9]{4,11}\d\b)?"
)
_TWEET_WIDGET = re.compile(r"\s*\bClick [Tt]o Tweet\s*$")
_CODE_TOKEN = re.compile(r"[a-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")

_DOUBLE_PAIRS = [
    (re.compile(r"«\s*([^«»]*?)\s*»"), r"“\1”"),  # French, Russian, Spanish...
    (re.compile(r"»([^«»]*?)«"), r"“\1”"),  # German, Danish reversed guillemets
    (re.compile(r"„([^„“”\"]*?)[“”]"), r"“\1”"),  # German, Polish low-high pairs
    (re.compile(r"‹\s*([^‹›]*?)\s*›"), r"‘\1’"),
    (re.compile(r"‚([^‚‘’]*?)[‘’]"), r"‘\1’"),
    (re.compile(r"``(.*?)''"), r"“\1”"),  # LaTeX / PTB style
]
_CHAR_MAP = str.maketrans(
    {
        # unpaired exotic quotes: map by direction
        "«": "“",
        "„": "“",
        "‟": "“",
        "〝": "“",
        "»": "”",
        "〞": "”",
        "″": '"',
        "＂": '"',
        "‹": "‘",
        "‚": "‘",
        "‛": "‘",
        "›": "’",
        # dashes and minus signs
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        "\ufe63": "-",
        "\uff0d": "-",
        "\u2012": "–",
        "\u2015": "—",
        "\u2e3a": "—",
        "\u2e3b": "—",
        "\ufe58": "—",
        # spaces
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u205f": " ",
        "\u3000": " ",
        "\t": " ",
        **{chr(c): " " for c in range(0x2000, 0x200B)},
        # invisible characters (ZWNJ/ZWJ are kept: they matter in Persian, Indic scripts and emoji)
        "\u200b": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)
# Accent marks and primes typed for an apostrophe between letters (don´t, it`s, Ukraine′s).
_FAKE_APOSTROPHE = re.compile(r"(?<=[^\W\d_])[`´′](?=[^\W\d_])")


def normalise_text(text: str) -> tuple[str, list[str]]:
    """Repair and normalise one paragraph; return it with the markup debris taken out of it."""
    debris: list[str] = []

    def cut(match: re.Match[str]) -> str:
        debris.append(match.group(0))
        return " "

    text = ftfy.fix_text(text, _FTFY)
    text = _TAG.sub(cut, text)
    text = html.unescape(text)
    text = _ATTRIBUTE_DEBRIS.sub(cut, text)
    text = _CSS_CLASS.sub(cut, text)
    text = _TWEET_WIDGET.sub(cut, text)
    for pattern, replacement in _DOUBLE_PAIRS:
        text = pattern.sub(replacement, text)
    text = text.translate(_CHAR_MAP)
    text = _FAKE_APOSTROPHE.sub("’", text)
    text = re.sub(r"(?<=\w) ?-- ?(?=\w)", " — ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text, [d.strip() for d in debris if d.strip()]


# ---------------------------------------------------------------------------------------- bylines

_PARTICLES = {"de", "da", "del", "della", "di", "du", "dos", "das", "van", "von", "der", "den", "le", "la", "bin",
              "ibn", "al", "el", "ter", "ten", "y", "e", "zu"}  # fmt: skip
_NOT_NAMES = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
              "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
              "today", "tomorrow", "yesterday", "now", "then", "this", "that", "these", "those", "far", "contrast",
              "comparison", "law", "default", "definition", "design", "chance", "mistake", "night", "day", "air",
              "road", "rail", "sea", "train", "car", "email", "phone"}  # fmt: skip
# Words that make a byline segment a role or an outlet rather than another name.
_ROLE_WORDS = {"editor", "correspondent", "reporter", "writer", "journalist", "columnist", "contributor", "staff",
               "analyst", "producer", "chief", "senior", "bureau", "desk", "news", "media", "press", "agency",
               "online", "team", "service", "newsroom", "political", "international", "diplomatic", "defence",
               "defense", "security", "business", "science", "health", "technology", "associate", "deputy",
               "special", "foreign", "economics", "sports", "in", "at", "for", "from", "published",
               "updated"}  # fmt: skip
_BYLINE_LABEL = re.compile(r"^(?:(?:written|words|story|text)\s+by|by|author\s*:|byline\s*:)\s+(?P<rest>.+)$", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")
# Where the names end: a separator, a bracket, or a date stamp ("By Jane Doe Updated 3 May 2021").
_ROLE_SPLIT = re.compile(r"\s+[|•·–—-]\s+|\s*\|\s*|\s*\(\s*|\s*\)\s*|\s+(?=(?:[Pp]ublished|[Uu]pdated|[Pp]osted|on)\b)")


def _is_name(segment: str) -> bool:
    tokens = segment.split()
    if not 1 <= len(tokens) <= 5:
        return False
    capitalised = 0
    for token in tokens:
        word = token.strip(".")
        if token.lower() in _PARTICLES or re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)*", token):
            continue
        if word.lower() in _NOT_NAMES or not re.fullmatch(r"[^\W\d_][^\W\d_'’.-]*(?:[-'’][^\W\d_]+)*\.?", token):
            return False
        if not word[0].isupper():
            return False
        capitalised += 1
    return capitalised >= 1


def parse_byline(line: str) -> list[str] | None:
    """The names in a byline line (``By Jane Doe and John Roe, Outlet Title``), or None if it is not one."""
    line = line.strip()
    match = _BYLINE_LABEL.match(line)
    if not match or len(line.split()) > 20 or (re.search(r"[.!?;:]\s*$", line) and not re.search(r"\b[A-Z]\.$", line)):
        return None
    head, *_rest = _ROLE_SPLIT.split(match.group("rest"), maxsplit=1)
    names: list[str] = []
    for i, segment in enumerate(s for s in _NAME_SPLIT.split(head) if s):
        words = {w.lower().strip(".") for w in segment.split()}
        if i > 0 and (words & _ROLE_WORDS or len(segment.split()) == 1 or not _is_name(segment)):
            break  # the rest is the author's title, outlet or a date
        if not _is_name(segment):
            return None
        names.append(segment)
    return names or None


# ---------------------------------------------------------------------------------------- paragraph rules

MAX_FURNITURE_WORDS = 40  # chrome is short; a longer paragraph is article text whatever it contains
_END_PUNCT = re.compile(r"[.!?…:;\"”’)]\s*$")


def _short(text: str, words: int = MAX_FURNITURE_WORDS) -> bool:
    return len(text.split()) <= words


def _quoted(text: str) -> bool:
    return bool(re.search(r"[\"“”‘]", text))


_VIDEO = re.compile(
    r"^(?:this|the) (?:video|media|content|audio) (?:can ?not|can't|could not|cannot|is not|isn't) "
    r"(?:be )?(?:played|available|displayed|supported|load)|^(?:media|video|audio) caption\b|"
    r"^your (?:browser|device) (?:does not|doesn't|cannot) (?:support|play)|^(?:please )?enable javascript|"
    r"^(?:play|watch|replay) (?:video|now)$|^(?:video|media) player is loading|^loading (?:video|player)",
    re.I,
)
_LABEL = re.compile(
    r"^(?:WATCH|VIDEO|LISTEN|AUDIO|PHOTOS?|GALLERY|IN PICTURES|PICTURED|LIVE|PODCAST)(?:\s*[:|]|\s+[–—-]\s)\s*\S", re.I
)
_READ_MORE = re.compile(
    r"^\[?(?:(?:read more|read also|also read|read next|more reading|see (?:also|more)|related(?: articles?| stories| "
    r"content| coverage| links?| topics| posts?)?|recommended(?: for you| stories| reading)?|you (?:may|might) also "
    r"like|most (?:read|popular|viewed|shared)(?: in [\w ]{1,30})?|more(?: on this story| stories| from [\w ]{1,30})?|"
    r"top stories|trending(?: now)?|what to read next|don't miss|must read)"
    r"(?:\s*[:|»>]|\s+[–—-]\s|\s*[.…]*$)|also on (?:[\w-]+\.[a-z]{2,6}\s|[\w.-]+\s*:))",
    re.I,
)
# The label, then a headline glued to it ("Previous articleHeadline"), a separator, a space or nothing:
# "Previous post-war governments..." is a sentence.
_NAVIGATION = re.compile(
    r"^(?:previous|next|prev|older|newer)\s*(?:article|post|story|page|entry|item)s?(?=[A-Z“\"‘\s:|»>]|$)", re.I
)
_NEWSLETTER_CUES = re.compile(
    r"\b(?:newsletters?|subscribe|subscription|sign(?:ing)? ?up|inbox|e-?mail (?:address|alerts?)|"
    r"free trial|register|unsubscribe|privacy policy)\b",
    re.I,
)
_READER = re.compile(
    r"\b(?:you|your)\b|^(?:sign up|subscribe|get|join|click|tap|follow|download|register|enter|try|support|"
    r"listen|like us|become)\b",
    re.I,
)
_COUNT = re.compile(
    r"^(?:\d[\d,. ]*[KkMm]?\+?\s*(?:comments?|shares?|views?|likes?|reactions?|replies)?|"
    r"(?:comments?|shares?|views?)\s*\(?\d[\d,.]*[KkMm]?\)?)$",
    re.I,
)
_SHARE = re.compile(
    r"^[-•·*]?\s*(?:(?:share|tweet|email|e-mail|print|facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|telegram|"
    r"messenger|copy link|copied|link copied|save|comments?|show comments|view comments|leave a comment|"
    r"join the conversation|share this (?:article|story|page)|share on \w+|print (?:this )?(?:article|page|story)|"
    r"order reprints|reprints|permissions|gift (?:this )?article)[\s|/·•,-]*)+$",
    re.I,
)
_COPYRIGHT = re.compile(
    r"©|\(c\)\s*\d{4}|\bcopyright\b\s*(?:©\s*)?\d{4}|\ball rights reserved\b|"
    r"\bnot responsible for the content of external (?:sites|websites|internet sites)\b|"
    r"\bapproach to external linking\b|\bmay not be (?:published|reproduced|copied), broadcast\b|"
    r"\bwithout (?:the )?(?:prior )?(?:written )?permission\b|\bfor your personal,? non-commercial use only\b|"
    r"^copyright\s+(?:[A-Z][\w&.-]*\s+){1,5}(?:19|20)\d\d\b",
    re.I,
)
_ADVERT = re.compile(
    r"^(?:advertisement|advert|ad|sponsored(?: content)?|paid content|promoted|story continues below"
    r"(?: advertisement)?|continue reading(?: below| the main story)?|skip advertisement|"
    r"scroll (?:down )?to continue(?: with content| reading)?)\W*$",
    re.I,
)
_CREDIT = re.compile(
    r"^(?:(?:image|photo|picture|photograph|video)s?\s*(?:source|credit|copyright|caption)s?\s*[:,]|"
    r"(?:photo|image|picture)s?\s*:|"
    r"\(?(?:additional )?(?:reporting|writing|editing|compiled|translated)\s+by\b|source\s*:|"
    r".*\bcontributed (?:reporting|to this (?:report|story|article))\b)",
    re.I,
)
_TAGS = re.compile(r"^(?:tags?|topics?|filed under|categories|keywords|more on)\s*(?::|$)", re.I)
_TIMESTAMP = re.compile(
    r"^(?:(?:first |last )?(?:published|updated|posted|modified)(?: on| at)?\s*:?\s*)"
    r"(?=.*\d)[\w ,:./|+()-]{3,80}$",
    re.I,
)
_SOCIAL = r"(?:facebook|twitter|instagram|x|tiktok|youtube|linkedin|threads|bluesky|telegram|whatsapp|mastodon)"
_FOLLOW = re.compile(
    rf"^(?:follow (?:us|@)|like us on|click here|tap here|download (?:our|the) app|"
    rf"(?:follow|like|find|join) (?:\S+ ){{0,6}}on {_SOCIAL}\b|like this (?:story|article)\?)",
    re.I,
)
# How to reach the author: "Write to Jane at jane@x.com", "Email the reporter at ...", "Follow her @jdoe".
_CONTACT = re.compile(
    r"^(?:e-?mail|write to|reach|contact|follow|have a (?:news )?tip|send|tips?)\b.*"
    r"(?:[\w.+-]+@[\w-]+\.[\w.]+|\s@\w+|(?:twitter|x)\.com/)",
    re.I,
)
# An author's address or social profile on a line of its own (a bare web link may be a cited source: kept).
_BARE_CONTACT = re.compile(
    r"^(?:[\w.+-]+@[\w-]+\.[\w.]+|(?:https?://)?(?:www\.)?(?:twitter|x|facebook|instagram)\.com/\w+/?|@\w+)$", re.I
)
# Related-story teasers tagged with a bracketed label: "Headline [VIDEO]", "Headline [INSIGHT]".
_TEASER = re.compile(r"[\w'’”\"]\s\[[A-Z][A-Z ]{2,15}\]\W*$")  # a headline: no full stop before the label
_READING_TIME = re.compile(
    r"^(?:(?:estimated )?read(?:ing)? time|tempo de leitura|tiempo de lectura|temps de lecture|lesezeit|"
    r"leestijd|czas czytania|tempo di lettura)\s*:?\s*\d+|^\d+\s*min(?:ute)?s?\.?\s*read$",
    re.I,
)
_WIDGET = re.compile(
    r"^(?:an error (?:has )?occurred|something went wrong|please try again|this (?:article|story) has been sent to|"
    r"thank you(?: for (?:signing up|subscribing|your feedback))?[.!]?$|loading(?:\.\.\.|…)?$)",
    re.I,
)
# A time of day or a numeric date, for stand-alone timestamp lines in any language.
_CLOCK = re.compile(r"\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.](?:19|20)?\d\d\b")


def _rule_newsletter(text: str) -> bool:
    return (
        _short(text)
        and not _quoted(text)
        and bool(_READER.search(text))
        # two different cues ("sign up" + "newsletter"), or one in a line too short to be a sentence
        and (
            len({m.lower() for m in _NEWSLETTER_CUES.findall(text)}) >= 2
            or (bool(_NEWSLETTER_CUES.search(text)) and _short(text, 8))
        )
    )


def _rule_navigation(text: str) -> bool:
    match = _NAVIGATION.match(text)
    if not match or not _short(text, 30):
        return False
    rest = text[match.end() :]
    # "Previous articleHeadline", "Next article: Headline", a bare "Next article", or a headline with no
    # sentence-final full stop; "Previous articles have argued ... ." is a sentence and stays.
    return (
        not rest.strip()
        or bool(re.match(r"\s*[:|»>]|\s+[–—-]\s|[A-Z“\"‘]", rest))
        or not re.search(r"[.!;:]\s*$", rest)
    )


# (name, test) in order; the first match names the removal.
RULES: list[tuple[str, Callable[[str], bool]]] = [
    ("video-placeholder", lambda t: _short(t) and bool(_VIDEO.search(t))),
    ("media-label", lambda t: _short(t, 30) and bool(_LABEL.match(t))),
    ("read-more", lambda t: _short(t, 30) and bool(_READ_MORE.match(t))),
    ("article-navigation", _rule_navigation),
    ("newsletter-promo", _rule_newsletter),
    ("follow-promo", lambda t: _short(t, 25) and not _quoted(t) and bool(_FOLLOW.match(t))),
    ("contact-line", lambda t: _short(t, 30) and not _quoted(t) and bool(_CONTACT.match(t))),
    ("contact-line", lambda t: bool(_BARE_CONTACT.match(t))),
    ("teaser", lambda t: _short(t, 25) and bool(_TEASER.search(t))),
    ("reading-time", lambda t: _short(t, 8) and bool(_READING_TIME.match(t))),
    ("widget-message", lambda t: _short(t, 12) and bool(_WIDGET.match(t))),
    ("engagement-count", lambda t: bool(_COUNT.match(t))),
    ("share-buttons", lambda t: _short(t, 15) and bool(_SHARE.match(t))),
    ("copyright-footer", lambda t: _short(t, 60) and not _quoted(t) and bool(_COPYRIGHT.search(t))),
    ("advertisement", lambda t: bool(_ADVERT.match(t))),
    ("credit-line", lambda t: _short(t, 30) and bool(_CREDIT.match(t))),
    ("tags", lambda t: _short(t, 30) and bool(_TAGS.match(t))),
    ("timestamp", lambda t: _short(t, 15) and bool(_TIMESTAMP.match(t))),
    # a line of date and time only ("22 de outubro de 2010 às 20:13", "5:45 AM PST 11/19/2019")
    ("timestamp", lambda t: _short(t, 9) and bool(_CLOCK.search(t)) and bool(re.search(r"(?:19|20)\d\d", t))
     and not _END_PUNCT.search(t)),
    ("css-debris", lambda t: all(_CODE_TOKEN.fullmatch(w) for w in t.split())
     and sum(bool(re.search(r"\d", w)) for w in t.split()) * 2 >= len(t.split())
     and any("-" in w or len(w) >= 6 for w in t.split())),
]  # fmt: skip


def remove_furniture(paragraphs: list[str]) -> tuple[list[str], list[Removed], list[str]]:
    """Repair every paragraph and drop page furniture.

    Returns the kept paragraphs, the removed pieces (reason = rule name) and the byline names found.
    """
    kept: list[str] = []
    removed: list[Removed] = []
    bylines: list[str] = []
    previous_reason: str | None = None
    for raw in paragraphs:
        text, debris = normalise_text(raw)
        removed.extend(Removed(text=d, reason="markup-debris", paragraph=len(kept)) for d in debris)
        if not text:
            continue
        reason = next((name for name, test in RULES if test(text)), None)
        names = None if reason else parse_byline(text)
        if names:
            reason = "byline"
            bylines.extend(n for n in names if n not in bylines)
        elif (
            reason is None
            and previous_reason == "video-placeholder"
            and _short(text, 20)
            and not _END_PUNCT.search(text)
        ):
            reason = "video-caption"  # the title line a video player shows under its placeholder
        if reason:
            removed.append(Removed(text=text, reason=reason, paragraph=len(kept)))
        else:
            kept.append(text)
        previous_reason = reason
    return kept, removed, bylines
