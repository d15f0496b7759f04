"""Online detection of copies between articles: duplicates, sentence-by-sentence rewrites, shared wire copy.

Each arriving article is compared only with candidates from two indexes:

* MinHash-LSH (datasketch) over word shingles (``shingle_words`` consecutive words): finds
  near-identical texts and texts sharing long verbatim passages;
* sentence keys: each sentence is keyed by the pairs among its three rarest content words (names,
  numbers, uncommon words), which survive a paraphrase that swaps common words and reorders
  clauses; an earlier article sharing keys in several sentences is a candidate. Unlike a
  whole-text Jaccard, this finds a short article contained in a long one.

A candidate pair is then verified on the stored features of both articles (bounded per article):

* ``duplicate``: Jaccard of the shingle sets at or above ``duplicate_jaccard``;
* ``shared_wire``: verbatim passages of at least ``wire_min_words`` words carry most of what the two
  share, and each article keeps at least ``wire_own_share`` of its words outside them;
* ``rewrite``: sentences aligned one to one by lexical similarity (IDF-weighted cosine of stemmed
  content words; pairs in a grey zone are confirmed by sentence embeddings when enabled) cover at
  least ``rewrite_coverage`` of the shorter article's words, in roughly the same order.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH
from spacy.lang.en.stop_words import STOP_WORDS
from wordfreq import zipf_frequency

from storyline.cluster.sentences import quoted_mask, sentence_spans, word_spans
from storyline.cluster.vectors import Embedder, shared_embedder
from storyline.model import AlignedPassage, Article, CopyLink
from storyline.settings import CopySettings

_STOP = {w.lower() for w in STOP_WORDS} | {"said", "says", "told", "also"}
_SHINGLE_BASE = 1_000_003  # odd multiplier of the rolling shingle hash
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", ""))


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A light suffix stripper: enough to match "seized" / "seizes" / "seize" across a paraphrase."""
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


@lru_cache(maxsize=200_000)
def _rarity(word: str) -> float:
    """How uncommon a word is in English (7.5 for a name or number wordfreq has never seen, ~1 for "said")."""
    return max(0.5, 7.5 - zipf_frequency(word, "en"))


