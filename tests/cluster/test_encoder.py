"""MiniLM on ONNX Runtime gives sentence-transformers' vectors; the converted graph is made once and reused."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from storyline.cluster import encoder
from storyline.cluster.vectors import EMBEDDING_DIMENSION, Embedder

pytest.importorskip("onnxruntime")

TEXTS = [
    "The army said it had retaken more than 6,000 square kilometres in the east.",
    "Officials in the capital declined to comment on Tuesday.",
    "Short one.",
    "",
    "A much longer sentence that keeps going, with commas, figures such as 2,317 square miles, and names, "
    "so that the batch has to pad the shorter texts next to it to its own length.",
    "Shares fell 3% after the central bank raised interest rates.",
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """Embeddings of TEXTS on both backends, the ONNX graph converted into a fresh cache directory."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STORYLINE_CACHE_DIR", str(cache))
        onnx = Embedder(backend="onnx", batch_size=4)
        onnx_vectors = onnx.encode(TEXTS)
        torch_vectors = Embedder(backend="torch", batch_size=4).encode(TEXTS)
    return onnx, onnx_vectors, torch_vectors, cache


def test_onnx_backend_gives_the_torch_models_vectors(both):
    onnx, onnx_vectors, torch_vectors, _ = both
    assert isinstance(onnx._model, encoder.OnnxMiniLM)  # the fast path ran, not the fallback
    assert onnx_vectors.shape == (len(TEXTS), EMBEDDING_DIMENSION)
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert (onnx_vectors * torch_vectors).sum(axis=1).min() > 0.99999
    # what the stages compare: similarities between texts
    np.testing.assert_allclose(onnx_vectors @ onnx_vectors.T, torch_vectors @ torch_vectors.T, atol=1e-5)


def test_the_converted_graph_is_kept_and_reused(both, monkeypatch):
    _, onnx_vectors, _, cache = both
    graphs = list(cache.glob("minilm-*.onnx"))
    assert len(graphs) == 1 and not list(cache.glob("*.tmp"))
    monkeypatch.setenv("STORYLINE_CACHE_DIR", str(cache))

    def no_export(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(encoder, "export_onnx", no_export)
    again = encoder.OnnxMiniLM().encode(TEXTS[:2])
    np.testing.assert_allclose(again, onnx_vectors[:2], atol=1e-6)


def test_a_failing_onnx_path_falls_back_to_torch_and_says_why(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("STORYLINE_CACHE_DIR", str(tmp_path))

    def broken(*args, **kwargs):
        raise RuntimeError("exporter unavailable")

    monkeypatch.setattr(encoder, "export_onnx", broken)
    emb = Embedder(backend="onnx")
    with caplog.at_level(logging.WARNING, logger="storyline.cluster.vectors"):
        vectors = emb.encode(["The talks resumed on Monday."])
    assert vectors.shape == (1, EMBEDDING_DIMENSION)
    assert not isinstance(emb._model, encoder.OnnxMiniLM)
    assert "exporter unavailable" in caplog.text


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown embedding backend"):
        Embedder(backend="tensorflow").encode(["text"])
