"""One settings object for the whole pipeline.

Every number that decides something lives here, grouped by stage, with a comment saying how it was
chosen. Values come from the defaults below, then an optional TOML file (``storyline.toml`` or
``--config``), then environment variables ``STORYLINE_<SECTION>__<NAME>`` (e.g.
``STORYLINE_INGEST__MAX_FILE_BYTES=1000000``).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class IngestSettings:
    """Limits that keep reading bounded whatever the input."""

    # A 200 MB text file is refused rather than read: no news article is near 20 MB.
    max_file_bytes: int = 20_000_000
    # Decompressed size cap for one archive member (zip-bomb guard).
    max_decompressed_bytes: int = 50_000_000
    # Total decompressed bytes read from one archive or one single-file gzip stream (streamed content).
    max_archive_bytes: int = 500_000_000
    # Archive members read at most (zip with a million tiny files: a zip declaring more is refused).
    max_archive_members: int = 100_000
    # JSON nesting deeper than this is refused before parsing (Python's json recursion limit is ~1000).
    max_json_depth: int = 64
    # Records read from one JSONL / feed / WARC file.
    max_records_per_file: int = 1_000_000
    # Archives inside archives opened at most this deep (a zip of tar.gz files is depth 2): real
    # dumps nest one or two levels; deeper nesting is a recursive-bomb pattern.
    max_archive_depth: int = 3
    # Bytes read from the start of a file to detect its shape: enough to see a first JSONL record
    # whole, an XML prolog with comments before <rss>, and a tar header (needs 512).
    sniff_bytes: int = 65_536
    # A file whose sniffed bytes are more than this share control characters (NUL, ESC, ...) is
    # binary: text in any encoding has next to none, images and executables have several percent.
    binary_control_share: float = 0.01


@dataclass
class CleanSettings:
    """Furniture removal and metadata inference."""

    # Repetition rule (clean/repetition.py). Articles of one outlet are first grouped into families
    # (copies of one story); a short line is chrome when it recurs in at least this many families...
    # 3: two articles sharing a line can be coincidence (the same quote, a stock background line);
    # three unrelated stories ending on the same line are site chrome.
    repeated_line_min_articles: int = 3
    # ...and in at least this share of the outlet's families. 0.5: chrome (footers, promos, "follow
    # us") sits on most pages; background sentences an outlet re-uses across a running story appear in
    # fewer, and must stay article text.
    repeated_line_share: float = 0.5
    # Lines longer than this are never treated as furniture by the repetition rule: long
    # paragraphs repeated across articles are syndicated text, not chrome (of the 85 furniture lines
    # the pattern rules remove on the AEB pages, 90% are under 125 characters and all but one under 200).
    repeated_line_max_chars: int = 200
    # Two articles of one outlet sharing at least this share of their paragraphs (Jaccard) are copies
    # of one story and count once: re-published text is not chrome however often it recurs.
    repeated_line_copy_overlap: float = 0.5
    # Undo a tokeniser's spacing ("6. 1 - magnitude", "230, 000") in texts taken from NLP corpora
    # (clean/detokenize.py); prose is never touched, so this only matters for such corpora.
    detokenize: bool = True


@dataclass
class StoreSettings:
    """Where articles are stored."""

    url: str = "sqlite:///storyline.db"
    # Articles written per transaction during ingest: a crash loses at most one batch, which the
    # next run re-ingests (ingest is idempotent).
    batch_size: int = 200
    # SQLite only: how long a writer waits for another process's transaction before failing. A batch
    # commits in well under a second, so 30 s only runs out when another process is stuck.
    busy_timeout_s: float = 30.0
    # Keep the sentence embeddings that copies and reconcile compute (1.5 KB a sentence; about 25 KB per
    # article of a multi-article story), so a story rebuilt after it grew embeds only its new sentences.
    keep_embeddings: bool = True


@dataclass
class ClusterSettings:
    """Online story clustering (weights and thresholds chosen on ECB+; see docs/stages/cluster.md)."""

    # Pseudo-documents behind the word-frequency prior of the online IDF.
    prior_documents: float = 1000.0
    # The title counts this many times among an article's terms.
    title_repeat: int = 2
    term_weight: float = 1.0
    # Names, years and figures count twice as much as words (ECB+ B-cubed F1 fixed / shuffled mean of 5 orders,
    # with name words, figure units and the year conflict: 1.0 -> 0.887 / 0.907, 2.0 -> 0.914 / 0.922, 3.0 -> 0.909
    # / 0.918).
    name_weight: float = 2.0
    # Lead embeddings, counted above ``embedding_floor``: ECB+ B-cubed F1 over 3 orders 0.876 without,
    # 0.885 with weight 1.0 (0.878 with 0.5).
    embedding_weight: float = 1.0
    # An article joins the best story at or above this blended similarity, else starts a story
    # (ECB+ B-cubed F1 over 3 orders, embeddings and numbers in anchors: 0.2 -> 0.867, 0.25 -> 0.887,
    # 0.3 -> 0.892, 0.35 -> 0.870; re-checked with the year conflict and name weight 2, fixed / shuffled mean:
    # 0.27 -> 0.894 / 0.914, 0.3 -> 0.914 / 0.922, 0.33 -> 0.904 / 0.914).
    join_threshold: float = 0.3
    # A second story this close to the article is merged into the first (a bridging article);
    # 0.4 measured best of 0.3-0.5 on ECB+ (re-checked: 0.5 -> 0.905 / 0.911 against 0.914 / 0.922).
    merge_threshold: float = 0.4
    # Days between an article and a story's span before the story starts to fade, and its half-life.
    grace_days: float = 3.0
    half_life_days: float = 4.0
    # Candidate search: the article's heaviest terms looked up, stories scored in full, terms kept per story,
    # stories kept per term (least recently updated dropped): these bound the work per article.
    query_terms: int = 20
    max_candidates: int = 20
    story_terms: int = 200
    posting_limit: int = 500
    # The similarity to a story is multiplied by this when the article and the story both mention years
    # and share none (ECB+ B-cubed F1 fixed / shuffled mean: 1.0 -> 0.892 / 0.906, 0.8 -> 0.914 / 0.922, 0.6 ->
    # 0.904 / 0.917).
    year_conflict_factor: float = 0.8
    # Lead-embedding cosine below this counts as no evidence (unrelated news leads score 0.4-0.5).
    embedding_floor: float = 0.4
    # Characters of title + text embedded per article.
    lead_chars: int = 600
    use_embeddings: bool = True
    # A story keeps its members while it holds at most this many articles (0: never) and splits in two when the
    # years most members of each of the two groups they form mention differ and the groups' mean similarity is
    # below ``split_threshold`` (ECB+ B-cubed F1 fixed / shuffled mean with the absorption below: 4 -> 0.932 /
    # 0.925, 6 -> 0.931 / 0.929, 8 -> 0.929 / 0.928, 10 -> 0.926 / 0.928; threshold 0.25 -> 0.919 / 0.925, 0.35 ->
    # 0.930 / 0.929; on similarity alone, without years, 0.15-0.25 -> 0.912-0.915 / 0.921).
    split_members: int = 6
    split_threshold: float = 0.3
    # A single-article story among an article's candidates joins the story the article went to when its article
    # scores this much against it (0.29 -> 0.930 / 0.928, 0.3 -> 0.931 / 0.929, 0.31 -> 0.926 / 0.927).
    absorb_threshold: float = 0.3


@dataclass
class HtmlSettings:
    """HTML article extraction (trafilatura for the body); measured with benchmarks/extraction.py."""

    # trafilatura's precision mode: aeb body F1 0.964 against 0.960 by default (favor_recall: 0.959).
    favor_precision: bool = True
    # Tables kept: dropping them lowered aeb body F1 from 0.960 to 0.957.
    include_tables: bool = True
    # A second, plain fast trafilatura pass that checks the main one (aeb body F1 0.964 -> 0.971).
    check_pass: bool = True
    # The main pass took the whole page when it is this many times longer than a plain pass that
    # itself found an article of at least ``bloat_min_words`` words (2.5-4 and 100 measure the same).
    bloat_ratio: float = 3.0
    bloat_min_words: int = 100
    # The main pass kept a scrap when it has fewer words than this and the plain pass found
    # ``starved_ratio`` times as many (a real 100-word brief must survive: the limit stays well under it).
    starved_max_words: int = 50
    starved_ratio: float = 4.0
    # Of a JSON-LD headline and og:title that disagree, take the one the <title> does not repeat (fundus
    # title accuracy 0.8721 -> 0.9070: 22 pages fixed, 13 broken, 18 publishers against 13, so weak
    # evidence; an <h1> or twitter:title witness instead: +1 / +0). docs/stages/extraction.md.
    headline_apart_from_title: bool = True


@dataclass
class QuotesSettings:
    """Quote and reported-speech extraction (annotate/quotes.py, annotate/speakers.py)."""

    # A quoted span shorter than this many tokens that does not end an utterance ("…," / "….") is a
    # scare quote or a title, never a quote.
    min_direct_quote_tokens: int = 4
    # A quote is "direct" when at least this share of its content's characters lies inside quotation
    # marks, "mixed" when some does. Set by hand: a closing "he said" outside the marks is tolerated.
    direct_share: float = 0.8
    # A pronoun / role noun resolves only to a name mentioned at most this many characters earlier
    # (about four news paragraphs; further back a reader would repeat the name).
    max_antecedent_chars: int = 2500
    # Distance multiplier for an entity that was already the speaker of an earlier quote: news text
    # keeps "he said" for the person quoted just before. Hand-set, checked on the unit fixtures only.
    recent_speaker_factor: float = 0.5
    # Distance multiplier for "the president" resolving to a name never seen with that role noun.
    untitled_role_penalty: float = 3.0
    # A role noun with no earlier compatible name ("…, the country's president has said.") takes the
    # first one named at most this many characters after it (the next sentence or two of a news lead).
    max_cataphor_chars: int = 300
    # Keep only quotes whose speaker resolves to a named person / organisation or is an organisation
    # noun ("the police"); speakers such as "critics", "videos" or an agentless passive ("it was
    # said") are dropped. The PolNeAR benchmark scores every attribution, so it turns this off.
    named_speakers_only: bool = True
    # Run all-MiniLM-L6-v2 over sentences with a cue word or quotation for the tagger's context
    # features. Only acts on a model trained with them (train_attribution.py --context-dims), which
    # needs it on; the shipped model is not: on the train hold-out they gained <= 0.007 F1 for ~50 s
    # per 100 articles (docs/stages/quotes.md), so off.
    context_vectors: bool = False
    # The attribution tagger: "transformer" (all-MiniLM-L6-v2 fine-tuned on PolNeAR train,
    # annotate/piece_tagger.py) or "crf" (the feature CRF over the spaCy parse, annotate/attribution.py).
    # The transformer scores higher on the train hold-out and on dev (docs/stages/quotes.md); the CRF
    # costs less CPU (docs/stages/throughput.md).
    tagger: str = "transformer"


@dataclass
class QuantitiesSettings:
    """Quantity extraction (benchmarks/quantities.py)."""

    # A bare four-digit integer in this window, with no unit, bound or multiplier, is read as a year,
    # not a count: news years run from history (1000) to climate targets and projections (2200),
    # while bare counts in that window ("1,500 people") are nearly always written with a thousands comma.
    year_min: int = 1000
    year_max: int = 2200
    # Digit groups ("020 7946 0958") are a phone number from this many digits: national numbers have 9-11,
    # while "5 10 15" or "2 3 4" lists stay numbers.
    phone_min_digits: int = 9
    # "Maddon, 66, said": a bare integer in commas after a name is an age up to this (oldest people ~120).
    max_age: int = 120
    # "from $36,040 at 10.45pm last night to $34,935": characters between "from X" and "to Y" still read
    # as one change (NewsQuant annotates it as a range); a clause or more apart they are two values.
    from_to_gap: int = 40
    # "517 rushing yards": characters of modifiers between a count and a unit word that becomes its unit.
    unit_noun_gap: int = 20


@dataclass
class PlacesSettings:
    """Place resolution (annotate/places.py); weights chosen on the LGL/TR-News runs of benchmarks/places.py."""

    # Prior bonuses (in log10-population units) by feature: a name that is a country's or continent's
    # is nearly always meant as that ("Georgia" aside, which context then settles).
    country_bonus: float = 3.0
    continent_bonus: float = 3.0
    admin1_bonus: float = 1.5
    region_bonus: float = 1.0
    capital_bonus: float = 1.0
    # The name is the entry's main name, not one of its alternate names.
    main_name_bonus: float = 1.0
    # A region yields to the same-named city inside it ("Lviv") unless the name says "region".
    region_named_like_city_penalty: float = 2.0
    # ... and to a same-named national capital anywhere in the country ("Washington").
    capital_names_country: bool = True
    region_words: tuple[str, ...] = (
        "region", "oblast", "province", "state", "county", "parish", "governorate", "prefecture", "district",
    )
    # Context support per other name of the article in the same country / first-level region / nearby.
    country_weight: float = 1.0
    # 1.5 before co-location (below), which rewards same-region neighbours too; with it, LGL / TR-News
    # 0.869 / 0.849 at 0.5, 0.870 / 0.857 at 1, 0.872 / 0.853 at 1.5.
    admin1_weight: float = 1.0
    # Bonus when the first-level region a candidate lies in is itself named ("Paris ... Texas"). Hand-set:
    # it costs 0.1-0.3 points on the benchmark (0 scores best there) but one named state must be able
    # to move a town out of a bigger namesake's shadow.
    container_weight: float = 1.0
    near_weight: float = 0.5
    near_km: float = 161.0
    # Bonus per other name read as a first-level region of the same country (capped at support_cap): a name
    # among other states is a state too ("Florida, Virginia ... Delaware", not Delaware County). Regions that
    # yield to a same-named city get none. acc@161 LGL / TR-News: 0.8705 / 0.8580 without, 0.8705 / 0.8580 at
    # 0.5, 0.8705 / 0.8612 at 1, 0.870 / 0.8612 at 1.5-3; given to yielding regions too, 0.8702 / 0.8580 at 1
    # (Washington the state beats the capital in datelines).
    sibling_weight: float = 1.0
    # Co-location (first round): bonus per other name (capped at support_cap) that has *any* of its first
    # colocate_candidates candidates within near_km, whatever its reading ("London ... St. Thomas": the
    # London in Ontario). acc@161 LGL / TR-News: 0.860 / 0.850 without, 0.866 / 0.849 at 0.5, 0.870 /
    # 0.857 at 0.75-1.5, 0.870 / 0.856 at 2. Candidates: 0.862 at 5, 0.868 at 20 or 40 on LGL (TR-News
    # 0.857 throughout). Counted in the second round too it keeps pulling towards namesakes the other names
    # were not read as ("Windsor" next to a London read as Ontario's): 0.871 / 0.849 at 1. Weighting each
    # other name by its candidate's prior probability instead of 1: at best 0.867 / 0.847.
    colocate_weight: float = 1.0
    colocate_candidates: int = 10
    # ... plus this bonus per other name within close_km (a town in its county, a suburb of its city).
    # LGL / TR-News from 0.8707 / 0.8620 without: 0.8765 at 0.5 and 0.8788 at 1 (40 km); 0.8770 at 0.5,
    # 0.8794 at 1, 0.8805 at 1.5 and 2 (20 km; TR-News 0.8612 at 2); 0.8749 at 1 (10 km); 0.8797 at 1 and
    # 0.8810 / 0.8627 at 1.5 (30 km); 0.8801 / 0.8627 at 1.5 (40 km). Also counted in round two on the
    # first-round readings: 0.8817 / 0.8627 at 0.5, 0.8814 / 0.8596 at 1, so not.
    close_weight: float = 1.5
    close_km: float = 30.0
    # A name repeated n times counts 1 + repeat_weight * log2(n) as context.
    repeat_weight: float = 1.0
    # Support from other names counts up to this many names (one long list of towns must not swamp all).
    support_cap: float = 3.0
    # Bonus for the country in focus (PlaceContext.country, e.g. places.country_of_url of the outlet):
    # worth two other names of the article in that country. With the outlet's ccTLD as focus, LGL / TR-News
    # 0.867 / 0.855 with no focus, 0.868 / 0.855 at 1, 0.870 / 0.857 at 2, 0.872 / 0.857 at 3; not more
    # than 2 (below the support cap), so an outlet's foreign news is not pulled home by the domain alone.
    focus_weight: float = 2.0
    # Candidates kept per name, by prior: bounds the work per article.
    max_candidates: int = 40


@dataclass
class TimesSettings:
    """Resolving time expressions against the publication date."""

    # A month or date named without a year ("Nov. 16", "in January") is the last one on or before
    # publication, unless the clause is in the future tense or the next one starts within this many days
    # (also after a past-tense cue; letting the cue override it cost 0.01 accuracy): news announces dates weeks
    # ahead. Chosen on TempEval-3 training data (benchmarks/times.py, exact-string values): value accuracy
    # 0.822 at 0 days, 0.835 at 30, 0.837 from 60 to 90 (plateau), 0.836 at 120, 0.830 at 180. Re-checked after
    # the anaphora changes: 0.838 at 0, 0.851 at 30, 0.853 at 60, 0.852 at 90, 0.852 at 120, 0.845 at 180. Since
    # quarters and holidays use it too: 0.850 at 0, 0.863 at 30, 0.865 at 60, 0.864 at 90, 0.856 at 180.
    future_window_days: int = 60
    # Characters of the same clause searched for the nearest tense cue ("will", "planned", "said", "-ed")
    # before an expression, and half as many after it. Value accuracy 0.835 at 40, 0.837-0.838 from 80 to 160
    # characters: 80 (start of the plateau). Re-checked after the anaphora changes: 0.850 at 40, 0.853 at 80,
    # 0.854 at 120 and 160 (2 expressions of 1822): kept.
    cue_window_chars: int = 80


@dataclass
class CopySettings:
    """Copy and rewrite detection (cluster/copies.py); values checked with benchmarks/copies_scale.py."""

    # Words per shingle: 5 is the usual near-duplicate unit (shorter shingles match common phrases).
    shingle_words: int = 5
    # MinHash permutations per signature (two signatures per article).
    num_perm: int = 64
    # LSH threshold on shingle Jaccard: low so texts sharing a long wire passage are found too.
    shingle_lsh_threshold: float = 0.2
    # Sentence-key index: an earlier article sharing keys in at least this many sentences is a candidate...
    candidate_sentences: int = 2
    # ...and either shares a key in this share of the sentences of the article with fewer (a rewrite
    # shares one in most), or shares a sentence word for word (wire copy). Without it, a 10,000-article
    # stream of same-topic articles filled every article's 20 candidate slots (verification dominated).
    candidate_share: float = 0.3
    # ...and a key remembers this many latest articles (a key shared by more is common, not a copy signal).
    posting_limit: int = 100
    # Candidates verified per arriving article at most (best signature estimate first).
    max_candidates: int = 20
    # Words of an article considered at most (bounds the memory kept per article).
    max_words: int = 5000
    # Articles kept in the index; the oldest are forgotten past this.
    max_articles: int = 200_000
    # Shingle Jaccard from which two texts are duplicates.
    duplicate_jaccard: float = 0.8
    # Sentences with fewer content words than this are not aligned (datelines, captions).
    min_sentence_words: int = 4
    # Lexical cosine from which two sentences align, and from which embeddings are asked to confirm.
    sentence_similarity: float = 0.5
    embedding_band: float = 0.3
    # Embedding cosine that confirms a grey-zone sentence pair (true paraphrases measured 0.65-0.86, other
    # sentences of the same report up to 0.4). Off by default: on the 2-core machine MiniLM costs about a
    # second per article encoded, and same-topic streams pass the gate often (docs/stages/copies.md).
    embedding_similarity: float = 0.7
    use_embeddings: bool = False
    # Embeddings are computed only for a pair whose lexical alignment already covers this share of the
    # shorter article; and kept for this many latest articles.
    embedding_gate: float = 0.3
    embedding_cache: int = 2000
    # A rewrite aligns this share of the shorter article's content words, with this share in order.
    rewrite_coverage: float = 0.6
    rewrite_order: float = 0.7
    # ...with at least this many aligned sentences (two short texts on one event align a sentence or two).
    rewrite_min_sentences: int = 3
    # A verbatim passage reported at least this long; a wire passage at least this long.
    passage_min_words: int = 10
    wire_min_words: int = 30
    # Shared wire: each article keeps this share of its words outside what is aligned...
    wire_own_share: float = 0.25
    # ...and the verbatim passages make up at least this share of what is aligned.
    wire_verbatim_share: float = 0.5


@dataclass
class EntitySettings:
    """Entity typing (annotate/entities.py): votes for reading a name as a place, person or organisation.

    Hand-set on unit fixtures and the examples/ articles, then checked on the LGL toponyms
    (benchmarks/entities.py, docs/stages/entities.md); no value is keyed to a sample name.
    """

    # A gazetteer city from this population is a strong place reading (as are countries, continents,
    # first-level and well-known regions and national capitals): ~4,000 cities worldwide, the ones a
    # reader knows by name; below it a name needs a place context ("in Mariupol") to beat a PERSON tag.
    sizeable_population: int = 100_000
    # A bare all-capitals code is a strong place reading only as the initials of a place this large ("UK",
    # "UAE", "NYC", "LA"); other codes that the gazetteer knows ("ARM" Armenia's ISO code, "SM" San Marino,
    # "BB" Bielsko-Biala) need a place context. Hand-set: above the places whose initials are also common
    # company and product codes (Bielsko-Biala, 0.2 M), below Los Angeles and the listed countries.
    code_population: int = 1_000_000
    # The share of a name's mentions with an NER label of that kind counts up to this.
    ner_weight: float = 1.0
    # Gazetteer support: strong beats an unsupported NER label (1.0), weak does not on its own.
    strong_place_weight: float = 1.5
    weak_place_weight: float = 0.5
    # Times the share of mentions in a place context ("in X", "the X region"): a weak gazetteer reading
    # in place contexts beats a PERSON/ORG tag (0.5 + 1.0 > 1.0), a strong one needs none.
    place_context_weight: float = 1.0
    # Person evidence (share of titled mentions, a known first name, a fuller name with this surname) and
    # a word of the name saying its kind ("Ministry", "Street"): one piece outweighs the NER label and a
    # strong gazetteer reading.
    person_evidence_weight: float = 2.0
    kind_word_weight: float = 2.0


@dataclass
class AnnotateSettings:
    """How the annotation pipeline runs (its components have their own sections)."""

    # Articles handed to the pipeline at once, and docs per spaCy batch.
    batch_size: int = 256
    spacy_batch_size: int = 32
    # Worker processes annotating at once (1: in-process), capped at the CPUs available and at one per
    # ``min_articles_per_process`` articles: a worker's start (spawn, imports, model and gazetteer load,
    # about 2 CPU-s) costs as much as annotating 10-15 articles, so small runs (tests, one article) stay in-process.
    n_process: int = 2
    min_articles_per_process: int = 64
    # Load the model on FastNumpyOps (annotate/fastops.py): numpy's matrix product, same output, ~1.4x faster.
    fast_ops: bool = True
    # attribute_ruler + lemmatizer worked out once per distinct token (annotate/fastops.py TokenRules): same output.
    token_rules: bool = True


@dataclass
class ClaimSettings:
    """Claims grouped across sources and the brief (reconcile/claims.py, reconcile/brief.py).

    Chosen on the development cluster (examples/kharkiv-2022-09) and the texts in tests/reconcile; see
    docs/stages/reconcile-claims.md for what was measured.
    """

    # A claim sentence has at least this many content words (shorter: datelines, captions, labels). On the
    # dev cluster 4, 5 and 6 keep 63, 62 and 61 of 85 sentences: the value matters little.
    min_content_words: int = 5
    # Two sentences of different articles are candidates when they share this many content keys (stemmed
    # words, entity ids, figures, times) and this IDF-weighted share of the smaller key set. On the dev
    # cluster every same-fact pair confirmed by embeddings shared >= 3 keys and had an overlap >= 0.15.
    candidate_shared: int = 3
    candidate_overlap: float = 0.15
    # Keys found in more sentences than this propose no candidate pairs (they still score). Above the size
    # of a typical story (the dev cluster has 62 claim sentences), so it only bounds the work on large ones.
    max_posting: int = 500
    # A candidate at or above this overlap is accepted without embeddings (a copy or near copy).
    lexical_accept: float = 0.7
    # Embedding cosine (all-MiniLM-L6-v2) that confirms a candidate below ``lexical_accept``. Dev cluster,
    # 141 candidate pairs judged by hand: from 0.65, 12 same-fact pairs and 3 not (the grouping's linkage
    # keeps those 3 out); between 0.60 and 0.65, 3 same-fact pairs and 8 not.
    embedding_similarity: float = 0.65
    use_embeddings: bool = True
    # Two groups merge only when this share of their cross pairs were accepted (stops chaining A~B~C).
    # Dev cluster: 0 (single link) chained the withdrawal statements with the cities left into one group
    # of 8; 1.0 split the five wordings of the withdrawal into 3 + 2; 0.5 keeps the five together.
    group_link_share: float = 0.5
    # A verification disclaimer ("X cannot verify these figures") hedges the claim before it when it has at
    # most this many content words of its own.
    disclaimer_max_words: int = 6
    # Brief: sentences by default and the allowed range.
    brief_sentences: int = 7
    brief_min: int = 5
    brief_max: int = 10
    # MMR trade-off between relevance and novelty (1: relevance only), and the share of relevance given to
    # the claims' order (lead position) rather than corroboration. With a rank weight of 0.001 the dev brief
    # filled its single-source slots with the most novel sentences, a hedged aside first; 0.3 takes leads.
    mmr_lambda: float = 0.7
    rank_weight: float = 0.3
    # A claim whose content keys have this cosine with a picked sentence is a repeat, never picked.
    brief_max_overlap: float = 0.6
    # A citation supports a brief sentence when it is that sentence or shares this share of its content keys.
    citation_support: float = 0.5


@dataclass
class QuoteGroupSettings:
    """Entities merged and quotes grouped across a story's articles (reconcile/entities.py, reconcile/quotes.py).

    Set on hand-written pairs (tests/reconcile) and the examples/ story, checked on ECB+ dev stories;
    see docs/stages/reconcile-quotes.md. No value is keyed to a sample quote or name.
    """

    # difflib ratio at which two folded surnames (same first letter) are one name transliterated
    # differently: "medvedchuk"/"medvedtchouk" is 0.91, while different surnames sharing a first letter
    # rarely pass 0.8 ("putin"/"pushkin" 0.67).
    name_similarity: float = 0.85
    # Scores of quote pairs from different articles of the examples/ story: same-statement pairs (verbatim,
    # translated, paraphrased) have a mean of lexical and embedding score of 0.60-0.81, while unrelated
    # quotes of one story reach MiniLM cosines of 0.67 and lexical scores of 0.80 (a short content inside
    # a long one) on their own, but rarely both. So: two contents are one statement when the mean of the
    # IDF-weighted share of the shorter one's word stems found in the other and their MiniLM cosine
    # reaches combined_link; one score alone links only when very high (a verbatim copy; a translation
    # with few shared words).
    combined_link: float = 0.6
    lexical_link: float = 0.75
    embedding_link: float = 0.8
    # A speaker only known as a place or nationality ("Moscow said", "Ukrainian officials") or not at all
    # needs this much more on every score: such quotes are more numerous and less constrained.
    unresolved_margin: float = 0.05
    # Contents with fewer content words ("heroes", "the suspect", "major gains in the region") link on
    # the embedding score alone: containment of so few words is chance (on ECB+ dev it grouped
    # "the suspect" with "a suspect to surrender").
    min_content_words: int = 5
    # Single-version groups are kept so every quote of the story appears once in the account.
    keep_singletons: bool = True


@dataclass
class FigureSettings:
    """Figure series, timeline and discrepancies (reconcile/figures.py, timeline.py, discrepancies.py).

    Chosen on the development cluster (examples/kharkiv-2022-09) and the texts in tests/reconcile; see
    docs/stages/reconcile-figures.md for what was measured.
    """

    # An inferred publication window wider than this many days is no date: the article is anchored on its
    # story instead (the dev cluster's undated BBC page had a nine-year window).
    max_window_days: int = 7
    # Days before the earliest and after the latest dated article of the story that an undated article's
    # anchor is searched in (a story's coverage runs a few days; a weekday is named for at most a week).
    anchor_slack_days: int = 3
    # A clause shorter than this many words ("Last Thursday") is widened over its neighbours.
    event_min_words: int = 6
    # Embedding cosine (all-MiniLM-L6-v2, time expressions left out) at which two articles' clauses with the
    # same date are one timeline event. Dev cluster: the same-event pair 0.77, different events <= 0.45. On the
    # ECB+ probe (docs) 4% of merges joined two like events of different stories.
    merge_similarity: float = 0.6
    use_embeddings: bool = True
    # Date discrepancy: two clauses of different sources, dated at most this many days apart (the same event
    # is told a day off across midnight or against another publication day; on the ECB+ probe, docs, 14 of the
    # 20 false pairs left at 3 days were 2-3 days apart, 6 one day), with at least this embedding cosine and
    # a shared content word that is neither a name nor a common word (more tests in reconcile/discrepancies.py).
    # On the dev cluster the one true pair scored 0.47-0.51 and the highest other dated-clause pair 0.42.
    date_gap_days: int = 1
    discrepancy_similarity: float = 0.45
    # Clauses with fewer content words once their time expressions are left out are not compared (datelines
    # such as "21 July 2013 Last updated at 11:11 GMT").
    event_min_content_words: int = 4
    # Shared event words must be rarer than this Zipf frequency: "said" 6.0, "made" 5.9 and "people" 6.3 are
    # too common to name an event; "power" 5.5, "city" 5.6, "strikes" 4.3 are not.
    event_word_max_zipf: float = 5.8
    # A series needs this many points (a lone quantity measures nothing over time).
    min_points: int = 2
    # Approximate bounds ("about", "some") widen the rounding interval by this factor.
    approximate_factor: float = 2.0
    # A count below this, given without "about", is exact: "18 dead" and "20 dead" are two tolls (small counts
    # of people and things are told exactly; from 100 up trailing zeros are rounding, 2,300 is +-50).
    exact_count_below: int = 100
    # An outcome word ("killed", "injured") names what a count counts when it stands at most this many words
    # from the number in its clause: "Five people had so far been confirmed dead" is six.
    outcome_max_words: int = 6


@dataclass
class Settings:
    """All settings, one section per stage."""

    ingest: IngestSettings = field(default_factory=IngestSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    html: HtmlSettings = field(default_factory=HtmlSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    annotate: AnnotateSettings = field(default_factory=AnnotateSettings)
    quotes: QuotesSettings = field(default_factory=QuotesSettings)
    quantities: QuantitiesSettings = field(default_factory=QuantitiesSettings)
    places: PlacesSettings = field(default_factory=PlacesSettings)
    times: TimesSettings = field(default_factory=TimesSettings)
    copies: CopySettings = field(default_factory=CopySettings)
    entities: EntitySettings = field(default_factory=EntitySettings)
    claims: ClaimSettings = field(default_factory=ClaimSettings)
    quote_groups: QuoteGroupSettings = field(default_factory=QuoteGroupSettings)
    figures: FigureSettings = field(default_factory=FigureSettings)

    @classmethod
    def load(cls, path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
        """Defaults, overridden by a TOML file (if given or ``./storyline.toml`` exists), then by env."""
        settings = cls()
        toml_path = Path(path) if path else Path("storyline.toml")
        if path or toml_path.exists():
            with open(toml_path, "rb") as fh:
                _apply(settings, tomllib.load(fh), str(toml_path))
        env = os.environ if env is None else env
        overrides: dict[str, dict[str, Any]] = {}
        for key, value in env.items():
            if key.startswith("STORYLINE_") and "__" in key:
                section, _, name = key[len("STORYLINE_") :].lower().partition("__")
                overrides.setdefault(section, {})[name] = value
        _apply(settings, overrides, "environment")
        return settings


def _apply(settings: Settings, data: dict[str, Any], origin: str) -> None:
    for section_name, values in data.items():
        section = getattr(settings, section_name, None)
        if section is None or not dataclasses.is_dataclass(section):
            raise ValueError(f"{origin}: unknown settings section {section_name!r}")
        for name, value in values.items():
            if not hasattr(section, name):
                raise ValueError(f"{origin}: unknown setting {section_name}.{name}")
            current = getattr(section, name)
            setattr(section, name, _coerce(value, current, f"{section_name}.{name}", origin))


def _coerce(value: Any, current: Any, name: str, origin: str) -> Any:
    if not isinstance(value, str) or isinstance(current, str):
        return value
    try:
        if isinstance(current, bool):
            return value.lower() in {"1", "true", "yes", "on"}
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
    except ValueError as exc:
        raise ValueError(f"{origin}: {name}: {value!r} is not a {type(current).__name__}") from exc
    return value
