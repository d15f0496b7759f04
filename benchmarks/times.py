"""Time expressions on TempEval-3 training data (TimeBank and AQUAINT, TimeML with TIMEX3 values).

Scores, per corpus and overall, for storyline and a dateparser baseline:

* value accuracy given the gold expressions (gold span text, anchor = the document creation time);
* end-to-end extraction as TempEval-3's official scorer (TE3-evaluation.py) computes it: strict and relaxed
  span F1; value accuracy over the relaxed matches; value F1 = that accuracy x relaxed F1 (equivalently,
  value-correct matches over system and over gold expressions). Values are compared as exact strings, as the
  official scorer does (``2000-W7`` is not ``2000-W07``).

The baseline is ``dateparser.parse`` / ``dateparser.search.search_dates`` with ``RELATIVE_BASE`` = the DCT, its
datetime written at the granularity of the gold value it is compared with (which favours the baseline).

    python benchmarks/times.py [--data DIR] [--errors N] [--kinds]   # DIR holds TimeBank/ and AQUAINT/ (*.tml)

``--kinds`` adds a table of storyline's value errors given gold expressions, grouped by the kind of gold value.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from common import headline, prf, print_table, shared_path, timer
from lxml import etree

from storyline.annotate.times import Resolver, extract_times, future_context, next_word, parse_published

CORPORA = ("TimeBank", "AQUAINT")


@dataclass
class Gold:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass
class Document:
    name: str
    dct: str
    text: str
    timexes: list[Gold]


def load_corpus(directory: Path) -> list[Document]:
    """Every ``*.tml`` file of ``directory``: its DCT, its TEXT as plain text and the TIMEX3 spans in it."""
    docs = []
    for path in sorted(directory.glob("*.tml")):
        try:
            root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        except etree.XMLSyntaxError as exc:
            sys.exit(f"{path}: not well-formed TimeML: {exc}")
        dct = root.find("DCT/TIMEX3")
        body = root.find("TEXT")
        if dct is None or body is None or not dct.get("value"):
            sys.exit(f"{path}: no DCT TIMEX3 value or no TEXT element")
        parts, timexes = [body.text or ""], []
        pos = len(parts[0])
        for child in body:
            inner = "".join(child.itertext())
            if child.tag == "TIMEX3":
                timexes.append(Gold(pos, pos + len(inner), inner, child.get("type", ""), child.get("value", "")))
            parts += [inner, child.tail or ""]
            pos += len(inner) + len(child.tail or "")
        docs.append(Document(path.name, dct.get("value"), "".join(parts), timexes))
    return docs


def format_like(moment: datetime | None, gold: str) -> str | None:
    """A dateparser datetime written at the granularity of a gold value (day, week, month, quarter, year, time)."""
    if moment is None:
        return None
    if re.fullmatch(r"\d{4}-\d\d-\d\dT.*", gold):
        return moment.strftime("%Y-%m-%dT%H:%M")
    if re.fullmatch(r"\d{4}-\d\d-\d\d", gold):
        return moment.strftime("%Y-%m-%d")
    if re.fullmatch(r"\d{4}-W\d+(-WE)?", gold):
        iso = moment.isocalendar()
        return f"{iso.year}-W{iso.week:02d}" + ("-WE" if gold.endswith("WE") else "")
    if re.fullmatch(r"\d{4}-\d\d", gold):
        return moment.strftime("%Y-%m")
    if re.fullmatch(r"\d{4}-Q\d", gold):
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    if re.fullmatch(r"\d{4}", gold):
        return str(moment.year)
    return moment.isoformat()  # durations, sets, *_REF: dateparser has no such values


def dct_datetime(dct: str) -> datetime:
    anchor = parse_published(dct)
    return anchor if isinstance(anchor, datetime) else datetime(anchor.year, anchor.month, anchor.day)


def storyline_values(doc: Document) -> list[str | None]:
    """Values of the gold expressions, resolved in reading order (anaphora see earlier expressions), with the
    same context (tense of the clause, the next word) as extraction uses."""
    resolver = Resolver(parse_published(doc.dct))
    return [
        resolver.resolve(
            g.text, future=future_context(doc.text, g.start, g.end), after=next_word(doc.text, g.end)
        ).value
        for g in doc.timexes
    ]


def baseline_values(doc: Document) -> list[str | None]:
    import dateparser

    settings = {"RELATIVE_BASE": dct_datetime(doc.dct)}
    return [format_like(dateparser.parse(g.text, settings=settings), g.value) for g in doc.timexes]


def storyline_extract(doc: Document) -> list[tuple[int, int, str | None]]:
    return [(t.start, t.end, t.value) for t in extract_times(doc.text, doc.dct)]


def baseline_extract(doc: Document) -> list[tuple[int, int, datetime]]:
    from dateparser.search import search_dates

    found = search_dates(doc.text, languages=["en"], settings={"RELATIVE_BASE": dct_datetime(doc.dct)}) or []
    out, pos = [], 0
    for piece, moment in found:  # search_dates returns substrings in order; locate them
        at = doc.text.find(piece, pos)
        if at < 0:
            at = doc.text.find(piece)
        if at >= 0:
            out.append((at, at + len(piece), moment))
            pos = at + len(piece)
    return out


def score_extraction(docs: list[Document], predict, value_of) -> dict[str, float]:
    """Strict / relaxed span F1, value accuracy over relaxed matches and value F1 (relaxed match, one-to-one,
    same value string), as TempEval-3's scorer counts them."""
    n_pred = n_gold = strict = relaxed = valued = 0
    for doc in docs:
        pred = predict(doc)
        n_pred += len(pred)
        n_gold += len(doc.timexes)
        gold_spans = {(g.start, g.end) for g in doc.timexes}
        strict += sum((s, e) in gold_spans for s, e, _ in pred)
        used: set[int] = set()
        for g in doc.timexes:
            for k, (s, e, v) in enumerate(pred):
                if k not in used and s < g.end and g.start < e:
                    used.add(k)
                    relaxed += 1
                    valued += value_of(v, g.value) == g.value
                    break
    return {
        "strict_f1": prf(strict, n_pred, n_gold)[2],
        "matched_acc": valued / relaxed if relaxed else 0.0,
        "relaxed_f1": prf(relaxed, n_pred, n_gold)[2],
        "value_p": prf(valued, n_pred, n_gold)[0],
        "value_r": prf(valued, n_pred, n_gold)[1],
        "value_f1": prf(valued, n_pred, n_gold)[2],
    }


