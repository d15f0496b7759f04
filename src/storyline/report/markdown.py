"""The account of one story as a Markdown report a person reads top to bottom.

Sections: brief (citation markers ``[n]``), timeline, figures, quotes by speaker, claims, discrepancies,
entities, and the numbered sources the markers point to (outlet, article, quoted passage).
Text from articles is Markdown-escaped, so it can neither format the page nor inject HTML.
"""

from __future__ import annotations

import re

from storyline.model import Account, Article, Citation, FigurePoint
from storyline.report.view import (
    Footnotes,
    agreeing,
    by_speaker,
    date_range,
    entity_name,
    number_text,
    plotted,
    refers_to_text,
    spoken_text,
    value_text,
)

# Characters that make Markdown formatting, links or raw HTML; CommonMark lets any of them be
# backslash-escaped. A leading "1." or "-" is harmless here: escaped text never starts a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~#!])")
_SPACE = re.compile(r"\s+")
_SUPPORT_NOTE = {"single-source": "single source", "unverified": "unverified"}


def esc(text: str | None) -> str:
    """Article or model text made inert for inline Markdown: one line, special characters escaped."""
    return _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", text or "").strip())


def render_markdown(account: Account, articles: list[Article]) -> str:
    """The Markdown report of ``account``; ``articles`` supplies titles and outlets for the sources."""
    notes = Footnotes(account, articles)
    mine = [a for a in articles if a.id in set(account.article_ids)]
    parts = [f"# {esc(account.title) or 'Untitled story'}", _summary(account, mine, notes)]
    for title, body in (
        ("Brief", _brief(account, notes)),
        ("Timeline", _timeline(account, notes)),
        ("Figures", _figures(account, notes)),
        ("Quotes", _quotes(account, notes)),
        ("Claims", _claims(account, notes)),
        ("Discrepancies", _discrepancies(account, notes)),
        ("Entities", _entities(account, notes)),
        ("Sources", _sources(notes)),
    ):
        if body:
            parts += [f"## {title}", body]
    return "\n\n".join(parts) + "\n"


def _marks(citations: list[Citation], notes: Footnotes) -> str:
    numbers = sorted({notes.number(c) for c in citations})
    return "".join(f"[{n}]" for n in numbers)


def _summary(account: Account, mine: list[Article], notes: Footnotes) -> str:
    outlets = sorted({o for o in map(notes.article_outlet, mine) if o})
    bits = [f"{len(account.article_ids)} article(s)"]
    if outlets:
        bits.append(f"from {esc(', '.join(outlets))}")
    dates = date_range(mine)
    if dates:
        bits.append(f"published {dates}")
    return f"*Story {esc(account.story_id)}: {' '.join(bits)}.*"


def _brief(account: Account, notes: Footnotes) -> str:
    sentences = []
    for s in account.brief:
        flag = f" *({_SUPPORT_NOTE[s.support]})*" if s.support in _SUPPORT_NOTE else ""
        sentences.append(f"{esc(s.text)}{flag} {_marks(s.citations, notes)}".rstrip())
    return " ".join(sentences)


def _timeline(account: Account, notes: Footnotes) -> str:
    return "\n".join(f"- **{esc(e.date)}**{' (date uncertain)' if e.uncertain else ''}: {esc(e.text)} "
                     f"{_marks(e.citations, notes)}".rstrip() for e in account.timeline)


def _figures(account: Account, notes: Footnotes) -> str:
    blocks = []
    for series in account.figures:
        unit = f" ({esc(series.unit)})" if series.unit else ""
        claimant = f", according to {esc(entity_name(account, series.claimant))}" if series.claimant else ""
        rows = ["| refers to | as given | in series unit | source | passage |", "|---|---|---|---|---|"]
        rows += [f"| {esc(refers_to_text(p))} | {esc(value_text(p))} | {number_text(plotted(p, series))} "
                 f"| {_who(p, account, notes)} | “{esc(p.citation.text)}” |" for p in series.points]
        block = [f"### {esc(series.measured)}{unit}{claimant}", "\n".join(rows)]
        block += [f"Agree within rounding: {', '.join(_who(p, account, notes) for p in group)}."
                  for group in agreeing(series)]
        blocks.append("\n\n".join(block))
    return "\n\n".join(blocks)


def _who(point: FigurePoint, account: Account, notes: Footnotes) -> str:
    claimant = f" (citing {esc(entity_name(account, point.claimant))})" if point.claimant else ""
    return f"{esc(notes.outlet(point.citation))}{claimant} [{notes.number(point.citation)}]"


def _quotes(account: Account, notes: Footnotes) -> str:
    blocks = []
    for speaker, groups in by_speaker(account.quote_groups):
        lines = [f"### {esc(speaker)}"]
        for group in groups:
            lines.append("")
            lines += [f"- {esc(notes.outlet(v.content))} ({v.kind}): “{esc(spoken_text(v))}” "
                      f"[{notes.number(v.content)}]" for v in group.versions]
            if len(group.versions) > 1 and group.similarity < 1:
                lines.append(f"  *(versions differ; lowest similarity {group.similarity:.2f})*")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _claims(account: Account, notes: Footnotes) -> str:
    lines = []
    for claim in account.claims:
        flags = []
        if claim.single_source:
            flags.append("**single source**")
        if claim.hedges:
            flags.append("**hedged**: " + ", ".join(f"“{esc(h)}”" for h in claim.hedges))
        who = f"according to {esc(entity_name(account, claim.asserted_by))}; " if claim.asserted_by else ""
        outlets = esc(", ".join(notes.outlets(claim.citations))) or "no outlet named"
        line = (f"- {esc(claim.text)} {_marks(claim.citations, notes)}\n"
                f"  *{who}reported by {outlets}; {claim.independent_sources} independent source(s)*")
        lines.append(line + (f" ⚠ {'; '.join(flags)}" if flags else ""))
    return "\n".join(lines)


def _discrepancies(account: Account, notes: Footnotes) -> str:
    blocks = []
    for disc in account.discrepancies:
        sides = list(zip(disc.values, disc.citations, strict=False))
        header = "| " + " | ".join(f"{esc(notes.outlet(c))} [{notes.number(c)}]" for _, c in sides) + " |"
        rows = [header, "|" + "---|" * len(sides),
                "| " + " | ".join(f"**{esc(v)}**" for v, _ in sides) + " |",
                "| " + " | ".join(f"“{esc(c.text)}”" for _, c in sides) + " |"]
        blocks.append(f"### {esc(disc.about)} ({disc.kind})\n\n" + "\n".join(rows))
    return "\n\n".join(blocks)


def _entities(account: Account, notes: Footnotes) -> str:
    rows = ["| entity | kind | spellings (articles) |", "|---|---|---|"]
    for entity in account.entities:
        spellings = "; ".join(f"{esc(s)} ({len(ids)})" for s, ids in entity.spellings.items())
        place = f" — {esc(entity.place.country)}" if entity.place and entity.place.country else ""
        rows.append(f"| {esc(entity.name)}{place} | {entity.kind} | {spellings} |")
    return "\n".join(rows) if account.entities else ""


def _sources(notes: Footnotes) -> str:
    lines = []
    for note in notes.notes:
        cite = note.citation
        title = f", *{esc(note.article.title)}*" if note.article and note.article.title else ""
        lines.append(f"- [{note.number}] {esc(notes.outlet(cite))}{title} (article {esc(cite.article_id)}, "
                     f"characters {cite.start}–{cite.end}): “{esc(cite.text)}”")
    return "\n".join(lines)
