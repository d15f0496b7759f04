"""The annotate stage's cheaper steps give the output of the plain ones: token rules, feature columns, text."""

from __future__ import annotations

import pytest

from storyline.model import Article, Source, to_dict
from storyline.settings import AnnotateSettings

pytest.importorskip("spacy")

from storyline.annotate import attribution
from storyline.annotate.fastops import TokenRules, load_model, use_token_rules
from storyline.annotate.pipeline import MODEL, Annotator

# Besides ordinary news prose, the texts hit the ruler's multi-token rules ("there is", "gon na", "let's",
# "y'all", "ain't"), its dependency rules (auxiliaries, "that" as a pronoun) and whitespace tokens.
TEXTS = [
    'Officials in Paris said on Monday that 300 people had left the city. "We will stay," said the mayor, '
    "John Smith.\n\nThe ministry added that rail services would resume within two weeks.",
    "There is a storm coming, and there were warnings. We're gon na wait, y'all. Let's go! He ain't here; "
    "I told you that. It was said that it had been done.  \n\n  There's more: they got ta leave.",
    "The central bank raised its key rate by 0.5 percentage points to 4.25% on Wednesday. Analysts had "
    'expected the move. "Inflation is still too high," the governor told reporters in Frankfurt.',
]


def _tokens(nlp, texts):
    return [[(t.text, t.tag_, t.dep_, t.head.i, t.pos_, str(t.morph), t.lemma_, t.is_sent_start) for t in doc]
            for doc in nlp.pipe(texts)]


@pytest.fixture(scope="module")
def stock():
    return load_model(MODEL, exclude=["senter"])


def test_token_rules_give_the_stock_ruler_and_lemmatizer_output(stock):
    fast = load_model(MODEL, exclude=["senter"])
    assert use_token_rules(fast)
    assert "storyline_token_rules" in fast.pipe_names
    assert {"attribute_ruler", "lemmatizer"} <= set(fast.disabled)
    expected = _tokens(stock, TEXTS)
    assert _tokens(fast, TEXTS) == expected  # learning every token
    assert _tokens(fast, TEXTS) == expected  # every token from the table
    rules = fast.get_pipe("storyline_token_rules")
    assert rules.starts is not None  # the multi-token rules are matched from their possible first tokens
    assert rules.table and rules.multi(fast("There is a gon na"))  # and they do match in these texts


def test_token_rules_table_is_bounded(stock, monkeypatch):
    from storyline.annotate import fastops

    fast = load_model(MODEL, exclude=["senter"])
    use_token_rules(fast)
    monkeypatch.setattr(fastops, "MAX_TOKEN_RULE_KEYS", 40)
    assert _tokens(fast, TEXTS) == _tokens(stock, TEXTS)
    # cleared whenever it would outgrow the bound: it holds at most one Doc's tokens beyond it
    assert len(fast.get_pipe("storyline_token_rules").table) <= max(len(doc) for doc in stock.pipe(TEXTS))


def test_token_rules_are_not_used_when_a_rule_reads_the_context(stock):
    nlp = load_model(MODEL, exclude=["senter"])
    ruler = nlp.get_pipe("attribute_ruler")
    assert TokenRules.applies_to(ruler)
    ruler.add([[{"LOWER": "may", "IS_SENT_START": True}]], {"POS": "PROPN"})
    assert not TokenRules.applies_to(ruler)
    assert not use_token_rules(nlp) and "storyline_token_rules" not in nlp.pipe_names


def test_feature_columns_match_the_token_properties(stock):
    lexicon = attribution.load_lexicon()
    for doc in stock.pipe([*TEXTS, "The mayor said it would rain."]):
        cols = attribution._columns(doc)
        for tok in doc:
            i = tok.i
            assert (cols.lower[i], cols.lemma[i], cols.tag[i], cols.dep[i], cols.pos[i]) == (
                tok.lower_, tok.lemma_.lower(), tok.tag_, tok.dep_, tok.pos_)
            assert cols.ent[i] == tok.ent_iob_ + tok.ent_type_ and cols.shape[i] == attribution._shape(tok)
            assert cols.head[i] == tok.head.i and cols.sent[i] == tok.sent.start
            assert (cols.sent_start[i], cols.sent_end[i]) == (bool(tok.is_sent_start), bool(tok.is_sent_end))
    said = next(t for t in doc if t.lemma_ == "say")
    assert said.dep_ == "ROOT"
    feats, relation = attribution._token_features(said.i, cols, lexicon, False, "")
    assert relation == "gov=ROOT" and "govlem=say" in feats  # a cue at the root governs itself, as trained


def test_doc_text_is_joined_once_and_never_taken_from_another_doc(stock):
    doc = stock.make_doc(TEXTS[0])
    assert attribution.doc_text(doc) == TEXTS[0] == doc.user_data["storyline_text"]
    other = doc[:5].as_doc(copy_user_data=True)  # carries the first Doc's cached text
    assert attribution.doc_text(other) == other.text


def test_annotations_are_the_same_with_and_without_token_rules():
    articles = [Article(id=f"a{k}", source=Source("t"), text=t, paragraphs=t.split("\n\n"), published="2024-03-04")
                for k, t in enumerate(TEXTS)]
    plain = Annotator(AnnotateSettings(n_process=1, token_rules=False)).annotate(articles)
    fast = Annotator(AnnotateSettings(n_process=1)).annotate(articles)
    assert [to_dict(a) for a in fast] == [to_dict(a) for a in plain]
