"""Containers: zip, tar (plain or compressed) and single gzip streams, read member by member.

Nothing is extracted to disk and no link or device member is followed. Every member is streamed
through a :class:`CappedReader` charged to a per-member cap (``max_decompressed_bytes``) and a
per-archive cap (``max_archive_bytes``); the number of members is capped too. A declared member size
above the cap is refused before decompressing; the caps still hold when the declared size lies.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import struct
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from storyline.ingest.manifest import SIDECAR_SUFFIX, parse_sidecar
from storyline.ingest.streams import CappedReader, Limit, LimitExceeded, read_at_most
from storyline.model import Hints, InputProblem, RawDocument, Source
from storyline.settings import IngestSettings

Item = RawDocument | InputProblem
#: Reads one member: (stream, source, member name, declared size or None) -> documents and problems.
ReadMember = Callable[[BinaryIO, Source, str, int | None], Iterator[Item]]
# A damaged member (RuntimeError: encrypted; NotImplementedError: unsupported compression method).
_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, struct.error)
# The end-of-central-directory record is 22 bytes plus a comment of at most 65,535 (APPNOTE 4.3.16).
_EOCD_SEARCH = 22 + 65_535
# Spooled copies of non-seekable zip streams stay in memory up to this size, then go to a temp file.
_SPOOL_MEMORY = 8 << 20


def read_gzip(
    stream: BinaryIO, source: Source, name: str, settings: IngestSettings, read: ReadMember
) -> Iterator[Item]:
    """A single gzip stream (``x.json.gz``, ``x.tar.gz``): its content read as the file without ``.gz``."""
    inner_name = _strip_gz(name)
    limit = Limit(settings.max_archive_bytes, "after decompression (max_archive_bytes); stopped")
    capped = CappedReader(gzip.GzipFile(fileobj=stream, mode="rb"), limit)
    try:
        yield from read(capped, source, inner_name, None)  # type: ignore[arg-type]
    except LimitExceeded as exc:
        if exc.limit is not limit:
            raise
        yield InputProblem(source, f"gzip stream decompresses to {exc}")
    except EOFError:
        yield InputProblem(source, f"truncated gzip stream: ended after {limit.used:,} bytes; the rest is lost")
    except (gzip.BadGzipFile, zlib.error) as exc:
        yield InputProblem(source, f"corrupt gzip stream after {limit.used:,} decompressed bytes: {exc}")


def read_zip(
    stream: BinaryIO, seekable: BinaryIO | None, source: Source, settings: IngestSettings, read: ReadMember
) -> Iterator[Item]:
    """Every regular, non-hidden member of a zip file in name order.

    A ``<member>.meta.json`` member is not read as a document: its hints are given to ``<member>``'s.
    """
    with _seekable_copy(stream, seekable, settings) as fileobj:
        if fileobj is None:
            yield InputProblem(source, f"zip larger than max_archive_bytes ({settings.max_archive_bytes:,}); refused")
            return
        declared = _declared_members(fileobj)
        if declared is not None and declared > settings.max_archive_members:
            # Refused before zipfile loads the whole central directory into memory.
            yield InputProblem(
                source,
                f"zip declares {declared:,} members, above max_archive_members "
                f"({settings.max_archive_members:,}); refused",
            )
            return
        try:
            archive = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, struct.error) as exc:
            yield InputProblem(source, f"not a readable zip file (corrupt or truncated): {exc}")
            return
        with archive:
            infos = sorted((i for i in archive.infolist() if not i.is_dir() and _wanted(i.filename)), key=_name)
            names = set(archive.namelist())
            total = _archive_limit(settings)
            try:
                for info in infos:
                    member_source = Source(source.path, _join(source.member, info.filename))
                    if info.file_size > settings.max_decompressed_bytes:
                        yield _too_big(member_source, info.file_size, settings)
                        continue

                    def open_member(info: zipfile.ZipInfo = info) -> BinaryIO:
                        return archive.open(info)

                    given, problem = _zip_sidecar(
                        archive, info.filename + SIDECAR_SUFFIX, names, source, total, settings
                    )
                    if problem:
                        yield problem
                    for item in _member(
                        open_member, member_source, info.filename, info.file_size, total, settings, read
                    ):
                        if given and isinstance(item, RawDocument):
                            item.hints = given.over(item.hints)
                        yield item
            except LimitExceeded as exc:
                if exc.limit is not total:
                    raise
                yield InputProblem(source, str(exc))


def read_tar(stream: BinaryIO, source: Source, settings: IngestSettings, read: ReadMember) -> Iterator[Item]:
    """Every regular, non-hidden member of a tar stream, in archive order, read sequentially."""
    total = _archive_limit(settings)
    count = 0
    try:
        with tarfile.open(fileobj=stream, mode="r|*") as archive:
            while (info := archive.next()) is not None:
                archive.members.clear()  # a stream is read once; keep memory flat for many members
                if not info.isfile() or not _wanted(info.name):
                    continue
                count += 1
                if count > settings.max_archive_members:
                    yield _too_many(source, settings)
                    return
                member_source = Source(source.path, _join(source.member, info.name))
                if info.size > settings.max_decompressed_bytes:
                    yield _too_big(member_source, info.size, settings)
                    continue

                def open_member(info: tarfile.TarInfo = info) -> BinaryIO:
                    return archive.extractfile(info)  # type: ignore[return-value]

                yield from _member(open_member, member_source, info.name, info.size, total, settings, read)
    except LimitExceeded as exc:
        if exc.limit is not total:
            raise
        yield InputProblem(source, str(exc))
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        yield InputProblem(source, f"truncated or corrupt tar archive after {count} member(s): {exc}")


def _zip_sidecar(
    archive: zipfile.ZipFile, name: str, names: set[str], source: Source, total: Limit, settings: IngestSettings
) -> tuple[Hints | None, InputProblem | None]:
    """The given hints in sidecar member ``name`` (if the archive has it) and a problem if unusable."""
    if name not in names:
        return None, None
    sidecar_source = Source(source.path, _join(source.member, name))
    try:
        with archive.open(name) as member:
            data = read_at_most(CappedReader(member, total), settings.max_file_bytes)  # type: ignore[arg-type]
    except _MEMBER_ERRORS as exc:
        return None, InputProblem(sidecar_source, f"unreadable sidecar: {exc}")
    return parse_sidecar(data, sidecar_source, settings)


def _member(
    open_member: Callable[[], BinaryIO],
    source: Source,
    name: str,
    size: int | None,
    total: Limit,
    settings: IngestSettings,
    read: ReadMember,
) -> Iterator[Item]:
    """Read one member through the per-member and per-archive caps; member errors stay with the member."""
    member_limit = Limit(settings.max_decompressed_bytes, "after decompression (max_decompressed_bytes); refused")
    try:
        with open_member() as raw:
            yield from read(CappedReader(raw, member_limit, total), source, name, size)  # type: ignore[arg-type]
    except LimitExceeded as exc:
        if exc.limit is not member_limit:
            raise
        yield InputProblem(source, f"member decompresses to {exc} (zip bomb?)")
    except _MEMBER_ERRORS as exc:
        yield InputProblem(source, f"unreadable archive member: {exc}")


@contextlib.contextmanager
def _seekable_copy(stream: BinaryIO, seekable: BinaryIO | None, settings: IngestSettings) -> Iterator[BinaryIO | None]:
    """The seekable original when there is one, else a spooled copy of the stream (None when above the cap)."""
    if seekable is not None:
        yield seekable
        return
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY) as spool:
        copied = 0
        while chunk := stream.read(1 << 20):
            copied += len(chunk)
            if copied > settings.max_archive_bytes:
                yield None
                return
            spool.write(chunk)
        spool.seek(0)
        yield spool  # type: ignore[misc]


def _archive_limit(settings: IngestSettings) -> Limit:
    return Limit(settings.max_archive_bytes, "read from this archive (max_archive_bytes); the rest was not read")


def _declared_members(fileobj: BinaryIO) -> int | None:
    """The member count a zip's end-of-central-directory record declares (zip64 too), None if not found."""
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    tail_size = min(size, _EOCD_SEARCH)
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 12 > len(tail):
        return None
    total = int.from_bytes(tail[end + 10 : end + 12], "little")
    locator = tail.rfind(b"PK\x06\x07", 0, end)
    if total == 0xFFFF and locator >= 0:  # zip64: the real count is in the zip64 end record
        fileobj.seek(int.from_bytes(tail[locator + 8 : locator + 16], "little"))
        record = fileobj.read(56)
        if record[:4] == b"PK\x06\x06":
            total = int.from_bytes(record[32:40], "little")
    return total


def _wanted(name: str) -> bool:
    """Skip hidden members (``.x``, ``__MACOSX/``) and metadata sidecars."""
    parts = name.replace("\\", "/").split("/")
    return not any(p.startswith(".") or p == "__MACOSX" for p in parts) and not name.endswith(".meta.json")


def _name(info: zipfile.ZipInfo) -> str:
    return info.filename


def _join(outer: str | None, inner: str) -> str:
    return f"{outer}!{inner}" if outer else inner


def _strip_gz(name: str) -> str:
    base, ext = os.path.splitext(name)
    return base + ".tar" if ext.lower() == ".tgz" else base if ext.lower() == ".gz" else name


def _too_big(source: Source, size: int, settings: IngestSettings) -> InputProblem:
    return InputProblem(
        source, f"member declares {size:,} bytes, above max_decompressed_bytes ({settings.max_decompressed_bytes:,})"
    )


def _too_many(source: Source, settings: IngestSettings) -> InputProblem:
    return InputProblem(source, f"more than {settings.max_archive_members:,} members; the rest were not read")
