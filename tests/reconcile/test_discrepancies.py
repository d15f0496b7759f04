"""Discrepancies between sources, and the account's figures, timeline and discrepancies on the sample cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.annotate.quantities import extract_quantities
from storyline.annotate.times import extract_times
from storyline.model import Annotations, Article, Citation, FigurePoint, FigureSeries, Place
from storyline.reconcile.discrepancies import dates_a_statement, find_discrepancies
from storyline.reconcile.figures import figure_series
from storyline.reconcile.timeline import build_timeline
from tests.reconcile.helpers import article, entity

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kharkiv-2022-09"


def _dated(aid: str, text: str, outlet: str, published: str | None = "2031-03-12") -> tuple[Article, Annotations]:
    art = article(aid, text, outlet)
    art.published = published
    return art, Annotations(aid, times=extract_times(text, published))


def _discrepancies(*pairs: tuple[Article, Annotations]) -> list:
    arts = [a for a, _ in pairs]
    anns = {a.id: ann for a, ann in pairs}
    return find_discrepancies(arts, anns, [], build_timeline(arts, anns))


def test_same_event_on_different_days_is_a_date_discrepancy() -> None:
    found = _discrepancies(
        _dated("a", "Floodwater breached the levee at Marrow on Monday, cutting power to thousands of homes.",
               "Ledger"),
        _dated("b", "The levee at Marrow was breached by floodwater on Tuesday, leaving homes without power.",
               "Courier"),
    )
    assert len(found) == 1
    d = found[0]
    assert d.kind == "date"
    assert [v[:10] for v in d.values] == ["2031-03-10", "2031-03-11"]
    assert "Monday" in d.values[0] and "Tuesday" in d.values[1]
    assert [c.article_id for c in d.citations] == ["a", "b"]


def test_statements_and_unrelated_events_are_no_discrepancy() -> None:
    assert dates_a_statement("the mayor said in a statement on Monday")
    assert not dates_a_statement("the levee was breached on Monday")
    found = _discrepancies(
        _dated("a", "The mayor said in his evening address on Monday that the levee would hold.", "Ledger"),
        _dated("b", "The mayor said on Tuesday that the levee would hold.", "Courier"),
        _dated("c", "The striking nurses returned to work on Wednesday after a pay deal.", "Herald"),
    )
    assert found == []


def test_one_source_giving_two_dates_is_not_a_cross_source_discrepancy() -> None:
    found = _discrepancies(_dated(
        "a", "Floodwater breached the levee at Marrow on Monday. The levee at Marrow was breached again by "
             "floodwater on Tuesday.", "Ledger"))
    assert found == []


def test_a_sequence_of_like_events_is_no_discrepancy() -> None:
    # The court article tells of the charge too, in a sentence closer to the other article's charge clause.
    found = _discrepancies(
        _dated("a", "Police charged the man with murder on Saturday after a six-hour standoff.", "Ledger"),
        _dated("b", "The man appeared in court on Monday on a murder charge. Police charged him with murder after "
                    "a long standoff at his home.", "Courier"),
    )
    assert found == []


def test_like_events_in_different_cities_are_no_discrepancy() -> None:
    a, ann_a = _dated("a", "A fire destroyed the old grain warehouse in Ashford on Tuesday, officials confirmed.",
                      "Ledger")
    b, ann_b = _dated("b", "A fire destroyed the old grain warehouse in Brackley on Wednesday, officials confirmed.",
                      "Courier")
    ashford = Place(1, "Ashford", "city", "GB", None, None)
    brackley = Place(2, "Brackley", "city", "GB", None, None)
    ann_a.entities = [entity(a.text, "place:ashford", "place", "Ashford", ["Ashford"], ashford)]
    ann_b.entities = [entity(b.text, "place:brackley", "place", "Brackley", ["Brackley"], brackley)]
    assert _discrepancies((a, ann_a), (b, ann_b)) == []
    ann_b.entities = []  # without the second city the two clauses read as one event
    assert [d.kind for d in _discrepancies((a, ann_a), (b, ann_b))] == ["date"]


def _point(value: float, refers_to: str, article_id: str, outlet: str, dated_by: str = "expression",
           bound: str = "=") -> FigurePoint:
    return FigurePoint(value, bound, "hectare", value / 100, "km²", refers_to,
                       Citation(article_id, 0, 12, f"{value:,.0f} hectares", outlet), None, dated_by)


def test_numbers_beyond_rounding_on_one_day_conflict() -> None:
    series = FigureSeries("figure:forest", "forest", "[length] ** 2", "km²", None, [
        _point(2000, "2031-07-15", "a", "Ledger"),
        _point(2100, "2031-07-15", "b", "Courier"),  # within 2,000's rounding (+-500)
        _point(5000, "2031-07-17", "a", "Ledger"),
        _point(9000, "2031-07-17", "b", "Courier"),
        _point(7000, "2031-07-17", "c", "Herald", dated_by="published"),  # no governing expression: not compared
        _point(6000, "2031-07-17", "d", "Gazette", bound=">"),  # "more than 6,000" allows 9,000
    ])
    found = find_discrepancies([], {}, [series], [])
    assert [(d.kind, d.values) for d in found] == [("number", ["5,000 hectares", "6,000 hectares", "9,000 hectares"])]


def _counted(*texts: tuple[str, str, str]) -> list:
    arts, anns = [], {}
    for aid, outlet, text in texts:
        art, ann = _dated(aid, text, outlet, "2031-03-13")
        ann.quantities = extract_quantities(text)
        arts.append(art)
        anns[aid] = ann
    figures = figure_series(arts, anns)
    return find_discrepancies(arts, anns, figures, build_timeline(arts, anns))


def test_two_outlets_giving_two_tolls_for_one_day_disagree() -> None:
    found = _counted(
        ("a", "Ledger", "The flood on Tuesday killed 12 people and injured 40 others."),
        ("b", "Courier", "On Tuesday 30 people were killed in the flood. About 40 were injured."),
    )
    numbers = [d for d in found if d.kind == "number"]
    assert len(numbers) == 1  # the dead disagree, the injured agree
    d = numbers[0]
    assert d.about == "people killed on 2031-03-11"
    assert d.values == ["12", "30"]
    assert [c.outlet for c in d.citations] == ["Ledger", "Courier"]
    assert d.citations[0].text.startswith("The flood on Tuesday")  # the sentence, side by side


def test_a_growing_toll_a_lower_bound_and_other_kinds_of_figure_are_no_discrepancy() -> None:
    found = _counted(
        ("a", "Ledger", "The flood killed 12 people on Monday. The storm cost $30m on Tuesday."),
        ("b", "Courier", "By Wednesday 30 people had been killed in the flood. It cost $45m on Tuesday."),
        ("c", "Herald", "At least 5 people were killed in the flood on Wednesday."),
    )
    assert [d for d in found if d.kind == "number"] == []


def test_tolls_of_different_cities_are_no_discrepancy() -> None:
    a, ann_a = _dated("a", "The flood killed 12 people in Ashford on Tuesday.", "Ledger")
    b, ann_b = _dated("b", "The flood killed 30 people in Brackley on Tuesday.", "Courier")
    for art, ann in ((a, ann_a), (b, ann_b)):
        ann.quantities = extract_quantities(art.text)
    ann_a.entities = [entity(a.text, "place:ashford", "place", "Ashford", ["Ashford"],
                             Place(1, "Ashford", "city", "GB", None, None))]
    ann_b.entities = [entity(b.text, "place:brackley", "place", "Brackley", ["Brackley"],
                             Place(2, "Brackley", "city", "GB", None, None))]
    figures = figure_series([a, b], {"a": ann_a, "b": ann_b})
    assert len(figures) == 1
    assert find_discrepancies([a, b], {"a": ann_a, "b": ann_b}, figures, []) == []


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Article], dict[str, Annotations]]:
    if not SAMPLE.is_dir():
        pytest.skip("sample cluster missing")
    from storyline.api import analyze
    from storyline.model import from_dict
    from storyline.store import Store

    tmp = tmp_path_factory.mktemp("sample")
    analyze([str(SAMPLE)], tmp / "out", db=str(tmp / "s.db"))
    with Store(f"sqlite:///{tmp / 's.db'}") as store:
        articles = list(store.iter_articles())
        annotations = {a.id: from_dict(Annotations, store.get_annotations(a.id)) for a in articles}
    return articles, annotations


def test_sample_territory_series_timeline_and_discrepancy(sample: tuple[list[Article], dict[str, Annotations]]) -> None:
    articles, annotations = sample
    figures = figure_series(articles, annotations)
    areas = [s for s in figures if s.unit == "km²"]
    assert len(areas) == 1
    territory = areas[0]
    assert territory.measured == "territory"
    values = [p.normalized_value or 0 for p in territory.points]
    assert [round(v, -3) for v in values] == [1000, 2000, 3000, 6000, 6000, 6000]
    dates = [p.refers_to or "" for p in territory.points]
    assert dates == sorted(dates)
    assert len(set(dates[:4])) == 4  # Thursday, Saturday, Sunday, Monday
    in_sq_mi = {i for i, p in enumerate(territory.points) if "2,300" in p.citation.text or "2,317" in p.citation.text}
    assert len(in_sq_mi) == 2
    assert any(in_sq_mi <= set(group) for group in territory.agreements)

    timeline = build_timeline(articles, annotations)
    assert [e.date for e in timeline] == sorted(e.date for e in timeline)
    invasion = [e for e in timeline if e.date.endswith("-02-24")]
    assert len(invasion) == 1 and len({c.article_id for c in invasion[0].citations}) == 2

    found = find_discrepancies(articles, annotations, figures, timeline)
    assert [d.kind for d in found] == ["date"]  # the territory points of one day agree: no number discrepancy
    sunday, monday = found[0].values
    assert "Sunday" in sunday and "Monday" in monday
    assert sunday[:10] < monday[:10]
    assert "strikes" in found[0].citations[0].text and "power stations" in found[0].citations[1].text
