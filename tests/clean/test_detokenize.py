"""Tokenised corpus text is joined up again; prose is left alone."""

from __future__ import annotations

from storyline.clean.detokenize import detokenize, is_tokenized

TOKENISED = [
    "The strong 6. 1 - magnitude quake killed 230, 000 people in the U. S. at 6: 22AM.",
    "A 36 - year - old man - a farmer - was hurt. "
    "See http: / / www. news. com. au / world - news / quake - 12 for more.",
]
PROSE = [
    "In 2012, 500 people came - and went - quickly.",
    "It cost 3.5 dollars at 6:22 a.m., officials in the U.S. said: prices rose - sharply.",
]


def test_tokenised_text_is_joined_up() -> None:
    assert is_tokenized("\n".join(TOKENISED))
    first, second = detokenize(TOKENISED)
    assert first == "The strong 6.1-magnitude quake killed 230,000 people in the U.S. at 6:22AM."
    assert second == (
        "A 36-year-old man - a farmer - was hurt. See http://www.news.com.au/world-news/quake-12 for more."
    )


def test_prose_is_unchanged_even_with_one_look_alike() -> None:
    assert not is_tokenized("\n".join(PROSE))
    assert detokenize(PROSE) is PROSE


def test_clean_document_joins_a_tokenised_article_unless_switched_off() -> None:
    from storyline.clean.document import clean_document
    from storyline.model import Hints, RawDocument, Source
    from storyline.settings import Settings

    raw = RawDocument(Source("in/a.txt"), "text", "\n".join(TOKENISED) + "\n", Hints())
    assert "6.1-magnitude" in clean_document(raw).text
    settings = Settings()
    settings.clean.detokenize = False
    assert "6. 1 - magnitude" in clean_document(raw, settings).text


def test_dates_keep_their_comma_and_spaced_apostrophes_and_lowercase_initials_join() -> None:
    from storyline.clean.detokenize import join_tokens

    assert join_tokens("Tuesday, July 2, 2013 at 7: 37 a. m.") == "Tuesday, July 2, 2013 at 7:37 a.m."
    assert join_tokens("AMD ’ s chips, it doesn ’ t matter") == "AMD’s chips, it doesn’t matter"
