"""Report section "How far the rules can be trusted" and its appendix (the rule audit).

Reads results/code/validity.csv, rule_audit.csv, rule_phrases.csv, review.csv and the
mechanisms summary (evidence mode); returns the part of the report context they fill (the
precision-versus-recall scatter is drawn by :func:`gtflow.report.figures.validity_figure`).
"""

from __future__ import annotations

import math

import pandas as pd

from gtflow.coding.codebook import Codebook
from gtflow.coding.validity import CONSENSUS, LEVELS, OVERALL, concept_status

PHRASES_SHOWN = 15
EXAMPLES_SHOWN = 12


def number(value) -> float | None:
    """A float, or None for a missing value (NaN is not JSON)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return float(value)


def reference_order(validity: pd.DataFrame) -> list[str]:
    """Human coders in name order, then consensus."""
    names = sorted(set(validity["reference"]) - {CONSENSUS}) if len(validity) else []
    return names + ([CONSENSUS] if CONSENSUS in set(validity.get("reference", [])) else [])


def level_rows(validity: pd.DataFrame, references: list[str]) -> list[dict]:
    """The pooled row of each level and reference: one sentence per level."""
    pooled = validity[validity["code_id"] == OVERALL]
    rows = []
    for level in LEVELS:
        for reference in references:
            found = pooled[(pooled["level"] == level) & (pooled["reference"] == reference)]
            if found.empty:
                continue
            row = found.iloc[0]
            rows.append({"level": level, "reference": reference,
                         "n_documents": int(row["n_documents"]), "n_auto": int(row["n_auto"]),
                         "n_reference": int(row["n_reference"]), "n_both": int(row["n_both"]),
                         "precision": number(row["precision"]), "recall": number(row["recall"]),
                         "f1": number(row["f1"]), "human_f1": number(row["human_f1"])})
    return rows


def concept_rows(validity: pd.DataFrame, status: pd.DataFrame, book: Codebook,
                 references: list[str]) -> list[dict]:
    """One row per concept: precision/recall/F1 per reference, and the concept's mean human
    ceiling, mean auto F1 and status as the code stage wrote them."""
    concepts = validity[validity["level"] == "concept"].set_index(["code_id", "reference"])
    by_concept = status.set_index("concept_id")
    rows = []
    for concept in book.concepts:
        cid = concept["id"]
        scores = {}
        for reference in references:
            if (cid, reference) in concepts.index:
                row = concepts.loc[(cid, reference)]
                scores[reference] = {"precision": number(row["precision"]),
                                     "recall": number(row["recall"]), "f1": number(row["f1"]),
                                     "n_auto": int(row["n_auto"]),
                                     "n_reference": int(row["n_reference"]),
                                     "human_f1": number(row["human_f1"])}
        rows.append({"id": cid, "label": concept["label"], "label_en": concept.get("label_en", ""),
                     "has_rules": any((concept.get("rules") or {}).get(k)
                                      for k in ("any", "all", "regex")),
                     "scores": scores,
                     "human_f1": number(by_concept.at[cid, "mean_human_f1"]),
                     "mean_auto_f1": number(by_concept.at[cid, "mean_auto_f1"]),
                     "status": by_concept.at[cid, "status"]})
    return rows


def audit_summary(audit: pd.DataFrame, phrases: pd.DataFrame, book: Codebook) -> dict:
    """Appendix: the worst phrases, misfires and misses per concept, a few examples."""
    if audit.empty and phrases.empty:
        return {"phrases": [], "concepts": [], "examples": [], "n_auto_only": 0, "n_human_only": 0}
    labels = {c["id"]: (c["label"], c.get("label_en", "")) for c in book.concepts}
    counts = audit.groupby(["concept_id", "kind"]).size().unstack(fill_value=0)
    concepts = []
    for cid in [c["id"] for c in book.concepts if c["id"] in counts.index]:
        concepts.append({"id": cid, "label": labels[cid][0], "label_en": labels[cid][1],
                         "auto_only": int(counts.at[cid, "auto_only"]) if "auto_only" in counts
                         else 0,
                         "human_only": int(counts.at[cid, "human_only"]) if "human_only" in counts
                         else 0})
    worst = phrases[phrases["n_misfired"] > 0].head(PHRASES_SHOWN)
    shown = [{"concept_id": r.concept_id, "rule": r.rule, "n_fired": int(r.n_fired),
              "n_misfired": int(r.n_misfired), "misfire_rate": float(r.misfire_rate)}
             for r in worst.itertuples(index=False)]
    worst_rules = list(dict.fromkeys(zip(worst["concept_id"], worst["rule"])))
    examples = []
    misfires = audit[audit["kind"] == "auto_only"]
    for concept_id, rule in worst_rules:
        hit = misfires[(misfires["concept_id"] == concept_id) & (misfires["rule"] == rule)]
        if len(hit):
            first = hit.iloc[0]
            examples.append({"concept_id": concept_id, "rule": rule, "doc_id": first["doc_id"],
                             "start": int(first["start"]), "end": int(first["end"]),
                             "text": str(first["text"])})
        if len(examples) >= EXAMPLES_SHOWN:
            break
    return {"phrases": shown, "concepts": concepts, "examples": examples,
            "n_auto_only": int((audit["kind"] == "auto_only").sum()),
            "n_human_only": int((audit["kind"] == "human_only").sum())}


def review_summary(review: pd.DataFrame) -> list[dict]:
    """Per reviewer and review file: accepted and rejected auto codings."""
    if review.empty:
        return []
    counts = review.groupby(["reviewer", "review_file", "decision"]).size().unstack(fill_value=0)
    return [{"reviewer": reviewer, "file": file,
             "accepted": int(row.get("accepted", 0)), "rejected": int(row.get("rejected", 0))}
            for (reviewer, file), row in counts.iterrows()]


def validity_section(validity: pd.DataFrame, audit: pd.DataFrame, phrases: pd.DataFrame,
                     review: pd.DataFrame, mechanisms: dict, book: Codebook, min_f1: float,
                     sources: dict[str, str]) -> dict:
    """The context of the validity section, its appendix and the evidence-mode notes."""
    references = reference_order(validity)
    concepts = concept_rows(validity, concept_status(validity, [c["id"] for c in book.concepts]),
                            book, references) if len(validity) else []
    ruled = [c for c in concepts if c["has_rules"]]
    return {
        "assessed": bool(references),
        "references": references,
        "coders": [r for r in references if r != CONSENSUS],
        "min_f1": float(min_f1),
        "levels": level_rows(validity, references) if len(validity) else [],
        "concepts": ruled,
        "n_failed": sum(c["status"] == "failed" for c in ruled),
        "n_validated": sum(c["status"] == "validated" for c in ruled),
        "n_unvalidated": sum(c["status"] == "unvalidated" for c in ruled),
        "audit": audit_summary(audit, phrases, book),
        "reviews": review_summary(review),
        "evidence": {k: mechanisms.get(k) for k in (
            "evidence_mode", "n_codings_excluded", "n_codings_all", "excluded_concepts",
            "unvalidated_concepts", "n_unvalidated_codings", "edges_support_changed")},
        "source": sources.get("validity", ""), "audit_source": sources.get("rule_audit", ""),
        "phrases_source": sources.get("rule_phrases", ""),
        "review_source": sources.get("review", ""),
    }
