"""An English study end to end from ``gtflow init`` (issue 18): UTF-8 and UTF-16 transcripts, a
CSV roster without levels, US and UK phone numbers, English forms of address, post authors and
profile URLs. Nothing planted reaches results/ or reports/, ordinary numbers survive, and the
model may be written with layers as objects or as plain ids (with a title)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import english_study
import pandas as pd
import pytest
from studykit import snakemake

from gtflow.clean.texts import CleanTexts

SPEC = importlib.util.spec_from_file_location(
    "small_study", Path(__file__).resolve().parents[1] / "fixtures" / "small_study.py")
small_study = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(small_study)

pytestmark = pytest.mark.integration
MODELS = {"objects": english_study.MODEL_AS_OBJECTS, "strings": english_study.MODEL_AS_STRINGS}


@pytest.fixture(scope="module", params=sorted(MODELS))
def finished_study(request, tmp_path_factory) -> Path:
    root = english_study.build_english_study(tmp_path_factory.mktemp(f"english_{request.param}"),
                                             MODELS[request.param])
    snakemake(root, "--cores", "2")
    return root


def output_files(root: Path) -> list[Path]:
    return [p for folder in ("results", "reports") for p in sorted((root / folder).rglob("*"))
            if p.is_file()]


def test_no_planted_identifier_reaches_results_or_reports(finished_study):
    files = output_files(finished_study)
    assert any(p.name == "codings.parquet" for p in files)
    assert any(p.suffix == ".html" for p in files)
    leaks = [(identifier, str(path.relative_to(finished_study)))
             for path in files for identifier in english_study.IDENTIFIERS
             if identifier in small_study.readable_text(path)]
    assert not leaks


def test_identifiers_became_placeholders_and_ordinary_numbers_survived(finished_study):
    documents = pd.read_parquet(finished_study / "results" / "clean" / "documents.parquet")
    text = "\n".join(CleanTexts.open(
        finished_study / "results" / "clean" / "text" / "index.parquet").values())
    for placeholder in ("[PHONE]", "[EMAIL]", "[SSN]", "[P01]", "[P02]", "[N01]", "@[U001]",
                        "@[USER]"):
        assert placeholder in text, placeholder
    for number in english_study.SURVIVE:
        assert number in text, number
    assert set(documents.loc[documents["source_type"] == "web_post", "author"]) == {
        "[U001]", "[U002]", "[U003]"}
    assert set(documents["encoding"]) >= {"utf-8", "utf-16"}


def test_deidentification_counts_by_document_and_type(finished_study):
    counts = pd.read_csv(finished_study / "results" / "clean" / "deidentification.csv")
    assert list(counts.columns) == ["doc_id", "placeholder", "count"]
    by_doc = counts.groupby("doc_id").apply(
        lambda rows: dict(zip(rows["placeholder"], rows["count"])), include_groups=False).to_dict()
    assert by_doc["N02"]["[PHONE]"] == 1 and by_doc["N02"]["[SSN]"] == 1
    assert by_doc["N03"]["[PHONE]"] == 3 and by_doc["N03"]["[EMAIL]"] == 1
    assert by_doc["t2"] == {"[U#]": 2, "[USER]": 1}  # its author, a mention; the uid in its URL
    assert set(counts["placeholder"]) <= {"[PHONE]", "[EMAIL]", "[SSN]", "[P#]", "[N#]", "[U#]",
                                          "[USER]"}


def test_report_leaves_out_the_level_table_of_a_roster_without_levels(finished_study):
    qmd = (finished_study / "reports" / "tablets_report.qmd").read_text(encoding="utf-8")
    assert "Interviewed respondents by role" in qmd
    assert "by administrative level" not in qmd
