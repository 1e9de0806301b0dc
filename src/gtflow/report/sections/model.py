"""The generation model: layers, nodes and edges with their evidence and weak flags, in
model.yaml order (all counted and flagged by the mechanisms stage)."""

from __future__ import annotations

from gtflow.coding.codebook import edge_id
from gtflow.report.results import Results, plain

#: Evidence counts of nodes.csv shown per node, and of edges.csv per edge.
NODE_COUNTS = ("documents", "interviews", "respondents", "web_documents", "codings")
EDGE_COUNTS = ("documents", "interviews", "respondents", "web_documents")


def node_views(results: Results) -> list[dict]:
    """Each model node with its label, layer and evidence counts (nodes.csv), in model order."""
    book, model = results.book, results.model
    evidence = {row["node_id"]: row for row in results.table("nodes").to_dict(orient="records")}
    layers = {layer["id"]: layer for layer in model["layers"]}
    views = []
    for node in model["nodes"]:
        code, row, layer = book.by_id[node["id"]], evidence.get(node["id"]), layers[node["layer"]]
        views.append({
            "id": node["id"], "layer": node["layer"], "label": code["label"],
            "label_en": code.get("label_en", ""), "level": book.level_of[node["id"]],
            "layer_label": layer.get("label", node["layer"]),
            "layer_label_en": layer.get("label_en", node["layer"]),
            **{key: (int(row[key]) if row else None) for key in NODE_COUNTS}})
    return views


def edge_views(results: Results) -> list[dict]:
    """Each model edge with its support counts, weak flag and exemplar quote, in model order."""
    evidence = {edge_id(row["from"], row["to"]): row
                for row in results.table("edges").to_dict(orient="records")}
    quotes = results.node_quotes("edge")
    views = []
    for edge in results.model["edges"]:
        key = edge_id(edge["from"], edge["to"])
        row = evidence.get(key)
        views.append({
            "key": key, "from": edge["from"], "to": edge["to"],
            "relation": edge.get("relation", ""), "relation_en": edge.get("relation_en", ""),
            **{name: (int(row[name]) if row else None) for name in EDGE_COUNTS},
            "weak": bool(row["weak"]) if row else False, "quote": quotes.get(key)})
    return views


def build(results: Results) -> dict:
    model = results.model
    return {"title": model.get("title", ""), "description": model.get("description", ""),
            "layers": [plain(layer) for layer in model["layers"]],
            "nodes": node_views(results), "edges": edge_views(results),
            "weak_threshold": int(results.summary("mechanisms")["weak_edge_threshold"]),
            "nodes_source": results.source("nodes"), "edges_source": results.source("edges")}
