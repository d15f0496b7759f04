"""Plain-text documents with and without header lines."""

from __future__ import annotations

from storyline.clean.textdoc import parse_text_document


def test_date_and_headline_on_one_header_line() -> None:
    paragraphs, hints, removed = parse_text_document(
        "  date 2021-03-04 Storm closes harbour for a week\n\nThe harbour closed.\n\nShips waited offshore.\n"
    )
    assert hints.published == "2021-03-04"
    assert hints.published_source == "header"
    assert hints.title == "Storm closes harbour for a week"
    assert paragraphs == ["The harbour closed.", "Ships waited offshore."]
    assert [r.reason for r in removed] == ["header"]


def test_key_value_headers() -> None:
    text = (
        "Title: Council backs tram plan\nURL: https://news.example.com/tram\nBy Ana Lima\n"
        "Date: 5 June 2020\n\nThe council voted 30 to 12.\n"
    )
    paragraphs, hints, _ = parse_text_document(text)
    assert hints.title == "Council backs tram plan"
    assert hints.url == "https://news.example.com/tram"
    assert hints.byline == ["Ana Lima"]
    assert (hints.published, hints.published_source) == ("2020-06-05", "header")
    assert paragraphs == ["The council voted 30 to 12."]


def test_headline_first_line_then_count_left_for_furniture() -> None:
    paragraphs, hints, removed = parse_text_document(
        "Rail strike halts trains across the north\n\n1,204\n\nNo trains ran on Friday.\n\nUnions blamed pay.\n"
    )
    assert hints.title == "Rail strike halts trains across the north"
    assert hints.published is None
    assert paragraphs == ["1,204", "No trains ran on Friday.", "Unions blamed pay."]
    assert [r.reason for r in removed] == ["headline"]


def test_first_sentence_is_not_a_headline() -> None:
    paragraphs, hints, _ = parse_text_document("No trains ran on Friday.\n\nUnions blamed pay.\n")
    assert hints.title is None
    assert paragraphs == ["No trains ran on Friday.", "Unions blamed pay."]
    for first in ("LAGOS, Nigeria (AP) —", "Politics"):
        assert parse_text_document(first + "\n\nUnions blamed pay.\n")[1].title is None


def test_line_breaks_hard_wrapped_or_not() -> None:
    wrapped = "The minister said the plan\nwould cost more than expected.\n\nCritics disagreed.\n"
    assert parse_text_document(wrapped)[0] == [
        "The minister said the plan would cost more than expected.",
        "Critics disagreed.",
    ]
    no_blank_lines = "First paragraph here.\nSecond paragraph here.\r\nThird.\n"
    assert parse_text_document(no_blank_lines)[0] == ["First paragraph here.", "Second paragraph here.", "Third."]
    long_lines = "A" * 150 + ".\n\nLast real paragraph.\nNext postSomething else\n"
    assert parse_text_document(long_lines)[0][1:] == ["Last real paragraph.", "Next postSomething else"]


def test_a_url_alone_on_the_first_line_is_the_url_even_spaced_out_by_a_tokeniser() -> None:
    for line in ("https://www.example-daily.com/2031/04/05/harbour-closes/",
                 "http: / / www. example - daily. com / 2031 / 04 / 05 / harbour - closes /"):
        paragraphs, hints, removed = parse_text_document(f"{line}\nThe harbour closed on Friday.\nShips waited.\n")
        assert hints.url in ("https://www.example-daily.com/2031/04/05/harbour-closes/",
                             "http://www.example-daily.com/2031/04/05/harbour-closes/")
        assert paragraphs == ["The harbour closed on Friday.", "Ships waited."]
        assert [r.reason for r in removed] == ["header"]


def test_a_url_followed_by_words_is_not_a_url_header() -> None:
    paragraphs, hints, _ = parse_text_document("http://example.org is where the notice was posted.\nMore text.\n")
    assert hints.url is None
    assert paragraphs[0] == "http://example.org is where the notice was posted."


def test_a_dateline_among_the_first_lines_dates_the_article() -> None:
    text = "https://example.org/quake\nQuake strikes the coast\nTue Jul 2, 2031 1:28PM GMT\nA quake struck.\nMore.\n"
    paragraphs, hints, removed = parse_text_document(text)
    assert (hints.published, hints.published_source) == ("2031-07-02", "header")
    assert paragraphs == ["Quake strikes the coast", "A quake struck.", "More."]
    assert [r.reason for r in removed] == ["header", "dateline"]


def test_a_sentence_with_a_date_is_no_dateline() -> None:
    paragraphs, hints, _ = parse_text_document("On July 2, 2031 a quake struck the coast.\nMore.\n")
    assert hints.published is None and len(paragraphs) == 2
