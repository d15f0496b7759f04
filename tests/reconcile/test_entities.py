"""Entities merged across a story's articles: same ids, transliterations, owned organisations, places."""

from __future__ import annotations

from storyline.model import Place
from storyline.reconcile.entities import entity_id_map, merge_entities

from .helpers import annotations, article, entity

OSLO = Place(3143244, "Oslo", "city", "NO", 59.91, 10.75)


def _story() -> tuple[list, dict]:
    a_text = (
        "Norway's defence ministry said on Monday that General Piotr Wojciechowski had arrived in Oslo. "
        "Wojciechowski met Britain's Ministry of Defence liaison."
    )
    b_text = (
        "Gen. Piotr Woyciechowski reached Oslo, the Norwegian Defence Ministry said. "
        "The Ministry of Defence of Norway gave no details."
    )
    c_text = "Anna Berg and Lars Berg spoke in Oslo. Berg said the visit was brief."
    a, b, c = article("a", a_text, "Daily A"), article("b", b_text, "Wire B"), article("c", c_text, "Paper C")
    ann = {
        "a": annotations(
            "a",
            [
                entity(a_text, "org:norway:defense-ministry", "organisation", "defence ministry", ["defence ministry"]),
                entity(
                    a_text,
                    "person:piotr-wojciechowski",
                    "person",
                    "Piotr Wojciechowski",
                    ["Piotr Wojciechowski", "Wojciechowski met"],
                ),
                entity(a_text, "place:geonames:3143244", "place", "Oslo", ["Oslo"], OSLO),
                entity(
                    a_text,
                    "org:united-kingdom:defense-ministry",
                    "organisation",
                    "Ministry of Defence",
                    ["Ministry of Defence"],
                ),
            ],
        ),
        "b": annotations(
            "b",
            [
                entity(b_text, "person:piotr-woyciechowski", "person", "Piotr Woyciechowski", ["Piotr Woyciechowski"]),
                entity(b_text, "place:geonames:3143244", "place", "Oslo", ["Oslo"], OSLO),
                entity(
                    b_text,
                    "org:defense-ministry-norwegian",
                    "organisation",
                    "Norwegian Defence Ministry",
                    ["Norwegian Defence Ministry"],
                ),
                entity(
                    b_text,
                    "org:norway:defense-ministry",
                    "organisation",
                    "Ministry of Defence of Norway",
                    ["Ministry of Defence of Norway"],
                ),
            ],
        ),
        "c": annotations(
            "c",
            [
                entity(c_text, "person:ana-berg", "person", "Anna Berg", ["Anna Berg"]),
                entity(c_text, "person:lars-berg", "person", "Lars Berg", ["Lars Berg"]),
                entity(c_text, "person:berg", "person", "Berg", ["Berg said"]),
                entity(c_text, "place:name:oslo", "place", "Oslo", ["Oslo"]),
            ],
        ),
    }
    return [a, b, c], ann


def _by_name(merged: list, name: str):
    return next(e for e in merged if e.name == name)


def test_transliterated_surnames_with_the_same_first_name_merge() -> None:
    articles, ann = _story()
    merged = merge_entities(articles, ann)
    person = next(e for e in merged if e.kind == "person" and "a" in e.article_ids)
    assert set(person.article_ids) == {"a", "b"}
    assert person.spellings["Piotr Woyciechowski"] == ["b"]
    assert person.spellings["Piotr Wojciechowski"] == ["a"]


def test_a_bare_surname_shared_by_two_full_names_stays_apart() -> None:
    articles, ann = _story()
    merged = merge_entities(articles, ann)
    bergs = [e for e in merged if e.kind == "person" and "c" in e.article_ids]
    assert len(bergs) == 3  # Anna Berg, Lars Berg and the ambiguous "Berg"


def test_owned_organisation_forms_merge_but_owners_keep_ministries_apart() -> None:
    articles, ann = _story()
    merged = merge_entities(articles, ann)
    norway = next(e for e in merged if e.id == "org:norway:defense-ministry")
    assert set(norway.spellings) == {"defence ministry", "Norwegian Defence Ministry", "Ministry of Defence of Norway"}
    assert norway.article_ids == ["a", "b"]
    assert norway.name == "Ministry of Defence of Norway"
    uk = next(e for e in merged if e.id == "org:united-kingdom:defense-ministry")
    assert uk.article_ids == ["a"]


def test_places_merge_by_gazetteer_id_and_unresolved_names_join_them() -> None:
    articles, ann = _story()
    merged = merge_entities(articles, ann)
    oslo = _by_name(merged, "Oslo")
    assert oslo.id == "place:geonames:3143244"
    assert oslo.article_ids == ["a", "b", "c"]
    assert oslo.place is not None and oslo.place.country == "NO"
    assert merged[0] is oslo  # named by most articles first


def test_entity_id_map_sends_every_article_level_id_to_its_merged_id() -> None:
    articles, ann = _story()
    merged = merge_entities(articles, ann)
    ids = entity_id_map(ann, merged)
    assert ids["org:defense-ministry-norwegian"] == "org:norway:defense-ministry"
    assert ids["place:name:oslo"] == "place:geonames:3143244"
    assert ids["person:piotr-woyciechowski"] == ids["person:piotr-wojciechowski"]
    assert ids["person:berg"] == "person:berg"
    assert set(ids.values()) == {e.id for e in merged}
