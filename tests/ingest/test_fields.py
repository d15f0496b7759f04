"""Record field normalisation: dates, bylines, languages, and bytes-to-text decoding."""

from __future__ import annotations

import pytest

from storyline.ingest.decode import decode_bytes
from storyline.ingest.fields import normalize_date, normalize_language, split_byline


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-09-11", "2022-09-11"),
        ("2022-09-11 14:05:00", "2022-09-11T14:05:00"),
        ("2022-09-11T14:05:00Z", "2022-09-11T14:05:00+00:00"),
        ("Sun, 11 Sep 2022 10:00:00 +0200", "2022-09-11T10:00:00+02:00"),
        (1662890400, "2022-09-11T10:00:00+00:00"),
        (1662890400000, "2022-09-11T10:00:00+00:00"),
        ("11 September 2022", "2022-09-11"),
        ("2 hours ago", None),
        ("not a date", None),
        ("2022-13-45", None),
        (None, None),
    ],
)
def test_normalize_date(value: object, expected: str | None) -> None:
    assert normalize_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe, John Roe; Ann Lee", ["Jane Doe", "John Roe", "Ann Lee"]),
        ("Smith, John", ["Smith, John"]),
        ([{"name": "Jane Doe"}, "John Roe"], ["Jane Doe", "John Roe"]),
        ("", []),
    ],
)
def test_split_byline(value: object, expected: list[str]) -> None:
    assert split_byline(value) == expected


def test_normalize_language() -> None:
    assert [normalize_language(t) for t in ("en-US", "uk", "English", None)] == ["en", "uk", None, None]


def test_decode_prefers_valid_utf8_over_a_wrong_declaration() -> None:
    assert decode_bytes("Київ".encode(), "iso-8859-1") == ("Київ", None)
    assert decode_bytes("Київ".encode("cp1251"), "windows-1251") == ("Київ", None)
    assert decode_bytes("café".encode("utf-16")) == ("café", None)  # the codec writes a BOM
    assert decode_bytes("café".encode("utf-8-sig")) == ("café", None)
