"""The brief: a few source sentences saying what the sources agree on, each with the passages behind it.

Extractive and compressive: each brief sentence is one of a claim's source sentences, possibly with a
leading discourse connective ("However,", "Meanwhile,") or trailing clauses dropped, never with a word
added. A citation supports a wording when it is that sentence or holds ``citation_support`` of its
content keys (figures exact). Of a claim's wordings (each of its sentences, and each cut after a clause
at a comma, semicolon or dash, never cutting a reporting verb or an open quote), the one supported by
the most outlets wins; on a tie, the claim's own sentence uncut.

Claims are picked by maximal marginal relevance: relevance is corroboration (independent sources, then
outlets) blended with the claims' order (lead position), redundancy the cosine of content keys with the
sentences already picked; a claim as alike as ``brief_max_overlap`` to one picked is a repeat the
grouping did not merge and is left out. A sentence is ``unverified`` when its claim is hedged,
``corroborated`` when its supporting citations come from two outlets and the claim has two independent
sources, ``single-source`` otherwise.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from storyline.model import BriefSentence, Citation, Claim
from storyline.reconcile.claims import content_keys
from storyline.settings import ClaimSettings

# A connective opening a sentence, which only makes sense after the sentence it followed in its article.
_CONNECTIVE = re.compile(r"^(?:However|Meanwhile|But|And|Also|Still|Yet|Moreover|In addition),\s+(?=[A-Za-z])")
# Where a trailing clause may be cut: a comma, semicolon or dash followed by a space.
_CLAUSE_BREAK = re.compile(r"(?:[,;]| [–—-]) ")
# A reporting verb: the clause holding it carries the attribution and is never cut.
_REPORTING = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|according|announced|stated|claimed|claims|reported|insisted|"
    r"described|tweeted|wrote|believes?|believed)\b", re.I
)


def write_brief(
    claims: list[Claim], n_sentences: int | None = None, settings: ClaimSettings | None = None
) -> list[BriefSentence]:
    """A brief of ``n_sentences`` (default ``settings.brief_sentences``, kept within the allowed range).

    ``claims`` as returned by :func:`storyline.reconcile.claims.group_claims`. Fewer sentences come back
    only when there are fewer claims with a supporting citation.
    """
    s = settings or ClaimSettings()
    n = min(max(n_sentences if n_sentences is not None else s.brief_sentences, s.brief_min), s.brief_max)
    options = []
    for rank, claim in enumerate(claims):
        text, citations = _wording(claim, s)
        keys = content_keys(text)
        if keys and citations:
            options.append(_Option(rank, claim, text, keys, citations))
    if not options:
        return []
    top = max(_corroboration(o.claim) for o in options) or 1.0
    for o in options:
        # Corroboration decides; among equally corroborated claims the earlier in the claims' order (nearer
        # their articles' leads) comes first, by up to ``rank_weight``.
        o.relevance = (1 - s.rank_weight) * _corroboration(o.claim) / top + s.rank_weight * (1 - o.rank / len(claims))
    picked: list[_Option] = []
    while len(picked) < n:
        redundancy = {id(o): max((_cosine(o.keys, p.keys) for p in picked), default=0.0) for o in options}
        fresh = [o for o in options if redundancy[id(o)] < s.brief_max_overlap]
        if not fresh:
            break
        best = max(fresh, key=lambda o: s.mmr_lambda * o.relevance - (1 - s.mmr_lambda) * redundancy[id(o)])
        options.remove(best)
        picked.append(best)
    return [BriefSentence(o.text, o.citations, _support(o.claim, o.citations)) for o in picked]


@dataclass
class _Option:
    """A claim as a brief sentence: its wording, content keys and supporting citations."""

    rank: int
    claim: Claim
    text: str
    keys: frozenset[str]
    citations: list[Citation]
    relevance: float = 0.0


def supports(citation: Citation, sentence: str, share: float) -> bool:
    """Whether ``citation`` backs ``sentence``: it is that sentence, or holds ``share`` of its content keys."""
    if " ".join(citation.text.split()) == " ".join(sentence.split()) or sentence in citation.text:
        return True
    # Figures must match exactly here: a citation rounding a figure differently does not say the same thing.
    keys = content_keys(sentence, rounded=False)
    return bool(keys) and len(keys & content_keys(citation.text, rounded=False)) >= share * len(keys)


def _wording(claim: Claim, s: ClaimSettings) -> tuple[str, list[Citation]]:
    """The wording of ``claim`` supported by the most outlets, with its supporting citations."""
    best: tuple[int, str, list[Citation]] | None = None
    sources = dict.fromkeys([" ".join(claim.text.split())] + [" ".join(c.text.split()) for c in claim.citations])
    for source in sources:
        for text in _compressions(source, s.min_content_words):
            backing = [c for c in claim.citations if supports(c, text, s.citation_support)]
            outlets = len({c.outlet or c.article_id for c in backing})
            # Only more support replaces a wording: the claim's own sentence, uncut, wins ties.
            if best is None or outlets > best[0]:
                best = (outlets, text, backing)
    assert best is not None
    return best[1], best[2]


def _compressions(sentence: str, min_words: int) -> list[str]:
    """``sentence`` without a leading connective, whole and cut after each clause that keeps the attribution."""
    match = _CONNECTIVE.match(sentence)
    if match:
        rest = sentence[match.end() :]
        sentence = rest[0].upper() + rest[1:]
    out = [sentence]
    for cut in _CLAUSE_BREAK.finditer(sentence):
        head, tail = sentence[: cut.start()], sentence[cut.start() :]
        if _REPORTING.search(tail) or _open_quote(head) or len(content_keys(head)) < min_words:
            continue
        out.append(head.rstrip(" ,;:–—-") + ".")
    return out


def _open_quote(text: str) -> bool:
    """Whether a quotation opened in ``text`` is still open (cutting there would break the quote)."""
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”") or text.count("‘") > text.count("’")


def _corroboration(claim: Claim) -> float:
    """Independent sources first; more outlets break ties."""
    return claim.independent_sources + 0.1 * len(claim.outlets)


def _support(claim: Claim, citations: list[Citation]) -> str:
    if claim.hedges:
        return "unverified"
    outlets = {c.outlet or c.article_id for c in citations}
    return "corroborated" if claim.independent_sources >= 2 and len(outlets) >= 2 else "single-source"


def _cosine(a: set[str], b: set[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0
