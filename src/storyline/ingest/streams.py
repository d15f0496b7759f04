"""Bounded byte streams: size caps that stop a read the moment it crosses a limit, and a peekable head.

Every byte that ingest reads from a container (archive member, gzip stream) passes through a
:class:`CappedReader`, so a zip bomb or a 200 MB member costs at most the cap, never the whole thing.
"""

from __future__ import annotations

import io
from typing import BinaryIO


class LimitExceeded(Exception):
    """Raised by a :class:`Limit` when more bytes were read than it allows."""

    def __init__(self, limit: Limit) -> None:
        super().__init__(f"more than {limit.cap:,} bytes {limit.what}")
        self.limit = limit


class Limit:
    """A byte budget (``cap``) shared by every reader charged against it; ``what`` names it in messages."""

    def __init__(self, cap: int, what: str) -> None:
        self.cap = cap
        self.what = what
        self.used = 0

    def charge(self, n: int) -> None:
        """Count ``n`` more bytes; raise :class:`LimitExceeded` once the total passes the cap."""
        self.used += n
        if self.used > self.cap:
            raise LimitExceeded(self)


class CappedReader(io.RawIOBase):
    """A raw stream over ``inner`` that charges every byte read to each of ``limits``."""

    def __init__(self, inner: BinaryIO, *limits: Limit) -> None:
        # read1 returns what one underlying read gives: a plain read(n) of a truncated gzip stream
        # would loop, hit the cut, and drop the bytes it had already decompressed.
        self._read = getattr(inner, "read1", inner.read)
        self._limits = limits

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._read(len(buffer))
        n = len(data)
        for limit in self._limits:
            limit.charge(n)
        buffer[:n] = data
        return n


class _Prefixed(io.RawIOBase):
    """Serve ``head`` first, then the rest of ``inner``."""

    def __init__(self, head: bytes, inner: BinaryIO) -> None:
        self._head = memoryview(head)
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            data = self._inner.read(len(buffer))
            n = len(data)
            buffer[:n] = data
        return n


def read_head(stream: BinaryIO, size: int) -> tuple[bytes, io.BufferedReader]:
    """Read up to ``size`` bytes from ``stream`` and return them with a stream that still starts at byte 0."""
    chunks, got = [], 0
    while got < size:
        try:
            chunk = stream.read(size - got)
        except EOFError:
            # A truncated gzip stream: keep the head read so far; the next read raises again, after
            # the content before the cut has been read.
            break
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    head = b"".join(chunks)
    return head, io.BufferedReader(_Prefixed(head, stream))


def read_at_most(stream: BinaryIO, cap: int) -> bytes | None:
    """The whole rest of ``stream``, or None when it is longer than ``cap`` (reads at most ``cap + 1`` bytes)."""
    data = stream.read(cap + 1)
    return None if len(data) > cap else data
