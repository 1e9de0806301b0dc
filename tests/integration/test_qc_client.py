"""The exported project.qdpx opens in an independent REFI-QDA client: qc (qualitative-coding).

qc is installed apart from gtflow's own environment (.ci/run puts it in a venv and names it in
GTFLOW_QC); without it the test skips and says why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.integration


def qc_command() -> str:
    """The qc executable (GTFLOW_QC, else qc on PATH) if it is qualitative-coding; else skip."""
    qc = os.environ.get("GTFLOW_QC") or shutil.which("qc")
    if not qc or not Path(qc).is_file():
        pytest.skip("qc (the qualitative-coding package) is not installed: .ci/run installs it "
                    "in a venv and sets GTFLOW_QC; elsewhere put qc on PATH")
    version = subprocess.run([qc, "version"], capture_output=True, text=True, check=False)
    if version.returncode != 0:
        pytest.skip(f"{qc} does not run as qualitative-coding's qc: {version.stderr[-300:]}")
    return qc


def run_qc(qc: str, *args: str, cwd: Path) -> list[str]:
    # qc 1.7.8 left a breakpoint() in its importer; PYTHONBREAKPOINT=0 makes it a no-op.
    result = subprocess.run([qc, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONBREAKPOINT": "0"}, check=False)
    assert result.returncode == 0, f"qc {' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return [line for line in result.stdout.splitlines() if line.strip()]


def test_qc_imports_the_exported_project_with_its_documents_coders_and_codes(built_small_study,
                                                                            tmp_path):
    qc = qc_command()
    project = tmp_path / "qc_project"
    project.mkdir()
    run_qc(qc, "init", "--import", str(built_small_study / "results/exports/project.qdpx"),
           cwd=project)

    documents = pd.read_parquet(built_small_study / "results/clean/documents.parquet")
    kept = documents[documents["duplicate_of"] == ""]
    codings = pd.read_parquet(built_small_study / "results/code/codings.parquet")
    codings = codings[codings["doc_id"].isin(set(kept["doc_id"]))]
    book = yaml.safe_load((built_small_study / "config/codebook.yaml").read_text("utf-8"))
    entries = [book["core"], *book["main_categories"], *book["categories"], *book["concepts"]]

    corpus = run_qc(qc, "corpus", "list", cwd=project)
    assert sorted(corpus) == sorted(f"{doc_id}.txt" for doc_id in kept["doc_id"])
    assert sorted(run_qc(qc, "coders", cwd=project)) == sorted(set(codings["coder"]))
    assert len(run_qc(qc, "codes", "list", cwd=project)) == len(entries)
    # every concept gtflow coded is a code qc counts occurrences of
    stats = run_qc(qc, "codes", "stats", cwd=project)[2:]  # below the header and its rule
    used = {name for name, count in (re.split(r"\s{2,}", line.strip()) for line in stats)
            if int(count) > 0}
    label = {entry["id"]: entry["label"] for entry in entries}
    assert used == {label[concept] for concept in set(codings["concept_id"])}
