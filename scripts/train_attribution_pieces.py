"""Fine-tune the transformer attribution tagger (storyline.annotate.piece_tagger) on PolNeAR train.

    python scripts/train_attribution_pieces.py [--data ../shared/data/polnear/train] [--out FILE]
        [--holdout-every 10] [--epochs 5]

Every annotator's annotation of a train text is one example; each blank-line paragraph is cut into
windows of at most 254 word pieces. Only train is read (``--holdout-every N`` leaves out every Nth train
text, the same texts as scripts/train_attribution.py, to compare variants without dev). Seeded (Python,
numpy, torch); about 37 minutes on this 2-core machine for 5 epochs (1,282 steps of ~4,000 pieces).
Writes the trained layers in float16 (not the embeddings, which come from the installed model) to
``--out``: 21.6 MB.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

from storyline.annotate.attribution import read_corpus
from storyline.annotate.piece_tagger import (
    LABELS,
    WEIGHTS_PATH,
    build_model,
    load_tokenizer,
    piece_labels,
    text_paragraphs,
    trained_state,
    transition_scores,
    transitions_path,
    windows,
    word_labels,
)
from storyline.cluster.encoder import model_dir

REPO = Path(__file__).resolve().parents[1]
SEED = 13
TOKENS_PER_BATCH = 4096  # padded pieces per optimiser step


def main(argv: list[str] | None = None) -> int:
    """Build the examples, fine-tune, save the trained layers."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "polnear" / "train")
    ap.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    ap.add_argument("--holdout-every", type=int, default=0)
    ap.add_argument("--epochs", type=float, default=5.0)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="first N annotations only (smoke tests)")
    ap.add_argument(
        "--transitions-only", action="store_true", help="write only the decoder's label transitions beside --out"
    )
    args = ap.parse_args(argv)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)

    gold = read_corpus(args.data, all_annotators=True)
    if args.holdout_every:
        names = sorted({g.name.rsplit("_", 1)[0] for g in gold})
        held = {n for k, n in enumerate(names) if k % args.holdout_every == 0}
        gold = [g for g in gold if g.name.rsplit("_", 1)[0] not in held]
        print(f"held out {len(held)} texts", file=sys.stderr)
    if args.limit:
        gold = gold[: args.limit]
    base = model_dir()
    tokenizer = load_tokenizer(base)
    examples: list[tuple[list[int], list[int]]] = []
    sequences: list[list[int]] = []  # the labels of word-initial pieces, for the decoder's transitions
    for g in gold:
        for start, end in text_paragraphs(g.text):
            for w in windows(tokenizer, g.text, start, end):
                labels = piece_labels(w.spans, g.attributions)
                examples.append((w.ids, labels))
                sequences.append(word_labels(w.spans, labels))
    if args.transitions_only:
        _write_transitions(args.out, sequences)
        return 0
    n_pieces = sum(len(ids) for ids, _ in examples)
    print(f"{len(gold)} annotations, {len(examples)} windows, {n_pieces} pieces", file=sys.stderr)

    model = build_model(base)
    for p in model.encoder.embeddings.parameters():
        p.requires_grad = False
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    batches_per_epoch = math.ceil(n_pieces / TOKENS_PER_BATCH * 1.15)
    total = max(1, int(batches_per_epoch * args.epochs))
    warmup = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
    )
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    model.train()
    step, t0 = 0, time.time()
    while step < total:
        for batch in _batches(examples):
            if step >= total:
                break
            width = max(len(examples[k][0]) for k in batch) + 2
            ids = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros_like(ids)
            gold_y = torch.full_like(ids, -100)
            for row, k in enumerate(batch):
                seq, lab = examples[k]
                ids[row, : len(seq) + 2] = torch.tensor([cls, *seq, sep])
                mask[row, : len(seq) + 2] = 1
                gold_y[row, 1 : len(seq) + 1] = torch.tensor(lab)
            logits = model(input_ids=ids, attention_mask=mask)
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, len(LABELS)), gold_y.reshape(-1), ignore_index=-100
            )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 50 == 0 or step == total:
                print(
                    f"step {step}/{total} loss {loss.item():.4f} {time.time() - t0:.0f}s", file=sys.stderr, flush=True
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.to(torch.float16) if v.is_floating_point() else v for k, v in trained_state(model).items()}
    torch.save(state, args.out)
    _write_transitions(args.out, sequences)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


def _write_transitions(weights: Path, sequences: list[list[int]]) -> None:
    """The decoder's label-bigram log frequencies, beside the weights."""
    table = transition_scores(sequences).round(6).tolist()
    transitions_path(weights).write_text(json.dumps(table) + "\n", encoding="utf-8")


def _batches(examples: list[tuple[list[int], list[int]]]) -> list[list[int]]:
    """Shuffled batches of similar-length windows, about ``TOKENS_PER_BATCH`` padded pieces each."""
    order = list(range(len(examples)))
    random.shuffle(order)
    batches: list[list[int]] = []
    for chunk_start in range(0, len(order), 512):  # sort within chunks: little padding, still shuffled
        chunk = sorted(order[chunk_start : chunk_start + 512], key=lambda k: len(examples[k][0]))
        batch: list[int] = []
        for k in chunk:
            width = max([len(examples[j][0]) for j in batch] + [len(examples[k][0])]) + 2
            if batch and width * (len(batch) + 1) > TOKENS_PER_BATCH:
                batches.append(batch)
                batch = []
            batch.append(k)
        if batch:
            batches.append(batch)
    random.shuffle(batches)
    return batches


if __name__ == "__main__":
    sys.exit(main())
