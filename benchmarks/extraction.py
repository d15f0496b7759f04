"""HTML extraction benchmark: article body, title, date and authors, storyline beside bare trafilatura.

Run: ``python benchmarks/extraction.py [--aeb DIR] [--pages DIR]``.

* Body F1 on the article-extraction-benchmark pages (``DIR/html/<id>.html.gz`` and
  ``DIR/ground-truth.json``), scored exactly as that benchmark's ``evaluate.py`` does: tokens are
  ``\\w+`` matches (case kept), shingles are word 4-grams counted as a multiset, each page's
  tp/fp/fn are normalised to sum 1, precision and recall are averaged over pages (precision only over
  pages with a prediction) and F1 is taken of the two means.
* Title, date and author accuracy on the fundus pages (``DIR/<file>.html.gz`` and ``DIR/gold.json``):

  - title: equal after Unicode NFKC, dropping soft hyphens and zero-width characters, mapping curly
    quotes and dashes to plain ones, collapsing whitespace and case-folding, then dropping quotation
    marks and a trailing ellipsis (``norm_title``);
  - date: the predicted publication date falls on the same calendar day as the gold one, both read in
    the gold's UTC offset (a prediction with an offset is converted to it; one without is taken as is);
  - authors: the normalised author *set* (``norm_text``, plus accents dropped) equals the
    gold set; a page whose gold lists no author counts as right when none is predicted. Per-author
    precision/recall/F1 over all pages is printed beside it.

Storyline is measured through the product path
(``clean_document(RawDocument(source, format="html", content=html))``).
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import mean

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import f1, headline, prf, print_table, shared_path

from storyline.model import PARAGRAPH_SEPARATOR, RawDocument, Source


@dataclass
class Extracted:
    """What one system found on one page."""

    body: str = ""
    title: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- systems


def storyline_system(extract_only: bool) -> tuple[str, Callable[[str, str], Extracted]]:
    """The product path (extraction, then the clean stage), or with ``extract_only`` the extractor alone."""
    if extract_only:
        from storyline.ingest.html import extract_html

        def run_extract(html: str, path: str) -> Extracted:
            paragraphs, hints = extract_html(html)
            return Extracted(PARAGRAPH_SEPARATOR.join(paragraphs), hints.title, hints.published, hints.byline)

        return "storyline (extract_html only)", run_extract

    from storyline.clean.document import clean_document

    def run(html: str, path: str) -> Extracted:
        article = clean_document(RawDocument(source=Source(path), format="html", content=html))
        return Extracted(article.text, article.title, article.published, article.byline)

    return "storyline", run


def trafilatura_system(html: str, path: str) -> Extracted:
    """Bare trafilatura with metadata, default settings."""
    doc = trafilatura.bare_extraction(html, with_metadata=True)
    if doc is None:
        return Extracted()
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Extracted(doc.text or "", doc.title, doc.date, authors)


# --------------------------------------------------------------------------- body metric (AEB evaluate.py)

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    """Normalised true positives, false positives and false negatives of 4-gram shingles."""
    t, p = _shingles(true), _shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def body_scores(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Mean precision, mean recall and their F1, as the AEB computes them."""
    p = mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    r = mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    return p, r, f1(p, r)


