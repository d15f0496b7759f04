"""Bad input: each gets a one-line problem naming the file and the reason; the rest of the batch goes on."""

from __future__ import annotations

import builtins
import gzip
import io
import json
import os
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from storyline.ingest import read_inputs, reader
from storyline.model import InputProblem
from storyline.settings import IngestSettings

GOOD = "A good article that must still be read."


def _batch(tmp_path: Path, name: str, data: bytes) -> tuple[Path, Path]:
    """The bad file ``name`` and a good file after it (sorted), in one folder."""
    folder = tmp_path / "batch"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    (folder / "zz_good.txt").write_text(GOOD)
    return folder, folder / name


def _assert_one_line_naming(problem: InputProblem, path: Path, *words: str) -> None:
    message = problem.message()
    assert "\n" not in message and str(path) in message, message
    for word in words:
        assert word in message.lower(), message


def test_binary_file(tmp_path: Path, read) -> None:
    folder, bad = _batch(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    docs, problems = read(folder)
    assert [d.content for d in docs] == [GOOD]
    _assert_one_line_naming(problems[0], bad, "binary")


def test_empty_and_whitespace_files(tmp_path: Path, read) -> None:
    folder, _ = _batch(tmp_path, "empty.html", b"")
    (folder / "blank.txt").write_bytes(b" \n\n\t ")
    docs, problems = read(folder)
    assert [d.content for d in docs] == [GOOD]
    assert len(problems) == 2 and all("empty file" in p.reason for p in problems)


def test_huge_file_refused_without_reading(tmp_path: Path, read) -> None:
    folder, bad = _batch(tmp_path, "huge.txt", b"")
    with open(bad, "wb") as fh:  # a sparse 200 MB file whose first 100 KB are text
        fh.write(b"Some text. " * 10_000)
        fh.truncate(200_000_000)
    start = time.perf_counter()
    docs, problems = read(folder)
    assert time.perf_counter() - start < 2
    assert [d.content for d in docs] == [GOOD]
    _assert_one_line_naming(problems[0], bad, "max_file_bytes", "200,000,000 bytes")


def test_stream_above_limit_refused(tmp_path: Path, read, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"word " * 1000)))
    docs, problems = read("-", settings=IngestSettings(max_file_bytes=1000))
    assert docs == [] and "max_file_bytes" in problems[0].reason and problems[0].source.path == "-"


def test_invalid_utf8_replaced_with_warning(tmp_path: Path, read) -> None:
    data = "Zelensky said «the army» is advancing near Kharkiv – café.".encode() + b"\xff\xfe bad \xc3("
    folder, bad = _batch(tmp_path, "broken.txt", data)
    docs, problems = read(folder)
    assert len(docs) == 2 and "\ufffd" in docs[0].content and "«the army»" in docs[0].content
    assert problems[0].severity == "warning"
    _assert_one_line_naming(problems[0], bad, "invalid utf-8")


def test_malformed_html_passes_through(tmp_path: Path, read) -> None:
    html = b"<html><body><div><p>Unclosed <b>tags <p>and <table><tr><td>cells</body>"
    folder, _ = _batch(tmp_path, "bad.html", html)
    docs, problems = read(folder)
    assert problems == [] and docs[0].format == "html" and docs[0].content == html.decode()


