"""The walking skeleton end to end: the real workflow on a small copy of the demo study."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from studykit import REPO_ROOT, copy_small_study, planned_jobs, snakemake

pytestmark = pytest.mark.integration
PER_FILE_RULES = {"ingest_interview", "ingest_page", "ingest_posts", "clean_file", "code_autocode"}


@pytest.fixture(scope="module")
def built_study(tmp_path_factory) -> Path:
    study = copy_small_study(tmp_path_factory.mktemp("study"))
    snakemake(study, "--cores", "2")
    return study


def report_path(study: Path) -> Path:
    name = yaml.safe_load((study / "config" / "config.yaml").read_text(encoding="utf-8"))["study"]["name"]
    return study / "reports" / f"{name}.html"


def test_report_is_one_self_contained_html_file(built_study):
    html = report_path(built_study).read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    # Self-contained: no stylesheet, script or image is fetched from elsewhere.
    assert not re.search(r'<(?:link|script|img)[^>]+(?:href|src)="(?!data:)[^"#]', html)


def test_report_has_every_section_heading(built_study):
    labels = yaml.safe_load((REPO_ROOT / "workflow" / "templates" / "labels.en.yaml").read_text(encoding="utf-8"))
    html = report_path(built_study).read_text(encoding="utf-8")
    headings = [v for k, v in labels.get("sections", {}).items()]
    assert headings, "labels.en.yaml lists no sections"
    for heading in headings:
        assert heading in html, f"section heading {heading!r} missing from the report"


def test_report_numbers_match_the_tables(built_study):
    html = report_path(built_study).read_text(encoding="utf-8")
    documents = pd.read_parquet(built_study / "results" / "clean" / "documents.parquet")
    kept = documents[documents["duplicate_of"] == ""]
    counts = kept["source_type"].value_counts()
    overview = pd.read_csv(built_study / "results" / "report" / "tables" / "sources.csv")
    for source_type, count in counts.items():
        row = overview[overview["source_type"] == source_type]
        assert int(row["documents"].iloc[0]) == count
        assert re.search(rf"\|\s*{count}\s*\|", html) or f">{count}<" in html
    codings = pd.read_parquet(built_study / "results" / "code" / "codings.parquet")
    assert f"{len(codings):,}" in html or str(len(codings)) in html


def test_rerun_has_nothing_to_do_and_an_edit_reruns_only_that_file(built_study):
    assert planned_jobs(built_study) == {}
    transcript = built_study / "data" / "raw" / "interviews" / "LY-I02.md"
    transcript.write_text(transcript.read_text(encoding="utf-8") + "\n答：补充一句：那段时间确实很累。\n",
                          encoding="utf-8")
    jobs = planned_jobs(built_study)
    per_file = {rule: n for rule, n in jobs.items() if rule in PER_FILE_RULES}
    assert per_file == {"ingest_interview": 1, "clean_file": 1, "code_autocode": 1}
    assert {"clean_corpus", "code_merge", "saturation", "mechanisms"} <= set(jobs)
    assert "ingest_roster" not in jobs
