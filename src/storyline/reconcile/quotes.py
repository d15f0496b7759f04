"""Quote groups: the same statement as reported by several articles of a story.

Every pair of quotes from different articles is scored on its contents two ways: lexically (the
IDF-weighted share of the shorter content's word stems found in the other, which catches verbatim and
lightly edited copies) and by the cosine of their sentence embeddings (bundled all-MiniLM-L6-v2, one
batch per story, which catches translations and paraphrases). A pair links when either score, or their
mean, passes its threshold in :class:`storyline.settings.QuoteGroupSettings` and the speakers are
compatible:

* each speaker is mapped to its merged entity (:func:`storyline.reconcile.entities.entity_id_map`);
  a person the text calls a spokesman / representative / official of an organisation ("X, spokesman
  for Y", "Y spokesman X", "the official representative of Y, X") also speaks for that organisation, and
  an organisation owned by a country for that country;
* two resolved speakers are compatible when they share one of those voices; a speaker known only as a
  place or a nationality ("Moscow said", "Ukrainian officials") or not at all is compatible with any
  speaker not tied to another country, with a stricter threshold.

Links are merged greedily, strongest first, into groups with at most one version per article whose
speakers are all compatible. See docs/stages/reconcile-quotes.md.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from storyline.annotate.gazetteer import Gazetteer
from storyline.cluster.sentences import quoted_spans
from storyline.cluster.vectors import DocumentFrequencies, Embedder, presence_matrix, shared_embedder, tokens
from storyline.model import Annotations, Article, Citation, MergedEntity, Quote, QuoteGroup, QuoteVersion
from storyline.reconcile.entities import entity_id_map
from storyline.settings import QuoteGroupSettings

# Role words of someone speaking for an organisation.
_ROLE = (
    r"(?:spokes(?:man|woman|person|people|men|women)|representatives?"
    r"|press\s+(?:secretary|officer|service)|officials?)"
)
# Between an organisation and the person after it: "Y spokesman X", "Y's spokesman, X".
_ORG_THEN_PERSON = re.compile(rf"^(?:['’]s)?\s+(?:[\w-]+\s+){{0,2}}?{_ROLE},?\s+(?:[A-Z][\w.'’-]*\s+){{0,2}}$")
# Before an organisation whose person follows after a comma: "the official representative of Y, X".
_ROLE_OF_BEFORE = re.compile(rf"{_ROLE}\s+(?:of|for|at)\s+(?:the\s+)?$", re.IGNORECASE)
_COMMA_NAME = re.compile(r"^,\s+(?:[A-Z][\w.'’-]*\s+){0,2}$")
# Between a person and the organisation after them: "X, (the) spokesman for (the) (Russian) Y".
_PERSON_THEN_ORG = re.compile(
    rf"^,\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){{0,2}}?{_ROLE}\s+(?:of|for|at|with)\s+(?:the\s+)?(?:[A-Z][\w-]*\s+)?$"
)
# A country or nationality word, then a capitalised title, right before a name: "Ukrainian President ",
# "US Secretary of State ", "Russia's Foreign Minister ".
_COUNTRY_TITLE = re.compile(r"\b([A-Z][\w.]+?)(?:['’]s)?\s+[A-Z][\w.]*\s+(?:(?:[A-Z][\w.]*|of)\s+){0,3}$")
_QUOTE_MARKS = "\"'“”‘’«»"
# A quotation shorter than this (a scare-quoted word) is not compared on its own.
_MIN_PIECE_WORDS = 3
# Prior weight of general English frequencies in the content words' IDF (as in cluster/vectors.py).
_PRIOR_DOCUMENTS = 1000.0


@dataclass
class _Speaker:
    """Who a quote is attributed to: merged ids it speaks as (empty: unknown) and its country if known."""

    voices: frozenset[str] = frozenset()
    country: str | None = None

    @property
    def resolved(self) -> bool:
        return bool(self.voices)

    def compatible(self, other: _Speaker) -> bool:
        if self.country and other.country and self.country != other.country:
            return False
        if not self.resolved or not other.resolved:
            return True
        return bool(self.voices & other.voices)


@dataclass
class _Item:
    """One quote of one article with what grouping needs."""

    article: Article
    quote: Quote
    speaker: _Speaker
    speaker_id: str | None  # merged id, else None
    speaker_name: str | None
    stems: Counter[str] = field(default_factory=Counter)


def _stem(word: str) -> str:
    """A crude English stem so that "regrouped" meets "regroup" and "troops" meets "troop"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _content_text(quote: Quote) -> str:
    return quote.content.text.strip().strip(_QUOTE_MARKS + " ,.").strip()


