"""Quote groups: one statement across outlets (verbatim, translated, paraphrased), speakers compatible."""

from __future__ import annotations

import pytest
from fake_embedders import OpposedEmbedder

from storyline.cluster.vectors import Embedder
from storyline.reconcile.entities import merge_entities
from storyline.reconcile.quotes import group_quotes
from storyline.settings import QuoteGroupSettings

from .helpers import annotations, article, entity, quote

A = (
    "Norway's defence ministry said in a statement that its frigates would leave the northern fjord to "
    "strengthen patrols near the Arctic border. "
    '"Our fishermen have shown remarkable courage in these past days, they never gave up," Prime Minister '
    "Ingrid Solberg said. Oil prices rose sharply on Monday, traders said."
)
B_SPOKESMAN = "Erik Hansen, spokesman for the Norwegian Defence Ministry,"
# other ways the text says whom a spokesman speaks for
B_SPOKESMEN = [
    B_SPOKESMAN,
    "Norwegian Defence Ministry spokesman Erik Hansen",
    "The official representative of the Norwegian Defence Ministry, Erik Hansen,",
]
B_FISHERMAN = "Erik Hansen, a fisherman from Tromso,"
B = (
    "{who} said the frigates are being withdrawn from the northern fjord to reinforce patrols along the "
    'Arctic border. "In recent days the fishermen demonstrated the greatest bravery, they did not give up," '
    "the prime minister said. Olav Nordmann said the weather would improve by Friday."
)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


def _story(who: str = B_SPOKESMAN) -> tuple[list, dict]:
    b_text = B.format(who=who)
    a, b = article("a", A, "Daily A"), article("b", b_text, "Wire B")
    ann = {
        "a": annotations(
            "a",
            [
                entity(A, "org:norway:defense-ministry", "organisation", "defence ministry", ["defence ministry"]),
                entity(A, "person:ingrid-solberg", "person", "Ingrid Solberg", ["Ingrid Solberg"]),
            ],
            [
                quote(
                    A,
                    "its frigates would leave the northern fjord to strengthen patrols near the Arctic border",
                    "Norway's defence ministry",
                    "org:norway:defense-ministry",
                    "indirect",
                ),
                quote(
                    A,
                    '"Our fishermen have shown remarkable courage in these past days, they never gave up,"',
                    "Ingrid Solberg",
                    "person:ingrid-solberg",
                ),
                quote(A, "Oil prices rose sharply on Monday", "traders", None, "indirect"),
            ],
        ),
        "b": annotations(
            "b",
            [
                entity(b_text, "person:erik-hansen", "person", "Erik Hansen", ["Erik Hansen"]),
                entity(
                    b_text,
                    "org:defense-ministry-norwegian",
                    "organisation",
                    "Norwegian Defence Ministry",
                    ["Norwegian Defence Ministry"],
                ),
                entity(b_text, "person:olav-nordman", "person", "Olav Nordmann", ["Olav Nordmann"]),
            ],
            [
                quote(
                    b_text,
                    "the frigates are being withdrawn from the northern fjord to reinforce patrols along the "
                    "Arctic border",
                    "Erik Hansen",
                    "person:erik-hansen",
                    "indirect",
                ),
                quote(
                    b_text,
                    '"In recent days the fishermen demonstrated the greatest bravery, they did not give up,"',
                    "the prime minister",
                    None,
                ),
                quote(
                    b_text, "the weather would improve by Friday", "Olav Nordmann", "person:olav-nordman", "indirect"
                ),
            ],
        ),
    }
    return [a, b], ann


def _groups(articles: list, ann: dict, embedder: Embedder, settings: QuoteGroupSettings | None = None) -> list:
    return group_quotes(articles, ann, merge_entities(articles, ann), settings, embedder=embedder)


def _with(groups: list, words: str):
    return next(g for g in groups if any(words in v.content.text for v in g.versions))


@pytest.mark.parametrize("who", B_SPOKESMEN)
def test_spokesman_and_ministry_report_one_statement(who: str, embedder: Embedder) -> None:
    groups = _groups(*_story(who), embedder)
    group = _with(groups, "frigates")
    assert [v.article_id for v in group.versions] == ["a", "b"]
    assert group.speaker_entity == "person:erik-hansen"  # the most specific speaker names the group
    b = group.versions[1]
    assert b.outlet == "Wire B" and b.kind == "indirect"
    assert b.content.article_id == "b" and b.content.outlet == "Wire B"
    assert b.speaker is not None and b.speaker.text == "Erik Hansen"


def test_a_person_not_speaking_for_the_ministry_is_another_speaker(embedder: Embedder) -> None:
    groups = _groups(*_story(B_FISHERMAN), embedder)
    assert len(_with(groups, "frigates").versions) == 1


