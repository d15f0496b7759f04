"""The online story clusterer: same story together, different stories apart, bounded candidate search."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from storyline.clean.document import clean_document
from storyline.cluster.stories import ClusterItem, StoryClusterer
from storyline.model import RawDocument, Source
from storyline.settings import ClusterSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kharkiv-2022-09"

QUAKE = [
    "A magnitude 6.1 earthquake struck the Aegean island of Samos on Tuesday, damaging houses and a port.",
    "The earthquake near Samos shook buildings as far as Izmir; Greek officials said the port was damaged.",
    "Rescuers on Samos searched damaged houses after Tuesday's earthquake, which was felt in Izmir.",
]
FINANCE = [
    "The central bank of Norway raised its policy rate by half a point to fight inflation, the governor said.",
    "Norway's central bank governor defended the half-point rate rise, saying inflation was too high.",
    "Economists had expected Norway's central bank to raise its rate; the krone rose after the decision.",
]


def _settings() -> ClusterSettings:
    return ClusterSettings(use_embeddings=False, embedding_weight=0.0)


def _cluster(texts: list[str], order: list[int]) -> dict[str, str]:
    clusterer = StoryClusterer(_settings())
    for i in order:
        clusterer.add(ClusterItem(id=f"a{i}", title="", text=texts[i]))
    return clusterer.assignment


def _partition(assignment: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article, story in assignment.items():
        groups.setdefault(story, set()).add(article)
    return {frozenset(g) for g in groups.values()}


def test_two_stories_are_told_apart_in_any_order() -> None:
    texts = QUAKE + FINANCE
    expected = {frozenset({"a0", "a1", "a2"}), frozenset({"a3", "a4", "a5"})}
    for order in ([0, 1, 2, 3, 4, 5], [3, 0, 4, 1, 5, 2], [5, 4, 3, 2, 1, 0]):
        assert _partition(_cluster(texts, order)) == expected


def test_stories_fade_with_time() -> None:
    clusterer = StoryClusterer(_settings())
    first = clusterer.add(ClusterItem("a", "", QUAKE[0], published=date(2020, 10, 30)))
    same_week = clusterer.add(ClusterItem("b", "", QUAKE[1], published=date(2020, 10, 31)))
    months_later = clusterer.add(ClusterItem("c", "", QUAKE[2], published=date(2021, 3, 1)))
    assert first == same_week
    assert months_later != first


def test_adding_an_article_twice_keeps_one_assignment() -> None:
    clusterer = StoryClusterer(_settings())
    story = clusterer.add(ClusterItem("a", "", QUAKE[0]))
    assert clusterer.add(ClusterItem("a", "", QUAKE[0])) == story
    assert [s.article_ids for s in clusterer.story_list()] == [["a"]]


def test_story_list_reports_outlets_and_dates() -> None:
    clusterer = StoryClusterer(_settings())
    clusterer.add(ClusterItem("a", "Quake hits Samos", QUAKE[0], date(2020, 10, 30), "ekathimerini.com"))
    clusterer.add(ClusterItem("b", "", QUAKE[1], date(2020, 10, 31), "hurriyetdailynews.com"))
    (story,) = clusterer.story_list()
    assert story.title == "Quake hits Samos"
    assert story.first == "2020-10-30" and story.last == "2020-10-31"
    assert set(story.outlets) == {"ekathimerini.com", "hurriyetdailynews.com"}


def test_the_example_cluster_is_one_story() -> None:
    clusterer = StoryClusterer(_settings())
    for path in sorted(EXAMPLES.iterdir()):
        raw_text = path.read_text(encoding="utf-8")
        if raw_text.lstrip().startswith("["):
            raw = RawDocument(Source(str(path)), "paragraphs", list(ast.literal_eval(raw_text)))
        else:
            raw = RawDocument(Source(str(path)), "text", raw_text)
        article = clean_document(raw)
        clusterer.add(ClusterItem(article.id, article.title or "", article.text))
    assert len(clusterer.story_list()) == 1
