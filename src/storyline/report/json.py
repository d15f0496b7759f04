"""The machine-readable report, ``report.json`` (layout: docs/report-schema.md).

:func:`build_report` turns model objects into the report dict, :func:`validate_report` checks it
against the JSON Schema shipped beside this module (plus the few rules a schema cannot say), and
:func:`write_report` writes it atomically, so a reader never sees half a file.

Validation runs on every write. A valid report is checked by the schema compiled to Python code
(fastjsonschema, tens of times faster than jsonschema on a large report); only when that finds a
problem does jsonschema walk the report again to list every error with its path.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson
from jsonschema import Draft202012Validator

from storyline.model import PARAGRAPH_SEPARATOR, Account, Annotations, Article, InputProblem, to_dict

SCHEMA_VERSION = 1
# Errors listed in one ReportError message; the rest are counted.
_MAX_ERRORS_SHOWN = 10
# orjson writes the same indented UTF-8 JSON as json.dump(indent=2, ensure_ascii=False), ~20x faster.
_DUMP_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
_CORE_KEYS = ("schema_version", "generated", "articles", "problems")
# Article fields in the report, in this order (``format`` and ``fetched`` stay in the store).
_ARTICLE_KEYS = ("id", "source", "url", "outlet", "title", "published", "published_source", "published_window",
                 "byline", "language", "text", "paragraphs", "removed")


class ReportError(ValueError):
    """A report does not follow report.schema.json; the message lists where and why."""


def build_report(
    articles: list[Article],
    problems: Iterable[InputProblem] = (),
    annotations: dict[str, Annotations] | None = None,
    **sections: Any,
) -> dict[str, Any]:
    """The report dict: articles in the order given, input problems, and any later stage's ``sections``.

    ``annotations`` (article id -> Annotations) adds an ``annotations`` object to those articles.
    ``sections`` (e.g. ``stories=[...]``, ``accounts=[...]``) become top-level keys; model objects in
    them are converted with :func:`storyline.model.to_dict`, and each Account's claims also carry the
    computed ``single_source``. A section that is a list of plain data already (``to_dict`` output, e.g.
    copy links read back from the store) is used as it is.
    """
    clash = set(sections) & set(_CORE_KEYS)
    if clash:
        raise TypeError(f"build_report: {', '.join(sorted(clash))} cannot be passed as a section")
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": [_article(a, (annotations or {}).get(a.id)) for a in articles],
        "problems": [to_dict(p) for p in problems],
    }
    report.update({name: _section(value) for name, value in sections.items()})
    return report


def _section(value: Any) -> Any:
    if isinstance(value, list) and not any(dataclasses.is_dataclass(item) for item in value):
        return value  # converting plain data again would only copy it (1,700 copy links in a big story)
    data = to_dict(value)
    if isinstance(value, list):
        for obj, out in zip(value, data, strict=True):
            if isinstance(obj, Account):
                # A property, not a field: the report states it so readers need not know the rule.
                for claim, claim_out in zip(obj.claims, out["claims"], strict=True):
                    claim_out["single_source"] = claim.single_source
    return data


def _article(article: Article, annotations: Annotations | None) -> dict[str, Any]:
    data = to_dict(article)
    out = {key: data[key] for key in _ARTICLE_KEYS}
    if annotations is not None:
        found = to_dict(annotations)
        out["annotations"] = {key: found[key] for key in ("entities", "quotes", "quantities", "times")}
    return out


@cache
def _schema() -> dict[str, Any]:
    return json.loads(resources.files("storyline.report").joinpath("report.schema.json").read_text("utf-8"))


@cache
def _validator() -> Draft202012Validator:
    # Checking the shipped schema itself costs a report's first write 0.1-0.2 s: done here, on the error
    # path (and in the tests), not on every run.
    Draft202012Validator.check_schema(_schema())
    return Draft202012Validator(_schema())


@cache
def _compiled() -> Callable[[Any], Any]:
    # The schema uses only keywords that mean the same in draft 7, which fastjsonschema implements, and
    # 2020-12; use_default=False: checking never fills in defaults.
    return fastjsonschema.compile(_schema(), use_default=False)


def _schema_errors(report: dict[str, Any]) -> list[str]:
    try:
        _compiled()(report)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # jsonschema lists every error with its path
    return [
        f"{_where(err.absolute_path)}: {err.message}"
        for err in sorted(_validator().iter_errors(report), key=lambda e: [str(p) for p in e.absolute_path])
    ]


def validate_report(report: dict[str, Any]) -> None:
    """Raise :class:`ReportError` naming every place where ``report`` breaks the schema.

    Beyond the schema: article ids are unique, each article's text is its paragraphs joined by a
    blank line (spans depend on it), and a removed piece points at most one past the last paragraph.
    In each account: every article id names a report article, every citation's text is that
    article's text at its span, ``single_source`` agrees with ``independent_sources``, a
    discrepancy has one value per citation and figure agreements index existing points.
    """
    errors = _schema_errors(report)
    if not errors:
        errors = _consistency_errors(report["articles"])
        texts = {art["id"]: art["text"] for art in report["articles"]}
        for i, account in enumerate(report.get("accounts", [])):
            errors += _account_errors(account, texts, f"accounts/{i}")
    if errors:
        shown = errors[:_MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        tail = f"\n  ... and {more} more" if more else ""
        raise ReportError(f"invalid report ({len(errors)} problem(s)):\n  " + "\n  ".join(shown) + tail)


def _consistency_errors(articles: list[dict[str, Any]]) -> list[str]:
    errors, seen = [], set()
    for i, art in enumerate(articles):
        if art["id"] in seen:
            errors.append(f"articles/{i}/id: {art['id']!r} appears twice")
        seen.add(art["id"])
        if art["text"] != PARAGRAPH_SEPARATOR.join(art["paragraphs"]):
            errors.append(f"articles/{i}/text: is not the paragraphs joined by a blank line")
        for j, piece in enumerate(art["removed"]):
            if piece["paragraph"] is not None and piece["paragraph"] > len(art["paragraphs"]):
                errors.append(f"articles/{i}/removed/{j}/paragraph: {piece['paragraph']} is past the last paragraph")
    return errors


def _account_errors(account: dict[str, Any], texts: dict[str, str], where: str) -> list[str]:
    errors = [f"{where}/article_ids/{i}: {aid!r} is not an article of the report"
              for i, aid in enumerate(account["article_ids"]) if aid not in texts]
    for path, cite in _citations(account, where):
        text = texts.get(cite["article_id"])
        if text is None:
            errors.append(f"{path}/article_id: {cite['article_id']!r} is not an article of the report")
        elif not cite["start"] <= cite["end"] <= len(text):
            errors.append(f"{path}: span {cite['start']}-{cite['end']} is outside the article's text")
        elif text[cite["start"]:cite["end"]] != cite["text"]:
            errors.append(f"{path}/text: is not the article's text at {cite['start']}-{cite['end']}")
    for j, claim in enumerate(account["claims"]):
        if claim["single_source"] != (claim["independent_sources"] <= 1):
            errors.append(f"{where}/claims/{j}/single_source: disagrees with independent_sources")
    for j, disc in enumerate(account["discrepancies"]):
        sides, cited = len(disc["values"]), len(disc["citations"])
        if sides != cited:
            errors.append(f"{where}/discrepancies/{j}: {sides} values for {cited} citations")
    for j, series in enumerate(account["figures"]):
        if any(k >= len(series["points"]) for group in series["agreements"] for k in group):
            errors.append(f"{where}/figures/{j}/agreements: an index is past the last point")
    return errors


def _citations(account: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every citation in an account with its path."""
    for key in ("claims", "discrepancies", "timeline", "brief"):
        for j, item in enumerate(account[key]):
            for k, cite in enumerate(item["citations"]):
                yield f"{where}/{key}/{j}/citations/{k}", cite
    for j, series in enumerate(account["figures"]):
        for k, point in enumerate(series["points"]):
            yield f"{where}/figures/{j}/points/{k}/citation", point["citation"]
    for j, group in enumerate(account["quote_groups"]):
        for k, version in enumerate(group["versions"]):
            for part in ("content", "speaker"):
                if version[part] is not None:
                    yield f"{where}/quote_groups/{j}/versions/{k}/{part}", version[part]


def _where(path: Iterable[Any]) -> str:
    return "/".join(str(p) for p in path) or "(top level)"


def write_report(report: dict[str, Any], path: str | Path, validate: bool = True) -> Path:
    """Write ``report`` as UTF-8 JSON to ``path`` atomically (a temp file renamed over it).

    Validates first unless ``validate`` is false, so an invalid report never replaces a good one.
    """
    if validate:
        validate_report(report)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes it owner-only; a report is meant to be shared
        with os.fdopen(fd, "wb") as fh:
            fh.write(orjson.dumps(report, option=_DUMP_OPTIONS))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
