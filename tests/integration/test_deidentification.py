"""No identifier reaches results/ (or reports/): a small study with planted identifiers is run
through the workflow up to the codings, and every file under results/ is searched."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from gtflow.clean.texts import CleanTexts

SPEC = importlib.util.spec_from_file_location(
    "small_study", Path(__file__).resolve().parents[1] / "fixtures" / "small_study.py")
small_study = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(small_study)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def finished_study(tmp_path_factory) -> Path:
    root = small_study.build_study(tmp_path_factory.mktemp("study"))
    run = small_study.run_workflow(root)
    assert run.returncode == 0, run.stderr[-4000:]
    return root


def test_no_identifier_in_results_or_reports(finished_study):
    spec = small_study.planted()
    identifiers = small_study.all_identifiers(spec)
    files = [p for folder in ("results", "reports") if (finished_study / folder).is_dir()
             for p in sorted((finished_study / folder).rglob("*")) if p.is_file()]
    assert any(p.name == "codings.parquet" for p in files)
    leaks = [(identifier, str(path.relative_to(finished_study)))
             for path in files for identifier in identifiers
             if identifier in small_study.readable_text(path)]
    assert not leaks


def test_identifiers_became_placeholders_and_ordinary_numbers_survived(finished_study):
    text = "\n".join(CleanTexts.open(
        finished_study / "results" / "clean" / "text" / "index.parquet").values())
    for placeholder in ("[PHONE]", "[ID]", "[EMAIL]", "[PLATE]", "[N01]", "[N02]", "[S01]"):
        assert placeholder in text, placeholder
    for number in small_study.planted()["survive"]:
        assert number in text


def test_pseudonym_key_is_private(finished_study):
    key = pd.read_csv(finished_study / "private" / "pseudonym_key.csv", dtype=str)
    assert {"罗志强", "赵六", "王小二"} <= set(key["name"])
    assert not list((finished_study / "results").rglob("pseudonym_key*"))
