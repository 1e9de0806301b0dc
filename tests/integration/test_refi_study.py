"""REFI-QDA at the study level: an NVivo project becomes a runnable study, and gtflow's own
project export comes back in through data/coding with the same codings."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from studykit import copy_small_study, snakemake

pytestmark = pytest.mark.integration
KEY = ["doc_id", "start", "end", "concept_id", "coder"]


def test_an_nvivo_project_becomes_a_runnable_study(shared_dir, tmp_path):
    study = tmp_path / "nvivo"
    result = subprocess.run([sys.executable, "-m", "gtflow.cli", "import-qdpx",
                             str(shared_dir / "refi-qda" / "nvivo12win-sample.qdpx"), "--into",
                             str(study)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    snakemake(study, "--cores", "2")
    anchors = pd.read_csv(study / "results" / "code" / "anchoring.csv")
    assert len(anchors) == 303
    # Cleaning normalizes the imported texts (white space, zero-width characters), which moves
    # later offsets and changes a few quotes; every coding is found again, almost all exactly.
    assert set(anchors["status"]) <= {"ok", "moved", "fuzzy"}
    assert (anchors["status"] == "fuzzy").mean() < 0.1
    codings = pd.read_parquet(study / "results" / "code" / "codings.parquet")
    assert set(codings["origin"]) == {"csv"}  # all 303 selections are in one of the two sources
    assert len(pd.read_parquet(study / "results" / "clean" / "documents.parquet")) == 2
    assert list((study / "reports").glob("*.html"))


def test_the_exported_project_round_trips_through_data_coding(tmp_path):
    first = copy_small_study(tmp_path / "first")
    snakemake(first, "--cores", "2", "results/exports/project.qdpx", "results/code/codings.parquet")
    second = copy_small_study(tmp_path / "second")
    for path in (second / "data" / "coding").glob("*"):
        path.unlink()
    shutil.copy(first / "results" / "exports" / "project.qdpx", second / "data" / "coding")
    snakemake(second, "--cores", "2", "results/code/codings.parquet")
    original = pd.read_parquet(first / "results" / "code" / "codings.parquet")
    returned = pd.read_parquet(second / "results" / "code" / "codings.parquet")
    returned = returned[returned["origin"] == "qdpx"]
    as_set = lambda frame: set(frame[KEY].itertuples(index=False, name=None))
    assert as_set(returned) == as_set(original)
    anchors = pd.read_csv(second / "results" / "code" / "anchoring.csv")
    assert set(anchors["status"]) == {"ok"}
