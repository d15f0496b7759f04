"""JSON, JSON Lines and paragraph-list inputs: parsing guarded by a nesting check, records to documents.

Nothing is evaluated: a paragraph list is parsed with :func:`json.loads`, or, when it uses Python
quoting, with :func:`ast.literal_eval`, and only after :func:`nesting_exceeds` has checked the bracket
depth without recursion (a list nested 100,000 deep would otherwise crash the parser).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from storyline.ingest.decode import decode_bytes
from storyline.ingest.detect import TOKEN
from storyline.ingest.fields import BODY, first, hints_from_fields, looks_like_html
from storyline.model import InputProblem, RawDocument, Source
from storyline.settings import IngestSettings

Item = RawDocument | InputProblem
# Keys under which a JSON object holds its list of records.
RECORD_LISTS = ("articles", "items", "data", "results", "entries", "documents", "docs", "posts", "records")


class ParseError(ValueError):
    """The input is not a literal ingest can read; the message says why."""


def nesting_exceeds(text: str, limit: int) -> bool:
    """True when brackets outside string literals nest deeper than ``limit`` (stops at the first excess)."""
    depth = 0
    for match in TOKEN.finditer(text):
        token = match.group()
        if len(token) > 1:
            continue
        if token in "[{(":
            depth += 1
            if depth > limit:
                return True
        elif depth:
            depth -= 1
    return False


def parse_literal(text: str, settings: IngestSettings) -> Any:
    """Parse JSON, or a Python literal (Python-quoted paragraph lists), after the nesting check."""
    if nesting_exceeds(text, settings.max_json_depth):
        raise ParseError(f"nested deeper than {settings.max_json_depth} levels; refused before parsing")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        json_error = exc
    if text.lstrip()[:1] != "[" or json_error.msg == "Extra data":
        raise ParseError(f"invalid JSON: {json_error}")
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ParseError(f"neither JSON nor a Python list literal: {type(exc).__name__}: {exc}") from None


def documents_from_text(text: str, source: Source, settings: IngestSettings) -> Iterator[Item]:
    """Documents from a whole JSON file or paragraph list (falls back to JSON Lines on "Extra data")."""
    try:
        value = parse_literal(text, settings)
    except ParseError as exc:
        if "Extra data" in str(exc):
            yield from _jsonl_lines(iter(text.encode().splitlines()), source, settings)
            return
        yield InputProblem(source, str(exc))
        return
    yield from documents_from_value(value, source, settings)


def documents_from_value(value: Any, source: Source, settings: IngestSettings) -> Iterator[Item]:
    """A list of strings is one paragraphs document; a list of records (or ``{"articles": [...]}``) many."""
    if isinstance(value, Mapping):
        inner = first(value, RECORD_LISTS)
        if isinstance(inner, list):
            value = inner
        else:
            yield from record_documents(value, source)
            return
    if not isinstance(value, list):
        yield InputProblem(source, f"a JSON {type(value).__name__}, not a record or a list of records")
        return
    if is_paragraph_list(value):
        yield RawDocument(source, "paragraphs", value)
        return
    for index, record in enumerate(value[: settings.max_records_per_file]):
        record_source = Source(source.path, source.member, index)
        if isinstance(record, Mapping):
            yield from record_documents(record, record_source)
        else:
            yield InputProblem(record_source, f"record is a {type(record).__name__}, not an object")
    if len(value) > settings.max_records_per_file:
        yield too_many_records(source, settings)
    if not value:
        yield InputProblem(source, "empty list: no records")


def is_paragraph_list(value: Any) -> bool:
    """True for a non-empty list of strings."""
    return isinstance(value, list) and bool(value) and all(isinstance(x, str) for x in value)


def too_many_records(source: Source, settings: IngestSettings) -> InputProblem:
    """The problem reported when a file holds more than ``max_records_per_file`` records."""
    return InputProblem(source, f"more than {settings.max_records_per_file:,} records; the rest were not read")


def record_documents(record: Mapping[str, Any], source: Source) -> Iterator[Item]:
    """One crawler record as a document (HTML body -> html, list body -> paragraphs, else text).

    Yields the document, or a problem when the record has no body, plus a warning for a date not understood.
    """
    body = first(record, BODY)
    if isinstance(body, Mapping):  # e.g. {"content": {"rendered": "<p>..."}}
        body = first(body, ("rendered", "html", "text", "value"))
    if is_paragraph_list(body):
        fmt, content = "paragraphs", body
    elif isinstance(body, str) and body.strip():
        fmt, content = ("html" if looks_like_html(body) else "text"), body
    else:
        yield InputProblem(source, f"record has no article text (looked for {', '.join(BODY)})")
        return
    hints, warning = hints_from_fields(record, "record")
    if warning:
        yield InputProblem(source, warning, "warning")
    yield RawDocument(source, fmt, content, hints)


def read_jsonl(stream: BinaryIO, source: Source, settings: IngestSettings) -> Iterator[Item]:
    """Stream a JSON Lines file one record at a time, each line capped at ``max_file_bytes``."""
    yield from _jsonl_lines(_capped_lines(stream, settings.max_file_bytes), source, settings)


def _capped_lines(stream: BinaryIO, cap: int) -> Iterator[bytes | None]:
    """Lines of ``stream``; None stands for a line longer than ``cap`` (skipped without keeping it)."""
    while True:
        line = stream.readline(cap + 1)
        if not line:
            return
        if len(line) > cap:
            rest = line
            while rest and not rest.endswith(b"\n"):
                rest = stream.readline(cap)
            yield None
        else:
            yield line


def _jsonl_lines(lines: Iterator[bytes | None], source: Source, settings: IngestSettings) -> Iterator[Item]:
    index = 0
    for line in lines:
        if line is not None and not line.strip():
            continue
        record_source = Source(source.path, source.member, index)
        index += 1
        if index > settings.max_records_per_file:
            yield too_many_records(source, settings)
            return
        if line is None:
            yield InputProblem(record_source, f"line longer than {settings.max_file_bytes:,} bytes; skipped")
            continue
        text, warning = decode_bytes(line)
        if warning:
            yield InputProblem(record_source, warning, "warning")
        try:
            value = parse_literal(text, settings)
        except ParseError as exc:
            yield InputProblem(record_source, str(exc))
            continue
        if isinstance(value, Mapping):
            yield from record_documents(value, record_source)
        elif is_paragraph_list(value):
            yield RawDocument(record_source, "paragraphs", value)
        else:
            yield InputProblem(record_source, f"JSON Lines record is a {type(value).__name__}, not an object")
