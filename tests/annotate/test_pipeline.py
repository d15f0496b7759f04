"""The annotation pipeline's speed-ups keep its output: fast ops and worker processes."""

from __future__ import annotations

import numpy
import pytest

from storyline.model import Article, Source, to_dict
from storyline.settings import AnnotateSettings

pytest.importorskip("spacy")

from storyline.annotate import pipeline
from storyline.annotate.fastops import FastNumpyOps, load_model, uses_fast_ops
from storyline.annotate.pipeline import MODEL, Annotator, available_cpus

TEXTS = [
    'Officials in Paris said on Monday that 300 people had left the city. "We will stay," said the mayor, '
    "John Smith.\n\nThe ministry added that rail services would resume within two weeks.",
    "A storm hit the coast of Maine on Tuesday, cutting power to 45,000 homes, the utility said. Repairs "
    "could take until Friday, according to a company spokeswoman.",
    "The central bank raised its key rate by 0.5 percentage points to 4.25% on Wednesday. Analysts had "
    'expected the move. "Inflation is still too high," the governor told reporters in Frankfurt.',
    "Two climbers were rescued from Mount Hood late on Sunday after spending a night on the mountain, the "
    "county sheriff's office said.",
]


def _article(k: int, text: str) -> Article:
    return Article(id=f"a{k}", source=Source("test.jsonl", index=k), text=text, paragraphs=text.split("\n\n"),
                   url=f"https://news{k}.example.com/story", published="2024-03-04")


def test_fast_gemm_matches_numpy_dot_for_every_transpose_and_out():
    rng = numpy.random.default_rng(0)
    x, y = rng.random((7, 5), dtype="float32"), rng.random((5, 3), dtype="float32")
    ops = FastNumpyOps()
    assert numpy.allclose(ops.gemm(x, y), x @ y)
    assert numpy.allclose(ops.gemm(x.T.copy(), y, trans1=True), x @ y)
    assert numpy.allclose(ops.gemm(x, y.T.copy(), trans2=True), x @ y)
    out = numpy.zeros((7, 3), dtype="float32")
    assert ops.gemm(x, y, out=out) is out
    assert numpy.allclose(out, x @ y)


def test_fast_ops_model_gives_the_stock_models_parse_and_entities():
    stock = load_model(MODEL, fast=False, exclude=["senter"])
    fast = load_model(MODEL, fast=True, exclude=["senter"])
    assert uses_fast_ops(fast) and not uses_fast_ops(stock)

    def parse(nlp):
        return [[(t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_) for t in doc] for doc in nlp.pipe(TEXTS)]

    assert parse(fast) == parse(stock)


def test_annotator_loads_the_fast_model_unless_switched_off():
    assert uses_fast_ops(Annotator(AnnotateSettings(n_process=1)).nlp)
    assert not uses_fast_ops(Annotator(AnnotateSettings(n_process=1, fast_ops=False)).nlp)


def test_small_run_stays_in_process(monkeypatch):
    def no_workers(*args, **kwargs):
        raise AssertionError("a small run must not start workers")

    monkeypatch.setattr(Annotator, "_annotate_in_workers", no_workers)
    articles = [_article(k, t) for k, t in enumerate(TEXTS)]
    done = list(Annotator(AnnotateSettings(n_process=2, min_articles_per_process=64)).annotate(articles))
    assert [a.article_id for a in done] == [a.id for a in articles]


@pytest.mark.skipif(available_cpus() < 2, reason="needs two CPUs")
def test_workers_give_the_in_process_annotations_in_input_order():
    articles = [_article(k, t) for k, t in enumerate(TEXTS * 2)]
    articles[3].language = "de"  # not annotated: empty annotations, still in its place
    serial = list(Annotator(AnnotateSettings(n_process=1)).annotate(articles))
    settings = AnnotateSettings(n_process=2, min_articles_per_process=2, spacy_batch_size=3)
    annotator = Annotator(settings)
    parallel = list(annotator.annotate(articles))
    assert "nlp" not in annotator.__dict__  # this process never loaded the model
    assert [to_dict(a) for a in parallel] == [to_dict(a) for a in serial]
    assert parallel[3].entities == [] and serial[0].entities


def test_worker_count_is_capped_by_cpus_and_articles(monkeypatch):
    calls = []
    monkeypatch.setattr(pipeline, "available_cpus", lambda: 2)
    monkeypatch.setattr(Annotator, "_annotate_in_workers",
                        lambda self, articles, workers: calls.append(workers) or iter(()))
    articles = [_article(k, TEXTS[0]) for k in range(10)]
    list(Annotator(AnnotateSettings(n_process=8, min_articles_per_process=4)).annotate(articles))
    list(Annotator(AnnotateSettings(n_process=8, min_articles_per_process=6)).annotate(articles))
    assert calls == [2, 2]


UNGUARDED_SCRIPT = """
import json, sys, warnings
from storyline.annotate.pipeline import Annotator
from storyline.model import Article, Source
from storyline.settings import AnnotateSettings

texts = json.loads(sys.argv[1])
articles = [Article(id=f"a{k}", source=Source("t"), text=t, paragraphs=[t], published="2024-03-04")
            for k, t in enumerate(texts)]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    done = list(Annotator(AnnotateSettings(n_process=2, min_articles_per_process=1, spacy_batch_size=1))
                .annotate(articles))
print(json.dumps({"ids": [a.article_id for a in done], "entities": [len(a.entities) for a in done],
                  "warned": any("__main__" in str(w.message) for w in caught)}))
"""


def test_a_script_without_a_main_guard_still_gets_every_annotation(tmp_path):
    """Spawned workers re-import the calling script; unguarded, they die, and the caller finishes alone."""
    import json
    import subprocess
    import sys

    if available_cpus() < 2:
        pytest.skip("one CPU: no workers are started")
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), json.dumps(TEXTS)], capture_output=True, text=True,
                          timeout=600, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ids"] == [f"a{k}" for k in range(len(TEXTS))]
    assert all(n > 0 for n in result["entities"])
    assert result["warned"]


def test_a_component_failing_on_one_article_is_logged_and_the_batch_goes_on(monkeypatch, caplog):
    def failing_on_storms(text, *args, **kwargs):
        if "storm" in text:
            raise ValueError("unreadable date")
        return real(text, *args, **kwargs)

    real = pipeline.extract_times
    monkeypatch.setattr(pipeline, "extract_times", failing_on_storms)
    articles = [_article(k, t) for k, t in enumerate(TEXTS)]
    with caplog.at_level("WARNING", logger=pipeline.__name__):
        done = list(Annotator(AnnotateSettings(n_process=1)).annotate(articles))
    assert [a.article_id for a in done] == [a.id for a in articles]
    storm = done[1]
    assert storm.times == [] and storm.quantities and storm.entities  # the other components still ran
    assert all(a.times for k, a in enumerate(done) if k != 1)
    assert "article a1 (test.jsonl" in caplog.text and "unreadable date" in caplog.text
