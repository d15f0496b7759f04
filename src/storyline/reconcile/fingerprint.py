"""Fingerprints of a story's stored account: what it was built from and by which code.

``storyline analyze`` stores each story's account (store table ``story_accounts``) so a report of the
story is served without reconciling again; a reader uses a stored account only when its
:func:`account_key` (members, versions, reconcile settings) matches and the code that built it
(:func:`code_record`) has not changed since.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from storyline.annotate import ANNOTATIONS_VERSION
from storyline.model import Story
from storyline.settings import Settings

# The storyline package's folder, where module paths are resolved.
_PACKAGE = Path(__file__).resolve().parents[1]

# Bumped when accounts or copy links change in a way the source check below cannot see (e.g. a data
# file they read), so stored accounts are rebuilt.
ACCOUNT_VERSION = 1
# The settings sections that decide a story's account and copy links.
_RECONCILE_SECTIONS = ("copies", "claims", "quote_groups", "figures")


def account_key(story: Story, settings: Settings) -> str:
    """The fingerprint under which a story's account is stored: what the account is built from.

    The story's members (in order) and title, the annotator's and the account's versions and the
    reconcile settings: a story that grew or other settings never get an account built for something
    else. (The code that built it is checked apart: :func:`code_record`.)
    """
    data = {
        "story": [story.id, story.title, story.article_ids],
        "versions": [ANNOTATIONS_VERSION, ACCOUNT_VERSION],
        "settings": {name: dataclasses.asdict(getattr(settings, name)) for name in _RECONCILE_SECTIONS},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# The modules that build an account and its copy links; with every storyline module they import, but
# settings.py: the settings that decide an account are in its key, and a new section for another stage
# must not rebuild every stored account.
_ACCOUNT_MODULES = ("storyline.reconcile.account", "storyline.cluster.copies", "storyline.model")
_NOT_ACCOUNT_CODE = "settings.py"


def code_record() -> dict[str, Any]:
    """The source files of the code that builds accounts and a hash of them, stored with an account: after
    a change to any of them the account is rebuilt.

    The files are those of ``_ACCOUNT_MODULES`` and of every storyline module they import, directly or
    not (read from their import statements, function-level ones included), so an edit elsewhere in
    storyline (the clusterer, the annotator's pipeline, the CLI) keeps the stored accounts.
    """
    root = _PACKAGE
    files: set[str] = set()
    todo = list(_ACCOUNT_MODULES)
    while todo:
        base = todo.pop().removeprefix("storyline.").replace(".", "/")
        found = [name for name in (f"{base}.py", f"{base}/__init__.py") if (root / name).is_file()]
        if not found or found[0] in files or found[0] == _NOT_ACCOUNT_CODE:
            continue  # not a module of storyline (a name inside one), seen, or the settings
        files.add(found[0])
        for node in ast.walk(ast.parse((root / found[0]).read_bytes())):
            if isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names if alias.name.startswith("storyline.")]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("storyline."):
                # ``from storyline.x import y``: y is a name in x, or a submodule of the package x.
                todo += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    ordered = tuple(sorted(files))
    return {"files": list(ordered), "digest": source_digest(ordered)}


def source_digest(files: tuple[str, ...]) -> str | None:
    """A hash of these files of storyline (paths relative to the package), None when one is gone."""
    root = _PACKAGE
    digest = hashlib.sha256()
    for name in files:
        path = root / name
        if not path.is_file():
            return None
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
