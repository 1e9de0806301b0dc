"""Every rule runs as its own cluster job: the workflow shares no in-memory state between rules.

The cluster-generic executor submits each job's jobscript through a command; here that command
is a small script that records the job and runs it in a fresh process, as a batch system would.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from studykit import copy_small_study, planned_jobs, snakemake

pytestmark = pytest.mark.integration
SUBMIT = Path(__file__).resolve().parent / "submit_job.sh"


def test_every_rule_runs_as_a_separate_cluster_job(tmp_path, monkeypatch):
    pytest.importorskip("snakemake_executor_plugin_cluster_generic")
    study = copy_small_study(tmp_path / "study", interviews=("LY-I01",), pages=("W001.html",))
    jobs = planned_jobs(study)
    submitted_log = tmp_path / "submitted.txt"
    monkeypatch.setenv("GTFLOW_SUBMIT_LOG", str(submitted_log))
    snakemake(study, "--executor", "cluster-generic", "--cluster-generic-submit-cmd", f"bash {SUBMIT}",
              "--jobs", "8", "--seconds-between-status-checks", "1",
              "--max-status-checks-per-second", "10")
    submitted = submitted_log.read_text().splitlines()
    processes = {line.split()[0] for line in submitted}
    expected = sum(n for rule, n in jobs.items() if rule != "all")  # `all` runs no code
    assert len(submitted) == expected and len(processes) == expected
    assert (study / "reports" / "pseudo_innovation_report.html").exists()
    assert os.path.getsize(study / "results" / "exports" / "case_by_category.sav") > 0