# --------------------------------------------------------------------------- metadata metrics

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                         "‹": "'", "›": "'", "–": "-", "—": "-", "‐": "-", "‑": "-"})
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def norm_text(text: str | None) -> str:
    """Normalised form used to compare titles and author names."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _INVISIBLE.sub("", text).translate(_QUOTES)
    return " ".join(text.split()).casefold()


# Quotation marks (after the mapping above) and a trailing ellipsis: see norm_title.
_QUOTE_MARKS = re.compile("[\"']")
_TRAILING_ELLIPSIS = re.compile(r"\s*\.{3}$")


def norm_title(text: str | None) -> str:
    """A title normalised for comparison: as ``norm_text``, without quotation marks or a trailing ellipsis.

    Headlines read from meta attributes often lose their quotation marks (CMSs drop them rather than
    escape them inside ``content="..."``), and an ellipsis at the end marks a shortened display; the
    gold takes its title from such fields for some publishers and from JSON-LD or the page for others.
    Words, their order and all other punctuation still have to match.
    """
    return _QUOTE_MARKS.sub("", _TRAILING_ELLIPSIS.sub("", norm_text(text)))


def norm_name(name: str) -> str:
    """An author name normalised for set comparison (accents dropped as well)."""
    decomposed = unicodedata.normalize("NFKD", norm_text(name))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def same_day(pred: str | None, gold: str | None) -> bool:
    """Whether ``pred`` falls on the gold's calendar day, read in the gold's UTC offset."""
    if not pred or not gold:
        return False
    try:
        g = datetime.fromisoformat(gold.strip())
        p = datetime.fromisoformat(pred.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    if p.tzinfo is not None and g.tzinfo is not None:
        p = p.astimezone(g.tzinfo)
    return p.date() == g.date()


def gold_list(value: object) -> list[str]:
    """Fundus stores lists as their Python repr; read them with a literal parser after a shape check."""
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value or "").strip()
    if not text:
        return []
    if not (text.startswith("[") and text.endswith("]")) or text.count("[") > 1:
        raise ValueError(f"gold authors is not a flat list: {text[:80]!r}")
    return [str(v) for v in ast.literal_eval(text)]


# --------------------------------------------------------------------------- runs


def read_gz(path: Path) -> str:
    """A gzipped HTML page as text (undecodable bytes replaced)."""
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def run_aeb(root: Path, systems: dict[str, Callable[[str, str], Extracted]], times: dict[str, list[float]],
            verbose: bool) -> dict[str, tuple[float, float, float]]:
    """Body precision/recall/F1 per system on the AEB pages."""
    gold = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    counts: dict[str, list[tuple[float, float, float]]] = {name: [] for name in systems}
    for key in sorted(gold):
        path = root / "html" / f"{key}.html.gz"
        html = read_gz(path)
        for name, system in systems.items():
            start = time.perf_counter()
            out = system(html, str(path))
            times[name].append(time.perf_counter() - start)
            counts[name].append(shingle_tp_fp_fn(gold[key].get("articleBody", ""), out.body))
        if verbose:
            print("aeb", key[:12], *(f"{name[:9]}={f1(_precision(*c[-1]), _recall(*c[-1])):.3f}"
                                     for name, c in counts.items()))
    return {name: body_scores(c) for name, c in counts.items()}


def run_fundus(root: Path, systems: dict[str, Callable[[str, str], Extracted]], times: dict[str, list[float]],
               verbose: bool) -> dict[str, dict[str, float]]:
    """Title, date, author-set accuracy and per-author P/R/F1 per system on the fundus pages."""
    gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    hits: dict[str, Counter[str]] = {name: Counter() for name in systems}
    for item in gold:
        path = root / item["file"]
        html = read_gz(path)
        gold_authors = {norm_name(a) for a in gold_list(item.get("authors"))}
        for name, system in systems.items():
            start = time.perf_counter()
            out = system(html, str(path))
            times[name].append(time.perf_counter() - start)
            pred_authors = {norm_name(a) for a in out.authors}
            h = hits[name]
            ok_title = norm_title(out.title) == norm_title(item.get("title"))
            ok_date = same_day(out.published, item.get("published"))
            h["title"] += ok_title
            h["date"] += ok_date
            h["authors"] += pred_authors == gold_authors
            h["author_tp"] += len(pred_authors & gold_authors)
            h["author_pred"] += len(pred_authors)
            h["author_gold"] += len(gold_authors)
            if verbose and not name.startswith("trafilatura"):
                if not ok_title:
                    print("TITLE", item["file"], repr(out.title), "| gold:", repr(item.get("title")))
                if not ok_date:
                    print("DATE", item["file"], out.published, "| gold:", item.get("published"))
                if pred_authors != gold_authors:
                    print("AUTH", item["file"], sorted(pred_authors), "| gold:", sorted(gold_authors))
    n = len(gold)
    results = {}
    for name, h in hits.items():
        ap, ar, af = prf(h["author_tp"], h["author_pred"], h["author_gold"])
        results[name] = {"title": h["title"] / n, "date": h["date"] / n, "authors": h["authors"] / n,
                         "author_p": ap, "author_r": ar, "author_f1": af}
    return results


def main() -> None:
    """Score both systems and print the table and the headline."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--aeb", type=Path, default=shared_path("aeb"))
    parser.add_argument("--pages", type=Path, default=shared_path("fundus-pages"))
    parser.add_argument("--extract-only", action="store_true",
                        help="score extract_html alone, without the clean stage (shows what furniture removal changes)")
    parser.add_argument("--verbose", action="store_true", help="print every page's body F1 and metadata misses")
    args = parser.parse_args()
    for path in (args.aeb, args.pages):
        if not path.is_dir():
            sys.exit(f"extraction: data directory not found: {path}")

    name, system = storyline_system(args.extract_only)
    systems = {name: system, "trafilatura (bare)": trafilatura_system}
    times: dict[str, list[float]] = {n: [] for n in systems}
    body = run_aeb(args.aeb, systems, times, args.verbose)
    n_aeb = len(times[name])
    meta = run_fundus(args.pages, systems, times, args.verbose)

    rows = []
    for n in systems:
        p, r, f = body[n]
        m = meta[n]
        rows.append([n, f"{p:.4f}", f"{r:.4f}", f"{f:.4f}", f"{m['title']:.4f}", f"{m['date']:.4f}",
                     f"{m['authors']:.4f}", f"{m['author_f1']:.4f}", f"{len(times[n]) / sum(times[n]):.1f}"])
    print_table(["system", "body_P", "body_R", "body_F1", "title", "date", "authors", "author_F1", "pages/s"], rows)
    print(f"(aeb: {n_aeb} pages; fundus: {len(times[name]) - n_aeb} pages)")
    m = meta[name]
    print(headline("extraction", body_f1=body[name][2], title=m["title"], date=m["date"], authors=m["authors"]))


if __name__ == "__main__":
    main()
