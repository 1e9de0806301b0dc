"""Node evidence, edge support and contrary cases as they were counted before the counts
were made of integer arrays (document frames, value_counts and sets of case ids per code and
per edge, a frame per edge and kind).

Kept as the reference that :mod:`gtflow.mechanisms.model` must equal (see
tests/unit/mechanisms/test_mech_model.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gtflow.coding.codebook import edge_id
from gtflow.mechanisms.model import (
    CONTRARY_KINDS,
    EDGE_COLUMNS,
    EVIDENCE_FIELDS,
    NEGATIVE_CASE_COLUMNS,
    edge_documents,
)
from gtflow.mechanisms.presence import CodePresence


def support_of(presence: CodePresence, rows: np.ndarray) -> dict[str, int]:
    """Evidence counts of a set of evidence codings (row positions: one code's or one edge's)."""
    docs = presence.document_rows(presence.documents_of_rows(rows))
    by_type = docs["source_type"].value_counts()
    interviews = int(by_type.get("interview", 0))
    web_pages = int(by_type.get("web_page", 0))
    web_posts = int(by_type.get("web_post", 0))
    return {"documents": len(docs), "interviews": interviews, "web_pages": web_pages,
            "web_posts": web_posts, "web_documents": web_pages + web_posts,
            "respondents": int(docs.loc[docs["case_type"] == "respondent", "case_id"].nunique()),
            "codings": len(rows)}


def code_evidence(presence: CodePresence, codes: pd.DataFrame) -> pd.DataFrame:
    """Evidence counts for every code of the codebook (code_id + :data:`EVIDENCE_FIELDS`)."""
    rows = [{"code_id": code_id, **support_of(presence, presence.codings_of(code_id, level))}
            for code_id, level in zip(codes["code_id"], codes["level"])]
    return pd.DataFrame(rows, columns=["code_id", *EVIDENCE_FIELDS])


def edge_support(presence: CodePresence, level_of: dict[str, str], source: str,
                 target: str) -> dict[str, int]:
    """Documents, interviews, web documents and respondents in which both ends of an edge occur."""
    a, b = edge_documents(presence, level_of, source, target)
    both = presence.document_rows(presence.common_documents(a, b))
    respondents_a, respondents_b = (
        set(docs.loc[docs["case_type"] == "respondent", "case_id"])
        for docs in (presence.document_rows(a), presence.document_rows(b)))
    interviews = int((both["source_type"] == "interview").sum())
    return {"documents": len(both), "respondents": len(respondents_a & respondents_b),
            "interviews": interviews, "web_documents": len(both) - interviews}


def edge_table(model: dict, presence: CodePresence, codes: pd.DataFrame,
               threshold: int) -> pd.DataFrame:
    """edges.csv: one row per model edge, in model order, with support and the weak flag."""
    level_of = dict(zip(codes["code_id"], codes["level"]))
    rows = []
    for edge in model["edges"]:
        support = edge_support(presence, level_of, edge["from"], edge["to"])
        rows.append({"from": edge["from"], "to": edge["to"], "relation": edge.get("relation", ""),
                     "relation_en": edge.get("relation_en", ""), **support,
                     "weak": support["documents"] < threshold, "threshold": int(threshold)})
    return pd.DataFrame(rows, columns=EDGE_COLUMNS)


def negative_cases(model: dict, presence: CodePresence, codes: pd.DataFrame) -> pd.DataFrame:
    """negative_cases.csv: per model edge, the documents where only one end occurs.

    Node presence is the rule of ``nodes.csv``: a node is present in a document when it, or any
    code below it, is coded there. ``source_only`` documents carry the edge's source but not its
    target, ``target_only`` the reverse. Rows follow model order, then kind, then document id.
    """
    level_of = dict(zip(codes["code_id"], codes["level"]))
    doc_ids = presence.documents["doc_id"].to_numpy()
    frames = []
    for edge in model["edges"]:
        source, target = edge_documents(presence, level_of, edge["from"], edge["to"])
        key = edge_id(edge["from"], edge["to"])
        for kind, numbers in (("source_only", presence.documents_without(source, target)),
                              ("target_only", presence.documents_without(target, source))):
            frames.append(pd.DataFrame({"edge": key, "doc_id": doc_ids[numbers], "kind": kind},
                                       columns=NEGATIVE_CASE_COLUMNS))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=NEGATIVE_CASE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def contrary_counts(edges: pd.DataFrame, negative: pd.DataFrame) -> dict[str, dict]:
    """Per model edge ('A->B', edges.csv order): its supporting documents (``documents`` of
    edges.csv), its contrary documents of each kind (negative_cases.csv) and ``outnumbered``:
    whether the contrary documents are more than the supporting ones (the report's flag)."""
    result = {}
    for source, target, supporting in zip(edges["from"], edges["to"], edges["documents"]):
        key = edge_id(source, target)
        kinds = negative.loc[negative["edge"] == key, "kind"]
        counts = {kind: int((kinds == kind).sum()) for kind in CONTRARY_KINDS}
        n_contrary = sum(counts.values())
        result[key] = {"supporting": int(supporting), **counts, "n_contrary": n_contrary,
                       "outnumbered": n_contrary > int(supporting)}
    return result
