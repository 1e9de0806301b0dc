"""The report's context: every number, table and quote the report shows, as one JSON document.

The context is language-neutral (codebook labels in both languages travel together); the
template picks the language. Every table in the context remembers the results file it came
from (``source``), so the report can cite it under the table.

Upstream tables are read defensively where their columns are still settling: a missing optional
column becomes an empty value, never a guess presented as a number.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
import numpy as np
import pandas as pd

from gtflow.coding.codebook import Codebook
from gtflow.config import public_settings
from gtflow.errors import InputError
from gtflow.report.validity import validity_section

SOURCE_TYPES = ("interview", "web_page", "web_post")


# --------------------------------------------------------------------------------------------
# Reading results
# --------------------------------------------------------------------------------------------

def read_csv_table(path: str | Path | None) -> pd.DataFrame:
    """A results CSV as strings-and-numbers; a missing or empty file is an empty frame."""
    if not path or not Path(path).is_file() or Path(path).stat().st_size == 0:
        return pd.DataFrame()
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(path, f"is not a readable CSV table ({error})") from None


def read_json_file(path: str | Path | None) -> dict:
    """A results JSON object; a missing file is an empty dict."""
    if not path or not Path(path).is_file():
        return {}
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(path, f"is not valid JSON ({error.msg})", line=error.lineno) from None
    if not isinstance(value, dict):
        raise InputError(path, "must hold a JSON object")
    return value


def plain(value: Any) -> Any:
    """A JSON-able version of a pandas/numpy value (NaN -> None)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a frame as JSON-able dicts, in frame order."""
    return [plain(row) for row in frame.to_dict(orient="records")]


def first_column(frame: pd.DataFrame, *names: str) -> str | None:
    """The first of ``names`` that is a column of ``frame``."""
    return next((n for n in names if n in frame.columns), None)


# --------------------------------------------------------------------------------------------
# Study and data overview
# --------------------------------------------------------------------------------------------

def data_card_statement(path: str | Path | None) -> dict | None:
    """The data card's opening statement: its first paragraph that is not a heading.

    Why from the file: the banner must say what the data card says (for the demo study, that
    the data are synthetic), not what the code assumes.
    """
    if not path or not Path(path).is_file():
        return None
    text = Path(path).read_text(encoding="utf-8")
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)  # YAML front matter
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    paragraph: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            if paragraph:
                break
            continue
        if stripped.startswith("#") or re.fullmatch(r"[=-]{3,}", stripped):
            if paragraph:
                break
            continue
        paragraph.append(stripped.lstrip("> ").strip())
    if not paragraph:
        return None
    return {"text": " ".join(paragraph), "source": str(path)}


def month_of(date: Any) -> str:
    """YYYY-MM of an ISO date string ('' when unknown)."""
    text = str(date or "")
    return text[:7] if re.match(r"\d{4}-\d{2}", text) else ""


def source_overview(documents: pd.DataFrame) -> list[dict]:
    """Per source type: raw files, documents, duplicates collapsed, kept documents, dates, size."""
    rows = []
    for source_type in SOURCE_TYPES:
        docs = documents[documents["source_type"] == source_type]
        if docs.empty:
            continue
        kept = docs[docs["duplicate_of"].fillna("") == ""]
        dates = sorted(d for d in docs["date"].fillna("").astype(str) if d)
        rows.append({
            "source_type": source_type, "n_files": int(docs["raw_path"].nunique()),
            "n_documents": len(docs), "n_duplicates": int(len(docs) - len(kept)),
            "n_kept": len(kept), "n_chars": int(kept["n_chars"].sum()),
            "first_date": dates[0] if dates else "", "last_date": dates[-1] if dates else "",
        })
    return rows


def collection_timeline(documents: pd.DataFrame) -> list[dict]:
    """Kept documents per month and source type (months without documents are left out)."""
    kept = documents[documents["duplicate_of"].fillna("") == ""].copy()
    kept["month"] = kept["date"].map(month_of)
    kept = kept[kept["month"] != ""]
    counts = kept.groupby(["month", "source_type"]).size().reset_index(name="n")
    return records(counts.sort_values(["month", "source_type"]))


def respondent_overview(respondents: pd.DataFrame, documents: pd.DataFrame) -> dict | None:
    """Interviewed respondents by role and by administrative level (from the public roster)."""
    if respondents.empty or "respondent_id" not in respondents.columns:
        return None
    interviewed = set(documents.loc[documents["source_type"] == "interview", "respondent_id"]
                      .fillna("").astype(str)) - {""}
    people = respondents[respondents["respondent_id"].astype(str).isin(interviewed)].copy()
    result: dict[str, Any] = {"n": len(people), "n_roster": len(respondents)}
    for column in ("role", "level"):
        values = people[column].fillna("").astype(str).str.strip() if column in people.columns \
            else pd.Series([], dtype=str)
        counts = values.value_counts()
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        # A roster without the column, or with it left blank for everyone, has no table to show.
        recorded = (values != "").any()
        result[f"by_{column}"] = [{column: k, "n": int(v)} for k, v in ordered] if recorded else []
    return result


# --------------------------------------------------------------------------------------------
# Coding
# --------------------------------------------------------------------------------------------

def coder_overview(codings: pd.DataFrame) -> list[dict]:
    """Who coded: codings and documents per coder and origin (auto, csv, qdpx)."""
    if codings.empty:
        return []
    grouped = codings.groupby(["coder", "origin"]).agg(
        n_codings=("concept_id", "size"), n_documents=("doc_id", "nunique"),
        n_concepts=("concept_id", "nunique")).reset_index()
    return records(grouped.sort_values(["origin", "coder"]))


def quote_text(texts: dict[str, str], doc_id: str, start: int, end: int) -> str:
    """The exact clean-text span a quote cites."""
    return texts.get(doc_id, "")[int(start):int(end)]


def quotes_from_table(quotes: pd.DataFrame, texts: dict[str, str]) -> dict[tuple[str, str], list]:
    """(level, id) -> quotes chosen by the mechanisms stage, each with doc_id, start, end, text."""
    chosen: dict[tuple[str, str], list] = {}
    if quotes.empty or not {"doc_id", "start", "end"} <= set(quotes.columns):
        return chosen
    level_col = first_column(quotes, "item_type", "level", "kind")
    id_col = first_column(quotes, "id", "item_id", "item", "code_id", "concept_id")
    text_col = first_column(quotes, "quote", "text")
    if id_col is None:
        return chosen
    if "rank" in quotes.columns:
        quotes = quotes.sort_values("rank", kind="stable")
    for row in quotes.to_dict(orient="records"):
        level = str(row[level_col]) if level_col else "concept"
        text = str(row[text_col]) if text_col and row.get(text_col) == row.get(text_col) \
            else quote_text(texts, str(row["doc_id"]), row["start"], row["end"])
        chosen.setdefault((level, str(row[id_col])), []).append({
            "doc_id": str(row["doc_id"]), "start": int(row["start"]), "end": int(row["end"]),
            "text": text, "truncated": bool(row.get("truncated", False) is True
                                            or str(row.get("truncated", "")).lower() == "true")})
    return chosen


def fallback_quote(concept_codings: pd.DataFrame, texts: dict[str, str], min_chars: int,
                   max_chars: int) -> dict | None:
    """A deterministic exemplar when the mechanisms stage chose none: the first coded unit
    (document order, then offset) whose length is within the configured bounds."""
    for row in concept_codings.sort_values(["doc_id", "start", "end"]).to_dict(orient="records"):
        text = quote_text(texts, row["doc_id"], row["start"], row["end"])
        if min_chars <= len(text) <= max_chars:
            return {"doc_id": row["doc_id"], "start": int(row["start"]), "end": int(row["end"]),
                    "text": text}
    return None


def coding_table(book: Codebook, codings: pd.DataFrame, texts: dict[str, str],
                 quotes: dict[tuple[str, str], list], min_chars: int, max_chars: int) -> list[dict]:
    """One row per concept: exemplar quote -> concept -> category -> main category -> core."""
    rows = []
    used: set[tuple[str, int, int]] = set()
    hierarchy = book.hierarchy()
    for concept in records(hierarchy):
        mine = codings[codings["concept_id"] == concept["concept_id"]] if not codings.empty \
            else codings
        chosen = quotes.get(("concept", concept["concept_id"])) or []
        # Why: one passage often carries several concepts; show each passage once if possible.
        fresh = [q for q in chosen if (q["doc_id"], q["start"], q["end"]) not in used]
        quote = (fresh or chosen or [fallback_quote(mine, texts, min_chars, max_chars)])[0]
        if quote:
            used.add((quote["doc_id"], quote["start"], quote["end"]))
        rows.append({**concept, "n_codings": len(mine),
                     "n_documents": int(mine["doc_id"].nunique()) if len(mine) else 0,
                     "quote": quote})
    return rows


def axial_table(book: Codebook, codings: pd.DataFrame) -> list[dict]:
    """Main categories with their categories, definitions and the documents that carry them."""
    def documents_with(column: str, code_id: str) -> int:
        if codings.empty:
            return 0
        return int(codings.loc[codings[column] == code_id, "doc_id"].nunique())

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


# --------------------------------------------------------------------------------------------
# Reliability and saturation
# --------------------------------------------------------------------------------------------

SAT_LEVELS = ("concept", "category", "main_category")
GUEST_KEYS = ("point", "k", "base_size", "run_length", "threshold", "codes_in_base",
              "new_in_run", "new_share", "share_of_all_codes")
CHAO2_KEYS = ("s_obs", "chao2", "se", "ci_low", "ci_high", "coverage", "q1", "q2", "m", "form")


def reliability_section(agreement: pd.DataFrame, disagreements: pd.DataFrame, summary: dict,
                        sources: dict[str, str], book: Codebook) -> dict:
    """Agreement pooled per level and per concept, with the disagreements counted.

    When the stage could not assess agreement (fewer than two human coders), ``assessed`` is
    False and ``reason`` says why; the report states it instead of showing empty tables.
    """
    overall, concepts = [], []
    if not agreement.empty and "concept_id" in agreement.columns:
        if "level" not in agreement.columns:
            agreement = agreement.assign(level="concept")
        is_overall = agreement["concept_id"].astype(str) == "__overall__"
        overall = records(agreement[is_overall])
        concepts = records(agreement[~is_overall & (agreement["level"] == "concept")])
    order = {c["id"]: i for i, c in enumerate(book.concepts)}
    concepts.sort(key=lambda r: (order.get(str(r.get("concept_id")), len(order)),
                                 str(r.get("concept_id"))))
    for row in concepts:
        code = book.by_id.get(str(row.get("concept_id", "")), {})
        row["label"], row["label_en"] = code.get("label", ""), code.get("label_en", "")
    # Units are sentence units; the pooled row counts unit × code decisions.
    n_sentences = max((int(r["n_units"]) for r in concepts if r.get("n_units") is not None),
                      default=summary.get("n_units"))
    pooled = next((r for r in overall if r.get("level") == "concept"), {})
    coder_cols = [c for c in disagreements.columns if c not in ("doc_id", "seg_id", "text")]
    assessed = bool(summary.get("assessed", bool(overall)))
    return {
        "assessed": assessed and bool(overall), "reason": summary.get("reason", ""),
        "coders": list(summary.get("coders") or coder_cols),
        "n_units": n_sentences, "n_decisions": pooled.get("n_units"),
        "n_codes": len(concepts), "n_documents": summary.get("n_documents"),
        "n_reviewed_empty": summary.get("n_reviewed_empty"),
        "min_positive_units": summary.get("min_positive_units"),
        "n_codes_assessable": sum(bool(r.get("enough_positive")) for r in concepts),
        "bootstrap": summary.get("bootstrap"),
        "overall": overall, "concepts": concepts, "source": sources.get("reliability", ""),
        "n_disagreements": len(disagreements),
        "disagreement_coders": coder_cols,
        "disagreements": records(disagreements.head(8)),
        "disagreements_source": sources.get("disagreements", ""),
    }


def saturation_levels(summary: dict) -> list[dict]:
    """One row per coding level: codes found, Guest point, Francis stop, Chao2."""
    rows = []
    for level, values in (summary.get("levels") or {}).items():
        guest = values.get("guest") or {}
        chao = values.get("chao2") or {}
        rows.append({
            "level": level, "codes": values.get("codes"),
            "guest": {k: guest.get(k) for k in GUEST_KEYS} if guest.get("saturated") else None,
            "codes_in_base": guest.get("codes_in_base"),
            "guest_orders": plain(values.get("guest_orders") or {}),
            "francis": values.get("francis_stop_at"),
            "chao2": {k: chao.get(k) for k in CHAO2_KEYS} if chao else None})
    order = {level: i for i, level in enumerate(SAT_LEVELS)}
    return sorted(rows, key=lambda r: order.get(r["level"], len(order)))


def holdout_rows(holdout: pd.DataFrame, book: Codebook | None) -> list[dict]:
    """Codes/edges found only in held-out documents, with codebook labels for codes."""
    rows = records(holdout)
    for row in rows:
        code = (book.by_id.get(str(row.get("id", ""))) if book else None) or {}
        row["label"], row["label_en"] = code.get("label", ""), code.get("label_en", "")
    return rows


def holdout_reference_rows(summary: dict) -> list[dict]:
    """Per level and for edges: observed only-in-holdout count against random holdouts."""
    by_level = (summary.get("holdout") or {}).get("by_level") or {}
    order = {level: i for i, level in enumerate((*SAT_LEVELS, "edge"))}
    rows = [{"level": level, **plain(values)} for level, values in by_level.items()
            if isinstance(values, dict)]
    return sorted(rows, key=lambda r: order.get(r["level"], len(order)))


def saturation_section(curves: pd.DataFrame, holdout: pd.DataFrame, summary: dict,
                       sources: dict[str, str], runs_shown: int = 10,
                       book: Codebook | None = None,
                       sensitivity: pd.DataFrame | None = None) -> dict:
    """The saturation measures for the text; the curves themselves go to the figure."""
    documents = list(summary.get("documents") or [])
    held = summary.get("holdout") or {}
    levels = saturation_levels(summary)
    concept = (summary.get("levels") or {}).get("concept", {})
    return {
        "available": not curves.empty, "n_documents": len(documents),
        "sources": list(summary.get("sources") or []),
        "settings": plain(summary.get("settings") or {}),
        "levels": levels,
        "guest_runs": plain((concept.get("guest_runs") or [])[:runs_shown]),
        "n_guest_runs": len(concept.get("guest_runs") or []),
        "holdout_documents": list(held.get("documents") or []),
        "coders": list(summary.get("coders") or []),
        "sensitivity": records(sensitivity[sensitivity["level"] == "concept"])
        if sensitivity is not None and not sensitivity.empty and "level" in sensitivity.columns
        else [],
        "sensitivity_source": sources.get("guest_sensitivity", ""),
        "holdout_reference": holdout_reference_rows(summary),
        "holdout_alpha": held.get("alpha"),
        "holdout_reference_source": sources.get("holdout_reference", ""),
        "holdout_new": holdout_rows(holdout, book),
        "holdout_source": sources.get("holdout", ""),
        "curves_source": sources.get("curves", ""),
    }


# --------------------------------------------------------------------------------------------
# Mechanisms, model and recommendations
# --------------------------------------------------------------------------------------------

def node_evidence(nodes: pd.DataFrame) -> dict[str, dict]:
    """node id -> its evidence row from nodes.csv (documents, interviews, ...)."""
    id_col = first_column(nodes, "node_id", "id")
    if nodes.empty or id_col is None:
        return {}
    return {str(r[id_col]): plain(r) for r in nodes.to_dict(orient="records")}


def edge_key(row: dict) -> str:
    """'from->to' key of an edge row."""
    return f"{row.get('from', row.get('source', ''))}->{row.get('to', row.get('target', ''))}"


def edge_evidence(edges: pd.DataFrame) -> dict[str, dict]:
    """'from->to' -> its evidence row from edges.csv."""
    if edges.empty:
        return {}
    return {edge_key(r): plain(r) for r in edges.to_dict(orient="records")}


def support_of(row: dict | None) -> int | None:
    """The number of documents supporting a node or edge (None when unknown)."""
    if not row:
        return None
    for key in ("documents", "n_documents", "support", "support_documents"):
        if row.get(key) is not None:
            return int(row[key])
    return None


def interviews_of(row: dict | None) -> int | None:
    """The number of interviews among the supporting documents (None when unknown)."""
    if not row:
        return None
    for key in ("interviews", "n_interviews", "support_interviews"):
        if row.get(key) is not None:
            return int(row[key])
    return None


def evidence_counts(row: dict | None) -> dict:
    """The optional evidence breakdown of a node or edge row (None where the table lacks it)."""
    row = row or {}
    return {key: (int(row[key]) if row.get(key) is not None else None)
            for key in ("respondents", "web_documents", "codings")}


def model_section(model: dict, book: Codebook, nodes: pd.DataFrame, edges: pd.DataFrame,
                  weak_threshold: int, sources: dict[str, str],
                  quotes: dict[tuple[str, str], list] | None = None) -> dict:
    """The model's layers, nodes and edges with their evidence, in model.yaml order."""
    node_rows, edge_rows = node_evidence(nodes), edge_evidence(edges)
    layer_label = {layer["id"]: layer for layer in model["layers"]}
    out_nodes = []
    for node in model["nodes"]:
        code = book.by_id[node["id"]]
        evidence = node_rows.get(node["id"])
        out_nodes.append({
            "id": node["id"], "layer": node["layer"], "label": code["label"],
            "label_en": code.get("label_en", ""), "level": book.level_of[node["id"]],
            "layer_label": layer_label[node["layer"]].get("label", node["layer"]),
            "layer_label_en": layer_label[node["layer"]].get("label_en", node["layer"]),
            "documents": support_of(evidence), "interviews": interviews_of(evidence),
            **evidence_counts(evidence)})
    out_edges = []
    for edge in model["edges"]:
        key = f"{edge['from']}->{edge['to']}"
        evidence = edge_rows.get(key)
        documents = support_of(evidence)
        weak_flag = evidence.get("weak") if evidence else None
        weak = str(weak_flag).lower() in ("true", "1") if weak_flag is not None else \
            (documents is not None and documents < weak_threshold)
        out_edges.append({
            "key": key, "from": edge["from"], "to": edge["to"],
            "relation": edge.get("relation", ""), "relation_en": edge.get("relation_en", ""),
            "documents": documents, "interviews": interviews_of(evidence), "weak": weak,
            **evidence_counts(evidence),
            "quote": ((quotes or {}).get(("edge", key)) or [None])[0]})
    return {"title": model.get("title", ""), "description": model.get("description", ""),
            "layers": [plain(layer) for layer in model["layers"]], "nodes": out_nodes,
            "edges": out_edges, "weak_threshold": int(weak_threshold),
            "nodes_source": sources.get("nodes", ""), "edges_source": sources.get("edges", "")}


