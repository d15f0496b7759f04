"""The compiled schema check (fastjsonschema) agrees with jsonschema: valid passes, invalid is caught."""

from __future__ import annotations

import copy

import fastjsonschema
import pytest

from storyline.model import Article, Source
from storyline.report.json import ReportError, _compiled, _validator, build_report, validate_report


def _report() -> dict:
    paragraphs = ["First paragraph.", "Second paragraph."]
    art = Article(id="00000000000000a1", source=Source("in.jsonl", None, 0), text="\n\n".join(paragraphs),
                  paragraphs=paragraphs, url="https://example.org/1", outlet="Example", published="2024-01-02",
                  published_source="html", language="en")
    return build_report([art])


@pytest.mark.parametrize(
    "break_it",
    [
        lambda r: r.pop("problems"),
        lambda r: r.update(schema_version="1"),
        lambda r: r["articles"][0].update(id="not-hex"),
        lambda r: r["articles"][0].update(paragraphs="one string"),
        lambda r: r["articles"][0].update(extra=True),
        lambda r: r["articles"][0]["source"].update(index=-1),
        lambda r: r["articles"][0].update(published_source=True),
        lambda r: r.update(stories=[{"id": "s1"}]),
    ],
)
def test_compiled_check_rejects_what_jsonschema_rejects(break_it):
    report = _report()
    _compiled()(report)
    assert not list(_validator().iter_errors(report))
    broken = copy.deepcopy(report)
    break_it(broken)
    assert list(_validator().iter_errors(broken))
    with pytest.raises(fastjsonschema.JsonSchemaException):
        _compiled()(broken)
    with pytest.raises(ReportError, match="invalid report"):
        validate_report(broken)


def test_compiled_check_does_not_change_the_report():
    report = _report()
    before = copy.deepcopy(report)
    validate_report(report)
    assert report == before
