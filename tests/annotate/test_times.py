"""Time expressions: news conventions against a fixed publication date, and extraction offsets."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from storyline.annotate.times import Resolver, extract_times, resolve_expression
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
        ("the 1990s", "199X", "period"),
        ("the 20th century", "19XX", "period"),
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