def heatmap_cases(case_main: pd.DataFrame, code_ids: list[str]) -> pd.DataFrame:
    """The cases drawn in the heatmap: respondents (interview cases), one row each.

    Why not web documents: each is its own case, and a hundred one-post rows would bury the
    interviews; they are summarised by :func:`web_case_summary` instead.
    """
    if case_main.empty or "case_id" not in case_main.columns:
        return pd.DataFrame()
    rows = case_main
    if "case_type" in rows.columns:
        rows = rows[rows["case_type"] == "respondent"]
    columns = [c for c in code_ids if c in rows.columns]
    return rows.set_index("case_id")[columns].astype(int)


def web_case_summary(case_main: pd.DataFrame, code_ids: list[str]) -> list[dict]:
    """Per web case type: cases, and per main category the cases that carry it."""
    if case_main.empty or "case_type" not in case_main.columns:
        return []
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
                       code_level: str = "main_category", top: int = 10) -> list[dict]:
    """The main-category pairs most often coded in one unit (speaker turn), most frequent first.

    The diagonal (a code with itself) counts units carrying the code and is left out.
    """
    needed = {"level", "code_level", "a", "b", "count"}
    if cooccurrence.empty or not needed <= set(cooccurrence.columns):
        return []
    rows = cooccurrence[(cooccurrence["level"] == unit) & (cooccurrence["code_level"] == code_level)
                        & (cooccurrence["a"] != cooccurrence["b"])]
    rows = rows.sort_values(["count", "a", "b"], ascending=[False, True, True])
    # A symmetric table lists each pair twice (a-b and b-a); keep one.
    pair = rows.apply(lambda r: tuple(sorted((str(r["a"]), str(r["b"])))), axis=1)
    rows = rows[~pair.duplicated()].head(top)
    result = []
    for row in records(rows):
        a, b = book.by_id.get(str(row["a"]), {}), book.by_id.get(str(row["b"]), {})
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


