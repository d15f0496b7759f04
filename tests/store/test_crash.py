"""Crash safety for real: SIGKILL an ingest between and inside batch transactions, rerun, check the database."""

from __future__ import annotations

import runpy
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from storyline.store import Store

TOTAL = 5_000
BATCH = 100

CHILD = Path(__file__).with_name("crash_child.py")


def run_child(url: str, kill_on: str | None = None, hold: int | None = None) -> tuple[int, str]:
    """Run the ingest; SIGKILL it as soon as it prints the line ``kill_on``."""
    args = [sys.executable, str(CHILD), url, str(TOTAL), str(BATCH)] + ([str(hold)] if hold else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    last = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        last = line.strip()
        if last == kill_on:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    return proc.returncode, last


def stored_count(url: str) -> int:
    with Store(url) as store:
        return store.count_articles()


def test_sigkill_mid_ingest_then_rerun_loses_and_doubles_nothing(tmp_path):
    db = tmp_path / "crash.db"
    url = f"sqlite:///{db}"

    # 1. Killed just after announcing batch 5: batches 0-4 are committed, nothing partial survives.
    code, _ = run_child(url, kill_on="batch 5")
    assert code == -signal.SIGKILL
    first = stored_count(url)
    assert 5 * BATCH <= first < TOTAL and first % BATCH == 0

    # 2. Rerun, killed inside the transaction of the 20th batch it writes, after its INSERT ran:
    #    exactly 19 new batches are committed, the 20th is rolled back whole.
    code, _ = run_child(url, kill_on="inside transaction", hold=20)
    assert code == -signal.SIGKILL
    second = stored_count(url)
    assert second == first + 19 * BATCH

    # 3. A full rerun adds exactly what is missing.
    code, last = run_child(url)
    assert code == 0
    assert last == f"done {TOTAL - second} {second}"

    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT COUNT(*), COUNT(DISTINCT id), COUNT(DISTINCT url) FROM articles").fetchone() == (
            TOTAL, TOTAL, TOTAL)
    finally:
        con.close()

    article = runpy.run_path(str(CHILD), run_name="crash_child")["article"]  # the child's own factory
    expected = {a.id: a for a in map(article, range(TOTAL))}
    with Store(url) as store:
        stored = list(store.iter_articles())
    assert len(stored) == TOTAL
    assert all(expected[a.id] == a for a in stored)
