"""Outlet and language detection."""

from __future__ import annotations

from storyline.clean.metadata import date_from_url, detect_language, find_outlet
from storyline.model import Removed


def test_outlet_from_url_is_registered_domain() -> None:
    assert find_outlet("https://www.news.example.co.uk/world/1", [], []) == "example.co.uk"
    assert find_outlet("lemonde.fr/international/article", [], []) == "lemonde.fr"


def test_outlet_from_copyright_notice_then_self_reference() -> None:
    removed = [Removed("Photo: © Wire Images", "credit-line"), Removed("Copyright © 2020 Harbour Gazette Ltd.", "x")]
    assert find_outlet(None, ["Text."], removed) == "Harbour Gazette"
    assert find_outlet(None, ["(c) Valley Post 2019. All Rights Reserved"], []) == "Valley Post"
    paragraphs = ["Shelling was reported overnight.", "The Daily Courier could not independently verify the claims."]
    assert find_outlet(None, paragraphs, []) == "Daily Courier"
    assert find_outlet(None, ["Russia did not confirm the report."], []) is None


def test_language() -> None:
    assert detect_language("The council voted on Tuesday to close the old bridge to traffic.") == "en"
    assert detect_language("Le conseil municipal a voté mardi la fermeture du vieux pont.") == "fr"
    assert detect_language("ok") is None


def test_publication_day_from_the_url_path() -> None:
    assert date_from_url("https://example.com/2031/04/05/harbour-closes/") == "2031-04-05"
    assert date_from_url("https://example.com/news/2019-11-30-storm.html") == "2019-11-30"
    assert date_from_url("https://example.com/2013/02/30/no-such-day") is None  # not a real date
    assert date_from_url("https://example.com/world/article-1.1333220") is None
    assert date_from_url(None) is None


def test_a_plain_text_article_takes_outlet_and_date_from_its_url_line() -> None:
    from storyline.clean.document import clean_document
    from storyline.model import Hints, RawDocument, Source

    raw = RawDocument(Source("in/a.txt"), "text",
                      "https://www.example-daily.com/2031/04/05/harbour/\nThe harbour closed.\n", Hints())
    article = clean_document(raw)
    assert (article.outlet, article.published, article.published_source) == ("example-daily.com", "2031-04-05", "url")
