"""Cases and co-occurrence: who is in the case heatmap, the web cases summarised, and the
main-category pairs most often coded together; plus the mechanisms stage's summary."""

from __future__ import annotations

import pandas as pd

from gtflow.coding.codebook import Codebook
from gtflow.report.results import Results, plain, records

#: Co-occurring pairs listed in the report (the table holds all).
PAIRS_SHOWN = 10


def heatmap_cases(case_main: pd.DataFrame, code_ids: list[str]) -> pd.DataFrame:
    """The cases drawn in the heatmap: respondents (interview cases), one row each.

    Why not web documents: each is its own case, and a hundred one-post rows would bury the
    interviews; they are summarised by :func:`web_case_summary` instead.
    """
    rows = case_main[case_main["case_type"] == "respondent"]
    columns = [c for c in code_ids if c in rows.columns]
    return rows.set_index("case_id")[columns].astype(int)


def web_case_summary(case_main: pd.DataFrame, code_ids: list[str]) -> list[dict]:
    """Per web case type: cases, and per main category the cases that carry it."""
    result = []
    for case_type in ("web_page", "web_post"):
        rows = case_main[case_main["case_type"] == case_type]
        if rows.empty:
            continue
        result.append({"case_type": case_type, "n_cases": len(rows),
                       "with_code": {c: int((rows[c] > 0).sum()) for c in code_ids
                                     if c in rows.columns}})
    return result


def cooccurrence_pairs(cooccurrence: pd.DataFrame, book: Codebook, unit: str = "segment",
                       code_level: str = "main_category", top: int = PAIRS_SHOWN) -> list[dict]:
    """The main-category pairs most often coded in one unit (speaker turn), most frequent first.

    The diagonal (a code with itself) counts units carrying the code and is left out.
    """
    rows = cooccurrence[(cooccurrence["level"] == unit) & (cooccurrence["code_level"] == code_level)
                        & (cooccurrence["a"] != cooccurrence["b"])]
    rows = rows.sort_values(["count", "a", "b"], ascending=[False, True, True])
    # A symmetric table lists each pair twice (a-b and b-a); keep one.
    pair = pd.Series([tuple(sorted(p)) for p in zip(rows["a"], rows["b"])], index=rows.index)
    rows = rows[~pair.duplicated()].head(top)
    result = []
    for row in records(rows):
        a, b = book.by_id.get(row["a"], {}), book.by_id.get(row["b"], {})
        result.append({"a": row["a"], "b": row["b"], "count": row["count"],
                       "a_label": a.get("label", ""), "a_label_en": a.get("label_en", ""),
                       "b_label": b.get("label", ""), "b_label_en": b.get("label_en", "")})
    return result


def case_section(case_main: pd.DataFrame, book: Codebook, source: str) -> dict:
    """The case × main-category view: who is in the heatmap, and the web cases summarised."""
    code_ids = [m["id"] for m in book.main_categories]
    drawn = heatmap_cases(case_main, code_ids)
    return {"source": source, "n_cases": len(case_main),
            "n_heatmap_cases": len(drawn),
            "codes": [{"id": m["id"], "label": m["label"], "label_en": m.get("label_en", "")}
                      for m in book.main_categories],
            "web": web_case_summary(case_main, code_ids)}


def build(results: Results) -> dict:
    return {
        "summary": plain(results.summary("mechanisms")),
        "cases": case_section(results.table("case_by_main_category"), results.book,
                              results.source("case_by_main_category")),
        "cooccurrence": cooccurrence_pairs(results.table("cooccurrence"), results.book),
        "cooccurrence_source": results.source("cooccurrence"),
    }
