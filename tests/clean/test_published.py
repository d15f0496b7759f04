"""Date-window inference: bounds only from what the text proves."""

from __future__ import annotations

from storyline.clean.published import infer_date_window
from storyline.model import DateWindow


def test_copyright_and_past_year_bound_both_sides() -> None:
    text = "The bridge, damaged by floods in 2016, reopened on Monday."
    assert infer_date_window(text, extra="© 2019 Valley Post") == DateWindow("2016-01-01", "2019-12-31")
    assert infer_date_window("In 2014 the war began; 2018 votes were cast.", "© 2019 X") == (
        DateWindow("2014-01-01", "2019-12-31")
    )
    assert infer_date_window("The firm has traded since 2011.", "Copyright 2015-2018 X. All rights reserved.") == (
        DateWindow("2011-01-01", "2018-12-31")
    )


def test_too_little_gives_none() -> None:
    assert infer_date_window("Talks resumed on Monday, and by Sunday a deal was close, in September.") is None
    assert infer_date_window("The bridge was damaged by floods in 2016.") is None  # no upper bound
    assert infer_date_window("Officials met last Thursday.", extra="© 2019 Valley Post") is None  # no lower bound


def test_future_and_deadline_years_are_not_lower_bounds() -> None:
    for text in (
        "The stadium will open in 2026.",
        "Elections were scheduled for 2026.",
        "The government extended the deal until 2026.",
        "He pledged to cut emissions by 2026.",
        "Some 2018 people attended.",
    ):
        assert infer_date_window(text + " Trade collapsed in 2010.", extra="© 2020 X") == DateWindow(
            "2010-01-01", "2020-12-31"
        ), text


def test_weekday_date_pair_picks_consistent_years() -> None:
    # 7 March fell on a Tuesday in 2017 and 2023 only, among 2015-2024; reported as past, without a year,
    # it lies within the year before publication.
    window = infer_date_window("Talks began in 2015. The accord was signed on Tuesday 7 March.", extra="© 2024 X")
    assert window == DateWindow("2017-03-07", "2024-03-07")
    # A weekday that fits no year in the window is a slip, and is ignored rather than trusted.
    slip = infer_date_window("Talks began in 2015. The accord was signed on Wednesday 7 March.", extra="© 2016 X")
    assert slip == DateWindow("2015-01-01", "2016-12-31")


def test_contradiction_gives_none_and_stamps_are_used() -> None:
    assert infer_date_window("In 2019, she won the prize.", extra="© 2017 X") is None
    assert infer_date_window("The war began in February.", extra="Published: 11:32 GMT, 4 May 2021") == DateWindow(
        "2021-05-04", "2021-05-04"
    )
    assert infer_date_window("Trade collapsed in 2010.", extra="Updated 3 June 2012") == DateWindow(
        "2010-01-01", "2012-06-03"
    )
