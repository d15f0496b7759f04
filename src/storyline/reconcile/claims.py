"""Factual statements grouped across sources: who did what, where, when, how much, and who says so.

1. **Claim sentences.** Each article is cut into sentences (cluster/sentences.py). A sentence is kept
   when it ends like a sentence, is not a question, has ``min_content_words`` content words, is anchored
   (an entity, a quantity, a time or a figure) and carries no marker of opinion in the outlet's own
   voice (first person, modal verdicts: "should", "might", "it is not clear"). Paragraphs of page
   chrome (copyright lines) are skipped.
2. **Keys.** A sentence is described by content keys: stemmed content words, entity ids from the
   annotations, time values and figures (quantities normalised to SI and rounded to two significant
   digits, so "6,000 sq km" and "2,300 square miles" share a key). Keys are weighted by IDF over the
   batch's sentences: the place a whole story is about says little.
3. **Candidates and confirmation.** Sentences of different articles sharing enough weighted keys
   (overlap coefficient) are candidates; a candidate is accepted outright when the overlap is that of a
   near copy, otherwise when the sentence embeddings (all-MiniLM-L6-v2) agree. Only sentences in such
   candidate pairs are embedded.
4. **Groups.** Accepted pairs are merged greedily, most similar first; two groups merge only when a
   share of their cross-article pairs was accepted (no chaining through one loose pair).
5. **Per claim.** Citations (the sentences), outlets, independent sources (articles of one outlet, or
   linked as duplicate / rewrite, or sharing a wire passage that holds the sentence, count once), who
   asserts it (the speaker of the quote that holds the sentence; None for the outlet's own voice) and
   hedges (in the sentence, in the cue of its quote, or a short verification disclaimer after it).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

import numpy as np
from scipy import sparse

from storyline.cluster.copies import _stem as stem
from storyline.cluster.sentences import quoted_mask, sentence_spans
from storyline.cluster.vectors import Embedder, presence_matrix, shared_embedder, tokens
from storyline.model import Annotations, Article, Citation, Claim, CopyLink, Quote
from storyline.settings import ClaimSettings

# A sentence ends with punctuation, possibly inside closing quotes or brackets; headlines, bylines and
# labels do not.
_SENTENCE_END = re.compile(r"[.!…][\"'”’)\]]*$")
_QUESTION = re.compile(r"\?[\"'”’)\]]*$")
_CHROME = re.compile(r"©|\(c\)\s*(?:19|20)\d\d|\ball rights reserved\b", re.I)
_FIGURE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
# Opinion or analysis in the outlet's own voice (matched outside quotation marks only).
_OPINION = re.compile(
    r"\b(?:I|we|We|our|Our|us|my|My)\b|\b(?i:should|ought to|might|may well|perhaps|arguably|surely|"
    r"it is (?:not )?clear|this matters|what matters|the question is|in (?:my|our) view)\b"
)
# Hedges: (label, pattern). General English hedging and verification vocabulary.
_VERIFY = "cannot verify"
_HEDGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (_VERIFY, re.compile(
        r"\b(?:can ?not|can't|could not|couldn't|unable to|(?:was|were|is|are|has|have) not (?:been )?able to)"
        r"\s+(?:independently\s+)?(?:verify|confirm)\b", re.I)),
    ("could not be independently verified", re.compile(
        r"\b(?:could|can|has|have|had|was|were)\s*(?:not|n't)\s+(?:be\s+|been\s+)?(?:independently\s+)?"
        r"(?:verified|confirmed)\b|\bnot (?:been )?(?:independently|immediately) (?:verified|confirmed)\b", re.I)),
    ("not confirmed", re.compile(r"\bdid(?: not|n't)\s+(?:immediately\s+|independently\s+)?confirm\b", re.I)),
    ("unconfirmed", re.compile(r"\bun(?:confirmed|verified)\b", re.I)),
    ("reportedly", re.compile(r"\breportedly\b|\b(?:is|are|was|were|been)\s+(?:also\s+)?reported\b", re.I)),
    ("claimed", re.compile(r"\bclaim(?:s|ed|ing)?\b", re.I)),
    ("said to", re.compile(r"\b(?:is|are|was|were|been)\s+said\s+to\b", re.I)),
    ("allegedly", re.compile(r"\balleg(?:ed|edly|es|ing)\b", re.I)),
    ("appears to", re.compile(r"\b(?:appears?|appeared|seems?|seemed)\s+to\b|\bapparent(?:ly)?\b", re.I)),
)
# Verbs of saying, by stem: a cue of reported speech (general English vocabulary, not from any sample).
_SAYING = re.compile(
    r"\b(?:say|said|tell|told|add|claim|state|announc|insist|describ|tweet|wr[io]t|report|confirm|den[yi]|"
    r"admit|suggest|warn|accus|hail|assert|argu|declar|explain|noted|acknowledg|alleg|maintain|predict|"
    r"promis|threat|vow|urg|call|repl|respond|comment|mention|estimat|believ|think|thought)\w*",
    re.I,
)
# Hedges that make a short sentence a disclaimer about the claim before it.
_DISCLAIMERS = {_VERIFY, "could not be independently verified", "unconfirmed"}
_HEDGE_WORDS = {"verify", "verified", "confirm", "confirmed", "independently", "immediately", "unable", "able"}


@functools.lru_cache(maxsize=65_536)
def content_keys(text: str, rounded: bool = True) -> frozenset[str]:
    """Stemmed content words and figures of ``text``: what two wordings of one fact share.

    Figures are rounded to two significant digits (``rounded``: "2,317" meets "2,300", as when one outlet
    converts a figure another rounds), else kept exactly. Cached: the brief compares every wording of a
    claim with every citation of it, and a big story repeats the same passages many times.
    """
    keys = {stem(w) for w in tokens(text)}
    figures = (m.group().replace(",", "") for m in _FIGURE.finditer(text))
    keys.update("num:" + (_round_figure(f) if rounded else f) for f in figures)
    return frozenset(keys)


def _round_figure(raw: str) -> str:
    try:
        value = float(raw)
    except ValueError:
        return raw
    return f"{value:.2g}" if value else "0"


def outlet_label(article: Article) -> str:
    """The outlet of an article: its name, else its web host, else the article id."""
    if article.outlet:
        return article.outlet
    host = urlparse(article.url).netloc.lower().removeprefix("www.") if article.url else ""
    return host or article.id


@dataclass
class _Sentence:
    """A claim sentence of one article."""

    article: Article
    order: int  # position among the article's sentences
    start: int
    end: int
    keys: frozenset[str]
    asserted_by: str | None
    hedges: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.article.text[self.start : self.end]


def group_claims(
    articles: Iterable[Article],
    annotations: Mapping[str, Annotations],
    copies: list[CopyLink],
    settings: ClaimSettings | None = None,
    embedder: Embedder | None = None,
) -> list[Claim]:
    """Factual statements of ``articles`` grouped across sources, the most corroborated first.

    ``annotations`` maps article ids to their annotations (entities, quotes, quantities, times; an
    article without any is still read, with fewer keys). ``copies`` are the cluster stage's copy links:
    articles linked by one count as one independent source for the claims they share.
    """
    s = settings or ClaimSettings()
    sentences: list[_Sentence] = []
    for article in articles:
        sentences.extend(_claim_sentences(article, annotations.get(article.id), s))
    if not sentences:
        return []
    weights = _idf(sentences)
    accepted = _accepted_pairs(sentences, weights, s, embedder)
    groups = _group(len(sentences), accepted, sentences, s)
    claims = [_claim(members, sentences, accepted, copies) for members in groups]
    first = {id(c): min(sentences[i].order for i in g) for c, g in zip(claims, groups, strict=True)}
    claims.sort(key=lambda c: (-c.independent_sources, -len(c.outlets), first[id(c)], c.id))
    return claims


# --------------------------------------------------------------------------- sentences


def _claim_sentences(article: Article, annotations: Annotations | None, s: ClaimSettings) -> list[_Sentence]:
    """The article's claim sentences with keys, asserter and hedges; disclaimers hedge the claim before."""
    text = article.text
    quoted = quoted_mask(text)
    ann = annotations or Annotations(article_id=article.id)
    names = {e.id: e.name for e in ann.entities}
    anchors = _anchor_keys(ann)
    chrome = [(a, b) for a, b in article.paragraph_spans() if _CHROME.search(text[a:b])]
    out: list[_Sentence] = []
    for order, (start, end) in enumerate(sentence_spans(text)):
        sentence = text[start:end]
        if any(a <= start < b for a, b in chrome) or _QUESTION.search(sentence):
            continue
        hedges = [label for label, pattern in _HEDGES if pattern.search(sentence)]
        words = tokens(sentence)
        own_words = [w for w in words if w not in _HEDGE_WORDS]
        if _DISCLAIMERS & set(hedges) and len(own_words) <= s.disclaimer_max_words:
            if out and out[-1].order == order - 1:
                # "X cannot verify these figures." says nothing itself: it hedges the claim just before it.
                out[-1].hedges.extend(h for h in hedges if h not in out[-1].hedges)
            continue
        if not _SENTENCE_END.search(sentence) or len(words) < s.min_content_words:
            continue
        outside = "".join(ch for ch, q in zip(sentence, quoted[start:end], strict=True) if not q)
        if _OPINION.search(outside):
            continue
        found = [key for (a, b), key in anchors if start <= a and b <= end]
        if not found and not _FIGURE.search(sentence):
            continue  # nothing pins it to an event: no one, nowhere, no when, no figure
        quote = _enclosing_quote(ann.quotes, start, end)
        if quote is not None and quote.cue is not None:
            hedges.extend(label for label, pattern in _HEDGES if pattern.search(quote.cue.text) and label not in hedges)
        out.append(
            _Sentence(article, order, start, end, content_keys(sentence) | set(found), _speaker(quote, names), hedges)
        )
    return out


