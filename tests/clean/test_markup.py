"""Paragraph-list dumps with inline HTML."""

from __future__ import annotations

import pytest

from storyline.clean.markup import strip_inline_markup


def test_inline_tags_and_entities_become_plain_text() -> None:
    paragraphs, hints, removed = strip_inline_markup(
        [
            '<strong class="lede-7f3a">Prices rose &amp; wages fell</strong>, the agency said.',
            'She <a href="https://example.org/x" rel="nofollow">told reporters</a> it was &ldquo;over&rdquo;.',
            "Plain paragraph with no markup &eacute;.",
        ]
    )
    assert paragraphs == [
        "Prices rose & wages fell, the agency said.",
        "She told reporters it was “over”.",
        "Plain paragraph with no markup é.",
    ]
    assert hints.title is None
    assert removed == []


def test_blocks_split_and_non_text_elements_recorded() -> None:
    paragraphs, _, removed = strip_inline_markup(
        [
            "<p>First.</p><p>Second.<figcaption>A boat at dawn</figcaption></p>",
            "Line one<br><br>Line two<br>continued",
            '<script>track("x")</script>',
            "a < b in maths",
        ]
    )
    assert paragraphs == ["First.", "Second.", "Line one", "Line two continued", "a < b in maths"]
    assert [(r.reason, r.text) for r in removed] == [
        ("markup-figcaption", "A boat at dawn"),
        ("markup-script", 'track("x")'),
    ]


def test_non_string_item_is_refused() -> None:
    with pytest.raises(TypeError):
        strip_inline_markup(["ok", 3])  # type: ignore[list-item]
