"""`snakemake --report report.zip` bundles the figures, the main tables and the rendered report,
each with its caption from workflow/report/."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml
from studykit import REPO_ROOT, snakemake

pytestmark = pytest.mark.integration

FIGURES = ("saturation.svg", "heatmap.svg", "timeline.svg", "model.svg", "validity.svg")
TABLES = ("concept_frequencies.csv", "category_frequencies.csv", "main_category_frequencies.csv",
          "case_by_main_category.csv", "agreement.csv", "edges.csv", "recommendations.csv")


def test_the_snakemake_report_bundles_figures_tables_and_the_rendered_report(built_small_study,
                                                                             tmp_path):
    bundle = tmp_path / "report.zip"
    snakemake(built_small_study, "--report", str(bundle))
    with zipfile.ZipFile(bundle) as archive:
        members = archive.namelist()
        names = {Path(member).name for member in members}
        index = archive.read(next(m for m in members if Path(m).name == "report.html"))
    name = yaml.safe_load((built_small_study / "config" / "config.yaml")
                          .read_text(encoding="utf-8"))["study"]["name"]
    expected = set(FIGURES) | set(TABLES) | {f"{name}.html"}
    assert expected <= names, sorted(expected - names)
    # The captions of workflow/report/ reach the bundle's index.
    for caption in ("saturation.rst", "agreement.rst", "report.rst"):
        first_words = " ".join((REPO_ROOT / "workflow" / "report" / caption)
                               .read_text(encoding="utf-8").split()[:3])
        assert first_words.encode("utf-8") in index, caption
