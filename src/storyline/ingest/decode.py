"""Bytes to text: BOM, then UTF-8, then a declared charset, then charset-normalizer's guess.

Valid UTF-8 wins over a declared charset because a non-ASCII text that happens to decode as UTF-8
is almost never in another encoding, while pages that declare ISO-8859-1 and send UTF-8 are common.
Bytes that are mostly UTF-8 with a few invalid sequences are decoded as UTF-8 with the bad bytes
replaced (U+FFFD) and a warning, instead of being re-guessed as a legacy encoding (which would turn
every accented letter into mojibake).
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterator

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A well-formed multi-byte UTF-8 sequence (RFC 3629, table 3-7 of the Unicode standard).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# The legacy encodings of the WHATWG Encoding standard (the only ones web pages can be in; DOS code pages
# such as cp775 otherwise win ties on short Latin texts), most used on the web first (W3Techs).
WEB_ENCODINGS = (
    "cp1252",
    "cp1251",
    "shift_jis",
    "gb18030",
    "euc_kr",
    "cp1250",
    "iso8859_2",
    "euc_jp",
    "big5",
    "cp1256",
    "cp1254",
    "cp1253",
    "iso8859_15",
    "cp874",
    "cp1255",
    "cp1257",
    "cp1258",
    "koi8_r",
    "koi8_u",
    "iso8859_5",
    "iso8859_7",
    "iso8859_4",
    "iso8859_10",
    "iso8859_13",
    "iso8859_16",
    "iso2022_jp",
    "mac_roman",
    "cp866",
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CONTENT_TYPE_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
# How far into an HTML document a <meta charset> is looked for (the HTML standard says 1024 bytes;
# real pages put long <script> blocks first, so look further).
_META_SCAN_BYTES = 8192


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """Decode ``data``; return the text and a warning (or None) saying what was guessed or replaced."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError:
                return data.decode(encoding, errors="replace"), f"invalid {encoding} bytes replaced with U+FFFD"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    codec = _codec(declared)
    if codec:
        try:
            return data.decode(codec), None
        except UnicodeDecodeError:
            pass
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    if _at_least(_UTF8_MULTIBYTE.finditer(data), invalid):
        return text, f"invalid UTF-8: {invalid} byte sequence(s) replaced with U+FFFD"
    best = guess_encoding(data)
    if best is None:
        return text, f"invalid UTF-8 and no other encoding fits: {invalid} byte sequence(s) replaced with U+FFFD"
    return data.decode(best, errors="replace"), f"not UTF-8; decoded as {best} (guessed by charset-normalizer)"


def guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's best legacy web encoding for ``data``; ties go to the more widely used encoding."""
    matches = list(charset_normalizer.from_bytes(data, cp_isolation=list(WEB_ENCODINGS)))
    if not matches:
        return None
    top = (matches[0].chaos, matches[0].coherence)
    tied = [m.encoding for m in matches if (m.chaos, m.coherence) == top]
    return min(tied, key=lambda e: WEB_ENCODINGS.index(e) if e in WEB_ENCODINGS else len(WEB_ENCODINGS))


def _at_least(matches: Iterator[object], n: int) -> bool:
    """True when ``matches`` yields at least ``n`` items (stops counting there)."""
    return sum(1 for _ in itertools.islice(matches, n)) >= n


def html_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset an HTML document declares: the HTTP Content-Type's, else its ``<meta>`` one."""
    if content_type:
        match = _CONTENT_TYPE_CHARSET.search(content_type)
        if match:
            return match.group(1)
    match = _META_CHARSET.search(data[:_META_SCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def _codec(name: str | None) -> str | None:
    """A Python codec for a declared charset name, or None when unknown or UTF-8 (already tried)."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec in ("utf-8", "utf-8-sig"):
        return None
    # Browsers read ISO-8859-1 and ASCII labels as windows-1252 (WHATWG Encoding standard).
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec
