"""Study and data overview: sources, respondents, collection timeline, duplicates collapsed."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from gtflow.contracts import is_kept, kept_documents
from gtflow.frames import text_isin
from gtflow.mechanisms.cases import SOURCE_TYPES
from gtflow.report.results import Results, records


def month_of(date: Any) -> str:
    """YYYY-MM of an ISO date string ('' when unknown)."""
    text = str(date or "")
    return text[:7] if re.match(r"\d{4}-\d{2}", text) else ""


def months_of(dates: pd.Series) -> np.ndarray:
    """:func:`month_of` of every date, computed once per distinct date (a corpus has far
    fewer dates than documents)."""
    codes, distinct = pd.factorize(dates, use_na_sentinel=False)
    return np.array([month_of(d) for d in distinct], dtype=object)[codes]


def source_overview(documents: pd.DataFrame) -> list[dict]:
    """Per source type: raw files, documents, duplicates collapsed, kept documents, dates, size."""
    rows = []
    for source_type in SOURCE_TYPES:
        # Only the columns used: filtering the others' text costs more than the rest.
        docs = documents.loc[documents["source_type"] == source_type,
                             ["raw_path", "date", "n_chars", "duplicate_of"]]
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
    kept = documents.loc[is_kept(documents), ["date", "source_type"]]
    kept["month"] = months_of(kept["date"])
    kept = kept[kept["month"] != ""]
    counts = kept.groupby(["month", "source_type"]).size().reset_index(name="n")
    return records(counts.sort_values(["month", "source_type"]))


def respondent_overview(respondents: pd.DataFrame | None, documents: pd.DataFrame) -> dict | None:
    """Interviewed respondents by role and by administrative level (from the public roster).

    ``role`` and ``level`` are the roster's own variables: a roster without them gives empty
    breakdowns.
    """
    if respondents is None:
        return None
    interviewed = set(documents.loc[documents["source_type"] == "interview", "respondent_id"]) - {""}
    people = respondents[respondents["respondent_id"].isin(interviewed)]
    result: dict[str, Any] = {"n": len(people), "n_roster": len(respondents)}
    for column in ("role", "level"):
        values = people[column].astype(str).str.strip() if column in people.columns \
            else pd.Series([], dtype=str)
        counts = values.value_counts()
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        # A roster without the column, or with it left blank for everyone, has no table to show.
        recorded = (values != "").any()
        result[f"by_{column}"] = [{column: k, "n": int(v)} for k, v in ordered] if recorded else []
    return result


def corpus_overview(documents: pd.DataFrame, segment_documents: pd.Series,
                    duplicates: pd.DataFrame, respondents: pd.DataFrame | None,
                    duplicates_shown: int) -> dict:
    """Study and data overview: sources, respondents, timeline, duplicates
    (``segment_documents``: the document of every segment; the first ``duplicates_shown``
    collapsed documents are listed)."""
    kept = documents.loc[is_kept(documents), ["doc_id", "source_type", "n_chars"]]
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


def build(results: Results) -> dict:
    return corpus_overview(results.documents, results.segment_documents,
                           results.table("duplicates"), results.respondents,
                           int(results.config["report"]["duplicates_shown"]))