class _Evidence(dict):
    """Attribute access for the storyline templates: ``node["AA4"].documents``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def render_storyline(template: str, numbers: dict, model_path: str) -> str:
    """Fill a model.yaml storyline's ``{{ }}`` placeholders from the results (sandboxed)."""
    if not template:
        return ""
    env = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined,
                                              autoescape=False)
    try:
        return env.from_string(template).render(**numbers).strip()
    except jinja2.TemplateError as error:
        raise InputError(model_path, f"the storyline cannot be filled from the results "
                         f"({error})") from None


def storyline_numbers(overview: dict, model: dict) -> dict:
    """The values a storyline may use: corpus counts and node/edge evidence."""
    node = {n["id"]: _Evidence(documents=n["documents"], interviews=n["interviews"])
            for n in model["nodes"]}
    edge = {e["key"]: _Evidence(documents=e["documents"], interviews=e["interviews"])
            for e in model["edges"]}
    return {"n_documents": overview["n_documents"], "n_interviews": overview["n_interviews"],
            "n_web_documents": overview["n_web_documents"], "node": node, "edge": edge}


def recommendation_section(model_raw: dict, model: dict, evidence: pd.DataFrame,
                           quotes: dict[tuple[str, str], list]) -> list[dict]:
    """Recommendations with the mechanisms (nodes) they answer, those nodes' evidence and
    strength (from recommendations.csv) and one exemplar quote per target."""
    nodes = {n["id"]: n for n in model["nodes"]}
    rec_col = first_column(evidence, "rec_id", "recommendation_id", "id")
    extra = {str(r[rec_col]): plain(r) for r in evidence.to_dict(orient="records")} \
        if rec_col else {}
    result = []
    for rec in model_raw.get("recommendations", []):
        row = extra.get(rec["id"], {})
        strengths = dict(part.split("=", 1) for part in
                         str(row.get("target_strengths") or "").split(";") if "=" in part)
        targets = []
        for target in rec["targets"]:
            if target in nodes:
                node_quotes = quotes.get(("node", target)) or []
                targets.append({**nodes[target], "strength": strengths.get(target, ""),
                                "quote": node_quotes[0] if node_quotes else None})
        result.append({
            "id": rec["id"], "title": rec["title"], "title_en": rec.get("title_en", ""),
            "text": rec.get("text", ""), "text_en": rec.get("text_en", ""),
            "measures": list(rec.get("measures", [])),
            "measures_en": list(rec.get("measures_en", [])),
            "targets": targets, "strength": row.get("strength") or "",
            "min_documents": row.get("target_evidence_documents")})
    return result


