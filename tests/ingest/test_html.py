"""Behaviour of the HTML extractor on small pages made here."""

from __future__ import annotations

import json
import time

from storyline.ingest.html import extract_html

BODY = "".join(
    f"<p>Paragraph {i} of the report says the river rose by {i} metres overnight and that the town council "
    f"met at dawn to decide whether the bridge should close for the rest of the week.</p>"
    for i in range(1, 7)
)


def page(head: str = "", body: str = BODY, lang: str = "en") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body><article>{body}</article></body></html>'


def json_ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_body_paragraphs_and_language() -> None:
    paragraphs, hints = extract_html(page(lang="en-GB"))
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("Paragraph 1 of the report")
    assert hints.language == "en"


def test_json_ld_headline_author_and_date() -> None:
    head = json_ld({
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Example Times"},
            {"@type": "NewsArticle", "headline": "River rises &amp; bridge closes",
             "datePublished": "2024-05-03T15:47:42+02:00",
             "author": [{"@type": "Person", "name": "Jane Roe"}, {"@type": "Person", "name": "John Doe"},
                        {"@type": "Organization", "name": "Example Times"}],
             "publisher": {"@type": "Organization", "name": "Example Times"}},
        ],
    })
    _, hints = extract_html(page(head), url="https://www.example-times.com/2024/05/03/river")
    assert hints.title == "River rises & bridge closes"
    assert hints.published == "2024-05-03T15:47:42+02:00"
    assert hints.published_source == "html"
    assert hints.byline == ["Jane Roe", "John Doe"]  # the outlet credited as author is dropped
    assert hints.outlet == "Example Times"


def test_og_title_loses_site_suffix_and_canonical_url_wins() -> None:
    head = (
        '<meta property="og:title" content="Bridge closes after flood | Example Times">'
        '<meta property="og:site_name" content="Example Times">'
        '<title>Bridge closes after flood | Example Times</title>'
        '<link rel="canonical" href="/news/bridge-closes">'
    )
    _, hints = extract_html(page(head), url="https://example-times.com/news/bridge-closes?utm=x")
    assert hints.title == "Bridge closes after flood"
    assert hints.url == "https://example-times.com/news/bridge-closes"


def test_meta_authors_are_split_and_non_names_dropped() -> None:
    head = (
        '<meta name="author" content="By Jane Roe and John Doe">'
        '<meta property="article:author" content="https://www.facebook.com/example">'
        '<meta property="article:published_time" content="2023-08-30T16:45:00Z">'
    )
    _, hints = extract_html(page(head))
    assert hints.byline == ["Jane Roe", "John Doe"]
    assert hints.published == "2023-08-30T16:45:00+00:00"


def test_generic_credits_and_emails_are_not_authors() -> None:
    head = '<meta name="author" content="Staff, newsdesk@example.com">'
    _, hints = extract_html(page(head))
    assert hints.byline == []


def test_time_element_gives_the_date() -> None:
    body = '<time datetime="2022-09-12T08:00:00+03:00">12 September</time>' + BODY
    _, hints = extract_html(page(body=body))
    assert hints.published is not None and hints.published.startswith("2022-09-12")


def test_date_from_url_only_is_marked_as_such() -> None:
    _, hints = extract_html(page(), url="https://example.org/2021/03/04/story.html")
    assert hints.published in ("2021-03-04", None)
    if hints.published:
        assert hints.published_source in ("url", "html")


def test_malformed_html_does_not_raise() -> None:
    broken = "<html><head><title>Unclosed <b>title</head><body><div><p>Some text <i>without end" + BODY[:400]
    paragraphs, hints = extract_html(broken)
    assert isinstance(paragraphs, list)
    assert hints.title is None or "Unclosed" in hints.title


def test_script_only_page_gives_no_paragraphs() -> None:
    scripts = "".join(f"<script>var a{i} = {'x' * 200!r};</script>" for i in range(2000))
    start = time.perf_counter()
    paragraphs, _ = extract_html(f"<html><head>{scripts}</head><body>{scripts}</body></html>")
    assert paragraphs == []
    assert time.perf_counter() - start < 10


