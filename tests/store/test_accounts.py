"""Stored accounts (migration 0003) and reading many articles' annotations at once."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, inspect, update

from storyline.model import Article, Source, Story
from storyline.store import Store
from storyline.store.store import _article_row, _now, alembic_config, head_revision
from storyline.store.tables import annotations, stories, story_articles


def _article(n: int) -> Article:
    text = f"Paragraph one of article {n}.\n\nParagraph two."
    return Article(id=f"{n:016x}", source=Source("t.jsonl", None, n), text=text, paragraphs=text.split("\n\n"))


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 's.db'}") as opened:
        yield opened


def test_account_put_get_by_key_replace_and_dropped_with_its_story(store):
    store.add_articles([_article(0), _article(1)])
    store.put_stories([Story("s1", "A story", [_article(0).id, _article(1).id])])
    data = {"account": {"story_id": "s1", "claims": []}, "copies": []}
    store.put_account("s1", "key-1", data)
    assert store.get_account("s1", "key-1") == data
    assert store.get_account("s1", "key-2") is None  # built from something else: not used
    store.put_account("s1", "key-2", {"account": {}, "copies": [{"source": "a"}]})
    assert store.get_account("s1", "key-1") is None
    assert store.get_account("s1", "key-2") == {"account": {}, "copies": [{"source": "a"}]}
    with pytest.raises(KeyError, match="no stored story"):
        store.put_account("nope", "key", data)
    store.put_stories([], replace_all=True)  # derived data goes with its story
    assert store.get_account("s1", "key-2") is None


def test_annotations_of_reads_many_with_the_version(store):
    store.add_articles([_article(n) for n in range(3)])
    store.put_annotations(_article(0).id, {"entities": [1]}, version=2)
    store.put_annotations(_article(1).id, {"entities": [2]}, version=1)
    ids = [_article(n).id for n in range(3)] + ["f" * 16]
    assert store.annotations_of(ids, version=2) == {_article(0).id: {"entities": [1]}}
    assert store.annotations_of(ids) == {_article(0).id: {"entities": [1]}, _article(1).id: {"entities": [2]}}


def test_json_written_by_pythons_json_with_nan_still_reads(store):
    """JSON columns are read with orjson, which refuses NaN; rows Python's json wrote with NaN still read."""
    store.add_articles([_article(0)])
    store.put_annotations(_article(0).id, {"score": 1.0})
    with store._engine.begin() as conn:  # what json.dumps writes for a NaN
        conn.execute(update(annotations).values(data=json.loads('{"score": NaN}')))
    value = store.get_annotations(_article(0).id)["score"]
    assert value != value  # NaN


def test_migration_from_0002_keeps_everything_and_adds_accounts(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    command.upgrade(alembic_config(url), "0002")
    engine = create_engine(url)
    with engine.begin() as conn:  # a store as the previous storyline left it
        conn.execute(insert(stories.metadata.tables["articles"]), [_article_row(_article(0), _now())])
        conn.execute(insert(annotations).values(article_id=_article(0).id, version=2, data={"a": 1}, updated=_now()))
        conn.execute(insert(stories).values(id="s1", title="Old story", data={}))
        conn.execute(insert(story_articles).values(story_id="s1", article_id=_article(0).id, position=0))
    engine.dispose()
    with Store(url) as store:
        assert store.revision() == head_revision()
        assert store.get_article(_article(0).id) == _article(0)
        assert store.get_annotations(_article(0).id, version=2) == {"a": 1}
        assert store.get_story("s1").article_ids == [_article(0).id]
        assert store.get_account("s1", "k") is None
        store.put_account("s1", "k", {"account": {}, "copies": []})
    command.downgrade(alembic_config(url), "0002")
    engine = create_engine(url)
    assert "story_accounts" not in inspect(engine).get_table_names()
    engine.dispose()
    with Store(url) as store:  # upgraded again on open, the story still there
        assert store.get_story("s1").title == "Old story" and store.get_account("s1", "k") is None
