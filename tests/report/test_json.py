"""report.json: built from the model, valid against the shipped schema, written atomically."""

from __future__ import annotations

import copy
import json
from datetime import datetime

import pytest

from storyline.model import Article, DateWindow, InputProblem, Removed, Source, Story
from storyline.report.json import ReportError, build_report, validate_report, write_report


def article(n: int = 1, **fields) -> Article:
    paragraphs = ["Первый абзац — «тест».", "Second paragraph."]
    base = {"id": f"{n:016x}", "source": Source("dump.zip", "a/b.json", 2), "text": "\n\n".join(paragraphs),
            "paragraphs": paragraphs, "url": f"https://example.org/{n}", "outlet": "Example", "title": "Title",
            "published": None, "published_source": "inferred",
            "published_window": DateWindow("2022-09-10", "2022-09-12"), "byline": ["A. Writer"], "language": "ru",
            "format": "html", "fetched": "2022-09-13", "removed": [Removed("Share", "share-button", 1)]}
    return Article(**{**base, **fields})


@pytest.fixture
def report() -> dict:
    problem = InputProblem(Source("broken.jsonl", None, 7), "invalid JSON", "error")
    return build_report([article(1), article(2, published="2022-09-12", published_source="html",
                                             published_window=None, removed=[])], [problem])


def test_built_report_has_the_documented_layout_and_validates(report):
    validate_report(report)
    assert report["schema_version"] == 1
    assert datetime.fromisoformat(report["generated"]).tzinfo is not None
    first = report["articles"][0]
    assert list(first) == ["id", "source", "url", "outlet", "title", "published", "published_source",
                           "published_window", "byline", "language", "text", "paragraphs", "removed"]
    assert first["source"] == {"path": "dump.zip", "member": "a/b.json", "index": 2}
    assert first["removed"] == [{"text": "Share", "reason": "share-button", "paragraph": 1}]
    assert first["published_window"] == {"earliest": "2022-09-10", "latest": "2022-09-12"}
    assert report["problems"] == [
        {"source": {"path": "broken.jsonl", "member": None, "index": 7}, "reason": "invalid JSON", "severity": "error"}]


def test_later_sections_are_accepted(report):
    extended = build_report([article(1)], stories=[Story("s1", "A story", [article(1).id])], copies=[])
    assert extended["stories"][0]["article_ids"] == [article(1).id]
    validate_report(extended)
    with pytest.raises(TypeError, match="articles"):
        build_report([], articles=[])


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda r: r.pop("articles"), "'articles' is a required property"),
        (lambda r: r.update(schema_version=2), "schema_version"),
        (lambda r: r.update(generated="yesterday"), "generated"),
        (lambda r: r["articles"][0].pop("text"), "articles/0: 'text' is a required property"),
        (lambda r: r["articles"][0].update(colour="red"), "Additional properties are not allowed"),
        (lambda r: r["articles"][0]["source"].update(path=None), "articles/0/source/path"),
        (lambda r: r["articles"][0].update(published_source="guessed"), "articles/0/published_source"),
        (lambda r: r["articles"][0]["removed"][0].pop("reason"), "articles/0/removed/0"),
        (lambda r: r["problems"][0].update(severity="fatal"), "problems/0/severity"),
        (lambda r: r.update(stories={}), "stories"),
        (lambda r: r["articles"][1].update(id=r["articles"][0]["id"]), "appears twice"),
        (lambda r: r["articles"][0].update(text="changed"), "not the paragraphs joined"),
        (lambda r: r["articles"][0]["removed"][0].update(paragraph=9), "past the last paragraph"),
    ],
)
def test_broken_reports_fail_with_a_message_naming_the_place(report, break_it, message):
    broken = copy.deepcopy(report)
    break_it(broken)
    with pytest.raises(ReportError, match="invalid report") as err:
        validate_report(broken)
    assert message in str(err.value)


def test_write_report_is_utf8_json_and_refuses_an_invalid_one(report, tmp_path):
    path = write_report(report, tmp_path / "out" / "report.json")
    raw = path.read_bytes()
    assert "Первый абзац".encode() in raw  # written as UTF-8, not \u escapes
    assert json.loads(raw) == report
    broken = copy.deepcopy(report)
    broken["articles"][0]["id"] = "not hex"
    with pytest.raises(ReportError):
        write_report(broken, path)
    assert json.loads(path.read_bytes()) == report  # the good report was not replaced
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]  # no temp file left behind


def test_failed_write_leaves_no_temp_file_and_no_partial_report(report, tmp_path):
    report["articles"][0]["title"] = object()  # not JSON-serialisable: json.dump fails midway
    with pytest.raises(TypeError):
        write_report(report, tmp_path / "report.json", validate=False)
    assert list(tmp_path.iterdir()) == []


