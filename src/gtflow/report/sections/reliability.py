"""Inter-coder reliability: agreement pooled per level and per concept, and the disagreements.

When the stage could not assess agreement (fewer than two human coders), ``assessed`` is False
and ``reason`` says why; the report states it instead of showing empty tables.
"""

from __future__ import annotations

import pandas as pd

from gtflow import contracts
from gtflow.coding.codebook import Codebook
from gtflow.report.results import Results, records
from gtflow.stats.reliability import OVERALL

#: Disagreements shown in the report (the table lists all).
DISAGREEMENTS_SHOWN = 8


def reliability_section(agreement: pd.DataFrame, disagreements: pd.DataFrame, summary: dict,
                        book: Codebook) -> dict:
    """Agreement pooled per level and per concept, with the disagreements counted."""
    is_overall = agreement["concept_id"] == OVERALL
    overall = records(agreement[is_overall])
    concepts = records(agreement[~is_overall & (agreement["level"] == "concept")])
    order = {c["id"]: i for i, c in enumerate(book.concepts)}
    concepts.sort(key=lambda r: (order.get(r["concept_id"], len(order)), r["concept_id"]))
    for row in concepts:
        code = book.by_id.get(row["concept_id"], {})
        row["label"], row["label_en"] = code.get("label", ""), code.get("label_en", "")
    # Units are sentence units; the pooled row counts unit × code decisions.
    n_sentences = max((int(r["n_units"]) for r in concepts), default=summary.get("n_units"))
    pooled = next((r for r in overall if r["level"] == "concept"), {})
    coder_columns = list(disagreements.columns[len(contracts.columns("disagreements")):])
    return {
        "assessed": bool(summary["assessed"]) and bool(overall),
        "reason": summary.get("reason", ""),
        "coders": list(summary["coders"]),
        "n_units": n_sentences, "n_decisions": pooled.get("n_units"),
        "n_codes": len(concepts), "n_documents": summary.get("n_documents"),
        "n_reviewed_empty": summary.get("n_reviewed_empty"),
        "min_positive_units": summary.get("min_positive_units"),
        "n_codes_assessable": sum(bool(r.get("enough_positive")) for r in concepts),
        "bootstrap": summary.get("bootstrap"),
        "overall": overall, "concepts": concepts,
        "n_disagreements": len(disagreements),
        "disagreement_coders": coder_columns,
        "disagreements": records(disagreements.head(DISAGREEMENTS_SHOWN)),
    }


def build(results: Results) -> dict:
    section = reliability_section(results.table("agreement"), results.table("disagreements"),
                                  results.summary("reliability"), results.book)
    return {**section, "source": results.source("agreement"),
            "disagreements_source": results.source("disagreements")}