def _quotation_pieces(quote: Quote) -> list[str]:
    """The quotations a content strings together (``"A," she said. "B."``, a quote carried over paragraphs),
    each compared on its own: another outlet may carry only one of them, or translate them apart. A
    content of one quotation or none is one piece."""
    content = quote.content.text
    pieces = [content[a:b].strip(_QUOTE_MARKS + " ,.") for a, b in quoted_spans(content)]
    pieces = [p for p in pieces if len(p.split()) >= _MIN_PIECE_WORDS]
    return pieces if len(pieces) > 1 else [_content_text(quote)]


def _affiliations(
    articles: list[Article], annotations: dict[str, Annotations], id_map: dict[str, str]
) -> dict[str, set[str]]:
    """Merged person id -> merged organisation ids the text says the person speaks for."""
    out: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        ann = annotations.get(article.id)
        if ann is None:
            continue
        text = article.text
        people = [(m, e.id) for e in ann.entities if e.kind == "person" for m in e.mentions]
        orgs = [(m, e.id) for e in ann.entities if e.kind == "organisation" for m in e.mentions]
        for pm, pid in people:
            for om, oid in orgs:
                if om.end <= pm.start and pm.start - om.end <= 60:
                    gap = text[om.end : pm.start]
                    before = text[max(0, om.start - 40) : om.start]
                    linked = bool(_ORG_THEN_PERSON.match(gap)) or (
                        bool(_COMMA_NAME.match(gap)) and bool(_ROLE_OF_BEFORE.search(before))
                    )
                elif pm.end <= om.start and om.start - pm.end <= 60:
                    linked = bool(_PERSON_THEN_ORG.match(text[pm.end : om.start]))
                else:
                    continue
                if linked:
                    out[id_map.get(pid, pid)].add(id_map.get(oid, oid))
    return out


def _person_countries(
    articles: list[Article], annotations: dict[str, Annotations], id_map: dict[str, str]
) -> dict[str, str]:
    """Merged person id -> country code when the text names them with a country title
    ("Ukrainian President X", "US Secretary of State X") and all such titles agree."""
    gaz = Gazetteer.get()
    seen: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        ann = annotations.get(article.id)
        for entity in ann.entities if ann else []:
            if entity.kind != "person":
                continue
            for m in entity.mentions:
                found = _COUNTRY_TITLE.search(article.text[max(0, m.start - 50) : m.start])
                if found:
                    hits = [c for c in gaz.lookup(found.group(1), demonyms=True) if c.feature == "PCLI"]
                    if hits and hits[0].country:
                        seen[id_map.get(entity.id, entity.id)].add(hits[0].country)
    return {pid: codes.pop() for pid, codes in seen.items() if len(codes) == 1}


def _country_codes(entities: list[MergedEntity]) -> dict[str, str]:
    """Slug of a country's name (as organisation owners are written in ids) -> ISO code."""
    out = {}
    for e in entities:
        if e.place is not None and e.place.kind == "country" and e.place.country:
            out["-".join(e.place.name.lower().split())] = e.place.country
    return out


