"""Recommendations with the mechanisms (model nodes) they answer, those nodes' evidence and
strength (recommendations.csv) and one exemplar quote per target (quotes.csv)."""

from __future__ import annotations

from gtflow.report.results import Results
from gtflow.report.sections.model import node_views


def target_strengths(field: str) -> dict[str, str]:
    """``"AA1=weak;AA2=strong"`` (recommendations.csv) as {node id: strength}."""
    return dict(part.split("=", 1) for part in field.split(";") if "=" in part)


def build(results: Results) -> list[dict]:
    nodes = {n["id"]: n for n in node_views(results)}
    quotes = results.node_quotes("node")
    evidence = {row["rec_id"]: row for row in
                results.table("recommendations").to_dict(orient="records")}
    result = []
    for rec in results.model.get("recommendations", []):
        row = evidence.get(rec["id"], {})
        strengths = target_strengths(row.get("target_strengths", ""))
        targets = [{**nodes[target], "strength": strengths.get(target, ""),
                    "quote": quotes.get(target)} for target in rec["targets"] if target in nodes]
        result.append({
            "id": rec["id"], "title": rec["title"], "title_en": rec.get("title_en", ""),
            "text": rec.get("text", ""), "text_en": rec.get("text_en", ""),
            "measures": list(rec.get("measures", [])),
            "measures_en": list(rec.get("measures_en", [])),
            "targets": targets, "strength": row.get("strength") or "",
            "min_documents": int(row["target_evidence_documents"]) if row else None})
    return result
