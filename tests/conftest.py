"""Fixtures shared across stages: the bundled example cluster analysed once per test session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "kharkiv-2022-09"


@dataclass
class AnalyzedSample:
    """What `storyline analyze` made of the example cluster, read back from its store."""

    out: Path
    db: Path
    articles: list  # list[Article], in store order
    annotations: dict  # article id -> Annotations


@pytest.fixture(scope="session")
def analyzed_sample(tmp_path_factory: pytest.TempPathFactory) -> AnalyzedSample:
    """The example cluster run once through the whole pipeline (about 15 s), for the tests that read it."""
    from storyline.annotate import ANNOTATIONS_VERSION
    from storyline.api import analyze
    from storyline.model import Annotations, from_dict
    from storyline.store import Store

    tmp = tmp_path_factory.mktemp("analyzed-sample")
    analyze([str(EXAMPLES)], tmp / "out", db=str(tmp / "s.db"))
    with Store(f"sqlite:///{tmp / 's.db'}") as store:
        articles = list(store.iter_articles())
        annotations = {
            a.id: from_dict(Annotations, store.get_annotations(a.id, version=ANNOTATIONS_VERSION)) for a in articles
        }
    return AnalyzedSample(tmp / "out", tmp / "s.db", articles, annotations)
