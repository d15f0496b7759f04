"""WARC and WARC.gz (FastWARC): each HTTP response with an HTML content type becomes an html document.

FastWARC is always given a file object (given a string it would open it as a path or URL). Gzip
and the HTTP transfer and content encodings are undone here, not by FastWARC, so every
decompression is capped and a cut-off stream is noticed (FastWARC stops silently inside a
truncated record header; its ``auto_decode`` also lost the records after a chunked one in 2.0.1).
A record whose payload is shorter than its Content-Length was cut off: it is reported, not yielded;
so is a stream that does not end where a record ends.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from storyline.ingest.decode import decode_bytes, html_charset
from storyline.ingest.records import too_many_records
from storyline.ingest.streams import CappedReader, Limit, LimitExceeded
from storyline.model import Hints, InputProblem, RawDocument, Source
from storyline.settings import IngestSettings

Item = RawDocument | InputProblem
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Every WARC record ends with two CRLFs (WARC 1.1, section 4).
_RECORD_END = b"\r\n\r\n"
# Bytes kept from the end of the stream to find the last record header: more than any header.
_TAIL_BYTES = 65_536
_VERSION_LINE = re.compile(rb"(?:^|\n)WARC/1\.\d\r?\n")


class _DecodeError(ValueError):
    pass


class _Watched(io.RawIOBase):
    """The WARC bytes (gunzipped when compressed), remembering how the stream ended.

    A truncated gzip stream reads as an early end (``truncated`` set) so FastWARC yields every record
    before the cut; ``tail`` keeps the last bytes, to tell whether the stream ends where a record ends
    and where the last record header starts.
    """

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner
        self._position = 0
        self.tail = bytearray()
        self.truncated = False

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except EOFError:
            self.truncated = True
            return 0
        n = len(data)
        buffer[:n] = data
        self._position += n
        self.tail += data
        if len(self.tail) > 2 * _TAIL_BYTES:  # trimmed now and then, not on every read
            del self.tail[:-_TAIL_BYTES]
        return n

    def last_header_at(self) -> int | None:
        """Stream offset of the last ``WARC/1.x`` version line within the tail, if any."""
        starts = [m.start() + (m.group().startswith(b"\n")) for m in _VERSION_LINE.finditer(self.tail)]
        return self._position - len(self.tail) + starts[-1] if starts else None


def read_warc(stream: io.BufferedReader, source: Source, settings: IngestSettings) -> Iterator[Item]:
    """Yield an html document per HTML response record; ``Source.index`` is the record's number in the file."""
    limit = Limit(settings.max_archive_bytes, "after decompression (max_archive_bytes); stopped")
    if stream.peek(2)[:2] == b"\x1f\x8b":
        stream = CappedReader(gzip.GzipFile(fileobj=stream, mode="rb"), limit)  # type: ignore[assignment]
    watched = _Watched(stream)
    records = ArchiveIterator(
        io.BufferedReader(watched), parse_http=True, auto_decode="none", stream_detect=False, fsspec_args=False
    )
    index, cut, last_start = -1, False, -1
    try:
        for index, record in enumerate(records):
            last_start = record.stream_pos
            if index >= settings.max_records_per_file:
                yield too_many_records(source, settings)
                return
            for item in _record(record, Source(source.path, source.member, index), settings):
                cut = cut or (isinstance(item, InputProblem) and "truncated" in item.reason)
                yield item
    except (OSError, zlib.error) as exc:  # includes a corrupt gzip stream
        yield InputProblem(source, f"unreadable WARC data {_where(index)}: {exc}")
        return
    except LimitExceeded as exc:
        if exc.limit is not limit:
            raise
        yield InputProblem(source, f"WARC gzip stream decompresses to {exc}")
        return
    except BaseException as exc:
        # FastWARC reports some internal failures as a Rust panic (a BaseException): one bad file
        # must not end the batch, but interrupts and exits still propagate.
        if type(exc).__name__ != "PanicException":
            raise
        yield InputProblem(source, f"FastWARC failed {_where(index)}: {exc}")
        return
    if cut:
        return
    if watched.truncated:
        yield InputProblem(source, f"truncated gzip stream {_where(index)}; the rest is lost")
    elif watched.tail and (not watched.tail.endswith(_RECORD_END) or (watched.last_header_at() or 0) > last_start):
        # The stream ends inside a record, or after a record header FastWARC could not complete.
        yield InputProblem(source, f"WARC data ends inside a record {_where(index)} (truncated); the rest is lost")


