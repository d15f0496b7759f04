"""Regenerate the ECB+ example reports under docs/examples/ (the "account" issue's Done-when).

    python scripts/make_ecbplus_examples.py [--data ../shared/data/ecbplus/ecbplus.jsonl]
        [--work /tmp/ecb_examples] [--out docs/examples]

For each story in STORIES: its ECB+ articles are written as plain-text files WORK/<story>/<id>.txt (the
text as is, one file per article), then ``storyline analyze WORK/<story> --out OUT/ecbplus-<story>
--db WORK/<story>.db`` runs the whole product on them. Nothing in the output is edited by hand;
only a report.json larger than MAX_JSON_BYTES is removed (report.md and report.html are kept).
Runs the stories one after another in one process at a time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Three stories of different kinds, each with 8-15 articles: a disaster (the 2013 Aceh earthquake),
# a violent crime in a riot (the 2010 Athens bank firebombing) and a business deal (AMD buys SeaMicro).
STORIES = ("37plus", "8plus", "43plus")
# A report.json above this size is too large to keep in the repository.
MAX_JSON_BYTES = 2 * 1024 * 1024


def write_articles(data: Path, story: str, work: Path) -> Path:
    """Write the story's articles as WORK/<story>/<ECB+ id>.txt and return that directory."""
    folder = work / story
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    count = 0
    with data.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                sys.exit(f"{data}: line {number} is not JSON ({err})")
            if row.get("story") == story:
                (folder / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
                count += 1
    if not count:
        sys.exit(f"{data}: no article of story {story!r}")
    print(f"{story}: {count} articles in {folder}")
    return folder


def analyze(folder: Path, out: Path, db: Path) -> None:
    """Run ``storyline analyze`` on one story's folder into a fresh output directory and database."""
    if out.exists():
        shutil.rmtree(out)
    db.unlink(missing_ok=True)
    storyline = Path(sys.executable).with_name("storyline")
    subprocess.run([str(storyline), "analyze", str(folder), "--out", str(out), "--db", str(db)], check=True)
    report = out / "report.json"
    if report.exists() and report.stat().st_size > MAX_JSON_BYTES:
        print(f"{report}: {report.stat().st_size} bytes > {MAX_JSON_BYTES}, removed (md and html kept)")
        report.unlink()


def main() -> None:
    """Write the articles and analyze each story of STORIES."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared/data/ecbplus/ecbplus.jsonl")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ecb_examples"))
    parser.add_argument("--out", type=Path, default=REPO / "docs/examples")
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(f"{args.data}: not found (the ECB+ jsonl with id, topic, story, text per line)")
    for story in STORIES:
        folder = write_articles(args.data, story, args.work)
        analyze(folder, args.out / f"ecbplus-{story}", args.work / f"{story}.db")


if __name__ == "__main__":
    main()
