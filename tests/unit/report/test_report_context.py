"""The report context: counts, quotes, model evidence, data card, JSON-able."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pandas as pd

from gtflow.report.context import (
    data_card_statement,
    model_section,
    plain,
    reliability_section,
    respondent_overview,
    source_overview,
)


def test_context_is_plain_json(built_report: dict) -> None:
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    assert context["overview"]["n_documents"] == 3
    assert context["overview"]["n_interviews"] == 2
    assert context["overview"]["n_web_documents"] == 1
    assert context["overview"]["respondents"]["n"] == 2
    assert {s["source_type"] for s in context["overview"]["sources"]} == {"interview", "web_post"}
    assert context["storyline"]["text_en"] == "3 documents; pressure in 2."


def test_concept_rows_carry_the_whole_hierarchy(built_report: dict) -> None:
    context = json.loads(built_report["context"].read_text(encoding="utf-8"))
    row = {r["concept_id"]: r for r in context["coding"]["concepts"]}["a2"]
    assert (row["category_id"], row["main_category_id"], row["core_id"]) == ("A2", "AA2", "CORE")
    # no quote chosen upstream: the first coded unit within the length bounds, with offsets
    assert row["quote"] == {"doc_id": "I02", "start": 2, "end": 18,
                            "text": "我们只能刷数据，排名靠后要挨批。"}


def test_appendix_lists_raw_files_and_inputs(built_report: dict) -> None:
    appendix = json.loads(built_report["context"].read_text(encoding="utf-8"))["appendix"]
    assert [f["sha256"] for f in appendix["raw_files"]] == ["a" * 64, "b" * 64, "c" * 64]
    assert {"config_file", "codebook", "model", "data_card"} <= {f["role"] for f in
                                                                  appendix["inputs"]}
    assert any(p["name"] == "pandas" for p in appendix["packages"])


def test_data_card_statement_skips_headings_and_front_matter(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nx: 1\n---\n# Title\n\n<!-- note -->\n> These data are synthetic.\n"
                    "> Really.\n\nSecond paragraph.\n", encoding="utf-8")
    assert data_card_statement(card) == {"text": "These data are synthetic. Really.",
                                         "source": str(card)}
    assert data_card_statement(None) is None


def test_source_overview_counts_duplicates() -> None:
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "source_type": ["web_post"] * 3,
                         "raw_path": ["p.jsonl"] * 3, "date": ["2020-01-02", "", "2020-01-01"],
                         "n_chars": [10, 20, 30], "duplicate_of": ["", "a", ""]})
    (row,) = source_overview(docs)
    assert row == {"source_type": "web_post", "n_files": 1, "n_documents": 3,
                   "n_duplicates": 1, "n_kept": 2, "n_chars": 40,
                   "first_date": "2020-01-01", "last_date": "2020-01-02"}


class Book:
    """The few codebook attributes model_section reads."""

    by_id: ClassVar[dict] = {"X": {"label": "x", "label_en": "X"}, "Y": {"label": "y"}}
    level_of: ClassVar[dict] = {"X": "main_category", "Y": "main_category"}
    concepts: ClassVar[list] = []


def test_weak_edges_follow_the_table_or_the_threshold() -> None:
    model = {"layers": [{"id": "l"}], "nodes": [{"id": "X", "layer": "l"},
                                                {"id": "Y", "layer": "l"}],
             "edges": [{"from": "X", "to": "Y"}, {"from": "Y", "to": "X"}]}
    edges = pd.DataFrame({"from": ["X"], "to": ["Y"], "documents": [5], "weak": [True]})
    view = model_section(model, Book(), pd.DataFrame(), edges, 3, {})
    assert [e["weak"] for e in view["edges"]] == [True, False]
    assert view["edges"][1]["documents"] is None  # no evidence row: unknown, not zero


def test_reliability_not_assessed_keeps_the_reason() -> None:
    section = reliability_section(pd.DataFrame(columns=["level", "concept_id"]),
                                  pd.DataFrame(columns=["doc_id", "seg_id", "text"]),
                                  {"assessed": False, "reason": "needs two coders"}, {}, Book())
    assert section["assessed"] is False and section["reason"] == "needs two coders"


def test_plain_turns_numpy_and_nan_into_json() -> None:
    import numpy as np

    assert plain({"a": np.int64(3), "b": float("nan"), "c": [np.float64(0.5)]}) == \
        {"a": 3, "b": None, "c": [0.5]}


def test_cooccurrence_pairs_skip_diagonal_and_mirror() -> None:
    from gtflow.report.context import cooccurrence_pairs

    frame = pd.DataFrame({"level": "segment", "code_level": "main_category",
                          "a": ["X", "X", "Y"], "b": ["X", "Y", "X"], "count": [9, 4, 4]})
    (pair,) = cooccurrence_pairs(frame, Book())
    assert (pair["a"], pair["b"], pair["count"], pair["a_label_en"]) == ("X", "Y", 4, "X")


def test_a_roster_column_left_blank_for_everyone_gives_no_table() -> None:
    documents = pd.DataFrame({"source_type": ["interview"] * 3, "respondent_id": ["R1", "R2", "R3"]})
    respondents = pd.DataFrame({"respondent_id": ["R1", "R2", "R3"],
                                "role": ["nurse", "", "nurse"], "level": ["", None, " "]})
    overview = respondent_overview(respondents, documents)
    assert overview["by_level"] == []
    assert overview["by_role"] == [{"role": "nurse", "n": 2}, {"role": "", "n": 1}]
    assert respondent_overview(respondents.drop(columns="level"), documents)["by_level"] == []
