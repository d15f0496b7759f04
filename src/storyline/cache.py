"""Where storyline keeps what it builds once per machine and reuses across processes.

Derived files only (an index built from shipped data, a model converted from an installed package):
deleting the directory costs a rebuild, never data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def cache_dir() -> Path | None:
    """The cache directory; None when ``STORYLINE_CACHE_DIR`` is set empty (build in memory every time).

    ``$STORYLINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/storyline`` (``~/.cache/storyline``). Not created here.
    """
    root = os.environ.get("STORYLINE_CACHE_DIR")
    if root == "":
        return None
    return Path(root) if root else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "storyline"


@contextmanager
def written_atomically(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to, renamed to ``target`` when the block ends without error.

    A process reading ``target`` meanwhile sees the old file or the new one, never a part; two processes
    writing at once each write their own temporary file and the last rename wins. On an error the
    temporary file is removed and ``target`` is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
