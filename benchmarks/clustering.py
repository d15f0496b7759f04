"""Story clustering quality on ECB+ (or another JSONL in the same layout).

B-cubed precision, recall and F1 of storyline's online clusterer against the gold stories, in the
file's order and averaged over 5 shuffled orders, beside a plain single-pass TF-IDF baseline run
on the same orders.

    python benchmarks/clustering.py [--data FILE] [--no-embeddings]

Input lines: {"id", "story", "text", optional "published" (ISO date), "outlet", "title"}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import headline, print_table, shared_path, timer

from storyline.cluster.stories import ClusterItem, StoryClusterer, lead
from storyline.cluster.vectors import Embedder
from storyline.settings import ClusterSettings

SHUFFLES = 5
BASELINE_THRESHOLD = 0.3  # cosine to a cluster centroid; a common default for single-pass TF-IDF


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering ``pred`` (item -> cluster) against ``gold``."""
    by_pred, by_gold = defaultdict(set), defaultdict(set)
    for item, c in pred.items():
        by_pred[c].add(item)
    for item, c in gold.items():
        by_gold[c].add(item)
    p = r = 0.0
    for item in gold:
        cluster, klass = by_pred[pred[item]], by_gold[gold[item]]
        both = len(cluster & klass)
        p += both / len(cluster)
        r += both / len(klass)
    p, r = p / len(gold), r / len(gold)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load(path: Path) -> list[dict]:
    """The JSONL records."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def to_item(rec: dict, embedding: np.ndarray | None) -> ClusterItem:
    """A ClusterItem from one record."""
    published = date.fromisoformat(rec["published"][:10]) if rec.get("published") else None
    return ClusterItem(
        id=rec["id"], title=rec.get("title", ""), text=rec["text"], published=published,
        outlet=rec.get("outlet"), embedding=embedding,
    )


def run_storyline(records: list[dict], order: list[int], embeddings: np.ndarray | None) -> dict[str, str]:
    """Cluster in the given order with storyline's clusterer."""
    clusterer = StoryClusterer(ClusterSettings())
    for i in order:
        clusterer.add(to_item(records[i], None if embeddings is None else embeddings[i]))
    return dict(clusterer.assignment)


def run_baseline(records: list[dict], order: list[int]) -> dict[str, str]:
    """Single-pass TF-IDF: join the closest centroid at cosine >= threshold, else start a cluster."""
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform([r["text"] for r in records])
    centroids = np.zeros((len(records), matrix.shape[1]))
    n_clusters = 0
    pred: dict[str, str] = {}
    for i in order:
        vec = matrix[i].toarray()[0]
        best = -1
        if n_clusters:
            live = centroids[:n_clusters]
            sims = live @ vec / np.maximum(np.linalg.norm(live, axis=1), 1e-12)
            best = int(np.argmax(sims))
            if sims[best] < BASELINE_THRESHOLD:
                best = -1
        if best < 0:
            best, n_clusters = n_clusters, n_clusters + 1
        centroids[best] += vec
        pred[records[i]["id"]] = str(best)
    return pred


def main() -> int:
    """Score storyline and the baseline, print the table and the headline line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=shared_path("ecbplus", "ecbplus.jsonl"))
    parser.add_argument("--no-embeddings", action="store_true", help="cluster on words and names only")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"clustering: data not found: {args.data}", file=sys.stderr)
        return 2
    records = load(args.data)
    gold = {r["id"]: str(r["story"]) for r in records}
    embeddings = None
    with timer() as t_embed:
        if not args.no_embeddings and ClusterSettings().use_embeddings:
            lead_chars = ClusterSettings().lead_chars
            embeddings = Embedder().encode([lead(r.get("title", ""), r["text"], lead_chars) for r in records])

    orders = [list(range(len(records)))]
    for seed in range(SHUFFLES):
        order = list(range(len(records)))
        random.Random(seed).shuffle(order)
        orders.append(order)

    rows, scores, base_scores = [], [], []
    t_cluster = 0.0
    for n, order in enumerate(orders):
        with timer() as t:
            pred = run_storyline(records, order, embeddings)
        t_cluster += t["seconds"]
        base = run_baseline(records, order)
        sp, sr, sf = bcubed(pred, gold)
        bp, br, bf = bcubed(base, gold)
        scores.append(sf)
        base_scores.append(bf)
        label = "fixed" if n == 0 else f"shuffle {n - 1}"
        rows.append([label, sp, sr, sf, len(set(pred.values())), bp, br, bf, len(set(base.values()))])
    print(f"{len(records)} articles, {len(set(gold.values()))} gold stories; "
          f"embeddings {t_embed['seconds']:.1f}s, clustering {len(records) * len(orders) / t_cluster:.0f} articles/s")
    print_table(["order", "P", "R", "F1", "stories", "base P", "base R", "base F1", "base stories"], rows)
    shuffled = sum(scores[1:]) / SHUFFLES
    print(f"fixed F1 {scores[0]:.4f}, shuffled mean {shuffled:.4f} (min {min(scores[1:]):.4f}); "
          f"baseline fixed {base_scores[0]:.4f}, shuffled mean {sum(base_scores[1:]) / SHUFFLES:.4f}")
    print(headline("clustering", bcubed_f1=scores[0], shuffled_f1=shuffled, baseline_f1=base_scores[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
