"""Quotes and reported speech: who said what, with which cue, in which words.

:func:`extract_quotes` combines two sources of attributions over a parsed article:

* the statistical tagger (:mod:`storyline.annotate.attribution`, a CRF trained on PolNeAR train) labels
  Source / Cue / Content tokens; its runs are grouped into attributions around each cue;
* parse rules find what the tagger missed: quoted passages with a speech verb and its subject in the
  same sentence ("…," he said / X said: "…"), "X said (that) …" clauses and "according to X".

Each quote's speaker mention is resolved to a named entity of the article (see
:mod:`storyline.annotate.speakers`), and quotes are typed direct / indirect / mixed by how much of
their content lies inside quotation marks. Quotation marks with no speech verb around them (scare
quotes, titles) are never quotes. A speaker comes from the parse, not from word lists: a cue verb's
subject, the "by" agent of a passive one, the subject of the verb a participle or second verb hangs
on ("…, saying", "said … and added"); never the cue's object ("told *the BBC*"). By default only
quotes whose speaker names someone are kept (``QuotesSettings.named_speakers_only``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from storyline.annotate.attribution import (
    Tagger,
    bio_runs,
    default_tagger,
    doc_text,
    load_lexicon,
    quoted_regions,
)
from storyline.annotate.speakers import EntityIndex, names_a_speaker
from storyline.model import Mention, Quote
from storyline.settings import QuotesSettings

Interval = tuple[int, int]
# A cue verb with no subject of its own that hangs on another verb speaks with that verb's subject:
# "…, saying …" (advcl), "said … and added …" (conj), "refused to say" (xcomp), and through a
# preposition "said before adding" (pcomp of a prep).
_INHERIT_SUBJECT_DEPS = {"conj", "advcl", "xcomp", "prep"}
# Objects of a cue verb: the addressee of "told the BBC", "asked reporters", never the speaker.
_OBJECT_DEPS = {"dobj", "dative", "iobj"}
_FUNCTION_POS = {"DET", "ADP", "PUNCT", "CCONJ", "SCONJ", "PART", "AUX"}
_CONTENT_DEPS = {"ccomp", "parataxis"}
_CUE_DEPENDENTS = {"aux", "auxpass", "neg", "prt"}


@dataclass
class _Draft:
    """An attribution being assembled: character intervals of its parts."""

    cue: list[Interval] = field(default_factory=list)
    source: list[Interval] = field(default_factory=list)
    content: list[Interval] = field(default_factory=list)


def extract_quotes(
    doc: Doc,
    *,
    use_model: bool = True,
    use_rules: bool = True,
    tagger: Tagger | None = None,
    settings: QuotesSettings | None = None,
) -> list[Quote]:
    """Direct and reported speech in ``doc`` (a spaCy Doc of the article text), in text order.

    ``use_model`` / ``use_rules`` switch the two sources (both by default; the benchmark scores each).
    Offsets are character offsets into ``doc.text``.
    """
    settings = settings or QuotesSettings()
    if use_model:
        tagger = tagger or default_tagger(settings.tagger)
    lexicon = tagger.lexicon if tagger else load_lexicon()
    text = doc_text(doc)
    regions = quoted_regions(text)
    drafts: list[_Draft] = []
    if use_model:
        drafts = _model_drafts(doc, tagger, regions, settings.context_vectors)
    if use_rules:
        _cut_at_new_attributions(doc, drafts, regions, lexicon)
        _add_rule_drafts(drafts, _rule_drafts(doc, lexicon, settings))
    _check_sources(doc, drafts)
    if use_rules:
        _fill_from_parse(doc, drafts, regions)
        if not use_model or tagger.completes_clauses:
            _complete_clauses(doc, drafts)
        drafts = _join_continued_quotations(text, drafts, regions)
    _snap_to_quotation_marks(text, drafts, regions)
    quotes = [_to_quote(text, d, regions, settings) for d in drafts if d.content]
    quotes.sort(key=lambda q: q.content.start)
    _resolve_speakers(doc, quotes, regions, settings)
    if settings.named_speakers_only:
        quotes = [q for q in quotes if q.speaker_entity or _named_speaker(doc, q)]
    return quotes


def _named_speaker(doc: Doc, quote: Quote) -> bool:
    """Whether an unresolved speaker mention still names someone (see :func:`names_a_speaker`)."""
    if quote.speaker is None:
        return False
    span = doc.char_span(quote.speaker.start, quote.speaker.end, alignment_mode="expand")
    return span is not None and names_a_speaker(span)


# --------------------------------------------------------------------------- model


def _model_drafts(doc: Doc, tagger: Tagger, regions: list[Interval], context: bool) -> list[_Draft]:
    """Group the tagger's runs into attributions: each source / content run joins the nearest cue.

    ``context``: let the tagger run its transformer over cue sentences (when its model uses them).

    A content run in a paragraph without any cue is kept only when it is a quotation (a quote running
    on from the paragraph before); anything else without a cue is a tagging error.
    """
    drafts: list[_Draft] = []
    sentences = [(sent.start_char, sent.end_char) for sent in doc.sents]
    for para, labels in tagger.tag(doc, context=context):
        runs = [(part, _char_span(para[i:j])) for part, i, j in bio_runs(labels)]
        cues = [iv for part, iv in runs if part == "cue"]
        para_drafts = [_Draft(cue=[iv]) for iv in cues]
        for part, iv in runs:
            if part == "cue":
                continue
            # a run joins a cue only with no whole sentence between them: an untagged sentence ends it
            reachable = [k for k, cue in enumerate(cues) if not _sentence_between(sentences, iv, cue)]
            if reachable:
                iv = _trim_source(doc, iv) if part == "source" else iv
                getattr(_nearest(doc, iv, cues, para_drafts, reachable), part).append(iv)
            elif part == "content" and any(_within(iv, r) or _within(r, iv) for r in regions):
                para_drafts.append(_Draft(content=[iv]))
        for draft in para_drafts:
            if len(draft.source) > 1:  # keep the source closest to the cue
                cue = draft.cue[0]
                draft.source = [min(draft.source, key=lambda iv, c=cue: min(abs(iv[0] - c[1]), abs(c[0] - iv[1])))]
        drafts.extend(para_drafts)
    return drafts


def _trim_source(doc: Doc, iv: Interval) -> Interval:
    """Drop leading adverbs and conjunctions the tagger let into a source: a source is a noun phrase."""
    span = doc.char_span(*iv, alignment_mode="expand")
    if span is None:
        return iv
    toks = list(span)
    while len(toks) > 1 and toks[0].pos_ in ("ADV", "CCONJ", "SCONJ", "PUNCT") and toks[0].head not in toks:
        toks = toks[1:]
    return _char_span(toks)


def _nearest(doc: Doc, iv: Interval, cues: list[Interval], drafts: list[_Draft], candidates: list[int]) -> _Draft:
    """The draft of the candidate cue closest to ``iv``, preferring one in the same sentence."""
    sent = _sentence_of(doc, iv[0])

    def cost(k: int) -> tuple[int, int]:
        cue = cues[k]
        same = sent is not None and sent.start_char <= cue[0] < sent.end_char
        return (0 if same else 1, min(abs(cue[0] - iv[1]), abs(iv[0] - cue[1])))

    return drafts[min(candidates, key=cost)]


def _sentence_between(sentences: list[Interval], a: Interval, b: Interval) -> bool:
    """Whether a whole sentence lies in the gap between two intervals of the text."""
    gap = (a[1], b[0]) if a[1] <= b[0] else (b[1], a[0])
    return any(gap[0] <= start and end <= gap[1] for start, end in sentences)


# --------------------------------------------------------------------------- rules


def _rule_drafts(doc: Doc, lexicon: dict[str, float], settings: QuotesSettings) -> list[_Draft]:
    """Attributions found by parse patterns: quoted passages, "X said (that) …", "according to X"."""
    drafts = []
    text = doc_text(doc)
    for start, end in quoted_regions(text):
        draft = _direct_rule(doc, text, (start, end), lexicon, settings)
        if draft:
            drafts.append(draft)
    for tok in doc:
        if tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children):
            draft = _according_rule(tok)
        elif tok.pos_ == "VERB" and tok.lemma_.lower() in lexicon:
            draft = _reported_rule(tok)
        else:
            continue
        if draft:
            drafts.append(draft)
    return drafts


def _cut_at_new_attributions(
    doc: Doc, drafts: list[_Draft], regions: list[Interval], lexicon: dict[str, float]
) -> None:
    """End a tagged content before a later sentence that makes an attribution of its own.

    A content that runs on into a sentence whose speech verb has a subject of its own ("According to the
    police, X. *Ahmed Khan told the BBC* Y.") stops at the end of the sentence before (a fragment that
    starts there is dropped); the rules then find the new attribution. Sentences that hold the draft's own
    cue or source, or start inside quotation marks (the quote's own words), never cut it.
    """
    sentences = list(doc.sents)
    for draft in drafts:
        own = draft.cue + draft.source
        kept: list[Interval] = []
        for start, end in draft.content:
            for sent in sentences:
                first = sent.start_char
                if not start <= first < end or any(first <= iv[0] < sent.end_char for iv in own):
                    continue
                if any(r[0] <= first < r[1] for r in regions) or not _attributes(sent, regions, lexicon):
                    continue
                before = [t for t in doc[: sent.start] if t.idx >= start and not t.is_space]
                while before and before[-1].text in {".", "!", "?", ";", ","}:
                    before.pop()
                end = before[-1].idx + len(before[-1]) if before else start
                break
            if end > start:
                kept.append((start, end))
        draft.content = kept


def _attributes(sent: Span, regions: list[Interval], lexicon: dict[str, float]) -> bool:
    """Whether a speech verb of ``sent``, outside quotation marks, has a speaker of its own."""
    return any(
        _subject(t)
        for t in sent
        if t.pos_ == "VERB" and t.lemma_.lower() in lexicon and not any(r[0] <= t.idx < r[1] for r in regions)
    )


def _add_rule_drafts(drafts: list[_Draft], found: list[_Draft]) -> None:
    """Add rule attributions that the tagger missed; where both share a cue, fill the tagger's gaps."""
    used = [iv for d in drafts for iv in d.source + d.content + d.cue]
    for draft in found:
        twin = next((d for d in drafts if d.cue and draft.cue and _overlaps(d.cue[0], draft.cue[0])), None)
        if twin is None:
            if not any(_overlaps(a, b) for a in draft.content + draft.cue for b in used):
                drafts.append(draft)
                used.extend(draft.source + draft.content + draft.cue)
            continue
        for part in ("source", "content"):
            new = getattr(draft, part)
            if not getattr(twin, part) and new and not any(_overlaps(new[0], u) for u in used):
                getattr(twin, part).append(new[0])
                used.append(new[0])


def _fill_from_parse(doc: Doc, drafts: list[_Draft], regions: list[Interval]) -> None:
    """Give a tagged cue the parts the tagger missed: the verb's subject, its clause or adjacent quote."""
    used = [iv for d in drafts for iv in d.source + d.content + d.cue]
    sources = {iv for d in drafts for iv in d.source}
    for draft in drafts:
        if not draft.cue or (draft.source and draft.content):
            continue
        span = doc.char_span(*draft.cue[0], alignment_mode="expand")
        if span is None:
            continue
        verb = next((t for t in span if t.pos_ == "VERB"), span.root)
        found: list[tuple[str, Interval]] = []
        if not draft.source:
            subject = _subject(verb)
            if subject:
                found.append(("source", subject))
        if not draft.content:
            clause = next((c for c in verb.children if c.dep_ in _CONTENT_DEPS), None)
            if clause is not None:
                found.append(("content", _char_span(list(clause.subtree))))
            else:
                sent = verb.sent
                near = [
                    r
                    for r in regions
                    if sent.start_char <= r[0] < sent.end_char or sent.start_char < r[1] <= sent.end_char
                ]
                if near:
                    found.append(("content", min(near, key=lambda r: min(abs(r[0] - verb.idx), abs(r[1] - verb.idx)))))
        for part, iv in found:
            # one speaker can say several things ("X said … and described …"): a source may be shared
            if not any(_overlaps(iv, u) for u in used if not (part == "source" and u in sources)):
                getattr(draft, part).append(iv)
                used.append(iv)


def _complete_clauses(doc: Doc, drafts: list[_Draft]) -> None:
    """A content that starts inside the cue verb's clausal complement becomes that whole complement.

    The tagger cuts long complements short ("he posed a threat" of "… and refused to drop the gun")
    or lets them run on past the clause; the parse knows where the reported clause ends.
    """
    for draft in drafts:
        if not draft.cue or not draft.content:
            continue
        span = doc.char_span(*draft.cue[0], alignment_mode="expand")
        if span is None:
            continue
        verb = next((t for t in span if t.pos_ == "VERB"), span.root)
        clause = next((c for c in verb.children if c.dep_ in _CONTENT_DEPS and c.i > verb.i), None)
        if clause is None:
            continue
        whole = _char_span(list(clause.subtree))
        content = (min(a for a, _ in draft.content), max(b for _, b in draft.content))
        if whole[0] <= content[0] < whole[1]:
            draft.content = [whole]


def _join_continued_quotations(text: str, drafts: list[_Draft], regions: list[Interval]) -> list[_Draft]:
    """A quotation goes on in the next one when only its own "he said" stands between them.

    ``"A," he said. "B."`` and a quotation that fills the next paragraph on its own (news carries a
    speaker's words over paragraphs without repeating "he said") are one content in PolNeAR (16 % of
    train contents have several fragments); the tagger often tags only the first. A later quotation
    joins when nothing but the draft's source, cue and punctuation stands between them, within the
    paragraph or up to a paragraph that is that quotation alone, and no other attribution (one without
    a cue excepted: a tagged continuation) holds it.
    """
    out = list(drafts)
    for draft in drafts:
        while draft in out and draft.content and draft.cue:
            end = max(b for _, b in draft.content)
            if not any(r[0] <= end - 1 < r[1] and end >= r[1] - 1 for r in regions):
                break  # the content does not end a quotation
            nxt = next((r for r in regions if r[0] >= end), None)
            if nxt is None:
                break
            gap = list(text[end : nxt[0]])
            for s, e in draft.source + draft.cue:
                if end <= s and e <= nxt[0]:
                    gap[s - end : e - end] = " " * (e - s)
            whole_paragraph = text[nxt[1] :].lstrip(" .,")[:1] in ("", "\n") and text[: nxt[0]].endswith("\n")
            if any(ch.isalnum() for ch in gap) or ("\n" in gap and not whole_paragraph):
                break
            holders = [d for d in out if d is not draft and any(_overlaps(iv, nxt) for iv in _parts(d))]
            if any(d.cue or d.source for d in holders):
                break
            for d in holders:
                out.remove(d)
            draft.content.append(nxt)
    return out


def _snap_to_quotation_marks(text: str, drafts: list[_Draft], regions: list[Interval]) -> None:
    """A content fragment that stops short of its quotation's marks by punctuation alone takes them.

    PolNeAR's content of a quotation runs from the opening mark to the closing one, the final
    ``,`` / ``.`` inside it included; the tagger often leaves out the marks and the punctuation.
    """
    for draft in drafts:
        fragments = []
        for start, end in draft.content:
            opening = next((r for r in regions if r[0] <= start < r[1]), None)
            if opening and not any(ch.isalnum() for ch in text[opening[0] : start]):
                start = opening[0]
            closing = next((r for r in regions if r[0] < end <= r[1]), None)
            if closing and not any(ch.isalnum() for ch in text[end : closing[1]]):
                end = closing[1]
            # a fragment that holds one of its quotation's marks holds the whole quotation
            if opening and closing == opening and start == opening[0]:
                end = closing[1]
            elif opening and closing == opening and end == closing[1]:
                start = opening[0]
            fragments.append((start, end))
        draft.content = fragments


def _check_sources(doc: Doc, drafts: list[_Draft]) -> None:
    """Drop sources that cannot be speakers: bare function words ("The"), or the cue's addressee.

    The object of the cue verb ("X told *the BBC*", "asked *reporters*") is replaced by the verb's
    subject when it has one, else left out.
    """
    for draft in drafts:
        if not draft.source:
            continue
        span = doc.char_span(*draft.source[0], alignment_mode="expand")
        if span is None:
            continue
        if all(t.pos_ in _FUNCTION_POS for t in span):
            draft.source = []
            continue
        cue = doc.char_span(*draft.cue[0], alignment_mode="expand") if draft.cue else None
        verb = next((t for t in cue if t.pos_ == "VERB"), None) if cue is not None else None
        root = span.root
        if verb is None or not (root.head.i == verb.i and root.dep_ in _OBJECT_DEPS):
            continue
        subject = _subject(verb)
        draft.source = [subject] if subject else []


def _cue_interval(verb: Token) -> Interval:
    """The cue verb with its auxiliaries and particles ("has learned", "did not say")."""
    toks = [verb, *(c for c in verb.children if c.dep_ in _CUE_DEPENDENTS)]
    return min(t.idx for t in toks), max(t.idx + len(t) for t in toks)


def _subject(verb: Token, exclude: Interval | None = None) -> Interval | None:
    """The speaker phrase of a cue verb, outside ``exclude``.

    The verb's nominal subject; for a passive verb its "by" agent only (the subject of "troops were
    said to …" is not who said it); for a verb without a subject that continues another ("…, saying",
    "said … and added") the subject of the verb it hangs on, or that verb's object when the cue is an
    infinitive it controls ("urged him to say").
    """
    node = verb
    for _ in range(3):
        children = [c for c in node.children if not (exclude and exclude[0] <= c.idx < exclude[1])]
        for child in children:
            if child.dep_ == "nsubj":
                return _char_span(list(child.subtree))
            if child.dep_ == "agent":
                obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                return _char_span(list(obj.subtree)) if obj is not None else None
        if any(c.dep_ in ("nsubjpass", "csubj", "csubjpass", "expl") for c in children):
            return None
        if node.dep_ == "pcomp" and node.head.dep_ == "prep":  # "said before adding": on via the "before"
            node = node.head
        if node.dep_ not in _INHERIT_SUBJECT_DEPS or node.head.i == node.i:
            return None
        infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children)
        node = node.head
        controller = next((c for c in node.children if c.dep_ in _OBJECT_DEPS), None)
        if infinitive and controller is not None:  # "leading some to hope": the object hopes
            return _char_span(list(controller.subtree))
    return None


