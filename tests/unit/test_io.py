"""gtflow.io: outputs appear whole or not at all, with an ordinary file's permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from gtflow.clean.texts import write_shard
from gtflow.io import atomic_path, write_csv, write_text
from gtflow.refi.writer import write_codebook, write_project


@pytest.fixture
def usual_umask():
    """The umask of an ordinary login (022), restored afterwards."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_files_are_0644_and_folders_0755(tmp_path, usual_umask):
    write_text(tmp_path / "a.txt", "x\n")
    write_csv(tmp_path / "t.csv", pd.DataFrame({"a": [1]}))
    write_shard(tmp_path / "text" / "posts" / "x.txt", ["d1"], ["text"])
    assert mode(tmp_path / "a.txt") == 0o644
    assert mode(tmp_path / "t.csv") == 0o644
    assert mode(tmp_path / "text" / "posts") == 0o755
    assert mode(tmp_path / "text" / "posts" / "x.txt") == 0o644


def test_refi_exports_are_readable_by_others(tmp_path, usual_umask):
    codebook = {"core": {"id": "CORE", "label": "core"}, "main_categories": [],
                "categories": [], "concepts": []}
    write_codebook(tmp_path / "codebook.qdc", codebook)
    write_project(tmp_path / "project.qdpx", sources=[("d1", "d1", "text")], codebook=codebook,
                  codings=pd.DataFrame(columns=["doc_id", "start", "end", "concept_id", "coder"]),
                  project_name="p")
    assert mode(tmp_path / "codebook.qdc") == 0o644
    assert mode(tmp_path / "project.qdpx") == 0o644


def test_a_failed_write_leaves_neither_target_nor_temporary(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "out.csv") as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("stage failed")
    assert list(tmp_path.iterdir()) == []


def test_a_write_removes_what_a_killed_write_of_the_same_file_left(tmp_path):
    """A job killed outright leaves its temporary file; writing the target again removes it,
    and leaves the temporaries of other files alone."""
    leftover = tmp_path / ".LY-I02.txt.q962u1v9.tmp"
    others = [tmp_path / ".LY-I02.txt.x.q962u1v9.tmp", tmp_path / ".LY-I03.txt.q962u1v9.tmp",
              tmp_path / ".LY-I02.txt.short.tmp"]
    for path in (leftover, *others):
        path.write_text("half", encoding="utf-8")
    write_text(tmp_path / "LY-I02.txt", "whole")
    assert (tmp_path / "LY-I02.txt").read_text(encoding="utf-8") == "whole"
    assert not leftover.exists()
    assert all(path.exists() for path in others)
