"""Every input shape read into RawDocuments with the right format, content, source and hints."""

from __future__ import annotations

import gzip
import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from storyline.ingest import detect_format, read_inputs
from storyline.settings import IngestSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kharkiv-2022-09"
HTML = "<!DOCTYPE html><html><head><title>Kyiv</title></head><body><p>Troops advanced.</p></body></html>"
NEWS_PLEASE = {
    "title": "Ukraine retakes Izium",
    "maintext": "Ukrainian forces retook the city.\n\nOfficials confirmed it on Sunday.",
    "date_publish": "2022-09-11 14:05:00",
    "url": "https://example.org/izium",
    "authors": ["Jane Doe", "John Roe"],
    "source_domain": "example.org",
    "language": "en",
}
RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<!-- a comment before the root -->
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example</title><language>en-GB</language>
<item><title>Full item</title><link>https://example.com/a</link>
  <pubDate>Sun, 11 Sep 2022 10:00:00 GMT</pubDate><dc:creator>Jane Doe</dc:creator>
  <content:encoded><![CDATA[<p>First paragraph.</p><p>Second paragraph.</p>]]></content:encoded></item>
<item><title>Summary item</title><link>https://example.com/b</link>
  <description>&lt;p&gt;Only a &lt;b&gt;summary&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Two.&lt;/p&gt;</description></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom example</title>