def _direct_rule(
    doc: Doc, text: str, region: Interval, lexicon: dict[str, float], settings: QuotesSettings
) -> _Draft | None:
    """A quoted passage with a speech verb (and its subject) in the sentence where the passage ends."""
    span = doc.char_span(region[0], region[1], alignment_mode="expand")
    if span is None:
        return None
    inner = [t for t in span if not t.is_punct]
    closes_utterance = text[region[0] : region[1]].rstrip('"”’»').endswith((",", ".", "!", "?"))
    if len(inner) < settings.min_direct_quote_tokens and not closes_utterance:
        return None  # a scare quote or a title: too short, and no punctuation closing an utterance
    candidates: list[Token] = []
    for sent in {span[0].sent.start: span[0].sent, span[-1].sent.start: span[-1].sent}.values():
        candidates += [
            t for t in sent if t.lemma_.lower() in lexicon and t.pos_ == "VERB" and not region[0] <= t.idx < region[1]
        ]
    if not candidates:
        return None
    verb = min(candidates, key=lambda t: min(abs(t.idx - region[0]), abs(t.idx - region[1])))
    source = _subject(verb, exclude=region)
    if source is None:
        return None
    return _Draft(cue=[_cue_interval(verb)], source=[source], content=[region])


def _reported_rule(verb: Token) -> _Draft | None:
    """ "X said (that) …": the subject of a speech verb and its clausal complement."""
    clause = next((c for c in verb.children if c.dep_ in _CONTENT_DEPS and c.i > verb.i), None)
    source = _subject(verb)
    if clause is None or source is None:
        return None
    return _Draft(cue=[_cue_interval(verb)], source=[source], content=[_char_span(list(clause.subtree))])


