"""The online story clusterer: same story together, different stories apart; its state persists in the store."""

from __future__ import annotations

import ast
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from story_texts import FINANCE, QUAKE

from storyline.clean.document import clean_document
from storyline.cluster.state import StoryTracker
from storyline.cluster.stories import ClusterItem, StoryClusterer, _dominant_years, _Member, _Story, cluster_item
from storyline.cluster.vectors import anchors, tokens, weigh
from storyline.model import Article, RawDocument, Source
from storyline.settings import ClusterSettings
from storyline.store import Store, StoryChanges

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kharkiv-2022-09"


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


# ---------------------------------------------------------------------- persistence (cluster/state.py)


def _article(n: int, text: str, day: str | None = None, outlet: str | None = None) -> Article:
    return Article(id=f"{n:016x}", source=Source("t"), text=text, paragraphs=[text], published=day,
                   published_source="given" if day else None, outlet=outlet)


def _open(store: Store, settings: ClusterSettings, embedder: object | None = None) -> StoryTracker:
    tracker = StoryTracker(settings, embedder)  # type: ignore[arg-type]
    tracker.load(store.load_story_state())
    return tracker


def _stored_partition(store: Store) -> dict[str, str]:
    return {aid: story.id for story in store.list_stories() for aid in story.article_ids}


class _FakeEmbedder:
    """Unit vectors that tell the two topics apart, so embeddings matter without loading a model."""

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = [[1.0, 0.0, 0.1] if "earthquake" in t.lower() else [0.0, 1.0, 0.1] for t in texts]
        return np.asarray(rows, dtype=np.float32) / np.linalg.norm(rows, axis=1, keepdims=True).astype(np.float32)


def _comparable(story: _Story) -> tuple:
    emb = None if story.embedding_sum is None else story.embedding_sum.tolist()
    return (story.id, story.title, story.size, story.seq, story.first, story.last, dict(story.outlets),
            list(story.terms.items()), list(story.names.items()), list(story.term_vec.items()),
            list(story.name_vec.items()), emb)


def test_state_round_trips_exactly(tmp_path: Path) -> None:
    settings = ClusterSettings(embedding_weight=1.0)
    arts = [_article(i, t, f"2020-10-{28 + i % 3}", f"outlet{i % 2}") for i, t in enumerate(QUAKE + FINANCE)]
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        tracker = _open(store, settings, _FakeEmbedder())
        for article in arts:
            store.add_articles([article], stories=tracker)
        reloaded = _open(store, settings)
    live, loaded = tracker.clusterer, reloaded.clusterer
    assert loaded.stories.keys() == live.stories.keys() and len(live.stories) == 2
    for sid, story in live.stories.items():
        assert _comparable(loaded.stories[sid]) == _comparable(story)
    assert loaded.term_df.counts == live.term_df.counts and loaded.term_df.documents == 6
    assert loaded.name_df.counts == live.name_df.counts
    assert loaded._postings == live._postings and loaded.seq == live.seq


def test_store_backed_clustering_equals_in_memory_with_reloads(tmp_path: Path) -> None:
    """Reloading the state before every article changes nothing: same stories, same ids."""
    texts = QUAKE + FINANCE
    order = [3, 0, 4, 1, 5, 2]
    memory = StoryClusterer(_settings())
    for i in order:
        memory.add(cluster_item(_article(i, texts[i])))
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        for i in order:
            store.add_articles([_article(i, texts[i])], stories=_open(store, _settings()))
        assert _stored_partition(store) == memory.assignment
        assert {s.id: len(s.article_ids) for s in store.list_stories()} == {
            s.id: len(s.article_ids) for s in memory.story_list()}


