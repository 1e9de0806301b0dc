"""The report context: counts, quotes, model evidence, data card, JSON-able; read, not computed."""

from __future__ import annotations

import json
from dataclasses import MISSING, fields
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from gtflow import contracts
from gtflow.config import complete_config
from gtflow.errors import InputError
from gtflow.report.context import SECTIONS, build_context
from gtflow.report.inputs import ReportInputs
from gtflow.report.results import plain
from gtflow.report.sections import banner, mechanisms, overview, reliability


def test_context_is_plain_json(built_report: dict) -> None:
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    assert context["overview"]["n_documents"] == 3
    assert context["overview"]["n_interviews"] == 2
    assert context["overview"]["n_web_documents"] == 1
    assert context["overview"]["respondents"]["n"] == 2
    assert {s["source_type"] for s in context["overview"]["sources"]} == {"interview", "web_post"}
    assert context["storyline"]["text_en"] == "3 documents; pressure in 2."
    assert set(SECTIONS) | {"sources"} == set(context)


def test_concept_rows_carry_the_whole_hierarchy_and_the_upstream_quote(built_report: dict) -> None:
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    rows = {r["concept_id"]: r for r in context["coding"]["concepts"]}
    assert (rows["a2"]["category_id"], rows["a2"]["main_category_id"], rows["a2"]["core_id"]) == \
        ("A2", "AA2", "CORE")
    # the quote is the one concept_quotes.csv names; a concept without one shows none
    assert rows["a1"]["quote"]["doc_id"] == "P01" and rows["a1"]["quote"]["start"] == 0
    assert rows["a2"]["quote"] is None


def test_weak_flags_and_threshold_come_from_the_mechanisms_stage(built_report: dict) -> None:
    model = json.loads(built_report["context"].read_text(encoding="utf-8"))["model"]
    assert [(e["key"], e["weak"]) for e in model["edges"]] == [("A1->AA1", False),
                                                                ("AA1->AA2", True)]
    assert model["weak_threshold"] == 3


def test_appendix_lists_raw_files_and_inputs(built_report: dict) -> None:
    appendix = json.loads(built_report["context"].read_text(encoding="utf-8"))["appendix"]
    assert [f["sha256"] for f in appendix["raw_files"]] == ["a" * 64, "b" * 64, "c" * 64]
    assert {"config_file", "codebook", "model", "data_card", "respondents"} <= {
        f["role"] for f in appendix["inputs"]}
    assert any(p["name"] == "pandas" for p in appendix["packages"])


def test_a_drifted_results_table_stops_with_its_file_named(built_report: dict,
                                                          tmp_path: Path) -> None:
    results = built_report["context"].parent
    inputs = {k: str(results / Path(v).name) if isinstance(v, str) and "results" in v else v
              for k, v in json.loads(built_report["context"].read_text("utf-8"))["sources"].items()}
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target,support\nA1,AA1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"edges\.csv.*missing from"):
        build_context(ReportInputs.from_mapping({**inputs, "edges": str(edges)}),
                      complete_config({"study": {"name": "t", "title": "t", "title_en": "t"},
                                       "seed": 1}))


def test_inputs_from_a_rule_mapping_take_optional_lists() -> None:
    required = [f.name for f in fields(ReportInputs) if f.default is MISSING]
    names = {f: f"{f}.csv" for f in required}
    inputs = ReportInputs.from_mapping({**names, "respondents": [], "data_card": ["d.md"],
                                        "manual": ["a.csv"], "raw_side": [], "code": ["x.py"]})
    assert (inputs.respondents, inputs.data_card, inputs.manual) == (None, "d.md", ("a.csv",))
    assert "respondents" not in inputs.sources() and inputs.sources()["nodes"] == "nodes.csv"


def test_data_card_statement_skips_headings_and_front_matter(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nx: 1\n---\n# Title\n\n<!-- note -->\n> These data are synthetic.\n"
                    "> Really.\n\nSecond paragraph.\n", encoding="utf-8")
    assert banner.data_card_statement(card) == {"text": "These data are synthetic. Really.",
                                                "source": str(card)}
    assert banner.data_card_statement(None) is None