# --------------------------------------------------------------------------------------------
# The whole context
# --------------------------------------------------------------------------------------------

def corpus_overview(documents: pd.DataFrame, segments: pd.DataFrame, duplicates: pd.DataFrame,
                    respondents: pd.DataFrame) -> dict:
    """Study and data overview: sources, respondents, timeline, duplicates."""
    kept = documents[documents["duplicate_of"].fillna("") == ""]
    by_type = kept["source_type"].value_counts()
    kept_ids = set(kept["doc_id"])
    return {
        "n_documents": len(kept), "n_documents_raw": len(documents),
        "n_duplicates": int(len(documents) - len(kept)),
        "n_interviews": int(by_type.get("interview", 0)),
        "n_web_pages": int(by_type.get("web_page", 0)),
        "n_web_posts": int(by_type.get("web_post", 0)),
        "n_web_documents": int(by_type.get("web_page", 0) + by_type.get("web_post", 0)),
        "n_files": int(documents["raw_path"].nunique()),
        "n_segments": int(segments["doc_id"].isin(kept_ids).sum()) if len(segments) else 0,
        "n_chars": int(kept["n_chars"].sum()),
        "sources": source_overview(documents),
        "respondents": respondent_overview(respondents, documents),
        "timeline": collection_timeline(documents),
        "duplicates": records(duplicates[duplicates["kind"] != "kept"])
        if "kind" in duplicates.columns else records(duplicates),
    }