KINDS = ("duration", "set", "ref", "quarter", "week", "time", "day", "month", "year", "decade", "other")


def value_kind(gold: Gold) -> str:
    """The kind of a gold TIMEX3 value, for the error table: duration, set, *_REF, quarter/half, week, time of
    day, day, month, year, decade/century, other (seasons, ``XX`` placeholders such as ``1949-XX``)."""
    v = gold.value
    if gold.type == "DURATION":
        return "duration"
    if gold.type == "SET":
        return "set"
    if v.endswith("_REF"):
        return "ref"
    for kind, pattern in (
        ("quarter", r"\d{4}-[QH]\d"),
        ("week", r"\d{4}-W\d+(?:-WE)?"),
        ("time", r"\d{4}-\d\d-\d\dT.+"),
        ("day", r"\d{4}-\d\d-\d\d"),
        ("month", r"\d{4}-\d\d"),
        ("year", r"\d{4}"),
        ("decade", r"\d{2,3}"),
    ):
        if re.fullmatch(pattern, v):
            return kind
    return "other"


def print_kinds(corpora: dict[str, list[Document]]) -> None:
    """Storyline's wrong values given gold expressions, by kind of gold value, as ``wrong/total`` per corpus."""
    counts = {name: {k: [0, 0] for k in KINDS} for name in corpora}
    for name, docs in corpora.items():
        for doc in docs:
            for v, g in zip(storyline_values(doc), doc.timexes, strict=True):
                cell = counts[name][value_kind(g)]
                cell[0] += v != g.value
                cell[1] += 1
    rows = [[k, *(f"{counts[n][k][0]}/{counts[n][k][1]}" for n in corpora)] for k in KINDS]
    rows.append(["all", *(f"{sum(c[0] for c in counts[n].values())}/{sum(c[1] for c in counts[n].values())}"
                          for n in corpora)])  # fmt: skip
    print_table(["wrong value", *corpora], rows)


def accuracy(docs: list[Document], values) -> float:
    pairs = [(v, g.value) for d in docs for v, g in zip(values(d), d.timexes, strict=True)]
    return sum(v == g for v, g in pairs) / len(pairs) if pairs else 0.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=shared_path("tempeval3", "TBAQ-cleaned"))
    parser.add_argument("--errors", type=int, default=0, help="print this many storyline value errors")
    parser.add_argument("--kinds", action="store_true", help="print storyline's value errors by kind of value")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")  # dateparser's deprecation chatter
    corpora = {name: load_corpus(args.data / name) for name in CORPORA if (args.data / name).is_dir()}
    if not corpora:
        sys.exit(f"{args.data}: no TimeBank/ or AQUAINT/ directory with .tml files")
    corpora["overall"] = [d for docs in corpora.values() for d in docs]
    rows, results = [], {}
    with timer() as t:
        for name, docs in corpora.items():
            ours_acc = accuracy(docs, storyline_values)
            base_acc = accuracy(docs, baseline_values)
            ours = score_extraction(docs, storyline_extract, lambda v, _g: v)
            base = score_extraction(docs, baseline_extract, format_like)
            n = sum(len(d.timexes) for d in docs)
            for system, acc, e2e in (("dateparser", base_acc, base), ("storyline", ours_acc, ours)):
                rows.append(
                    [
                        name,
                        len(docs),
                        n,
                        system,
                        acc,
                        e2e["strict_f1"],
                        e2e["relaxed_f1"],
                        e2e["matched_acc"],
                        e2e["value_p"],
                        e2e["value_r"],
                        e2e["value_f1"],
                    ]
                )
            results[name] = (ours_acc, ours, base_acc, base)
    print_table(
        [
            "corpus",
            "docs",
            "timex",
            "system",
            "value_acc",
            "strict_f1",
            "relaxed_f1",
            "matched_acc",
            "value_p",
            "value_r",
            "value_f1",
        ],
        rows,
    )
    print(f"({t['seconds']:.1f} s)")
    if args.errors:
        shown = 0
        for doc in corpora["overall"]:
            for v, g in zip(storyline_values(doc), doc.timexes, strict=True):
                if v != g.value and shown < args.errors:
                    print(f"  {doc.dct[:10]}  {g.type:8} {g.text!r:40} gold={g.value} got={v}")
                    shown += 1
    if args.kinds:
        print_kinds(corpora)
    ours_acc, ours, base_acc, base = results["overall"]
    print(
        headline(
            "time",
            value_accuracy=ours_acc,
            e2e_f1=ours["relaxed_f1"],
            matched_value_accuracy=ours["matched_acc"],
            value_f1=ours["value_f1"],
            baseline_value_accuracy=base_acc,
            baseline_value_f1=base["value_f1"],
        )
    )


if __name__ == "__main__":
    main()
