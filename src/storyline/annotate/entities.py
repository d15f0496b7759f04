"""Canonical entities of one article: people, organisations and places with all their mentions.

Three steps over a parsed spaCy Doc (see docs/stages/entities.md):

1. **Typing.** Candidate names are spaCy's PERSON / ORG / GPE / LOC / FAC entities, plus runs of
   proper nouns the NER missed that the gazetteer knows. All mentions of one name (one spelling-folded
   key) are typed together, one sense per article, by votes (weights in
   :class:`storyline.settings.EntitySettings`): the share of the NER labels; the gazetteer (a country,
   continent, first-level or well-known region, national capital or large city is a strong reading, any
   other match a weak one); place contexts ("in X", "near X", "eastern X", "the X region", "the town of
   X", "X and <a place>"); person evidence (a title or role word before the name, a first name known to
   the first-name gazetteer, a longer person name ending in it, for unknown names a speaking subject);
   a last word saying the kind ("Ministry of ...", "... Street"). So "Kyiv" tagged PERSON and "Crimea"
   tagged ORG become places while "Jackson", surname of a "Michael Jackson" of the article, stays a
   person. Streets and buildings (FAC) are places without a gazetteer entry. Nationality adjectives
   (NORP, or a GPE-tagged name the gazetteer only knows as a demonym) are not entities.
2. **Re-mentions.** Every other occurrence of a typed name's exact form (and of a person's surname) is
   added as a mention, which catches the mentions the NER skipped.
3. **Linking.** Places group by the gazetteer entry :func:`resolve_places` picks (all place names of
   the article are each other's context), so Odesa/Odessa are one place; people by surname
   (a bare "Macron" or "Mr Macron" joins the full name "Emmanuel Macron", the longest form is
   the canonical name); organisations by their content words with British/American spelling folded
   ("Ministry of Defence" = "defense ministry"), by acronym ("MoD") and by their owner ("Russia's").

Entity ids come from article-independent names: ``place:geonames:706483`` (or
``place:region:UA:lviv`` for a region without a GeoNames id, ``place:name:<folded name>`` for a place
the gazetteer lacks); ``org:russia:defense-ministry`` (owner, then the sorted content words);
``person:sergei-shoigu``, folded like gazetteer keys so that outlets' transliterations meet
(Shoigu and Shoygu give one id).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.attrs import ORTH, POS
from spacy.symbols import PROPN
from spacy.tokens import Doc

from storyline.annotate.gazetteer import Candidate, Gazetteer, ascii_fold, fold_key, is_code, strip_the
from storyline.annotate.places import PlaceContext, resolve_places
from storyline.model import Entity, Mention, Place
from storyline.settings import EntitySettings, PlacesSettings


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_KIND_OF_LABEL = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place"}
# Labels whose tokens may still be a missed place name (no dates, numbers or nationalities).
_UNKEPT_LABELS = {"", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"}
_DETERMINERS = {"the", "a", "an"}
_POSSESSIVE = {"'s", "’s", "'", "’"}
# Titles and role words before (or at the start of) a name mark a person ("President Macron",
# "military intelligence spokesman Andrey Yusov"); they are never part of the canonical name.
_TITLES = _words(
    """
    mr mrs ms miss mx dr sir dame lord lady president vice prime minister chancellor secretary premier
    general gen lieutenant lt colonel col major maj captain capt sergeant sgt admiral commander marshal
    senator sen representative rep congressman congresswoman governor gov mayor king queen prince princess
    emperor pope cardinal archbishop bishop reverend rev rabbi imam ayatollah sheikh judge justice prof
    professor spokesman spokeswoman spokesperson adviser advisor aide ambassador envoy chairman chairwoman
    chief ceo director head leader official analyst commentator deputy
    """
)
# Words that make a name an organisation's ("the Ministry of Defence", "the Labour Party").
_ORG_WORDS = _words(
    """
    ministry department agency office council committee commission party parliament assembly government
    administration army navy forces force guard police service services bureau court union university
    college institute school hospital bank company corporation corp inc ltd llc plc group association
    federation foundation organisation organization society network news times post press club church
    authority board fund team league alliance coalition staff command brigade battalion regiment
    """
)
# Last words that make a name a place's, whatever its first word ("Patrick Street", "Douglas County").
_PLACE_HEADS = _words(
    "street st road rd avenue ave drive lane boulevard blvd highway parkway trail square park beach county "
    "parish heights hills lake river bridge airport station stadium valley island islands mountain mountains city "
    "hill ridge grove falls springs creek forest bay harbor harbour wilderness"
)
# Nouns that say the name next to them is a place ("the town of X", "X region").
_SETTLEMENT_WORDS = _words(
    "city town village capital port region province oblast district settlement hamlet county state country "
    "republic area suburb"
)
# ... of which these also stand right before a place's name ("the capital Kyiv"; not "the state House").
_SETTLEMENT_BEFORE = _words("city town village capital port settlement hamlet suburb")
# "<word> of X" says X is a place: "the town of X", "the mayor of X", "residents of X".
_OF_PLACE = _SETTLEMENT_WORDS | _words(
    "mayor governor residents inhabitants people citizens outskirts suburbs streets centre center outside north "
    "south east west heart"
)
# "to" is left out: "according to X", "told to X" name people as often as "to X" names a place.
_PLACE_PREPOSITIONS = _words(
    "in from near into outside around across towards toward throughout inside within via through beyond nearby"
)
_SPEECH_VERBS = _words("say tell add state claim explain note argue insist write warn ask reply deny recall")
_COMPASS = _words(
    "north south east west northern southern eastern western central northeastern northwestern southeastern "
    "southwestern north-eastern north-western south-eastern south-western northeast northwest southeast southwest"
)
# Bare compass points ("the West") name no gazetteer entry, whatever a region layer calls "West".
_COMPASS_NOUNS = _words("north south east west")
_ORG_STOPWORDS = {"the", "of", "and", "for", "a", "an", "&", "'s", "’s", "on", "in"}
_STRONG_FEATURES = {"PCLI", "CONT", "ADM1", "RGN", "PPLC"}
# What a name may consist of: words of letters, digits and name punctuation (no markup or line breaks).
_NAME = re.compile(r"^[^\W_][\w.'’&-]*(?: [\w.'’&-]+)*$")
_UPPER_CODE = re.compile(r"^[A-Z][A-Za-z]{1,5}$")
# British and American spellings meet for matching organisation words: defence/defense, labour/labor,
# organisation/organization, centre/center.
_SPELLING = (
    (re.compile(r"ence$"), "ense"),
    (re.compile(r"our$"), "or"),
    (re.compile(r"is(ation|e|ed|ing)$"), r"iz\1"),
    (re.compile(r"tre$"), "ter"),
)


@lru_cache(maxsize=1)
def _first_names() -> object:
    import gender_guesser.detector as gd

    return gd.Detector(case_sensitive=False)


def _is_first_name(word: str) -> bool:
    return _first_names().get_gender(word) not in ("unknown", "andy")  # type: ignore[attr-defined]


def _slug(text: str, fold: Callable[[str], str] = ascii_fold) -> str:
    return "-".join(fold(text).split())


def _org_word(word: str) -> str:
    word = ascii_fold(word)
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return word


@dataclass
class _Cand:
    """One candidate mention: a token span of the doc and its name without titles or possessive."""

    start: int  # token indices of the mention
    end: int
    label: str  # NER label; "" for a proper-noun run the NER missed
    name: str
    region_word: str = ""  # "region" when the name is "X region" and the gazetteer has a region X
    titled: bool = False  # a title or role word stood before or inside the name
    owner: str = ""  # "Russia" in "Russia's defense ministry", by its gazetteer name when it has one
    core: str = ""  # the name without an "of <owner>" tail: "Security Service" of Ukraine
    resolve: bool = True  # looked up in the gazetteer (not a building the NER tagged FAC, "White House")


@dataclass
class _Group:
    """All candidates of one name key, typed together."""

    key: str
    cands: list[_Cand] = field(default_factory=list)
    kind: str = ""


def _trim(doc: Doc, start: int, end: int, titles: bool) -> tuple[int, int, bool]:
    """Token bounds without leading determiners (and ``titles``) and trailing possessives or punctuation."""
    titled = False
    while start < end and (
        doc[start].lower_ in _DETERMINERS
        or doc[start].is_punct
        or (titles and doc[start].lower_.rstrip(".") in _TITLES)
    ):
        titled |= doc[start].lower_.rstrip(".") in _TITLES
        start += 1
    while end > start and (
        doc[end - 1].lower_ in _POSSESSIVE
        or doc[end - 1].is_punct
        or doc[end - 1].is_space
        or (doc[end - 1].is_lower and doc[end - 1].pos_ in ("ADV", "ADP", "VERB", "AUX"))
    ):
        # "the foreign ministry later": the NER took an adverb along
        end -= 1
    return start, end, titled


def _titled_before(doc: Doc, start: int) -> bool:
    """A title or role word within the three tokens before ``start`` in its sentence ("President")."""
    for tok in reversed(doc[max(start - 3, doc[start].sent.start) : start]):
        if tok.lower_.rstrip(".") in _TITLES:
            return True
        if tok.is_punct or tok.pos_ in ("VERB", "AUX", "ADP"):
            return False
    return False


def _place_context(doc: Doc, start: int, end: int, places: set[str]) -> int:
    """Where the span [start, end) stands: 2 where only a place stands ("the town of X", "X region",
    "eastern X", "X and <a place>", "<a place>, X"), 1 after a preposition of place ("in X", "near X"),
    else 0."""
    first = doc[start].sent.start
    i, compass = start - 1, False
    while i >= first and (doc[i].lower_ in _DETERMINERS or doc[i].lower_ in _COMPASS or doc[i].text == "-"):
        compass |= doc[i].lower_ in _COMPASS
        i -= 1
    prev = doc[i].lower_ if i >= first else ""
    root = doc[start:end].root
    partners = [root.head] if root.dep_ == "conj" else []
    partners += [t for t in root.children if t.dep_ == "conj"]
    if (
        compass
        or prev in _SETTLEMENT_BEFORE
        or (prev == "of" and i > first and doc[i - 1].lower_ in _OF_PLACE)
        or (end < len(doc) and doc[end].lemma_.lower() in _SETTLEMENT_WORDS)
        or (root.head.lemma_.lower() in _SETTLEMENT_WORDS and root.dep_ in ("compound", "nmod", "amod", "appos"))
        or any(fold_key(t.text) in places for t in partners)  # "Bakhmut and Soledar"
        or (prev == "," and i > first and doc[i - 1].ent_type_ in ("GPE", "LOC"))  # "Pittsburgh, PA"
    ):
        return 2
    return 1 if prev in _PLACE_PREPOSITIONS else 0


def _speaks(doc: Doc, start: int, end: int) -> bool:
    """The span is the subject of a speech verb ("Pawlenty often has said")."""
    root = doc[start:end].root
    return root.dep_ == "nsubj" and root.head.lemma_.lower() in _SPEECH_VERBS


class _Typer:
    """Types the candidate names of one doc (module docstring, step 1)."""

    def __init__(self, doc: Doc, settings: EntitySettings) -> None:
        self.doc = doc
        self.s = settings
        self.gaz = Gazetteer.get()
        self._lookups: dict[str, list[Candidate]] = {}
        self.region_words = set(PlacesSettings().region_words)

    def lookup(self, name: str) -> list[Candidate]:
        if name not in self._lookups:
            self._lookups[name] = self.gaz.lookup(name) if self.gaz.is_place_name(name) else []
        return self._lookups[name]

    def strength(self, name: str) -> float:
        """Gazetteer support for reading ``name`` as a place: strong, weak or none."""
        cands = self.lookup(name)
        if is_code(name):
            # A bare code is strong when it spells a well-known place's name ("UK", "UAE", "NYC"); a
            # country's or region's code that does not ("ARM" Armenia, "SM" San Marino) is weak and needs a
            # place context (see decide); a city's airport or licence-plate code ("BBC" Bay City) is none.
            if self.known_code(name):
                return self.s.strong_place_weight
            return self.s.weak_place_weight if any(c.feature in ("PCLI", "ADM1") for c in cands) else 0.0
        if _UPPER_CODE.match(name) and name.isupper():  # "BOSTON" as a dateline: only countries and regions
            cands = [c for c in cands if c.feature in ("PCLI", "ADM1")]
        # Countries, continents, first-level and well-known regions and capitals are strong under any
        # spelling ("Kiev", "Odessa"); a large city only under a transliteration of its own name
        # (Zaporizhzhia = Zaporizhzhya), not under an unrelated alternate name ("Charles").
        # A county's population says nothing: counties are often named after people (Johnson County).
        own = fold_key(name)
        big = self.s.sizeable_population
        # A name of several words that is a gazetteer entry's own name is that place whatever its size:
        # people's full names rarely are ("Rock Hill", "Glen Allen").
        several = " " in name.strip()
        if any(
            c.feature in _STRONG_FEATURES
            or (fold_key(c.name) == own and c.feature != "ADM2" and (several or c.population >= big))
            for c in cands
        ):
            return self.s.strong_place_weight
        return self.s.weak_place_weight if cands else 0.0

    def candidate(self, start: int, end: int, label: str) -> _Cand | None:
        """The candidate for tokens [start, end): trimmed, with its region word and owner."""
        doc = self.doc
        # titles off, except in organisations' and places' own names ("General Motors", "Prince Edward Island")
        keep = label == "ORG" or (end - start > 1 and bool(self.country(strip_the(doc[start:end].text))))
        start, end, titled = _trim(doc, start, end, not keep)
        if start >= end or not _NAME.match(doc[start:end].text):
            return None
        owner, core = "", ""
        poss = [t for t in doc[start:end] if t.lower_ in _POSSESSIVE]
        if poss and label == "ORG":  # "Russia's defense ministry" tagged whole: the owner is not the name
            owner, start = doc[start : poss[-1].i].text, poss[-1].i + 1
        elif label == "ORG":
            owner = next(
                (
                    c.text
                    for c in doc[start:end].root.children
                    if c.dep_ == "poss" and not start <= c.i < end and c.pos_ == "PROPN"
                ),
                "",
            )
            of = [t.i for t in doc[start:end] if t.lower_ == "of"]
            tail = strip_the(doc[of[-1] + 1 : end].text) if of else ""
            if not owner and tail and self.country(tail):  # "Security Service of Ukraine"
                owner, core = tail, doc[start : of[-1]].text
        if owner:
            owner = self.country(owner) or owner
        region_word = ""
        last = _region_word_at(doc, end - 1)
        if end - start > 1 and last in self.region_words and self.has_region(doc[start : end - 1].text):
            region_word, end = last, end - 1  # "the Lviv region" tagged whole
        name = doc[start:end].text
        nxt = _region_word_at(doc, end)
        if not region_word and nxt in self.region_words and self.has_region(name):
            region_word = nxt  # "the Mariupol region" (no region Mariupol) is the area of a town: read as the town
        return _Cand(start, end, label, name, region_word, titled or _titled_before(doc, start), owner, core)

    def known_code(self, name: str) -> bool:
        """``name`` is the initials of a place of at least ``code_population`` ("UK", "UAE", "NYC")."""
        return any(c.population >= self.s.code_population for c in self.gaz.initialism_of(name))

    def has_region(self, name: str) -> bool:
        return any(c.kind == "region" for c in self.lookup(name))

    def country(self, name: str) -> str:
        """The country's or first-level region's main name when ``name`` is one ("UK" -> "United Kingdom",
        "Prince Edward Island")."""
        if is_code(name) and not self.known_code(name):
            return ""  # "ARM's new chip" names no owner Armenia
        return next((c.name for c in self.lookup(name) if c.feature in ("PCLI", "ADM1")), "")

    def candidates(self) -> list[_Cand]:
        """NER entities of the kinds kept, then proper-noun runs the NER missed that the gazetteer knows."""
        doc = self.doc
        out = [
            c
            for ent in doc.ents
            if ent.label_ in _KIND_OF_LABEL
            if (c := self.candidate(ent.start, ent.end, ent.label_))
        ]
        # Runs of capitalised proper nouns outside the kept entities: untagged, or tagged as a work of
        # art, product or event ("the town of Synelnykove" as WORK_OF_ART); nationalities stay out.
        free = [False] * len(doc)
        for i, pos in enumerate(doc.to_array([POS]).tolist()):  # a Token object only for the proper nouns
            if pos == PROPN:
                t = doc[i]
                free[i] = t.text[:1].isupper() and t.ent_type_ in _UNKEPT_LABELS
        i = 0
        while i < len(doc):
            if not free[i]:
                i += 1
                continue
            j = i
            while j < len(doc) and free[j]:
                j += 1
            if self.lookup(doc[i:j].text) and (c := self.candidate(i, j, "")):
                out.append(c)
            i = j
        return out

    def decide(self, group: _Group, surnames: set[str], places: set[str], demonym: bool) -> str:
        """The kind of one name: the best of the place / person / organisation scores ("" to drop).

        Mention-level signals count as shares of the name's mentions (one "in X" among sixteen
        mentions tagged ORG is little), name-level ones (gazetteer, first name, surname, organisation
        words) once. A preposition of place counts only for names the gazetteer knows ("from Stevens &
        Wilkinson"); a speaking subject is a person only for names it does not know ("Kyiv said" stays a
        place). Ties go to the NER's majority label.
        """
        s = self.s
        cands = group.cands
        name = cands[0].name
        labels = Counter(_KIND_OF_LABEL.get(c.label, "") for c in cands)
        tagged = len(cands) - labels[""]
        if demonym and not labels["person"] and not labels["organisation"]:
            return ""
        words = name.split()
        # a bare compass point is a direction, not a gazetteer place
        strength = 0.0 if name.lower() in _COMPASS_NOUNS else self.strength(name)
        contexts = [_place_context(self.doc, c.start, c.end, places) or 2 * bool(c.region_word) for c in cands]
        # a context only a place stands in counts twice a preposition ("liberated X and <a town>")
        place_ctx = sum(x if x == 2 or strength else 0 for x in contexts) / len(cands)
        person_ev = float(any(c.titled for c in cands))  # a place is never "President X"
        if not strength and labels["organisation"] * 2 < tagged:
            person_ev += sum(_speaks(self.doc, c.start, c.end) for c in cands) / len(cands)
        org_ev = float(any(w.lower() in _ORG_WORDS for w in words))
        place_head = len(words) > 1 and words[-1].lower().rstrip(".") in _PLACE_HEADS
        first_name = words[0].lower().rstrip(".") not in _TITLES and _is_first_name(words[0])  # not "General"
        if len(words) > 1 and not org_ev and not place_head and first_name and strength < s.strong_place_weight:
            person_ev += 1
        if len(words) == 1 and group.key in surnames:
            person_ev += 1  # "Macron" of an "Emmanuel Macron"

        def share(kind: str) -> float:
            return s.ner_weight * labels[kind] / tagged if tagged else 0.0

        scores = {
            "place": share("place") + strength + s.place_context_weight * place_ctx + s.kind_word_weight * place_head,
            "person": share("person") + s.person_evidence_weight * person_ev,
            "organisation": share("organisation") + s.kind_word_weight * org_ev,
        }
        if is_code(name) and 0 < strength < s.strong_place_weight and not any(contexts):
            # A code that is only an ISO code of a country or region ("ARM", "IO", "SM") is that place only
            # in a place context ("Pittsburgh, PA"), whatever the NER says; codes the gazetteer does not
            # know as a country or region ("OH") keep the NER's reading.
            del scores["place"]
            if not any(scores.values()):
                return ""
        kind = max(scores, key=lambda k: (scores[k], labels[k]))
        if not tagged and (
            kind != "place" or not strength or not (max(contexts) == 2 or strength >= s.strong_place_weight)
        ):
            return ""  # a missed proper noun is kept only as a known place in a place context
        return kind


def _re_mentions(doc: Doc, groups: dict[str, _Group], covered: set[int]) -> None:
    """Add the uncovered occurrences of every kept name's exact form, and of people's surnames."""
    forms: dict[str, list[tuple[tuple[str, ...], _Group]]] = defaultdict(list)
    for group in groups.values():
        if not group.kind:
            continue
        seen: set[tuple[str, ...]] = set()
        for c in group.cands:
            words = tuple(t.text for t in doc[c.start : c.end])
            for form in (words, words[-1:]) if group.kind == "person" else (words,):
                if form not in seen:
                    seen.add(form)
                    forms[form[0]].append((form, group))
    for found in forms.values():
        found.sort(key=lambda f: -len(f[0]))  # longest form first
    strings = doc.vocab.strings
    firsts = {strings[word] for word in forms}  # the hashes of the forms' first words, to scan token ids
    for i, orth in enumerate(doc.to_array([ORTH]).tolist()):
        if orth not in firsts or i in covered:
            continue
        for words, group in forms[strings[orth]]:
            end = i + len(words)
            if tuple(t.text for t in doc[i:end]) == words and not covered.intersection(range(i, end)):
                first = group.cands[0]
                region = first.region_word if _region_word_at(doc, end) == first.region_word else ""
                group.cands.append(_Cand(i, end, "re", " ".join(words), region))
                covered.update(range(i, end))
                break


def _region_word_at(doc: Doc, i: int) -> str:
    """The token at ``i`` in singular ("regions" -> "region"), "" past the end."""
    return doc[i].lower_.rstrip("s") if i < len(doc) else ""


def _mention(doc: Doc, c: _Cand) -> Mention:
    end = c.end + (1 if c.region_word and _region_word_at(doc, c.end) == c.region_word else 0)
    span = doc[c.start : end]
    return Mention(span.start_char, span.end_char, span.text)


def _place_id(place: Place | None, name: str) -> str:
    if place is None:
        return f"place:name:{_slug(name, fold_key)}"
    if place.geonameid is not None:
        return f"place:geonames:{place.geonameid}"
    return f"place:{place.kind}:{place.country or 'xx'}:{_slug(place.name)}"


def _places(doc: Doc, cands: list[_Cand], country: str | None) -> list[Entity]:
    names = [f"{c.name} {c.region_word}" if c.region_word else c.name for c in cands]
    looked_up = [i for i, c in enumerate(cands) if c.resolve]
    resolved: list[Place | None] = [None] * len(cands)
    found = resolve_places([names[i] for i in looked_up], PlaceContext(country=country))
    for i, place in zip(looked_up, found, strict=True):
        resolved[i] = place
    _keep_inside_containers(doc, cands, names, resolved)
    out: dict[str, Entity] = {}
    for c, name, place in zip(cands, names, resolved, strict=True):
        if place is not None and c.name.lower() in _COMPASS_NOUNS:
            place = None
        eid = _place_id(place, name)
        entity = out.get(eid)
        if entity is None:
            entity = out[eid] = Entity(eid, "place", place.name if place else name, place=place)
        entity.mentions.append(_mention(doc, c))
    return list(out.values())


def _keep_inside_containers(doc: Doc, cands: list[_Cand], names: list[str], resolved: list[Place | None]) -> None:
    """A town named as lying in a region or country ("Artemivka in the Kharkiv region", "a town in Texas")
    is read as a same-named town inside it, or left unresolved when the gazetteer has none there: the
    text says where it is, and a wrong place on the map is worse than none."""
    gaz = Gazetteer.get()
    starts = {c.start: i for i, c in enumerate(cands)}
    for i, c in enumerate(cands):
        place = resolved[i]
        if place is None or place.kind != "city":
            continue
        k = c.end + (1 if c.region_word and _region_word_at(doc, c.end) == c.region_word else 0)
        if k >= len(doc) or doc[k].lower_ != "in":
            continue
        k += 2 if k + 1 < len(doc) and doc[k + 1].lower_ == "the" else 1
        container = resolved[starts[k]] if k in starts else None
        if container is None or container.kind not in ("region", "country"):
            continue
        inside = _inside(gaz, container)
        if inside(place.country, _admin1_of(gaz, place)):
            continue
        there = [x for x in gaz.lookup(names[i]) if x.kind == "city" and inside(x.country, x.admin1)]
        best = max(there, key=lambda x: x.population or 0, default=None)
        resolved[i] = (
            Place(best.geonameid, best.name, best.kind, best.country, best.latitude, best.longitude) if best else None
        )


def _admin1_of(gaz: Gazetteer, place: Place) -> str | None:
    """The GeoNames admin1 code of a resolved place (its gazetteer entry's)."""
    return next((x.admin1 for x in gaz.lookup(place.name) if x.geonameid == place.geonameid
                 and x.latitude == place.latitude and x.longitude == place.longitude), None)


def _inside(gaz: Gazetteer, container: Place) -> Callable[[str | None, str | None], bool]:
    """Whether a (country, admin1) lies in ``container``: its country, or its first-level region (a region
    the gazetteer knows no admin1 code for, such as a historical region, holds anything in its country)."""
    if container.kind == "country":
        return lambda country, admin1: country == container.country
    code = _admin1_of(gaz, container)
    return lambda country, admin1: country == container.country and (code is None or admin1 == code)


def _people(doc: Doc, cands: list[_Cand]) -> list[Entity]:
    """Group person mentions by surname; a bare surname joins the nearest full name before it."""
    full: list[tuple[list[str], Entity]] = []  # full names (two words or more), in order of first mention
    bare: list[_Cand] = []
    for c in sorted(cands, key=lambda c: c.start):
        words = c.name.split()
        if len(words) == 1:
            bare.append(c)
            continue
        keys = [fold_key(w) for w in words]
        match = next((e for k, e in full if k[-1] == keys[-1] and _same_first(k[0], keys[0])), None)
        if match is None:
            match = Entity("", "person", c.name)
            full.append((keys, match))
        elif len(c.name) > len(match.name):
            match.name = c.name
        match.mentions.append(_mention(doc, c))
    singles: dict[str, Entity] = {}
    for c in bare:
        key = fold_key(c.name)
        mention = _mention(doc, c)
        same = [e for k, e in full if k[-1] == key]
        before = [e for e in same if e.mentions[0].start <= mention.start]
        target = (before or same)[-1] if before else (same[0] if same else None)
        if target is None:
            target = singles.setdefault(key, Entity("", "person", c.name))
        target.mentions.append(mention)
    out = [e for _, e in full] + list(singles.values())
    for e in out:
        e.id = f"person:{_slug(e.name, fold_key)}"  # transliterations meet: Shoigu = Shoygu
    return out


def _same_first(a: str, b: str) -> bool:
    """First names agree, or one is the other's initial ("George W. Bush" / "G. Bush")."""
    return a == b or (min(len(a), len(b)) == 1 and a[0] == b[0])


def _org_words(name: str) -> list[str]:
    return [_org_word(w) for w in name.split() if w.lower() not in _ORG_STOPWORDS and _org_word(w)]


def _initials(name: str) -> set[str]:
    words = [w for w in name.split() if w[:1].isalpha()]
    content = [w for w in words if w.lower() not in _ORG_STOPWORDS]
    return {"".join(w[0] for w in ws).upper() for ws in (words, content) if len(ws) > 1}


def _organisations(doc: Doc, cands: list[_Cand]) -> list[Entity]:
    """Group organisation mentions by content words (and owner), then attach acronyms to long forms."""
    groups: dict[tuple[str, frozenset[str]], list[_Cand]] = defaultdict(list)
    acronyms: list[_Cand] = []
    for c in cands:
        if c.name.isupper() or (_UPPER_CODE.match(c.name) and sum(ch.isupper() for ch in c.name) >= 2):
            acronyms.append(c)  # "NATO", "MoD"
            continue
        groups[(c.owner, frozenset(_org_words(c.core or c.name)))].append(c)
    # an ownerless form joins the one owned form with the same words ("the defence ministry" after "Russia's")
    for owner, words in list(groups):
        owned = [k for k in groups if k[1] == words and k[0]]
        if not owner and len(owned) == 1:
            groups[owned[0]].extend(groups.pop((owner, words)))
    # a shorter form inside exactly one longer one: "the foreign ministry" = "Ministry of Foreign Affairs"
    for owner, words in sorted(groups, key=lambda k: len(k[1])):
        wider = [k for k in groups if words < k[1] and k[0] in ("", owner)]
        if len(words) > 1 and len(wider) == 1:
            groups[wider[0]].extend(groups.pop((owner, words)))
    for c in acronyms:
        key = next((k for k, ms in groups.items() if any(c.name.upper() in _initials(m.name) for m in ms)), None)
        groups[key or ("", frozenset([c.name.lower()]))].append(c)
    out = []
    for (owner, words), members in groups.items():
        # the canonical name: the form with most capitalised words (a proper name), then the longest
        name = max((m.name for m in members), key=lambda n: (sum(w[:1].isupper() for w in n.split()), len(n)))
        eid = "org:" + (f"{_slug(owner)}:" if owner else "") + "-".join(sorted(words))
        entity = Entity(eid, "organisation", name)
        entity.mentions = [_mention(doc, m) for m in sorted(members, key=lambda m: m.start)]
        out.append(entity)
    return out


def extract_entities(doc: Doc, country: str | None = None, settings: EntitySettings | None = None) -> list[Entity]:
    """The canonical people, organisations and places of one parsed article, each with its mentions.

    ``doc`` is the article text parsed by the full spaCy pipeline (tagger, parser, NER). ``country``
    (ISO code, e.g. from :func:`storyline.annotate.places.country_of_url`) is the country in focus that
    decides between same-named places when the article itself does not.
    Entities are returned in order of first mention; mention spans are character offsets into
    ``doc.text``.
    """
    if not doc.has_annotation("DEP") or not doc.has_annotation("ENT_IOB"):
        raise ValueError("extract_entities needs a Doc parsed by the full pipeline (parser and NER)")
    s = settings or EntitySettings()
    typer = _Typer(doc, s)
    groups: dict[str, _Group] = {}
    for c in typer.candidates():
        key = fold_key(c.name)
        if key:
            groups.setdefault(key, _Group(key)).cands.append(c)
    # Round one reads conjuncts ("Bakhmut and Soledar") and surnames by the NER labels and the
    # gazetteer, round two by the kinds round one chose.
    surnames = {
        fold_key(c.name.split()[-1])
        for g in groups.values()
        for c in g.cands
        if c.label == "PERSON" and len(c.name.split()) > 1
    }
    places = {
        k
        for k, g in groups.items()
        if any(c.label in ("GPE", "LOC") for c in g.cands) or typer.strength(g.cands[0].name) >= s.strong_place_weight
    }
    demonyms = {
        k
        for k, g in groups.items()
        if not typer.lookup(g.cands[0].name) and typer.gaz.lookup(g.cands[0].name, demonyms=True)
    }
    for _ in range(2):
        for key, group in groups.items():
            group.kind = typer.decide(group, surnames, places, key in demonyms)
        places = {k for k, g in groups.items() if g.kind == "place"}
        surnames = {
            fold_key(g.cands[0].name.split()[-1])
            for g in groups.values()
            if g.kind == "person" and len(g.cands[0].name.split()) > 1
        }
    covered = {i for g in groups.values() if g.kind for c in g.cands for i in range(c.start, c.end)}
    _re_mentions(doc, groups, covered)
    by_kind: dict[str, list[_Cand]] = defaultdict(list)
    for group in groups.values():
        tags = {c.label for c in group.cands} - {"", "re"}
        name = group.cands[0].name
        if tags == {"FAC"} and " " in name and typer.strength(name) < s.strong_place_weight:
            for c in group.cands:  # a building or street, not the town of White House
                c.resolve = False
        if group.kind:
            by_kind[group.kind].extend(group.cands)
    entities = (
        _places(doc, by_kind["place"], country)
        + _people(doc, by_kind["person"])
        + _organisations(doc, by_kind["organisation"])
    )
    for e in entities:
        e.mentions.sort(key=lambda m: m.start)
    return sorted(entities, key=lambda e: e.mentions[0].start)


@lru_cache(maxsize=4096)  # each quote's speaker is compared with every mention of the article
def _name_forms(text: str) -> tuple[str, str, frozenset[str]]:
    """Folded full name, folded last word and organisation words of a speaker name."""
    words = [w for w in re.split(r"\s+", text.strip()) if w]
    while words and (words[0].lower() in _DETERMINERS or words[0].lower().rstrip(".") in _TITLES):
        words = words[1:]
    name = re.sub(r"(?:'s|’s|'|’)$", "", " ".join(words))
    key = fold_key(name)
    # an organisation's words without its owner ("Russia's defense ministry")
    own = [w for w in name.split() if not re.search(r"(?:'s|’s|'|’)$", w)]
    return key, key.split()[-1] if key else "", frozenset(_org_words(" ".join(own)))


def link_mention(entities: Sequence[Entity], start: int | None, end: int | None, text: str | None = None) -> str | None:
    """The id of the entity a span or a name refers to, or None.

    By span first: a mention equal to [start, end), else the narrowest mention covering it, else the
    longest mention inside it ("French President Emmanuel Macron" -> the Macron mention). Then
    by name (the canonical strings quotes/speakers produce): the same folded name as an entity or one of
    its mentions, then a unique person with that surname, then an organisation with the same words.
    """
    if start is not None and end is not None:
        pairs = [(m, e) for e in entities for m in e.mentions]
        exact = [e for m, e in pairs if m.start == start and m.end == end]
        if exact:
            return exact[0].id
        covering = [(m.end - m.start, e) for m, e in pairs if m.start <= start and end <= m.end]
        if covering:
            return min(covering, key=lambda x: x[0])[1].id
        # a place inside a longer speaker span is rarely the speaker ("Kyiv's mayor") unless it is most
        # of the span ("Kyiv's troops")
        inside = [
            (m.end - m.start, e)
            for m, e in pairs
            if start <= m.start and m.end <= end and (e.kind != "place" or 2 * (m.end - m.start) >= end - start)
        ]
        if inside:
            return max(inside, key=lambda x: x[0])[1].id
    if not text:
        return None
    key, last, words = _name_forms(text)
    if not key:
        return None
    for e in entities:
        if key == fold_key(e.name) or any(key == _name_forms(m.text)[0] for m in e.mentions):
            return e.id
    people = [e for e in entities if e.kind == "person" and fold_key(e.name).split()[-1] == last]
    if len(people) == 1:
        return people[0].id
    orgs = [
        e
        for e in entities
        if e.kind == "organisation" and words and any(frozenset(_org_words(m.text)) == words for m in e.mentions)
    ]
    return orgs[0].id if len(orgs) == 1 else None
