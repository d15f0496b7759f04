"""Sentence spans and word tokens with character offsets, cheap enough to run on every article.

A rule splitter, not a parser: copy detection compares sentences of two articles, so both only need
to be cut the same way; a missed boundary merges two sentences on both sides alike.
"""

from __future__ import annotations

import re

import numpy as np

# Sentence-final punctuation, closing quotes/brackets, then white space.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
# What may open a sentence: a capital, a digit or an opening quote/bracket.
_OPENER = re.compile(r"[\"'“‘(\[]*[A-Z0-9]")
# Words before a full stop that do not end a sentence: titles, initials, month and place abbreviations.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sen", "rep", "gov", "gen", "lt", "col", "sgt", "capt", "cmdr", "adm",
    "rev", "jr", "sr", "no", "vs", "etc", "inc", "corp", "co", "ltd", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "mt", "ft", "u.s", "u.k", "u.n", "e.g", "i.e", "calif", "fla", "ala", "ariz",
}
_LAST_WORD = re.compile(r"([\w.]+)\s*$")
# A quotation mark or a line break.
_QUOTE_OR_BREAK = re.compile(r'["“”\n]')
# A word: letters/digits with inner apostrophes, hyphens, and number punctuation ("6,000", "don't", "U.S").
WORD = re.compile(r"\w+(?:['’.,-]\w+)*", re.UNICODE)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``; a line break always ends a sentence."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        for piece_start, piece_end in _split_line(line):
            spans.append((start + piece_start, start + piece_end))
    return spans


def _split_line(line: str) -> list[tuple[int, int]]:
    out, begin = [], 0
    for match in _END.finditer(line):
        cut = match.end()
        if not _OPENER.match(line, cut):
            continue
        before = line[begin : match.start() + 1]
        last = _LAST_WORD.search(before)
        if match.group().startswith(".") and last:
            word = last.group(1).lower().rstrip(".")
            # "Mr. Smith", "J. Smith": an abbreviation or a single-letter initial does not end a sentence.
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        out.append((begin, match.start() + len(match.group().rstrip())))
        begin = cut
    if line[begin:].strip():
        out.append((begin, len(line.rstrip())))
    # Trim leading white space of each span.
    return [(s + len(line[s:e]) - len(line[s:e].lstrip()), e) for s, e in out if line[s:e].strip()]


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words (and numbers) of ``text``."""
    return [m.span() for m in WORD.finditer(text)]


def quoted_mask(text: str) -> np.ndarray:
    """Per character, whether it lies inside quotation marks (a boolean array as long as ``text``).

    Curly quotes open and close explicitly; straight double quotes toggle. A quote still open at the end
    of a line ends there: news style leaves a quote running on to the next paragraph unclosed and opens
    that paragraph with a quote mark again, and an unbalanced mark must not swallow the rest of the text.
    """
    mask = np.zeros(len(text), dtype=bool)
    opened: int | None = None
    for match in _QUOTE_OR_BREAK.finditer(text):
        mark, at = match.group(), match.start()
        if mark == "\n":
            if opened is not None:
                mask[opened:at] = True
                opened = None
        elif mark == "“" or (mark == '"' and opened is None):
            opened = at
        elif opened is not None:
            mask[opened : at + 1] = True
            opened = None
    if opened is not None:
        mask[opened:] = True
    return mask


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the quotations in ``text`` (runs of :func:`quoted_mask`, marks included)."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quoted_mask(text).astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
