"""What an article shares with a story: weighted terms, names and an embedding of its lead.

Term weights are TF-IDF with an *online* document frequency that starts from a prior: before many
articles have arrived, a word's specificity comes from its general frequency in English (wordfreq),
expressed as pseudo-documents; as articles arrive, their own document frequencies take over. This
keeps the first articles of a stream from being clustered on words like "said".
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import numpy as np
from scipy import sparse
from spacy.lang.en.stop_words import STOP_WORDS
from wordfreq import word_frequency, zipf_frequency

if TYPE_CHECKING:
    from storyline.cluster.encoder import OnnxMiniLM

_log = logging.getLogger(__name__)
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]{2,}", re.UNICODE)
# A capitalised word run (a name): "Tara Reid", "Betty Ford Center", "Bank of England".
_NAME = re.compile(r"\b([A-Z][\w'’-]+(?:\s+(?:of\s+|de\s+|al\s+|van\s+|von\s+)?[A-Z][\w'’-]+)*)")
# Capitalised single words that are common English words (a sentence start, "The") are not names.
_COMMON_ZIPF = 4.5
_CALENDAR = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_YEAR = re.compile(r"(?<![\d.,])(?:19[5-9]\d|20[0-9]\d)(?![\d.,]\d)")
# A figure, possibly with a hyphenated unit: 6.1, 27,000, 33-year-old, 90-day.
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*(?:-[^\W\d_]+)*")
# A figure and the word it counts or measures: "23 passengers", "6.1-magnitude", "36 - year" (tokenised text).
_FIGURE_UNIT = re.compile(r"(?<![\w.])(\d[\d,.]*)(?:\s*-\s*|\s+)([^\W\d_]{3,})")
# A clock time ("9:27 a.m.", "13: 00 GMT", "02. 16PM"): when a report was filed, not what it reports. With a
# dot only when a time suffix follows ("3.50 dollars" is a figure).
_TIME_SUFFIX = r"\s?(?:[ap]\.?\s?m\b\.?|gmt\b|utc\b|[a-z]st\b|et\b|hrs\b)"
_CLOCK = re.compile(
    rf"(?<![\w.])\d{{1,2}}(?:\s?:\s?\d{{2}}(?:{_TIME_SUFFIX}){{0,2}}|\s?\.\s?\d{{2}}(?:{_TIME_SUFFIX}){{1,2}})",
    re.IGNORECASE,
)
# Connectors inside a name run, not names themselves.
_NAME_LINKS = {"of", "de", "al", "van", "von"}
_STOP = {w.lower() for w in STOP_WORDS} | {"said", "says", "told", "according", "would", "could", "also", "one", "two"}
# Average article length in tokens, to turn a word's corpus frequency into the share of documents
# that contain it (1 - exp(-L f)); only the order of magnitude matters.
_DOC_TOKENS = 400


def tokens(text: str) -> list[str]:
    """Lower-cased content words (no stop words, numbers or one-letter tokens)."""
    out = []
    for match in _WORD.finditer(text):
        word = match.group().lower().replace("’", "'").removesuffix("'s")
        if len(word) > 2 and word not in _STOP:
            out.append(word)
    return out


def anchors(text: str, names: Iterable[str] | None = None) -> list[str]:
    """What pins an article to one instance of an event: names, years (``year:2013``) and figures.

    ``names`` are the article's canonical entities when it was annotated; without them, the words of
    capitalised runs stand in. Years and figures tell apart two instances of the same kind of event
    (two earthquakes in one region, two title fights of one boxer). A figure counts as itself
    (``num:23``) and with the word after it (``fig:23 passengers``), which a bare small number shared by
    chance does not match; clock times are left out.
    """
    text = _CLOCK.sub(" ", text)
    out = list(names) if names is not None else _name_words(text)
    out.extend("year:" + y for y in _YEAR.findall(text))
    figures = (n.rstrip(".,").lower() for n in _NUMBER.findall(text))
    out.extend("num:" + n for n in figures if not _YEAR.fullmatch(n))
    for value, unit in _FIGURE_UNIT.findall(text):
        value, unit = value.rstrip(".,").replace(",", ""), unit.lower()
        if unit not in _STOP and not _YEAR.fullmatch(value):
            out.append(f"fig:{value} {unit}")
    return out


def _name_words(text: str) -> list[str]:
    """The words of the article's names: "Maria Lopez" and a later "Lopez" share one.

    Parts of a longer name that are common English words ("Center", "Navy") are left out unless the
    name has nothing else.
    """
    out = []
    for name in _capitalised_runs(text):
        if " " not in name:
            out.append(name)
            continue
        words = [w for w in name.split() if len(w) > 2 and w not in _NAME_LINKS]
        out.extend([w for w in words if zipf_frequency(w, "en") < _COMMON_ZIPF] or words)
    return out


def _capitalised_runs(text: str) -> list[str]:
    out = []
    for match in _NAME.finditer(text):
        name = match.group(1).lower().replace("’", "'").removeprefix("the ").removesuffix("'s")
        if len(name) < 3 or name in _STOP or name in _CALENDAR:
            continue
        if " " not in name and zipf_frequency(name, "en") >= _COMMON_ZIPF:
            continue
        out.append(name)
    return out


@lru_cache(maxsize=200_000)
def prior_document_share(word: str) -> float:
    """Expected share of English news documents containing ``word``, from its corpus frequency."""
    return 1.0 - math.exp(-_DOC_TOKENS * word_frequency(word, "en"))


class DocumentFrequencies:
    """Online document frequencies blended with a prior worth ``prior_documents`` documents."""

    def __init__(self, prior_documents: float) -> None:
        self.prior_documents = prior_documents
        self.documents = 0
        self.counts: Counter[str] = Counter()

    def add(self, terms: Iterable[str]) -> None:
        """Count one document's distinct terms."""
        self.documents += 1
        self.counts.update(set(terms))

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency of ``term`` under the blended counts."""
        total = self.documents + self.prior_documents
        df = self.counts.get(term, 0) + self.prior_documents * prior_document_share(term)
        return math.log((total + 1.0) / (df + 1.0)) + 1.0


def weigh(counts: Counter[str], df: DocumentFrequencies) -> dict[str, float]:
    """Sublinear TF times IDF, L2-normalised."""
    vec = {t: (1.0 + math.log(c)) * df.idf(t) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two L2-normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def top_terms(vec: dict[str, float], k: int) -> dict[str, float]:
    """The ``k`` heaviest terms of a vector, renormalised."""
    if len(vec) <= k:
        return vec
    kept = dict(sorted(vec.items(), key=lambda kv: -kv[1])[:k])
    norm = math.sqrt(sum(v * v for v in kept.values())) or 1.0
    return {t: v / norm for t, v in kept.items()}


def presence_matrix(key_sets: Sequence[Iterable[str]]) -> tuple[sparse.csr_matrix, list[str]]:
    """A 0/1 sparse matrix with a row per key set and a column per distinct key (first-seen order), and the
    keys: what pairwise overlaps of many sets are computed from with one sparse product."""
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, keys in enumerate(key_sets):
        for key in keys:
            rows.append(i)
            cols.append(vocabulary.setdefault(key, len(vocabulary)))
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(key_sets), len(vocabulary)))
    return matrix, list(vocabulary)


# all-MiniLM-L6-v2's embedding size.
EMBEDDING_DIMENSION = 384


# Stored vectors are keyed by the model's name and the text: another model would need other keys.
_MODEL_NAME = "all-MiniLM-L6-v2"


def embedding_key(text: str) -> str:
    """The key of ``text``'s embedding in a store (32 hex characters)."""
    return hashlib.sha256(f"{_MODEL_NAME}\n{text}".encode()).hexdigest()[:32]


