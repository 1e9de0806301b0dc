"""The walking skeleton end to end: the real workflow on a small copy of the demo study."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
import yaml
from studykit import planned_jobs

from gtflow.resources import template_dir

pytestmark = pytest.mark.integration
PER_FILE_RULES = {"ingest_interview", "ingest_page", "ingest_posts", "clean_file", "code_autocode"}


def report_path(study: Path) -> Path:
    name = yaml.safe_load((study / "config" / "config.yaml").read_text(encoding="utf-8"))["study"]["name"]
    return study / "reports" / f"{name}.html"


def test_report_is_one_self_contained_html_file(built_small_study):
    html = report_path(built_small_study).read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    # Self-contained: no stylesheet, script or image is fetched from elsewhere.
    assert not re.search(r'<(?:link|script|img)[^>]+(?:href|src)="(?!data:)[^"#]', html)


def labels() -> dict:
    return yaml.safe_load((template_dir() / "labels.en.yaml").read_text(encoding="utf-8"))


def test_report_has_every_section_heading(built_small_study):
    html = unescape(report_path(built_small_study).read_text(encoding="utf-8"))
    headings = {k: v for k, v in labels().items() if k.startswith("h_")}
    assert len(headings) >= 10
    for key, heading in headings.items():
        assert re.search(rf"<h[1-3][^>]*>{re.escape(heading)}</h[1-3]>", html), f"{key}: {heading!r}"


def table_row(html: str, first_cell: str) -> list[str]:
    """The cells of the first table row whose first cell is ``first_cell``."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.DOTALL):
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no table row starts with {first_cell!r}")


def test_report_numbers_match_the_tables(built_small_study):
    html = report_path(built_small_study).read_text(encoding="utf-8")
    documents = pd.read_parquet(built_small_study / "results" / "clean" / "documents.parquet")
    for source_type, group in documents.groupby("source_type"):
        cells = table_row(html, labels()[f"source_{source_type}"])
        kept = int((group["duplicate_of"] == "").sum())
        # columns: type, raw files, documents, duplicates, kept, characters, first, last date
        assert [int(c.replace(",", "")) for c in cells[2:5]] == [len(group), len(group) - kept, kept]
    kept = documents[documents["duplicate_of"] == ""]
    text = unescape(re.sub(r"<[^>]+>", "", html))
    assert f"The analysis uses {len(kept)} documents: {(kept['source_type'] == 'interview').sum()} interview" in text
    agreement = pd.read_csv(built_small_study / "results" / "reliability" / "agreement.csv")
    overall = agreement[(agreement["level"] == "concept") & (agreement["concept_id"] == "__overall__")]
    assert f"{overall['krippendorff_alpha'].iloc[0]:.3f}" in text


def test_rerun_has_nothing_to_do_and_an_edit_reruns_only_that_file(built_small_study, tmp_path):
    # A copy of the session's build (with its .snakemake records), so the edit below leaves the
    # build the other tests read untouched; a moved study must be up to date as well.
    study = tmp_path / "study"
    shutil.copytree(built_small_study, study, symlinks=True)
    assert planned_jobs(study) == {}
    transcript = study / "data" / "raw" / "interviews" / "LY-I02.md"
    transcript.write_text(transcript.read_text(encoding="utf-8") + "\n答：补充一句：那段时间确实很累。\n",
                          encoding="utf-8")
    jobs = planned_jobs(study)
    per_file = {rule: n for rule, n in jobs.items() if rule in PER_FILE_RULES}
    assert per_file == {"ingest_interview": 1, "clean_file": 1, "code_autocode": 1}
    assert {"clean_corpus", "code_merge", "saturation", "mechanisms"} <= set(jobs)
    assert "ingest_roster" not in jobs
