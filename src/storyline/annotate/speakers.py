"""Resolve quote speakers ("he", "the president", "the ministry") to a named entity of the article.

There is no coreference model here, so this is a small, general resolver: named PERSON / ORG mentions
from spaCy's NER are grouped into entities (a person by surname, "Trump" = "Mr. Trump" = "Donald
Trump"; an organisation by its name without article), each keyed by its canonical (longest) name.
A speaker mention that is itself a name resolves to its group; a pronoun or a role noun resolves to
the most recent compatible entity mentioned before it, by gender (honorifics, gendered role nouns,
the pronouns used near the name, a first-name gazetteer), number and kind (person vs organisation),
with a preference for entities that were already speakers of earlier quotes. A relative pronoun
("…, who said", "…, which said") stands for the noun phrase it follows; a role noun with no name
before it ("…, the country's president has said.") may take the name given just after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from storyline.annotate.attribution import doc_text
from storyline.settings import QuotesSettings


def _words(text: str) -> set[str]:
    return set(text.split())


_WORD = re.compile(r"[a-z]+")
PERSON_LABELS = {"PERSON"}
ORG_LABELS = {"ORG", "NORP", "GPE"}
HONORIFICS = {"mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f", "dr": "", "dr.": ""}
MALE_PRONOUNS = {"he", "him", "his", "himself"}
FEMALE_PRONOUNS = {"she", "her", "hers", "herself"}
PLURAL_PRONOUNS = {"they", "them", "their", "we", "us", "our"}
RELATIVE_PRONOUNS = {"which", "who", "that", "whom"}
# What a speaker noun phrase stands for when its entity is a pipeline entity (not a spaCy NER label).
_KIND_LABELS = {"person": "PERSON", "organisation": "ORG", "place": "GPE"}
# Role nouns: what kind of entity "the <noun>" can stand for, and its gender when the noun has one.
PERSON_ROLES = _words(
    """
    president senator sen. governor gov. minister secretary spokesman spokeswoman spokesperson official
    candidate nominee chairman chairwoman chair congressman congresswoman representative rep. mayor leader
    director chief judge justice lawyer attorney ambassador general commander prime premier king queen prince
    businessman businesswoman billionaire executive ceo founder adviser advisor aide manager strategist
    professor economist analyst author speaker host actor actress man woman father mother wife husband son
    daughter former vice first
    """
)
FEMALE_ROLES = _words(
    """
    spokeswoman chairwoman congresswoman businesswoman queen actress woman mother wife daughter
    """
)
MALE_ROLES = _words(
    """
    spokesman chairman congressman businessman king prince man father husband son
    """
)
ORG_ROLES = _words(
    """
    ministry department agency company firm group campaign committee party government administration office
    council court commission bureau police army military organization organisation union bank network newspaper
    paper institute foundation board team embassy white house senate congress parliament state service authority
    authorities corporation site
    """
)


@dataclass
class NamedEntity:
    """A named entity of one article: its canonical key and what is known of it."""

    key: str
    kind: str  # "person" | "organisation"
    mentions: list[tuple[int, int]] = field(default_factory=list)
    gender: str = ""  # "m", "f" or "" when unknown
    titles: set[str] = field(default_factory=set)  # role nouns seen with it ("president")


@lru_cache(maxsize=1)
def _first_names() -> object | None:
    try:
        import gender_guesser.detector as gd
    except ImportError:  # the gazetteer is optional: honorifics and pronouns still decide
        return None
    return gd.Detector(case_sensitive=False)


def _name_tokens(span: Span) -> list[str]:
    words = [t.text for t in span if not t.is_punct and t.lower_ not in HONORIFICS and t.lower_ not in ("'s", "’s")]
    while words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    return words


def names_a_speaker(span: Span) -> bool:
    """Whether a mention with no resolved entity still names who speaks: a proper name the NER missed,
    or an organisation named by its common noun ("the police", "the ministry")."""
    head = _nominal_head(span)
    return head.pos_ == "PROPN" or head.lower_ in ORG_ROLES


def _nominal_head(span: Span) -> Token:
    """The noun or pronoun heading a mention (a stray adverb tagged into it is skipped)."""
    heads = [t for t in span if not span.start <= t.head.i < span.end or t.head.i == t.i]
    nominal = [t for t in heads if t.pos_ in ("NOUN", "PROPN", "PRON")]
    return (nominal or heads or [span.root])[0]


def _named_spans(doc: Doc, extra: list[tuple[int, int, str]]) -> list[tuple[Span, str]]:
    """spaCy's NER mentions, plus ``extra`` (start, end, kind) mentions that overlap none of them."""
    spans = [(ent, ent.label_) for ent in doc.ents]
    taken = [(ent.start_char, ent.end_char) for ent in doc.ents]
    for start, end, kind in extra:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or kind not in _KIND_LABELS or any(s < end and start < e for s, e in taken):
            continue
        spans.append((span, _KIND_LABELS[kind]))
        taken.append((start, end))
    return sorted(spans, key=lambda x: x[0].start_char)


