"""Toponym resolution on LGL and TR-News: accuracy@161 km and error in km, storyline beside a baseline.

The standard setup: the gold toponym spans are given, each is resolved, and the chosen point is compared
with the gold GeoNames point. A toponym counts as correct within 161 km (100 miles). Toponyms without a
gold point (streets, demonyms the annotators left open) are not scored but stay in the article as context.
Unresolved toponyms count as misses in accuracy@161; mean and median error are over resolved ones.

storyline also gets what the pipeline knows of an article: its URL, whose country-code domain (.ca, .co.uk)
becomes the country in focus (``country_of_url``). The baseline is "most populous match": the gazetteer
candidate with the largest population, no context.

    python benchmarks/places.py [--data DIR]

DIR holds ``lgl.xml`` and ``TR-News.xml`` (default ../shared/data/geo).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import headline, print_table, shared_path, timer
from geo_corpus import CORPORA, GeoArticle, read_corpus

from storyline.annotate.gazetteer import Gazetteer, distance_km
from storyline.annotate.places import PlaceContext, country_of_url, resolve_places

ACC_KM = 161.0


def baseline(names: list[str], url: str | None) -> list[tuple[float, float] | None]:
    """Most populous gazetteer match of each name (the URL is not used)."""
    gaz = Gazetteer.get()
    out = []
    for n in names:
        cands = gaz.lookup(n, demonyms=True)
        best = max(cands, key=lambda c: c.population, default=None)
        out.append(None if best is None else (best.latitude, best.longitude))
    return out


def storyline(names: list[str], url: str | None) -> list[tuple[float, float] | None]:
    """storyline's resolution, each article's toponyms read together, the outlet's country in focus."""
    places = resolve_places(names, PlaceContext(country=country_of_url(url)))
    return [None if p is None else (p.latitude, p.longitude) for p in places]


def score(docs: list[GeoArticle], system) -> dict[str, float]:
    """accuracy@161, mean and median km, and share resolved, over the gold toponyms with a point."""
    errors: list[float] = []
    n_gold = n_ok = 0
    for doc in docs:
        toponyms = [t for t in doc.toponyms if t.phrase]
        picks = system([t.phrase for t in toponyms], doc.url)
        for t, pick in zip(toponyms, picks, strict=True):
            if t.lat is None:
                continue
            n_gold += 1
            if pick is None:
                continue
            km = distance_km(t.lat, t.lon, pick[0], pick[1])
            errors.append(km)
            n_ok += km <= ACC_KM
    return {
        "toponyms": n_gold,
        "acc161": n_ok / n_gold if n_gold else 0.0,
        "mean_km": statistics.fmean(errors) if errors else 0.0,
        "median_km": statistics.median(errors) if errors else 0.0,
        "resolved": len(errors) / n_gold if n_gold else 0.0,
    }


def main() -> None:
    """Score storyline and the baseline on each corpus and print the table and the headline."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=shared_path("geo"), help="folder with lgl.xml and TR-News.xml")
    args = ap.parse_args()
    with timer() as load_t:
        Gazetteer.get()
    rows, results = [], {}
    with timer() as run_t:
        for key, filename in CORPORA:
            path = args.data / filename
            if not path.exists():
                raise SystemExit(f"{path}: missing (expected {filename} in --data)")
            docs = read_corpus(path)
            for system_name, system in (("storyline", storyline), ("baseline", baseline)):
                r = score(docs, system)
                results[(key, system_name)] = r
                rows.append(
                    [
                        key,
                        system_name,
                        len(docs),
                        r["toponyms"],
                        r["acc161"],
                        round(r["mean_km"], 1),
                        round(r["median_km"], 1),
                        r["resolved"],
                    ]
                )
    print_table(["corpus", "system", "docs", "toponyms", "acc@161", "mean_km", "median_km", "resolved"], rows)
    print(f"gazetteer load {load_t['seconds']:.1f} s, scoring {run_t['seconds']:.1f} s")
    print(
        headline(
            "places",
            lgl_acc161=results[("lgl", "storyline")]["acc161"],
            trnews_acc161=results[("trnews", "storyline")]["acc161"],
            lgl_mean_km=f"{results[('lgl', 'storyline')]['mean_km']:.1f}",
            trnews_mean_km=f"{results[('trnews', 'storyline')]['mean_km']:.1f}",
            baseline_lgl_acc161=results[("lgl", "baseline")]["acc161"],
            baseline_trnews_acc161=results[("trnews", "baseline")]["acc161"],
        )
    )


if __name__ == "__main__":
    main()
