"""A crash or a second run changes nothing but the time it takes.

Two cold runs of the same study, with and without the job server, give byte-identical tables
and exports; a run killed with SIGKILL midway and then resumed gives the same bytes as a clean
run.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from studykit import SNAKEFILE, copy_small_study, snakemake

pytestmark = pytest.mark.integration
COMPARED = ("results/tables", "results/exports", "results/code", "results/clean/text",
            "results/mechanisms", "results/saturation", "results/reliability")


def compared_files(study: Path) -> dict[str, Path]:
    files = {}
    for folder in COMPARED:
        for path in sorted((study / folder).rglob("*")):
            if path.is_file():
                files[str(path.relative_to(study))] = path
    return files


def assert_same_bytes(a: Path, b: Path) -> None:
    left, right = compared_files(a), compared_files(b)
    assert sorted(left) == sorted(right)
    assert len(left) > 20
    different = [name for name in left if not filecmp.cmp(left[name], right[name], shallow=False)]
    assert different == []


# built_small_study (conftest.py) is the reference cold run: the session's build, only read.
# Its steps ran in processes forked from the run's job server; the second run's in the jobs'
# own processes.
def test_two_cold_runs_give_byte_identical_tables_and_exports(built_small_study, tmp_path):
    again = copy_small_study(tmp_path / "again")
    snakemake(again, "--cores", "2", env={**os.environ, "GTFLOW_JOB_SERVER": "off"})
    assert_same_bytes(built_small_study, again)
    served = "forked from the run's job server"
    assert served in (built_small_study / "logs" / "code" / "merge.log").read_text()
    assert served not in (again / "logs" / "code" / "merge.log").read_text()


def test_a_run_killed_midway_and_resumed_matches_a_clean_run(built_small_study, tmp_path):
    study = copy_small_study(tmp_path / "killed")
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE), "--directory",
               str(study), "--cores", "2"]
    # The job server dies with the run and cannot remove its socket's folder: keep it here.
    server_tmp = tempfile.mkdtemp(prefix="gtflow-killed-")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env={**os.environ, "TMPDIR": server_tmp})
    auto = study / "results" / "code" / "auto"
    deadline = time.monotonic() + 300
    # Midway: some files are auto-coded, the aggregates have not run yet.
    while time.monotonic() < deadline and process.poll() is None:
        if auto.is_dir() and len(list(auto.rglob("*.parquet"))) >= 2:
            break
        time.sleep(0.2)
    assert process.poll() is None, "the run finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    shutil.rmtree(server_tmp)
    assert not (study / "results" / "code" / "codings.parquet").exists()
    snakemake(study, "--unlock")
    snakemake(study, "--cores", "2", "--rerun-incomplete")
    assert_same_bytes(built_small_study, study)
