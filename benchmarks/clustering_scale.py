"""How story clustering scales: articles/s and peak memory at 10k, 30k and 100k articles.

The stream is built from the real texts in ../shared/data (ECB+ articles, AEB article bodies, PolNeAR
texts): each synthetic story takes one real text as its seed and gets a few articles that are
perturbed versions of it (sentences dropped and reordered, words dropped), dated over a few days;
stories are spread over a year and the stream is in date order, as a newsroom would receive it.
Each size runs in its own process so its peak memory is its own.

    python benchmarks/clustering_scale.py [--sizes 10000 30000 100000] [--embeddings]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clustering import bcubed
from common import headline, peak_rss_mb, print_table, shared_path, timer

from storyline.cluster.stories import ClusterItem, StoryClusterer, lead
from storyline.settings import ClusterSettings

SEED = 13
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def seed_texts() -> list[str]:
    """Real article texts from the shared development sets."""
    texts = []
    ecb = shared_path("ecbplus", "ecbplus.jsonl")
    if ecb.exists():
        texts += [json.loads(line)["text"] for line in ecb.open(encoding="utf-8")]
    aeb = shared_path("aeb", "ground-truth.json")
    if aeb.exists():
        bodies = json.loads(aeb.read_text(encoding="utf-8")).values()
        texts += [v["articleBody"] for v in bodies if v.get("articleBody")]
    for split in ("train", "dev"):
        folder = shared_path("polnear", split, "text")
        if folder.exists():
            texts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    return [t for t in texts if len(t.split()) >= 80]


def perturb(text: str, rng: random.Random) -> str:
    """A rewrite-like variant: some sentences dropped, neighbours swapped, some words dropped."""
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    kept = [s for s in sentences if rng.random() > 0.25] or sentences[:1]
    for i in range(len(kept) - 1):
        if rng.random() < 0.2:
            kept[i], kept[i + 1] = kept[i + 1], kept[i]
    words = " ".join(kept).split()
    return " ".join(w for w in words if rng.random() > 0.05)


def build_stream(size: int) -> list[tuple[str, str, str, date]]:
    """``size`` (id, title, text, date) tuples in date order."""
    rng = random.Random(SEED)
    seeds = seed_texts()
    start = date(2024, 1, 1)
    items = []
    story = 0
    while len(items) < size:
        seed = seeds[story % len(seeds)]
        day = start + timedelta(days=rng.randrange(365))
        for k in range(min(1 + int(rng.expovariate(1 / 4)), size - len(items))):
            text = perturb(seed, rng)
            items.append((f"a{story}-{k}", text.split(".")[0][:120], text, day + timedelta(days=rng.randrange(4))))
        story += 1
    items.sort(key=lambda x: (x[3], x[0]))
    return items


def run_size(size: int, embeddings: bool) -> dict:
    """Cluster one stream in this process; returns the measurements."""
    items = build_stream(size)
    settings = ClusterSettings(use_embeddings=embeddings)
    vectors = None
    with timer() as t_embed:
        if embeddings:
            from storyline.cluster.vectors import Embedder

            vectors = Embedder().encode([lead(t, x, settings.lead_chars) for _, t, x, _ in items])
    clusterer = StoryClusterer(settings)
    with timer() as t:
        for i, (aid, title, text, day) in enumerate(items):
            clusterer.add(ClusterItem(aid, title, text, day, None, None, None if vectors is None else vectors[i]))
    seconds = t["seconds"] + t_embed["seconds"]
    gold = {aid: aid.split("-")[0] for aid, _, _, _ in items}
    return {
        "size": size,
        "stories": len(clusterer.stories),
        "gold_stories": len(set(gold.values())),
        "bcubed_f1": round(bcubed(clusterer.assignment, gold)[2], 4),
        "seconds": round(seconds, 1),
        "articles_per_s": round(size / seconds, 1),
        "peak_mb": round(peak_rss_mb()),
    }


def main() -> int:
    """Run each size in a child process and print the table and the headline line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--embeddings", action="store_true", help="embed each article's lead too")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: one size, JSON out
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, args.embeddings)))
        return 0
    if not seed_texts():
        print("clustering_scale: no texts found under ../shared/data", file=sys.stderr)
        return 2
    rows, results = [], []
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(size)] + (["--embeddings"] if args.embeddings else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(result)
        rows.append([result[k] for k in ("size", "gold_stories", "stories", "bcubed_f1", "seconds", "articles_per_s",
                                         "peak_mb")])
        print(f"{size}: {result}", flush=True)
    print_table(["articles", "gold stories", "stories", "B3 F1", "seconds", "articles/s", "peak MB"], rows)
    print(headline("clustering_scale", **{f"aps_{r['size']}": float(r["articles_per_s"]) for r in results},
                   **{f"peak_mb_{r['size']}": float(r["peak_mb"]) for r in results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
