"""Method: the codebook's size, who coded what, how manual codings were re-anchored, settings."""

from __future__ import annotations

import pandas as pd

from gtflow.config import public_settings
from gtflow.report.results import Results, plain, records

#: The config sections the method paragraph reports (the analysis settings).
SETTING_SECTIONS = ("clean", "code", "reliability", "saturation", "mechanisms")


def coder_overview(codings: pd.DataFrame) -> list[dict]:
    """Who coded: codings and documents per coder and origin (auto, csv, qdpx)."""
    if codings.empty:
        return []
    grouped = codings.groupby(["coder", "origin"]).agg(
        n_codings=("concept_id", "size"), n_documents=("doc_id", "nunique"),
        n_concepts=("concept_id", "nunique")).reset_index()
    return records(grouped.sort_values(["origin", "coder"]))


def anchoring_counts(anchoring: pd.DataFrame) -> list[dict]:
    """Manual codings per re-anchoring status (ok, moved, fuzzy, orphaned)."""
    counts = anchoring["status"].value_counts().rename_axis("status").reset_index(name="n")
    return records(counts.sort_values("status"))


def build(results: Results) -> dict:
    book, coded, config = results.book, results.kept_codings, results.config
    manual = coded[coded["coder"] != "auto"]
    return {
        "codebook_version": book.version,
        "n_concepts": len(book.concepts), "n_categories": len(book.categories),
        "n_main_categories": len(book.main_categories),
        "n_rule_concepts": sum(1 for c in book.concepts if any(c.get("rules", {}).get(k)
                               for k in ("any", "all", "regex"))),
        "n_codings": len(coded), "n_coded_documents": int(coded["doc_id"].nunique()),
        "coders": coder_overview(coded),
        "n_manual_codings": len(manual),
        "n_human_coders": int(manual["coder"].nunique()),
        "n_manual_documents": int(manual["doc_id"].nunique()),
        "anchoring": anchoring_counts(results.table("anchoring")),
        "settings": plain({k: v for k, v in public_settings(config).items()
                           if k in SETTING_SECTIONS}),
        "seed": config.get("seed"),
    }