def _where(index: int) -> str:
    return f"after record {index}" if index >= 0 else "at the start"


def _record(record: WarcRecord, source: Source, settings: IngestSettings) -> Iterator[Item]:
    if record.headers.get("WARC-Record-ID") is None:
        yield InputProblem(source, "truncated or malformed WARC record header")
        return
    content_type = (record.http_content_type or "").split(";")[0].strip().lower()
    if record.record_type != WarcRecordType.response or not record.is_http or content_type not in _HTML_TYPES:
        consumed = record.reader.consume()  # skipped, but a short block still means the file was cut
        if consumed < record.content_length:
            yield InputProblem(source, f"WARC record truncated: {consumed:,} of {record.content_length:,} bytes")
        return
    cap = settings.max_file_bytes
    payload = record.reader.read(cap + 1)
    if len(payload) > cap:
        yield InputProblem(source, f"HTML payload larger than max_file_bytes ({cap:,}); skipped")
        return
    if len(payload) < record.content_length:
        reason = f"WARC record truncated: {len(payload):,} of {record.content_length:,} bytes; dropped"
        yield InputProblem(source, reason)
        return
    headers = record.http_headers
    try:
        if (headers.get("Transfer-Encoding") or "").lower().strip() == "chunked":
            payload = _dechunk(payload)
        payload = _decompress(payload, (headers.get("Content-Encoding") or "").lower().strip(), cap)
    except _DecodeError as exc:
        yield InputProblem(source, str(exc))
        return
    html, warning = decode_bytes(payload, html_charset(payload, headers.get("Content-Type")))
    if warning:
        yield InputProblem(source, warning, "warning")
    # WARC 1.1 as first published wrapped the URI in angle brackets; some writers still do.
    url = (record.headers.get("WARC-Target-URI") or "").strip().strip("<>") or None
    hints = Hints(url=url, fetched=record.headers.get("WARC-Date"))
    yield RawDocument(source, "html", html, hints)


def _dechunk(data: bytes) -> bytes:
    """Undo HTTP chunked transfer encoding (RFC 9112 section 7.1)."""
    out, pos = [], 0
    while True:
        line_end = data.find(b"\r\n", pos)
        if line_end < 0:
            raise _DecodeError("malformed chunked transfer encoding")
        try:
            size = int(data[pos:line_end].split(b";")[0], 16)
        except ValueError:
            raise _DecodeError("malformed chunked transfer encoding") from None
        if size == 0:
            return b"".join(out)
        out.append(data[line_end + 2 : line_end + 2 + size])
        pos = line_end + 2 + size + 2


def _decompress(data: bytes, encoding: str, cap: int) -> bytes:
    """Undo gzip / deflate content encoding, refusing output above ``cap`` bytes."""
    if encoding in ("", "identity"):
        return data
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise _DecodeError(f"unsupported HTTP Content-Encoding {encoding!r}; skipped")
    # wbits: 47 = zlib or gzip header auto-detected; raw deflate (-15) is what some servers send as "deflate".
    for wbits in (47, -15):
        decompressor = zlib.decompressobj(wbits=wbits)
        try:
            out = decompressor.decompress(data, cap + 1)
        except zlib.error:
            continue
        if len(out) > cap:
            raise _DecodeError(f"HTML payload decompresses to more than max_file_bytes ({cap:,}); skipped")
        return out
    raise _DecodeError(f"corrupt {encoding} content encoding; skipped")
