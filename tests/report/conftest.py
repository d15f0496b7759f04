"""A hand-made story, its articles and its account, shared by the Markdown and HTML report tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storyline.model import (
    Account,
    Annotations,
    Article,
    BriefSentence,
    Citation,
    Claim,
    Discrepancy,
    Entity,
    FigurePoint,
    FigureSeries,
    Mention,
    MergedEntity,
    Place,
    QuoteGroup,
    QuoteVersion,
    Source,
    TimelineEvent,
)

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'

KHARKIV = Place(706483, "Kharkiv", "city", "UA", 49.98, 36.25)
IZIUM = Place(707292, "Izium", "city", "UA", 49.21, 37.26)
KYIV = Place(703448, "Kyiv", "city", "UA", 50.45, 30.52)
UKRAINE = Place(690791, "Ukraine", "country", "UA", 49.0, 32.0)


def make_article(n: int, outlet: str | None, title: str | None, paragraphs: list[str],
                 published: str | None = "2022-09-11", url: str | None = None) -> Article:
    """An article whose text is its paragraphs joined by a blank line."""
    return Article(id=f"{n:016x}", source=Source(f"in/{n}.html"), text="\n\n".join(paragraphs),
                   paragraphs=paragraphs, url=url or f"https://example.org/{n}", outlet=outlet, title=title,
                   published=published)


def cite(article: Article, phrase: str, nth: int = 0) -> Citation:
    """The citation of the ``nth`` occurrence of ``phrase`` in ``article``."""
    start = -1
    for _ in range(nth + 1):
        start = article.text.index(phrase, start + 1)
    return Citation(article.id, start, start + len(phrase), phrase, article.outlet)


@dataclass
class StoryFixture:
    """An account with the articles and annotations it was made from."""

    account: Account
    articles: list[Article]
    annotations: dict[str, Annotations]


def build_story(hostile: bool = False) -> StoryFixture:
    """Three outlets reporting a counter-offensive; ``hostile`` puts script payloads into every text field."""
    bad = f" {XSS_SCRIPT} {XSS_ATTR}" if hostile else ""
    a = make_article(1, "Daily Courier" + bad, "Troops retake Izium" + bad, [
        "Ukrainian forces retook Izium on Saturday, officials said." + bad,
        "“We will not stop,” the commander said. The army recaptured about 3,000 sq km in a week.",
    ], url="javascript:alert(1)" if hostile else None)
    b = make_article(2, "Wire Service", "Kyiv says 3,000 square kilometres freed", [
        "Kyiv said its troops had freed more than 3,000 square kilometres near Kharkiv.",
        "“We will not stop until every town is free,” the commander told reporters on Sunday.",
    ], published="2022-09-12")
    c = make_article(3, "Gazette", None, [
        "Izyum fell on Friday, according to local residents, who reported 2,500 sq km retaken.",
        "The claims cannot be independently verified.",
    ], published="2022-09-12")
    articles = [a, b, c]
    izium = [cite(a, "Ukrainian forces retook Izium on Saturday"), cite(c, "Izyum fell on Friday")]
    fig_a, fig_b, fig_c = cite(a, "about 3,000 sq km"), cite(b, "more than 3,000 square kilometres"), \
        cite(c, "2,500 sq km")
    speaker = "the commander" + bad
    entities = [
        MergedEntity("m1", "place", "Izium" + bad, {"Izium": [a.id], "Izyum": [c.id]}, [a.id, c.id],
                     Place(IZIUM.geonameid, "Izium" + bad, "city", "UA", IZIUM.latitude, IZIUM.longitude)),
        MergedEntity("m2", "place", "Kharkiv", {"Kharkiv": [b.id]}, [b.id], KHARKIV),
        MergedEntity("m3", "person", "the commander", {"the commander": [a.id, b.id]}, [a.id, b.id]),
    ]
    account = Account(
        story_id="s1",
        title="Izium retaken" + bad,
        article_ids=[a.id, b.id, c.id],
        entities=entities,
        quote_groups=[QuoteGroup("q1", "m3", speaker, [
            QuoteVersion(a.id, a.outlet, "direct", cite(a, "We will not stop")),
            QuoteVersion(b.id, b.outlet, "direct", cite(b, "We will not stop until every town is free")),
        ], similarity=0.8)],
        claims=[
            Claim("c1", "Ukrainian forces retook Izium." + bad, izium, [a.outlet or "", c.outlet or ""], 2),
            Claim("c2", "Local residents reported 2,500 sq km retaken.", [fig_c], [c.outlet or ""], 1,
                  "local residents", ["cannot be independently verified"]),
        ],
        figures=[FigureSeries("f1", "territory retaken" + bad, "[length] ** 2", "km²", None, [
            FigurePoint(3000, "~", "km²", 3000, "km²", "2022-09-10", fig_a),
            FigurePoint(3000, ">", "km²", 3000, "km²", "2022-09-11", fig_b, "Kyiv"),
            FigurePoint(2500, "=", "km²", 2500, "km²", "2022-09-11", fig_c, dated_by="published"),
        ], agreements=[[0, 1]])],
        discrepancies=[Discrepancy("d1", "date", "when Izium fell" + bad, ["Saturday", "Friday"], izium)],
        timeline=[
            TimelineEvent("2022-09-09", "day", "Izium falls, according to residents", [izium[1]], uncertain=True),
            TimelineEvent("2022-09-10", "day", "Ukraine announces Izium retaken" + bad, [izium[0]]),
        ],
        brief=[
            BriefSentence("Ukrainian forces retook Izium." + bad, izium),
            BriefSentence("Kyiv said more than 3,000 square kilometres were freed.", [fig_b, fig_a],
                          "single-source"),
        ],
    )
    if hostile:  # a highlighted passage that is itself a payload
        account.brief[0].citations.append(cite(a, XSS_SCRIPT))
    kyiv = Mention(0, 4, "Kyiv")
    annotations = {
        b.id: Annotations(b.id, entities=[Entity("e1", "place", "Kyiv", [kyiv], KYIV),
                                          Entity("e2", "place", "Ukraine", [], UKRAINE)]),
        a.id: Annotations(a.id),
    }
    return StoryFixture(account, articles, annotations)


@pytest.fixture
def story() -> StoryFixture:
    """The plain story."""
    return build_story()


@pytest.fixture
def hostile_story() -> StoryFixture:
    """The story with script payloads in article text, titles, outlets, names and places."""
    return build_story(hostile=True)
