"""An Embedder whose model is a stand-in, for tests of what is encoded when (shared by several test files)."""

from __future__ import annotations

import numpy as np

from storyline.cluster.vectors import EMBEDDING_DIMENSION, Embedder


class CountingEmbedder(Embedder):
    """Embedder whose model is a deterministic stand-in that records every batch it is given."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.batches: list[list[str]] = []

    def _encode(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        out = np.zeros((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, sum(map(ord, text)) % EMBEDDING_DIMENSION] = 1.0
        return out

    @property
    def encoded(self) -> list[str]:
        """Every text encoded, in order."""
        return [text for batch in self.batches for text in batch]


class OpposedEmbedder(Embedder):
    """Embedder whose stand-in model points each batch's first text one way and every other text the
    opposite way: any two texts of a batch have cosine -1 (a similarity no real pair of news sentences reaches)."""

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), EMBEDDING_DIMENSION), dtype=np.float32)
        out[:, 0] = -1.0
        out[:1, 0] = 1.0
        return out
