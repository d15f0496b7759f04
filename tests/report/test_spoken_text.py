"""How a quote's words are printed: the quotations of a direct quote without their attribution or marks."""

from __future__ import annotations

import pytest

from storyline.model import Citation, QuoteVersion
from storyline.report.view import spoken_text


def _version(kind: str, text: str) -> QuoteVersion:
    return QuoteVersion("a1", None, kind, Citation("a1", 0, len(text), text))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "content", "printed"),
    [
        # one quotation: the marks and the comma that leads into the attribution go
        ("direct", '"We will not give up,"', "We will not give up"),
        ("direct", "“We will not give up.”", "We will not give up."),
        # two quotations strung around their attribution: the attribution goes, an ellipsis joins them
        ("direct", '"The talks failed," the minister said. "We go on."', "The talks failed … We go on."),
        ("direct", "“The talks failed,” she said on Monday. “We go on.”", "The talks failed … We go on."),
        # a house style of single marks around the whole quotation
        ("direct", "‘This is how they react.’", "This is how they react."),
        # reported speech keeps its words; a quotation inside it is printed in single marks
        ("indirect", "that the troops would be regrouped", "that the troops would be regrouped"),
        ("mixed", 'the strikes were "a sign of desperation"', "the strikes were ‘a sign of desperation’"),
        ("mixed", "troops made a “good decision” by leaving", "troops made a ‘good decision’ by leaving"),
    ],
)
def test_spoken_text(kind: str, content: str, printed: str) -> None:
    assert spoken_text(_version(kind, content)) == printed
