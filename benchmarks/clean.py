"""Clean-stage benchmark: furniture removal and date-window inference, storyline beside doing nothing.

Run: ``python benchmarks/clean.py [--data DIR]`` (DIR defaults to ../shared/data).

* Article text kept: every gold article paragraph (fundus ``gold.json`` paragraphs, AEB
  ``articleBody`` lines, PolNeAR texts) goes through :func:`remove_furniture`; a gold paragraph it
  removes is counted as dropped (the rules must stay near zero here: dropped article text is lost).
* Furniture removed: AEB pages go through the HTML extractor, then :func:`remove_furniture`. A removed
  line absent from the page's gold body is furniture removed; one present in it is counted apart (on
  inspection these are credits and promos some annotators kept). A kept line under 200 characters
  absent from the gold body is furniture left.
* Date windows: for each fundus page, :func:`infer_date_window` gets the gold paragraphs as text and the
  page's visible text lines as the removed lines; a window is right when it contains the gold
  publication day. Windows per page (coverage) and wrong windows are reported.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import headline, print_table, shared_path

from storyline.clean.furniture import remove_furniture
from storyline.clean.published import infer_date_window
from storyline.ingest.html import extract_html

SHORT_LINE = 200


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _gold_articles(data: Path) -> list[list[str]]:
    articles = [g["paragraphs"] for g in json.loads((data / "fundus-pages" / "gold.json").read_text())]
    aeb = json.loads((data / "aeb" / "ground-truth.json").read_text())
    articles += [[p for p in (v.get("articleBody") or "").split("\n") if p.strip()] for v in aeb.values()]
    for path in sorted((data / "polnear").glob("*/text/*.txt")):
        articles.append([p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()])
    return articles


def _read_gz(path: Path) -> str:
    with gzip.open(path) as fh:
        return fh.read().decode("utf-8", "replace")


def _page_text(html: str) -> str:
    root = lxml.html.fromstring(html)
    for element in root.xpath("//script|//style|//noscript"):
        element.drop_tree()
    return "\n".join(line.strip() for line in root.text_content().split("\n") if line.strip())


def main() -> int:
    """Print the tables and the headline line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_path())
    data = parser.parse_args().data
    if not (data / "aeb").exists() or not (data / "fundus-pages").exists():
        print(f"clean: skipped: no aeb/ or fundus-pages/ under {data}")
        return 0

    gold_paragraphs = dropped = 0
    for paragraphs in _gold_articles(data):
        gold_paragraphs += len(paragraphs)
        dropped += len([r for r in remove_furniture(paragraphs)[1] if r.reason != "markup-debris"])

    removed_furniture = removed_in_gold = left = 0
    aeb = json.loads((data / "aeb" / "ground-truth.json").read_text())
    for key, value in aeb.items():
        path = data / "aeb" / "html" / f"{key}.html.gz"
        if not path.exists():
            continue
        html = _read_gz(path)
        paragraphs, _ = extract_html(html, url=value.get("url"))
        gold = _norm(value.get("articleBody") or "")
        kept, removed, _ = remove_furniture(paragraphs)
        for item in removed:
            if item.reason == "markup-debris":
                continue
            if _norm(item.text) and _norm(item.text) in gold:
                removed_in_gold += 1
            else:
                removed_furniture += 1
        left += sum(1 for p in kept if len(p) < SHORT_LINE and _norm(p) and _norm(p) not in gold)

    pages = windows = wrong = 0
    for gold_page in json.loads((data / "fundus-pages" / "gold.json").read_text()):
        html = _read_gz(data / "fundus-pages" / gold_page["file"])
        window = infer_date_window("\n\n".join(gold_page["paragraphs"]), extra=_page_text(html))
        pages += 1
        if window:
            windows += 1
            wrong += not window.earliest <= gold_page["published"][:10] <= window.latest

    furniture_total = removed_furniture + left
    print_table(
        ["measure", "nothing", "storyline"],
        [
            ["gold paragraphs dropped", f"0 / {gold_paragraphs}", f"{dropped} / {gold_paragraphs}"],
            ["AEB furniture lines removed", f"0 / {furniture_total}", f"{removed_furniture} / {furniture_total}"],
            ["AEB removed lines found in gold body", "0", str(removed_in_gold)],
            ["fundus pages with a date window", f"0 / {pages}", f"{windows} / {pages}"],
            ["date windows missing the gold day", "0", str(wrong)],
        ],
    )
    print(
        headline(
            "clean",
            gold_drop_rate=dropped / max(gold_paragraphs, 1),
            furniture_recall=removed_furniture / max(furniture_total, 1),
            window_coverage=windows / max(pages, 1),
            window_wrong=wrong,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