def relative_antecedent(tok: Token) -> Span | None:
    """The noun phrase a relative pronoun ("which", "who", "that") stands for, without its clause.

    The head noun of the relative clause when the parse has one ("Ms Roe, who said …"), else the
    nearest noun phrase ending before the pronoun in its sentence (the parser often hangs "…, which
    said" on the main verb).
    """
    clause = next((a for a in tok.ancestors if a.dep_ == "relcl"), None)
    doc = tok.doc
    if clause is not None and clause.head.pos_ in ("NOUN", "PROPN"):
        head = clause.head
        left = min((t.i for t in head.subtree if t.i <= head.i), default=head.i)
        right = head.i + 1
        while right < len(doc) and doc[right].head.i == head.i and doc[right].dep_ in ("compound", "flat", "appos"):
            right += 1
        return doc[left:right]
    sent = tok.sent
    chunks = [c for c in doc.noun_chunks if sent.start <= c.start and c.end <= tok.i]
    return chunks[-1] if chunks else None


class EntityIndex:
    """Named people and organisations of a document, for resolving speakers.

    ``extra`` adds entity mentions found by another component, as (start, end, kind) with kind
    "person", "organisation" or "place" (a place speaks through its government: "Kyiv said").
    """

    def __init__(self, doc: Doc, extra: list[tuple[int, int, str]] | None = None) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.entities: list[NamedEntity] = []
        self._by_mention: list[tuple[int, int, NamedEntity]] = []
        by_surname: dict[str, NamedEntity] = {}
        by_name: dict[str, NamedEntity] = {}
        for ent, label in _named_spans(doc, extra or []):
            words = _name_tokens(ent)
            if not words:
                continue
            if label in PERSON_LABELS:
                surname = words[-1].lower()
                entity = by_surname.get(surname)
                if entity is None:
                    entity = by_surname[surname] = NamedEntity(" ".join(words), "person")
                    self.entities.append(entity)
                elif len(" ".join(words)) > len(entity.key):
                    entity.key = " ".join(words)
                self._learn_person(entity, ent)
            elif label in ORG_LABELS:
                name = " ".join(words)
                entity = by_name.get(name.lower())
                if entity is None:
                    entity = by_name[name.lower()] = NamedEntity(name, "organisation")
                    self.entities.append(entity)
                entity.titles.update(w.lower() for w in words)
            else:
                continue
            entity.mentions.append((ent.start_char, ent.end_char))
            self._by_mention.append((ent.start_char, ent.end_char, entity))
        self._by_mention.sort(key=lambda m: m[0])
        for entity in self.entities:
            if entity.kind == "person" and not entity.gender:
                entity.gender = self._guess_gender(entity)

    def _learn_person(self, entity: NamedEntity, ent: Span) -> None:
        """Honorific, role nouns (title before the name, appositive after) and the first name's gender."""
        doc = self.doc
        before = doc[max(ent.start - 3, 0) : ent.start]
        words = [t.lower_ for t in before] + [t.lower_ for t in ent]
        for w in words:
            if HONORIFICS.get(w):
                entity.gender = HONORIFICS[w]
            if w in PERSON_ROLES:
                entity.titles.add(w.rstrip("."))
        # appositive role: "Scott Pruitt, the attorney general of Oklahoma"
        for tok in ent.root.children:
            if tok.dep_ == "appos":
                entity.titles.update(t.lower_ for t in tok.subtree if t.lower_ in PERSON_ROLES)
        for w in entity.titles:
            if w in FEMALE_ROLES:
                entity.gender = "f"
            elif w in MALE_ROLES:
                entity.gender = "m"

    def _guess_gender(self, entity: NamedEntity) -> str:
        """The first-name gazetteer, else the pronoun that most often follows the name's mentions."""
        detector = _first_names()
        first = entity.key.split()[0] if " " in entity.key else ""
        guess = detector.get_gender(first) if detector is not None and first else "unknown"  # type: ignore[attr-defined]
        if guess in ("male", "female"):
            return guess[0]
        votes = {"m": 0, "f": 0}
        for _, end in entity.mentions:
            for word in _WORD.findall(self.text[end : end + 120].lower())[:20]:
                if word in MALE_PRONOUNS | FEMALE_PRONOUNS:
                    votes["m" if word in MALE_PRONOUNS else "f"] += 1
                    break
        if votes["m"] != votes["f"]:
            return "m" if votes["m"] > votes["f"] else "f"
        return {"mostly_male": "m", "mostly_female": "f"}.get(guess, "")

    def named_in(self, start: int, end: int, head: int | None = None) -> NamedEntity | None:
        """The entity named inside [start, end): the mention holding character ``head`` (the phrase's
        head word: "Secretary of State Jane Roe" is Jane Roe), else the first person, else the first."""
        inside = [(s, e, entity) for s, e, entity in self._by_mention if s >= start and e <= end]
        if head is not None:
            inside.sort(key=lambda m: (not m[0] <= head < m[1], m[2].kind != "person"))
        return inside[0][2] if inside else None

    def resolve(self, span: Span, speakers: dict[str, int], settings: QuotesSettings) -> NamedEntity | None:
        """The named entity a speaker mention stands for (itself when named, else an antecedent).

        ``speakers`` maps entity keys to the character offset where they last spoke.
        """
        root = _nominal_head(span)
        named = self.named_in(span.start_char, span.end_char, root.idx)
        if named is not None:
            return named
        word = root.lower_
        if word in RELATIVE_PRONOUNS:
            antecedent = relative_antecedent(root)
            if antecedent is None or antecedent.end_char > span.start_char or antecedent[0].lower_ in RELATIVE_PRONOUNS:
                return None
            return self.resolve(antecedent, speakers, settings)
        if word == "it" and root.dep_ in ("nsubjpass", "expl"):
            return None  # "it was hoped / is said that …": the placeholder of a clause, no one who speaks
        if root.pos_ == "PRON" or word in MALE_PRONOUNS | FEMALE_PRONOUNS | PLURAL_PRONOUNS | {"it", "i"}:
            if word in MALE_PRONOUNS:
                want_kind, gender = "person", "m"
            elif word in FEMALE_PRONOUNS:
                want_kind, gender = "person", "f"
            elif word == "it" or word in PLURAL_PRONOUNS:
                want_kind, gender = "organisation", ""
            else:
                return None  # "I", "you", "who" ...: no antecedent rule
            role = ""
        elif word in PERSON_ROLES:
            gender = "f" if word in FEMALE_ROLES else "m" if word in MALE_ROLES else ""
            want_kind, role = "person", word
        elif word in ORG_ROLES:
            want_kind, gender, role = "organisation", "", word
        else:
            return None
        return self._antecedent(span.start_char, want_kind, gender, role, speakers, settings)

    def _antecedent(
        self, before: int, kind: str, gender: str, role: str, speakers: dict[str, int], settings: QuotesSettings
    ) -> NamedEntity | None:
        best: tuple[float, NamedEntity] | None = None
        for start, _, entity in self._by_mention:
            if start >= before or before - start > settings.max_antecedent_chars:
                continue
            if entity.kind != kind or (gender and entity.gender and entity.gender != gender):
                continue
            distance = float(before - start)
            if role:
                distance *= 1.0 if role in entity.titles else settings.untitled_role_penalty
            if entity.key in speakers and before - speakers[entity.key] <= settings.max_antecedent_chars:
                distance = min(distance, before - speakers[entity.key]) * settings.recent_speaker_factor
            if best is None or distance < best[0]:
                best = (distance, entity)
        if best is None and role:
            # cataphora: "…, the country's president has said. Jane Roe said …" names the speaker next
            for start, _, entity in self._by_mention:
                near = before < start <= before + settings.max_cataphor_chars
                if near and entity.kind == kind and (not gender or not entity.gender or entity.gender == gender):
                    return entity
        return best[1] if best else None
