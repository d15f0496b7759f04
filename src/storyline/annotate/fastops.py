"""Faster CPU arithmetic for spaCy's models: thinc's NumpyOps with matrix products done by numpy.

thinc's ``NumpyOps.gemm`` multiplies through BLIS; on the development machine's CPUs BLIS runs these
products (tok2vec's maxout layers, the parser's and NER's precomputed first layer) about 3x slower
than numpy's OpenBLAS, and they are the largest single cost of ``en_core_web_sm``. :class:`FastNumpyOps`
is a registered thinc backend that keeps every other NumpyOps kernel and sends ``gemm`` to
``numpy.matmul``. :func:`load_model` loads a spaCy pipeline under it, so every layer of that pipeline
(and only of that pipeline: thinc's current ops are restored afterwards) uses it.

Measured on 200 benchmark articles (docs/stages/throughput.md): the same entities on every article and
dependency heads identical except a handful of near-tie tokens; summing in another order changes float32
results in the last bits only. Other NumpyOps kernels (maxout, seq2col, hash embedding, the parser's C
transition loop) were profiled and left as they are: each is a few percent of the model's time.
"""

from __future__ import annotations

from typing import Any

import numpy
import spacy
from spacy.attrs import DEP, LEMMA, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc
from thinc.api import NumpyOps, registry, use_ops

OPS_NAME = "storyline_numpy"


@registry.ops("StorylineNumpyOps")
class FastNumpyOps(NumpyOps):
    """NumpyOps whose general matrix product is ``numpy.matmul`` (OpenBLAS) instead of BLIS."""

    name = OPS_NAME

    def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False, trans2: bool = False) -> Any:
        """``x @ y`` (each optionally transposed), written into ``out`` when given."""
        if trans1:
            x = x.T
        if trans2:
            y = y.T
        if out is None:
            return numpy.matmul(x, y)
        numpy.matmul(x, y, out=out)
        return out


def load_model(name: str, fast: bool = True, **kwargs: Any) -> Language:
    """``spacy.load(name, **kwargs)``; with ``fast`` every model layer is built on :class:`FastNumpyOps`."""
    if not fast:
        return spacy.load(name, **kwargs)
    with use_ops(OPS_NAME):
        return spacy.load(name, **kwargs)


def uses_fast_ops(nlp: Language) -> bool:
    """True when every component with a model computes with :class:`FastNumpyOps` (the parser's and NER's
    output layer, resized after loading, keeps plain NumpyOps: its product runs in spaCy's C loop anyway)."""
    models = [getattr(proc, "model", None) for _, proc in nlp.pipeline]
    models = [m for m in models if m is not None]
    return bool(models) and all(isinstance(m.ops, FastNumpyOps) for m in models)


# --------------------------------------------------------------------------- token rules

# Pattern keys whose value is the token's own: its text (and what follows from it), tag and dependency
# label. A single-token rule on these keys gives the same result wherever the token stands.
_OWN_KEYS = {
    "ORTH", "TEXT", "LOWER", "LENGTH", "SHAPE", "PREFIX", "SUFFIX", "TAG", "DEP", "IS_SPACE", "IS_PUNCT",
    "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_STOP", "LIKE_NUM",
}
# What the rules read and what the two components write, per token.
_READ = (ORTH, TAG, DEP, POS, MORPH, LEMMA)
_WRITE = (TAG, DEP, POS, MORPH, LEMMA)
# Remembered keys at most (about 200 bytes each): 1,000 news articles have about 60,000 distinct ones.
MAX_TOKEN_RULE_KEYS = 500_000


def _own_token(spec: dict[str, Any]) -> bool:
    """Whether a token pattern reads only the token's own attributes (see ``_OWN_KEYS``)."""
    return all(str(k).upper() in _OWN_KEYS for k in spec)


def _fixed(pattern: list[dict[str, Any]]) -> bool:
    """Whether a pattern always matches exactly ``len(pattern)`` tokens (no "OP" quantifier)."""
    return all("OP" not in spec for spec in pattern)


