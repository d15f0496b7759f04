"""The ingest that tests/store/test_crash.py kills: ``python crash_child.py URL TOTAL BATCH [HOLD]``.

It adds TOTAL synthetic articles through one ``add_articles`` call. Its input generator prints
"batch k" when asked for the first article of batch k: by then batches 0..k-1 are committed.
With HOLD, the HOLD-th batch this process inserts stops right after its INSERT, inside the still
open transaction, and prints "inside transaction": the moment to kill it.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event

from storyline.model import Article, Source
from storyline.store import Store


def article(n: int) -> Article:
    """The n-th synthetic article, the same on every run."""
    paragraphs = [f"Synthetic article {n} opens here.", "A second paragraph " + "x" * (n % 300)]
    return Article(id=hashlib.sha256(f"url:https://example.org/{n}".encode()).hexdigest()[:16],
                   source=Source("big.jsonl", None, n), text="\n\n".join(paragraphs),
                   paragraphs=paragraphs, url=f"https://example.org/{n}", outlet=f"Outlet {n % 7}",
                   published=f"2022-09-{n % 28 + 1:02d}", published_source="record", byline=[f"Writer {n % 5}"])


def articles(total: int, batch: int) -> Iterator[Article]:
    """All articles, announcing each batch boundary on stdout."""
    for n in range(total):
        if n % batch == 0:
            print("batch", n // batch, flush=True)
        yield article(n)


def hold_inside_transaction(store: Store, hold: int) -> None:
    """Block for good after the ``hold``-th article INSERT (the write of one batch) has executed."""
    inserts = 0

    def after_execute(*args: Any) -> None:
        nonlocal inserts
        if args[2].startswith("INSERT INTO articles"):
            inserts += 1
            if inserts == hold:
                print("inside transaction", flush=True)
                time.sleep(600)

    event.listen(store._engine, "after_cursor_execute", after_execute)


if __name__ == "__main__":
    url, total, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with Store(url) as store:
        if len(sys.argv) > 4:
            hold_inside_transaction(store, int(sys.argv[4]))
        result = store.add_articles(articles(total, batch), batch_size=batch)
    print("done", result.added, result.already_present, flush=True)
