"""Unit lexicon for news text and its normalisation with pint.

Each :class:`UnitDef` names a unit the way CQE/quantulum3 name theirs (``kilometre``, ``mile per hour``,
``percentage``), lists the spellings newspapers use (case-sensitive symbols such as ``km`` or ``GB``,
case-insensitive words with their plurals) and says how pint reads it. Currencies are kept as ISO 4217
codes: no exchange rate is applied, so ``normalized_unit`` of a dollar amount is ``USD``.
Ages (``year of age``, ``month of age`` ...) get their own dimension, ``[age]``, in years: an age is not a
duration.

One pint ``UnitRegistry`` is built lazily, once per process, with a few definitions pint lacks
(``ppb``, ``basis_point``, ``decade`` as ten years rather than pint's logarithmic decade).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

UnitKind = Literal["physical", "currency", "ratio"]
# The dimension of ages ("50-year-old"), kept apart from durations as "[currency]" keeps money apart.
AGE_DIMENSION = "[age]"


@dataclass(frozen=True)
class UnitDef:
    """One unit: its name, how pint reads it and its kind."""

    name: str
    pint: str | None
    kind: UnitKind = "physical"
    code: str | None = None  # ISO 4217 code for currencies


# name, pint expression, symbols (case-sensitive), words (case-insensitive; plurals added)
_PHYSICAL: list[tuple[str, str | None, tuple[str, ...], tuple[str, ...]]] = [
    # length
    ("kilometre", "km", ("km", "kms", "Km", "KM"), ("kilometre", "kilometer", "klick")),
    ("metre", "m", ("m",), ("metre", "meter")),
    ("centimetre", "cm", ("cm",), ("centimetre", "centimeter")),
    ("millimetre", "mm", ("mm",), ("millimetre", "millimeter")),
    ("micrometre", "um", ("μm", "µm"), ("micrometre", "micrometer", "micron")),
    ("nanometre", "nm", ("nm",), ("nanometre", "nanometer")),
    ("mile", "mile", ("mi",), ("mile", "statute mile")),
    ("nautical mile", "nautical_mile", ("nmi",), ("nautical mile",)),
    ("yard", "yard", ("yd", "yds"), ("yard",)),
    ("foot", "foot", ("ft", "′"), ("foot", "feet")),
    ("inch", "inch", ("″",), ("inch",)),
    ("light-year", "light_year", (), ("light-year", "light year")),
    # area
    ("square kilometre", "km**2", ("km²", "km2", "sq km", "sq. km", "sqkm"),
     ("square kilometre", "square kilometer")),
    ("square metre", "m**2", ("m²", "m2", "sq m", "sqm", "sq. m"), ("square metre", "square meter")),
    ("square mile", "mile**2", ("sq mi", "sq miles", "sq mile", "sq. miles", "sq. mi"), ("square mile",)),
    ("square foot", "foot**2", ("sq ft", "sq. ft", "sq feet", "sqft", "ft²"), ("square foot", "square feet")),
    ("square yard", "yard**2", ("sq yd",), ("square yard",)),
    ("hectare", "hectare", ("ha",), ("hectare",)),
    ("acre", "acre", (), ("acre",)),
    # volume
    ("litre", "liter", ("L", "ltr"), ("litre", "liter")),
    ("millilitre", "milliliter", ("ml", "mL"), ("millilitre", "milliliter")),
    ("cubic metre", "m**3", ("m³", "m3", "cu m"), ("cubic metre", "cubic meter")),
    ("cubic foot", "foot**3", ("cu ft",), ("cubic foot", "cubic feet")),
    ("gallon", "gallon", ("gal",), ("gallon",)),
    ("barrel", "oil_barrel", ("bbl",), ("barrel",)),
    ("barrel of oil", "oil_barrel", (), ("barrel of oil", "barrels of oil")),
    ("barrel per day", "oil_barrel/day", ("bpd", "b/d"), ("barrel per day", "barrels per day", "barrel a day",
                                                          "barrels a day", "barrel-a-day", "barrels-a-day")),
    ("pint", "pint", (), ("pint",)),
    ("quart", "quart", (), ("quart",)),
    # mass
    ("kilogram", "kg", ("kg", "kgs"), ("kilogram", "kilogramme", "kilo")),
    ("gram", "g", ("g", "gm"), ("gram", "gramme")),
    ("milligram", "mg", ("mg",), ("milligram", "milligramme")),
    ("microgram", "ug", ("µg", "μg", "mcg"), ("microgram", "microgramme")),
    ("metric ton", "tonne", ("t",), ("tonne", "metric ton")),
    ("short ton", "short_ton", (), ("ton",)),
    ("pound-mass", "lb", ("lb", "lbs"), ("pound",)),
    ("ounce", "oz", ("oz",), ("ounce",)),
    ("carat", "carat", ("ct",), ("carat",)),
    # time
    ("second", "s", ("s", "sec", "secs"), ("second",)),
    ("minute", "minute", ("min", "mins"), ("minute",)),
    ("hour", "hour", ("h", "hr", "hrs"), ("hour",)),
    ("day", "day", (), ("day",)),
    ("week", "week", (), ("week",)),
    ("month", "month", (), ("month",)),
    ("year", "year", ("yr", "yrs"), ("year",)),
    ("decade", "decade_span", (), ("decade",)),
    ("century", "century", (), ("century", "centuries")),
    # age
    ("year of age", "year", (), ("year-old", "years-old", "year old", "years old", "yr-old")),
    ("month of age", "month", (), ("month-old", "months-old", "month old", "months old")),
    ("week of age", "week", (), ("week-old", "weeks-old", "week old", "weeks old")),
    ("day of age", "day", (), ("day-old", "days-old", "day old", "days old")),
    # speed
    ("mile per hour", "mile/hour", ("mph", "MPH", "Mph"), ("mile per hour", "miles per hour", "mile an hour",
                                                          "miles an hour")),
    ("kilometre per hour", "km/hour", ("km/h", "kph", "km/hr", "kmh", "kmph", "KPH"),
     ("kilometre per hour", "kilometres per hour", "kilometer per hour", "kilometers per hour",
      "kilometres an hour", "kilometers an hour")),
    ("metre per second", "m/s", ("m/s",), ("metre per second", "metres per second", "meter per second",
                                          "meters per second")),
    ("knot", "knot", ("kt", "kts"), ("knot",)),
    ("mile per gallon", "mile/gallon", ("mpg", "MPG"), ("mile per gallon", "miles per gallon")),
    # temperature
    ("celsius", "degC", ("°C", "ºC", "C", "° C"), ("degree celsius", "degrees celsius", "celsius", "centigrade",
                                                  "degrees centigrade")),
    ("fahrenheit", "degF", ("°F", "ºF", "F", "° F"), ("degree fahrenheit", "degrees fahrenheit", "fahrenheit")),
    ("kelvin", "kelvin", (), ("kelvin",)),
    ("degree", "degree", ("°",), ("degree",)),
    # power, energy, electricity
    ("watt", "W", ("W",), ("watt",)),
    ("kilowatt", "kW", ("kW", "KW", "kw"), ("kilowatt",)),
    ("megawatt", "MW", ("MW",), ("megawatt",)),
    ("gigawatt", "GW", ("GW",), ("gigawatt",)),
    ("terawatt", "TW", ("TW",), ("terawatt",)),
    ("kilowatt hour", "kWh", ("kWh", "KWh", "kwh"), ("kilowatt hour", "kilowatt-hour")),
    ("megawatt hour", "MWh", ("MWh",), ("megawatt hour", "megawatt-hour")),
    ("gigawatt hour", "GWh", ("GWh",), ("gigawatt hour", "gigawatt-hour")),
    ("terawatt hour", "TWh", ("TWh",), ("terawatt hour", "terawatt-hour")),
    ("horsepower", "hp", ("hp", "HP", "PS"), ("horsepower",)),
    ("brake horsepower", "hp", ("bhp",), ("brake horsepower",)),
    ("joule", "J", ("J",), ("joule",)),
    ("kilocalorie", "kcal", ("kcal",), ("kilocalorie",)),
    ("calorie", "kcal", (), ("calorie",)),  # food calories are kilocalories
    ("british thermal unit", "BTU", ("BTU", "Btu"), ("british thermal unit",)),
    ("mega british thermal unit", "MMBTU", ("mmBTU", "MMBtu", "mmBtu", "MMBTU"), ()),
    ("newton metre", "N*m", ("Nm",), ("newton metre", "newton meter", "newton-metre", "newton-meter")),
    ("pound-foot", "lbf*ft", ("lb-ft", "lb ft"), ("pound-foot", "pound-feet")),
    ("volt", "V", ("V",), ("volt",)),
    ("kilovolt", "kV", ("kV",), ("kilovolt",)),
    ("ampere", "A", (), ("amp", "ampere")),
    ("milliampere-hour", "mA*h", ("mAh",), ("milliampere-hour", "milliamp-hour")),
    ("ampere-hour", "A*h", ("Ah",), ("ampere-hour", "amp-hour")),
    ("farad", "F", (), ("farad",)),
    # frequency, data, pressure, sound
    ("hertz", "Hz", ("Hz", "HZ", "hz"), ("hertz",)),
    ("kilohertz", "kHz", ("kHz",), ("kilohertz",)),
    ("megahertz", "MHz", ("MHz",), ("megahertz",)),
    ("gigahertz", "GHz", ("GHz",), ("gigahertz",)),
    ("revolutions per minute", "rpm", ("rpm", "RPM"), ("revolutions per minute", "revolution per minute")),
    ("bit", "bit", (), ("bit",)),
    ("byte", "byte", (), ("byte",)),
    ("kilobyte", "kB", ("KB", "kB"), ("kilobyte",)),
    ("megabyte", "MB", ("MB",), ("megabyte",)),
    ("gigabyte", "GB", ("GB",), ("gigabyte",)),
    ("terabyte", "TB", ("TB",), ("terabyte",)),
    ("petabyte", "PB", ("PB",), ("petabyte",)),
    ("megabit per second", "Mbit/s", ("Mbps", "Mb/s", "Mbit/s"), ("megabit per second", "megabits per second")),
    ("gigabit per second", "Gbit/s", ("Gbps", "Gb/s"), ("gigabit per second", "gigabits per second")),
    ("pascal", "Pa", ("Pa",), ("pascal",)),
    ("kilopascal", "kPa", ("kPa",), ("kilopascal",)),
    ("megapascal", "MPa", ("MPa",), ("megapascal",)),
    ("gigapascal", "GPa", ("GPa",), ("gigapascal",)),
    ("bar", "bar", (), ("bar",)),
    ("pound per square inch", "psi", ("psi",), ("pound per square inch", "pounds per square inch")),
    ("decibel", "dB", ("dB",), ("decibel",)),
    ("megapixel", "megapixel", ("MP",), ("megapixel",)),
    ("count", None, (), ("time",)),  # "6.5 times earnings": a multiple, nothing for pint to convert
]

_RATIO: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("percentage", "percent", ("%", "pc", "pct", "pct.", "percent-owned"), ("percent", "per cent", "percentage")),
    ("percentage point", "percent", ("ppt", "pp"), ("percentage point", "percentage-point")),
    ("basis point", "basis_point", ("bp", "bps", "bpts"), ("basis point", "basis-point")),
    ("parts-per-million", "ppm", ("ppm",), ("parts per million", "part per million")),
    ("parts-per-billion", "ppb", ("ppb",), ("parts per billion", "part per billion")),
]

# code, name (CQE naming), prefix symbols, words after the number (case-insensitive)
_CURRENCIES: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("USD", "dollar", ("US$", "US $", "$US", "U.S. $", "USD", "$"), ("us dollar", "u.s. dollar", "dollar", "buck")),
    ("AUD", "australian dollar", ("A$", "$A", "AU$", "AUD"), ("australian dollar",)),
    ("CAD", "canadian dollar", ("C$", "CA$", "CAD", "Can$"), ("canadian dollar",)),
    ("NZD", "new zealand dollar", ("NZ$", "NZD"), ("new zealand dollar",)),
    ("HKD", "hong kong dollar", ("HK$", "HK $", "HKD"), ("hong kong dollar",)),
    ("SGD", "singapore dollar", ("S$", "SGD"), ("singapore dollar",)),
    ("EUR", "euro", ("€", "EUR"), ("euro",)),
    ("GBP", "pound sterling", ("£", "GBP", "PS"), ("pound sterling", "pounds sterling", "sterling")),
    ("JPY", "japanese yen", ("¥", "Y=", "JPY", "JPY="), ("japanese yen", "yen")),
    ("CNY", "chinese yuan", ("CNY", "RMB", "CN¥"), ("chinese yuan", "yuan", "renminbi")),
    ("INR", "indian rupee", ("₹", "Rs", "Rs.", "INR"), ("indian rupee", "rupee")),
    ("ILS", "shekel", ("₪", "NIS", "ILS"), ("shekel", "new israeli shekel")),
    ("RUB", "russian ruble", ("₽", "RUB"), ("rouble", "ruble")),
    ("KRW", "south korean won", ("₩", "KRW"), ()),
    ("CHF", "swiss franc", ("CHF", "SFr"), ("swiss franc",)),
    ("DKK", "danish krone", ("DKK",), ("danish crown", "danish krone", "danish kroner")),
    ("SEK", "swedish krona", ("SEK",), ("swedish krona", "swedish kronor", "swedish crown")),
    ("NOK", "norwegian krone", ("NOK",), ("norwegian krone", "norwegian kroner")),
    ("MYR", "malaysian ringgit", ("RM", "MYR"), ("ringgit", "malaysian ringgit")),
    ("ZAR", "south african rand", ("ZAR",), ("south african rand",)),
    ("BRL", "brazilian real", ("R$", "BRL"), ("reais", "brazilian real")),
    ("MXN", "mexican peso", ("MXN", "Mex$"), ("mexican peso",)),
    ("TRY", "turkish lira", ("TRY", "₺"), ("turkish lira",)),
    ("UAH", "ukrainian hryvnia", ("₴", "UAH"), ("hryvnia", "hryvnias")),
    ("HRK", "croatian kuna", ("HRK",), ("kuna",)),
    ("BTC", "bitcoin", ("BTC", "₿"), ()),
]

# Currency subunits: a name and the pint-free unit (no ISO code: the parent currency is not said).
_SUBUNITS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("cent", ("¢",), ("cent",)),
    ("pence", ("p",), ("penny", "pence")),
    ("sen", (), ("sen",)),
]

IRREGULAR_PLURALS = {"foot": "feet", "inch": "inches", "century": "centuries", "penny": "pence", "reais": "reais",
                     "kuna": "kuna", "sen": "sen", "yen": "yen", "yuan": "yuan", "renminbi": "renminbi",
                     "horsepower": "horsepower", "celsius": "celsius", "fahrenheit": "fahrenheit",
                     "kelvin": "kelvin", "hertz": "hertz", "sterling": "sterling", "ringgit": "ringgit"}


def _plurals(word: str) -> list[str]:
    """A unit word and its plural(s): the last word of a multi-word unit takes the plural."""
    if " per " in word or " an " in word or word.endswith(("old", "sterling", "of oil", "rand")):
        return [word]
    head, _, last = word.rpartition(" ")
    if last in IRREGULAR_PLURALS:
        plural = IRREGULAR_PLURALS[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        plural = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    prefix = head + " " if head else ""
    return [word, prefix + plural]


@dataclass(frozen=True)
class Lexicon:
    """All unit spellings compiled into matchers, and the definitions they resolve to."""

    units: dict[str, UnitDef]
    suffix_surfaces: dict[str, str]  # exact symbol or lower-cased word -> unit name
    suffix_re: re.Pattern[str]
    prefix_surfaces: dict[str, str]  # currency prefix symbol -> unit name
    prefix_re: re.Pattern[str]

    def resolve_suffix(self, surface: str) -> UnitDef:
        """The unit a matched suffix surface stands for (symbols exact, words case-insensitive)."""
        name = self.suffix_surfaces.get(surface) or self.suffix_surfaces[
            re.sub(r"\s?-\s?", "-", _squash(surface.lower()))]
        return self.units[name]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _alternation(symbols: list[str], words: list[str]) -> str:
    """Longest-first alternation: symbols case-sensitive, words case-insensitive, spaces flexible (and spaces
    around a word's hyphen allowed, as tokenised text has them: "61 - year - old")."""
    parts = [(s, False) for s in symbols] + [(w, True) for w in words]
    parts.sort(key=lambda p: -len(p[0]))
    out = []
    for text, fold in parts:
        pat = r"\s+".join(re.escape(t) for t in text.split(" "))
        if fold:
            pat = pat.replace(re.escape("-"), r"\s?-\s?")
        out.append(f"(?i:{pat})" if fold else pat)
    return "|".join(out)


@functools.cache
def lexicon() -> Lexicon:
    """The unit lexicon, compiled once."""
    units: dict[str, UnitDef] = {}
    suffix: dict[str, str] = {}
    symbols: list[str] = []
    words: list[str] = []

    def add(name: str, defn: UnitDef, syms: tuple[str, ...], wrds: tuple[str, ...]) -> None:
        units[name] = defn
        for s in syms:
            suffix.setdefault(s, name)
            symbols.append(s)
        for w in wrds:
            for form in _plurals(w):
                suffix.setdefault(form.lower(), name)
                words.append(form)

    for name, expr, syms, wrds in _PHYSICAL:
        add(name, UnitDef(name, expr, "physical"), syms, wrds)
    for name, expr, syms, wrds in _RATIO:
        add(name, UnitDef(name, expr, "ratio"), syms, wrds)
    prefix: dict[str, str] = {}
    for code, name, prefixes, wrds in _CURRENCIES:
        add(name, UnitDef(name, None, "currency", code), (), wrds)
        # ISO codes and unambiguous symbols may also follow the number ("110 JPY", "1,200€").
        after = tuple(p for p in prefixes if re.fullmatch(r"[A-Z]{3}=?", p) or p in "€£¥₹₪₽₩₺₴₿")
        add(name, units[name], after, ())
        for p in prefixes:
            prefix[p] = name
    for name, syms, wrds in _SUBUNITS:
        add(name, UnitDef(name, None, "currency"), syms, wrds)
    # A symbol must not run on into a letter or digit ("km" in "kmz", "m" in "m3"); words end at a boundary.
    suffix_re = re.compile(rf"(?:{_alternation(symbols, words)})(?![\w²³])")
    prefix_re = re.compile(rf"(?<![A-Za-z])(?:{_alternation(sorted(prefix), [])})\s?$")
    return Lexicon(units, suffix, suffix_re, prefix, prefix_re)


# --------------------------------------------------------------------------- pint

# The unit each dimensionality is normalised to (km for distances and km² for areas, as a news reader
# compares them; SI otherwise); anything not listed goes to pint's base units, dimensionless units
# (data sizes, pixels) stay as they are.
_TARGETS = ("km", "km**2", "m**3", "kg", "s", "km/hour", "degC", "W", "J", "Pa", "Hz", "A*h", "km/liter", "N*m",
            "bit/s", "V", "A", "F")


@functools.cache
def registry() -> Any:
    """The pint UnitRegistry, built once, with the units news text needs that pint lacks."""
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("parts_per_billion = 1e-9 = ppb")
    ureg.define("basis_point = 1e-4 = bp_ratio")
    ureg.define("decade_span = 10 * year")
    ureg.define("megapixel = 1e6 = MP_count")
    ureg.define("MMBTU = 1e6 * BTU")
    return ureg


@functools.cache
def normalise_unit(name: str) -> tuple[float, float, str, str] | None:
    """``(factor, offset, target unit, dimensionality)`` turning a value in unit ``name`` into its base.

    ``target = value * factor + offset``; None for units pint does not read (currencies, counts).
    """
    defn = lexicon().units.get(name)
    if defn is None or defn.pint is None:
        return None
    ureg = registry()
    unit = ureg.parse_units(defn.pint) if "*" in defn.pint or "/" in defn.pint else ureg.Unit(defn.pint)
    if name.endswith(" of age"):  # "a 6-month-old war": an age, not a duration; compared in years
        return ureg.Quantity(1.0, unit).to("year").magnitude, 0.0, "year", AGE_DIMENSION
    dim = str(unit.dimensionality)
    targets = [ureg.parse_units(t) for t in _TARGETS]
    if defn.kind == "ratio":
        target = ureg.Unit("percent")
    elif unit.dimensionless:
        target = unit
    else:
        target = next((t for t in targets if t.dimensionality == unit.dimensionality), None)
        target = target or ureg.Quantity(1, unit).to_base_units().units
    zero = ureg.Quantity(0.0, unit).to(target).magnitude
    one = ureg.Quantity(1.0, unit).to(target).magnitude
    label = "percent" if defn.kind == "ratio" else f"{target:~P}"
    return one - zero, zero, label, dim