class TokenRules:
    """``attribute_ruler`` then ``lemmatizer`` in one step, each distinct token worked out once.

    The two components cost about a quarter of the small model's time, token by token, although their
    result for a token nearly always depends on the token alone: its text, tag and dependency label (and
    the POS, morphology and lemma already set, normally none). So the result of both is remembered per
    such key: a token seen before is copied from the table, a new one is worked out by the stock
    components themselves (on a Doc of the new tokens, single-token rules only) and remembered. The
    ruler's rules that span several tokens ("there is", "gon na") are matched from each token that can
    open one (known per key too); a token they touch gets the stock treatment: all its matching rules
    applied in the ruler's order, then the lemmatizer. So the output is the stock components' on every
    token (tested).
    """

    def __init__(self, ruler: AttributeRuler, lemmatizer: Lemmatizer) -> None:
        self.ruler, self.lemmatizer = ruler, lemmatizer
        self.vocab = ruler.vocab
        self.single, self.multi = Matcher(self.vocab), Matcher(self.vocab)
        # first tokens of the multi-token rules: those rules are matched only from a token that can open
        # one, over the longest rule's length (None: rules of variable length or a contextual first token,
        # matched over the whole Doc)
        self.starts: Matcher | None = Matcher(self.vocab)
        self.longest = 0
        for rule in range(len(ruler.attrs)):
            key = str(rule)  # the ruler's own match keys: the rule's index, which orders the rules
            _, patterns = ruler.matcher.get(key)
            one = [p for p in patterns if len(p) == 1]
            many = [p for p in patterns if len(p) > 1]
            if one:
                self.single.add(key, one)
            if many:
                self.multi.add(key, many)
                self.longest = max(self.longest, *map(len, many))
                if self.starts is not None and all(_own_token(p[0]) and _fixed(p) for p in many):
                    self.starts.add(key, [p[:1] for p in many])
                else:
                    self.starts = None  # an optional or contextual first token: always run the matcher
        # key -> (the written values, the single-token rules that matched as (rule, match id), whether the
        # token can open a multi-token rule)
        self.table: dict[tuple[int, ...], tuple[tuple[int, ...], list[tuple[int, int]], bool]] = {}

    @staticmethod
    def applies_to(ruler: AttributeRuler) -> bool:
        """Whether every single-token rule of ``ruler`` reads the token's own attributes only."""
        for rule in range(len(ruler.attrs)):
            _, patterns = ruler.matcher.get(str(rule))
            for pattern in patterns:
                if len(pattern) == 1 and not _own_token(pattern[0]):
                    return False
        return True

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        before = doc.to_array(_READ)
        keys = list(map(tuple, before.tolist()))
        new = list(dict.fromkeys(k for k in keys if k not in self.table))
        if new:
            if len(self.table) + len(new) > MAX_TOKEN_RULE_KEYS:
                self.table.clear()  # bounded memory; the frequent keys come back with the next Docs
                new = list(dict.fromkeys(keys))
            self._learn(new)
        table = self.table
        # matched before anything is written, as the ruler matches first
        if self.starts is None:
            spans = self.multi(doc, allow_missing=True)
        else:
            spans = [
                (match_id, i, i + end)
                for i, key in enumerate(keys)
                if table[key][2]
                for match_id, start, end in self.multi(doc[i : i + self.longest], allow_missing=True)
                if start == 0  # (a later start is another opener's)
            ]
        after = numpy.array([table[k][0] for k in keys], dtype=numpy.uint64)
        if not spans:
            doc.from_array(_WRITE, after)
            return doc
        matches = []
        for match_id, start, end in spans:
            rule = int(self.vocab.strings[match_id])
            index = self.ruler.indices[rule]
            matches.append((rule, match_id, start, end, (start if index >= 0 else end) + index))
        touched = {m[4] for m in matches}
        for i in touched:  # these start from what the earlier components left
            after[i] = before[i, 1:]
        doc.from_array(_WRITE, after)
        for i in touched:
            matches += [(rule, match_id, i, i + 1, i) for rule, match_id in table[keys[i]][1]]
        matches.sort()
        self.ruler.set_annotations(doc, [m[:4] for m in matches])
        lemmatizer = self.lemmatizer
        for i in sorted(touched):
            token = doc[i]
            if lemmatizer.overwrite or token.lemma == 0:
                token.lemma_ = lemmatizer.lemmatize(token)[0]
        return doc

    def _learn(self, keys: list[tuple[int, ...]]) -> None:
        """Run the stock components on a Doc made of one token per key (single-token rules only)."""
        strings = self.vocab.strings
        doc = Doc(self.vocab, words=[strings[k[0]] for k in keys], spaces=[False] * len(keys))
        values = numpy.array([k[1:] for k in keys], dtype=numpy.uint64)
        doc.from_array(_READ[1:], values)
        found = sorted((int(strings[m]), m, s, e) for m, s, e in self.single(doc, allow_missing=True))
        opens = {s for _, s, _ in self.starts(doc, allow_missing=True)} if self.starts is not None else set()
        self.ruler.set_annotations(doc, found)
        self.lemmatizer(doc)
        rules: list[list[tuple[int, int]]] = [[] for _ in keys]
        for rule, match_id, start, _ in found:
            rules[start].append((rule, match_id))
        for k, (key, written, matched) in enumerate(zip(keys, doc.to_array(_WRITE).tolist(), rules, strict=True)):
            self.table[key] = (tuple(written), matched, k in opens)


@Language.factory("storyline_token_rules")
def make_token_rules(nlp: Language, name: str) -> TokenRules:
    """:class:`TokenRules` over the pipeline's own ``attribute_ruler`` and ``lemmatizer``."""
    return TokenRules(nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer"))


def use_token_rules(nlp: Language) -> bool:
    """Put :class:`TokenRules` in place of ``attribute_ruler`` + ``lemmatizer`` (left in, disabled) when
    the pipeline has both, in a row, and its ruler's single-token rules read the token alone."""
    names = nlp.pipe_names
    if "attribute_ruler" not in names or names[names.index("attribute_ruler") + 1 :][:1] != ["lemmatizer"]:
        return False
    if not TokenRules.applies_to(nlp.get_pipe("attribute_ruler")):
        return False
    nlp.add_pipe("storyline_token_rules", after="lemmatizer")
    nlp.disable_pipe("attribute_ruler")
    nlp.disable_pipe("lemmatizer")
    return True
