"""The reliability and saturation steps: coding source, coverage and what they write."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gtflow.contracts import frame
from gtflow.errors import ConfigError
from gtflow.stats.steps import run_reliability, saturation_coders


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
