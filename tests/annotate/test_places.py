"""Gazetteer lookup and place resolution (the gazetteer loads once: ~1 s from its cache, 10-20 s to build)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from storyline.annotate.gazetteer import Gazetteer, _cache_file, distance_km, fold_key
from storyline.annotate.places import PlaceContext, country_of_url, resolve_places
from storyline.model import Place
from storyline.settings import PlacesSettings


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.get()


def _one(name: str, context: PlaceContext | None = None) -> Place:
    (place,) = resolve_places([name], context)
    assert place is not None, name
    return place


def _km(a: Place, b: Place) -> float:
    assert a.latitude is not None and a.longitude is not None
    assert b.latitude is not None and b.longitude is not None
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude)


@pytest.mark.parametrize(
    "variants",
    [
        ("Kupiansk", "Kupyansk"),
        ("Balakliya", "Balaklia", "Balakliia"),
        ("Izyum", "Izium"),
        ("Kiev", "Kyiv"),
        ("Kharkov", "Kharkiv"),
    ],
)
def test_spelling_variants_resolve_to_the_same_place(gaz: Gazetteer, variants: tuple[str, ...]) -> None:
    places = resolve_places(list(variants), PlaceContext(country="UA"))
    first = places[0]
    assert first is not None and first.country == "UA"
    for other in places[1:]:
        assert other is not None and _km(first, other) <= 40, (variants, first, other)


def test_fold_key_meets_transliterations() -> None:
    assert fold_key("Kharkivs'ka") == fold_key("Kharkivska")
    assert fold_key("Balakliya") == fold_key("Balakliia") == fold_key("Balaklia")
    assert fold_key("Saint-Étienne") == fold_key("St Etienne")


def test_region_phrases_resolve_to_the_first_level_region(gaz: Gazetteer) -> None:
    for phrase in ("the Kharkiv region", "Kharkiv Oblast", "Kharkiv oblast", "the province of Kharkiv"):
        place = _one(phrase)
        assert place.kind == "region" and place.country == "UA", (phrase, place)
    city = _one("Kharkiv")
    assert city.kind == "city"  # the bare name is the city, not the oblast


def test_crimea_and_donbas_resolve(gaz: Gazetteer) -> None:
    crimea, donbas = resolve_places(["Crimea", "Donbas"])
    assert crimea is not None and crimea.kind == "region" and crimea.country == "UA"
    assert donbas is not None and donbas.kind == "region" and donbas.country == "UA"
    assert 44 < (crimea.latitude or 0) < 46.5 and 47 < (donbas.latitude or 0) < 49.5


def test_is_place_name_covers_what_the_ner_mistypes(gaz: Gazetteer) -> None:
    for name in ("Kyiv", "Luhansk", "Balakliya", "Crimea", "Donbas", "U.S."):
        assert gaz.is_place_name(name), name
    for name in ("Turkish", "said", "Vladimir Putin"):
        assert not gaz.is_place_name(name), name


def test_initialisms_are_the_codes_that_spell_a_name(gaz: Gazetteer) -> None:
    # A code that is the initials of one of the entry's names is written in prose ...
    for code, name in (
        ("UK", "United Kingdom"),
        ("USA", "United States"),
        ("UAE", "United Arab Emirates"),
        ("NYC", "New York City"),
        ("LA", "Los Angeles"),
    ):
        assert name in {c.name for c in gaz.initialism_of(code)}, code
    # ... an ISO or airport code that spells nothing is not, though lookup still finds its place.
    for code in ("ARM", "IO", "KY", "AMD"):
        assert gaz.initialism_of(code) == [], code
    assert [c.name for c in gaz.lookup("ARM")][:1] == ["Armenia"]


def test_code_reads_as_the_place_it_spells(gaz: Gazetteer) -> None:
    # "LA" is also Laos' ISO code; the city it abbreviates wins, the country keeps "UK", "US".
    la, nyc = resolve_places(["LA", "NYC"])
    assert la is not None and la.name == "Los Angeles" and nyc is not None and nyc.name == "New York City"
    assert _one("UK").country == "GB" and _one("US").kind == "country"


def test_us_postal_codes_read_by_context(gaz: Gazetteer) -> None:
    # "PA" is Pennsylvania's postal code and Panama's ISO code: the other names decide.
    assert {c.name for c in gaz.lookup("PA")} >= {"Pennsylvania", "Panama"}
    _, state = resolve_places(["Pittsburgh", "PA"])
    assert state is not None and state.name == "Pennsylvania"
    _, country = resolve_places(["Chiriqui", "PA"])  # a province of Panama
    assert country is not None and country.country == "PA"


def test_first_of_two_joined_names_stands_for_the_whole(gaz: Gazetteer) -> None:
    assert [c.name for c in gaz.lookup("Bosnia")] == ["Bosnia and Herzegovina"]
    assert "Newfoundland and Labrador" in {c.name for c in gaz.lookup("Newfoundland") if c.feature == "ADM1"}


def test_lookup_returns_candidates_with_fields(gaz: Gazetteer) -> None:
    cands = gaz.lookup("Paris")
    assert any(c.country == "FR" and c.kind == "city" for c in cands)
    assert any(c.country == "US" and c.admin1 == "TX" for c in cands)
    assert all(c.latitude is not None for c in cands)
    assert [c.name for c in gaz.lookup("Turkish", demonyms=True)] == ["Turkey"]


def test_ambiguous_name_follows_context(gaz: Gazetteer) -> None:
    alone = _one("Paris")
    assert alone.country == "FR"
    paris, _ = resolve_places(["Paris", "Texas"])
    assert paris is not None and paris.country == "US" and abs((paris.latitude or 0) - 33.66) < 0.5
    in_texas = _one("Paris", PlaceContext(names=["Dallas", "Lamar County", "Texas"]))
    assert in_texas.country == "US"


def test_article_context(gaz: Gazetteer) -> None:
    # A local US story: the towns and the state agree with each other, not with Egypt or Greece.
    names = ["Alexandria", "Rapides Parish", "Louisiana", "Alexandria", "Pineville"]
    alexandria, parish, state, again, _ = resolve_places(names)
    assert alexandria is not None and alexandria.country == "US" and again == alexandria
    assert parish is not None and parish.kind == "region"
    assert state is not None and state.kind == "region" and state.country == "US"
    # A war report: the Ukrainian towns stay in Ukraine.
    places = resolve_places(["Izium", "Kupiansk", "the Kharkiv region", "Russia", "Ukraine"])
    assert [p.country if p else None for p in places] == ["UA", "UA", "UA", "RU", "UA"]
    assert places[3] is not None and places[3].kind == "country"


def test_unknown_and_blank_names(gaz: Gazetteer) -> None:
    assert resolve_places(["Qwxzzy", ""]) == [None, None]
    assert resolve_places([]) == []


def test_neighbouring_towns_are_read_together(gaz: Gazetteer) -> None:
    # Each alone has a bigger namesake elsewhere (Richmond, Virginia / England; Delta State, Nigeria); the
    # three within a few km of each other are the Vancouver suburbs.
    places = resolve_places(["Richmond", "Surrey", "Delta"])
    assert all(p is not None and p.country == "CA" for p in places), places
    assert max(_km(a, b) for a in places for b in places if a and b) < 40


def test_town_and_its_county_are_read_together(gaz: Gazetteer) -> None:
    # Springfield, Missouri is the biggest Springfield and Clark County, Ohio one of several; the
    # Springfield a few km from a Clark County is the pair meant (close co-location, PlacesSettings.close_*).
    town, county = resolve_places(["Springfield", "Clark County"])
    assert town is not None and county is not None
    assert (town.country, county.country) == ("US", "US") and _km(town, county) < 30
    alone = resolve_places(["Springfield", "Clark County"], settings=PlacesSettings(close_weight=0.0))[0]
    assert alone is not None and _km(alone, town) > 161  # what the 161 km co-location alone reads


def test_a_name_among_states_is_a_state(gaz: Gazetteer) -> None:
    # Next to Indiana, "Delaware" alone would be Indiana's Delaware County; among other states it is the state.
    *_, delaware = resolve_places(["Indiana", "Indianapolis", "Delaware"])
    assert delaware is not None and delaware.name == "Delaware" and delaware.kind == "region"
    county = resolve_places(["Indiana", "Indianapolis", "Delaware"], settings=PlacesSettings(sibling_weight=0.0))
    assert county[-1] is not None and county[-1].name == "Delaware County"
    # A region that yields to a same-named capital gets no such help: "Washington" stays the capital.
    washington = resolve_places(["Ohio", "Washington"])[1]
    assert washington is not None and washington.kind == "city"


def test_us_state_abbreviation_without_its_dot(gaz: Gazetteer) -> None:
    assert "Kentucky" in {c.name for c in gaz.lookup("Ky")}
    assert _one("Ky").name == "Kentucky"
    _, state = resolve_places(["Louisville", "Ky"])
    assert state is not None and state.name == "Kentucky"


def test_township_and_demonym_fallbacks(gaz: Gazetteer) -> None:
    # A municipality said as "X Twp." or "Town of X" falls back to the place X; "-an" demonyms of "-as" names.
    assert {c.name for c in gaz.lookup("Town of Groton")} == {"Groton"}
    assert {c.name for c in gaz.lookup("Groton Twp.")} == {"Groton"}
    assert next(c.name for c in gaz.lookup("Texan", demonyms=True)) == "Texas"
    assert [c.name for c in gaz.lookup("Kansans", demonyms=True)] == ["Kansas"]


def test_country_of_url() -> None:
    assert country_of_url("https://www.example.ca/news/2016/story.html") == "CA"
    assert country_of_url("www.example.co.uk") == "GB"
    assert country_of_url("http://EXAMPLE.DE:8080/a") == "DE"
    for generic in ("https://www.example.com/x", "example.tv", "example.io/x", "", None):
        assert country_of_url(generic) is None, generic


def test_outlet_country_in_focus(gaz: Gazetteer) -> None:
    assert _one("Kingston").country == "JM"
    assert _one("Kingston", PlaceContext(country=country_of_url("https://www.example.ca/a"))).country == "CA"


def test_gazetteer_cache_round_trip(gaz: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLINE_CACHE_DIR", str(tmp_path))
    path = _cache_file()
    assert path is not None and path.parent == tmp_path
    gaz._write_cache(path)
    again = Gazetteer()  # reads the file just written instead of building
    assert len(again.entries) == len(gaz.entries)
    for name in ("Paris", "Kharkiv region", "W.Va.", "B.C.", "Ont.", "Turkish", "Qwxzzy"):
        assert again.lookup(name, demonyms=True) == gaz.lookup(name, demonyms=True), name
    monkeypatch.setenv("STORYLINE_CACHE_DIR", "")
    assert _cache_file() is None


def test_unreadable_cache_is_reported_and_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blank = Gazetteer.__new__(Gazetteer)  # no build: only the reader is under test
    for n, text in enumerate(('{"format": 1, "columns": {}}', "[1, 2]", "{", "[" * 100_000)):
        bad = tmp_path / f"gazetteer-{n}.json"
        bad.write_text(text, encoding="utf-8")
        with caplog.at_level(logging.WARNING):
            assert not blank._read_cache(bad)
        assert bad.name in caplog.text and "rebuilding" in caplog.text
    assert not blank._read_cache(tmp_path / "missing.json")
