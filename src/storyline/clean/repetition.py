"""Lines that recur across many articles of one outlet are that outlet's page chrome.

Per outlet, each short paragraph is counted once per *family* of articles containing it, where a
family is a set of copies of one story (articles sharing at least half of their paragraphs, found
through a shared long paragraph): two copies of the same wire story are one piece of evidence, not
two, so duplicated article text is never taken for chrome. A paragraph present in at least
``repeated_line_min_articles`` families and in at least ``repeated_line_share`` of the outlet's
families, and no longer than ``repeated_line_max_chars``, is removed with reason
``repeated-in-outlet``. Digits are masked when comparing lines, so "614 comments" and
"12 comments" count as one line.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict

from storyline.model import PARAGRAPH_SEPARATOR, Article, Removed
from storyline.settings import CleanSettings


def _line_key(paragraph: str) -> str:
    return re.sub(r"\d+", "0", " ".join(paragraph.lower().split()))


def _families(articles: list[Article], settings: CleanSettings) -> list[int]:
    """A family index per article: copies of one story (sharing a long paragraph and most paragraphs) share it."""
    keys = [{_line_key(p) for p in a.paragraphs} for a in articles]
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_long_line: dict[str, list[int]] = defaultdict(list)
    for i, lines in enumerate(keys):
        for line in lines:
            if len(line) > settings.repeated_line_max_chars:
                by_long_line[line].append(i)
    for members in by_long_line.values():
        for j in members[1:]:
            a, b = members[0], j
            if len(keys[a] & keys[b]) / len(keys[a] | keys[b]) >= settings.repeated_line_copy_overlap:
                parent[find(b)] = find(a)
    return [find(i) for i in range(len(articles))]


def remove_repeated_lines(articles: list[Article], settings: CleanSettings) -> list[Article]:
    """Remove lines recurring in many articles of the same outlet; ids and order are unchanged."""
    by_outlet: dict[str, list[int]] = defaultdict(list)
    for i, article in enumerate(articles):
        if article.outlet:  # without an outlet there is no site whose chrome to learn
            by_outlet[article.outlet].append(i)
    result = list(articles)
    for indices in by_outlet.values():
        group = [articles[i] for i in indices]
        families = _families(group, settings)
        n_families = len(set(families))
        if n_families < settings.repeated_line_min_articles:
            continue
        support: dict[str, set[int]] = defaultdict(set)
        for article, family in zip(group, families, strict=True):
            for paragraph in article.paragraphs:
                if len(paragraph) <= settings.repeated_line_max_chars:
                    support[_line_key(paragraph)].add(family)
        chrome = {
            line
            for line, fams in support.items()
            if len(fams) >= settings.repeated_line_min_articles
            and len(fams) >= settings.repeated_line_share * n_families
        }
        if not chrome:
            continue
        for i, article in zip(indices, group, strict=True):
            kept: list[str] = []
            removed = list(article.removed)
            for paragraph in article.paragraphs:
                if _line_key(paragraph) in chrome:
                    removed.append(Removed(text=paragraph, reason="repeated-in-outlet", paragraph=len(kept)))
                else:
                    kept.append(paragraph)
            if len(kept) != len(article.paragraphs) and kept:  # never empty an article entirely
                result[i] = dataclasses.replace(
                    article, paragraphs=kept, text=PARAGRAPH_SEPARATOR.join(kept), removed=removed
                )
    return result
