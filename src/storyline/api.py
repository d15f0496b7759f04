"""The Python API: the CLI and any other front end only compose these functions.

``ingest`` reads inputs, cleans them, stores the articles and assigns each new one to a persistent story
(:func:`open_stories`, :func:`store_articles`); ``analyze`` does that, annotates, and writes the report
for the stories of the articles it was given. Bad input never stops a batch: each problem is recorded with
the file and the reason, and the rest goes on.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyline.annotate import ANNOTATIONS_VERSION
from storyline.model import (
    Account,
    Annotations,
    Article,
    CopyLink,
    InputProblem,
    RawDocument,
    Story,
    from_dict,
    to_dict,
)
from storyline.reconcile.fingerprint import account_key, code_record, source_digest
from storyline.report.html import render_html
from storyline.report.json import build_report, write_report
from storyline.report.markdown import render_markdown
from storyline.settings import CopySettings, Settings
from storyline.store import AddResult, Store

if TYPE_CHECKING:
    from storyline.cluster.state import StoryTracker
    from storyline.cluster.vectors import Embedder

ProgressCallback = Callable[[int], None]

# The stages' heavy modules (spaCy and torch through them, trafilatura) are imported on first use, so
# ``storyline report`` from a stored account starts in a fraction of the time. They stay attributes of
# this module (``api.build_account``), and calls go through the module (``_lazy.build_account``), so a
# caller can wrap one (benchmarks/throughput.py times stages that way).
_LAZY = {
    "clean_document": "storyline.clean.document",
    "remove_repeated_lines": "storyline.clean.repetition",
    "CopyDetector": "storyline.cluster.copies",
    "StoryTracker": "storyline.cluster.state",
    "Embedder": "storyline.cluster.vectors",
    "shared_embedder": "storyline.cluster.vectors",
    "read_inputs": "storyline.ingest",
    "build_account": "storyline.reconcile.account",
}
_lazy = sys.modules[__name__]


def __getattr__(name: str) -> Any:
    """Import a stage's function or class named in ``_LAZY`` on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