class EmbeddingStore(Protocol):
    """Where embeddings outlive the process (:class:`storyline.store.Store` is one)."""

    def get_embeddings(self, keys: Iterable[str]) -> dict[str, bytes]: ...

    def put_embeddings(self, vectors: dict[str, bytes]) -> None: ...


@dataclass
class Embedder:
    """Sentence embeddings with the bundled all-MiniLM-L6-v2 (loaded on first use).

    A text embedded once is remembered (the ``cache_size`` most recently used texts, about 1.6 KB each),
    so the stages of one run that embed the same sentence (a rewrite's unchanged sentences, a clause
    the timeline and the discrepancy check both compare) pay for it once. Each call encodes its new
    distinct texts in one batch.

    ``backend``: ``"onnx"`` runs the model on ONNX Runtime (:mod:`storyline.cluster.encoder`: the same
    vectors for half the CPU), ``"torch"`` through sentence-transformers; when ONNX Runtime is missing
    or the conversion fails, the torch path is used (and the reason logged once).
    ``backing``: a store that keeps embeddings between processes (set for a block with :meth:`backed_by`).
    ``threads``: threads while encoding; ``None``: one per core. The pipeline's stages that embed (story
    assignment at ingest, reconcile) run when the annotation workers are not running, so the cores are
    free: on the quiet 2-core machine 600 news sentences took 5.2 s with one torch thread and 2.8 s with
    two. (On the same machine busy with other jobs one thread was faster: set 1 where other work shares
    the cores.)
    """

    batch_size: int = 16
    cache_size: int = 50_000
    threads: int | None = None
    backend: str = "onnx"
    backing: EmbeddingStore | None = None
    _model: OnnxMiniLM | _TorchMiniLM | None = None
    _cache: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, repr=False)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSION), dtype=np.float32)
        distinct = list(dict.fromkeys(texts))
        unstored = self._load_backed(distinct) if self.backing is not None else []
        self._encode_new([t for t in distinct if t not in self._cache])
        if unstored:  # encoded now, or earlier in this process while no store was attached
            assert self.backing is not None
            vectors = {embedding_key(t): np.asarray(self._cache[t], dtype=np.float32).tobytes() for t in unstored}
            self.backing.put_embeddings(vectors)
        rows = []
        for text in texts:
            self._cache.move_to_end(text)
            rows.append(self._cache[text])
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return np.stack(rows)

    def _encode_new(self, texts: list[str]) -> None:
        if texts:
            for text, vector in zip(texts, self._encode(texts), strict=True):
                self._cache[text] = vector.copy()  # a row of its own, not a view keeping the batch alive

    def _load_backed(self, texts: list[str]) -> list[str]:
        """Put the backing store's vectors of ``texts`` in the cache; the texts the store does not have."""
        assert self.backing is not None
        keys = {text: embedding_key(text) for text in texts}
        found = self.backing.get_embeddings(keys.values())
        unstored = []
        for text, key in keys.items():
            data = found.get(key)
            if data is None or len(data) != 4 * EMBEDDING_DIMENSION:
                unstored.append(text)
            elif text not in self._cache:
                self._cache[text] = np.frombuffer(data, dtype=np.float32).copy()
        return unstored

    @contextmanager
    def backed_by(self, store: EmbeddingStore | None) -> Iterator[Embedder]:
        """While in the block, every text asked for is looked up in ``store`` (what memory lacks is read from
        it) and what the store lacks is saved there, whether encoded now or earlier in this process, so
        another process (the next ``analyze``, a report rebuild) does not encode it again."""
        before, self.backing = self.backing, store
        try:
            yield self
        finally:
            self.backing = before

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            self._model = self._load()
        return self._model.encode(texts, batch_size=self.batch_size)

    def _load(self) -> OnnxMiniLM | _TorchMiniLM:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if self.backend == "onnx":
            try:
                from storyline.cluster.encoder import OnnxMiniLM

                return OnnxMiniLM(threads=self.threads)
            except Exception as exc:  # the optional fast path failing for any reason falls back to torch
                _log.warning("sentence embeddings on torch: ONNX Runtime failed (%s: %s)", type(exc).__name__, exc)
        elif self.backend != "torch":
            raise ValueError(f"unknown embedding backend {self.backend!r} (onnx or torch)")
        return _TorchMiniLM(self.threads)


class _TorchMiniLM:
    """all-MiniLM-L6-v2 through sentence-transformers on torch, with ``threads`` torch threads while encoding."""

    def __init__(self, threads: int | None) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        from storyline.cluster.encoder import model_dir

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar in our output
        self._model = SentenceTransformer(str(model_dir()), device="cpu")
        self.threads = threads

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        import torch

        before = torch.get_num_threads()
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        try:
            vectors = self._model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
            )
            return np.asarray(vectors)
        finally:
            torch.set_num_threads(before)


_shared: Embedder | None = None


def shared_embedder() -> Embedder:
    """The process's embedder: one model load and one sentence cache for every run in the process.

    What every stage uses when it is not handed an embedder, so a long-running process (a service, a
    notebook, the web app) loads the model once and never embeds the same sentence twice."""
    global _shared
    if _shared is None:
        _shared = Embedder()
    return _shared