def test_page_without_body_or_content() -> None:
    assert extract_html("")[0] == []
    assert extract_html("   ")[0] == []
    assert extract_html("<html><head><title>Only a title</title></head></html>")[0] == []
    paragraphs, _ = extract_html("not html at all \x00\x01")  # plain text: kept or dropped, never an error
    assert paragraphs in ([], ["not html at all"])


def test_broken_json_ld_is_ignored() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>' + (
        '<script type="application/ld+json">' + "[" * 500 + "]" * 500 + "</script>"
        '<meta property="og:title" content="Flood closes bridge">'
    )
    _, hints = extract_html(page(head))
    assert hints.title == "Flood closes bridge"


def test_headline_repeated_as_first_paragraph_is_dropped() -> None:
    head = '<meta property="og:title" content="Flood closes bridge">'
    paragraphs, _ = extract_html(page(head, body="<p>Flood closes bridge</p>" + BODY))
    assert paragraphs[0].startswith("Paragraph 1")


def test_site_suffix_matched_through_the_host_and_kicker_dropped() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Floods: Bridge closes after the river rises"}</script>'
        '<meta property="og:title" content="Bridge closes after the river rises">'
        "<title>Bridge closes after the river rises - EXAMPLETIMES</title>"
    )
    _, hints = extract_html(page(head), url="https://www.exampletimes.co.uk/a/1")
    assert hints.title == "Bridge closes after the river rises"


def test_kicker_kept_when_no_other_source_drops_it() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Floods: Bridge closes after the river rises"}</script>'
        '<meta property="og:title" content="Floods: Bridge closes after the river rises">'
    )
    _, hints = extract_html(page(head))
    assert hints.title == "Floods: Bridge closes after the river rises"


def test_headline_apart_from_the_title_element_wins() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "%s"}</script>'
    search, editorial = "Bridge closed after record flood", "Town cut in two as the river wins"
    # the <title> repeats the JSON-LD headline: the og:title is the page's other headline
    head = ld % search + f'<meta property="og:title" content="{editorial}"><title>{search} | Example Times</title>'
    assert extract_html(page(head))[1].title == editorial
    # the <title> repeats the og:title: the JSON-LD headline wins
    head = ld % editorial + f'<meta property="og:title" content="{search}"><title>{search}</title>'
    assert extract_html(page(head))[1].title == editorial
    # the <title> repeats neither: source order (JSON-LD first)
    head = ld % editorial + f'<meta property="og:title" content="{search}"><title>Something else entirely</title>'
    assert extract_html(page(head))[1].title == editorial


def test_section_suffix_is_dropped() -> None:
    head = ('<meta property="article:section" content="Politik">'
            "<title>Kühltürme von AKW gesprengt - Politik</title>")
    assert extract_html(page(head))[1].title == "Kühltürme von AKW gesprengt"
    # a hyphen glued to the section counts as a separator only in scripts without hyphenated compounds
    head = '<meta name="content_category" content="정치"><title>한동훈 제명했지만 부담 커졌다-정치</title>'
    assert extract_html(page(head))[1].title == "한동훈 제명했지만 부담 커졌다"
    head = '<meta property="article:section" content="Politik"><title>Streit um die Real-Politik</title>'
    assert extract_html(page(head))[1].title == "Streit um die Real-Politik"


def test_site_name_leading_a_short_suffix_is_dropped() -> None:
    head = "<title>Bridge closes after flood | Example News</title>"
    _, hints = extract_html(page(head), url="https://www.example.ca/news/1")
    assert hints.title == "Bridge closes after flood"


def test_the_spelling_most_sources_share_wins() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Floods - Bridge closes after the river rises"}</script>'
        '<meta property="og:title" content="Floods: Bridge closes after the river rises">'
        "<title>Floods: Bridge closes after the river rises</title>"
    )
    assert extract_html(page(head))[1].title == "Floods: Bridge closes after the river rises"
