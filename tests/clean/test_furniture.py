"""Furniture rules on small invented pages in several outlets' styles."""

from __future__ import annotations

import pytest

from storyline.clean.furniture import normalise_text, parse_byline, remove_furniture


def _reasons(paragraphs: list[str]) -> dict[str, str]:
    _, removed, _ = remove_furniture(paragraphs)
    return {r.text: r.reason for r in removed}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("The video cannot be played in your browser", "video-placeholder"),
        ("Media caption, Residents queue for water in the port city", "video-placeholder"),
        ("VIDEO: Floods sweep through the valley", "media-label"),
        ("Read more: Parliament votes on the budget", "read-more"),
        ("READ MORE", "read-more"),
        ("Related: How the ceasefire collapsed", "read-more"),
        ("Next post: Council approves new housing plan", "article-navigation"),
        ("Previous storyMayor resigns after audit", "article-navigation"),
        ("Sign up for our free morning briefing newsletter and get the news in your inbox.", "newsletter-promo"),
        ("1.2K shares", "engagement-count"),
        ("87", "engagement-count"),
        ("Share | Tweet | Email", "share-buttons"),
        ("Copyright 2021 Harbour Gazette Ltd. All rights reserved.", "copyright-footer"),
        ("This material may not be published, broadcast, rewritten or redistributed.", "copyright-footer"),
        ("Advertisement", "advertisement"),
        ("Reporting by Ana Lima; Editing by Tom Hale", "credit-line"),
        ("Image source, Local Photo Agency", "credit-line"),
        ("Tags: economy, inflation, central bank", "tags"),
        ("Updated 14:05, 3 March 2021", "timestamp"),
        ("By Maria Gonzalez and Peter O'Neill, Staff Writers", "byline"),
        ("Follow the Metro desk on Instagram and Threads.", "follow-promo"),
        ("Write to Ana Lima at ana.lima@example.com", "contact-line"),
        ("jdoe@example.org", "contact-line"),
        ("Mayor quits after row over budget [VIDEO]", "teaser"),
        ("Lesezeit: 4 Minuten", "reading-time"),
        ("An error has occurred, please try again later.", "widget-message"),
        ("quinta-feira, 3 de março de 2021 às 14:05", "timestamp"),
        ("Li Wei contributed reporting from Beijing.", "credit-line"),
        ("- Print Article", "share-buttons"),
    ],
)
def test_furniture_line_is_removed(line: str, reason: str) -> None:
    kept, removed, _ = remove_furniture(["The council met on Tuesday to discuss the budget.", line])
    assert kept == ["The council met on Tuesday to discuss the budget."]
    assert [r.reason for r in removed] == [reason]


@pytest.mark.parametrize(
    "line",
    [
        # article text that only mentions furniture words
        "The company said it would stop printing its weekly newsletter next year after subscriptions fell "
        "by a third, and would ask readers to sign up for an email edition instead, its editor told staff.",
        "“Subscribe to our channel,” the militants wrote, according to the court filing.",
        "Previous articles in this series have examined how the bank set rates.",
        "By Sunday evening, the death toll had risen to 40.",
        "By Monday",
        "The photographer, who holds the copyright to the image, said she would sue.",
        "Read the full report, officials said, before drawing conclusions.",
        "COVID-19 H5N1",
        "2,300 square miles were retaken.",
        "The agency contributed to the report's findings, the minister said.",
        "-A poll shows the governor ahead in the north. [NYT]",
        "www.example.com",
        "<The Palace: A Musical> opens in May.",
        "Video-sharing app TikTok said it would appeal.",
        "Previous post-war governments tried the same.",
        "More-or-less everyone agreed",
        "Related-party deals rose.",
    ],
)
def test_article_text_is_kept(line: str) -> None:
    kept, removed, _ = remove_furniture([line])
    assert removed == []
    assert len(kept) == 1


def test_caption_after_video_placeholder() -> None:
    kept, removed, _ = remove_furniture(
        ["Your browser does not support this video", "Rescue teams reach the flooded village", "The river rose."]
    )
    assert kept == ["The river rose."]
    assert [r.reason for r in removed] == ["video-placeholder", "video-caption"]


def test_byline_names_go_to_metadata() -> None:
    kept, removed, bylines = remove_furniture(["by Jane Roe, Chief Political Correspondent", "Ministers met."])
    assert bylines == ["Jane Roe"]
    assert kept == ["Ministers met."]
    assert removed[0].paragraph == 0
    assert parse_byline("By Hans van der Berg | Weekly Courier") == ["Hans van der Berg"]
    assert parse_byline("By Sunday the toll had risen.") is None
    assert parse_byline("By Li Wei Updated 14:05 GMT") == ["Li Wei"]
    assert parse_byline("By Ana Lima, March 3, 2021") == ["Ana Lima"]


def test_repairs_mojibake_tags_entities_and_css_debris() -> None:
    text, debris = normalise_text('Itâ€™s <span class="x">cheap</span> &amp; quick ssrcss-1abc2de-InlineLink e1no5rhv0')
    assert text == "It’s cheap & quick"
    assert '<span class="x">' in debris
    kept, removed, _ = remove_furniture(["css-1n8hx2y e5tfeyi3", "e1x9k2m-0 k17ofw3", "Real text."])
    assert kept == ["Real text."]
    assert [r.reason for r in removed] == ["markup-debris", "css-debris"]


def test_quotes_dashes_spaces_normalised_but_single_quotes_kept() -> None:
    text, _ = normalise_text(
        "«Nous restons», dit-il.\u00a0„Wir bleiben“ ‟x” ``y'' \u22125 a\u2010b c\u200bd e\u2015f ‘fine’ it’s"
    )
    assert text == "“Nous restons”, dit-il. “Wir bleiben” “x” “y” -5 a-b cd e—f ‘fine’ it’s"
    assert normalise_text("don´t")[0] == "don’t"
