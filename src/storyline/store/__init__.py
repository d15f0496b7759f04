"""Persistent storage of articles, ingest problems and later stages' results (see docs/data-model.md)."""

from storyline.store.store import (
    AddResult,
    ProblemRecord,
    Store,
    StoreError,
    StoryAssigner,
    StoryChanges,
    StoryRecord,
    StoryState,
)

__all__ = [
    "AddResult", "ProblemRecord", "Store", "StoreError", "StoryAssigner", "StoryChanges", "StoryRecord", "StoryState",
]