def build_context(*, paths: dict[str, str | None], config: dict, book: Codebook,
                  model: dict) -> dict:
    """Everything the report shows, from the results files named in ``paths``.

    ``paths`` uses the report_context rule's input names (documents, codings, curves, ...).
    """
    documents = pd.read_parquet(paths["documents"])
    segments = pd.read_parquet(paths["segments"])
    codings = pd.read_parquet(paths["codings"])
    duplicates = read_csv_table(paths.get("duplicates"))
    respondents = pd.read_parquet(paths["respondents"]) if paths.get("respondents") \
        else pd.DataFrame()
    kept_ids = set(documents.loc[documents["duplicate_of"].fillna("") == "", "doc_id"])
    texts = dict(zip(documents["doc_id"], documents["clean_text"]))
    settings = config.get("mechanisms", {})
    sources = {k: str(v) for k, v in paths.items() if isinstance(v, (str, Path)) and v}

    overview = corpus_overview(documents, segments, duplicates, respondents)
    quotes = quotes_from_table(read_csv_table(paths.get("quotes")), texts)
    anchoring = read_csv_table(paths.get("anchors"))
    model_view = model_section(model, book, read_csv_table(paths.get("nodes")),
                               read_csv_table(paths.get("edges")),
                               int(settings.get("weak_edge_threshold", 3)), sources, quotes)
    numbers = storyline_numbers(overview, model_view)
    model_path = str(paths.get("model", "config/model.yaml"))
    mechanisms_summary = read_json_file(paths.get("mechanisms"))
    coded = codings[codings["doc_id"].isin(kept_ids)] if len(codings) else codings

    return {
        "study": {"name": config["study"]["name"], "title": config["study"]["title"],
                  "title_en": config["study"]["title_en"],
                  "codebook_language": book.language},
        "banner": data_card_statement(paths.get("data_card")),
        "sources": sources,
        "overview": overview,
        "method": {
            "codebook_version": book.version,
            "n_concepts": len(book.concepts), "n_categories": len(book.categories),
            "n_main_categories": len(book.main_categories),
            "n_rule_concepts": sum(1 for c in book.concepts if any(c.get("rules", {}).get(k)
                                   for k in ("any", "all", "regex"))),
            "n_codings": len(coded), "n_coded_documents": int(coded["doc_id"].nunique())
            if len(coded) else 0,
            "coders": coder_overview(coded),
            "n_manual_codings": int((coded["coder"] != "auto").sum()) if len(coded) else 0,
            "n_human_coders": int(coded.loc[coded["coder"] != "auto", "coder"].nunique())
            if len(coded) else 0,
            "n_manual_documents": int(coded.loc[coded["coder"] != "auto", "doc_id"].nunique())
            if len(coded) else 0,
            "anchoring": records(anchoring["status"].value_counts().rename_axis("status")
                                 .reset_index(name="n").sort_values("status"))
            if "status" in anchoring.columns else [],
            "settings": plain({k: v for k, v in public_settings(config).items() if k in
                               ("clean", "code", "reliability", "saturation", "mechanisms")}),
            "seed": config.get("seed"),
        },
        "coding": {
            "core": {k: book.core.get(k, "") for k in
                     ("id", "label", "label_en", "definition", "definition_en")},
            "concepts": coding_table(book, coded, texts, quotes,
                                     int(settings.get("quote_min_chars", 12)),
                                     int(settings.get("quote_max_chars", 160))),
            "main_categories": axial_table(book, coded),
            "source": "results/code/codings.parquet",
        },
        "reliability": reliability_section(
            read_csv_table(paths.get("reliability")), read_csv_table(paths.get("disagreements")),
            read_json_file(paths.get("reliability_summary")), sources, book),
        "saturation": saturation_section(
            read_csv_table(paths.get("curves")), read_csv_table(paths.get("holdout")),
            read_json_file(paths.get("saturation")), sources, book=book,
            sensitivity=read_csv_table(paths.get("guest_sensitivity"))),
        "mechanisms": {
            "summary": plain(mechanisms_summary),
            "cases": case_section(read_csv_table(paths.get("case_main")), book,
                                  sources.get("case_main", "")),
            "cooccurrence": cooccurrence_pairs(read_csv_table(paths.get("cooccurrence")), book),
            "cooccurrence_source": sources.get("cooccurrence", ""),
        },
        "model": model_view,
        "storyline": {
            "text": mechanisms_summary.get("storyline") or
            render_storyline(model.get("storyline", ""), numbers, model_path),
            "text_en": mechanisms_summary.get("storyline_en") or
            render_storyline(model.get("storyline_en", ""), numbers, model_path),
            "source": sources.get("mechanisms", model_path)},
        "recommendations": recommendation_section(model, model_view,
                                                  read_csv_table(paths.get("recommendations")),
                                                  quotes),
        "recommendations_source": sources.get("recommendations", ""),
        "validity": validity_section(
            read_csv_table(paths.get("validity")), read_csv_table(paths.get("rule_audit")),
            read_csv_table(paths.get("rule_phrases")), read_csv_table(paths.get("review")),
            mechanisms_summary, book, float(config.get("code", {}).get("min_auto_f1", 0.5)),
            sources),
    }