def _anchor_keys(ann: Annotations) -> list[tuple[tuple[int, int], str]]:
    """Spans of entity mentions, quantities and times with their keys."""
    keys = [((m.start, m.end), "ent:" + e.id) for e in ann.entities for m in e.mentions]
    for q in ann.quantities:
        value = q.normalized_value if q.normalized_value is not None else q.value
        keys.append(((q.start, q.end), f"num:{value:.2g}"))
    keys.extend(((t.start, t.end), "time:" + t.value) for t in ann.times if t.value)
    return keys


def _enclosing_quote(quotes: list[Quote], start: int, end: int) -> Quote | None:
    """The quote covering most of the sentence, when it covers at least half of it.

    Reported speech without quotation marks counts only with a verb of saying as its cue: the quote
    extractor also returns clauses like "X ordered an invasion", which X does not assert but did.
    """
    best, covered = None, 0
    for quote in quotes:
        if quote.kind == "indirect" and not (quote.cue and _SAYING.search(quote.cue.text)):
            continue
        overlap = min(end, quote.end) - max(start, quote.start)
        if overlap > covered:
            best, covered = quote, overlap
    return best if covered * 2 >= end - start else None


def _speaker(quote: Quote | None, names: dict[str, str]) -> str | None:
    """Who asserts a sentence inside ``quote``: the speaker entity's name, else the speaker as written."""
    if quote is None:
        return None
    if quote.speaker_entity and quote.speaker_entity in names:
        return names[quote.speaker_entity]
    if quote.speaker is not None:
        return quote.speaker.text.strip(" ,")
    return quote.speaker_entity


