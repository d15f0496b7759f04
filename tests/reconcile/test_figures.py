"""Figure series: grouping by measured thing and claimant, dating, unit reconciliation and rounding."""

from __future__ import annotations

from storyline.annotate.quantities import extract_quantities
from storyline.annotate.times import extract_times
from storyline.model import Annotations, Article, Citation, DateWindow, FigurePoint, Quantity
from storyline.reconcile.figures import agree, conflict, figure_series, measured_key
from storyline.reconcile.timeline import story_anchors
from tests.reconcile.helpers import article, quote

AGENCY = "org:state-forestry-agency"


def _annotated(aid: str, text: str, outlet: str, published: str | None, quotes: list[tuple[str, str]]) -> tuple[
        Article, Annotations]:
    art = article(aid, text, outlet)
    art.published = published
    ann = Annotations(aid, quotes=[quote(text, content, speaker, AGENCY, "indirect") for content, speaker in quotes],
                      quantities=extract_quantities(text), times=extract_times(text, published))
    return art, ann


def _point(value: float, bound: str, unit: str, normalized: float) -> FigurePoint:
    return FigurePoint(value, bound, unit, normalized, "km²", None, Citation("a", 0, 1, "x"))


def test_measured_key_normalises_phrases() -> None:
    assert measured_key("of the territory of Ukraine") == "territory"
    assert measured_key("territory") == "territory"
    assert measured_key("Russian soldiers") == "russian soldier"
    assert measured_key("their main campaigns") == "main campaign"
    assert measured_key("distance from Izyum") == "distance from izyum"
    assert measured_key("houses") == "house"
    assert measured_key(None) is None


def test_agreement_within_rounding_and_bounds() -> None:
    more_than_6000 = _point(6000, ">", "square kilometre", 6000)
    sq_mi_2300 = _point(2300, "=", "square mile", 5956.97)  # +-50 sq mi
    sq_mi_2317 = _point(2317, "=", "square mile", 6000.98)
    about_770 = _point(770, "~", "square mile", 1994.29)
    assert agree(sq_mi_2300, sq_mi_2317)
    assert agree(more_than_6000, sq_mi_2317)
    assert agree(more_than_6000, sq_mi_2300)
    assert not agree(_point(1000, "=", "square kilometre", 1000), about_770)
    assert not agree(_point(3000, "=", "square kilometre", 3000), about_770)
    assert not agree(more_than_6000, _point(9000, "=", "square kilometre", 9000))  # "more than" is not "any more"
    assert not agree(_point(1000, "=", "square kilometre", 1000), _point(2000, "=", "square kilometre", 2000))


def _count(value: float, bound: str = "=") -> FigurePoint:
    return FigurePoint(value, bound, None, value, None, None, Citation("a", 0, 1, "x"))


def test_small_counts_are_exact_and_bounds_are_open_for_conflicts() -> None:
    assert not agree(_count(1), _count(2))
    assert not agree(_count(18), _count(20))  # small counts are told exactly
    assert agree(_count(18), _count(20, "~"))  # unless approximate
    assert agree(_count(2300), _count(2317))  # from 100 up trailing zeros are rounding
    assert not conflict(_count(5, ">="), _count(24))  # "at least five" allows 24
    assert conflict(_count(5), _count(24))
    assert not conflict(_count(10, "<"), _count(3))
    assert not agree(_count(5, ">="), _count(24))  # but they are not shown as agreeing


def test_one_series_across_articles_ordered_by_governing_date() -> None:
    a, ann_a = _annotated(
        "a",
        "On Tuesday, the state forestry agency said the fire had burned 2,000 hectares of forest, but by Thursday "
        "that figure had grown to 5,000 hectares. Crews from three counties were sent.",
        "Ledger", "2031-07-18",
        [("the fire had burned 2,000 hectares of forest, but by Thursday that figure had grown to 5,000 hectares",
          "the state forestry agency")],
    )
    b, ann_b = _annotated(
        "b",
        "The state forestry agency said the wildfire had burned about 12,400 acres (5,018 hectares) of forest. "
        "Roads remain closed.",
        "Courier", "2031-07-17",
        [("the wildfire had burned about 12,400 acres (5,018 hectares) of forest", "The state forestry agency")],
    )
    series = figure_series([a, b], {"a": ann_a, "b": ann_b})
    assert len(series) == 1
    s = series[0]
    assert (s.measured, s.unit, s.claimant) == ("forest", "km²", AGENCY)
    assert [round(p.normalized_value or 0) for p in s.points] == [20, 50, 50]
    assert [p.refers_to for p in s.points] == ["2031-07-15", "2031-07-17", "2031-07-17"]
    assert [p.dated_by for p in s.points] == ["expression", "expression", "published"]
    assert s.agreements == [[1, 2]]  # 5,000 ha and 12,400 acres agree within rounding


