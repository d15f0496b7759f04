"""The ingest entry point: paths in, :class:`RawDocument` and :class:`InputProblem` out, one at a time.

Each input is sniffed (:func:`storyline.ingest.detect.detect_format`) and handed to the reader for
its shape; containers hand each member back here. Whole-document shapes (html, text, paragraphs,
json, feed) are read into memory up to ``max_file_bytes``; JSON Lines, WARC and archives are
streamed, so memory stays bounded whatever the input's size. A problem with one input (or one
record) is yielded and the batch goes on.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from storyline.ingest import archives
from storyline.ingest.decode import decode_bytes, html_charset
from storyline.ingest.detect import CONTAINERS, FORMATS, detect_format
from storyline.ingest.feeds import read_feed
from storyline.ingest.files import STDIN, expand_paths
from storyline.ingest.manifest import Manifest, combine, read_sidecar
from storyline.ingest.records import documents_from_text, read_jsonl
from storyline.ingest.streams import read_at_most, read_head
from storyline.ingest.warc import read_warc
from storyline.model import Hints, InputProblem, RawDocument, Source
from storyline.settings import IngestSettings

Item = RawDocument | InputProblem


def read_inputs(
    paths: Iterable[str],
    settings: IngestSettings | None = None,
    format: str | None = None,
    manifest: str | None = None,
) -> Iterator[Item]:
    """Read every input named by ``paths`` (files, directories, globs, ``-`` for stdin).

    ``format`` forces the shape of every non-container input (one of :data:`FORMATS`); zip, tar and
    gzip containers are opened whatever it says. ``manifest`` is a CSV / JSON Lines file of given
    metadata. Yields documents as they are read, and one :class:`InputProblem` per unreadable input,
    record or member (``severity="warning"`` when the document was still read). An unknown ``format``
    raises ValueError at once, before anything is read.
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown input format {format!r}; expected one of {', '.join(FORMATS)}")
    return _read_all(paths, settings or IngestSettings(), format, manifest)


def _read_all(
    paths: Iterable[str], settings: IngestSettings, format: str | None, manifest: str | None
) -> Iterator[Item]:
    given = Manifest()
    if manifest:
        given, problems = Manifest.load(manifest, settings)
        yield from problems
    reader = _Reader(settings, format)
    for path in expand_paths(paths):
        if isinstance(path, InputProblem):
            yield path
            continue
        sidecar, problem = read_sidecar(path, settings) if path != STDIN else (None, None)
        if problem:
            yield problem
        for item in reader.read_path(path):
            if isinstance(item, RawDocument):
                hints = combine(sidecar, given.hints_for(item.source))
                if hints:
                    item.hints = hints.over(item.hints)
            yield item


@dataclass
class _Reader:
    settings: IngestSettings
    format: str | None

    def read_path(self, path: str) -> Iterator[Item]:
        """One input file (or stdin)."""
        source = Source(path)
        if path == STDIN:
            yield from self.read_stream(sys.stdin.buffer, source, "", None, depth=0)
            return
        try:
            info = os.stat(path)
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
                yield InputProblem(source, "not a regular file")
                return
            with open(path, "rb") as fh:
                seekable = fh if stat.S_ISREG(info.st_mode) else None
                size = info.st_size if seekable else None
                yield from self.read_stream(fh, source, path, size, depth=0, seekable=seekable)
        except OSError as exc:
            broken = os.path.islink(path) and not os.path.exists(path)
            yield InputProblem(source, "broken symbolic link" if broken else f"cannot read: {exc.strerror or exc}")

    def read_stream(
        self,
        stream: BinaryIO,
        source: Source,
        name: str,
        size: int | None,
        depth: int,
        seekable: BinaryIO | None = None,
    ) -> Iterator[Item]:
        """Sniff ``stream`` and read it as its shape; ``size`` (when known) lets big inputs be refused unread."""
        settings = self.settings
        head, stream = read_head(stream, settings.sniff_bytes)
        kind = detect_format(head, name, settings)
        if kind == "empty":
            yield InputProblem(source, "empty file" if not head else "empty file (whitespace only)")
            return
        # A forced zip / tar applies to the inputs named, not to their members.
        forced = self.format if self.format in ("zip", "tar") and kind != "gzip" and depth == 0 else None
        if kind in CONTAINERS or forced:
            if depth >= settings.max_archive_depth:
                reason = f"archive nested deeper than max_archive_depth ({settings.max_archive_depth})"
                yield InputProblem(source, reason)
                return
            yield from self._container(forced or kind, stream, seekable, source, name, depth)
            return
        if kind == "binary":
            yield InputProblem(source, "binary file, not text, HTML, JSON, a feed, WARC or an archive")
            return
        if self.format not in (None, "zip", "tar"):
            kind = self.format
        if kind == "warc":
            yield from read_warc(stream, source, settings)
        elif kind == "jsonl":
            yield from read_jsonl(stream, source, settings)
        else:
            yield from self._whole(kind, stream, source, size)

    def _container(
        self, kind: str, stream: BinaryIO, seekable: BinaryIO | None, source: Source, name: str, depth: int
    ) -> Iterator[Item]:
        def read_member(member: BinaryIO, member_source: Source, member_name: str, size: int | None) -> Iterator[Item]:
            return self.read_stream(member, member_source, member_name, size, depth + 1)

        if kind == "gzip":
            yield from archives.read_gzip(stream, source, name, self.settings, read_member)
        elif kind == "zip":
            yield from archives.read_zip(stream, seekable, source, self.settings, read_member)
        else:
            yield from archives.read_tar(stream, source, self.settings, read_member)

    def _whole(self, kind: str, stream: BinaryIO, source: Source, size: int | None) -> Iterator[Item]:
        """Shapes parsed as a whole: read into memory, refused above ``max_file_bytes``."""
        cap = self.settings.max_file_bytes
        data = None if size is not None and size > cap else read_at_most(stream, cap)
        if data is None:
            if size is not None:
                reason = f"{size:,} bytes, above max_file_bytes ({cap:,}); refused without reading it"
            else:
                reason = f"more than max_file_bytes ({cap:,}) bytes; refused"
            yield InputProblem(source, reason)
            return
        if kind == "feed":
            yield from read_feed(data, source, self.settings)
            return
        text, warning = decode_bytes(data, html_charset(data) if kind == "html" else None)
        if warning:
            yield InputProblem(source, warning, "warning")
        if kind in ("json", "paragraphs"):
            yield from documents_from_text(text, source, self.settings)
        else:
            yield RawDocument(source, kind, text, Hints())