# --------------------------------------------------------------------------- pairs and groups


def _idf(sentences: list[_Sentence]) -> dict[str, float]:
    df = Counter(k for sent in sentences for k in sent.keys)
    n = len(sentences)
    return {k: math.log((n + 1) / (c + 0.5)) for k, c in df.items()}


def _candidate_overlaps(
    sentences: list[_Sentence], weights: dict[str, float], max_posting: int
) -> list[tuple[int, int, int, float]]:
    """Sentence pairs ``i < j`` sharing a proposing key, with their shared-key count and the IDF-weighted
    overlap coefficient of their key sets, computed at once with sparse products.

    A key in more than ``max_posting`` sentences proposes no pair (it still counts in the score): this
    bounds the work on a large story, where "the country" would otherwise pair every sentence with every
    other. Scores are rounded so float noise cannot reorder equal pairs (verbatim copies tie)."""
    keys, vocabulary = presence_matrix([sent.keys for sent in sentences])
    if not keys.nnz:
        return []
    proposing = (np.asarray(keys.sum(axis=0)).ravel() <= max_posting).astype(np.float64)
    candidates = sparse.triu(keys.multiply(proposing) @ keys.T, k=1).tocoo()
    first, second = candidates.row, candidates.col
    if not len(first):
        return []
    weight = np.array([weights[k] for k in vocabulary])
    both = keys[first].multiply(keys[second])
    shared = np.asarray(both.sum(axis=1)).ravel()
    overlap = both @ weight
    total = keys @ weight
    score = overlap / np.minimum(total[first], total[second])
    order = np.lexsort((second, first))
    return [(int(first[k]), int(second[k]), int(shared[k]), round(float(score[k]), 6)) for k in order]


def _accepted_pairs(
    sentences: list[_Sentence], weights: dict[str, float], s: ClaimSettings, embedder: Embedder | None
) -> dict[tuple[int, int], float]:
    """Pairs of sentences of different articles that state the same fact, with their similarity."""
    accepted: dict[tuple[int, int], float] = {}
    grey: dict[tuple[int, int], float] = {}
    for i, j, shared, score in _candidate_overlaps(sentences, weights, s.max_posting):
        if sentences[j].article.id == sentences[i].article.id:
            continue
        if shared < s.candidate_shared or score < s.candidate_overlap:
            continue
        if score >= s.lexical_accept:
            accepted[(i, j)] = score
        else:
            grey[(i, j)] = score
    if grey and s.use_embeddings:
        # Only the sentences of candidate pairs are embedded (~15 ms each on this machine).
        needed = sorted({k for pair in grey for k in pair})
        vectors = (embedder or shared_embedder()).encode([sentences[k].text for k in needed])
        row = {k: r for r, k in enumerate(needed)}
        for (i, j), score in grey.items():
            cosine = float(np.dot(vectors[row[i]], vectors[row[j]]))
            if cosine >= s.embedding_similarity:
                accepted[(i, j)] = max(score, cosine)
    return accepted


