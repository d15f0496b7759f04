"""Stored sentence embeddings (migration 0004): a second process embeds only what no process embedded before."""

from __future__ import annotations

import numpy as np
import pytest
from fake_embedders import CountingEmbedder

from storyline.cluster.vectors import EMBEDDING_DIMENSION, embedding_key
from storyline.store import Store


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 's.db'}") as opened:
        yield opened


def test_put_and_get_by_key_and_a_stored_key_keeps_its_vector(store):
    store.put_embeddings({"k1": b"\x01" * 8, "k2": b"\x02" * 8})
    store.put_embeddings({"k1": b"\x09" * 8, "k3": b"\x03" * 8})  # k1 is already there
    assert store.get_embeddings(["k1", "k3", "missing"]) == {"k1": b"\x01" * 8, "k3": b"\x03" * 8}
    assert store.get_embeddings([]) == {}


def test_a_second_embedder_reads_what_the_first_stored_and_encodes_only_new_texts(store):
    first = CountingEmbedder()
    with first.backed_by(store):
        vectors = first.encode(["a claim", "a quote", "a claim"])
    assert first.backing is None  # only inside the block
    second = CountingEmbedder()  # as in a new process: nothing in memory
    with second.backed_by(store):
        again = second.encode(["a quote", "a new clause", "a claim"])
    assert first.encoded == ["a claim", "a quote"]
    assert second.encoded == ["a new clause"]
    np.testing.assert_array_equal(again[0], vectors[1])
    np.testing.assert_array_equal(again[2], vectors[0])
    stored = store.get_embeddings([embedding_key("a new clause")])
    np.testing.assert_array_equal(np.frombuffer(stored[embedding_key("a new clause")], dtype=np.float32), again[1])


def test_without_a_backing_store_nothing_is_kept(store):
    CountingEmbedder().encode(["a claim"])
    second = CountingEmbedder()
    with second.backed_by(store):
        second.encode(["a claim"])
    assert second.encoded == ["a claim"]


def test_a_stored_row_of_the_wrong_size_is_encoded_again(store):
    store.put_embeddings({embedding_key("a claim"): b"\x00" * 12})
    emb = CountingEmbedder()
    with emb.backed_by(store):
        vector = emb.encode(["a claim"])
    assert emb.encoded == ["a claim"] and vector.shape == (1, EMBEDDING_DIMENSION)


def test_keys_differ_by_text():
    assert embedding_key("a") != embedding_key("b") and len(embedding_key("a")) == 32


def test_texts_embedded_before_the_store_was_attached_are_stored_too(store):
    emb = CountingEmbedder()
    emb.encode(["a claim"])  # in memory only (a long-running process, before any store)
    with emb.backed_by(store):
        emb.encode(["a claim", "a quote"])
    assert emb.encoded == ["a claim", "a quote"]  # nothing encoded twice
    later = CountingEmbedder()
    with later.backed_by(store):
        later.encode(["a claim", "a quote"])
    assert later.encoded == []
