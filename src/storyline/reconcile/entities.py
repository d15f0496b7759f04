"""Entities merged across a story's articles: one :class:`MergedEntity` per referent.

Article-level ids (:mod:`storyline.annotate.entities`) are already article-independent names, so the
same id in two articles is one referent. On top of that, ids that differ but name the same referent
are joined (see docs/stages/reconcile-quotes.md):

* **People** by surname: equal folded surnames, or transliterations close by string similarity
  ("Medvedchuk" / "Medvedtchouk"), when the first names agree (equal, an initial, or a close spelling).
  A bare surname joins the one full name of the story with that surname, never one of two.
* **Organisations** by their content words and owner: the annotator's ids are owner + spelling-folded
  content words ("Ministry of Defence of Russia" = "Russia's defense ministry"); a nationality word in
  the name is read as the owner ("Russian Defence Ministry"); an ownerless form joins the one owned form
  with the same words, a shorter form the one longer form containing its words, an acronym the one
  name whose initials it is.
* **Places** by gazetteer id (already the article-level id); a place the gazetteer lacked joins the one
  resolved place of the same folded name.

:func:`entity_id_map` maps each article-level id to its merged id, for quote speakers and claims.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from storyline.annotate.gazetteer import Gazetteer, ascii_fold, fold_key
from storyline.model import Annotations, Article, Entity, MergedEntity
from storyline.settings import QuoteGroupSettings


@dataclass
class _Member:
    """One article-level entity id with what the story's articles say about it."""

    id: str
    entity: Entity  # the first occurrence (for kind, name and place)
    names: Counter[str]  # canonical names the articles gave it


class _UnionFind:
    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {x: x for x in items}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _similar(a: str, b: str, threshold: float) -> bool:
    """Equal, or close spellings of one name starting with the same letter ("medvedchuk"/"medvedtchouk")."""
    if a == b:
        return True
    if not a or not b or a[0] != b[0] or min(len(a), len(b)) < 4:
        return False
    return SequenceMatcher(None, a, b).ratio() >= threshold


def _first_compatible(a: str, b: str, threshold: float) -> bool:
    """First names agree: equal, one the other's initial, or close spellings ("dmitri" / "dmitrii")."""
    return a == b or (min(len(a), len(b)) == 1 and a[0] == b[0]) or _similar(a, b, threshold)


def _person_groups(members: list[_Member], uf: _UnionFind, threshold: float) -> None:
    """Join people: full names by surname and first name, then bare surnames to a unique full name."""
    keyed = [(m, fold_key(m.entity.name).split()) for m in members]
    full = [(m, k) for m, k in keyed if len(k) > 1]
    bare = [(m, k) for m, k in keyed if len(k) == 1]
    for i, (a, ka) in enumerate(full):
        for b, kb in full[i + 1 :]:
            if _similar(ka[-1], kb[-1], threshold) and _first_compatible(ka[0], kb[0], threshold):
                uf.union(a.id, b.id)
    for m, (surname,) in bare:
        roots = {uf.find(f.id) for f, k in full if _similar(k[-1], surname, threshold)}
        if len(roots) == 1:
            uf.union(m.id, roots.pop())
        elif not roots:  # no full name: bare spellings of one surname are one person
            for other, (s2,) in bare:
                if other is not m and _similar(surname, s2, threshold):
                    uf.union(m.id, other.id)


def _org_key(member: _Member) -> tuple[str, frozenset[str]]:
    """(owner, content words) from the id ``org:[owner:]word-word``; a nationality word becomes the owner."""
    parts = member.id.split(":")
    owner, words = (parts[1], parts[2]) if len(parts) == 3 else ("", parts[-1])
    content = set(words.split("-"))
    if not owner:
        gaz = Gazetteer.get()
        for word in member.entity.name.split():
            found = [c for c in gaz.lookup(word, demonyms=True) if c.feature == "PCLI"] if word[:1].isupper() else []
            folded = ascii_fold(word)
            if found and folded in content and len(content) > 2:
                owner = "-".join(ascii_fold(found[0].name).split())
                content.discard(folded)
                break
    return owner, frozenset(content)


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper()).upper()


def _organisation_groups(members: list[_Member], uf: _UnionFind) -> None:
    """Join organisations with the same words and a compatible owner, shorter forms and acronyms."""
    keys = {m.id: _org_key(m) for m in members}
    by_key: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
    for mid, key in keys.items():
        by_key[key].append(mid)
    for ids in by_key.values():
        for other in ids[1:]:
            uf.union(ids[0], other)
    for owner, words in list(by_key):
        owned = [k for k in by_key if k[1] == words and k[0]]
        if not owner and len(owned) == 1:  # "the defence ministry" of the one owned defence ministry
            uf.union(by_key[(owner, words)][0], by_key[owned[0]][0])
        wider = [k for k in by_key if words < k[1] and k[0] in ("", owner)]
        if len(words) > 1 and len(wider) == 1:  # "the foreign ministry" = "Ministry of Foreign Affairs"
            uf.union(by_key[(owner, words)][0], by_key[wider[0]][0])
    for m in members:
        name = m.entity.name
        if not (name.isupper() and len(name) >= 2):
            continue
        expansions = {
            uf.find(o.id) for o in members if o is not m and " " in o.entity.name and _initials(o.entity.name) == name
        }
        if len(expansions) == 1:
            uf.union(m.id, expansions.pop())


