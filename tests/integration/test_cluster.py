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
SLURM_PROFILE = Path(__file__).resolve().parents[2] / "workflow" / "profiles" / "slurm"


def test_every_rule_runs_as_a_separate_cluster_job(tmp_path, monkeypatch):
    pytest.importorskip("snakemake_executor_plugin_cluster_generic")
    study = copy_small_study(tmp_path / "study", interviews=("LY-I01",), pages=("W001.html",))
    jobs = planned_jobs(study)
    submitted_log = tmp_path / "submitted.txt"
    monkeypatch.setenv("GTFLOW_SUBMIT_LOG", str(submitted_log))
    # The SLURM profile's per-rule resources, with the generic executor standing in for SLURM.
    snakemake(study, "--workflow-profile", str(SLURM_PROFILE), "--executor", "cluster-generic",
              "--cluster-generic-submit-cmd",
              f"bash {SUBMIT} {{rule}} {{resources.mem_mb}} {{resources.runtime}}",
              "--jobs", "8", "--latency-wait", "5", "--seconds-between-status-checks", "1",
              "--max-status-checks-per-second", "10")
    submitted = [line.split() for line in submitted_log.read_text().splitlines()]
    processes = {fields[0] for fields in submitted}
    expected = sum(n for rule, n in jobs.items() if rule != "all")  # `all` runs no code
    assert len(submitted) == expected and len(processes) == expected
    # Every job's resources were evaluated from its input: at least the floor, at most the caps.
    requested = {rule: (int(mem), int(runtime)) for _, _, rule, mem, runtime in submitted}
    assert all(1000 <= mem <= 128_000 and 10 <= runtime <= 1440
               for mem, runtime in requested.values()), requested
    assert (study / "reports" / "pseudo_innovation_report.html").exists()
    assert os.path.getsize(study / "results" / "exports" / "case_by_category.sav") > 0
