"""Shared helpers for the ingest tests: read inputs, split documents from problems, build WARC records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from storyline.ingest import read_inputs
from storyline.model import InputProblem, RawDocument

Result = tuple[list[RawDocument], list[InputProblem]]


def split(items: Iterable[RawDocument | InputProblem]) -> Result:
    """Documents and problems, each in reading order."""
    items = list(items)
    docs = [i for i in items if isinstance(i, RawDocument)]
    problems = [i for i in items if isinstance(i, InputProblem)]
    return docs, problems


@pytest.fixture
def read() -> Callable[..., Result]:
    """``read(*paths, **kwargs)`` -> (documents, problems), all inputs read."""

    def _read(*paths: Any, **kwargs: Any) -> Result:
        return split(read_inputs([str(p) for p in paths], **kwargs))

    return _read


def _warc_record(
    index: int,
    body: bytes,
    content_type: bytes = b"text/html; charset=utf-8",
    extra_headers: bytes = b"",
    warc_type: bytes = b"response",
) -> bytes:
    """One WARC/1.0 record holding an HTTP response (or request) with ``body``."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type + b"\r\n" + extra_headers + b"\r\n" + body
    if warc_type == b"request":
        http = b"GET /%d HTTP/1.1\r\nHost: example.com\r\n\r\n" % index
    header = (
        b"WARC/1.0\r\nWARC-Type: " + warc_type + b"\r\nWARC-Record-ID: <urn:uuid:%d>\r\n"
        b"WARC-Date: 2022-09-11T10:00:%02dZ\r\nWARC-Target-URI: https://example.com/news/%d\r\n"
        b"Content-Type: application/http; msgtype=" + warc_type + b"\r\nContent-Length: %d\r\n\r\n"
    ) % (index, index, index, len(http))
    return header + http + b"\r\n\r\n"


@pytest.fixture
def warc_record() -> Callable[..., bytes]:
    """``warc_record(index, body, content_type=..., extra_headers=..., warc_type=...)`` -> WARC record bytes."""
    return _warc_record
