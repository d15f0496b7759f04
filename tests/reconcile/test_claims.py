"""Claims grouped across sources: copies counted once, hedges, disclaimers, reported speech."""

from __future__ import annotations

import pytest

from storyline.cluster.vectors import Embedder
from storyline.model import AlignedPassage, Annotations, Article, Claim, CopyLink
from storyline.reconcile.claims import group_claims

from .helpers import annotations, article, entity, quote

FLOOD_A = (
    "Floodwaters forced 4,200 residents of Marlow to leave their homes on Tuesday after the Tessa river burst "
    "its banks."
)
FLOOD_C = "About 4,200 people in Marlow had to flee their homes on Tuesday when the Tessa river overflowed."
RESCUE = "Rescue teams reportedly pulled a fisherman from the Tessa river near the old mill in Marlow."
BARRIERS = "The army is building emergency barriers along the Tessa river"
HOUSES = "Officials claimed that 300 houses in Marlow had been damaged by the water."

TEXT_A = (
    f"{FLOOD_A} {RESCUE} Should Marlow have been better prepared for the Tessa river? "
    "We think the response of the council in Marlow was far too slow this week."
)
# B copies A word for word (a syndicated copy), with its own last sentence.
TEXT_B = f"{FLOOD_A} {RESCUE} Schools in Marlow will stay closed until Friday, the council announced."
TEXT_C = (
    f"{FLOOD_C} {HOUSES} Gamma Daily cannot verify these figures. "
    f'"{BARRIERS}," Governor Helen Brandt said on Wednesday.'
)


def _entities(text: str) -> list:
    return [
        entity(text, "place:marlow", "place", "Marlow", ["Marlow"]),
        entity(text, "place:tessa", "place", "Tessa", ["Tessa"]),
        entity(text, "person:helen-brandt", "person", "Helen Brandt", ["Helen Brandt"]),
    ]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Article], dict[str, Annotations]]:
    """Three outlets: B is a copy of A, C reports the flood independently and quotes the governor."""
    arts = [article("a", TEXT_A, "Alpha Times"), article("b", TEXT_B, "Beta Post"), article("c", TEXT_C, "Gamma Daily")]
    anns = {x.id: annotations(x.id, _entities(x.text)) for x in arts}
    anns["c"].quotes = [quote(TEXT_C, BARRIERS, "Governor Helen Brandt", "person:helen-brandt")]
    return arts, anns


def _claim_citing(claims: list[Claim], article_id: str, part: str) -> Claim:
    found = [c for c in claims if any(x.article_id == article_id and part in x.text for x in c.citations)]
    assert len(found) == 1, f"{part!r} in {article_id}: {len(found)} claims"
    return found[0]


def test_copy_counts_once(corpus: tuple[list[Article], dict[str, Annotations]], embedder: Embedder) -> None:
    arts, anns = corpus
    copy = CopyLink("a", "b", "duplicate", 0.9, directed=False)
    claims = group_claims(arts, anns, [copy], embedder=embedder)
    flood = _claim_citing(claims, "c", "4,200 people")
    assert {x.article_id for x in flood.citations} == {"a", "b", "c"}
    assert flood.outlets == ["Alpha Times", "Beta Post", "Gamma Daily"]
    assert flood.independent_sources == 2  # A and its copy B count once
    assert claims[0] is flood  # the most corroborated claim first
    without = _claim_citing(group_claims(arts, anns, [], embedder=embedder), "c", "4,200 people")
    assert without.independent_sources == 3


def test_shared_wire_counts_once_only_inside_the_passage(
    corpus: tuple[list[Article], dict[str, Annotations]], embedder: Embedder
) -> None:
    arts, anns = corpus
    end = len(FLOOD_A)
    inside = CopyLink("a", "b", "shared_wire", 0.5, False, [AlignedPassage(0, end, 0, end, 1.0)])
    flood = _claim_citing(group_claims(arts, anns, [inside], embedder=embedder), "c", "4,200 people")
    assert flood.independent_sources == 2
    # The wire passage is the rescue sentence: the flood sentence is each outlet's own.
    r0 = TEXT_A.index(RESCUE)
    elsewhere = CopyLink(
        "a", "b", "shared_wire", 0.5, False, [AlignedPassage(r0, r0 + len(RESCUE), r0, r0 + len(RESCUE), 1.0)]
    )
    claims = group_claims(arts, anns, [elsewhere], embedder=embedder)
    assert _claim_citing(claims, "c", "4,200 people").independent_sources == 3
    assert _claim_citing(claims, "a", "Rescue teams").independent_sources == 1


