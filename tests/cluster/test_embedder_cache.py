"""The Embedder remembers what it embedded: each distinct new text is encoded once, in one batch a call."""

from __future__ import annotations

import numpy as np
from fake_embedders import CountingEmbedder

from storyline.cluster.vectors import EMBEDDING_DIMENSION, Embedder


def test_each_distinct_text_is_encoded_once_across_calls():
    emb = CountingEmbedder()
    first = emb.encode(["a claim", "a quote", "a claim"])
    second = emb.encode(["a quote", "a clause", "a claim"])
    assert emb.batches == [["a claim", "a quote"], ["a clause"]]
    assert first.shape == (3, EMBEDDING_DIMENSION)
    assert np.array_equal(first[0], first[2]) and np.array_equal(second[2], first[0])
    assert np.array_equal(second[0], first[1])


def test_cache_keeps_the_most_recently_used_texts():
    emb = CountingEmbedder(cache_size=2)
    emb.encode(["one", "two"])
    emb.encode(["one"])  # "one" is now the most recent
    emb.encode(["three"])  # evicts "two"
    emb.encode(["one", "two"])
    assert emb.batches == [["one", "two"], ["three"], ["two"]]


def test_returned_rows_are_copies_the_caller_may_change():
    emb = CountingEmbedder()
    rows = emb.encode(["text"])
    rows[0] += 5.0
    assert emb.encode(["text"])[0].max() == 1.0


def test_no_texts_give_an_empty_matrix_without_loading_the_model():
    emb = Embedder()
    assert emb.encode([]).shape == (0, EMBEDDING_DIMENSION)
    assert emb._model is None
