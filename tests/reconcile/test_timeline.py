"""Timeline: dated clauses, merged across articles, sorted by date."""

from __future__ import annotations

from storyline.annotate.times import extract_times
from storyline.model import Annotations, Article
from storyline.reconcile.timeline import build_timeline, clause_of, sentence_of
from tests.reconcile.helpers import article


def _dated(aid: str, text: str, outlet: str, published: str | None) -> tuple[Article, Annotations]:
    art = article(aid, text, outlet)
    art.published = published
    return art, Annotations(aid, times=extract_times(text, published))


def test_clause_keeps_numbers_whole_and_widens_short_clauses() -> None:
    text = "Last Thursday, officials said 1,000 homes had flooded, but by Sunday the figure had tripled."
    sent = sentence_of(text, 0)
    start, end = clause_of(text, sent, text.index("1,000"))
    assert text[start:end] == "officials said 1,000 homes had flooded"
    start, end = clause_of(text, sent, 0, min_words=6)
    assert text[start:end] == "Last Thursday, officials said 1,000 homes had flooded"


def test_same_event_merges_across_outlets_and_events_sort_by_date() -> None:
    a, ann_a = _dated("a", "The bridge over the Vale river collapsed on Monday. The council will vote on Friday.",
                      "Ledger", "2031-03-12")
    b, ann_b = _dated("b", "On Monday the bridge across the Vale river collapsed into the water. Repairs began in "
                           "January, engineers said.", "Courier", "2031-03-12")
    events = build_timeline([a, b], {"a": ann_a, "b": ann_b})
    assert [e.date for e in events] == ["2031-01", "2031-03-10", "2031-03-14"]
    bridge = events[1]
    assert {c.article_id for c in bridge.citations} == {"a", "b"}
    assert bridge.citations[0].text.startswith("The bridge over the Vale river collapsed")
    assert events[0].granularity == "month" and events[2].granularity == "day"


def test_different_events_on_one_day_stay_apart() -> None:
    a, ann_a = _dated("a", "The bridge over the Vale river collapsed on Monday.", "Ledger", "2031-03-12")
    b, ann_b = _dated("b", "The striking nurses returned to work on Monday after a pay deal.", "Courier", "2031-03-12")
    events = build_timeline([a, b], {"a": ann_a, "b": ann_b})
    assert len(events) == 2 and all(e.date == "2031-03-10" for e in events)


def test_periods_now_and_the_current_month_are_not_events() -> None:
    a, ann_a = _dated("a", "Since the beginning of March, prices have risen. Today the market is calm. Earlier this "
                           "month the bank cut rates.", "Ledger", "2031-03-12")
    assert build_timeline([a], {"a": ann_a}) == []


def test_undated_article_is_dated_against_its_story() -> None:
    a, ann_a = _dated("a", "The bridge over the Vale river collapsed on Monday.", "Ledger", "2031-03-12")
    b, ann_b = _dated("b", "Divers searched the Vale river on Tuesday for survivors of the collapse.", "Courier", None)
    events = build_timeline([a, b], {"a": ann_a, "b": ann_b})
    search = [e for e in events if "Divers" in e.text]
    assert [(e.date, e.uncertain) for e in search] == [("2031-03-11", True)]
