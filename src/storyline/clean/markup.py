"""Paragraph-list dumps: a list of strings, each a paragraph that may still carry inline HTML.

Tags are parsed (lxml), not regex-stripped, so entities, nested inline tags and attributes are
handled the way a browser would. Block elements inside one item (``<p>``, ``<li>``, ``<br><br>``)
become separate paragraphs; elements that are never article text (scripts, styles, figure captions,
buttons, embedded frames) are dropped and recorded. Quote/dash/space normalisation and the
furniture rules are left to :mod:`storyline.clean.furniture`, which runs on every format.
"""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree

from storyline.model import Hints, Removed

_HAS_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>|<!--")
_BLOCK = {"p", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
          "header", "footer", "aside", "table", "tr", "dd", "dt", "pre", "figure", "hr"}  # fmt: skip
# Elements whose text is never part of the article.
_DROP = {"script", "style", "noscript", "template", "svg", "button", "iframe", "figcaption", "form", "select",
         "object", "embed", "video", "audio", "canvas"}  # fmt: skip
_BREAK = "\u2029"  # paragraph separator, never present in scraped text after this point


def _element_text(item: str, removed: list[Removed], position: int) -> str:
    """The text of an HTML fragment, with block boundaries marked by :data:`_BREAK`."""
    try:
        root = lxml.html.fragment_fromstring(item, create_parent="div")
    except (etree.ParserError, ValueError):
        # Not parseable as HTML: fall back to dropping anything tag-shaped.
        return html.unescape(_HAS_TAG.sub(" ", item))
    for element in list(root.iter(tag=etree.Element)):  # comments carry no text_content()
        tag = element.tag.lower()
        if element is not root and not any(a is root for a in element.iterancestors()):
            continue  # inside an element dropped already
        if tag in _DROP and element is not root:
            text = " ".join(element.text_content().split())
            if text:
                removed.append(Removed(text=text, reason=f"markup-{tag}", paragraph=position))
            element.drop_tree()
        elif tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag in _BLOCK and element is not root:
            element.text = _BREAK + (element.text or "")
            element.tail = _BREAK + (element.tail or "")
    return root.text_content()


def strip_inline_markup(items: list[str]) -> tuple[list[str], Hints, list[Removed]]:
    """Turn a paragraph-list dump into plain-text paragraphs.

    Returns the paragraphs, the hints found (none: a bare list carries no metadata) and what was
    dropped with its reason.
    """
    paragraphs: list[str] = []
    removed: list[Removed] = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"paragraph list holds a {type(item).__name__}, not a string")
        text = _element_text(item, removed, len(paragraphs)) if _HAS_TAG.search(item) else html.unescape(item)
        # Two line breaks in a row also separate paragraphs; a single one is a soft wrap.
        text = re.sub(r"\n\s*\n", _BREAK, text)
        for piece in text.split(_BREAK):
            piece = " ".join(piece.split())
            if piece:
                paragraphs.append(piece)
    return paragraphs, Hints(), removed
