"""Incremental latency: adding one article to a store that already holds many articles and their stories.

A store of ``--size`` articles (default 100,000) with their persistent stories is built once from the
synthetic stream of benchmarks/clustering_scale.py (real texts perturbed into stories spread over a year)
and cached under the temp dir (``$TMPDIR/storyline-incremental/``); the build stores and clusters the
articles through the same public API, but without lead embeddings or annotation, to keep it short.
Each run copies the cached database, loads the clusterer's state once (as a long-running service
would) and then adds the next ``--add`` articles of the stream one at a time (store insert + story
assignment, one transaction each), printing the load time and p50 / p95 / max latency per article.

    python benchmarks/incremental.py [--size 100000] [--add 200] [--rebuild]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clustering_scale import SEED, build_stream, seed_texts
from common import headline, peak_rss_mb, print_table, timer

from storyline import api
from storyline.model import Article, Source
from storyline.settings import ClusterSettings, Settings
from storyline.store import Store

OUTLETS = 40  # synthetic outlet names, so stories carry outlet counts as real ones do
BUILD_VERSION = 1  # bump when the build changes, so an old cached store is not reused


def to_article(item: tuple, rng: random.Random) -> Article:
    """A stored-article form of one synthetic stream item."""
    aid, title, text, day = item
    return Article(
        id=aid, source=Source("synthetic"), text=text, paragraphs=[text], title=title,
        outlet=f"outlet-{rng.randrange(OUTLETS)}", published=day.isoformat(), published_source="given",
    )


def articles(size: int, extra: int) -> tuple[list[Article], list[Article]]:
    """The first ``size`` articles of the stream (stored) and the ``extra`` after them (added one by one)."""
    rng = random.Random(SEED)
    stream = [to_article(item, rng) for item in build_stream(size + extra)]
    return stream[:size], stream[size:]


def settings() -> Settings:
    """Storyline's settings with lead embeddings off (the cached build has none)."""
    out = Settings()
    out.cluster = ClusterSettings(use_embeddings=False)
    return out


def build(path: Path, stored: list[Article]) -> float:
    """Store and cluster ``stored`` into a new database at ``path``; returns the seconds it took."""
    partial = path.with_suffix(".partial")
    for leftover in path.parent.glob(partial.name + "*"):
        leftover.unlink()
    with timer() as t, Store(f"sqlite:///{partial}") as store:
        tracker = api.open_stories(store, settings())
        api.store_articles(stored, store, tracker, settings())
    partial.rename(path)
    return t["seconds"]


def main() -> int:
    """Build or reuse the cached store, time the additions, print the table and the headline line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="articles already in the store")
    parser.add_argument("--add", type=int, default=200, help="articles added one at a time")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached store")
    args = parser.parse_args()
    if not seed_texts():
        print("incremental: no texts found under ../shared/data", file=sys.stderr)
        return 2
    stored, new = articles(args.size, args.add)
    cache = Path(tempfile.gettempdir()) / "storyline-incremental"
    cache.mkdir(exist_ok=True)
    cached = cache / f"store-{args.size}-v{BUILD_VERSION}.db"
    if args.rebuild and cached.exists():
        cached.unlink()
    if cached.exists():
        print(f"using cached store {cached}")
    else:
        seconds = build(cached, stored)
        print(f"built {cached}: {args.size} articles in {seconds:.0f}s ({args.size / seconds:.0f} articles/s)")
    del stored
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "store.db"
        shutil.copyfile(cached, work)
        with Store(f"sqlite:///{work}") as store:
            with timer() as t_load:
                tracker = api.open_stories(store, settings())
            n_articles, n_stories = store.count_articles(), store.count_stories()
            latencies = []
            for article in new:
                start = time.perf_counter()
                api.store_articles([article], store, tracker, settings())
                latencies.append((time.perf_counter() - start) * 1000)
            joined = len({s.id for s in store.stories_of(a.id for a in new) if len(s.article_ids) > 1})
        size_mb = work.stat().st_size / 1e6
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2]
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    print(f"store: {n_articles} articles, {n_stories} stories, {size_mb:.0f} MB; state loaded in "
          f"{t_load['seconds'] * 1000:.0f} ms; peak RSS {peak_rss_mb():.0f} MB; "
          f"{joined} stories of the new articles hold more than one article")
    print_table(["articles in store", "added", "load state ms", "p50 ms", "p95 ms", "max ms"],
                [[args.size, len(latencies), round(t_load["seconds"] * 1000), round(p50, 1), round(p95, 1),
                  round(max(latencies), 1)]])
    print(headline("incremental", p95_ms=p95, p50_ms=p50, articles=str(args.size)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