@dataclass
class IngestResult:
    """What one ingest run did."""

    article_ids: list[str] = field(default_factory=list)
    added: int = 0
    already_present: int = 0
    problems: list[InputProblem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when any input could not be read (warnings do not count)."""
        return any(p.severity == "error" for p in self.problems)


@dataclass
class AnalyzeResult:
    """What one analyze run did and where its reports are."""

    ingest: IngestResult
    report_path: Path
    annotated: int = 0
    story_reports: list[Path] = field(default_factory=list)  # DIR/<story id>/report.md and report.html


def _clean_stream(
    items: Iterable[RawDocument | InputProblem], settings: Settings, problems: list[InputProblem]
) -> Iterator[Article]:
    """Clean each document; a document that cannot be cleaned becomes a problem, not a crash."""
    for item in items:
        if isinstance(item, InputProblem):
            problems.append(item)
            continue
        try:
            yield _lazy.clean_document(item, settings)
        except Exception as exc:  # one bad document must not stop the batch
            problems.append(InputProblem(item.source, f"could not clean: {type(exc).__name__}: {exc}"))


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def open_stories(store: Store, settings: Settings | None = None, embedder: Embedder | None = None) -> StoryTracker:
    """The store's persistent story clusterer, loaded once; keep it while articles arrive.

    Stored articles that belong to no story yet (stored without a clusterer, or before stories were
    persistent) are clustered first, in date order.
    """
    settings = settings or Settings()
    tracker = _lazy.StoryTracker(settings.cluster, embedder)
    tracker.load(store.load_story_state())
    unassigned = store.unassigned_article_ids()
    if unassigned:
        store_articles(store.iter_articles(unassigned), store, tracker, settings)
    return tracker


def store_articles(
    articles: Iterable[Article], store: Store, stories: StoryTracker, settings: Settings | None = None
) -> AddResult:
    """Store clean articles and assign each one without a story to a story, one transaction per batch."""
    settings = settings or Settings()
    result = AddResult()
    for batch in _batches(articles, settings.store.batch_size):
        if stories.embeds:  # embed before the write transaction, not while holding the lock
            assigned = store.assigned_ids(a.id for a in batch)
            stories.prepare(a for a in batch if a.id not in assigned)
        added = store.add_articles(batch, batch_size=settings.store.batch_size, stories=stories)
        result.added_ids += added.added_ids
        result.present_ids += added.present_ids
        result.differing_ids += added.differing_ids
    return result


def ingest(
    paths: Iterable[str],
    store: Store,
    settings: Settings | None = None,
    format: str | None = None,
    manifest: str | None = None,
    on_article: ProgressCallback | None = None,
    embedder: Embedder | None = None,
) -> IngestResult:
    """Read, clean and store every article under ``paths`` and assign each new one to a story.

    Idempotent and resumable: articles are cleaned as they stream in and written one batch per
    transaction together with their story assignments, so a crash loses at most the batch in flight,
    which the next run adds (ids are stable, so nothing doubles). Repetition across an outlet's
    articles is judged within each batch. Stories persist in the store and grow across runs.
    """
    settings = settings or Settings()
    result = IngestResult()
    tracker = open_stories(store, settings, embedder)
    items = _lazy.read_inputs(paths, settings.ingest, format=format, manifest=manifest)
    for batch in _batches(_clean_stream(items, settings, result.problems), settings.store.batch_size):
        batch = _lazy.remove_repeated_lines(batch, settings.clean)
        added = store_articles(batch, store, tracker, settings)
        result.added += added.added
        result.already_present += added.already_present
        result.article_ids.extend(a.id for a in batch)
        if on_article:
            on_article(len(batch))
    store.add_problems(result.problems)
    # The same article given twice in one run is one article.
    result.article_ids = list(dict.fromkeys(result.article_ids))
    return result


def annotate(
    articles: Iterable[Article],
    store: Store,
    settings: Settings | None = None,
    on_article: ProgressCallback | None = None,
) -> dict[str, Annotations]:
    """Annotations for each article: from the store when already computed, else computed and stored."""
    settings = settings or Settings()
    articles = list(articles)
    stored = store.annotations_of((a.id for a in articles), version=ANNOTATIONS_VERSION)
    found: dict[str, Annotations] = {}
    todo: list[Article] = []
    for article in articles:
        if article.id in stored:
            found[article.id] = from_dict(Annotations, stored[article.id])
        else:
            todo.append(article)
    if todo:
        from storyline.annotate.pipeline import Annotator  # loads spaCy: only when there is work

        annotator = Annotator(settings.annotate)
        for annotations in annotator.annotate(todo):
            store.put_annotations(annotations.article_id, to_dict(annotations), version=ANNOTATIONS_VERSION)
            found[annotations.article_id] = annotations
            if on_article:
                on_article(1)
    return found


def analyze(
    paths: Iterable[str],
    out_dir: str | Path,
    settings: Settings | None = None,
    db: str | None = None,
    format: str | None = None,
    manifest: str | None = None,
    on_article: ProgressCallback | None = None,
) -> AnalyzeResult:
    """Ingest, annotate, cluster and reconcile ``paths``; write ``out_dir/report.json`` for those articles
    and ``out_dir/<story id>/report.md`` and ``report.html`` for each of their stories.

    Stories come from the store's persistent clusterer (assigned at ingest); a story that also holds
    articles stored by earlier runs is reported whole, so those articles are in the report too.
    ``db`` is a database URL or a path to a SQLite file (default: ``settings.store.url``).
    """
    settings = settings or Settings()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with Store(store_url(db) if db else settings.store.url) as store:
        embedder = _lazy.shared_embedder()  # one model load for clustering and reconciling
        result = ingest(
            paths, store, settings, format=format, manifest=manifest, on_article=on_article, embedder=embedder
        )
        stories = store.stories_of(result.article_ids)
        members = [aid for story in stories for aid in story.article_ids]
        articles = list(store.iter_articles([*result.article_ids, *members]))
        annotations = annotate(articles, store, settings, on_article=on_article)
        report_path, story_reports = write_outputs(
            articles, annotations, stories, out, settings, result.problems, embedder, store=store
        )
    return AnalyzeResult(
        ingest=result, report_path=report_path, annotated=len(annotations), story_reports=story_reports
    )


def report_story(
    story_id: str, out_dir: str | Path, settings: Settings | None = None, db: str | None = None
) -> tuple[Path, list[Path]]:
    """Write report.json and the story's report.md / report.html for one stored story.

    The story's account and copy links come from the store when they were stored for exactly this
    story (same members, versions and reconcile settings: :func:`account_key`); otherwise they are
    built and stored for the next report. Raises KeyError when the store has no such story.
    """
    settings = settings or Settings()
    with Store(store_url(db) if db else settings.store.url) as store:
        story = store.get_story(story_id)
        if story is None:
            raise KeyError(f"no stored story {story_id!r} (storyline stories lists them)")
        articles = list(store.iter_articles(story.article_ids))
        annotations = annotate(articles, store, settings)
        stored = _stored_account(store, story, settings)
        if stored is None:
            return write_outputs(articles, annotations, [story], Path(out_dir), settings, store=store)
    account, copies = stored
    return _write_reports(articles, annotations, [story], copies, [account], Path(out_dir))


def write_outputs(
    articles: list[Article],
    annotations: dict[str, Annotations],
    stories: list[Story],
    out_dir: Path,
    settings: Settings,
    problems: Iterable[InputProblem] = (),
    embedder: Embedder | None = None,
    store: Store | None = None,
) -> tuple[Path, list[Path]]:
    """Copies, one account per story, ``out_dir/report.json`` and each story's Markdown and HTML.

    With ``store`` (where ``stories`` are stored), each account is stored with the copy links among
    its story's members, for :func:`report_story` to reuse, and the sentence embeddings are read from and
    kept in it (``settings.store.keep_embeddings``).
    """
    embedder = embedder or _lazy.shared_embedder()
    with embedder.backed_by(store if settings.store.keep_embeddings else None):
        copies = find_copies(articles, settings.copies, embedder)
        accounts = [_lazy.build_account(story, articles, annotations, copies, settings, embedder) for story in stories]
    if store is not None:
        code = code_record()
        for story, account in zip(stories, accounts, strict=True):
            members = set(story.article_ids)
            links = [c for c in copies if c.source in members and c.target in members]
            data = {"account": to_dict(account), "copies": to_dict(links), "code": code}
            store.put_account(story.id, account_key(story, settings), data)
    return _write_reports(articles, annotations, stories, copies, accounts, out_dir, problems)


def _write_reports(
    articles: list[Article],
    annotations: dict[str, Annotations],
    stories: list[Story],
    copies: list[CopyLink] | list[dict[str, Any]],
    accounts: list[Account],
    out_dir: Path,
    problems: Iterable[InputProblem] = (),
) -> tuple[Path, list[Path]]:
    """``out_dir/report.json`` and each account's Markdown and HTML."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = build_report(
        articles, problems, annotations=annotations, stories=stories, copies=copies, accounts=accounts
    )
    report_path = out_dir / "report.json"
    write_report(report, report_path)  # validates against the schema first
    return report_path, write_story_reports(accounts, articles, annotations, out_dir)


