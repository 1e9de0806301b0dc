"""Open, axial and selective coding: each concept with its exemplar quote and hierarchy, the
main categories with their categories, and the core category.

The quote shown per concept is chosen upstream (results/mechanisms/concept_quotes.csv). The
document counts come from the evidence listing (results/tables/evidence.csv, the mode-filtered
evidence), so each count equals the explorer list it links to.
"""

from __future__ import annotations

import pandas as pd

from gtflow.coding.codebook import Codebook
from gtflow.report.results import Results, quote_of, records


def coding_table(book: Codebook, codings: pd.DataFrame, quotes: dict[str, dict],
                 documents: dict[str, int]) -> list[dict]:
    """One row per concept: exemplar quote -> concept -> category -> main category -> core;
    ``documents``: code id -> its documents in the evidence listing."""
    # One count over the table rather than a filter of it per concept.
    n_codings = {code_id: int(n) for code_id, n in codings["concept_id"].value_counts().items()}
    rows = []
    for concept in records(book.hierarchy()):
        rows.append({**concept, "n_codings": n_codings.get(concept["concept_id"], 0),
                     "n_documents": documents.get(str(concept["concept_id"]), 0),
                     "quote": quotes.get(concept["concept_id"])})
    return rows


def axial_table(book: Codebook, documents: dict[str, int]) -> list[dict]:
    """Main categories with their categories, definitions and the documents that carry them
    (``documents``: code id -> its documents in the evidence listing)."""
    result = []
    for main in book.main_categories:
        categories = [{
            "id": c["id"], "label": c["label"], "label_en": c.get("label_en", ""),
            "definition": c.get("definition", ""), "definition_en": c.get("definition_en", ""),
            "n_concepts": sum(1 for k in book.concepts if k["parent"] == c["id"]),
            "n_documents": documents.get(str(c["id"]), 0),
        } for c in book.categories if c["parent"] == main["id"]]
        result.append({
            "id": main["id"], "label": main["label"], "label_en": main.get("label_en", ""),
            "definition": main.get("definition", ""),
            "definition_en": main.get("definition_en", ""),
            "n_documents": documents.get(str(main["id"]), 0),
            "categories": categories})
    return result


def build(results: Results) -> dict:
    book, documents = results.book, results.evidence_document_counts
    shown = {row["concept_id"]: quote_of(row)
             for row in results.table("concept_quotes").to_dict(orient="records")}
    return {
        "core": {k: book.core.get(k, "") for k in
                 ("id", "label", "label_en", "definition", "definition_en")},
        "concepts": coding_table(book, results.kept_codings, shown, documents),
        "main_categories": axial_table(book, documents),
        "source": results.source("codings"),
    }
