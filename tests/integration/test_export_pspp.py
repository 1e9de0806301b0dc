"""PSPP reads the SPSS file gtflow writes: dictionary, Chinese labels, value labels, statistics.

Runs only where the ``pspp`` command exists (Debian package pspp); skips otherwise.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from gtflow.export.spss import export_frame, write_sav

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("pspp") is None, reason="PSPP not installed (Debian package pspp)"),
]

REPO = Path(__file__).resolve().parents[2]
CODES = pd.DataFrame({"code_id": ["A1", "A2"], "level": ["category", "category"],
                      "label": ["权责失衡", "任务层层加码"],
                      "label_en": ["Powers and responsibilities out of balance", "Escalated tasks"],
                      "parent_id": ["AA1", "AA1"]})


def run_pspp(sav: Path, variables: list[str], work: Path) -> str:
    """Run a PSPP syntax file (GET FILE, DISPLAY DICTIONARY, DESCRIPTIVES); return its text output."""
    syntax = work / "check.sps"
    syntax.write_text(f"GET FILE='{sav}'.\nDISPLAY DICTIONARY.\n"
                      f"DESCRIPTIVES VARIABLES={' '.join(variables)}.\n", encoding="utf-8")
    output = work / "check.txt"
    result = subprocess.run(["pspp", "-o", str(output), str(syntax)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    text = output.read_text(encoding="utf-8")
    assert "error" not in text.lower(), text
    return text


def test_pspp_reads_the_case_by_category_file(tmp_path):
    cases = pd.DataFrame({"case_id": ["R01", "R02", "W001", "P0001"],
                          "case_type": ["respondent", "respondent", "web_page", "web_post"],
                          "source_type": ["interview", "interview", "web_page", "web_post"],
                          "n_documents": [2, 1, 1, 1], "A1": [3, 0, 1, 0], "A2": [0, 1, 0, 2]})
    frame, labels = export_frame(cases, CODES)
    sav = tmp_path / "case_by_category.sav"
    write_sav(frame, labels, sav, file_label="gtflow test")
    text = run_pspp(sav, ["n_documents", "A1", "A2"], tmp_path)
    for expected in ("权责失衡", "受访者 respondent", "网帖 web post", "访谈 interview",
                     "Valid N (listwise)"):
        assert expected in text, expected
    valid_n = next(line for line in text.splitlines() if "Valid N (listwise)" in line)
    assert "4" in [cell.strip() for cell in valid_n.split("|")]  # four cases, none missing


def test_pspp_reads_the_pipeline_output(built_small_study, tmp_path):
    sav = built_small_study / "results" / "exports" / "case_by_category.sav"
    text = run_pspp(sav, ["n_documents"], tmp_path)
    assert "case_type" in text and "Valid N (listwise)" in text
