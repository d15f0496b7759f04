"""Input paths to files: plain files, directories (recursive, sorted), glob patterns and ``-`` (stdin).

Directories skip hidden entries and ``*.meta.json`` sidecars. Symbolic links are followed, but each
directory is read once: a link back to an ancestor (a loop) or a second link to a directory already
read is reported and skipped. Devices, sockets and pipes met inside a directory are skipped (reading
one could block or never end); a pipe named explicitly (``<(cmd)``) is read like stdin.
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterable, Iterator

from storyline.ingest.manifest import SIDECAR_SUFFIX
from storyline.model import InputProblem, Source

STDIN = "-"
_GLOB_CHARS = frozenset("*?[")


def expand_paths(paths: Iterable[str]) -> Iterator[str | InputProblem]:
    """Every input file named by ``paths`` in order, or a problem for a path that cannot be used."""
    visited: set[tuple[int, int]] = set()
    for path in paths:
        if path == STDIN:
            yield STDIN
        elif os.path.isdir(path):
            yield from _walk(path, visited)
        elif os.path.lexists(path):
            yield path
        elif _GLOB_CHARS & set(path):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                yield InputProblem(Source(path), "no file matches this pattern")
            for match in matches:
                if os.path.isdir(match):
                    yield from _walk(match, visited)
                elif not match.endswith(SIDECAR_SUFFIX):
                    yield match
        else:
            yield InputProblem(Source(path), "no such file or directory")


def _walk(top: str, visited: set[tuple[int, int]]) -> Iterator[str | InputProblem]:
    """Files under ``top`` depth first in name order, without recursion (trees can be deep)."""
    stack: list[str] = [top]
    while stack:
        entry = stack.pop()
        if entry != top and not os.path.isdir(entry):
            yield from _file(entry)
            continue
        try:
            info = os.stat(entry)
            if (info.st_dev, info.st_ino) in visited:
                reason = "directory already read (a symbolic link loop or a second link to it); skipped"
                yield InputProblem(Source(entry), reason, "warning")
                continue
            visited.add((info.st_dev, info.st_ino))
            names = sorted(n for n in os.listdir(entry) if not n.startswith(".") and not n.endswith(SIDECAR_SUFFIX))
        except OSError as exc:
            yield InputProblem(Source(entry), f"cannot read directory: {exc.strerror or exc}")
            continue
        stack.extend(os.path.join(entry, name) for name in reversed(names))


def _file(path: str) -> Iterator[str | InputProblem]:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        broken = os.path.islink(path)
        yield InputProblem(Source(path), "broken symbolic link" if broken else f"cannot read: {exc.strerror or exc}")
        return
    if stat.S_ISREG(mode):
        yield path
    else:
        yield InputProblem(Source(path), "not a regular file (device, socket or pipe); skipped", "warning")
