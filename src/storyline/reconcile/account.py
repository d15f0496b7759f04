"""The account of one story: every reconcile step over the story's articles, in dependency order.

Entities are merged first (quote groups link speakers through them); figures and the timeline come
before discrepancies, which compare their points and events; claims need the copy links so copies
count once; the brief is written from the claims. One embedder is shared by every step (and remembers
the sentences it embedded, so a sentence two steps compare is embedded once).

Embeddings are spent only where they can change the result: the timeline and discrepancies compare
texts of two different sources, quote groups and claims texts of two different articles, so a story
told by one source embeds nothing for the first two (and, with one article, nothing at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from storyline.cluster.vectors import Embedder, shared_embedder
from storyline.model import Account, Annotations, Article, CopyLink, Story
from storyline.reconcile.brief import write_brief
from storyline.reconcile.claims import group_claims
from storyline.reconcile.discrepancies import find_discrepancies
from storyline.reconcile.entities import merge_entities
from storyline.reconcile.figures import figure_series
from storyline.reconcile.quotes import group_quotes
from storyline.reconcile.timeline import build_timeline
from storyline.settings import Settings


def build_account(
    story: Story,
    articles: Sequence[Article],
    annotations: dict[str, Annotations],
    copies: Sequence[CopyLink] = (),
    settings: Settings | None = None,
    embedder: Embedder | None = None,
) -> Account:
    """The cross-source account of ``story`` from its articles, their annotations and copy links."""
    settings = settings or Settings()
    embedder = embedder or shared_embedder()
    members = set(story.article_ids)
    chosen = [a for a in articles if a.id in members]
    found = {aid: ann for aid, ann in annotations.items() if aid in members}
    links = [c for c in copies if c.source in members and c.target in members]

    entities = merge_entities(chosen, found, settings.quote_groups)
    quote_groups = group_quotes(chosen, found, entities, settings.quote_groups, embedder=embedder)
    figures = figure_series(chosen, found, settings.figures)
    events = settings.figures
    if len({a.outlet or a.id for a in chosen}) <= 1:  # one source: no two sources' events to compare
        events = replace(events, use_embeddings=False)
    timeline = build_timeline(chosen, found, events, embedder=embedder)
    discrepancies = find_discrepancies(chosen, found, figures, timeline, events, embedder=embedder)
    claims = group_claims(chosen, found, links, settings.claims, embedder=embedder)
    brief = write_brief(claims, settings=settings.claims)
    return Account(
        story_id=story.id,
        title=story.title,
        article_ids=[a.id for a in chosen],
        entities=entities,
        quote_groups=quote_groups,
        claims=claims,
        figures=figures,
        discrepancies=discrepancies,
        timeline=timeline,
        brief=brief,
    )
