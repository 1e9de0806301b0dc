"""The reliability and saturation steps: coding source, coverage and what they write."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from gtflow.config import complete_config
from gtflow.contracts import frame, read_table
from gtflow.errors import ConfigError
from gtflow.stats.steps import run_reliability, run_saturation, saturation_coders


def _codings(rows: list[tuple[str, int, str, str]]) -> pd.DataFrame:
    return frame("codings", [{"doc_id": d, "seg_id": s, "start": 0, "end": 1, "concept_id": c,
                              "category_id": c.upper(), "main_category_id": "M", "coder": coder,
                              "origin": "csv"} for d, s, c, coder in rows])


def test_saturation_coders_never_pool_auto_and_humans_unasked():
    both = _codings([("d1", 1, "a1", "auto"), ("d1", 1, "a1", "coder_a"),
                     ("d2", 1, "a1", "coder_b")])
    assert saturation_coders(both, []) == ["coder_a", "coder_b"]
    assert saturation_coders(both[both["coder"] == "auto"], []) == ["auto"]
    assert saturation_coders(both, ["auto", "coder_a"]) == ["auto", "coder_a"]
    with pytest.raises(ConfigError, match="saturation.coders': names coder\\(s\\) without codings: x"):
        saturation_coders(both, ["x"])


def test_run_reliability_counts_reviewed_empty_documents_and_states_coverage(tmp_path):
    segments = frame("segments", [{"doc_id": d, "seg_id": s, "start": 5 * s, "end": 5 * s + 4,
                                   "text": "t"} for d, s in [("d1", 1), ("d1", 2), ("d2", 1),
                                                             ("d2", 2), ("d3", 1)]])
    codings = _codings([("d1", 1, "a1", "coder_a"), ("d1", 1, "a1", "coder_b"),
                        ("d1", 2, "a2", "coder_a"), ("d2", 1, "a1", "coder_a"),
                        ("d3", 1, "a1", "auto")])
    codings.to_parquet(tmp_path / "codings.parquet")
    segments.to_parquet(tmp_path / "segments.parquet")
    out = {name: tmp_path / name for name in ("agreement.csv", "dis.csv", "summary.json")}

    def run(coverage):
        run_reliability(tmp_path / "codings.parquet", tmp_path / "segments.parquet",
                        out["agreement.csv"], out["dis.csv"], out["summary.json"], coders=[],
                        documents=[], bootstrap=20, seed=1, coverage=coverage,
                        min_positive_units=2)
        return (pd.read_csv(out["agreement.csv"]),
                json.loads(out["summary.json"].read_text(encoding="utf-8")))

    table, summary = run(None)             # d2 coded by coder_a only: not a unit
    assert summary["coders"] == ["coder_a", "coder_b"] and summary["n_documents"] == 1
    assert summary["n_units"] == 2 and summary["n_reviewed_empty"] == 0
    table, summary = run({"coder_b": ["d1", "d2"]})   # coder_b reviewed d2 and found nothing
    assert summary["n_documents"] == 2 and summary["n_units"] == 4
    assert summary["n_reviewed_empty"] == 0 and summary["coverage"] == {"coder_a": 2, "coder_b": 2}
    a1 = table[(table["level"] == "concept") & (table["concept_id"] == "a1")].iloc[0]
    assert a1["n_positive_units"] == 2 and bool(a1["enough_positive"])
    a2 = table[(table["level"] == "concept") & (table["concept_id"] == "a2")].iloc[0]
    assert a2["n_positive_units"] == 1 and not bool(a2["enough_positive"])
    assert a1["positive_agreement"] == pytest.approx(2 / 3)   # n11 = 1, n10 = 1 (d2)
    _, summary = run({"coder_a": ["d1", "d2", "d3"], "coder_b": ["d1", "d2", "d3"]})
    assert summary["n_documents"] == 3 and summary["n_reviewed_empty"] == 1


CODEBOOK = {
    "version": 1, "language": "zh",
    "core": {"id": "C", "label": "核心", "label_en": "Core"},
    "main_categories": [{"id": "M", "label": "主", "label_en": "Main"}],
    "categories": [{"id": "K1", "parent": "M", "label": "类一", "label_en": "One"},
                   {"id": "K2", "parent": "M", "label": "类二", "label_en": "Two"}],
    "concepts": [{"id": f"a{i}", "parent": "K1" if i < 4 else "K2", "label": f"概念{i}",
                  "label_en": f"Concept {i}"} for i in range(1, 7)],
}
MODEL = {"layers": ["cause", "effect"], "nodes": [{"id": "K1", "layer": "cause"},
                                                  {"id": "K2", "layer": "effect"}],
         "edges": [{"from": "K1", "to": "K2", "relation": "导致"}]}


def test_run_saturation_counts_the_named_coders_on_the_documents_they_reviewed(tmp_path):
    docs = [f"I{i}" for i in range(1, 9)]
    documents = frame("documents", [{"doc_id": d, "source_type": "interview",
                                     "date": f"2021-03-{i + 10:02d}"} for i, d in enumerate(docs)])
    human = [("I1", "a1"), ("I1", "a2"), ("I2", "a3"), ("I3", "a1"), ("I4", "a4"), ("I5", "a2")]
    auto = [(d, "a5") for d in docs] + [("I8", "a6")]
    parent = {c["id"]: c["parent"] for c in CODEBOOK["concepts"]}
    codings = frame("codings", [
        {"doc_id": d, "seg_id": 1, "concept_id": c, "category_id": parent[c],
         "main_category_id": "M", "coder": coder, "origin": "csv" if coder != "auto" else "auto"}
        for coder, rows in (("coder_a", human), ("auto", auto)) for d, c in rows])
    documents.to_parquet(tmp_path / "documents.parquet")
    codings.to_parquet(tmp_path / "codings.parquet")
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(CODEBOOK, allow_unicode=True),
                                            encoding="utf-8")
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(MODEL, allow_unicode=True),
                                         encoding="utf-8")
    settings = complete_config({"saturation": {"permutations": 50, "base_size": 2,
                                               "run_length": 1}})["saturation"]

    def run(coders):
        out = tmp_path / "_".join(coders or ["default"])
        out.mkdir()
        run_saturation(tmp_path / "codings.parquet", tmp_path / "documents.parquet",
                       tmp_path / "codebook.yaml", tmp_path / "model.yaml", out / "curves.csv",
                       out / "holdout.csv", out / "summary.json", {**settings, "coders": coders},
                       seed=3, reference_out=out / "reference.csv",
                       sensitivity_out=out / "sensitivity.csv")
        return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))

    out, summary = run([])
    assert summary["coders"] == ["coder_a"] and summary["documents"] == docs[:5]
    concept = summary["levels"]["concept"]
    assert concept["codes"] == 4 and concept["guest"]["codes_in_base"] == 3
    # "2+1": saturated after 3 documents, the figure's marker
    assert (concept["guest"]["point"], concept["guest"]["documents"]) == ("2+1", 3)
    assert concept["guest_orders"]["orders"] == 50
    reference = read_table("holdout_reference", out / "reference.csv")
    assert list(reference["level"]) == ["concept", "category", "main_category", "edge"]
    assert (reference["random_holdouts"] == 1000).all()
    assert summary["holdout"]["by_level"]["concept"]["verdict"] in {
        "fewer_than_chance", "not_fewer_than_chance"}
    sensitivity = read_table("guest_sensitivity", out / "sensitivity.csv")
    assert len(sensitivity) == 3 * 3 * 2 * 2                   # levels × bases × runs × thresholds
    _, with_auto = run(["auto"])
    assert with_auto["documents"] == docs and with_auto["levels"]["concept"]["codes"] == 2
