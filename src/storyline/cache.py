"""Where storyline keeps what it builds once per machine and reuses across processes.

Derived files only (an index built from shipped data, a model converted from an installed package):
deleting the directory costs a rebuild, never data.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path | None:
    """The cache directory; None when ``STORYLINE_CACHE_DIR`` is set empty (build in memory every time).

    ``$STORYLINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/storyline`` (``~/.cache/storyline``). Not created here.
    """
    root = os.environ.get("STORYLINE_CACHE_DIR")
    if root == "":
        return None
    return Path(root) if root else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "storyline"
