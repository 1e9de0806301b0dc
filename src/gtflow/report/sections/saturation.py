"""Saturation: codes found per level, Guest point, Francis stop, Chao2, Guest runs and the holdout
test. The curves themselves go to the figure."""

from __future__ import annotations

import pandas as pd

from gtflow.coding.codebook import Codebook
from gtflow.report.results import Results, plain, records
from gtflow.stats.steps import LEVELS

GUEST_KEYS = ("point", "k", "documents", "base_size", "run_length", "threshold", "codes_in_base",
              "new_in_run", "new_share", "share_of_all_codes")
CHAO2_KEYS = ("s_obs", "chao2", "se", "ci_low", "ci_high", "coverage", "q1", "q2", "m", "form")
#: Guest runs listed in the report (the summary holds all).
GUEST_RUNS_SHOWN = 10


def saturation_levels(summary: dict) -> list[dict]:
    """One row per coding level: codes found, Guest point, Francis stop, Chao2."""
    rows = []
    for level, values in summary["levels"].items():
        guest = values.get("guest") or {}
        chao = values.get("chao2") or {}
        rows.append({
            "level": level, "codes": values.get("codes"),
            "guest": {k: guest.get(k) for k in GUEST_KEYS} if guest.get("saturated") else None,
            "codes_in_base": guest.get("codes_in_base"),
            "guest_orders": plain(values.get("guest_orders") or {}),
            "francis": values.get("francis_stop_at"),
            "chao2": {k: chao.get(k) for k in CHAO2_KEYS} if chao else None})
    order = {level: i for i, level in enumerate(LEVELS)}
    return sorted(rows, key=lambda r: order.get(r["level"], len(order)))


def holdout_rows(holdout: pd.DataFrame, book: Codebook) -> list[dict]:
    """Codes/edges found only in held-out documents, with codebook labels for codes."""
    rows = records(holdout)
    for row in rows:
        code = book.by_id.get(row["id"]) or {}
        row["label"], row["label_en"] = code.get("label", ""), code.get("label_en", "")
    return rows


def holdout_reference_rows(summary: dict) -> list[dict]:
    """Per level and for edges: observed only-in-holdout count against random holdouts."""
    by_level = (summary.get("holdout") or {}).get("by_level") or {}
    order = {level: i for i, level in enumerate((*LEVELS, "edge"))}
    rows = [{"level": level, **plain(values)} for level, values in by_level.items()
            if isinstance(values, dict)]
    return sorted(rows, key=lambda r: order.get(r["level"], len(order)))


def saturation_section(curves: pd.DataFrame, holdout: pd.DataFrame, summary: dict,
                       book: Codebook, sensitivity: pd.DataFrame) -> dict:
    """The saturation measures for the text."""
    held = summary["holdout"]
    concept = summary["levels"].get("concept", {})
    return {
        "available": not curves.empty, "n_documents": len(summary["documents"]),
        "sources": list(summary["sources"]),
        "settings": plain(summary.get("settings") or {}),
        "levels": saturation_levels(summary),
        "guest_runs": plain((concept.get("guest_runs") or [])[:GUEST_RUNS_SHOWN]),
        "n_guest_runs": len(concept.get("guest_runs") or []),
        "holdout_documents": list(held.get("documents") or []),
        "coders": list(summary.get("coders") or []),
        "sensitivity": records(sensitivity[sensitivity["level"] == "concept"]),
        "holdout_reference": holdout_reference_rows(summary),
        "holdout_alpha": held.get("alpha"),
        "holdout_new": holdout_rows(holdout, book),
    }


def build(results: Results) -> dict:
    section = saturation_section(results.table("curves"), results.table("holdout"),
                                 results.summary("saturation"), results.book,
                                 results.table("guest_sensitivity"))
    return {**section, "holdout_source": results.source("holdout"),
            "curves_source": results.source("curves"),
            "sensitivity_source": results.source("guest_sensitivity"),
            "holdout_reference_source": results.source("holdout_reference")}