@lru_cache(maxsize=200_000)
def _hash32(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


@lru_cache(maxsize=200_000)
def _rare_key(stem: str) -> tuple[float, int]:
    return -_rarity(stem), _hash32(stem)


def _sentence_keys(stems: set[str]) -> tuple[int, ...]:
    """Keys of a sentence: each pair among its three rarest stems (ties broken by hash).

    A paraphrase keeps names and numbers and changes common words: if one of the three rare words is
    replaced, the pair of the other two still matches.
    """
    rare = sorted(sorted(stems, key=_rare_key)[:3])
    return tuple(_hash32(f"{x} {y}") for k, x in enumerate(rare) for y in rare[k + 1 :])


@dataclass
class _SentenceVectors:
    """Sparse sentence vectors over hashed stems, as (row, feature, weight) triples."""

    rows: np.ndarray
    features: np.ndarray
    weights: np.ndarray
    n: int

    def similarities(self, other: _SentenceVectors) -> np.ndarray:
        """Cosine of every sentence here with every sentence of ``other``, dense over the shared features only."""
        shared = np.intersect1d(self.features, other.features)
        return self._dense(shared) @ other._dense(shared).T

    def _dense(self, shared: np.ndarray) -> np.ndarray:
        out = np.zeros((self.n, len(shared)), dtype=np.float32)
        keep = np.isin(self.features, shared)
        out[self.rows[keep], np.searchsorted(shared, self.features[keep])] = self.weights[keep]
        return out


@dataclass
class _Doc:
    """What is kept of one indexed article: every array is bounded by ``max_words``."""

    id: str
    when: tuple[datetime, bool] | None
    text: str
    starts: np.ndarray  # word start offsets (int32)
    ends: np.ndarray  # word end offsets (int32)
    shingles: np.ndarray  # hash of the shingle starting at each word (uint32)
    narrative: np.ndarray  # per word, True outside quotation marks
    sentences: list[tuple[int, int]]  # word index ranges [lo, hi)
    sentence_words: np.ndarray  # content words outside quotes per sentence (0: not aligned)
    vectors: _SentenceVectors  # one L2-normalised row per sentence
    shingle_sig: np.ndarray
    sentence_keys: list[tuple[int, ...]]  # per alignable sentence, its rare-pair keys then its exact-text key

    @property
    def words(self) -> int:
        return len(self.starts)


@dataclass
class _Match:
    """Sentence pairs aligned between two documents, with their similarity."""

    pairs: list[tuple[int, int, float]]  # (sentence of a, sentence of b, similarity), a ascending
    coverage_a: float  # share of a's alignable words in aligned sentences
    coverage_b: float
    order: float  # share of aligned pairs in the longest run keeping the order of both texts


class CopyDetector:
    """Finds duplicates, rewrites and shared wire copy among articles added one at a time."""

    def __init__(self, settings: CopySettings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = s = settings or CopySettings()
        self.links: list[CopyLink] = []
        self._docs: OrderedDict[str, _Doc] = OrderedDict()
        self._shingle_lsh = MinHashLSH(threshold=s.shingle_lsh_threshold, num_perm=s.num_perm)
        self._postings: dict[int, list[str]] = {}  # sentence key -> ids of the latest articles having it
        self._template = MinHash(num_perm=s.num_perm, seed=1)
        self._embedder = embedder
        self._embedding_cache: OrderedDict[str, np.ndarray] = OrderedDict()

    # ------------------------------------------------------------------ public

    def add(self, article: Article) -> list[CopyLink]:
        """Index one article and return its links to articles added before it."""
        if article.id in self._docs:
            return []
        doc = self._features(article)
        found = []
        for other in self._candidates(doc):
            link = self._verify(doc, other)
            if link is not None:
                found.append(link)
        self._insert(doc)
        self.links.extend(found)
        return found

    # ------------------------------------------------------------------ features

    def _features(self, article: Article) -> _Doc:
        s = self.settings
        spans = word_spans(article.text)[: s.max_words]
        text = article.text[: spans[-1][1]] if spans else ""
        words = [text[a:b].lower().replace("’", "'") for a, b in spans]
        starts = np.fromiter((a for a, _ in spans), dtype=np.int32, count=len(spans))
        ends = np.fromiter((b for _, b in spans), dtype=np.int32, count=len(spans))
        shingles = _shingle_hashes(words, s.shingle_words)
        quoted = quoted_mask(text)
        narrative = np.fromiter((not quoted[a] for a, _ in spans), dtype=bool, count=len(spans))

        sentences, sentence_words, rows, cols, vals = [], [], [], [], []
        keys: list[tuple[int, ...]] = []
        for lo_char, hi_char in sentence_spans(text):
            lo, hi = int(np.searchsorted(starts, lo_char)), int(np.searchsorted(starts, hi_char))
            if lo >= hi:
                continue
            weights: dict[int, float] = {}
            stems: set[str] = set()
            own = 0
            for k in range(lo, hi):
                word = words[k]
                token = word.replace(",", "") if word[0].isdigit() else word
                if len(token) < 2 or token in _STOP:
                    continue
                stem = _stem(token)
                stems.add(stem)
                weights[_hash32(stem)] = _rarity(token)
                own += bool(narrative[k])
            row = len(sentences)
            sentences.append((lo, hi))
            # Quoted words do not count: independent reports quote the same statements word for word.
            sentence_words.append(own if len(weights) >= s.min_sentence_words else 0)
            if sentence_words[-1]:
                keys.append((*_sentence_keys(stems), _hash32("= " + " ".join(words[lo:hi]))))
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for col, weight in weights.items():
                rows.append(row)
                cols.append(col)
                vals.append(weight / norm)
        vectors = _SentenceVectors(
            np.asarray(rows, dtype=np.int32), np.asarray(cols, dtype=np.uint32), np.asarray(vals, dtype=np.float32),
            len(sentences),
        )
        return _Doc(
            id=article.id,
            when=_parse_date(article.published),
            text=text,
            starts=starts,
            ends=ends,
            shingles=shingles,
            narrative=narrative,
            sentences=sentences,
            sentence_words=np.asarray(sentence_words, dtype=np.int32),
            vectors=vectors,
            shingle_sig=self._signature(np.unique(shingles).tolist()),
            sentence_keys=keys,
        )

    def _signature(self, hashes: list[int]) -> np.ndarray:
        m = MinHash(
            num_perm=self.settings.num_perm, hashfunc=int, permutations=self._template.permutations, scheme="affine32"
        )
        m.update_batch(hashes)
        return m.hashvalues

    def _minhash(self, signature: np.ndarray) -> MinHash:
        return MinHash(hashvalues=signature, permutations=self._template.permutations, scheme="affine32")

    # ------------------------------------------------------------------ index

    def _candidates(self, doc: _Doc) -> list[_Doc]:
        """Earlier articles found by either index, the most alike first, at most ``max_candidates``.

        Alike: the shingle Jaccard estimated from the signatures, or the share of the sentences of the
        article with fewer sentences that share a key with the other.
        """
        s = self.settings
        score: dict[str, float] = {}
        if len(doc.shingles):
            for key in self._shingle_lsh.query(self._minhash(doc.shingle_sig)):
                score[key] = float(np.mean(self._docs[key].shingle_sig == doc.shingle_sig))
        hits: Counter[str] = Counter()
        verbatim: Counter[str] = Counter()
        for sentence in doc.sentence_keys:
            hits.update({other for key in sentence[:-1] for other in self._postings.get(key, ())})
            verbatim.update(set(self._postings.get(sentence[-1], ())))
        for key, count in hits.items():
            if count < s.candidate_sentences:
                continue
            share = count / max(min(len(doc.sentence_keys), len(self._docs[key].sentence_keys)), 1)
            # Few shared sentences are worth verifying only when one of them is shared word for word (wire copy).
            if share >= s.candidate_share or verbatim[key]:
                score[key] = max(score.get(key, 0.0), share)
        score.pop(doc.id, None)
        ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))[: s.max_candidates]
        return [self._docs[key] for key, _ in ranked]

    def _insert(self, doc: _Doc) -> None:
        s = self.settings
        if len(doc.shingles):
            self._shingle_lsh.insert(doc.id, self._minhash(doc.shingle_sig))
        for key in {k for sentence in doc.sentence_keys for k in sentence}:
            posting = self._postings.setdefault(key, [])
            posting.append(doc.id)
            if len(posting) > s.posting_limit:
                del posting[0]  # a key this common says little; the latest articles are the likeliest sources
        self._docs[doc.id] = doc
        while len(self._docs) > s.max_articles:
            self._forget(self._docs.popitem(last=False)[1])

    def _forget(self, doc: _Doc) -> None:
        """Remove the oldest article from both indexes."""
        if len(doc.shingles):
            self._shingle_lsh.remove(doc.id)
        for key in {k for sentence in doc.sentence_keys for k in sentence}:
            posting = self._postings.get(key)
            if posting is not None and doc.id in posting:
                posting.remove(doc.id)
                if not posting:
                    del self._postings[key]

    # ------------------------------------------------------------------ verification

    def _verify(self, a: _Doc, b: _Doc) -> CopyLink | None:
        """Decide the kind of copy between two candidate documents, or None when they are not copies."""
        s = self.settings
        jaccard = _jaccard(a.shingles, b.shingles)
        runs = _verbatim_runs(a, b, s.shingle_words)
        if jaccard >= s.duplicate_jaccard:
            long_runs = [r for r in runs if r[2] >= s.passage_min_words]
            return self._link(a, b, "duplicate", jaccard, [_verbatim_passage(a, b, r) for r in long_runs])

        # A wire passage is long in words outside quotes: two reports quoting one speech are not wire copy.
        wire_runs = [r for r in runs if int(a.narrative[r[0] : r[0] + r[2]].sum()) >= s.wire_min_words]
        match = self._align(a, b)
        if wire_runs:
            shared = sum(int(a.narrative[r[0] : r[0] + r[2]].sum()) for r in wire_runs)
            verbatim_a = shared / max(int(a.narrative.sum()), 1)
            verbatim_b = shared / max(int(b.narrative.sum()), 1)
            covered_a = max(verbatim_a, match.coverage_a) if match else verbatim_a
            covered_b = max(verbatim_b, match.coverage_b) if match else verbatim_b
            aligned = max(match.coverage_a, match.coverage_b) if match else 0.0
            # Shared wire: the verbatim passages carry what the two share, and both tell more than them.
            if (
                min(1 - covered_a, 1 - covered_b) >= s.wire_own_share
                and max(verbatim_a, verbatim_b) >= s.wire_verbatim_share * aligned
            ):
                score = max(verbatim_a, verbatim_b)
                return self._link(a, b, "shared_wire", score, [_verbatim_passage(a, b, r) for r in wire_runs])
        if match is None:
            return None
        shorter = match.coverage_a if _alignable(a) <= _alignable(b) else match.coverage_b
        if (
            shorter >= s.rewrite_coverage
            and match.order >= s.rewrite_order
            and len(match.pairs) >= s.rewrite_min_sentences
        ):
            return self._link(a, b, "rewrite", shorter, _sentence_passages(a, b, match.pairs))
        return None

    def _align(self, a: _Doc, b: _Doc) -> _Match | None:
        """Align sentences one to one by similarity; None when none can be aligned."""
        s = self.settings
        if not len(a.sentences) or not len(b.sentences):
            return None
        sims = a.vectors.similarities(b.vectors)
        sims[a.sentence_words == 0, :] = 0.0
        sims[:, b.sentence_words == 0] = 0.0
        accepted = sims >= s.sentence_similarity
        grey = (sims >= s.embedding_band) & ~accepted
        if s.use_embeddings and grey.any() and self._worth_embedding(a, b, accepted, grey):
            sims = self._confirm(a, b, sims, grey)
            accepted = sims >= s.sentence_similarity
        if not accepted.any():
            return None
        pairs = _one_to_one(sims, accepted)
        pairs.sort()
        order = _longest_increasing([j for _, j, _ in pairs]) / len(pairs)
        aligned_a = sum(int(a.sentence_words[i]) for i, _, _ in pairs) / max(int(a.sentence_words.sum()), 1)
        aligned_b = sum(int(b.sentence_words[j]) for _, j, _ in pairs) / max(int(b.sentence_words.sum()), 1)
        return _Match(pairs, aligned_a, aligned_b, order)

    def _worth_embedding(self, a: _Doc, b: _Doc, accepted: np.ndarray, grey: np.ndarray) -> bool:
        """Embeddings are spent only when the lexical alignment already covers ``embedding_gate`` of the
        shorter article and accepting every grey pair could reach ``rewrite_coverage``."""
        s = self.settings
        shorter, axis = (a, 1) if _alignable(a) <= _alignable(b) else (b, 0)
        total = max(int(shorter.sentence_words.sum()), 1)
        covered = int(shorter.sentence_words[accepted.any(axis=axis)].sum()) / total
        reachable = int(shorter.sentence_words[(accepted | grey).any(axis=axis)].sum()) / total
        return covered >= s.embedding_gate and reachable >= s.rewrite_coverage

    def _embeddings(self, doc: _Doc) -> np.ndarray:
        """Unit embeddings of every sentence of ``doc``, kept for the ``embedding_cache`` latest documents."""
        cached = self._embedding_cache.get(doc.id)
        if cached is None:
            if self._embedder is None:
                self._embedder = shared_embedder()
            texts = [_sentence_text(doc, i) for i in range(len(doc.sentences))]
            cached = self._embedder.encode(texts).astype(np.float16)
            self._embedding_cache[doc.id] = cached
            if len(self._embedding_cache) > self.settings.embedding_cache:
                self._embedding_cache.popitem(last=False)
        else:
            self._embedding_cache.move_to_end(doc.id)
        return cached

    def _confirm(self, a: _Doc, b: _Doc, sims: np.ndarray, grey: np.ndarray) -> np.ndarray:
        """Raise grey-zone pairs whose sentence embeddings agree to the acceptance level."""
        s = self.settings
        cos = self._embeddings(a).astype(np.float32) @ self._embeddings(b).astype(np.float32).T
        confirmed = grey & (cos >= s.embedding_similarity)
        out = sims.copy()
        out[confirmed] = np.maximum(out[confirmed], s.sentence_similarity)
        return out

    def _link(self, a: _Doc, b: _Doc, kind: str, score: float, passages: list[AlignedPassage]) -> CopyLink:
        """A link with the earlier article as source when both dates are known and differ, else by id.

        ``passages`` come with ``a``'s spans in the ``source_*`` fields; they are swapped when ``b`` is the source.
        """
        order = _date_order(a.when, b.when)
        directed = order != 0
        a_first = order < 0 if directed else a.id < b.id
        source, target = (a, b) if a_first else (b, a)
        if not a_first:
            passages = [_swap(p) for p in passages]
        return CopyLink(
            source=source.id, target=target.id, kind=kind, score=round(score, 4),  # type: ignore[arg-type]
            directed=directed, passages=passages,
        )


