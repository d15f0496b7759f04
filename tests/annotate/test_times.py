"""Time expressions: news conventions against a fixed publication date, and extraction offsets."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from storyline.annotate.times import Resolver, extract_times, next_word, resolve_expression
from storyline.settings import TimesSettings

MONDAY = date(2022, 9, 12)  # Monday 12 September 2022, ISO week 37


@pytest.mark.parametrize(
    ("expression", "value", "granularity"),
    [
        # a bare weekday: the most recent one on or before publication, the same day if it is that weekday
        ("on Monday", "2022-09-12", "day"),
        ("on Sunday", "2022-09-11", "day"),
        ("Tuesday", "2022-09-06", "day"),
        ("last Thursday", "2022-09-08", "day"),
        ("last Monday", "2022-09-05", "day"),
        ("next Monday", "2022-09-19", "day"),
        ("late Saturday", "2022-09-10", "day"),
        ("Friday morning", "2022-09-09TMO", "time"),
        # months and dates without a year: the last one on or before publication
        ("in March", "2022-03", "month"),
        ("24 February", "2022-02-24", "day"),
        ("February 24", "2022-02-24", "day"),
        ("Sept. 30", "2022-09-30", "day"),  # within future_window_days: news announces dates weeks ahead
        ("last November", "2021-11", "month"),
        ("Aug. 7, 1998", "1998-08-07", "day"),
        ("August 1988", "1988-08", "month"),
        # deictic and relative expressions
        ("today", "2022-09-12", "day"),
        ("yesterday", "2022-09-11", "day"),
        ("tomorrow", "2022-09-13", "day"),
        ("tonight", "2022-09-12TNI", "time"),
        ("last night", "2022-09-11TNI", "time"),
        ("this week", "2022-W37", "week"),
        ("last week", "2022-W36", "week"),
        ("earlier this month", "2022-09", "month"),
        ("last month", "2022-08", "month"),
        ("last year", "2021", "year"),
        ("early next year", "2023", "year"),
        ("two days ago", "2022-09-10", "day"),
        ("three weeks ago", "2022-W34", "week"),
        ("five months ago", "2022-04", "month"),
        ("the third quarter", "2022-Q3", "period"),
        ("this summer", "2022-SU", "period"),
        ("last winter", "2021-WI", "period"),
        ("the 1990s", "199", "period"),  # ISO 8601 reduced precision, as TimeML writes decades and centuries
        ("the 20th century", "19", "period"),
        ("the weekend", "2022-W36-WE", "week"),
        ("last weekend", "2022-W36-WE", "week"),
        ("this weekend", "2022-W37-WE", "week"),
        # vague references, durations, sets, times of day
        ("now", "PRESENT_REF", "unknown"),
        ("recently", "PAST_REF", "unknown"),
        ("the future", "FUTURE_REF", "unknown"),
        ("three days", "P3D", "period"),
        ("the past three months", "P3M", "period"),
        ("twenty-four hours", "PT24H", "period"),
        ("several years", "PXY", "period"),
        ("5 1/2 hours", "PT5H30M", "period"),
        ("two and a half years", "P2Y6M", "period"),
        ("a minute and a half", "PT1M30S", "period"),
        ("half an hour", "PT30M", "period"),
        ("daily", "P1D", "period"),
        ("each July", "XXXX-07", "period"),
        ("10:35 a.m.", "2022-09-12T10:35", "time"),
        ("noon Thursday", "2022-09-08T12:00", "time"),
    ],
)
def test_resolve_expression(expression: str, value: str, granularity: str) -> None:
    assert resolve_expression(expression, MONDAY) == (value, granularity)


def test_future_window_can_be_switched_off() -> None:
    assert Resolver(MONDAY, TimesSettings(future_window_days=0)).resolve("Sept. 30").value == "2021-09-30"


def test_anaphora_follow_the_last_quarter_mentioned() -> None:
    resolver = Resolver(date(1989, 10, 26))
    values = [resolver.resolve(e).value for e in ("the third quarter", "a year earlier", "the quarter", "that year")]
    assert values == ["1989-Q3", "1988-Q3", "1989-Q3", "1989"]


def test_not_a_time_expression() -> None:
    assert resolve_expression("the government", MONDAY) == (None, "unknown")


def test_datetime_anchor_resolves_hours() -> None:
    assert resolve_expression("two hours ago", datetime(2022, 9, 12, 15, 30)) == ("2022-09-12T13:30", "time")


def test_publication_datetime_and_unreadable_date() -> None:
    assert [r.value for r in extract_times("It ended an hour ago.", "2022-09-12T15:30:00Z")] == ["2022-09-12T14:30"]
    assert [r.value for r in extract_times("It ended yesterday.", "not a date")] == [None]


def test_since_is_a_period_ending_at_publication() -> None:
    text = "Ukrainian forces have advanced since the beginning of September, officials said."
    (ref,) = extract_times(text, "2022-09-12")
    assert text[ref.start : ref.end] == ref.text == "the beginning of September"
    assert (ref.value, ref.granularity, ref.end_value) == ("2022-09", "period", "2022-09-12")


def test_extraction_offsets_and_values() -> None:
    text = (
        "KYIV, Monday. The counteroffensive that began last Thursday retook 3,000 square kilometres, "
        "the army said on Sunday.\n\nIn March, Russian troops had held the town; two days ago they left it."
    )
    refs = extract_times(text, "2022-09-12")
    found = [(text[r.start : r.end], r.value, r.granularity) for r in refs]
    assert found == [
        ("Monday", "2022-09-12", "day"),
        ("last Thursday", "2022-09-08", "day"),
        ("Sunday", "2022-09-11", "day"),
        ("March", "2022-03", "month"),
        ("two days ago", "2022-09-10", "day"),
    ]
    assert all(r.text == text[r.start : r.end] for r in refs)


def test_ambiguous_words_need_a_temporal_cue() -> None:
    text = "Theresa May said prices may fall in the spring of next year, and troops will march on."
    assert [r.text for r in extract_times(text, "2022-09-12")] == ["the spring of next year"]


def test_future_tense_takes_the_next_date() -> None:
    refs = extract_times("The parliament will vote on Feb. 24 and hold elections in March.", "2022-09-12")
    assert [r.value for r in refs] == ["2023-02-24", "2023-03"]


def test_uncertain_publication_date_marks_relative_references() -> None:
    refs = extract_times("Yesterday the ministry cited its 2021 report.", "2022-09-12", uncertain=True)
    assert [(r.text, r.uncertain) for r in refs] == [("Yesterday", True), ("2021", False)]


def test_no_publication_date_keeps_absolute_values_only() -> None:
    refs = extract_times("Yesterday the ministry cited its 2021 report.", None)
    assert [(r.text, r.value) for r in refs] == [("Yesterday", None), ("2021", "2021")]


def test_possessive_and_sentence_end() -> None:
    text = "Friday's vote passed. It was first proposed in December."
    refs = extract_times(text, "2022-09-12")
    assert [(r.text, r.value) for r in refs] == [("Friday", "2022-09-09"), ("December", "2021-12")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the nearest tense cue before a weekday decides its direction
        ("The father would be traveling to the United States Thursday.", "2022-09-15"),
        ("Protesters planned a large demonstration on Saturday.", "2022-09-17"),
        ("Officials postponed until Tuesday morning any action.", "2022-09-13TMO"),
        ("The minister said Thursday that talks had failed.", "2022-09-08"),
        ("They would look for ways to get around Wednesday's ruling.", "2022-09-07"),  # a thing that exists
        # months and dates: a full stop after an abbreviation or an initial does not end the clause
        ("Mr. Smith will succeed Daniel P. Davison Feb. 1.", "2023-02-01"),
        # a participle after "be" is no past tense
        ("The summit would still be held in Washington on April 24.", "2023-04-24"),
        ("The plan was announced on Aug. 21.", "2022-08-21"),
    ],
)
def test_tense_of_the_clause_decides_direction(text: str, value: str) -> None:
    assert [r.value for r in extract_times(text, "2022-09-12")] == [value]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Reupke, 52 years old, resigned.",  # an age
        "It would save $500 million a year in costs.",  # a rate
        "Iraq imports about three-quarters of its food.",  # a fraction
        "Funds accounting for more than a quarter of the market sold.",
        "The blast occurred at 0735 GMT.",  # no year
        'Baker said on ABC\'s "This Week" that talks would go on.',  # a title
        "The film High Noon was shown.",
        "Shareholders worry about the long-term value of the company.",
        "The march drew thousands of people.",  # a month in lower case needs "in", "since" ...
    ],
)
def test_not_time_expressions_in_context(text: str) -> None:
    assert [r.text for r in extract_times(text, "2022-09-12")] == []


def test_vague_references_with_determiners() -> None:
    text = "We don't minimize the challenges of the near term, and these days markets are calm."
    refs = extract_times(text, "2022-09-12")
    assert [(r.text, r.value) for r in refs] == [("the near term", "FUTURE_REF"), ("these days", "PRESENT_REF")]


def test_duration_before_later_is_the_expression() -> None:
    refs = extract_times("Three days later, the index closed higher.", "2022-09-12")
    assert [(r.text, r.value) for r in refs] == [("Three days", "P3D")]


def test_bare_plural_after_for_is_a_duration() -> None:
    refs = extract_times(
        "Ukraine was ruled from Moscow for centuries. On days when prices fall, it sells.", "2022-09-12"
    )
    assert [(r.text, r.value) for r in refs] == [("centuries", "PXY")]


def test_the_year_ended_is_a_duration_the_year_alone_a_date() -> None:
    text = "Revenue for the year ended June 30 rose. For the year, volume was flat."
    assert [r.value for r in extract_times(text, "2022-09-12")] == ["P1Y", "2022-06-30", "2022"]


def _resolve_all(anchor: date, expressions: list[str], future: int = 0) -> list[str | None]:
    resolver = Resolver(anchor)
    return [resolver.resolve(e, future=future).value for e in expressions]


@pytest.mark.parametrize(
    ("expressions", "values"),
    [
        # anaphora refer to the date last mentioned, not to publication
        (["May 22, 1995", "the following year"], ["1995-05-22", "1996"]),
        (["June 1998", "later that year"], ["1998-06", "1998"]),
        (["March", "the following month"], ["2022-03", "2022-04"]),
        (["Friday", "the previous Friday"], ["2022-09-09", "2022-09-02"]),
        (["Friday", "the morning"], ["2022-09-09", "2022-09-09TMO"]),
        (["Friday", "the day"], ["2022-09-09", "2022-09-09"]),
        (["Nov. 30, 2021", "until then"], ["2021-11-30", "2021-11-30"]),
        (["last Tuesday", "10:35 a.m."], ["2022-09-06", "2022-09-06T10:35"]),  # a time of day on the day last named
        # a part of the day that names no day does not replace the day last mentioned
        (["Friday", "overnight", "the previous Friday"], ["2022-09-09", "2022-09-09TNI", "2022-09-02"]),
        (["the third quarter", "last year's quarter"], ["2022-Q3", "2021-Q3"]),
    ],
)
def test_anaphora_follow_the_last_date_mentioned(expressions: list[str], values: list[str]) -> None:
    assert _resolve_all(MONDAY, expressions) == values


def test_a_forecast_quarter_is_not_the_reference_quarter() -> None:
    resolver = Resolver(date(1989, 11, 2))
    assert resolver.resolve("third-quarter").value == "1989-Q3"
    assert resolver.resolve("a fourth-quarter", future=2).value == "1989-Q4"  # "will result in a ... charge"
    assert resolver.resolve("a year ago").value == "1988-Q3"
    assert resolver.resolve("the latest quarter").value == "1989-Q3"


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("already", "PRESENT_REF"),
        ("this crucial moment", "PRESENT_REF"),
        ("the weeks ahead", "PXW"),
        ("decades-long", "PXY"),
        ("day-long", "P1D"),
        ("until then", "PAST_REF"),  # nothing mentioned before
    ],
)
def test_more_forms(expression: str, value: str) -> None:
    assert resolve_expression(expression, MONDAY)[0] == value


def test_weekday_and_date_together() -> None:
    assert resolve_expression("this coming Sunday, March eighth", date(1998, 3, 5))[0] == "1998-03-08"


def test_a_span_without_its_signal_keeps_the_date() -> None:
    """TimeML sometimes leaves "earlier" / "ago" outside the span: "a year | earlier" is still a date."""
    assert Resolver(MONDAY).resolve("a year", after="earlier").value == "2021"
    assert Resolver(MONDAY).resolve("three days", after="later").value == "P3D"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The company announced the plan Aug. 21.", "2022-08-21"),  # "plan" is a noun here, no future cue
        ("She would bring aid to the countries, where the Aug. 7 blasts killed 257 people.", "2022-08-07"),
        ("The dividend would be paid on a still unspecified date in January.", "2023-01"),  # an adjective
    ],
)
def test_clause_and_cue_boundaries(text: str, value: str) -> None:
    assert [r.value for r in extract_times(text, "2022-09-12")] == [value]


def test_the_day_alone_is_not_extracted() -> None:
    text = "He arrived in Philadelphia later in the day. That day, markets fell."
    assert [r.text for r in extract_times(text, "2022-09-12")] == ["That day"]


def test_model_entities_are_resolved_in_reading_order() -> None:
    """A spaCy DATE/TIME entity the patterns missed refers back to the day written before it, not the last one."""

    class Ent:
        def __init__(self, text: str, part: str, label: str) -> None:
            self.start_char = text.index(part)
            self.end_char = self.start_char + len(part)
            self.label_ = label

    class Doc:
        def __init__(self, text: str, ents: list[Ent]) -> None:
            self.text, self.ents = text, ents

    text = "The march was on Friday. In his evening address, the president spoke. Talks resume on Sunday."
    refs = extract_times(text, "2022-09-12", doc=Doc(text, [Ent(text, "evening", "TIME")]))
    assert [(r.text, r.value) for r in refs] == [
        ("Friday", "2022-09-09"),
        ("evening", "2022-09-09TEV"),
        ("Sunday", "2022-09-11"),
    ]


@pytest.mark.parametrize(
    ("expressions", "values"),
    [
        # a quarter without a year that has not begun is last year's, like a month ("profits for the fourth
        # quarter" in January), unless it begins within the future window
        (["the fourth quarter"], ["2022-Q4"]),  # begins within the window
        # "a year earlier" after "the nine months" compares that part of the year: the year, not the quarter
        (
            ["the third quarter", "a year earlier", "the nine months", "a year earlier"],
            ["2022-Q3", "2021-Q3", "P9M", "2021"],
        ),
        (["the nine months", "the third quarter", "a year ago"], ["P9M", "2022-Q3", "2021-Q3"]),
        # "April 24 and 25": a bare day of the month after a date is in that month
        (["April 24", "25"], ["2022-04-24", "2022-04-25"]),
        (["the day before last Tuesday"], ["2022-09-05"]),
    ],
)
def test_quarters_comparisons_and_days_in_context(expressions: list[str], values: list[str]) -> None:
    assert _resolve_all(MONDAY, expressions) == values


def test_a_quarter_not_yet_begun_is_last_years() -> None:
    assert resolve_expression("the fourth quarter", date(1998, 1, 26))[0] == "1997-Q4"
    assert Resolver(date(1998, 1, 26)).resolve("the fourth quarter", future=1).value == "1998-Q4"


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("a good part of 1990", "1990"),  # a part of a period is dated as the period
        ("each of the past three years", "P3Y"),
        ("post-1959", "1959"),
        ("past decade", "P10Y"),  # "over the past decade": a length, like "the past ten years"
        ("the last decade", "201"),
        ("the last half of the '80s", "198"),
        ("the first two quarters of 1990", "1990-H1"),
        ("the first hours", "PTXH"),
        ("a while", "PXX"),
        ("week", "P1W"),  # a bare unit tagged on its own ("a bad week for Asia")
        ("Election Day", "2022-11-08"),  # the Tuesday after the first Monday of November; within the window
    ],
)
def test_more_general_forms(expression: str, value: str) -> None:
    assert resolve_expression(expression, MONDAY)[0] == value


def test_year_named_after_the_span() -> None:
    """ "in February this year": TimeML may leave "this year" outside the span; it still fixes the year."""
    text = "The lower house approved it in early October. The process began in February this year."
    assert next_word(text, text.index("February") + len("February")) == "this year"
    assert Resolver(date(1998, 12, 3)).resolve("February", after="this year").value == "1998-02"
    assert Resolver(date(1998, 12, 3)).resolve("February").value == "1999-02"  # within the 60-day window


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a deadline preposition in a clause without tense: the nearer occurrence
        ("It is part of a program to pay down the bridge loan by February.", "2023-02"),
        ("Sales rose 5% this year through August.", "2022-08"),
        # "until" right before a weekday: a deadline, the next such day (the same day if it is that weekday)
        ("The agency gave the relatives until 9 a.m. Tuesday to sign.", "2022-09-13T09:00"),
        ("He was free up until Monday, officials said.", "2022-09-12"),
        # a plan in the past perfect was overtaken: no future
        ("The offer had been scheduled to expire at midnight Friday.", "2022-09-09T24:00"),
        ("The offer was scheduled to expire at midnight Friday.", "2022-09-16T24:00"),
    ],
)
def test_deadlines_and_past_perfect_plans(text: str, value: str) -> None:
    assert [r.value for r in extract_times(text, "2022-09-12")][-1] == value


def test_bare_units_and_ordinals_are_not_extracted_alone() -> None:
    text = "It was the second anniversary of the 11th Circuit ruling. The week ended quietly, a bad week."
    assert [r.text for r in extract_times(text, "2022-09-12")] == ["The week"]


def test_the_week_after_a_weekend_is_the_next_week() -> None:
    """A weekend ("2016-W05-WE") remembered as the last week named, then "the following week"."""
    text = "The festival ran over the weekend. The following week, organisers said attendance had doubled."
    values = {t.text.lower(): t.value for t in extract_times(text, "2016-02-08")}
    assert values == {"the weekend": "2016-W05-WE", "the following week": "2016-W06"}
