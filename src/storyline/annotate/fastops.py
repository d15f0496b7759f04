"""Faster CPU arithmetic for spaCy's models: thinc's NumpyOps with matrix products done by numpy.

thinc's ``NumpyOps.gemm`` multiplies through BLIS; on the development machine's CPUs BLIS runs these
products (tok2vec's maxout layers, the parser's and NER's precomputed first layer) about 3x slower
than numpy's OpenBLAS, and they are the largest single cost of ``en_core_web_sm``. :class:`FastNumpyOps`
is a registered thinc backend that keeps every other NumpyOps kernel and sends ``gemm`` to
``numpy.matmul``. :func:`load_model` loads a spaCy pipeline under it, so every layer of that pipeline
(and only of that pipeline: thinc's current ops are restored afterwards) uses it.

Measured on 200 benchmark articles (docs/stages/throughput.md): the same entities on every article and
dependency heads identical except a handful of near-tie tokens; summing in another order changes float32
results in the last bits only. Other NumpyOps kernels (maxout, seq2col, hash embedding, the parser's C
transition loop) were profiled and left as they are: each is a few percent of the model's time.
"""

from __future__ import annotations

from typing import Any

import numpy
import spacy
from spacy.language import Language
from thinc.api import NumpyOps, registry, use_ops

OPS_NAME = "storyline_numpy"


@registry.ops("StorylineNumpyOps")
class FastNumpyOps(NumpyOps):
    """NumpyOps whose general matrix product is ``numpy.matmul`` (OpenBLAS) instead of BLIS."""

    name = OPS_NAME

    def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False, trans2: bool = False) -> Any:
        """``x @ y`` (each optionally transposed), written into ``out`` when given."""
        if trans1:
            x = x.T
        if trans2:
            y = y.T
        if out is None:
            return numpy.matmul(x, y)
        numpy.matmul(x, y, out=out)
        return out


def load_model(name: str, fast: bool = True, **kwargs: Any) -> Language:
    """``spacy.load(name, **kwargs)``; with ``fast`` every model layer is built on :class:`FastNumpyOps`."""
    if not fast:
        return spacy.load(name, **kwargs)
    with use_ops(OPS_NAME):
        return spacy.load(name, **kwargs)


def uses_fast_ops(nlp: Language) -> bool:
    """True when every component with a model computes with :class:`FastNumpyOps` (the parser's and NER's
    output layer, resized after loading, keeps plain NumpyOps: its product runs in spaCy's C loop anyway)."""
    models = [getattr(proc, "model", None) for _, proc in nlp.pipeline]
    models = [m for m in models if m is not None]
    return bool(models) and all(isinstance(m.ops, FastNumpyOps) for m in models)
