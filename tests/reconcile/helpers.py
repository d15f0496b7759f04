"""Hand-made articles and annotations for the reconcile tests (no spaCy: spans are found in the text)."""

from __future__ import annotations

from storyline.model import Annotations, Article, Entity, Mention, Place, Quote, Source


def article(aid: str, text: str, outlet: str) -> Article:
    """A one-paragraph article."""
    return Article(id=aid, source=Source(f"{aid}.txt"), text=text, paragraphs=[text], outlet=outlet)


def mention(text: str, part: str, nth: int = 0) -> Mention:
    """The ``nth`` occurrence of ``part`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return Mention(start, start + len(part), part)


def entity(text: str, eid: str, kind: str, name: str, forms: list[str], place: Place | None = None) -> Entity:
    """An entity with a mention for every occurrence of each form."""
    mentions = []
    for form in forms:
        start = text.find(form)
        while start >= 0:
            mentions.append(Mention(start, start + len(form), form))
            start = text.find(form, start + 1)
    return Entity(eid, kind, name, sorted(mentions, key=lambda m: m.start), place)  # type: ignore[arg-type]


def quote(text: str, content: str, speaker: str | None, speaker_entity: str | None, kind: str = "direct") -> Quote:
    """A quote whose content and speaker are the first occurrences of those strings."""
    c = mention(text, content)
    s = mention(text, speaker) if speaker else None
    start = min(c.start, s.start) if s else c.start
    end = max(c.end, s.end) if s else c.end
    return Quote(start, end, c, None, s, speaker_entity, kind)  # type: ignore[arg-type]


def annotations(aid: str, entities: list[Entity], quotes: list[Quote] | None = None) -> Annotations:
    """Annotations of one article."""
    return Annotations(aid, entities=entities, quotes=quotes or [])