def _place_groups(members: list[_Member], uf: _UnionFind) -> None:
    """Join a place the gazetteer lacked to the one resolved place of the same folded name."""
    resolved: dict[str, set[str]] = defaultdict(set)
    for m in members:
        if m.entity.place is not None:
            for name in {m.entity.name, *(x.text for x in m.entity.mentions)}:
                resolved[fold_key(name)].add(m.id)
    for m in members:
        if m.entity.place is None:
            targets = resolved.get(fold_key(m.entity.name), set())
            if len(targets) == 1:
                uf.union(m.id, next(iter(targets)))


def _canonical_name(kind: str, names: Counter[str]) -> str:
    """People: the fullest name; organisations: the most proper-name-like form; else the most used."""
    if kind == "person":
        return max(names, key=lambda n: (len(n.split()), names[n], len(n)))
    if kind == "organisation":
        return max(names, key=lambda n: (sum(w[:1].isupper() for w in n.split()), names[n], len(n)))
    return max(names, key=lambda n: (names[n], len(n)))


def merge_entities(
    articles: list[Article], annotations: dict[str, Annotations], settings: QuoteGroupSettings | None = None
) -> list[MergedEntity]:
    """One entity per referent across ``articles`` with every spelling and the articles using it.

    Entities are ordered by the number of articles naming them, then by first appearance. The merged
    id is one of the article-level ids (the fullest person name's, an owned organisation's, else the most
    used); :func:`entity_id_map` maps every article-level id to it.
    """
    s = settings or QuoteGroupSettings()
    members: dict[str, _Member] = {}
    order: dict[str, tuple[int, int]] = {}  # id -> (article index, first mention offset)
    uses: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # id -> spelling -> articles
    for a_index, article in enumerate(articles):
        ann = annotations.get(article.id)
        for entity in ann.entities if ann else []:
            member = members.get(entity.id)
            if member is None:
                member = members[entity.id] = _Member(entity.id, entity, Counter())
                order[entity.id] = (a_index, entity.mentions[0].start if entity.mentions else 0)
            member.names[entity.name] += 1
            if member.entity.place is None and entity.place is not None:
                member.entity = entity
            for mention in entity.mentions:
                uses[entity.id][mention.text].add(article.id)
    uf = _UnionFind(members)
    by_kind: dict[str, list[_Member]] = defaultdict(list)
    for m in members.values():
        by_kind[m.entity.kind].append(m)
    _person_groups(by_kind["person"], uf, s.name_similarity)
    _organisation_groups(by_kind["organisation"], uf)
    _place_groups(by_kind["place"], uf)
    groups: dict[str, list[_Member]] = defaultdict(list)
    for m in members.values():
        groups[uf.find(m.id)].append(m)
    article_order = {a.id: i for i, a in enumerate(articles)}
    out = []
    for group in groups.values():
        kind = group[0].entity.kind
        names: Counter[str] = Counter()
        spellings: dict[str, set[str]] = defaultdict(set)
        for m in group:
            names.update(m.names)
            for text, ids in uses[m.id].items():
                spellings[text] |= ids
        name = _canonical_name(kind, names)
        rep = max(
            group,
            key=lambda m: (name in m.names, kind != "organisation" or ":" in m.id[4:], sum(m.names.values()), m.id),
        )
        article_ids = sorted({a for ids in spellings.values() for a in ids}, key=article_order.__getitem__)
        place = next((m.entity.place for m in group if m.entity.place is not None), None)
        merged = MergedEntity(
            id=rep.id,
            kind=kind,
            name=name,
            spellings={t: sorted(ids, key=article_order.__getitem__) for t, ids in sorted(spellings.items())},
            article_ids=article_ids,
            place=place,
        )
        out.append((-len(article_ids), min(order[m.id] for m in group), merged))
    out.sort(key=lambda x: (x[0], x[1]))
    return [m for *_, m in out]


def entity_id_map(annotations: dict[str, Annotations], entities: list[MergedEntity]) -> dict[str, str]:
    """Every article-level entity id of ``annotations`` -> the id of its :class:`MergedEntity`.

    Recovered from the merged entities' spellings (an article's entity belongs to the merged entity of
    the same kind that lists its mention spellings for that article), so any list produced by
    :func:`merge_entities` over the same annotations can be mapped.
    """
    by_use: dict[tuple[str, str, str], list[MergedEntity]] = defaultdict(list)
    for merged in entities:
        for text, ids in merged.spellings.items():
            for aid in ids:
                by_use[(merged.kind, text, aid)].append(merged)
    out: dict[str, str] = {}
    for aid, ann in annotations.items():
        for entity in ann.entities:
            if entity.id in out:
                continue
            votes: Counter[str] = Counter()
            for mention in entity.mentions:
                for merged in by_use.get((entity.kind, mention.text, aid), []):
                    votes[merged.id] += 1 + (merged.id == entity.id)  # its own id breaks ties
            if votes:
                out[entity.id] = votes.most_common(1)[0][0]
    return out
