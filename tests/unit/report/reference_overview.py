"""The report's overview as built before it filtered only the columns it uses
(gtflow.report.sections.overview at dd12cea): the reference the faster overview is compared
with."""

from __future__ import annotations

import pandas as pd

from gtflow.contracts import is_kept, kept_documents
from gtflow.frames import text_isin
from gtflow.mechanisms.cases import SOURCE_TYPES
from gtflow.report.results import records
from gtflow.report.sections.overview import months_of, respondent_overview


def source_overview(documents: pd.DataFrame) -> list[dict]:
    """Per source type: raw files, documents, duplicates collapsed, kept documents, dates, size."""
    rows = []
    for source_type in SOURCE_TYPES:
        docs = documents[documents["source_type"] == source_type]
        if docs.empty:
            continue
        kept = kept_documents(docs)
        dates = docs.loc[docs["date"] != "", "date"]  # the column holds text, never missing
        rows.append({
            "source_type": source_type, "n_files": int(docs["raw_path"].nunique()),
            "n_documents": len(docs), "n_duplicates": int(len(docs) - len(kept)),
            "n_kept": len(kept), "n_chars": int(kept["n_chars"].sum()),
            "first_date": str(dates.min()) if len(dates) else "",
            "last_date": str(dates.max()) if len(dates) else "",
        })
    return rows


def collection_timeline(documents: pd.DataFrame) -> list[dict]:
    """Kept documents per month and source type (months without documents are left out)."""
    kept = kept_documents(documents).copy()
    kept["month"] = months_of(kept["date"])
    kept = kept[kept["month"] != ""]
    counts = kept.groupby(["month", "source_type"]).size().reset_index(name="n")
    return records(counts.sort_values(["month", "source_type"]))


def corpus_overview(documents: pd.DataFrame, segment_documents: pd.Series,
                    duplicates: pd.DataFrame, respondents: pd.DataFrame | None,
                    duplicates_shown: int) -> dict:
    """Study and data overview: sources, respondents, timeline, duplicates
    (``segment_documents``: the document of every segment; the first ``duplicates_shown``
    collapsed documents are listed)."""
    kept = kept_documents(documents)
    collapsed = duplicates[duplicates["kind"] != "kept"]
    by_type = kept["source_type"].value_counts()
    return {
        "n_documents": len(kept), "n_documents_raw": len(documents),
        "n_duplicates": int((~is_kept(documents)).sum()),
        "n_interviews": int(by_type.get("interview", 0)),
        "n_web_pages": int(by_type.get("web_page", 0)),
        "n_web_posts": int(by_type.get("web_post", 0)),
        "n_web_documents": int(by_type.get("web_page", 0) + by_type.get("web_post", 0)),
        "n_files": int(documents["raw_path"].nunique()),
        "n_segments": int(text_isin(segment_documents, kept["doc_id"]).sum()),
        "n_chars": int(kept["n_chars"].sum()),
        "sources": source_overview(documents),
        "respondents": respondent_overview(respondents, documents),
        "timeline": collection_timeline(documents),
        "duplicates": records(collapsed.head(duplicates_shown)),
        "n_duplicates_listed": len(collapsed),
    }