def _according_rule(according: Token) -> _Draft | None:
    """ "according to X, …" / "…, according to X": the rest of the sentence is the content."""
    to = next(c for c in according.children if c.lower_ == "to")
    obj = next((c for c in to.children if c.dep_ == "pobj"), None)
    if obj is None:
        return None
    phrase = _char_span([according, *to.subtree])
    sent = according.sent
    words = [t for t in sent if not t.is_punct and not phrase[0] <= t.idx < phrase[1]]
    if not words:
        return None
    before = [t for t in words if t.idx < phrase[0]]
    after = [t for t in words if t.idx >= phrase[1]]
    body = after if len(after) > len(before) else before
    return _Draft(cue=[_char_span([according, to])], source=[_char_span(list(obj.subtree))], content=[_char_span(body)])


# --------------------------------------------------------------------------- assembly


def _to_quote(text: str, draft: _Draft, regions: list[Interval], settings: QuotesSettings) -> Quote:
    content = (min(s for s, _ in draft.content), max(e for _, e in draft.content))
    cue = (min(s for s, _ in draft.cue), max(e for _, e in draft.cue)) if draft.cue else None
    source = draft.source[0] if draft.source else None
    parts = [content, *(p for p in (cue, source) if p)]
    inside = sum(max(0, min(e, content[1]) - max(s, content[0])) for s, e in regions)
    length = max(1, content[1] - content[0] - sum(p[1] - p[0] for p in (cue, source) if p and _within(p, content)))
    share = inside / length
    kind = "direct" if share >= settings.direct_share else "mixed" if share > 0 else "indirect"
    return Quote(
        start=min(p[0] for p in parts),
        end=max(p[1] for p in parts),
        content=_mention(text, content),
        cue=_mention(text, cue) if cue else None,
        speaker=_mention(text, source) if source else None,
        speaker_entity=None,
        kind=kind,  # type: ignore[arg-type]
    )


