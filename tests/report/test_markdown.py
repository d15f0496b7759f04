"""The Markdown report: every section, citation markers that resolve to sources, inert article text."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from storyline.model import Account
from storyline.report.markdown import esc, render_markdown
from storyline.report.view import account_citations

from .conftest import XSS_ATTR, XSS_SCRIPT


def sources(md: str) -> dict[int, str]:
    """Footnote number -> its line under Sources."""
    block = md.split("## Sources\n\n", 1)[1]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^- \[(\d+)\] (.*)$", block, re.M)}


def section(md: str, title: str) -> str:
    return md.split(f"## {title}\n\n", 1)[1].split("\n## ", 1)[0]


def test_sections_appear_in_reading_order(story):
    md = render_markdown(story.account, story.articles)
    assert md.startswith("# Izium retaken\n")
    assert "*Story s1: 3 article(s) from Daily Courier, Gazette, Wire Service published 2022-09-11 – 2022-09-12.*" in md
    titles = re.findall(r"^## (.+)$", md, re.M)
    assert titles == ["Brief", "Timeline", "Figures", "Quotes", "Claims", "Discrepancies", "Entities", "Sources"]


def test_brief_markers_point_to_footnotes_with_outlet_title_and_passage(story):
    md = render_markdown(story.account, story.articles)
    brief = section(md, "Brief")
    assert brief.startswith("Ukrainian forces retook Izium. [1][2] Kyiv said more than 3,000 square kilometres "
                            "were freed. *(single source)* [3][4]")
    notes = sources(md)
    assert notes[1].startswith("Daily Courier, *Troops retake Izium* (article 0000000000000001, characters 0–41)")
    assert notes[1].endswith("“Ukrainian forces retook Izium on Saturday”")
    assert notes[2].startswith("Gazette (article 0000000000000003")  # no title: outlet and id only
    # Every marker anywhere in the report has its footnote, and each passage is numbered once.
    used = {int(n) for n in re.findall(r"(?<!- )\[(\d+)\]", md.split("## Sources")[0])}
    assert used == set(notes) == set(range(1, len(notes) + 1))
    assert len(set(notes.values())) == len(notes)


def test_figures_quotes_claims_discrepancies_and_entities(story):
    md = render_markdown(story.account, story.articles)
    assert section(md, "Timeline").splitlines()[0] == \
        "- **2022-09-09** (date uncertain): Izium falls, according to residents [2]"
    figures = section(md, "Figures")
    assert figures.startswith("### territory retaken (km²)")
    assert "| 2022-09-11 | more than 3,000 km² | 3,000 | Wire Service (citing Kyiv) [3] |" in figures
    assert "| 2022-09-11 (dated by published) | 2,500 km² | 2,500 | Gazette [5] |" in figures
    assert "Agree within rounding: Daily Courier [4], Wire Service (citing Kyiv) [3]." in figures
    quotes = section(md, "Quotes")
    assert quotes.startswith("### the commander")
    assert "- Daily Courier (direct): “We will not stop” [" in quotes
    assert "- Wire Service (direct): “We will not stop until every town is free” [" in quotes
    assert "lowest similarity 0.80" in quotes
    claims = section(md, "Claims").split("\n- ")
    assert "2 independent source(s)*" in claims[0] and "⚠" not in claims[0]
    assert "according to local residents; reported by Gazette; 1 independent source(s)* ⚠ **single source**; " \
           "**hedged**: “cannot be independently verified”" in claims[1]
    disc = section(md, "Discrepancies")
    assert disc.splitlines()[0] == "### when Izium fell (date)"
    assert "| Daily Courier [1] | Gazette [2] |" in disc
    assert "| **Saturday** | **Friday** |" in disc
    entities = section(md, "Entities")
    assert "| Izium — UA | place | Izium (1); Izyum (1) |" in entities


def test_a_claim_attributed_to_an_entity_names_it(story):
    story.account.claims[1].asserted_by = "m3"
    assert "according to the commander;" in render_markdown(story.account, story.articles)


def test_an_empty_account_renders_title_and_summary_only():
    md = render_markdown(Account("s9", "Nothing yet"), [])
    assert md == "# Nothing yet\n\n*Story s9: 0 article(s).*\n"


def test_article_text_cannot_format_or_inject_html(hostile_story):
    md = render_markdown(hostile_story.account, hostile_story.articles)
    assert XSS_SCRIPT not in md and XSS_ATTR not in md
    assert "\\<script\\>alert(1)\\</script\\>" in md
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(("text", "escaped"), [
    ("a *b* _c_", "a \\*b\\* \\_c\\_"),
    ("x | y\n\n# z", "x \\| y \\# z"),
    ("[link](javascript:x)", "\\[link\\](javascript:x)"),
    ("&lt; <b>", "\\&lt; \\<b\\>"),
])
def test_esc_makes_inline_markdown_inert(text, escaped):
    assert esc(text) == escaped


def test_sources_without_an_outlet_get_a_host_or_id_label_and_claimants_their_names(story):
    a, b, c = story.articles
    articles = [replace(a, outlet=None, url="https://www.example-news.org/x"), b, replace(c, outlet=None, url=None)]
    account = story.account
    for ci in account_citations(account):  # what the reconcile stage writes when it knows no outlet: None or id
        if ci.article_id in (a.id, c.id):
            ci.outlet = c.id if ci.article_id == c.id else None
    series = account.figures[0]
    series.claimant = "m3"  # an entity id: the report shows the entity's name
    md = render_markdown(account, articles)
    notes = sources(md)
    labels = {line.split(",")[0].split(" (")[0] for line in notes.values()}
    assert "example-news.org" in labels and f"article {c.id[:8]}" in labels
    assert c.id not in labels and "unknown outlet" not in md
    assert "according to the commander" in section(md, "Figures")
