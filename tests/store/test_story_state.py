"""The clusterer's state in the store: migration from the schema before it, catching up unclustered articles."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, insert, inspect, select
from story_texts import FINANCE, QUAKE

from storyline import api
from storyline.model import Article, Source
from storyline.settings import ClusterSettings, Settings
from storyline.store import Store
from storyline.store.store import _article_row, _now, alembic_config, head_revision
from storyline.store.tables import articles, stories, story_articles


def _article(n: int, text: str) -> Article:
    return Article(id=f"{n:016x}", source=Source("t"), text=text, paragraphs=[text], published="2020-10-30",
                   published_source="given")


def _settings() -> Settings:
    settings = Settings()
    settings.cluster = ClusterSettings(use_embeddings=False)
    return settings


def test_migration_from_0001_keeps_articles_and_reclusters_them(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    command.upgrade(alembic_config(url), "0001")
    engine = create_engine(url)
    old = [_article(0, QUAKE[0]), _article(1, QUAKE[1]), _article(2, FINANCE[0])]
    with engine.begin() as conn:  # what storyline wrote before stories were persistent
        conn.execute(insert(articles), [_article_row(a, _now()) for a in old])
        conn.execute(insert(stories).values(id="old", title="In-memory story", data={"outlets": []}))
        conn.execute(insert(story_articles), [{"story_id": "old", "article_id": a.id, "position": i}
                                              for i, a in enumerate(old)])
    engine.dispose()
    with Store(url) as store:
        assert store.revision() == head_revision()
        assert store.count_articles() == 3 and store.list_stories() == []
        assert store.unassigned_article_ids() == [a.id for a in sorted(old, key=lambda a: a.id)]
        tracker = api.open_stories(store, _settings())  # clusters the articles that have no story
        assert store.unassigned_article_ids() == []
        api.store_articles([_article(3, QUAKE[2]), _article(4, FINANCE[1])], store, tracker, _settings())
        found = sorted(sorted(s.article_ids) for s in store.list_stories())
    assert found == [[old[0].id, old[1].id, _article(3, "").id], [old[2].id, _article(4, "").id]]
    engine = create_engine(url)
    assert {"cluster_stories", "cluster_df", "cluster_meta"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_downgrade_to_0001_keeps_the_stories(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    with Store(url) as store:
        tracker = api.open_stories(store, _settings())
        api.store_articles([_article(0, QUAKE[0])], store, tracker, _settings())
    command.downgrade(alembic_config(url), "0001")
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(story_articles.c.article_id)).scalars().all() == [_article(0, "").id]
    assert "cluster_stories" not in inspect(engine).get_table_names()
    engine.dispose()


def test_articles_stored_without_a_clusterer_are_clustered_when_stories_open(tmp_path):
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.add_articles([_article(i, t) for i, t in enumerate(QUAKE + FINANCE[:2])])
        assert store.count_stories() == 0
        api.open_stories(store, _settings())
        assert sorted(len(s.article_ids) for s in store.list_stories()) == [2, 3]
        assert store.stories_of([_article(4, "").id])[0].article_ids == [_article(3, "").id, _article(4, "").id]
