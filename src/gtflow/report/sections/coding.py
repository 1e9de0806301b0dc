"""Open, axial and selective coding: each concept with its exemplar quote and hierarchy, the
main categories with their categories, and the core category.

The quote shown per concept is chosen upstream (results/mechanisms/concept_quotes.csv). The
document counts come from the evidence listing (results/tables/evidence.csv, the mode-filtered
evidence), so each count equals the explorer list it links to.
"""

from __future__ import annotations

import pandas as pd

from gtflow.coding.codebook import Codebook
from gtflow.report.audit import count_from_evidence
from gtflow.report.results import Results, quote_of, records


def code_counts(codings: pd.DataFrame, column: str) -> dict[str, tuple[int, int]]:
    """Code id (the values of ``column``) -> its codings and distinct documents, in one pass
    rather than a filter of the whole table per code."""
    grouped = codings.groupby(column, sort=False)["doc_id"].agg(["size", "nunique"])
    return {code_id: (int(n_codings), int(n_documents)) for code_id, n_codings, n_documents
            in zip(grouped.index, grouped["size"], grouped["nunique"])}


def coding_table(book: Codebook, codings: pd.DataFrame, quotes: dict[str, dict]) -> list[dict]:
    """One row per concept: exemplar quote -> concept -> category -> main category -> core."""
    counts = code_counts(codings, "concept_id")
    rows = []
    for concept in records(book.hierarchy()):
        n_codings, n_documents = counts.get(concept["concept_id"], (0, 0))
        rows.append({**concept, "n_codings": n_codings, "n_documents": n_documents,
                     "quote": quotes.get(concept["concept_id"])})
    return rows


def axial_table(book: Codebook, codings: pd.DataFrame) -> list[dict]:
    """Main categories with their categories, definitions and the documents that carry them."""
    documents = {column: {code_id: n for code_id, (_, n) in code_counts(codings, column).items()}
                 for column in ("category_id", "main_category_id")}

    def documents_with(column: str, code_id: str) -> int:
        return documents[column].get(code_id, 0)

    result = []
    for main in book.main_categories:
        categories = [{
            "id": c["id"], "label": c["label"], "label_en": c.get("label_en", ""),
            "definition": c.get("definition", ""), "definition_en": c.get("definition_en", ""),
            "n_concepts": sum(1 for k in book.concepts if k["parent"] == c["id"]),
            "n_documents": documents_with("category_id", c["id"]),
        } for c in book.categories if c["parent"] == main["id"]]
        result.append({
            "id": main["id"], "label": main["label"], "label_en": main.get("label_en", ""),
            "definition": main.get("definition", ""),
            "definition_en": main.get("definition_en", ""),
            "n_documents": documents_with("main_category_id", main["id"]),
            "categories": categories})
    return result


def build(results: Results) -> dict:
    book, coded = results.book, results.kept_codings
    shown = {row["concept_id"]: quote_of(row)
             for row in results.table("concept_quotes").to_dict(orient="records")}
    section = {
        "core": {k: book.core.get(k, "") for k in
                 ("id", "label", "label_en", "definition", "definition_en")},
        "concepts": coding_table(book, coded, shown),
        "main_categories": axial_table(book, coded),
        "source": results.source("codings"),
    }
    count_from_evidence(section, results.evidence_document_counts)
    return section
