"""Detect an input's shape from its first bytes; the file name only breaks ties.

Order: empty; containers by magic number (gzip, zip, tar), looking inside a gzip stream for a WARC;
WARC by its version line; binary by the share of control characters; then the text shapes by their
first significant characters: a JSON object or list of objects (JSONL when a second top-level value
starts on a later line), a Python-style or JSON list of strings (paragraphs), a feed root element,
HTML tags, and plain text for everything else.
"""

from __future__ import annotations

import codecs
import re
import zlib

from storyline.settings import IngestSettings

#: Values accepted by ``read_inputs(format=...)``.
FORMATS = ("html", "paragraphs", "text", "json", "jsonl", "feed", "warc", "zip", "tar")
#: Shapes that hold other inputs; they are opened whatever ``format`` says.
CONTAINERS = ("gzip", "zip", "tar")

_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# C0 control bytes and DEL, which text does not contain (tab, newline, form feed and carriage return aside).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.I)
_HTML_DOC = re.compile(rb"<!doctype\s+html|<html[\s>]", re.I)
# Tags that only occur in HTML markup (inline tags such as <b> also occur in paragraph-list and text dumps).
HTML_BLOCK_TAG = (
    r"<(?:html|head|body|p|div|br|article|section|main|header|footer|nav|h[1-6]|ul|ol|li|table|blockquote"
    r"|figure|meta|title|script|style)\b[^>]*>"
)
_HTML_BLOCK = re.compile(HTML_BLOCK_TAG.encode(), re.I)
_TAR_MAGIC_OFFSET = 257
# How far into a gzip stream to look for a WARC version line.
_GZIP_PEEK = 64
# The feed root or HTML doctype comes after at most an XML prolog, stylesheet instructions and comments.
_PROLOG_CHARS = 4096


def detect_format(head: bytes, name: str = "", settings: IngestSettings | None = None) -> str:
    """The shape of an input whose first bytes are ``head`` (see the module docstring).

    Returns one of :data:`FORMATS`, ``gzip``, ``binary`` or ``empty``.
    """
    settings = settings or IngestSettings()
    lower = name.lower()
    if not head.strip():
        return "empty"
    if head.startswith(b"\x1f\x8b"):
        return "warc" if _gunzip_head(head).startswith(b"WARC/") else "gzip"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + 5] == b"ustar":
        return "tar"
    if head.startswith(b"WARC/"):
        return "warc"
    has_bom = head.startswith(_BOMS)
    if not has_bom and is_binary(head, settings.binary_control_share):
        return "binary"
    stripped = _ascii_view(head).lstrip()
    if stripped.startswith("{"):
        return "jsonl" if _second_value_on_new_line(stripped) or lower.endswith((".jsonl", ".ndjson")) else "json"
    if stripped.startswith("["):
        after = stripped[1:].lstrip()[:1]
        if after in ("'", '"', "{", "[", "]") and _second_value_on_new_line(stripped):
            return "jsonl"
        if after in ("'", '"'):
            return "paragraphs"
        if after in ("{", "[", "]"):
            return "json"
    start = stripped[:_PROLOG_CHARS].encode("latin-1")
    if stripped.startswith("<") and _FEED_ROOT.search(start) and not _HTML_DOC.search(start):
        return "feed"
    if _HTML_DOC.search(start) or (stripped.startswith("<") and _HTML_BLOCK.search(head)):
        return "html"
    return "text"


def is_binary(head: bytes, max_control_share: float) -> bool:
    """True when ``head`` has a NUL byte or more than ``max_control_share`` control characters."""
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > max_control_share * len(head)


def _gunzip_head(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(wbits=31).decompress(head, _GZIP_PEEK)
    except zlib.error:
        return b""


def _ascii_view(head: bytes) -> str:
    """The head as text for bracket and tag sniffing (BOMs dropped; UTF-16/32 reduced to its ASCII)."""
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            if bom not in (codecs.BOM_UTF8,):
                head = head.replace(b"\x00", b"")
            break
    return head.decode("latin-1")


# One token of a JSON / Python literal: a string (either quote), or a bracket.
TOKEN = re.compile(r""""[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'|[\[\]{}()]""")


def _second_value_on_new_line(text: str) -> bool:
    """True when the first top-level JSON value ends and another starts on a later line (JSON Lines)."""
    depth = 0
    for match in TOKEN.finditer(text):
        token = match.group()
        if len(token) > 1:
            continue
        depth += 1 if token in "[{(" else -1
        if depth == 0:
            rest = text[match.end() :]
            line_end = rest.find("\n")
            return line_end >= 0 and not rest[:line_end].strip() and rest[line_end:].lstrip()[:1] in ("{", "[")
    return False