def test_hedges_and_disclaimers(corpus: tuple[list[Article], dict[str, Annotations]], embedder: Embedder) -> None:
    arts, anns = corpus
    claims = group_claims(arts, anns, [], embedder=embedder)
    rescue = _claim_citing(claims, "a", "Rescue teams")
    assert rescue.hedges == ["reportedly"]
    houses = _claim_citing(claims, "c", "300 houses")
    # "claimed" in the sentence; the outlet's disclaimer after it hedges it too and is no claim itself.
    assert "claimed" in houses.hedges and "cannot verify" in houses.hedges
    assert not any("cannot verify" in x.text for c in claims for x in c.citations)
    assert _claim_citing(claims, "c", "4,200 people").hedges == []


def test_quoted_claim_is_asserted_by_its_speaker(
    corpus: tuple[list[Article], dict[str, Annotations]], embedder: Embedder
) -> None:
    arts, anns = corpus
    claims = group_claims(arts, anns, [], embedder=embedder)
    assert _claim_citing(claims, "c", "emergency barriers").asserted_by == "Helen Brandt"
    assert _claim_citing(claims, "c", "4,200 people").asserted_by is None  # the outlet's own voice


def test_questions_and_opinion_are_not_claims(
    corpus: tuple[list[Article], dict[str, Annotations]], embedder: Embedder
) -> None:
    arts, anns = corpus
    claims = group_claims(arts, anns, [], embedder=embedder)
    texts = [x.text for c in claims for x in c.citations]
    assert not any(t.startswith(("Should", "We think")) for t in texts)
    for c in claims:
        for x in c.citations:
            text = next(a.text for a in arts if a.id == x.article_id)
            assert text[x.start : x.end] == x.text


def test_unrelated_sentences_stay_apart(
    corpus: tuple[list[Article], dict[str, Annotations]], embedder: Embedder
) -> None:
    arts, anns = corpus
    claims = group_claims(arts, anns, [], embedder=embedder)
    for c in claims:
        assert len({x.article_id for x in c.citations}) == len(c.citations) or len(c.citations) == 1
    assert _claim_citing(claims, "b", "Schools").independent_sources == 1
    assert group_claims([], {}, []) == []


def _average_link_reference(n: int, accepted: dict, article_of: list[str], share: float) -> list[list[int]]:
    """The grouping rule written out plainly: count every cross-article pair of the two groups."""
    group_of, members = list(range(n)), {i: [i] for i in range(n)}
    for (i, j), _ in sorted(accepted.items(), key=lambda kv: (-kv[1], kv[0])):
        gi, gj = group_of[i], group_of[j]
        if gi == gj:
            continue
        cross = [(a, b) for a in members[gi] for b in members[gj] if article_of[a] != article_of[b]]
        if sum((min(a, b), max(a, b)) in accepted for a, b in cross) < share * len(cross):
            continue
        for k in members[gj]:
            group_of[k] = gi
        members[gi].extend(members.pop(gj))
    return sorted(sorted(m) for m in members.values())


def test_claim_grouping_counts_links_like_the_plain_average_link_rule() -> None:
    import random
    from types import SimpleNamespace

    from storyline.reconcile.claims import _group
    from storyline.settings import ClaimSettings

    settings, rng = ClaimSettings(), random.Random(3)
    for _ in range(200):
        n = rng.randrange(2, 30)
        article_of = [str(rng.randrange(5)) for _ in range(n)]
        sentences = [SimpleNamespace(article=SimpleNamespace(id=a)) for a in article_of]
        accepted = {}
        for _ in range(rng.randrange(n * 3)):
            i, j = sorted(rng.sample(range(n), 2))
            if article_of[i] != article_of[j]:
                accepted[(i, j)] = round(rng.random(), 2)
        expected = _average_link_reference(n, accepted, article_of, settings.group_link_share)
        assert sorted(_group(n, accepted, sentences, settings)) == expected