def _stored_account(store: Store, story: Story, settings: Settings) -> tuple[Account, list[dict[str, Any]]] | None:
    """The story's stored account and its copy links (as report data: only the report needs them), when
    stored under the story's current :func:`account_key`."""
    data = store.get_account(story.id, account_key(story, settings))
    if data is None:
        return None
    try:
        if source_digest(tuple(data["code"]["files"])) != data["code"]["digest"]:
            return None  # built by other code
        return from_dict(Account, data["account"]), list(data["copies"])
    except (KeyError, TypeError, ValueError):  # written by code whose model differed: rebuild
        return None


def find_copies(
    articles: Iterable[Article], settings: CopySettings | None = None, embedder: Embedder | None = None
) -> list[CopyLink]:
    """Copy, rewrite and shared-wire links among ``articles``, fed in publication order."""
    detector = _lazy.CopyDetector(settings, embedder=embedder)
    for article in sorted(articles, key=lambda a: (a.published or "9999", a.id)):
        detector.add(article)
    return list(detector.links)


def write_story_reports(
    accounts: Iterable[Account], articles: list[Article], annotations: dict[str, Annotations], out_dir: Path
) -> list[Path]:
    """``out_dir/<story id>/report.md`` and ``report.html`` for each account; returns their paths."""
    written = []
    for account in accounts:
        members = [a for a in articles if a.id in set(account.article_ids)]
        folder = out_dir / account.story_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.md").write_text(render_markdown(account, members), encoding="utf-8")
        (folder / "report.html").write_text(render_html(account, members, annotations), encoding="utf-8")
        written += [folder / "report.md", folder / "report.html"]
    return written


def store_url(db: str) -> str:
    """A database URL from a ``--db`` value: a URL as is, a path as a SQLite file."""
    return db if "://" in db else f"sqlite:///{Path(db).expanduser().resolve()}"