def test_agent_subject_is_not_what_a_unit_measures() -> None:
    text = "Firefighters saved 300 hectares, officials said. The reserve covers 300 hectares."
    a = article("a", text, "Ledger")
    a.published = "2031-07-18"
    saved = Quantity(text.index("300"), text.index("300") + 12, "300 hectares", 300, unit="hectare",
                     dimension="[length] ** 2", normalized_value=3.0, normalized_unit="km²", measured="Firefighters")
    second = text.index("300", saved.end)
    covers = Quantity(second, second + 12, "300 hectares", 300, unit="hectare", dimension="[length] ** 2",
                      normalized_value=3.0, normalized_unit="km²", measured="reserve")
    ann = Annotations("a", quantities=[saved, covers], times=extract_times(text, a.published))
    series = figure_series([a], {"a": ann})
    # The agent is dropped, so the unnamed figure joins the only area series of the same claimant.
    assert [s.measured for s in series] == ["reserve"]
    assert len(series[0].points) == 2


def test_quoted_parties_keep_series_apart_and_outlets_share_one() -> None:
    text_a = "The state forestry agency said the fire had burned 2,000 hectares of forest on Tuesday."
    text_b = ("The fire had burned 3,000 hectares of forest on Tuesday, the Courier estimated. "
              "Later 4,000 hectares of forest.")
    text_c = "By Wednesday the fire had burned 4,100 hectares of forest."
    a, ann_a = _annotated("a", text_a, "Ledger", "2031-07-18",
                          [("the fire had burned 2,000 hectares of forest on Tuesday", "The state forestry agency")])
    b, ann_b = _annotated("b", text_b, "Courier", "2031-07-18", [])
    c, ann_c = _annotated("c", text_c, "Herald", "2031-07-18", [])
    series = figure_series([a, b, c], {"a": ann_a, "b": ann_b, "c": ann_c})
    # The agency's single figure makes no series; the outlets' own figures are one series across outlets.
    assert [(s.claimant, len(s.points)) for s in series] == [(None, 3)]
    assert {p.citation.outlet for p in series[0].points} == {"Courier", "Herald"}
    assert all(p.claimant is None for p in series[0].points)


def _count_series(*texts: tuple[str, str, str]) -> list:
    arts, anns = [], {}
    for aid, outlet, text in texts:
        art, ann = _annotated(aid, text, outlet, "2031-03-13", [])
        arts.append(art)
        anns[aid] = ann
    return figure_series(arts, anns)


def test_outcomes_split_counts_and_outlets_meet() -> None:
    series = _count_series(
        ("a", "Ledger", "The flood on Tuesday killed at least 12 people and injured 40 others."),
        ("b", "Courier", "On Tuesday 30 people were killed in the flood, and 45 injured."),
        ("c", "Herald", "A town of 27,000 people. Rescuers on Tuesday found 300 people stranded."),
    )
    by_name = {s.measured: s for s in series}
    assert set(by_name) == {"people killed", "injured"}  # the stranded and the town's people are no figure
    assert [p.value for p in by_name["injured"].points] == [40, 45]
    killed = by_name["people killed"]
    assert [(p.value, p.bound, p.citation.outlet) for p in killed.points] == [(12, ">=", "Ledger"),
                                                                              (30, "=", "Courier")]
    assert all(p.refers_to == "2031-03-11" for p in killed.points)


def test_the_year_of_a_background_figure_dates_it() -> None:
    series = _count_series(
        ("a", "Ledger", "The 2004 tsunami killed about 230,000 people. On Tuesday the quake killed 24 people."),
        ("b", "Courier", "The quake on Tuesday killed 20 people."),
    )
    killed = series[0]
    assert [(p.refers_to, p.value) for p in killed.points] == [("2004", 230_000), ("2031-03-11", 20),
                                                               ("2031-03-11", 24)]


def test_undated_article_is_anchored_on_its_story() -> None:
    dated = article("a", "The vote was held on Friday.", "Ledger")
    dated.published = "2031-07-18"  # a Friday
    undated = article("b", "Results came in on Thursday and the count ended on Friday.", "Courier")
    undated.published_source = "inferred"
    undated.published_window = DateWindow("2024-01-01", "2031-12-31")  # too wide to be a date
    anchors = story_anchors([dated, undated])
    assert anchors["a"].source == "published"
    assert anchors["b"].source == "story"
    assert anchors["b"].day is not None and anchors["b"].day.isoformat() == "2031-07-18"
