"""Latency of one big story's report from the store: ``storyline report STORY_ID`` on a 100-article story.

The story: every article of the largest ECB+ story (one event told by many outlets), then follow-ups of
them (neighbouring paragraphs swapped, about 4 % of words dropped, 0-2 days later, each from an outlet
of its own) until there are N articles, as the throughput benchmark builds them. They are analysed once
into a temp store (not timed: ingest, annotation and clustering are the throughput benchmark's
business). Then ``storyline.api.report_story`` writes report.json, report.md and report.html for the
largest stored story, timed:

* cold: in a fresh Python process, imports and model loads included (what a user typing
  ``storyline report`` waits for, minus the interpreter start);
* warm: a second call in that process (what a long-running service or web app answers with).

    python benchmarks/story_report.py [--articles 100] [--data DIR]

Last line: ``story_report: cold_s=… warm_s=… articles=…``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import headline, print_table, shared_path
from throughput import SEED, Item, ecbplus_items, rewrite, write_jsonl

_CHILD = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from storyline.api import report_story
t1 = time.perf_counter()
report_story(sys.argv[1], Path(sys.argv[2]) / "cold", db=sys.argv[3])
t2 = time.perf_counter()
report_story(sys.argv[1], Path(sys.argv[2]) / "warm", db=sys.argv[3])
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "cold_s": t2 - t1, "warm_s": t3 - t2}))
"""


def story_items(data: Path, n: int) -> list[Item]:
    """The largest ECB+ story's articles, then follow-ups of them up to ``n``."""
    rng = random.Random(SEED)
    by_story: dict[str, list[Item]] = {}
    for item in ecbplus_items(data, rng):
        by_story.setdefault(item.url.rsplit("/", 1)[0], []).append(item)
    if not by_story:
        sys.exit(f"story_report: no ECB+ texts under {data}")
    base = max(by_story.values(), key=len)
    items = list(base)
    while len(items) < n:
        follow = rewrite(base[len(items) % len(base)], len(items), rng)
        outlet = f"follow-up-{len(items)}.example"
        items.append(Item(follow.title, follow.paragraphs, outlet, f"https://{outlet}/{len(items)}", follow.published))
    return items[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--data", type=Path, default=shared_path())
    args = parser.parse_args()

    from storyline.api import analyze
    from storyline.store import Store

    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        write_jsonl(story_items(args.data, args.articles), tmp / "in")
        db = str(tmp / "s.db")
        start = time.perf_counter()
        analyze([str(tmp / "in")], tmp / "analysed", db=db)
        setup_s = time.perf_counter() - start
        with Store(f"sqlite:///{db}") as store:
            story = max(store.list_stories(), key=lambda s: len(s.article_ids))
        proc = subprocess.run([sys.executable, "-c", _CHILD, story.id, str(tmp / "out"), db],
                              capture_output=True, text=True, check=True)
        times = json.loads(proc.stdout.strip().splitlines()[-1])
        sizes = {p.name: p.stat().st_size for p in (tmp / "out" / "warm").rglob("report.*")}

    print(f"story_report: {args.articles} articles in; largest story {story.id} has {len(story.article_ids)}; "
          f"setup (analyze, not timed below) {setup_s:.1f} s")
    print_table(["step", "seconds"], [
        ["import storyline.api", times["import_s"]],
        ["report_story, cold (models loaded)", times["cold_s"]],
        ["report_story, warm", times["warm_s"]],
    ])
    print("written (warm):", ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in sorted(sizes.items())))
    print(headline("story_report", cold_s=times["cold_s"], warm_s=times["warm_s"], articles=len(story.article_ids)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