def _speaker(
    quote: Quote,
    ids: set[str],
    id_map: dict[str, str],
    by_id: dict[str, MergedEntity],
    affiliations: dict[str, set[str]],
    countries: dict[str, str],
    person_countries: dict[str, str],
) -> tuple[_Speaker, str | None, str | None]:
    """The quote's speaker, its merged id and display name."""
    sid = quote.speaker_entity
    text = quote.speaker.text if quote.speaker else None
    if not sid:
        return _Speaker(), None, text
    if sid not in ids:  # a name the annotator could not link: a nationality ("Ukrainian officials")?
        found = [c for c in Gazetteer.get().lookup(sid, demonyms=True) if c.feature == "PCLI"]
        return _Speaker(country=found[0].country if found else None), None, text or sid
    merged = by_id.get(id_map.get(sid, sid))
    if merged is None:
        return _Speaker(), None, text
    if merged.kind == "place":  # metonymy for an unnamed official: "Moscow said", "Kyiv announced"
        country = merged.place.country if merged.place else None
        return _Speaker(country=country), merged.id, merged.name
    voices = {merged.id, *affiliations.get(merged.id, ())}
    owners = {countries.get(v.split(":")[1]) for v in voices if v.startswith("org:") and v.count(":") == 2}
    owners.discard(None)
    if merged.id in person_countries:
        owners.add(person_countries[merged.id])
    country = owners.pop() if len(owners) == 1 else None
    return _Speaker(frozenset(voices), country), merged.id, merged.name


def group_quotes(
    articles: list[Article],
    annotations: dict[str, Annotations],
    entities: list[MergedEntity],
    settings: QuoteGroupSettings | None = None,
    embedder: Embedder | None = None,
) -> list[QuoteGroup]:
    """Groups of quotes reporting the same statement across ``articles`` (one version per article).

    ``entities`` are the story's merged entities (:func:`storyline.reconcile.entities.merge_entities`).
    Groups are ordered by number of versions, then by first appearance; with
    ``settings.keep_singletons`` every quote of the story is in exactly one group.
    """
    s = settings or QuoteGroupSettings()
    id_map = entity_id_map(annotations, entities)
    by_id = {e.id: e for e in entities}
    affiliations = _affiliations(articles, annotations, id_map)
    countries = _country_codes(entities)
    person_countries = _person_countries(articles, annotations, id_map)
    items: list[_Item] = []
    for article in articles:
        ann = annotations.get(article.id)
        if ann is None:
            continue
        ids = {e.id for e in ann.entities}
        for quote in ann.quotes:
            if not _content_text(quote):
                continue
            speaker, sid, name = _speaker(quote, ids, id_map, by_id, affiliations, countries, person_countries)
            stems = Counter(_stem(t) for t in tokens(_content_text(quote)))
            items.append(_Item(article, quote, speaker, sid, name, stems))
    if not items:
        return []
    df = DocumentFrequencies(_PRIOR_DOCUMENTS)
    for item in items:
        df.add(item.stems)
    # Only quotes of two articles with compatible speakers are ever compared: only those are embedded.
    pairs = [(i, j) for i, a in enumerate(items) for j in range(i + 1, len(items))
             if a.article.id != items[j].article.id and a.speaker.compatible(items[j].speaker)]
    needed = sorted({k for pair in pairs for k in pair})
    row = np.full(len(items), -1)
    row[needed] = np.arange(len(needed))
    cosine = np.zeros((0, 0), dtype=np.float32)
    if needed:
        pieces = [_quotation_pieces(items[k].quote) for k in needed]
        vectors = (embedder or shared_embedder()).encode([p for ps in pieces for p in ps])
        # Two quotes are as close as their closest pieces: the rows of each quote's pieces are contiguous.
        starts = np.cumsum([0, *map(len, pieces)])[:-1]
        cosine = np.maximum.reduceat(np.maximum.reduceat(vectors @ vectors.T, starts, axis=0), starts, axis=1)
    scores = _pair_scores(items, pairs, row, cosine, df, s)
    groups = _merge(items, scores)
    if not s.keep_singletons:
        groups = [g for g in groups if len(g) > 1]
    return [_to_group(items, g, scores) for g in groups]