def test_translated_quote_groups_with_an_unresolved_speaker(embedder: Embedder) -> None:
    groups = _groups(*_story(), embedder)
    group = _with(groups, "fishermen")
    assert {v.article_id for v in group.versions} == {"a", "b"}
    assert group.speaker_entity == "person:ingrid-solberg"
    assert group.versions[0].content.text.startswith('"Our fishermen')
    assert 0 < group.similarity < 1


def test_every_quote_once_and_singletons_optional(embedder: Embedder) -> None:
    articles, ann = _story()
    groups = _groups(articles, ann, embedder)
    versions = [(v.article_id, v.content.start) for g in groups for v in g.versions]
    assert sorted(versions) == sorted((a, q.content.start) for a, x in ann.items() for q in x.quotes)
    assert len(groups) == 4  # two shared statements, the traders and the weather forecast
    assert len({g.id for g in groups}) == len(groups)
    kept = _groups(articles, ann, embedder, QuoteGroupSettings(keep_singletons=False))
    assert len(kept) == 2 and all(len(g.versions) == 2 for g in kept)


@pytest.fixture(scope="module")
def sample(analyzed_sample) -> tuple[list, dict]:
    return analyzed_sample.articles, analyzed_sample.annotations


def test_sample_story_quote_groups(sample: tuple[list, dict], embedder: Embedder) -> None:
    articles, ann = sample
    entities = merge_entities(articles, ann)
    groups = group_quotes(articles, ann, entities, embedder=embedder)
    multi = [g for g in groups if len(g.versions) > 1]
    # the president's remark on the retreating army, in two translations
    back = _with(multi, "its back")
    assert len({v.article_id for v in back.versions}) == 2
    assert all("back" in v.content.text for v in back.versions)
    assert back.speaker_entity == "person:volodimir-zelenski"
    # the ministry's statement on regrouping, once as the ministry and once as its representative
    regroup = _with(multi, "regroup")
    assert len({v.article_id for v in regroup.versions}) == 2
    assert all("regroup" in v.content.text for v in regroup.versions)
    assert regroup.speaker_entity == "org:russia:defense-ministry"
    # the ministry is one entity across the articles naming it, under each spelling
    ministry = next(e for e in entities if e.id == "org:russia:defense-ministry")
    assert len(ministry.article_ids) >= 2 and len(ministry.spellings) >= 2


def test_a_quotation_carried_on_after_said_is_matched_piece_by_piece(embedder: Embedder) -> None:
    """One outlet strings two quotations into one content; another carries only the second, translated."""
    a_text = (
        '"We will rebuild every school, every hospital and every bridge before the first snow falls, and the '
        'budget for it has been approved by the council this morning," Mayor Anna Berg said. "The army has '
        'shown us its back, and the city is free again."'
    )
    b_text = 'Anna Berg said: "The army showed us its back; our city is free once more."'
    person = ("person:anna-berg", "person", "Anna Berg", ["Anna Berg"])
    ann = {
        "a": annotations("a", [entity(a_text, *person)], [quote(a_text, a_text, "Anna Berg", person[0])]),
        "b": annotations("b", [entity(b_text, *person)],
                         [quote(b_text, b_text[b_text.index('"'):], "Anna Berg", person[0])]),
    }
    articles = [article("a", a_text, "Daily A"), article("b", b_text, "Wire B")]
    groups = _groups(articles, ann, embedder)
    assert [sorted(v.article_id for v in g.versions) for g in groups if len(g.versions) > 1] == [["a", "b"]]


def test_a_group_joined_on_shared_words_reports_the_link_not_a_negative_cosine() -> None:
    # two outlets print the same statement, one word apart; the stand-in embeddings put them at cosine -1
    contents = {
        "a": '"The new bridge over the river will open to traffic before the winter storms arrive,"',
        "b": '"The new bridge over the river will open to traffic before winter storms arrive,"',
    }
    texts = {aid: f"{content} Lena Berg said." for aid, content in contents.items()}
    articles = [article("a", texts["a"], "Daily A"), article("b", texts["b"], "Wire B")]
    ann = {
        aid: annotations(
            aid,
            [entity(text, "person:lena-berg", "person", "Lena Berg", ["Lena Berg"])],
            [quote(text, contents[aid], "Lena Berg", "person:lena-berg")],
        )
        for aid, text in texts.items()
    }
    (group,) = group_quotes(articles, ann, merge_entities(articles, ann), embedder=OpposedEmbedder())
    assert len(group.versions) == 2  # linked on their words whatever the embedding says
    assert 0 < group.similarity <= 1