def test_truncated_gzip_yields_what_was_read(tmp_path: Path, read) -> None:
    lines = "".join(json.dumps({"title": f"T{i}", "text": os.urandom(500).hex()}) + "\n" for i in range(40))
    data = gzip.compress(lines.encode())
    folder, bad = _batch(tmp_path, "dump.jsonl.gz", data[: len(data) * 2 // 3])
    docs, problems = read(folder)
    assert 5 < len(docs) - 1 < 40 and docs[-1].content == GOOD
    assert [d.hints.title for d in docs[:-1]] == [f"T{i}" for i in range(len(docs) - 1)]
    _assert_one_line_naming(problems[-1], bad, "truncated gzip")


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_warc_yields_what_was_read(tmp_path: Path, read, warc_record, compress: bool) -> None:
    pages = [b"<html><body><p>%s</p></body></html>" % os.urandom(3000).hex().encode() for _ in range(4)]
    records = [warc_record(i, page) for i, page in enumerate(pages)]
    data = b"".join(gzip.compress(r) for r in records) if compress else b"".join(records)
    folder, bad = _batch(tmp_path, "crawl.warc.gz" if compress else "crawl.warc", data[:-2000])
    docs, problems = read(folder)
    assert [d.source.index for d in docs[:-1]] == [0, 1, 2] and docs[-1].content == GOOD
    _assert_one_line_naming(problems[0], bad, "truncated")
    assert problems[0].source.index == 3


def test_garbage_warc(tmp_path: Path, read) -> None:
    folder, _ = _batch(tmp_path, "x.warc", b"WARC/1.0\r\nthis is not a header\r\n\r\n" + b"junk " * 100)
    docs, problems = read(folder)
    assert [d.content for d in docs] == [GOOD] and problems


@pytest.mark.parametrize("shape", ["json", "paragraphs", "jsonl"])
def test_deep_nesting_refused_before_parsing(tmp_path: Path, read, shape: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    data = {"json": deep, "paragraphs": "['a', " + deep + "]", "jsonl": '{"text": ' + deep + "}\n"}[shape]
    folder, bad = _batch(tmp_path, f"deep.{shape}", data.encode())
    start = time.perf_counter()
    docs, problems = read(folder)
    assert time.perf_counter() - start < 2
    assert [d.content for d in docs] == [GOOD]
    _assert_one_line_naming(problems[0], bad, "nested deeper than 64")


def test_nothing_is_executed(tmp_path: Path, read) -> None:
    marker = tmp_path / "executed"
    payload = f"['a', __import__('os').system('touch {marker}')]"
    folder, bad = _batch(tmp_path, "evil.txt", payload.encode())
    docs, problems = read(folder)
    assert not marker.exists() and [d.content for d in docs] == [GOOD]
    _assert_one_line_naming(problems[0], bad, "neither json nor a python list literal")


def test_feed_external_entities_not_resolved(tmp_path: Path, read) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    feed = f"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><title>t</title><item><title>i</title><link>https://e.com/x</link>
<description>before &xxe; after</description></item></channel></rss>"""
    (tmp_path / "feed.xml").write_text(feed)
    docs, _ = read(tmp_path / "feed.xml")
    assert all("TOP-SECRET" not in str(d.content) for d in docs)


def test_zip_bomb_member_and_archive_caps(tmp_path: Path, read) -> None:
    settings = IngestSettings(max_decompressed_bytes=1_000_000, max_archive_bytes=3_000_000)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a_small.txt", GOOD)
        archive.writestr("b_bomb.txt", b"A" * 50_000_000)  # 50 MB that compresses to ~50 KB
        for i in range(6):
            archive.writestr(f"c_{i}.txt", b"word " * 180_000)  # 900 KB each: 3 fit under the archive cap
    start = time.perf_counter()
    docs, problems = read(path, settings=settings)
    assert time.perf_counter() - start < 5
    assert docs[0].content == GOOD and len(docs) == 4
    assert "max_decompressed_bytes" in problems[0].reason and problems[0].source.member == "b_bomb.txt"
    assert "max_archive_bytes" in problems[-1].reason and problems[-1].source.member is None


def test_zip_member_lying_about_its_size(tmp_path: Path, read) -> None:
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"A" * 5_000_000)
    data = bytearray(path.read_bytes())
    # Patch the declared uncompressed size (local header offset 22, central directory offset 24) to 10 bytes.
    data[22:26] = (10).to_bytes(4, "little")
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    docs, problems = read(path, settings=IngestSettings(max_decompressed_bytes=1_000_000))
    assert docs == [] and len(problems) == 1 and problems[0].source.member == "bomb.txt"


def test_too_many_members(tmp_path: Path, read) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(20):
            archive.writestr(f"{i:02d}.txt", f"doc {i}")
    docs, problems = read(path, settings=IngestSettings(max_archive_members=5))
    assert docs == [] and "declares 20 members, above max_archive_members (5)" in problems[0].reason
    tar_path = tmp_path / "many.tar"
    with tarfile.open(tar_path, "w") as tar:
        for i in range(20):
            info = tarfile.TarInfo(f"{i:02d}.txt")
            info.size = 5
            tar.addfile(info, io.BytesIO(b"doc %d" % (i % 10)))
    docs, problems = read(tar_path, settings=IngestSettings(max_archive_members=5))
    assert len(docs) == 5 and "more than 5 members" in problems[0].reason


def test_gzip_bomb_capped(tmp_path: Path, read) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(b"A" * 20_000_000))
    docs, problems = read(path, settings=IngestSettings(max_archive_bytes=1_000_000))
    assert docs == [] and "max_archive_bytes" in problems[0].reason


def test_archive_nesting_depth(tmp_path: Path, read) -> None:
    data = GOOD.encode()
    for _ in range(4):
        data = gzip.compress(data)
    (tmp_path / "deep.gz").write_bytes(data)
    docs, problems = read(tmp_path / "deep.gz")
    assert docs == [] and "max_archive_depth" in problems[0].reason


def test_corrupt_zip_and_truncated_tar(tmp_path: Path, read) -> None:
    folder, _ = _batch(tmp_path, "corrupt.zip", b"PK\x03\x04" + b"\x00garbage" * 20)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("a.txt")
        body = b"text " * 1000
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    (folder / "cut.tar").write_bytes(buffer.getvalue()[:2000])
    docs, problems = read(folder)
    assert [d.content for d in docs] == [GOOD]
    assert len(problems) == 2
    assert "zip" in problems[0].reason and "tar" in problems[1].reason


def test_missing_and_unmatched_paths(tmp_path: Path, read) -> None:
    (tmp_path / "good.txt").write_text(GOOD)
    docs, problems = read(tmp_path / "missing.txt", tmp_path / "nothing*.json", tmp_path / "good.txt")
    assert [d.content for d in docs] == [GOOD]
    assert [p.reason for p in problems] == ["no such file or directory", "no file matches this pattern"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path, read) -> None:
    folder, bad = _batch(tmp_path, "locked.txt", b"secret")
    bad.chmod(0)
    docs, problems = read(folder)
    assert [d.content for d in docs] == [GOOD]
    _assert_one_line_naming(problems[0], bad, "permission denied")


def test_broken_symlink_and_fifo(tmp_path: Path, read) -> None:
    folder, _ = _batch(tmp_path, "a.txt", b"first")
    (folder / "b_link.txt").symlink_to(folder / "gone.txt")
    os.mkfifo(folder / "c_pipe")
    docs, problems = read(folder)
    assert [d.content for d in docs] == ["first", GOOD]
    assert ["broken symbolic link" in problems[0].reason, "not a regular file" in problems[1].reason] == [True, True]


def test_symlink_loop(tmp_path: Path, read) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text(GOOD)
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    docs, problems = read(root)
    assert [d.content for d in docs] == [GOOD]
    assert len(problems) == 1 and problems[0].severity == "warning" and "loop" in problems[0].reason


def test_problems_are_yielded_lazily(tmp_path: Path) -> None:
    """The batch is a stream: the first document arrives before later inputs are read."""
    (tmp_path / "a.txt").write_text(GOOD)
    items = read_inputs([str(tmp_path / "a.txt"), str(tmp_path / "missing")])
    assert next(items).content == GOOD
    assert next(items).reason == "no such file or directory"


def test_unreadable_file_even_as_root(tmp_path: Path, read, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read error (here a simulated permission error) is one problem; the batch goes on."""
    folder, bad = _batch(tmp_path, "locked.txt", b"secret")

    def guarded_open(path, *args, **kwargs):
        if str(path) == str(bad):
            raise PermissionError(13, "Permission denied", str(path))
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(reader, "open", guarded_open, raising=False)
    docs, problems = read(folder)
    assert [d.content for d in docs] == [GOOD]
    _assert_one_line_naming(problems[0], bad, "permission denied")


def test_corrupt_gzip_and_empty_feed(tmp_path: Path, read) -> None:
    folder, bad = _batch(tmp_path, "a.json.gz", gzip.compress(b'{"text": "x"}')[:10] + b"\xff" * 40)
    (folder / "b.rss").write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>')
    docs, problems = read(folder)
    assert [d.content for d in docs] == [GOOD]
    _assert_one_line_naming(problems[0], bad, "gzip")
    assert "feed has no items" in problems[1].reason


def test_record_date_not_understood_is_a_warning(tmp_path: Path, read) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"title": "T", "text": "Body.", "date": "sometime soon"}))
    docs, problems = read(tmp_path / "a.json")
    assert docs[0].hints.published is None and docs[0].content == "Body."
    assert problems[0].severity == "warning" and "not understood" in problems[0].reason


def test_bad_manifest_and_sidecar(tmp_path: Path, read) -> None:
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "a.txt.meta.json").write_text("[[[not json")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"url": "https://e.com/no-path"}\n{broken\n{"path": "a.txt", "title": "Given"}\n')
    docs, problems = read(tmp_path / "a.txt", manifest=str(manifest))
    assert docs[0].content == GOOD and docs[0].hints.title == "Given"
    assert [(p.source.index, p.source.path.endswith("m.jsonl")) for p in problems[:2]] == [(0, True), (1, True)]
    assert "no path" in problems[0].reason and "invalid JSON" in problems[1].reason
    assert problems[2].source.path.endswith("a.txt.meta.json") and "unreadable sidecar" in problems[2].reason
    docs, problems = read(tmp_path / "a.txt", manifest=str(tmp_path / "missing.csv"))
    assert docs[0].content == GOOD and "unreadable manifest" in problems[0].reason
