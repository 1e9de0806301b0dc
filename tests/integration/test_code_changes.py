"""Changing library code re-runs exactly the stages that run it (code is an input of every rule).

The workflow and library are copied, and the copy is imported through PYTHONPATH, so the test
can change a library module without touching the repository.
"""

from __future__ import annotations

import os
import shutil

import pytest
from studykit import REPO_ROOT, copy_small_study, planned_jobs, snakemake

pytestmark = pytest.mark.integration


def test_editing_a_library_module_reruns_only_its_stages(tmp_path):
    code = tmp_path / "gtflow"
    for part in ("workflow", "scripts", "src"):
        shutil.copytree(REPO_ROOT / part, code / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    env = {**os.environ, "PYTHONPATH": str(code / "src")}
    options = {"snakefile": code / "workflow" / "Snakefile", "env": env}
    study = copy_small_study(tmp_path / "study")
    snakemake(study, "--cores", "2", **options)
    assert planned_jobs(study, **options) == {}

    module = code / "src" / "gtflow" / "stats" / "saturation.py"
    # A real edit: Snakemake ignores a newer time stamp on unchanged content.
    module.write_text(module.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    jobs = planned_jobs(study, **options)
    assert {"reliability", "saturation", "report_context"} <= set(jobs)
    untouched = {"ingest_interview", "ingest_page", "ingest_posts", "clean_file", "clean_corpus",
                 "code_autocode", "code_merge", "mechanisms", "export_spss", "export_qdpx"}
    assert not untouched & set(jobs)