def test_article_annotations_are_reported_and_validated():
    from storyline.model import Annotations, Entity, Mention, Place, Quantity, Quote, TimeRef

    art = article(1)
    speaker = Mention(0, 4, art.text[0:4])
    found = Annotations(
        article_id=art.id,
        entities=[Entity("person:x", "person", "X", [speaker]),
                  Entity("place:geonames:1", "place", "Y", [Mention(5, 6, art.text[5:6])],
                         Place(1, "Y", "city", "UA", 50.0, 36.2))],
        quotes=[Quote(0, 10, Mention(5, 10, art.text[5:10]), None, speaker, "person:x", "indirect")],
        quantities=[Quantity(0, 3, "6,0", 6000.0, ">", None, "square kilometre", "[length] ** 2", 6000.0, "km**2",
                             "territory")],
        times=[TimeRef(0, 3, "Mon", "2022-09-12", "day")],
    )
    rep = build_report([art], annotations={art.id: found})
    validate_report(rep)
    assert rep["articles"][0]["annotations"]["quotes"][0]["speaker_entity"] == "person:x"
    assert rep["articles"][0]["annotations"]["entities"][1]["place"]["country"] == "UA"
    broken = copy.deepcopy(rep)
    broken["articles"][0]["annotations"]["quantities"][0]["bound"] = "about"
    with pytest.raises(ReportError, match="quantities/0/bound"):
        validate_report(broken)


# --------------------------------------------------------------------------- accounts (reconcile stage)


def account_report() -> dict:
    from .conftest import build_story

    story = build_story()
    return build_report(story.articles, accounts=[story.account])


def test_accounts_are_reported_with_the_computed_single_source_and_read_back():
    from storyline.model import Account, from_dict

    from .conftest import build_story

    story = build_story()
    rep = build_report(story.articles, accounts=[story.account])
    validate_report(rep)
    claims = rep["accounts"][0]["claims"]
    assert [(c["independent_sources"], c["single_source"]) for c in claims] == [(2, False), (1, True)]
    assert json.loads(json.dumps(rep)) == rep
    assert from_dict(Account, rep["accounts"][0]) == story.account


def test_the_schema_names_every_field_of_the_account_model():
    import dataclasses
    from importlib import resources

    from storyline import model

    schema = json.loads(resources.files("storyline.report").joinpath("report.schema.json").read_text("utf-8"))
    parts = {"account": model.Account, "mergedEntity": model.MergedEntity, "quoteGroup": model.QuoteGroup,
             "quoteVersion": model.QuoteVersion, "claim": model.Claim, "figureSeries": model.FigureSeries,
             "figurePoint": model.FigurePoint, "discrepancy": model.Discrepancy,
             "timelineEvent": model.TimelineEvent, "briefSentence": model.BriefSentence, "citation": model.Citation}
    for name, cls in parts.items():
        fields = [f.name for f in dataclasses.fields(cls)] + (["single_source"] if cls is model.Claim else [])
        definition = schema["$defs"][name]
        assert (sorted(definition["properties"]), sorted(definition["required"])) == (sorted(fields),) * 2, name
        assert definition["additionalProperties"] is False


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda a: a["brief"][0]["citations"][0].update(text="other words"), "brief/0/citations/0/text: is not"),
        (lambda a: a["claims"][0]["citations"][0].update(end=10**6), "claims/0/citations/0: span"),
        (lambda a: a["timeline"][0]["citations"][0].update(article_id="f" * 16), "is not an article of the report"),
        (lambda a: a["article_ids"].append("e" * 16), "accounts/0/article_ids/3"),
        (lambda a: a["claims"][1].update(single_source=False), "claims/1/single_source: disagrees"),
        (lambda a: a["discrepancies"][0]["values"].pop(), "1 values for 2 citations"),
        (lambda a: a["figures"][0]["agreements"].append([0, 7]), "figures/0/agreements: an index"),
        (lambda a: a["claims"][0].update(colour="red"), "accounts/0/claims/0: Additional properties"),
        (lambda a: a["brief"][0].update(support="likely"), "accounts/0/brief/0/support"),
        (lambda a: a["quote_groups"][0]["versions"][0].pop("speaker"), "'speaker' is a required property"),
        (lambda a: a["figures"][0]["points"][0].update(bound="about"), "figures/0/points/0/bound"),
    ],
)
def test_broken_accounts_fail_with_a_message_naming_the_place(break_it, message):
    rep = account_report()
    break_it(rep["accounts"][0])
    with pytest.raises(ReportError, match="invalid report") as err:
        validate_report(rep)
    assert message in str(err.value)
