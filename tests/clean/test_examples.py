"""clean_document over the bundled example cluster: all furniture out, every article paragraph in."""

from __future__ import annotations

import ast
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from storyline.clean.document import clean_document
from storyline.model import Article, DateWindow, RawDocument, Source

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kharkiv-2022-09"
MAX_LIST_DEPTH = 4


def _raw(path: Path) -> RawDocument:
    """What the reader makes of an example file (built here until the ingest reader is wired in)."""
    content = path.read_text(encoding="utf-8")
    if content.lstrip().startswith("["):
        depth = max(len(m) for m in re.findall(r"\[+", content))  # bounded before parsing
        assert depth <= MAX_LIST_DEPTH, path
        items = ast.literal_eval(content)
        return RawDocument(Source(str(path)), "paragraphs", items)
    return RawDocument(Source(str(path)), "text", content)


def _inputs(path: Path) -> list[str]:
    """The file's paragraphs as a reader would see them, without markup, whitespace-normalised."""
    raw = _raw(path)
    items = raw.content if isinstance(raw.content, list) else re.split(r"\n\s*\n", raw.content)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items if item.strip()]


def _check(path: Path, furniture: set[int], first_is_title: bool = False) -> Article:
    article = clean_document(_raw(path))
    inputs = _inputs(path)
    expected = [p for i, p in enumerate(inputs) if i not in furniture and not (first_is_title and i == 0)]
    assert article.paragraphs == expected
    for i in furniture:
        assert inputs[i] not in article.text
    assert article.text == "\n\n".join(article.paragraphs)
    assert article.language == "en"
    return article


@pytest.fixture(scope="module")
def files() -> list[Path]:
    found = sorted(EXAMPLES.glob("*.txt"))
    if len(found) != 4:
        pytest.skip(f"example cluster missing from {EXAMPLES}")
    return found


def _header_date(path: Path) -> str:
    match = re.search(r"\d{4}-\d{2}-\d{2}", path.read_text(encoding="utf-8").splitlines()[0])
    assert match, path
    return match.group(0)


def _near(window: DateWindow, day: str) -> bool:
    """The window overlaps the fortnight around ``day`` (the cluster's stories are days apart)."""
    centre = date.fromisoformat(day)
    return date.fromisoformat(window.earliest) <= centre + timedelta(7) and centre - timedelta(7) <= (
        date.fromisoformat(window.latest)
    )


def test_paragraph_dump_with_markup_and_furniture(files: list[Path]) -> None:
    n = len(_inputs(files[0]))
    # video placeholder, its caption, the analyst's byline, the newsletter promo, the copyright footer
    byline = next(i for i, p in enumerate(_inputs(files[0])) if p.lower().startswith("by "))
    article = _check(files[0], {0, 1, byline, n - 2, n - 1})
    assert [r.reason for r in article.removed] == [
        "video-placeholder",
        "media-label",
        "byline",
        "newsletter-promo",
        "copyright-footer",
    ]
    assert article.byline == [_inputs(files[0])[byline][3:].split(",")[0]]
    assert article.outlet == "BBC"
    assert article.title is None and article.published is None
    assert article.published_source == "inferred" and article.published_window is not None
    assert _near(article.published_window, _header_date(files[1]))
    assert "ssrcss" not in article.text and "<" not in article.text


def test_text_with_date_header(files: list[Path]) -> None:
    article = _check(files[1], set(), first_is_title=True)
    assert article.published == _header_date(files[1])
    assert article.published_source == "header"
    assert article.published_window is None
    assert article.title and article.title.startswith("Ukraine")


def test_rewrite_with_article_navigation(files: list[Path]) -> None:
    inputs = _inputs(files[2])
    last_lines = files[2].read_text(encoding="utf-8").strip().split("\n")[-2:]  # previous / next article
    article = clean_document(_raw(files[2]))
    assert article.paragraphs == inputs[:-1]
    assert [r.text for r in article.removed] == last_lines
    assert [r.reason for r in article.removed] == ["article-navigation", "article-navigation"]
    assert not any(line.split("article", 1)[1] in article.text for line in last_lines)
    assert article.published is None
    assert article.published_window is None or _near(article.published_window, _header_date(files[1]))


def test_headline_and_comment_count(files: list[Path]) -> None:
    article = _check(files[3], {1}, first_is_title=True)
    assert article.title == _inputs(files[3])[0]
    assert [r.reason for r in article.removed] == ["headline", "engagement-count"]
    assert article.published is None
    assert article.published_window is None or _near(article.published_window, _header_date(files[1]))
