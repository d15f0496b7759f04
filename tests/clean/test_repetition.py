"""Outlet-level repetition: chrome recurring across stories goes, copies of one story stay."""

from __future__ import annotations

from storyline.clean.repetition import remove_repeated_lines
from storyline.model import PARAGRAPH_SEPARATOR, Article, Source
from storyline.settings import CleanSettings


def _article(i: int, outlet: str | None, paragraphs: list[str]) -> Article:
    return Article(id=f"a{i}", source=Source(f"f{i}"), text=PARAGRAPH_SEPARATOR.join(paragraphs),
                   paragraphs=paragraphs, outlet=outlet)  # fmt: skip


TOPICS = ["harbour", "tram", "budget", "school", "flood", "election", "museum", "bridge", "market", "stadium"]


def _story(i: int) -> list[str]:
    topic = TOPICS[i]
    return [f"The {topic} story opens with its own first paragraph.", f"More on the {topic} follows here."]


def test_chrome_recurring_in_outlet_is_removed() -> None:
    articles = [_article(i, "valley.example", [*_story(i), f"Follow us for more — {i} comments"]) for i in range(4)]
    articles.append(_article(9, "other.example", [*_story(9), "Follow us for more — 3 comments"]))
    cleaned = remove_repeated_lines(articles, CleanSettings())
    assert [a.id for a in cleaned] == [a.id for a in articles]
    for before, after in zip(articles[:4], cleaned[:4], strict=True):
        assert after.paragraphs == before.paragraphs[:2]
        assert after.text == PARAGRAPH_SEPARATOR.join(before.paragraphs[:2])
        assert after.removed[-1].reason == "repeated-in-outlet"
    assert cleaned[4] is articles[4]  # another outlet: one occurrence proves nothing


def test_copies_of_one_story_count_once() -> None:
    shared = [
        "A long shared paragraph of a wire story that several copies of the same report reproduce word for word, "
        "long enough that it cannot be page chrome: officials said the bridge would stay closed for a month.",
        "Short shared line.",
    ]
    articles = [_article(i, "valley.example", shared) for i in range(4)]
    assert remove_repeated_lines(articles, CleanSettings()) == articles


def test_below_thresholds_nothing_happens() -> None:
    articles = [_article(i, "valley.example", [*_story(i), "Shared line"]) for i in range(2)]
    articles += [_article(i, None, [*_story(i), "Shared line"]) for i in range(2, 6)]
    assert remove_repeated_lines(articles, CleanSettings()) == articles
