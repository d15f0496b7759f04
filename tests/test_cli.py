"""End to end through the ``storyline`` command: the example cluster, bad input, idempotent ingest, stories."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fake_embedders import CountingEmbedder
from typer.testing import CliRunner

from storyline import api
from storyline.cli import app
from storyline.cluster import vectors
from storyline.reconcile import fingerprint
from storyline.report.json import validate_report
from storyline.settings import Settings
from storyline.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "kharkiv-2022-09"
runner = CliRunner()


def _analyze(tmp_path: Path, *paths: str) -> tuple[int, dict, str]:
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", *paths, "--out", str(out), "--db", str(tmp_path / "s.db")])
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
    return result.exit_code, report, result.output


def test_analyze_examples_writes_a_valid_report(tmp_path: Path) -> None:
    code, report, output = _analyze(tmp_path, str(EXAMPLES))
    assert code == 0, output
    assert "report.json" in output
    validate_report(report)
    articles = {Path(a["source"]["path"]).name: a for a in report["articles"]}
    assert sorted(articles) == sorted(p.name for p in EXAMPLES.iterdir())
    header_dated = articles["001_2948a35d40cd9324.txt"]
    assert header_dated["published"] == "2022-09-11"
    assert header_dated["published_source"] == "header"
    for name, article in articles.items():
        assert article["text"].strip(), name
        assert article["language"] == "en"
        assert "<b" not in article["text"] and "class=" not in article["text"]
        if name != "001_2948a35d40cd9324.txt":
            # No date given: an inferred window or nothing, never a date that looks given.
            assert article["published_source"] in (None, "inferred")


def test_bad_file_is_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    shutil.copytree(EXAMPLES, batch)
    (batch / "broken.bin").write_bytes(bytes(range(256)) * 64)
    (batch / "empty.txt").write_bytes(b"")
    code, report, output = _analyze(tmp_path, str(batch))
    assert code == 1
    assert "broken.bin" in output and "empty.txt" in output
    assert len(report["articles"]) == 4
    assert {Path(p["source"]["path"]).name for p in report["problems"]} >= {"broken.bin", "empty.txt"}


def test_ingest_twice_stores_once(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    first = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)])
    second = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "4 articles added" in first.output
    assert "0 articles added, 4 already stored" in second.output
    with Store(f"sqlite:///{db}") as store:
        assert store.count_articles() == 4


def test_a_second_ingest_extends_the_stored_story(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    files = sorted(EXAMPLES.iterdir())
    for n, part in enumerate((files[:2], files[2:])):
        folder = tmp_path / f"part{n}"
        folder.mkdir()
        for path in part:
            shutil.copy(path, folder / path.name)
        result = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert "2 articles added" in result.output and "1 story;" in result.output
    listed = runner.invoke(app, ["stories", "--db", str(db)])
    assert listed.exit_code == 0 and "4 articles" in listed.output
    with Store(f"sqlite:///{db}") as store:
        (story,) = store.list_stories()
        assert sorted(story.article_ids) == sorted(a.id for a in store.iter_articles())


def test_missing_path_fails_with_a_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope.txt"), "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 1
    assert "nope.txt" in result.output


def test_stories_lists_the_example_cluster_as_one_story(tmp_path: Path) -> None:
    code, report, output = _analyze(tmp_path, str(EXAMPLES))
    assert code == 0, output
    assert len(report["stories"]) == 1
    assert sorted(report["stories"][0]["article_ids"]) == sorted(a["id"] for a in report["articles"])
    story_id = report["stories"][0]["id"]
    assert (tmp_path / "out" / story_id / "report.md").read_text().startswith("# ")
    assert "<html" in (tmp_path / "out" / story_id / "report.html").read_text()
    listed = runner.invoke(app, ["stories", "--db", str(tmp_path / "s.db")])
    assert listed.exit_code == 0
    assert story_id in listed.output
    # The same reports again from the store alone.
    again = runner.invoke(app, ["report", story_id, "--out", str(tmp_path / "again"), "--db", str(tmp_path / "s.db")])
    assert again.exit_code == 0, again.output
    from_store = json.loads((tmp_path / "again" / "report.json").read_text())
    assert [acc["story_id"] for acc in from_store["accounts"]] == [story_id]
    assert (tmp_path / "again" / story_id / "report.html").exists()
    missing = runner.invoke(app, ["report", "nope", "--db", str(tmp_path / "s.db")])
    assert missing.exit_code == 1 and "nope" in missing.output


def test_report_reuses_the_stored_account_until_what_it_was_built_from_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, analyzed, output = _analyze(tmp_path, str(EXAMPLES))
    assert code == 0, output
    db = str(tmp_path / "s.db")
    story_id = analyzed["stories"][0]["id"]
    built: list[str] = []
    build = api.build_account

    def counting(story, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(story.id)
        return build(story, *args, **kwargs)

    monkeypatch.setattr(api, "build_account", counting)
    # analyze stored the account: the report reads it back, the same account and copy links.
    result = runner.invoke(app, ["report", story_id, "--out", str(tmp_path / "r1"), "--db", db])
    assert result.exit_code == 0, result.output
    again = json.loads((tmp_path / "r1" / "report.json").read_text())
    validate_report(again)
    assert built == []
    assert again["accounts"] == analyzed["accounts"] and again["copies"] == analyzed["copies"]
    assert (tmp_path / "r1" / story_id / "report.md").read_text() == (tmp_path / "out" / story_id / "report.md"
                                                                      ).read_text()
    # Other reconcile settings: rebuilt once, then that account is stored and reused. The rebuild, as in a
    # new process (an empty embedder), finds every sentence embedding analyze computed in the store.
    fresh = CountingEmbedder()
    monkeypatch.setattr(vectors, "_shared", fresh)
    settings = Settings()
    settings.claims.min_content_words += 1
    api.report_story(story_id, tmp_path / "r2", settings, db=db)
    api.report_story(story_id, tmp_path / "r3", settings, db=db)
    assert built == [story_id]
    assert fresh.encoded == []
    # An account built by other code (a changed module) is rebuilt.
    with Store(api.store_url(db)) as store:
        key = fingerprint.account_key(store.get_story(story_id), settings)
        data = store.get_account(story_id, key)
        data["code"]["digest"] = "0" * 64
        store.put_account(story_id, key, data)
    api.report_story(story_id, tmp_path / "r4", settings, db=db)
    assert built == [story_id, story_id]


def test_the_command_starts_without_the_heavy_models() -> None:
    """spaCy, torch and sentence-transformers load on first use: a report from a stored account needs none."""
    heavy = "('spacy', 'torch', 'sentence_transformers')"
    code = f"import sys, storyline.cli; print(sorted(m for m in {heavy} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_stored_accounts_depend_on_the_code_that_builds_them_only() -> None:
    files = set(fingerprint.code_record()["files"])
    assert {"reconcile/account.py", "reconcile/claims.py", "cluster/copies.py", "model.py"} <= files
    assert not files & {"cluster/stories.py", "annotate/pipeline.py", "cli.py", "settings.py"}
