"""The ``storyline`` command: a thin layer over :mod:`storyline.api`.

Exit codes: 0 when every input was read, 1 when some input failed (the rest was still processed),
2 for a usage error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from storyline import api
from storyline.model import InputProblem
from storyline.settings import Settings
from storyline.store import Store

T = TypeVar("T")
app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
err = Console(stderr=True)
out = Console()

PathsArg = Annotated[list[str], typer.Argument(help="Files, directories, globs, archives, or - for stdin.")]
DbOpt = Annotated[str, typer.Option("--db", help="SQLite file or database URL.")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", help="Override shape detection (html, paragraphs, text, json, jsonl, feed, warc, zip, tar)"),
]
ManifestOpt = Annotated[
    str | None, typer.Option("--manifest", help="CSV or JSONL giving url, date, outlet, title per path.")
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="A storyline.toml settings file.")]


def _with_progress(description: str, work: Callable[[Callable[[int], None]], T]) -> T:
    """Run ``work(advance)`` under a rich progress display on stderr; ``advance(n)`` counts steps."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} steps"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with progress:
        task = progress.add_task(description, total=None)
        return work(lambda n: progress.advance(task, n))


def _report_problems(problems: list[InputProblem]) -> None:
    for problem in problems:
        style = "yellow" if problem.severity == "warning" else "red"
        err.print(problem.message(), style=style, markup=False, highlight=False)


def _load_settings(config: Path | None) -> Settings:
    try:
        return Settings.load(config)
    except (OSError, ValueError) as exc:
        err.print(f"error: settings: {exc}", style="red")
        raise typer.Exit(2) from exc


@app.command()
def ingest(
    paths: PathsArg,
    db: DbOpt = "storyline.db",
    format: FormatOpt = None,
    manifest: ManifestOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Read, clean and store articles, and assign each new one to a story (the same article twice is stored once).

    Stories persist in the store: a later ingest extends them (storyline stories lists them).
    """
    settings = _load_settings(config)
    with Store(api.store_url(db)) as store:
        result = _with_progress(
            "ingesting", lambda advance: api.ingest(
                paths, store, settings, format=format, manifest=manifest, on_article=advance
            )
        )
        n_stories = store.count_stories()
    _report_problems(result.problems)
    out.print(f"{result.added} articles added, {result.already_present} already stored, "
              f"{len(result.problems)} problems; {n_stories} {'story' if n_stories == 1 else 'stories'}; store: {db}")
    raise typer.Exit(1 if result.failed else 0)


@app.command()
def analyze(
    paths: PathsArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for the reports.")] = Path("out"),
    db: DbOpt = "storyline.db",
    format: FormatOpt = None,
    manifest: ManifestOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Ingest, annotate, cluster and reconcile: OUT/report.json and OUT/<story>/report.md, report.html."""
    settings = _load_settings(config)
    result = _with_progress(
        "analyzing", lambda advance: api.analyze(
            paths, out_dir, settings, db=db, format=format, manifest=manifest, on_article=advance
        )
    )
    _report_problems(result.ingest.problems)
    out.print(f"{len(result.ingest.article_ids)} articles; report: {result.report_path}")
    for path in result.story_reports:
        out.print(f"story report: {path}")
    raise typer.Exit(1 if result.ingest.failed else 0)


@app.command()
def report(
    story_id: Annotated[str, typer.Argument(help="A story id (storyline stories lists them).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for the reports.")] = Path("out"),
    db: DbOpt = "storyline.db",
    config: ConfigOpt = None,
) -> None:
    """Write report.json, report.md and report.html for one stored story."""
    settings = _load_settings(config)
    try:
        report_path, story_reports = api.report_story(story_id, out_dir, settings, db=db)
    except KeyError as exc:
        err.print(f"error: {exc.args[0]}", style="red", markup=False)
        raise typer.Exit(1) from exc
    out.print(f"report: {report_path}")
    for path in story_reports:
        out.print(f"story report: {path}")


@app.command()
def stories(db: DbOpt = "storyline.db") -> None:
    """List the stored stories: title, article count, outlets and time span."""
    with Store(api.store_url(db)) as store:
        found = sorted(store.list_stories(), key=lambda st: (-len(st.article_ids), st.first or "", st.id))
    if not found:
        out.print("no stories stored")
    # One line per story, tab-separated so it stays readable in a narrow terminal and easy to script.
    for story in found:
        span = f"{story.first or '?'}..{story.last or '?'}"
        out.print("\t".join([story.id, f"{len(story.article_ids)} articles", span, ", ".join(story.outlets) or "-",
                             story.title]), markup=False, highlight=False, soft_wrap=True)


def main() -> None:
    """Entry point of the ``storyline`` console script."""
    app()
