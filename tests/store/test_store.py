"""Store behaviour: idempotent adds, full round-trips, ordering, problems, annotations, stories."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from storyline.model import Article, DateWindow, InputProblem, Removed, Source, Story
from storyline.settings import StoreSettings
from storyline.store import Store, StoreError


def make_article(n: int, published: str | None = "2022-09-12", text: str | None = None) -> Article:
    paragraphs = (text or f"Paragraph one of article {n}.\n\nParagraph two.").split("\n\n")
    return Article(id=f"{n:016x}", source=Source("batch.jsonl", None, n), text="\n\n".join(paragraphs),
                   paragraphs=paragraphs, published=published, published_source="record" if published else None)


def full_article() -> Article:
    """Every field set, with non-ASCII text, so a round-trip loses nothing."""
    paragraphs = ["Київ — «Тест» ünïcode 🚀 first paragraph.", "Second \"quoted\" paragraph\twith a tab."]
    return Article(
        id="abcdef0123456789",
        source=Source("dump.zip", "site/a.json", 3),
        text="\n\n".join(paragraphs),
        paragraphs=paragraphs,
        url="https://example.org/news/1?x=ü",
        outlet="Example News",
        title="A title — with a dash",
        published=None,
        published_source="inferred",
        published_window=DateWindow("2022-09-10", "2022-09-12"),
        byline=["Ann Author", "Bo Writer"],
        language="uk",
        format="html",
        fetched="2022-09-13T08:00:00+00:00",
        removed=[Removed("Share this", "share-button", 1), Removed("Advert", "ad", None)],
    )


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'db' / 'storyline.db'}") as s:
        yield s


def test_every_field_round_trips(store):
    article = full_article()
    store.add_articles([article])
    assert store.get_article(article.id) == article
    assert list(store.iter_articles()) == [article]
    assert all(dataclasses.asdict(article)[f.name] is not None for f in dataclasses.fields(Article)
               if f.name != "published")


def test_adding_twice_stores_once_and_reports_it(store):
    first = store.add_articles([make_article(1), make_article(2)])
    assert first.added_ids == [make_article(1).id, make_article(2).id] and first.present_ids == []
    again = store.add_articles([make_article(2), make_article(3), make_article(3)], batch_size=2)
    assert again.added_ids == [make_article(3).id]
    assert again.present_ids == [make_article(2).id, make_article(3).id]
    assert again.differing_ids == []
    assert (again.added, again.already_present) == (1, 2)
    assert store.count_articles() == 3


def test_later_copy_never_overwrites_and_is_flagged_differing(store):
    original = make_article(7, text="Original text.")
    store.add_articles([original])
    edited = make_article(7, text="Edited text, later scrape.")
    result = store.add_articles([edited])
    assert result.present_ids == [original.id] and result.differing_ids == [original.id]
    assert store.get_article(original.id) == original


def test_lookup_count_and_missing(store):
    store.add_articles([make_article(1)])
    assert store.has_article(make_article(1).id) and not store.has_article("0" * 16)
    assert store.get_article("0" * 16) is None
    assert store.count_articles() == 1


def test_iter_articles_orders_by_published_then_id_undated_last(store):
    dates = {5: "2022-09-14", 3: "2022-09-12", 4: None, 1: "2022-09-12T08:00:00+00:00", 2: "2022-09-12"}
    store.add_articles([make_article(n, published) for n, published in dates.items()])
    order = [a.id for a in store.iter_articles()]
    assert order == [make_article(n).id for n in (2, 3, 1, 5, 4)]
    subset = [make_article(n).id for n in (4, 5, 2)] + ["f" * 16]
    assert [a.id for a in store.iter_articles(subset)] == [make_article(n).id for n in (2, 5, 4)]


def test_iter_articles_subset_larger_than_one_query_chunk(store):
    store.add_articles(make_article(n, f"2022-09-{n % 28 + 1:02d}") for n in range(1200))
    wanted = [make_article(n).id for n in range(0, 1200, 2)]
    got = list(store.iter_articles(reversed(wanted)))
    assert {a.id for a in got} == set(wanted)
    assert [(a.published, a.id) for a in got] == sorted((a.published, a.id) for a in got)


def test_reopening_keeps_data(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    with Store(url) as s:
        s.add_articles([make_article(1)])
    with Store(url) as s:
        assert s.get_article(make_article(1).id) == make_article(1)


def test_plain_path_means_sqlite_file(tmp_path):
    path = tmp_path / "sub" / "plain.db"
    with Store(str(path)) as s:
        s.add_articles([make_article(1)])
    assert path.exists()


def test_bad_url_is_a_clear_error():
    with pytest.raises(StoreError, match="not a database URL"):
        Store("::bad://x")
    with pytest.raises(StoreError, match="no database driver") as err:
        Store("nosuchdialect://user:secret@host/db")
    assert "secret" not in str(err.value)


def test_batch_size_must_be_positive(store):
    with pytest.raises(ValueError, match="batch_size"):
        store.add_articles([make_article(1)], batch_size=0)


def test_problems_are_listed_with_time_and_not_doubled(store):
    bad = InputProblem(Source("dump.zip", "a/b.json", 2), "invalid JSON at line 3", "error")
    warn = InputProblem(Source("feed.xml"), "no date", "warning")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    assert store.add_problems([bad, warn], time=t0) == 2
    assert store.add_problems([bad], time=t0 + timedelta(hours=1)) == 0
    records = list(store.iter_problems())
    assert [r.problem for r in records] == [warn, bad]
    assert records[1].time == t0 + timedelta(hours=1)
    assert [r.problem for r in store.iter_problems(since=t0 + timedelta(minutes=30))] == [bad]


def test_annotations_put_get_replace_and_version(store):
    article = make_article(1)
    store.add_articles([article])
    assert store.get_annotations(article.id) is None
    store.put_annotations(article.id, {"entities": [{"name": "Kharkiv"}]}, version=1)
    store.put_annotations(article.id, {"entities": []}, version=2)
    assert store.get_annotations(article.id) == {"entities": []}
    assert store.get_annotations(article.id, version=1) is None
    with pytest.raises(KeyError, match="no stored article"):
        store.put_annotations("f" * 16, {})


def test_stories_put_get_list_replace(store):
    store.add_articles([make_article(n) for n in range(4)])
    ids = [make_article(n).id for n in range(4)]
    one = Story("s1", "First story", [ids[2], ids[0]], outlets=["A", "B"], first="2022-09-12")
    two = Story("s2", "Second story", [ids[1]])
    store.put_stories([one, two])
    assert store.get_story("s1") == one
    assert store.list_stories() == [one, two]
    moved = Story("s1", "First story, regrouped", [ids[3]])
    store.put_stories([moved])
    assert store.list_stories() == [moved, two]
    store.put_stories([two], replace_all=True)
    assert store.list_stories() == [two] and store.get_story("s1") is None
    with pytest.raises(KeyError, match="story s3"):
        store.put_stories([Story("s3", "Dangling", ["f" * 16])])
    assert store.list_stories() == [two]


def test_busy_timeout_comes_from_settings(tmp_path):
    with Store(f"sqlite:///{tmp_path / 's.db'}", StoreSettings(busy_timeout_s=1.5)) as s, \
            s._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_writing_while_streaming_articles(store):
    """The annotate stage's pattern: stream articles and store each one's annotations as it goes."""
    store.add_articles(make_article(n) for n in range(450))
    for article in store.iter_articles():
        store.put_annotations(article.id, {"words": len(article.text.split())})
    assert store.get_annotations(make_article(449).id) == {"words": len(make_article(449).text.split())}