def _pair_scores(
    items: list[_Item],
    pairs: list[tuple[int, int]],
    row: np.ndarray,
    cosine: np.ndarray,
    df: DocumentFrequencies,
    s: QuoteGroupSettings,
) -> dict[tuple[int, int], float]:
    """The linked pairs and their scores, computed for all candidate pairs at once.

    A link needs the embedding cosine above ``embedding_link``, or (for quotes long enough) the mean of
    cosine and stem overlap above ``combined_link``, or the overlap alone above ``lexical_link``; the
    overlap is the IDF-weighted share of the smaller stem set found in the other; each threshold is raised
    by ``unresolved_margin`` when a speaker is unresolved.
    Vectorised: a 100-article story has hundreds of thousands of candidate pairs."""
    if not pairs:
        return {}
    first, second = (np.fromiter((p[k] for p in pairs), dtype=np.int64, count=len(pairs)) for k in (0, 1))
    emb = cosine[row[first], row[second]].astype(np.float64)
    present, vocabulary = presence_matrix([item.stems for item in items])
    idf = np.array([df.idf(t) for t in vocabulary], dtype=np.float64)
    shared = np.asarray((present.multiply(idf) @ present.T).tocsr()[first, second]).ravel()
    total = present @ idf
    smaller = np.minimum(total[first], total[second])
    lex = np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)
    words = np.array([sum(item.stems.values()) for item in items])
    short = np.minimum(words[first], words[second]) < s.min_content_words
    resolved = np.array([item.speaker.resolved for item in items])
    margin = np.where(resolved[first] & resolved[second], 0.0, s.unresolved_margin)
    mean = (lex + emb) / 2
    linked = (emb >= s.embedding_link + margin) | (
        ~short & ((mean >= s.combined_link + margin) | (lex >= s.lexical_link + margin))
    )
    score = np.maximum(np.maximum(mean, emb), np.where(short, 0.0, lex))
    # Rounded so float noise (float32 products) cannot reorder equally strong links, e.g. verbatim copies.
    return {(int(first[k]), int(second[k])): round(float(score[k]), 5) for k in np.flatnonzero(linked)}


def _merge(items: list[_Item], scores: dict[tuple[int, int], float]) -> list[list[int]]:
    """Greedy merging of linked pairs, strongest first, keeping one version per article per group and
    every pair of a group linked (so speakers are compatible across it)."""
    group_of = list(range(len(items)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(items))}
    for (i, j), _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        gi, gj = group_of[i], group_of[j]
        if gi == gj:
            continue
        a, b = members[gi], members[gj]
        if {items[x].article.id for x in a} & {items[y].article.id for y in b}:
            continue
        # complete linkage: every cross pair linked (single links chain unrelated statements together)
        if not all((min(x, y), max(x, y)) in scores for x in a for y in b):
            continue
        members[gi] = a + b
        for y in b:
            group_of[y] = gi
        del members[gj]
    order = sorted(members.values(), key=lambda g: (-len(g), min(g)))
    return [sorted(g) for g in order]


def _to_group(items: list[_Item], group: list[int], scores: dict[tuple[int, int], float]) -> QuoteGroup:
    versions = []
    for i in group:
        item = items[i]
        q, outlet = item.quote, item.article.outlet
        content = Citation(item.article.id, q.content.start, q.content.end, q.content.text, outlet)
        speaker = None
        if q.speaker is not None:
            speaker = Citation(item.article.id, q.speaker.start, q.speaker.end, q.speaker.text, outlet)
        versions.append(QuoteVersion(item.article.id, outlet, q.kind, content, speaker))
    # the group's speaker: the one most versions resolve to; on a tie the most specific (a person before
    # an organisation before a place), so "the ministry" and "its spokesman X" give X
    named = [items[i] for i in group if items[i].speaker_id]
    votes = Counter(it.speaker_id for it in named)
    rank = {"person": 2, "org": 1}
    best = max(
        named, key=lambda it: (votes[it.speaker_id], rank.get((it.speaker_id or "").split(":")[0], 0)), default=None
    )
    name = best.speaker_name if best else next((items[i].speaker_name for i in group if items[i].speaker_name), None)
    # the weakest link of the group (every pair is linked, see _merge): the score that let the pair in, so a
    # pair joined on shared words is not reported by an embedding cosine that may be below 0
    similarity = min((scores[(i, j)] for i in group for j in group if i < j), default=1.0)
    key = "|".join(f"{items[i].article.id}:{items[i].quote.content.start}" for i in group)
    return QuoteGroup(
        id="quote:" + hashlib.sha1(key.encode()).hexdigest()[:12],
        speaker_entity=best.speaker_id if best else None,
        speaker_name=name,
        versions=versions,
        similarity=round(similarity, 4),
    )
