"""The brief: most corroborated first, not redundant, every sentence backed by passages that say it."""

from __future__ import annotations

import re

import pytest
from spacy.lang.en.stop_words import STOP_WORDS

from storyline.cluster.copies import CopyDetector
from storyline.cluster.sentences import sentence_spans
from storyline.cluster.vectors import Embedder
from storyline.model import Annotations, Article, BriefSentence, Claim
from storyline.reconcile.brief import write_brief
from storyline.reconcile.claims import group_claims
from storyline.settings import ClaimSettings

from .test_claims import corpus, embedder  # noqa: F401  (fixtures)

_WORD = re.compile(r"[^\W_][\w'’,.-]*[^\W_]|\d", re.UNICODE)
def _words(text: str) -> set[str]:
    """Content words (not spaCy stop words), cut to five letters so "retaken" meets "retake"; figures exact.

    Written apart from the code under test, which stems instead of cutting.
    """
    out = set()
    for w in _WORD.findall(text.lower().replace("’", "'")):
        w = w.removesuffix("'s").rstrip(",.")
        if w and w not in STOP_WORDS and w not in {"said", "says"}:
            out.add(w.replace(",", "") if w[0].isdigit() else w[:5])
    return out


def check_citations(brief: list[BriefSentence], articles: dict[str, Article]) -> None:
    """Every citation is the article's text at its span and is the brief sentence or shares half its words."""
    for sentence in brief:
        assert sentence.citations, sentence.text
        mine = _words(sentence.text)
        for c in sentence.citations:
            assert articles[c.article_id].text[c.start : c.end] == c.text
            same = sentence.text.rstrip(".") in " ".join(c.text.split())
            shared = len(mine & _words(c.text)) / len(mine)
            assert same or shared >= 0.5, (sentence.text, c.text, shared)


def test_brief_on_hand_made_outlets(corpus: tuple[list[Article], dict[str, Annotations]], embedder: Embedder) -> None:  # noqa: F811
    arts, anns = corpus
    claims = group_claims(arts, anns, [], embedder=embedder)
    brief = write_brief(claims, n_sentences=3)  # raised to the minimum of 5; fewer claims exist
    assert len(brief) == min(len(claims), ClaimSettings().brief_min)
    check_citations(brief, {a.id: a for a in arts})
    first = brief[0]
    assert "4,200" in first.text and first.support == "corroborated"
    assert {c.outlet for c in first.citations} == {"Alpha Times", "Beta Post", "Gamma Daily"}
    labels = {b.text.split()[0]: b.support for b in brief}
    assert labels["Rescue"] == "unverified" and labels["Officials"] == "unverified"
    assert "single-source" in labels.values()
    assert len({b.text for b in brief}) == len(brief)


def test_brief_is_extractive_and_drops_redundancy() -> None:
    from storyline.model import Citation

    def claim(cid: str, text: str, sources: int) -> Claim:
        cites = [Citation(f"{cid}{k}", 0, len(text), text, outlet=f"o{k}") for k in range(sources)]
        return Claim(cid, text, cites, [c.outlet or "" for c in cites], sources)

    claims = [
        claim("x", "The bridge over the Amel river collapsed on Sunday, killing three drivers.", 3),
        claim("y", "The bridge over the Amel river collapsed on Sunday, killing three drivers, police said.", 3),
        claim("z", "However, engineers had warned in March that the bridge needed urgent repairs.", 1),
        claim("w", "The mayor of Ostend opened a new library on Saturday morning downtown.", 1),
    ]
    brief = write_brief(claims, settings=ClaimSettings(brief_min=1, brief_sentences=2))
    assert [b.text[:10] for b in brief] == ["The bridge", "Engineers "]  # the near repeat is skipped
    assert brief[1].text == "Engineers had warned in March that the bridge needed urgent repairs."
    assert brief[0].support == "corroborated" and brief[1].support == "single-source"


@pytest.fixture(scope="module")
def sample(analyzed_sample, embedder: Embedder) -> tuple[dict[str, Article], list[Claim]]:  # noqa: F811
    """The sample cluster analysed once, read back from the store, grouped into claims."""
    articles, anns = analyzed_sample.articles, analyzed_sample.annotations
    detector = CopyDetector(embedder=embedder)
    copies = [link for a in articles for link in detector.add(a)]
    return {a.id: a for a in articles}, group_claims(articles, anns, copies, embedder=embedder)


def test_sample_brief(sample: tuple[dict[str, Article], list[Claim]]) -> None:
    articles, claims = sample
    brief = write_brief(claims)
    assert 5 <= len(brief) <= 10
    check_citations(brief, articles)
    assert brief[0].support == "corroborated"
    assert len({c.article_id for b in brief for c in b.citations}) >= 3
    for n in (5, 10):
        assert len(write_brief(claims, n_sentences=n)) == n


def test_sample_disclaimer_hedges_the_figure_before_it(sample: tuple[dict[str, Article], list[Claim]]) -> None:
    articles, claims = sample
    (bbc,) = [a for a in articles.values() if "cannot verify these figures" in a.text]
    spans = sentence_spans(bbc.text)
    at = next(k for k, (s, e) in enumerate(spans) if "cannot verify these figures" in bbc.text[s:e])
    start, end = spans[at - 1]
    (figure,) = [c for c in claims if any(x.article_id == bbc.id and x.start == start for x in c.citations)]
    assert re.search(r"\d", bbc.text[start:end])
    assert "cannot verify" in figure.hedges
    assert figure.asserted_by is not None  # the figure is the president's, in reported speech