def _resolve_speakers(doc: Doc, quotes: list[Quote], regions: list[Interval], settings: QuotesSettings) -> None:
    """Set ``speaker_entity``; a speakerless quote right after another continues it ("he added")."""
    known = doc._.entities if Doc.has_extension("entities") else None  # the entity stage's, when it ran
    index = EntityIndex(doc, [(m.start, m.end, e.kind) for e in known or [] for m in e.mentions])
    last_spoke: dict[str, int] = {}
    previous: Quote | None = None
    for quote in quotes:
        if quote.speaker is not None:
            span = doc.char_span(quote.speaker.start, quote.speaker.end, alignment_mode="expand")
            entity = index.resolve(span, last_spoke, settings) if span is not None else None
            if entity is None and span is not None and span[0].lower_ in ("i", "we") and len(span) == 1:
                # "I" / "we" inside someone's quotation is that speaker
                inside = [q for q in quotes if q is not quote and _within(_iv(quote.speaker), _iv(q.content))]
                outer = inside[0] if inside else None
                quote.speaker_entity = outer.speaker_entity if outer else None
            else:
                quote.speaker_entity = entity.key if entity else None
        elif previous is not None and quote.kind != "indirect" and quote.content.start - previous.end < 400:
            quote.speaker_entity = previous.speaker_entity
        if quote.speaker_entity:
            last_spoke[quote.speaker_entity] = quote.start
        previous = quote


# --------------------------------------------------------------------------- helpers


def _char_span(tokens: Iterable[Token] | Span) -> Interval:
    toks = list(tokens)
    return toks[0].idx, toks[-1].idx + len(toks[-1])


def _parts(draft: _Draft) -> list[Interval]:
    return draft.content + draft.cue + draft.source


def _mention(text: str, iv: Interval) -> Mention:
    return Mention(iv[0], iv[1], text[iv[0] : iv[1]])


def _iv(m: Mention) -> Interval:
    return m.start, m.end


def _overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _within(a: Interval, b: Interval) -> bool:
    return b[0] <= a[0] and a[1] <= b[1]


def _sentence_of(doc: Doc, char: int) -> Span | None:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0].sent if span is not None and len(span) else None
