"""Evidence modes: which codings count (all | validated | human), and what the tables say."""

from __future__ import annotations

import pandas as pd
import pytest
from mech_corpus import MODEL, SETTINGS, clean_texts, codebook, codings, documents_and_segments

from gtflow.mechanisms.steps import mechanism_tables

# c1's rules failed validation, c2's passed, c3 was never judged by a human.
STATUS = pd.DataFrame({"concept_id": ["c1", "c2", "c3"], "mean_auto_f1": [0.2, 0.9, float("nan")],
                       "status": ["failed", "validated", "unvalidated"]})


def tables(mode: str, status: pd.DataFrame | None = STATUS) -> dict:
    documents, segments = documents_and_segments()
    return mechanism_tables(codings(segments), documents, segments, clean_texts(), codebook(), MODEL,
                            {**SETTINGS, "evidence": mode}, status=status)


def test_all_counts_every_coding():
    summary = tables("all")["summary"]
    assert summary["evidence_mode"] == "all" and summary["n_codings_excluded"] == 0
    assert summary["edges_support_changed"] == []


def test_validated_drops_the_auto_codings_of_failed_concepts_only():
    result = tables("validated")
    summary = result["summary"]
    # c1 auto in I1, I3 and P1 (Q2 is a duplicate and never counted); coder_a's c1 in I1 stays.
    assert summary["n_codings_excluded"] == 3 and summary["excluded_concepts"] == ["c1"]
    assert summary["unvalidated_concepts"] == ["c3"] and summary["n_unvalidated_codings"] == 3
    nodes = result["nodes"].set_index("node_id")
    assert nodes.at["K1", "documents"] == 1 and nodes.at["M2", "documents"] == 3
    assert summary["edges_support_changed"] == [
        {"edge": "M1->M2", "documents_all": 3, "documents": 1, "weak_all": False, "weak": True},
        {"edge": "K1->M2", "documents_all": 3, "documents": 1, "weak_all": False, "weak": True}]
    assert "pass code.min_auto_f1" in summary["evidence_rule"]


def test_human_counts_only_the_coders():
    result = tables("human")
    assert result["summary"]["n_codings_excluded"] == 8
    nodes = result["nodes"].set_index("node_id")
    assert nodes.at["K1", "documents"] == 1 and nodes.at["M2", "documents"] == 0
    assert result["recommendations"]["strength"].tolist() == ["weak", "weak"]


def test_validated_without_a_validity_table_excludes_nothing():
    assert tables("validated", status=None)["summary"]["n_codings_excluded"] == 0


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown evidence mode"):
        tables("some")


def test_single_chunk_columns_joins_arrow_chunks_and_keeps_values_and_types():
    from gtflow.mechanisms.cases import single_chunk_columns

    pieces = [pd.DataFrame({"doc_id": pd.Series(ids, dtype="str"), "n": range(len(ids))})
              for ids in (["d1", "d2"], ["d3", None])]
    frame = pd.concat(pieces, ignore_index=True)
    assert frame["doc_id"].array.__arrow_array__().num_chunks == 2
    joined = single_chunk_columns(frame)
    assert joined["doc_id"].array.__arrow_array__().num_chunks == 1
    pd.testing.assert_frame_equal(joined, frame)
