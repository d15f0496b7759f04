"""Ingest: read inputs of every shape into :class:`~storyline.model.RawDocument` (see docs/stages/ingest.md)."""

from storyline.ingest.detect import FORMATS, detect_format
from storyline.ingest.reader import read_inputs

__all__ = ["FORMATS", "detect_format", "read_inputs"]