<entry><title>Atom entry</title><link href="https://example.com/atom/1"/>
<updated>2022-09-12T08:30:00+02:00</updated><author><name>Ann Smith</name></author>
<content type="html">&lt;p&gt;Atom body.&lt;/p&gt;</content></entry></feed>"""


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"", "a.txt", "empty"),
        (b"  \n\t", "a.txt", "empty"),
        (HTML.encode(), "a.txt", "html"),
        (b"\n<div><p>fragment</p></div>", "a", "html"),
        (b"['one', 'two']", "a.txt", "paragraphs"),
        (b'["one", "two"]', "a.json", "paragraphs"),
        (b'[{"title": "x"}]', "a", "json"),
        (b'{"title": "x",\n "text": "y"}', "a.json", "json"),
        (b'{"title": "x"}\n{"title": "y"}\n', "a.json", "jsonl"),
        (b'{"title": "x"}', "a.jsonl", "jsonl"),
        (RSS, "feed", "feed"),
        (ATOM, "a.xml", "feed"),
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "a", "warc"),
        (gzip.compress(b"WARC/1.1\r\n"), "a.gz", "warc"),
        (gzip.compress(b"hello"), "a.gz", "gzip"),
        (b"PK\x03\x04rest", "a", "zip"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.txt", "binary"),
        (b" date 2022-09-11 Headline\n\nBody [1] text <b>bold</b>.", "a.html", "text"),
        (b"[Updated] A text that starts with a bracket.", "a.txt", "text"),
        ("\ufeffPlain text with a BOM.".encode("utf-16"), "a.txt", "text"),
    ],
)
def test_detect_format_from_content(head: bytes, name: str, expected: str) -> None:
    assert detect_format(head, name) == expected


def test_detect_tar_by_magic(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        _add(tar, "a.txt", b"hello")
    assert detect_format(buffer.getvalue()[:1024], "archive.bin") == "tar"


# --------------------------------------------------------------------------- plain files


def test_examples_directory(read) -> None:
    if not EXAMPLES.is_dir():
        pytest.skip("examples missing")
    docs, problems = read(EXAMPLES)
    assert problems == []
    assert [d.format for d in docs] == ["paragraphs", "text", "text", "text"]
    assert docs[0].content[0] == "This video can not be played"
    assert '<b class="' in docs[0].content[2]  # inline markup is left for clean/
    assert docs[1].content.startswith(" date 2022-09-11")  # header lines are left for clean/
    assert docs[0].source.path.endswith("000_ede8441d733336c9.txt") and docs[0].source.index is None


def test_directory_sorted_recursive_skips_hidden_and_sidecars(tmp_path: Path, read) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("second")
    (tmp_path / "a.txt").write_text("first")
    (tmp_path / "c.txt").write_text("third")
    (tmp_path / ".hidden.txt").write_text("hidden")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("hidden")
    (tmp_path / "a.txt.meta.json").write_text('{"title": "Given"}')
    docs, problems = read(tmp_path)
    assert problems == []
    assert [d.content for d in docs] == ["first", "second", "third"]


def test_glob_pattern(tmp_path: Path, read) -> None:
    for name in ("x1.txt", "x2.txt", "y.txt"):
        (tmp_path / name).write_text(name)
    docs, _ = read(tmp_path / "x*.txt")
    assert [d.content for d in docs] == ["x1.txt", "x2.txt"]


def test_stdin(monkeypatch: pytest.MonkeyPatch, read) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(HTML.encode())))
    docs, problems = read("-")
    assert problems == [] and docs[0].format == "html" and docs[0].source.path == "-"


def test_html_meta_charset(tmp_path: Path, read) -> None:
    page = '<html><head><meta charset="windows-1251"></head><body><p>Київ</p></body></html>'
    (tmp_path / "page.html").write_bytes(page.encode("cp1251"))
    docs, problems = read(tmp_path / "page.html")
    assert problems == [] and "Київ" in docs[0].content


def test_legacy_encoding_guessed_with_a_warning(tmp_path: Path, read) -> None:
    text = "Le président a déclaré que la contre-offensive avançait à l'est du pays. " * 5
    (tmp_path / "fr.txt").write_bytes(text.encode("cp1252"))
    docs, problems = read(tmp_path / "fr.txt")
    assert "président" in docs[0].content
    assert [p.severity for p in problems] == ["warning"]


def test_format_override(tmp_path: Path, read) -> None:
    (tmp_path / "page.txt").write_text(HTML)
    docs, _ = read(tmp_path / "page.txt", format="text")
    assert docs[0].format == "text" and docs[0].content == HTML
    with pytest.raises(ValueError, match="unknown input format"):
        read_inputs([str(tmp_path / "page.txt")], format="pdf")  # raised before iterating


# --------------------------------------------------------------------------- records


def test_news_please_record(tmp_path: Path, read) -> None:
    (tmp_path / "article.json").write_text(json.dumps(NEWS_PLEASE))
    docs, problems = read(tmp_path / "article.json")
    assert problems == []
    (doc,) = docs
    assert doc.format == "text" and doc.content == NEWS_PLEASE["maintext"]
    assert doc.hints.url == "https://example.org/izium"
    assert doc.hints.title == "Ukraine retakes Izium"
    assert doc.hints.published == "2022-09-11T14:05:00"
    assert doc.hints.published_source == "record"
    assert doc.hints.byline == ["Jane Doe", "John Roe"]
    assert doc.hints.outlet == "example.org" and doc.hints.language == "en"


def test_json_list_of_alternative_layouts(tmp_path: Path, read) -> None:
    records = {
        "articles": [
            {
                "headline": "A",
                "html": "<html><body><p>x</p></body></html>",
                "pubDate": "Sun, 11 Sep 2022 10:00:00 GMT",
                "link": "https://e.com/a",
                "byline": "By Ann Lee and Bo Chan",
                "site": "E",
            },
            {"title": "B", "content": ["Para one.", "Para <i>two</i>."], "datePublished": 1662890400},
            {
                "title": "C",
                "body": "Plain body with <b>inline</b> markup.",
                "source": {"id": "x", "name": "NewsAPI Outlet"},
            },
            {"title": "no body"},
        ]
    }
    (tmp_path / "dump.json").write_text(json.dumps(records))
    docs, problems = read(tmp_path / "dump.json")
    assert [d.format for d in docs] == ["html", "paragraphs", "text"]
    assert [d.source.index for d in docs] == [0, 1, 2]
    assert docs[0].hints.published == "2022-09-11T10:00:00+00:00"
    assert docs[0].hints.byline == ["Ann Lee", "Bo Chan"] and docs[0].hints.outlet == "E"
    assert docs[1].content == ["Para one.", "Para <i>two</i>."]
    assert docs[1].hints.published == "2022-09-11T10:00:00+00:00"
    assert docs[2].hints.outlet == "NewsAPI Outlet"
    assert len(problems) == 1 and problems[0].source.index == 3 and "no article text" in problems[0].reason


def test_jsonl_streams_records_and_reports_bad_lines(tmp_path: Path, read) -> None:
    lines = [json.dumps(NEWS_PLEASE), "", "{not json", json.dumps({**NEWS_PLEASE, "url": "https://e.org/2"})]
    (tmp_path / "dump.jsonl").write_text("\n".join(lines) + "\n")
    docs, problems = read(tmp_path / "dump.jsonl")
    assert [d.source.index for d in docs] == [0, 2]
    assert docs[1].hints.url == "https://e.org/2"
    assert len(problems) == 1 and problems[0].source.index == 1 and "invalid JSON" in problems[0].reason


def test_python_and_json_paragraph_lists(tmp_path: Path, read) -> None:
    (tmp_path / "a.txt").write_text("['It\\'s one', \"two\"]")
    (tmp_path / "b.json").write_text(json.dumps(["uno", "dos"]))
    docs, problems = read(tmp_path)
    assert problems == []
    assert [d.content for d in docs] == [["It's one", "two"], ["uno", "dos"]]


# --------------------------------------------------------------------------- feeds


def test_rss_items(tmp_path: Path, read) -> None:
    (tmp_path / "feed.rss").write_bytes(RSS)
    docs, problems = read(tmp_path / "feed.rss")
    assert problems == []
    full, summary = docs
    assert full.format == "html" and "<p>First paragraph.</p>" in full.content
    assert full.hints.url == "https://example.com/a" and full.hints.title == "Full item"
    assert full.hints.published == "2022-09-11T10:00:00+00:00" and full.hints.published_source == "feed"
    assert full.hints.byline == ["Jane Doe"] and full.hints.language == "en"
    assert summary.format == "text" and summary.content == "Only a summary.\n\nTwo."
    assert [d.source.index for d in docs] == [0, 1]


def test_atom_entry(tmp_path: Path, read) -> None:
    (tmp_path / "atom.xml").write_bytes(ATOM)
    (doc,) = read(tmp_path / "atom.xml")[0]
    assert doc.format == "html" and "Atom body." in doc.content
    assert doc.hints.published == "2022-09-12T06:30:00+00:00" and doc.hints.byline == ["Ann Smith"]


# --------------------------------------------------------------------------- WARC


def _warc(warc_record) -> bytes:
    gz_html = gzip.compress(b"<html><body><p>gzipped and chunked</p></body></html>")
    chunked = b"%x\r\n" % len(gz_html) + gz_html + b"\r\n0\r\n\r\n"
    return b"".join(
        [
            warc_record(0, b"", warc_type=b"request"),
            warc_record(
                1, "<html><body><p>caf\u00e9</p></body></html>".encode("latin-1"), b"text/html; charset=iso-8859-1"
            ),
            warc_record(2, b"\x89PNG\r\n", b"image/png"),
            warc_record(3, chunked, b"text/html", b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
            warc_record(4, b"<html><body><p>plain</p></body></html>"),
        ]
    )


@pytest.mark.parametrize("compress", [False, True])
def test_warc_html_responses(tmp_path: Path, read, warc_record, compress: bool) -> None:
    data = _warc(warc_record)
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    path.write_bytes(gzip.compress(data) if compress else data)
    docs, problems = read(path)
    assert problems == []
    assert [d.source.index for d in docs] == [1, 3, 4]
    assert all(d.format == "html" for d in docs)
    assert "café" in docs[0].content and "gzipped and chunked" in docs[1].content
    assert docs[0].hints.url == "https://example.com/news/1"
    assert docs[0].hints.fetched == "2022-09-11T10:00:01Z"


# --------------------------------------------------------------------------- archives


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def test_zip_with_nested_tar_gz(tmp_path: Path, read) -> None:
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w:gz") as tar:
        _add(tar, "inner/story.txt", b"Inner text story.")
        _add(tar, "inner/records.jsonl", (json.dumps(NEWS_PLEASE) + "\n").encode())
    with zipfile.ZipFile(tmp_path / "dump.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("b/page.html", HTML)
        archive.writestr("a/list.txt", "['p1', 'p2']")
        archive.writestr("c/more.tar.gz", tar_buffer.getvalue())
        archive.writestr("__MACOSX/._page.html", b"\x00\x05\x16\x07")
        archive.writestr("b/page.html.meta.json", "{}")
    docs, problems = read(tmp_path / "dump.zip")
    assert problems == []
    assert [(d.source.member, d.format) for d in docs] == [
        ("a/list.txt", "paragraphs"),
        ("b/page.html", "html"),
        ("c/more.tar.gz!inner/story.txt", "text"),
        ("c/more.tar.gz!inner/records.jsonl", "text"),
    ]
    assert docs[3].source.index == 0 and docs[3].source.label().endswith("dump.zip!c/more.tar.gz!inner/records.jsonl#0")


def test_tar_and_single_gzip(tmp_path: Path, read) -> None:
    with tarfile.open(tmp_path / "a.tgz", mode="w:gz") as tar:
        _add(tar, "x.html", HTML.encode())
        _add(tar, ".hidden.txt", b"skip me")
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress((json.dumps(NEWS_PLEASE) + "\n").encode() * 2))
    docs, problems = read(tmp_path / "a.tgz", tmp_path / "b.jsonl.gz")
    assert problems == []
    assert [(Path(d.source.path).name, d.source.member, d.source.index) for d in docs] == [
        ("a.tgz", "x.html", None),
        ("b.jsonl.gz", None, 0),
        ("b.jsonl.gz", None, 1),
    ]


# --------------------------------------------------------------------------- given metadata


def test_sidecar_wins_over_record_fields(tmp_path: Path, read) -> None:
    (tmp_path / "article.json").write_text(json.dumps(NEWS_PLEASE))
    (tmp_path / "article.json.meta.json").write_text(
        json.dumps({"date": "2022-09-10", "outlet": "Given Outlet", "byline": "A. Writer"})
    )
    (doc,) = read(tmp_path / "article.json")[0]
    assert doc.hints.published == "2022-09-10" and doc.hints.published_source == "given"
    assert doc.hints.outlet == "Given Outlet" and doc.hints.byline == ["A. Writer"]
    assert doc.hints.title == NEWS_PLEASE["title"]  # not given: the record's value stays


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_manifest(tmp_path: Path, read, kind: str) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Story A.")
    with zipfile.ZipFile(tmp_path / "docs" / "b.zip", "w") as archive:
        archive.writestr("b.txt", "Story B.")
    rows = [
        {
            "path": "docs/a.txt",
            "url": "https://e.com/a",
            "published": "2022-09-11",
            "outlet": "E",
            "title": "A",
            "byline": "Ann Lee; Bo Chan",
        },
        {"file": "docs/b.zip!b.txt", "url": "https://e.com/b", "date": "12 September 2022"},
    ]
    manifest = tmp_path / f"manifest.{kind}"
    if kind == "csv":
        header = ["path", "file", "url", "published", "date", "outlet", "title", "byline"]
        lines = [",".join(header)] + [",".join(str(r.get(h, "")) for h in header) for r in rows]
        manifest.write_text("\n".join(lines) + "\n")
    else:
        manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    docs, problems = read(tmp_path / "docs", manifest=str(manifest))
    assert problems == []
    a, b = docs
    assert (a.hints.url, a.hints.published, a.hints.published_source) == ("https://e.com/a", "2022-09-11", "given")
    assert a.hints.byline == ["Ann Lee", "Bo Chan"] and a.hints.outlet == "E" and a.hints.title == "A"
    assert b.hints.url == "https://e.com/b" and b.hints.published == "2022-09-12"


def test_settings_limits_are_used(tmp_path: Path, read) -> None:
    (tmp_path / "dump.jsonl").write_text((json.dumps(NEWS_PLEASE) + "\n") * 5)
    docs, problems = read(tmp_path / "dump.jsonl", settings=IngestSettings(max_records_per_file=3))
    assert len(docs) == 3 and "more than 3 records" in problems[0].reason


def test_forced_container_applies_to_named_inputs_not_members(tmp_path: Path, read) -> None:
    path = tmp_path / "old.bin"
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        _add(tar, "page.html", HTML.encode())
    data = bytearray(path.read_bytes())
    data[257:265] = bytes(8)  # a pre-POSIX (v7) header has no "ustar" magic: only --format tar tells
    data[148:156] = b" " * 8
    data[148:156] = b"%06o\0 " % sum(data[:512])  # the header checksum, recomputed
    path.write_bytes(bytes(data))
    assert read(path)[0] == []
    docs, problems = read(path, format="tar")
    assert problems == [] and [(d.source.member, d.format) for d in docs] == [("page.html", "html")]


def test_json_feed_and_paragraph_lines(tmp_path: Path, read) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {
                "id": "1",
                "url": "https://e.com/1",
                "title": "J",
                "content_html": "<p>Hi</p>",
                "date_published": "2022-09-11T10:00:00Z",
                "authors": [{"name": "Ann Lee"}],
            }
        ],
    }
    (tmp_path / "feed.json").write_text(json.dumps(feed))
    (tmp_path / "lines.jsonl").write_text('["p1", "p2"]\n["p3"]\n')
    docs, problems = read(tmp_path / "feed.json", tmp_path / "lines.jsonl")
    assert problems == []
    assert (docs[0].format, docs[0].hints.byline, docs[0].hints.url) == ("html", ["Ann Lee"], "https://e.com/1")
    assert [(d.format, d.content, d.source.index) for d in docs[1:]] == [
        ("paragraphs", ["p1", "p2"], 0),
        ("paragraphs", ["p3"], 1),
    ]


def test_sidecar_inside_zip(tmp_path: Path, read) -> None:
    with zipfile.ZipFile(tmp_path / "dump.zip", "w") as archive:
        archive.writestr("a.txt", "Story A.")
        archive.writestr("a.txt.meta.json", json.dumps({"url": "https://e.com/a", "date": "2022-09-11"}))
        archive.writestr("b.txt", "Story B.")
        archive.writestr("b.txt.meta.json", "{broken")
    docs, problems = read(tmp_path / "dump.zip")
    assert [d.content for d in docs] == ["Story A.", "Story B."]
    assert (docs[0].hints.url, docs[0].hints.published_source) == ("https://e.com/a", "given")
    assert docs[1].hints.url is None
    assert len(problems) == 1 and problems[0].source.member == "b.txt.meta.json"
