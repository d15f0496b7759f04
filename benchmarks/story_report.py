"""Latency of one big story's report from the store: ``storyline report STORY_ID`` on a 100-article story.

The story: every article of the largest ECB+ story (one event told by many outlets), then follow-ups of
them (neighbouring paragraphs swapped, about 4 % of words dropped, 0-2 days later, each from an outlet
of its own) until there are N articles, as the throughput benchmark builds them. They are analysed once
into a temp store (not timed: ingest, annotation and clustering are the throughput benchmark's
business; analyze stores each story's account). Then ``storyline.api.report_story`` writes
report.json, report.md and report.html for the largest stored story, timed:

* cold: in a fresh Python process, after ``import storyline.api`` (timed apart), model loads included
  when any is needed (what a user typing ``storyline report`` waits for, minus the interpreter start);
* warm: a second call in that process (what a long-running service or web app answers with);
* cli: the whole ``storyline report STORY --db ... --out ...`` command in a fresh process, wall clock
  (interpreter start, imports, the report);
* with ``--rebuild``, also rebuilt: a fresh process's first call after the stored account was dropped
  (a story that changed since it was analysed: copies and account rebuilt, MiniLM loaded).

    python benchmarks/story_report.py [--articles 100] [--data DIR] [--rebuild]

Last line: ``story_report: cold_s=… warm_s=… cli_s=… articles=…`` (and ``rebuilt_s=…``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import headline, print_table, shared_path
from throughput import SEED, Item, ecbplus_items, rewrite, write_jsonl

# Wall and CPU seconds (this process, all threads) of each step: on a shared machine the CPU time
# says what the work costs, the wall time what a user waited.
_CHILD = """
import json, sys, time
from pathlib import Path
def now():
    return time.perf_counter(), time.process_time()
t0 = now()
from storyline.api import report_story
t1 = now()
report_story(sys.argv[1], Path(sys.argv[2]) / "cold", db=sys.argv[3])
t2 = now()
report_story(sys.argv[1], Path(sys.argv[2]) / "warm", db=sys.argv[3])
t3 = now()
steps = {"import": (t0, t1), "cold": (t1, t2), "warm": (t2, t3)}
print(json.dumps({f"{name}_{kind}": b[i] - a[i] for name, (a, b) in steps.items()
                  for i, kind in enumerate(("s", "cpu"))}))
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


def _children_cpu() -> float:
    """CPU seconds used by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--data", type=Path, default=shared_path())
    parser.add_argument("--rebuild", action="store_true", help="also time a report whose stored account is gone")
    args = parser.parse_args()

    from sqlalchemy import create_engine, delete

    from storyline.api import analyze
    from storyline.store import Store
    from storyline.store.tables import story_accounts

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
        start, used = time.perf_counter(), _children_cpu()
        subprocess.run([sys.executable, "-c", "from storyline.cli import main; main()", "report", story.id,
                        "--out", str(tmp / "out" / "cli"), "--db", db], capture_output=True, check=True)
        times["cli_s"], times["cli_cpu"] = time.perf_counter() - start, _children_cpu() - used
        if args.rebuild:
            engine = create_engine(f"sqlite:///{db}")
            with engine.begin() as conn:
                conn.execute(delete(story_accounts))
            engine.dispose()
            proc = subprocess.run([sys.executable, "-c", _CHILD, story.id, str(tmp / "rebuilt"), db],
                                  capture_output=True, text=True, check=True)
            rebuilt = json.loads(proc.stdout.strip().splitlines()[-1])
            times["rebuilt_s"], times["rebuilt_cpu"] = rebuilt["cold_s"], rebuilt["cold_cpu"]

    print(f"story_report: {args.articles} articles in; largest story {story.id} has {len(story.article_ids)}; "
          f"setup (analyze, not timed below) {setup_s:.1f} s")
    steps = [("import storyline.api", "import"), ("report_story, cold (first call in the process)", "cold"),
             ("report_story, warm", "warm"), ("storyline report (the whole command)", "cli")]
    if "rebuilt_s" in times:
        steps.append(("report_story, account rebuilt (cold)", "rebuilt"))
    print_table(["step", "seconds", "cpu seconds"],
                [[label, times[f"{key}_s"], times[f"{key}_cpu"]] for label, key in steps])
    print("written (warm):", ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in sorted(sizes.items())))
    extra = {"rebuilt_s": times["rebuilt_s"]} if "rebuilt_s" in times else {}
    print(headline("story_report", cold_s=times["cold_s"], warm_s=times["warm_s"], cli_s=times["cli_s"],
                   articles=len(story.article_ids), **extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