def _group(
    n: int, accepted: dict[tuple[int, int], float], sentences: list[_Sentence], s: ClaimSettings
) -> list[list[int]]:
    """Greedy average-link grouping over accepted pairs, most similar first.

    Two groups join when at least ``group_link_share`` of their cross-article sentence pairs are accepted
    pairs. Counts are kept per group (accepted pairs between groups, sentences per article), so a merge
    costs the groups' degree, not the product of their sizes: a 100-article story has groups of 100
    wordings of one fact."""
    group_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    articles: dict[int, Counter[str]] = {i: Counter([sentences[i].article.id]) for i in range(n)}
    between: dict[int, Counter[int]] = defaultdict(Counter)
    for i, j in accepted:  # accepted pairs are always of two different articles
        between[i][j] += 1
        between[j][i] += 1
    for (i, j), _ in sorted(accepted.items(), key=lambda kv: (-kv[1], kv[0])):
        gi, gj = group_of[i], group_of[j]
        if gi == gj:
            continue
        same_article = sum(count * articles[gj][aid] for aid, count in articles[gi].items() if aid in articles[gj])
        cross = len(members[gi]) * len(members[gj]) - same_article
        if between[gi][gj] < s.group_link_share * cross:
            continue
        for k in members[gj]:
            group_of[k] = gi
        members[gi].extend(members.pop(gj))
        articles[gi].update(articles.pop(gj))
        for other, count in between.pop(gj).items():
            between[other].pop(gj, None)
            if other != gi:
                between[gi][other] += count
                between[other][gi] += count
        between[gi].pop(gi, None)
    return [sorted(m) for m in members.values()]


# --------------------------------------------------------------------------- claims


def _claim(
    group: list[int], sentences: list[_Sentence], accepted: dict[tuple[int, int], float], copies: list[CopyLink]
) -> Claim:
    members = [sentences[i] for i in group]
    # The representative wording: the sentence closest to the others, then the earliest in its article.
    centrality = {
        i: sum(accepted.get((min(i, j), max(i, j)), 0.0) for j in group if j != i) for i in group
    }
    rep = sentences[max(group, key=lambda i: (centrality[i], -sentences[i].order, -i))]
    citations = [
        Citation(m.article.id, m.start, m.end, m.text, outlet=outlet_label(m.article)) for m in members
    ]
    speakers = Counter(m.asserted_by for m in members if m.asserted_by)
    hedges = list(dict.fromkeys(h for m in members for h in m.hedges))
    digest = hashlib.sha1("|".join(f"{m.article.id}:{m.start}" for m in members).encode()).hexdigest()[:12]
    return Claim(
        id=f"claim:{digest}",
        text=" ".join(rep.text.split()),
        citations=citations,
        outlets=list(dict.fromkeys(c.outlet for c in citations if c.outlet)),
        independent_sources=_independent(members, copies),
        # An outlet often drops an attribution the others keep: the claim stays with the speaker.
        asserted_by=_asserter(speakers, rep.asserted_by),
        hedges=hedges,
    )


def _asserter(speakers: Counter[str], representative: str | None) -> str | None:
    """The speaker most sources name; a tie goes to the representative sentence's speaker."""
    if not speakers:
        return None
    top = max(speakers.values())
    return representative if speakers.get(representative or "") == top else speakers.most_common(1)[0][0]


def _independent(members: list[_Sentence], copies: list[CopyLink]) -> int:
    """Independent sources among the sentences' articles.

    Articles of one outlet count once; so do articles linked as duplicate or rewrite; articles sharing
    wire copy count once when the sentence lies in the aligned passage of both.
    """
    parent = {m.article.id: m.article.id for m in members}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: str, y: str) -> None:
        parent[find(x)] = find(y)

    by_outlet: dict[str, str] = {}
    for m in members:
        if m.article.outlet:
            union(m.article.id, by_outlet.setdefault(m.article.outlet, m.article.id))
    spans = defaultdict(list)
    for m in members:
        spans[m.article.id].append((m.start, m.end))
    for link in copies:
        if link.source not in parent or link.target not in parent:
            continue
        if link.kind != "shared_wire" or any(
            _inside(spans[link.source], p.source_start, p.source_end)
            and _inside(spans[link.target], p.target_start, p.target_end)
            for p in link.passages
        ):
            union(link.source, link.target)
    return len({find(x) for x in parent})


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a passage overlaps most of one of the sentences."""
    return any((min(b, end) - max(a, start)) * 2 >= b - a for a, b in spans)
