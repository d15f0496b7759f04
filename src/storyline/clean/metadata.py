"""Outlet and language of an article when the input did not say."""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any

from htmldate.extractors import COMPLETE_URL
from tld import get_fld

from storyline.model import Removed

# Capitalised words ("U.S." keeps its inner dots; a sentence-final one ends the name).
_WORD = r"[A-Z][\w&'’-]*(?:\.[A-Za-z]+)*"
_NAME = rf"(?P<name>(?:The\s+)?{_WORD}(?:\s+(?:{_WORD}|&|of|de|du|der|di))*)"
# A site's copyright notice carries a year ("© 2022 Outlet", "Copyright © 2019-2022 Outlet Ltd",
# "(c) Outlet 2022"); a photo credit ("© Agency") usually does not, and names the photographer's agency.
_NOTICE = r"(?:©|\([cC]\)|\b(?i:copyright)\b)\s*(?:©\s*)?"
_YEARS = r"(?:19|20)\d\d(?:\s*[-–—/]\s*(?:19|20)\d\d)?"
_COPYRIGHT_YEAR_FIRST = re.compile(rf"{_NOTICE}{_YEARS}\s*,?\s*{_NAME}")
_COPYRIGHT_NAME_FIRST = re.compile(rf"{_NOTICE}{_NAME}\s*,?\s*{_YEARS}\b")
# How an outlet refers to itself when it reports claims: "The BBC cannot verify these figures",
# "Reuters could not independently verify".
_SELF_REFERENCE = re.compile(
    rf"{_NAME}\s+(?:cannot|can not|could not|couldn't|was unable to|has been unable to|has not been able to|"
    r"is unable to)\s+(?:(?:immediately\s+)?verify|(?:immediately\s+)?independently\s+(?:verify|confirm))\b",
)
_CORPORATE = re.compile(r"[\s,.]+(?:Ltd|Limited|Inc|LLC|plc|PLC|GmbH|S\.?A|AG|Corp(?:oration)?|Co)\.?$")
_NOT_OUTLETS = {"All", "Copyright", "It", "He", "She", "They", "We", "This", "I"}


def _clean_name(name: str) -> str | None:
    name = re.sub(r"^The\s+", "", name.strip())
    name = re.sub(r"\s+All\s+Rights\s+Reserved\b.*$", "", name, flags=re.I)
    name = _CORPORATE.sub("", name).strip(" .,&")
    return name if name and name not in _NOT_OUTLETS and len(name.split()) <= 6 else None


def find_outlet(url: str | None, paragraphs: list[str], removed: list[Removed]) -> str | None:
    """The outlet: the URL's registered domain, else the name the text gives itself, else None."""
    if url:
        domain = get_fld(url.strip(), fix_protocol=True, fail_silently=True)
        if domain:
            return str(domain)
    removed_text = [r.text for r in removed]
    searches = (
        (_COPYRIGHT_YEAR_FIRST, removed_text + paragraphs),
        (_COPYRIGHT_NAME_FIRST, removed_text + paragraphs),
        (_SELF_REFERENCE, paragraphs + removed_text),
    )
    for pattern, texts in searches:
        for text in texts:
            for match in pattern.finditer(text):
                name = _clean_name(match["name"])
                if name:
                    return name
    return None


def date_from_url(url: str | None) -> str | None:
    """The publication day a URL path spells out (``/2013/05/02/``, ``/2022-09-11-``), as ISO, else None.

    News sites put the day of first publication in article paths; htmldate's URL pattern finds it, and a
    date that does not exist (``/2013/02/30/``) is no date."""
    match = COMPLETE_URL.search(url) if url else None
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


# Below this many letters the identifier guesses; above it, a probability under the floor means mixed text.
MIN_LANGUAGE_LETTERS = 20
MIN_LANGUAGE_PROBABILITY = 0.5


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or too mixed to tell."""
    if sum(c.isalpha() for c in text) < MIN_LANGUAGE_LETTERS:
        return None
    language, probability = _identifier().classify(text)
    return str(language) if probability >= MIN_LANGUAGE_PROBABILITY else None