# --------------------------------------------------------------------------- helpers


def _parse_date(value: str | None) -> tuple[datetime, bool] | None:
    """A publication date as (naive UTC datetime, whether it has a time of day); None when unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed, "T" in value or " " in value.strip()


def _date_order(a: tuple[datetime, bool] | None, b: tuple[datetime, bool] | None) -> int:
    """-1 when ``a`` was published first, 1 when ``b`` was, 0 when unknown or equal (by day if either has no time)."""
    if a is None or b is None:
        return 0
    x, y = (a[0], b[0]) if a[1] and b[1] else (a[0].date(), b[0].date())  # type: ignore[assignment]
    return -1 if x < y else 1 if x > y else 0


def _shingle_hashes(words: list[str], k: int) -> np.ndarray:
    """32-bit hash of each run of ``k`` words (one per start position; a text shorter than ``k`` has one)."""
    if not words:
        return np.zeros(0, dtype=np.uint32)
    hashes = np.fromiter((_hash32(w) for w in words), dtype=np.uint64, count=len(words))
    n = max(len(words) - k + 1, 1)
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):  # a polynomial rolling hash: wrap-around is intended
        for t in range(min(k, len(words))):
            combined = combined * np.uint64(_SHINGLE_BASE) + hashes[t : t + n]
    return ((combined >> np.uint64(32)) ^ combined).astype(np.uint32)


def _alignable(doc: _Doc) -> int:
    return int(doc.sentence_words.sum())


def _jaccard(x: np.ndarray, y: np.ndarray) -> float:
    ux, uy = np.unique(x), np.unique(y)
    if not len(ux) or not len(uy):
        return 0.0
    inter = len(np.intersect1d(ux, uy, assume_unique=True))
    return inter / (len(ux) + len(uy) - inter)


def _verbatim_runs(a: _Doc, b: _Doc, k: int) -> list[tuple[int, int, int]]:
    """Maximal runs of shingles shared in the same order: (first word in a, first word in b, words)."""
    where: dict[int, int] = {}
    for j, h in enumerate(b.shingles.tolist()):
        where.setdefault(h, j)
    runs: list[tuple[int, int, int]] = []
    i, hashes = 0, a.shingles.tolist()
    while i < len(hashes):
        j = where.get(hashes[i])
        if j is None:
            i += 1
            continue
        length = 1
        while (
            i + length < len(hashes) and j + length < len(b.shingles) and hashes[i + length] == b.shingles[j + length]
        ):
            length += 1
        words = min(length + k - 1, a.words - i, b.words - j)
        runs.append((i, j, words))
        i += length
    return runs


def _verbatim_passage(a: _Doc, b: _Doc, run: tuple[int, int, int]) -> AlignedPassage:
    i, j, n = run
    return AlignedPassage(
        source_start=int(a.starts[i]), source_end=int(a.ends[i + n - 1]),
        target_start=int(b.starts[j]), target_end=int(b.ends[j + n - 1]), similarity=1.0,
    )


def _one_to_one(sims: np.ndarray, accepted: np.ndarray) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching of accepted pairs, most similar first."""
    rows, cols = np.nonzero(accepted)
    order = np.argsort(-sims[rows, cols], kind="stable")
    used_a, used_b, pairs = set(), set(), []
    for k in order.tolist():
        i, j = int(rows[k]), int(cols[k])
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j, float(min(sims[i, j], 1.0))))
    return pairs