def test_new_articles_join_the_right_existing_story(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        first = [_article(0, QUAKE[0], "2020-10-30", "a"), _article(3, FINANCE[0], "2020-10-30", "b")]
        store.add_articles(first, stories=_open(store, _settings()))
        before = {s.id: s.article_ids for s in store.list_stories()}
        # A later run, a fresh process: the state comes from the store alone.
        later = [_article(1, QUAKE[1], "2020-10-31", "c"), _article(4, FINANCE[1], "2020-11-01", "d")]
        store.add_articles(later, stories=_open(store, _settings()))
        after = {s.id: s for s in store.list_stories()}
    assert after.keys() == before.keys()
    quake = after[store_id_of(before, first[0].id)]
    finance = after[store_id_of(before, first[1].id)]
    assert quake.article_ids == [first[0].id, later[0].id] and quake.outlets == ["a", "c"]
    assert finance.article_ids == [first[1].id, later[1].id]
    assert (finance.first, finance.last) == ("2020-10-30", "2020-11-01")


def store_id_of(stories: dict[str, list[str]], article_id: str) -> str:
    return next(sid for sid, members in stories.items() if article_id in members)


def test_a_bridging_article_merges_stored_stories(tmp_path: Path) -> None:
    settings = ClusterSettings(use_embeddings=False, embedding_weight=0.0, join_threshold=0.05,
                               merge_threshold=0.05)
    bridge = QUAKE[0] + " " + FINANCE[0]
    memory = StoryClusterer(settings)
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        for i, text in enumerate([QUAKE[0], FINANCE[0], bridge]):
            memory.add(cluster_item(_article(i, text)))
            store.add_articles([_article(i, text)], stories=_open(store, settings))
        (story,) = store.list_stories()
        assert len(memory.stories) == 1 and story.id in memory.stories
        assert story.article_ids == memory.story_list()[0].article_ids
        assert store.load_story_state().stories[0][0]["size"] == 3


def test_a_failed_batch_leaves_no_trace_and_the_tracker_reloads(tmp_path: Path) -> None:
    class Failing(StoryTracker):
        def assign(self, articles: list[Article]) -> StoryChanges:
            super().assign(articles)
            raise RuntimeError("disk full")

    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.add_articles([_article(0, QUAKE[0])], stories=_open(store, _settings()))
        failing = Failing(_settings())
        failing.load(store.load_story_state())
        with pytest.raises(RuntimeError):
            store.add_articles([_article(1, QUAKE[1])], stories=failing)
        assert store.count_articles() == 1 and failing.version is None
        # Another process wrote since this tracker loaded: it reloads before assigning.
        stale = _open(store, _settings())
        store.add_articles([_article(2, QUAKE[2])], stories=_open(store, _settings()))
        store.add_articles([_article(1, QUAKE[1])], stories=stale)
        (story,) = store.list_stories()
        assert len(story.article_ids) == 3 and store.load_story_state().df["term"]["earthquake"] == 3


def test_anchors_share_name_words_keep_figure_units_and_skip_clock_times() -> None:
    first = anchors("Maria Lopezova beat Anna Kowalczyk at 10:04 PM ET; 23 passengers were hurt.")
    later = anchors("Lopezova, 36, kept her title against Kowalczyk.")
    assert {"lopezova", "kowalczyk"} <= set(first) & set(later)  # full name and surname share an anchor
    assert "fig:23 passengers" in first and "num:23" in first
    assert not {"num:10", "num:04", "fig:04 pm"} & set(first)  # a filing time is not an event detail
    assert "fig:36 year" in anchors("The 36 - year - old champion")  # tokenised text keeps its unit
    assert "fig:3.50 dollars" in anchors("Tickets cost 3.50 dollars.")  # a decimal is not a clock time


def test_a_year_conflict_lowers_the_similarity_to_a_story() -> None:
    settings = _settings()
    clusterer = StoryClusterer(settings)
    clusterer.add(ClusterItem(id="a", title="", text=QUAKE[0] + " It was the strongest since 2011."))
    story = next(iter(clusterer.stories.values()))

    def score(text: str) -> float:
        item = ClusterItem(id="x", title="", text=text)
        names = weigh(Counter(anchors(text)), clusterer.name_df)
        return clusterer._similarity(weigh(Counter(tokens(text)), clusterer.term_df), names, item, story)

    same_year = score(QUAKE[1] + " The last one this strong was in 2011.")
    other_year = score(QUAKE[1] + " The last one this strong was in 2014.")
    no_year = score(QUAKE[1])
    assert other_year < no_year
    assert same_year > other_year


def test_an_untitled_story_is_named_by_its_first_line_or_sentence() -> None:
    clusterer = StoryClusterer()
    clusterer.add(ClusterItem(id="a", title="", text="Quake strikes the coast\n\nTue 2 July. A quake struck."))
    clusterer.add(ClusterItem(id="b", title="", text="Floods closed the bridge on Monday. Roads reopened."))
    assert sorted(s.title for s in clusterer.story_list()) == ["Floods closed the bridge on Monday.",
                                                              "Quake strikes the coast"]


def test_cluster_articles_groups_a_batch_in_memory_whatever_its_order() -> None:
    from storyline.cluster.stories import cluster_articles
    from storyline.model import Article
    from storyline.settings import ClusterSettings

    def art(aid: str, text: str, day: str) -> Article:
        return Article(id=aid, source="t", text=text, paragraphs=[text], published=day)

    flood = "Floods in Valdoria: the Rhenna burst its banks at Kastel, and 1,200 residents fled the town of Kastel."
    fire = "Wildfire near Oskar Peak: 40 firefighters of the Morrow county fire service fought the Oskar Peak blaze."
    articles = [art("f1", flood, "2031-04-02"), art("w1", fire, "2031-06-10"),
                art("f2", flood.replace("fled", "left"), "2031-04-03"),
                art("w2", fire.replace("fought", "battled"), "2031-06-11")]
    settings = ClusterSettings(use_embeddings=False)
    stories = cluster_articles(articles[::-1], settings=settings)
    assert sorted(sorted(s.article_ids) for s in stories) == [["f1", "f2"], ["w1", "w2"]]
    assert all(s.first and s.last for s in stories)


# ---------------------------------------------------------------------- young stories: split and absorb

# Two instances of one kind of event: same place, river and wording, different years and details.
SIBLINGS = [
    "A storm flooded Port Elmsby in 2005; the Varne river rose and 300 homes of Elmsby were evacuated.",
    "A storm flooded Port Elmsby in 2019; the Varne river rose and the Norwick bridge of Elmsby collapsed.",
    "Floods in Port Elmsby in 2005: the Varne burst its banks and 300 homes were evacuated, Idris Calloway said.",
    "Floods in Port Elmsby in 2019: the Norwick bridge fell into the Varne, Tamsin Reyes said.",
]


def _young(**overrides: float) -> ClusterSettings:
    # Everything sharing a word joins (the weak-evidence seeding the split repairs); no bridging merges.
    values = {"join_threshold": 0.0, "merge_threshold": 2.0, "absorb_threshold": 2.0, "split_threshold": 1.0}
    values.update(overrides)
    return ClusterSettings(use_embeddings=False, embedding_weight=0.0, **values)


def test_a_young_story_splits_where_its_members_name_different_years() -> None:
    clusterer = StoryClusterer(_young())
    for i in (0, 1, 2, 3):
        clusterer.add(ClusterItem(f"a{i}", "", SIBLINGS[i]))
    assert _partition(clusterer.assignment) == {frozenset({"a0", "a2"}), frozenset({"a1", "a3"})}
    kept = clusterer.assignment["a0"]
    assert [m.id for m in clusterer.stories[kept].members or []] == ["a0", "a2"]
    assert clusterer.stories[kept].size == 2 and "year:2019" not in clusterer.stories[kept].names


def test_a_young_story_without_a_year_conflict_does_not_split() -> None:
    clusterer = StoryClusterer(_young())
    for i, text in enumerate(SIBLINGS):
        clusterer.add(ClusterItem(f"a{i}", "", text.replace("2019", "2005")))
    assert len(clusterer.stories) == 1
    clusterer = StoryClusterer(_young(split_threshold=0.0))  # dissimilar enough is required too
    for i in (0, 1, 2, 3):
        clusterer.add(ClusterItem(f"a{i}", "", SIBLINGS[i]))
    assert len(clusterer.stories) == 1


def test_an_established_story_keeps_no_members() -> None:
    clusterer = StoryClusterer(_young(split_members=2))
    for i, text in enumerate(SIBLINGS):
        clusterer.add(ClusterItem(f"a{i}", "", text))
    (story,) = clusterer.stories.values()
    assert story.members is None and story.size == 4


def test_a_single_article_story_joins_the_story_that_grew_around_it() -> None:
    texts = [QUAKE[0], FINANCE[0] + " " + QUAKE[1][:80], QUAKE[0].replace("earthquake", "quake")]

    def run(absorb: float) -> set[frozenset[str]]:
        settings = ClusterSettings(use_embeddings=False, embedding_weight=0.0, join_threshold=0.6,
                                   merge_threshold=2.0, absorb_threshold=absorb)
        clusterer = StoryClusterer(settings)
        for i, text in enumerate(texts):
            clusterer.add(ClusterItem(f"a{i}", "", text))
        return _partition(clusterer.assignment)

    assert run(2.0) == {frozenset({"a0", "a2"}), frozenset({"a1"})}
    assert run(0.05) == {frozenset({"a0", "a1", "a2"})}


def test_splits_persist_and_reloads_change_nothing(tmp_path: Path) -> None:
    """A split moves members between stored stories; reloading before every article gives the same stories."""
    settings = _young()
    settings.use_embeddings, settings.embedding_weight = True, 1.0
    memory = StoryClusterer(settings)
    arts = [_article(i, text, f"2031-05-0{i + 1}", f"outlet{i}") for i, text in enumerate(SIBLINGS)]
    for article in arts:
        memory.add(cluster_item(article, embedding=_FakeEmbedder().encode([article.text])[0]))
    assert len(memory.stories) == 2
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        for article in arts:
            store.add_articles([article], stories=_open(store, settings, _FakeEmbedder()))
        stored = {s.id: s for s in store.list_stories()}
        reloaded = _open(store, settings).clusterer
    assert {sid: s.article_ids for sid, s in stored.items()} == {s.id: s.article_ids for s in memory.story_list()}
    for sid, story in memory.stories.items():
        assert _comparable(reloaded.stories[sid]) == _comparable(story)
        assert [_member(m) for m in reloaded.stories[sid].members or []] == [_member(m) for m in story.members or []]


def _member(m: _Member) -> tuple:
    return (m.id, m.title, list(m.terms.items()), list(m.names.items()), m.published, m.outlet, m.embedding.tolist())


def test_a_group_is_dated_by_the_years_most_of_its_members_mention() -> None:
    def member(*years: str) -> _Member:
        return _Member("m", "", Counter(), Counter(f"year:{y}" for y in years))

    assert _dominant_years([member("2005", "1999"), member("2005"), member("2019", "1999", "1999")]) == {
        "year:2005", "year:1999"}
    assert _dominant_years([member("2005", "1999"), member("2005")]) == {"year:2005"}
    assert _dominant_years([member(), member()]) == set()
