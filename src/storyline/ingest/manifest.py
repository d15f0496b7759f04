"""Metadata the user gives: a ``<file>.meta.json`` sidecar, or a manifest (CSV or JSON Lines).

Both use the columns ``path`` (or ``file``), ``url``, ``date`` (or ``published``), ``outlet``,
``title``, ``byline`` (and any alias :mod:`storyline.ingest.fields` knows). Their values win over
anything found in the content; a given date has ``published_source="given"``. A manifest path is
relative to the manifest's folder and may name an archive member as ``archive.zip!member``. When a
file has both, the manifest row wins field by field over the sidecar.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Mapping
from typing import Any

from storyline.ingest.decode import decode_bytes
from storyline.ingest.fields import first, hints_from_fields
from storyline.ingest.records import ParseError, parse_literal
from storyline.ingest.streams import read_at_most
from storyline.model import Hints, InputProblem, Source
from storyline.settings import IngestSettings

PATH = ("path", "file", "filename")
SIDECAR_SUFFIX = ".meta.json"


def given_hints(fields: Mapping[str, Any]) -> tuple[Hints, str | None]:
    """Hints from sidecar / manifest fields (``published_source="given"``) and a warning for a bad date."""
    return hints_from_fields(fields, "given")


def read_sidecar(path: str, settings: IngestSettings) -> tuple[Hints | None, InputProblem | None]:
    """The hints in ``<path>.meta.json`` when it exists, and a problem when it cannot be used."""
    sidecar = path + SIDECAR_SUFFIX
    if not os.path.isfile(sidecar):
        return None, None
    source = Source(sidecar)
    try:
        with open(sidecar, "rb") as fh:
            data = read_at_most(fh, settings.max_file_bytes)
    except OSError as exc:
        return None, InputProblem(source, f"unreadable sidecar: {exc.strerror or exc}")
    return parse_sidecar(data, source, settings)


def parse_sidecar(
    data: bytes | None, source: Source, settings: IngestSettings
) -> tuple[Hints | None, InputProblem | None]:
    """The hints in a sidecar's bytes (None when above ``max_file_bytes``), and a problem if unusable."""
    if data is None:
        return None, InputProblem(source, f"sidecar larger than max_file_bytes ({settings.max_file_bytes:,})")
    try:
        value = parse_literal(decode_bytes(data)[0], settings)
    except ParseError as exc:
        return None, InputProblem(source, f"unreadable sidecar: {exc}")
    if not isinstance(value, Mapping):
        return None, InputProblem(source, "sidecar is not a JSON object")
    hints, warning = given_hints(value)
    return hints, InputProblem(source, warning, "warning") if warning else None


class Manifest:
    """Given hints per input, keyed by absolute path (plus ``!member`` for archive members)."""

    def __init__(self) -> None:
        self._rows: dict[str, Hints] = {}

    @classmethod
    def load(cls, path: str, settings: IngestSettings) -> tuple[Manifest, list[InputProblem]]:
        """Read a CSV or JSON Lines manifest; problems name the manifest row they come from."""
        manifest, problems = cls(), []
        source = Source(path)
        try:
            if os.path.getsize(path) > settings.max_file_bytes:
                reason = f"manifest larger than max_file_bytes ({settings.max_file_bytes:,})"
                return manifest, [InputProblem(source, reason)]
            with open(path, "rb") as fh:
                text, warning = decode_bytes(fh.read())
        except OSError as exc:
            return manifest, [InputProblem(source, f"unreadable manifest: {exc.strerror or exc}")]
        if warning:
            problems.append(InputProblem(source, warning, "warning"))
        base = os.path.dirname(os.path.abspath(path))
        for index, row in _rows(text, path, settings):
            row_source = Source(path, index=index)
            if isinstance(row, str):
                problems.append(InputProblem(row_source, row))
                continue
            target = first(row, PATH)
            if not isinstance(target, str) or not target.strip():
                problems.append(InputProblem(row_source, "manifest row has no path (or file) column"))
                continue
            hints, warning = given_hints(row)
            if warning:
                problems.append(InputProblem(row_source, warning, "warning"))
            manifest._rows[_key(target.strip(), base)] = hints
        return manifest, problems

    def hints_for(self, source: Source) -> Hints | None:
        """The manifest's hints for a document from ``source`` (its file, or its archive member)."""
        path = os.path.abspath(source.path)
        if source.member:
            member_hints = self._rows.get(f"{path}!{source.member}")
            if member_hints:
                return member_hints
        return self._rows.get(path)


def combine(sidecar: Hints | None, manifest: Hints | None) -> Hints | None:
    """Sidecar and manifest hints for one file; the manifest wins field by field."""
    if sidecar and manifest:
        return manifest.over(sidecar)
    return sidecar or manifest


def _rows(text: str, path: str, settings: IngestSettings) -> Iterator[tuple[int, Mapping[str, Any] | str]]:
    """(row index, row) pairs, or (row index, error message) for rows that cannot be read."""
    if path.lower().endswith(".csv"):
        for index, row in enumerate(csv.DictReader(io.StringIO(text))):
            yield index, {k.strip(): v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
        return
    if text.lstrip().startswith("["):  # a JSON list of rows
        try:
            rows = parse_literal(text, settings)
        except ParseError as exc:
            yield 0, str(exc)
            return
        lines: Iterator[Any] = iter(rows if isinstance(rows, list) else [rows])
    else:
        lines = (line for line in text.splitlines() if line.strip())
    for index, line in enumerate(lines):
        if isinstance(line, Mapping):
            yield index, line
            continue
        if not isinstance(line, str):
            yield index, "manifest row is not a JSON object"
            continue
        try:
            value = parse_literal(line, settings)
        except ParseError as exc:
            yield index, str(exc)
            continue
        yield index, value if isinstance(value, Mapping) else "manifest row is not a JSON object"


def _key(target: str, base: str) -> str:
    """Absolute path (relative to the manifest's folder, else to the working directory) plus ``!member``."""
    path, sep, member = target.partition("!")
    candidate = os.path.join(base, path)
    absolute = os.path.abspath(candidate if os.path.exists(candidate) or not os.path.exists(path) else path)
    return absolute + sep + member