def _longest_increasing(values: list[int]) -> int:
    """Length of the longest strictly increasing subsequence (patience sorting)."""
    import bisect

    tails: list[int] = []
    for v in values:
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
        else:
            tails[k] = v
    return len(tails)


def _sentence_text(doc: _Doc, i: int) -> str:
    lo, hi = doc.sentences[i]
    return doc.text[int(doc.starts[lo]) : int(doc.ends[hi - 1])]


def _sentence_passages(a: _Doc, b: _Doc, pairs: list[tuple[int, int, float]]) -> list[AlignedPassage]:
    """Aligned sentence pairs, runs consecutive on both sides merged into one passage."""
    out: list[AlignedPassage] = []
    last: tuple[int, int] | None = None
    sims: list[float] = []
    for i, j, sim in pairs:
        (alo, ahi), (blo, bhi) = a.sentences[i], b.sentences[j]
        span = AlignedPassage(int(a.starts[alo]), int(a.ends[ahi - 1]), int(b.starts[blo]), int(b.ends[bhi - 1]), sim)
        if last is not None and last == (i - 1, j - 1):
            prev = out[-1]
            sims.append(sim)
            prev.source_end, prev.target_end = span.source_end, span.target_end
            prev.similarity = round(sum(sims) / len(sims), 4)
        else:
            sims = [sim]
            span.similarity = round(sim, 4)
            out.append(span)
        last = (i, j)
    return out


def _swap(p: AlignedPassage) -> AlignedPassage:
    return AlignedPassage(p.target_start, p.target_end, p.source_start, p.source_end, p.similarity)
