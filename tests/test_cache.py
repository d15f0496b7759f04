"""Files storyline builds once per machine are replaced whole or not at all."""

from __future__ import annotations

import pytest

from storyline.cache import written_atomically


def test_written_file_replaces_the_old_one_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "graph.onnx"
    with written_atomically(target) as tmp:
        assert tmp.parent == target.parent and tmp != target
        tmp.write_text("new")
        assert not target.exists()  # nothing visible under the name until the block ends
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["graph.onnx"]


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "graph.onnx"
    target.write_text("old")
    with pytest.raises(RuntimeError), written_atomically(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("conversion failed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.onnx"]
