"""Scale and accuracy check of copy detection (cluster/copies.py) on a synthetic stream built from ECB+.

The stream: the ECB+ articles, then "collages" (sentences drawn from random ECB+ articles, so no two
are copies) up to ``--articles``, with ``--copy-share`` of them replaced by injected copies of an
earlier article: exact duplicates with other furniture, rewrites (synonyms swapped, clauses
reordered, sentences dropped) and shared wire (a run of the earlier article's sentences inside other
text). Reports articles/s, peak memory, and recall / precision on the injected pairs beside a
baseline that only looks for near-duplicates (MinHash-LSH on shingles at the duplicate threshold).
Links among the original ECB+ articles (which contain real copies) are counted apart.

    python benchmarks/copies_scale.py [--data DIR] [--articles 10000] [--copy-share 0.04] [--embeddings]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import headline, peak_rss_mb, print_table, shared_path

from storyline.cluster.copies import CopyDetector
from storyline.model import Article, Source
from storyline.settings import CopySettings

# Common news-prose synonyms a rewriter swaps (both directions are used).
SYNONYMS = {
    "said": "stated", "says": "states", "told": "informed", "began": "started", "begin": "start", "big": "large",
    "killed": "left dead", "died": "perished", "people": "persons", "police": "officers", "officials": "authorities",
    "announced": "declared", "reported": "stated", "after": "following", "before": "prior to", "about": "around",
    "more than": "over", "including": "among them", "because": "as", "also": "additionally", "help": "assist",
    "show": "demonstrate", "house": "home", "home": "residence", "car": "vehicle", "fire": "blaze", "near": "close to",
    "attack": "assault", "quickly": "rapidly", "meeting": "talks", "team": "squad", "won": "clinched",
    "win": "victory", "game": "match", "job": "post", "company": "firm", "children": "kids", "hospital": "clinic",
    "arrested": "detained", "charged": "accused", "government": "administration", "country": "nation",
    "week": "seven days", "building": "structure", "injured": "hurt", "earlier": "previously", "tried": "attempted",
    "however": "but", "while": "whereas", "according to": "citing", "major": "key", "large": "big", "many": "numerous",
    "show's": "programme's", "film": "movie", "star": "celebrity", "actor": "performer", "ceremony": "event",
}
FURNITURE = [
    "Advertisement", "Share this article", "Follow us on Twitter and Facebook", "Read more:",
    "Sign up for our newsletter", "All rights reserved.", "Related stories", "Copyright the outlet 2013",
    "Click here to comment",
]
_PHRASE = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)) + r")\b")


@dataclass
class Item:
    article: Article
    root: str  # the base article's id for an injected copy, else its own id
    kind: str | None = None  # the injected kind
    original: bool = False
    parts: tuple[str, ...] = ()  # for a collage, the original each sentence was varied from


def load_ecbplus(path: Path) -> list[tuple[int, list[str]]]:
    """ECB+ articles as (topic, sentences), without the URL line ECB+plus texts start with."""
    docs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            lines = [x.strip() for x in json.loads(line)["text"].split("\n") if x.strip()]
            if lines and lines[0].startswith("http"):
                lines = lines[1:]
            if lines:
                docs.append((json.loads(line)["topic"], lines))
    return docs


def article(aid: str, paragraphs: list[str], day: date) -> Article:
    return Article(id=aid, source=Source(aid), text="\n\n".join(paragraphs), paragraphs=paragraphs,
                   published=day.isoformat())


def rewrite(sentences: list[str], rng: random.Random) -> list[str]:
    """Drop some sentences, swap synonyms, move a leading clause to the end."""
    out = []
    for sentence in sentences:
        if len(sentences) > 3 and rng.random() < 0.2:
            continue
        text = _PHRASE.sub(lambda m: SYNONYMS[m.group(1)] if rng.random() < 0.8 else m.group(1), sentence)
        head, sep, tail = text.partition(", ")
        if sep and len(head.split()) >= 4 and len(tail.split()) >= 4 and rng.random() < 0.5:
            tail = tail.rstrip(" .")
            text = f"{tail[0].upper()}{tail[1:]}, {head[0].lower()}{head[1:]}."
        out.append(text)
    return out


def vary(sentence: str, vocabulary: list[str], rng: random.Random) -> str:
    """A sentence of the same topic that copies no long run of its model: about a third of its words replaced."""
    words = sentence.split()
    return " ".join(w if k == 0 or rng.random() > 0.35 else rng.choice(vocabulary) for k, w in enumerate(words))


def build_stream(docs: list[tuple[int, list[str]]], n: int, share: float, rng: random.Random) -> list[Item]:
    by_topic: dict[int, list[tuple[str, list[str]]]] = {}
    by_id: dict[str, list[str]] = {}
    for topic, lines in docs:
        long = [x for x in lines if len(x.split()) >= 5]
        if long:
            by_topic.setdefault(topic, []).append((f"ecb{len(by_id)}", long))
        by_id[f"ecb{len(by_id)}"] = lines
    vocabulary = {t: [w for _, d in ds for x in d for w in x.split() if w.isalpha()] for t, ds in by_topic.items()}
    topics = sorted(by_topic)
    start = date(2013, 1, 1)
    base: list[Item] = []
    for k, (_, d) in enumerate(docs):
        base.append(Item(article(f"ecb{k}", d, start + timedelta(days=rng.randrange(60))), f"ecb{k}", original=True))
    n_copies = int(n * share)
    k = 0
    # Collages: articles of one topic (same names, same vocabulary) made of varied sentences of its articles,
    # at most one from each, so that no collage retells one article.
    while len(base) < n - n_copies:
        topic = rng.choice(topics)
        size = max(5, min(40, len(rng.choice(docs)[1]), len(by_topic[topic])))
        chosen = rng.sample(by_topic[topic], size)
        paragraphs = [vary(rng.choice(d), vocabulary[topic], rng) for _, d in chosen]
        day = start + timedelta(days=rng.randrange(60))
        base.append(Item(article(f"col{k}", paragraphs, day), f"col{k}", parts=tuple(i for i, _ in chosen)))
        k += 1
    sentences = [x for ds in by_topic.values() for _, d in ds for x in d]
    rng.shuffle(base)
    # Copies of distinct bases, each placed somewhere after its base with a date 0-2 days later.
    eligible = [i for i, it in enumerate(base) if len(it.article.paragraphs) >= 6]
    stream: list[Item | None] = list(base)
    inserts: list[tuple[int, Item]] = []
    kinds = ["duplicate", "rewrite", "shared_wire"]
    for c, pos in enumerate(rng.sample(eligible, n_copies)):
        src = base[pos]
        kind = kinds[c % 3]
        paras = src.article.paragraphs
        day = date.fromisoformat(src.article.published or "2013-01-01") + timedelta(days=rng.randrange(3))
        if kind == "duplicate":
            new = rng.sample(FURNITURE, 2)[:1] + list(paras) + rng.sample(FURNITURE, 2)
        elif kind == "rewrite":
            new = rewrite(list(paras), rng)
        else:
            run = rng.randrange(2, max(3, len(paras) // 2))
            lo = rng.randrange(0, len(paras) - run + 1)
            topic = rng.choice(topics)
            own = [vary(rng.choice(sentences), vocabulary[topic], rng) for _ in range(run + rng.randrange(2, 8))]
            cut = rng.randrange(len(own) + 1)
            new = own[:cut] + list(paras[lo : lo + run]) + own[cut:]
        copy = Item(article(f"copy{c}", new, day), src.root, kind)
        inserts.append((rng.randrange(pos + 1, len(base) + 1), copy))
    for at, item in sorted(inserts, key=lambda x: -x[0]):
        stream.insert(at, item)
    return [it for it in stream if it is not None]


def baseline_links(stream: list[Item], settings: CopySettings) -> set[frozenset[str]]:
    """Near-duplicates only: MinHash-LSH over shingles at the duplicate threshold."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=settings.duplicate_jaccard, num_perm=settings.num_perm)
    found = set()
    for it in stream:
        words = re.findall(r"\w+", it.article.text.lower())
        m = MinHash(num_perm=settings.num_perm)
        m.update_batch([" ".join(words[i : i + settings.shingle_words]).encode() for i in range(len(words))])
        for other in lsh.query(m):
            found.add(frozenset((it.article.id, other)))
        lsh.insert(it.article.id, m)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_path("ecbplus"))
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--copy-share", type=float, default=0.04)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--embeddings", action="store_true", help="confirm grey-zone sentence pairs with MiniLM")
    parser.add_argument("--show-false", type=int, default=0, help="print this many false links")
    args = parser.parse_args()
    source = args.data / "ecbplus.jsonl"
    if not source.exists():
        sys.exit(f"{source}: missing (ECB+ is read from --data DIR)")
    rng = random.Random(args.seed)
    stream = build_stream(load_ecbplus(source), args.articles, args.copy_share, rng)
    by_id = {it.article.id: it for it in stream}
    gold = {frozenset((it.article.id, it.root)): it for it in stream if it.kind}
    settings = CopySettings(use_embeddings=args.embeddings)

    rss_before = peak_rss_mb()
    detector = CopyDetector(settings)
    started = time.perf_counter()
    for it in stream:
        detector.add(it.article)
    seconds = time.perf_counter() - started
    rss_after = peak_rss_mb()

    found = {frozenset((link.source, link.target)): link for link in detector.links}
    natural = {p for p in found if all(by_id[x].original for x in p)}
    scored = {p: link for p, link in found.items() if p not in natural}
    # Not false: a copy of an original linked to another original that really copies its base, and a collage
    # linked to an original when enough of its sentences come from that original or its real copies.
    roots_natural = {frozenset(by_id[x].root for x in p) for p in natural}
    near: dict[str, set[str]] = {}
    for x, y in (tuple(p) for p in natural):
        near.setdefault(x, {x}).add(y)
        near.setdefault(y, {y}).add(x)

    def retells(collage: Item, original: str) -> bool:
        group = near.get(original, {original})
        return sum(part in group for part in collage.parts) >= settings.rewrite_min_sentences

    def is_explained(p: frozenset[str]) -> bool:
        x, y = (by_id[by_id[i].root] for i in p)
        if frozenset((x.article.id, y.article.id)) in roots_natural:
            return True
        return (x.parts and y.original and retells(x, y.article.id)) or (
            y.parts and x.original and retells(y, x.article.id)
        )

    explained = {p for p in scored if p not in gold and is_explained(p)}
    false = [p for p in scored if p not in gold and p not in explained]
    dated = [p for p in gold if p in scored and by_id[gold[p].root].article.published != gold[p].article.published]
    correct_dir = sum(1 for p in dated if scored[p].directed and scored[p].target == gold[p].article.id)
    base_found = baseline_links(stream, settings)

    rows = []
    for kind in ("duplicate", "rewrite", "shared_wire"):
        pairs = [p for p, it in gold.items() if it.kind == kind]
        any_kind = sum(1 for p in pairs if p in scored) / max(len(pairs), 1)
        right = sum(1 for p in pairs if p in scored and scored[p].kind == kind) / max(len(pairs), 1)
        predicted = [p for p, link in scored.items() if link.kind == kind and p not in explained]
        precision = sum(1 for p in predicted if p in gold) / max(len(predicted), 1)
        baseline = sum(1 for p in pairs if p in base_found) / max(len(pairs), 1)
        rows.append([kind, len(pairs), baseline, any_kind, right, precision])
    print(f"stream: {len(stream)} articles, {len(gold)} injected copies, seed {args.seed}, "
          f"embeddings {'on' if settings.use_embeddings else 'off'}")
    print_table(["kind", "injected", "baseline recall", "recall (any kind)", "recall (kind)", "precision"], rows)
    kinds = Counter(link.kind for p, link in found.items() if p in natural)
    print(f"links among original ECB+ articles (real copies, not scored): {dict(kinds)}; "
          f"explained by them: {len(explained)}; false links: {len(false)}; "
          f"direction right: {correct_dir}/{len(dated)} found copies dated apart")
    for p in false[: args.show_false]:
        link = scored[p]
        print("false", link.kind, link.score, link.source, link.target)
    for p, it in list(gold.items())[: args.show_false * 4]:
        if p not in scored or scored[p].kind != it.kind:
            print("missed", it.kind, it.root, it.article.id, scored[p].kind if p in scored else None)
    print_table(
        ["articles", "seconds", "articles/s", "peak RSS MB", "RSS growth MB"],
        [[len(stream), seconds, len(stream) / seconds, rss_after, rss_after - rss_before]],
    )
    recall = sum(1 for p in gold if p in scored) / max(len(gold), 1)
    precision = sum(1 for p in scored if p in gold) / max(len(scored) - len(explained), 1)
    print(headline("copies_scale", articles_per_s=len(stream) / seconds, peak_mb=rss_after, recall=recall,
                   precision=precision, false_links=str(len(false))))


if __name__ == "__main__":
    main()
