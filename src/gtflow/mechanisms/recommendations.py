"""Recommendations tied to the mechanisms they target, with the strength of that evidence.

Strength of one node, with T = ``mechanisms.weak_edge_threshold`` (the same bar as for edges):
``strong`` when at least 2·T documents support it, ``moderate`` when at least T do, ``weak``
otherwise. A recommendation is as strong as its weakest target (the minimum over targets),
because it answers all of them; one without targets is ``weak``.
"""

from __future__ import annotations

import pandas as pd

RECOMMENDATION_COLUMNS = ["rec_id", "title", "title_en", "targets", "target_evidence_documents",
                          "target_evidence", "target_strengths", "strength"]


def strength_of(documents: int, threshold: int) -> str:
    """strong | moderate | weak for a number of supporting documents (see module docstring)."""
    if documents >= 2 * threshold:
        return "strong"
    if documents >= threshold:
        return "moderate"
    return "weak"


def recommendation_table(model: dict, nodes: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """recommendations.csv: each recommendation, its targets and their evidence, in model order.

    ``targets``, ``target_evidence`` (``ID=documents``) and ``target_strengths``
    (``ID=strength``) list the targets in the order of config/model.yaml, joined by ";".
    ``target_evidence_documents`` is the minimum of the targets' document counts.
    """
    documents = dict(zip(nodes["node_id"], nodes["documents"].astype(int)))
    rows = []
    for recommendation in model.get("recommendations", []):
        targets = list(recommendation.get("targets", []))
        counts = [documents.get(t, 0) for t in targets]
        weakest = min(counts) if counts else 0
        rows.append({
            "rec_id": recommendation["id"], "title": recommendation.get("title", ""),
            "title_en": recommendation.get("title_en", ""), "targets": ";".join(targets),
            "target_evidence_documents": weakest,
            "target_evidence": ";".join(f"{t}={c}" for t, c in zip(targets, counts)),
            "target_strengths": ";".join(f"{t}={strength_of(c, threshold)}"
                                         for t, c in zip(targets, counts)),
            "strength": strength_of(weakest, threshold) if targets else "weak"})
    return pd.DataFrame(rows, columns=RECOMMENDATION_COLUMNS)
