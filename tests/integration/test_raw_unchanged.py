"""The workflow never writes data/raw: checksums of every raw file are equal before and after a run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "small_study", Path(__file__).resolve().parents[1] / "fixtures" / "small_study.py")
small_study = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(small_study)

pytestmark = pytest.mark.integration


def test_raw_checksums_unchanged_after_a_run(tmp_path):
    root = small_study.build_study(tmp_path / "study", plant=False)
    study_raw, repo_raw = root / "data" / "raw", small_study.REPO / "data" / "raw"
    before_study, before_repo = small_study.checksums(study_raw), small_study.checksums(repo_raw)
    run = small_study.run_workflow(root)
    assert run.returncode == 0, run.stderr[-4000:]
    assert (root / "results" / "clean" / "documents.parquet").is_file()
    assert small_study.checksums(study_raw) == before_study
    assert small_study.checksums(repo_raw) == before_repo