def test_source_overview_counts_duplicates() -> None:
    docs = contracts.frame("documents", [
        {"doc_id": d, "source_type": "web_post", "raw_path": "p.jsonl", "date": date,
         "n_chars": n, "duplicate_of": dup}
        for d, date, n, dup in [("a", "2020-01-02", 10, ""), ("b", "", 20, "a"),
                                ("c", "2020-01-01", 30, "")]])
    (row,) = overview.source_overview(docs)
    assert row == {"source_type": "web_post", "n_files": 1, "n_documents": 3,
                   "n_duplicates": 1, "n_kept": 2, "n_chars": 40,
                   "first_date": "2020-01-01", "last_date": "2020-01-02"}


class Book:
    """The few codebook attributes the sections read."""

    by_id: ClassVar[dict] = {"X": {"label": "x", "label_en": "X"}, "Y": {"label": "y"}}
    concepts: ClassVar[list] = []


def test_reliability_not_assessed_keeps_the_reason() -> None:
    section = reliability.reliability_section(
        contracts.empty_frame("agreement"), contracts.empty_frame("disagreements"),
        {"assessed": False, "reason": "needs two coders", "coders": []}, Book())
    assert section["assessed"] is False and section["reason"] == "needs two coders"


def test_disagreement_coders_are_the_extra_columns() -> None:
    frame = contracts.frame("disagreements", [{"doc_id": "D", "seg_id": 1, "text": "t",
                                               "coder_b": "a1", "coder_a": ""}])
    section = reliability.reliability_section(contracts.empty_frame("agreement"), frame,
                                               {"assessed": True, "coders": ["coder_b",
                                                                             "coder_a"]}, Book())
    assert section["disagreement_coders"] == ["coder_b", "coder_a"]


def test_plain_turns_numpy_and_nan_into_json() -> None:
    assert plain({"a": np.int64(3), "b": float("nan"), "c": [np.float64(0.5)]}) == \
        {"a": 3, "b": None, "c": [0.5]}


def test_cooccurrence_pairs_skip_diagonal_and_mirror() -> None:
    frame = contracts.frame("cooccurrence", [
        {"level": "segment", "code_level": "main_category", "a": a, "b": b, "count": n}
        for a, b, n in [("X", "X", 9), ("X", "Y", 4), ("Y", "X", 4)]])
    (pair,) = mechanisms.cooccurrence_pairs(frame, Book())
    assert (pair["a"], pair["b"], pair["count"], pair["a_label_en"]) == ("X", "Y", 4, "X")


def test_a_roster_column_left_blank_for_everyone_gives_no_table() -> None:
    documents = contracts.frame("documents", [
        {"doc_id": f"D{i}", "source_type": "interview", "respondent_id": r}
        for i, r in enumerate(["R1", "R2", "R3"])])
    respondents = contracts.frame("respondents", [
        {"respondent_id": r, "role": role, "level": level}
        for r, role, level in [("R1", "nurse", ""), ("R2", "", ""), ("R3", "nurse", " ")]])
    result = overview.respondent_overview(respondents, documents)
    assert result["by_level"] == []
    assert result["by_role"] == [{"role": "nurse", "n": 2}, {"role": "", "n": 1}]
    assert overview.respondent_overview(respondents.drop(columns="level"),
                                        documents)["by_level"] == []


def test_the_saturation_marker_is_the_point_the_saturation_stage_wrote(built_report: dict) -> None:
    from gtflow.report.steps import saturation_markers
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    markers = saturation_markers(context)
    # summary.json: concept saturated at "1+1", i.e. documents 2; category not saturated.
    assert markers["concept"] == {"guest": 2}
    assert markers["category"] == {"guest": None}
    assert markers["holdout"]["first"] == context["saturation"]["holdout_documents"][0]


def test_the_overview_lists_the_first_duplicates_and_counts_them_all() -> None:
    docs = contracts.frame("documents", [
        {"doc_id": d, "source_type": "web_post", "raw_path": "p.jsonl", "date": "2020-01-01",
         "n_chars": 5, "duplicate_of": "" if d == "a" else "a"} for d in "abcd"])
    duplicates = contracts.frame("duplicates", [
        {"cluster_id": 1, "doc_id": d, "source_type": "web_post", "date": "2020-01-01",
         "kept_doc_id": "a", "kind": "kept" if d == "a" else "exact", "similarity": 1.0}
        for d in "abcd"])
    result = overview.corpus_overview(docs, docs["doc_id"], duplicates, None, duplicates_shown=2)
    assert [d["doc_id"] for d in result["duplicates"]] == ["b", "c"]
    assert result["n_duplicates_listed"] == result["n_duplicates"] == 3
