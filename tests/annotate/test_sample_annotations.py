"""The annotation issue's checks on the bundled example cluster (analysed once per session).

The coordinates below are where these towns really are (public atlases), written here for the test
only; nothing in the package knows them except through the GeoNames gazetteer.
"""

from __future__ import annotations

import math
import re

TOWNS = {  # name as resolved -> (latitude, longitude)
    "Kharkiv": (49.99, 36.23), "Kyiv": (50.45, 30.52), "Izyum": (49.21, 37.26), "Balakliya": (49.46, 36.86),
    "Kupyansk": (49.71, 37.61), "Donetsk": (48.02, 37.80), "Lysychansk": (48.90, 38.43), "Kherson": (46.64, 32.62),
    "Moscow": (55.76, 37.62),
}


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def test_every_quote_speaker_resolves_to_a_named_entity(analyzed_sample) -> None:
    quotes = [q for ann in analyzed_sample.annotations.values() for q in ann.quotes]
    assert len(quotes) > 30
    assert all(q.speaker_entity for q in quotes), [q.content.text[:60] for q in quotes if not q.speaker_entity]


def test_every_town_resolves_within_40_km_and_none_is_misplaced(analyzed_sample) -> None:
    towns = {e.place.name: (e.place.latitude, e.place.longitude)
             for ann in analyzed_sample.annotations.values() for e in ann.entities
             if e.place is not None and e.place.kind == "city" and e.place.country in ("UA", "RU")}
    assert {"Kharkiv", "Kyiv", "Izyum", "Balakliya", "Kupyansk"} <= set(towns)
    for name, point in towns.items():
        assert name in TOWNS, f"{name} at {point}: not a town of these articles"
        assert _km(point, TOWNS[name]) <= 40, (name, point)


def test_every_territory_figure_is_one_area_in_square_kilometres(analyzed_sample) -> None:
    areas = [q for ann in analyzed_sample.annotations.values() for q in ann.quantities
             if re.search(r"sq(uare)? (km|kilomet|mile)|sq miles", q.text)]
    assert len(areas) >= 5
    for q in areas:
        assert q.normalized_unit == "km²" and q.normalized_value and q.normalized_value > 500, q
    merged = [q for q in areas if "(" in q.text]  # "6,000 sq km (2,317 sq miles)" is one quantity
    assert merged and all(q.normalized_value == 6000 for q in merged)
