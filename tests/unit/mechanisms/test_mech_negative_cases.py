"""Contrary cases of the model's edges: worked by hand, and against a recomputation from codings."""

from __future__ import annotations

import pandas as pd
from mech_corpus import MODEL, SETTINGS, clean_texts, codebook, codings, documents_and_segments

from gtflow.mechanisms.steps import mechanism_tables


def tables():
    documents, segments = documents_and_segments()
    return mechanism_tables(codings(segments), documents, segments, clean_texts(), codebook(), MODEL, SETTINGS)


def test_contrary_cases_worked_by_hand():
    # Presence (Q2 is a duplicate and left out): M1 in I1 I2 I3 P1 Q1; M2 in I1 I3 P1;
    # K1 in I1 I3 P1; K2 in I2 Q1.
    negative = tables()["negative_cases"]
    assert list(negative.columns) == ["edge", "doc_id", "kind"]
    assert [tuple(r) for r in negative.itertuples(index=False)] == [
        ("M1->M2", "I2", "source_only"), ("M1->M2", "Q1", "source_only"),
        ("K2->M2", "I2", "source_only"), ("K2->M2", "Q1", "source_only"),
        ("K2->M2", "I1", "target_only"), ("K2->M2", "I3", "target_only"),
        ("K2->M2", "P1", "target_only")]


def recompute(codings_frame: pd.DataFrame, documents: pd.DataFrame) -> set[tuple[str, str, str]]:
    """Contrary cases straight from the codings: a node is present in a document when a concept
    below it (or the node itself) is coded there."""
    book = codebook()
    kept = set(documents.loc[documents["duplicate_of"] == "", "doc_id"])
    ancestors = {}
    for concept in book.concepts:
        category = concept["parent"]
        ancestors[concept["id"]] = {concept["id"], category, book.by_id[category]["parent"]}
    present: dict[str, set[str]] = {}
    for doc, concept in zip(codings_frame["doc_id"], codings_frame["concept_id"]):
        if doc in kept:
            for node in ancestors[concept]:
                present.setdefault(node, set()).add(doc)
    result = set()
    for edge in MODEL["edges"]:
        a, b = present.get(edge["from"], set()), present.get(edge["to"], set())
        key = f"{edge['from']}->{edge['to']}"
        result |= {(key, d, "source_only") for d in a - b}
        result |= {(key, d, "target_only") for d in b - a}
    return result


def test_contrary_cases_agree_with_a_recomputation_from_the_codings():
    documents, segments = documents_and_segments()
    negative = tables()["negative_cases"]
    assert set(negative.itertuples(index=False, name=None)) == recompute(codings(segments), documents)


def test_supporting_and_contrary_documents_partition_the_documents_with_either_end():
    result = tables()
    negative, edges = result["negative_cases"], result["edges"]
    nodes = result["nodes"].set_index("node_id")
    for edge in edges.itertuples(index=False):
        key = f"{edge[0]}->{edge[1]}"
        kinds = negative.loc[negative["edge"] == key, "kind"].value_counts()
        assert edge.documents + kinds.get("source_only", 0) == nodes.at[edge[0], "documents"]
        assert edge.documents + kinds.get("target_only", 0) == nodes.at[edge[1], "documents"]


def test_the_summary_counts_contrary_cases_and_flags_edges_they_outnumber():
    # By hand (see above): M1->M2 is supported in I1 I3 P1 (3) against 2 source-only documents;
    # K2->M2 is supported nowhere (K2 in I2 Q1, M2 in I1 I3 P1) against 2 + 3.
    result = tables()
    contrary = result["summary"]["contrary"]
    supported = dict(zip(result["edges"]["from"] + "->" + result["edges"]["to"],
                         result["edges"]["documents"]))
    assert list(contrary) == list(supported)
    assert contrary["M1->M2"] == {"supporting": 3, "source_only": 2, "target_only": 0,
                                  "n_contrary": 2, "outnumbered": False}
    assert contrary["K2->M2"] == {"supporting": 0, "source_only": 2, "target_only": 3,
                                  "n_contrary": 5, "outnumbered": True}
    assert result["summary"]["n_contrary_outnumbered"] == sum(
        c["outnumbered"] for c in contrary.values())
