"""Corrupted inputs of every shape (truncated, bytes flipped) never raise: they give documents or problems."""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
import zipfile
from pathlib import Path

import pytest

from storyline.ingest import read_inputs
from storyline.model import InputProblem, RawDocument

HTML = b"<html><head><title>T</title></head><body><p>Body text.</p></body></html>"
RECORD = {"title": "T", "maintext": "Body text.", "date_publish": "2022-09-11", "url": "https://e.com/1"}
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>i</title>'
    b"<link>https://e.com/x</link><description>&lt;p&gt;Body&lt;/p&gt;</description></item></channel></rss>"
)
# Mutations per sample: enough to hit headers, bodies and trailers of each shape, fast enough for CI.
TRIALS = 25


def _samples(warc_record) -> dict[str, bytes]:
    warc = b"".join(warc_record(i, HTML) for i in range(3))
    samples = {
        "a.warc": warc,
        "a.warc.gz": b"".join(gzip.compress(warc_record(i, HTML)) for i in range(3)),
        "a.jsonl.gz": gzip.compress("\n".join(json.dumps(RECORD) for _ in range(5)).encode()),
        "a.json": json.dumps({"articles": [RECORD] * 3}).encode(),
        "a.rss": RSS,
        "a.txt": b"['one', 'two', \"three\"]",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.html", HTML)
        archive.writestr("y.json", json.dumps(RECORD))
        archive.writestr("w.warc.gz", samples["a.warc.gz"])
    samples["a.zip"] = buffer.getvalue()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in (("x.html", HTML), ("z.zip", samples["a.zip"])):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    samples["a.tgz"] = buffer.getvalue()
    return samples


@pytest.mark.parametrize("name", ["a.warc", "a.warc.gz", "a.jsonl.gz", "a.json", "a.rss", "a.txt", "a.zip", "a.tgz"])
def test_corrupted_inputs_never_raise(tmp_path: Path, warc_record, name: str) -> None:
    data = _samples(warc_record)[name]
    rng = random.Random(name)
    path = tmp_path / name
    for _ in range(TRIALS):
        mutated = bytearray(data[: rng.randrange(1, len(data) + 1)])
        for _ in range(rng.randint(0, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        path.write_bytes(bytes(mutated))
        items = list(read_inputs([str(path)]))
        assert items and all(isinstance(i, RawDocument | InputProblem) for i in items)
        assert all("\n" not in i.message() for i in items if isinstance(i, InputProblem))
