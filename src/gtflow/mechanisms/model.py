"""The generation model with its evidence: node counts, edge support, filled story lines.

* A document supports a node (a main category or category) when any concept below the node is
  coded in it; a respondent supports it when any of the respondent's interviews does.
* An edge is supported by the documents in which both of its ends occur (document-level
  co-occurrence) and by the respondents in whose interviews, taken together, both ends occur.
  An edge supported by fewer documents than ``weak_edge_threshold`` is flagged ``weak``; it is
  never dropped.
"""

from __future__ import annotations

import jinja2
import numpy as np
import pandas as pd
import pyarrow as pa
from jinja2.sandbox import SandboxedEnvironment

from gtflow.coding.codebook import edge_id
from gtflow.errors import InputError
from gtflow.mechanisms.cases import SOURCE_TYPES
from gtflow.mechanisms.presence import CodePresence

NODE_COLUMNS = ["node_id", "label", "label_en", "layer", "documents", "interviews", "web_pages",
                "web_posts", "respondents", "codings", "web_documents", "level"]
EDGE_COLUMNS = ["from", "to", "relation", "relation_en", "documents", "respondents", "interviews",
                "web_documents", "weak", "threshold"]
EVIDENCE_FIELDS = ["documents", "interviews", "web_pages", "web_posts", "web_documents",
                   "respondents", "codings"]


def support_of(presence: CodePresence, rows: np.ndarray) -> dict[str, int]:
    """Evidence counts of a set of evidence codings (row positions: one code's or one edge's)."""
    numbers = presence.documents_of_rows(rows)
    interviews, web_pages, web_posts = type_counts(presence, numbers)
    return {"documents": len(numbers), "interviews": interviews, "web_pages": web_pages,
            "web_posts": web_posts, "web_documents": web_pages + web_posts,
            "respondents": int(presence.respondents_of(numbers).sum()),
            "codings": len(rows)}


def type_counts(presence: CodePresence, numbers: np.ndarray) -> tuple[int, int, int]:
    """The interviews, web pages and web posts among some documents."""
    counts = np.bincount(presence.source_numbers[numbers], minlength=len(SOURCE_TYPES) + 1)
    return tuple(int(counts[SOURCE_TYPES.index(t)])
                 for t in ("interview", "web_page", "web_post"))


def code_evidence(presence: CodePresence, codes: pd.DataFrame) -> pd.DataFrame:
    """Evidence counts for every code of the codebook (code_id + :data:`EVIDENCE_FIELDS`)."""
    rows = [{"code_id": code_id, **support_of(presence, presence.codings_of(code_id, level))}
            for code_id, level in zip(codes["code_id"], codes["level"])]
    return pd.DataFrame(rows, columns=["code_id", *EVIDENCE_FIELDS])


def node_table(model: dict, codes: pd.DataFrame, evidence_by_code: pd.DataFrame) -> pd.DataFrame:
    """nodes.csv: one row per model node, in model order, with labels, layer and evidence."""
    info = codes.set_index("code_id")
    counts = evidence_by_code.set_index("code_id")
    rows = []
    for node in model["nodes"]:
        code_id = node["id"]
        rows.append({"node_id": code_id, "label": info.at[code_id, "label"],
                     "label_en": info.at[code_id, "label_en"], "layer": node["layer"],
                     "level": info.at[code_id, "level"],
                     **{f: int(counts.at[code_id, f]) for f in EVIDENCE_FIELDS}})
    return pd.DataFrame(rows, columns=NODE_COLUMNS)


def edge_documents(presence: CodePresence, level_of: dict[str, str], source: str,
                   target: str) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers where an edge's source, and where its target, is present."""
    return (presence.documents_of(source, level_of[source]),
            presence.documents_of(target, level_of[target]))


def edge_support(presence: CodePresence, level_of: dict[str, str], source: str,
                 target: str) -> dict[str, int]:
    """Documents, interviews, web documents and respondents in which both ends of an edge occur."""
    a, b = edge_documents(presence, level_of, source, target)
    both = presence.common_documents(a, b)
    interviews = type_counts(presence, both)[0]
    respondents = presence.respondents_of(a) & presence.respondents_of(b)
    return {"documents": len(both), "respondents": int(respondents.sum()),
            "interviews": interviews, "web_documents": len(both) - interviews}


def edge_table(model: dict, presence: CodePresence, codes: pd.DataFrame,
               threshold: int) -> pd.DataFrame:
    """edges.csv: one row per model edge, in model order, with support and the weak flag."""
    level_of = dict(zip(codes["code_id"], codes["level"]))
    rows = []
    for edge in model["edges"]:
        support = edge_support(presence, level_of, edge["from"], edge["to"])
        rows.append({"from": edge["from"], "to": edge["to"], "relation": edge.get("relation", ""),
                     "relation_en": edge.get("relation_en", ""), **support,
                     "weak": support["documents"] < threshold, "threshold": int(threshold)})
    return pd.DataFrame(rows, columns=EDGE_COLUMNS)


def storyline_context(counts: dict[str, int], evidence_by_code: pd.DataFrame,
                      edges: pd.DataFrame) -> dict:
    """The values a story line may use: corpus counts, ``node["ID"].x`` and ``edge["A->B"].x``.

    ``node`` holds every code of the codebook (not only model nodes) with
    :data:`EVIDENCE_FIELDS`; ``edge`` holds the model's edges with their support counts.
    """
    node = {row["code_id"]: {f: int(row[f]) for f in EVIDENCE_FIELDS}
            for row in evidence_by_code.to_dict("records")}
    edge = {edge_id(row["from"], row["to"]): {
        "documents": int(row["documents"]), "respondents": int(row["respondents"]),
        "interviews": int(row["interviews"]), "web_documents": int(row["web_documents"]),
        "weak": bool(row["weak"])} for row in edges.to_dict("records")}
    return {**counts, "node": node, "edge": edge}


def render_storyline(template: str, context: dict, path: str, key: str) -> str:
    """Fill a story line's Jinja2 placeholders in a sandbox; any unknown name is an InputError.

    The sandbox keeps a study's config from reaching Python internals; StrictUndefined turns a
    misspelt placeholder (``node["AA9"]``, ``n_docs``) into a clear message instead of a blank.
    """
    environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False,
                                       keep_trailing_newline=True)
    try:
        return environment.from_string(template).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise InputError(path, f"{key}: placeholder syntax error ({error.message}) on line "
                         f"{error.lineno} of the story line") from None
    except jinja2.UndefinedError as error:
        raise InputError(path, f"{key}: unknown placeholder ({error.message}); available are "
                         "n_documents, n_interviews, n_web_documents, n_web_pages, n_web_posts, "
                         "n_respondents, n_cases, node[\"ID\"].documents/.interviews/"
                         ".web_documents/.web_pages/.web_posts/.respondents/.codings for codebook "
                         "ids, and edge[\"A->B\"].documents/.respondents/.interviews/"
                         ".web_documents for model edges") from None
    except jinja2.exceptions.SecurityError as error:
        raise InputError(path, f"{key}: the story line does something a template may not "
                         f"({error})") from None


NEGATIVE_CASE_COLUMNS = ["edge", "doc_id", "kind"]
#: The kinds of contrary (negative) case of an edge, in the order the report lists them.
CONTRARY_KINDS = ("source_only", "target_only")


def negative_cases(model: dict, presence: CodePresence, codes: pd.DataFrame) -> pd.DataFrame:
    """negative_cases.csv: per model edge, the documents where only one end occurs.

    Node presence is the rule of ``nodes.csv``: a node is present in a document when it, or any
    code below it, is coded there. ``source_only`` documents carry the edge's source but not its
    target, ``target_only`` the reverse. Rows follow model order, then kind, then document id.
    """
    level_of = dict(zip(codes["code_id"], codes["level"]))
    edges, kinds, numbers = [], [], []
    for edge in model["edges"]:
        source, target = edge_documents(presence, level_of, edge["from"], edge["to"])
        for kind, only in (("source_only", presence.documents_without(source, target)),
                           ("target_only", presence.documents_without(target, source))):
            edges.append(edge_id(edge["from"], edge["to"]))
            kinds.append(kind)
            numbers.append(only)
    if not sum(map(len, numbers)):
        return pd.DataFrame(columns=NEGATIVE_CASE_COLUMNS)
    # Each column made once in Arrow: a frame per edge and kind, and their concatenation,
    # made millions of Python strings on a large corpus.
    piece = pa.array(np.repeat(np.arange(len(numbers)), [len(n) for n in numbers]))
    columns = {"edge": pa.array(edges, type=pa.large_string()).take(piece),
               "doc_id": presence.doc_ids.take(pa.array(np.concatenate(numbers))),
               "kind": pa.array(kinds, type=pa.large_string()).take(piece)}
    return pd.DataFrame({name: pd.Series(pd.array(values, dtype="str"))
                         for name, values in columns.items()}, columns=NEGATIVE_CASE_COLUMNS)


def contrary_counts(edges: pd.DataFrame, negative: pd.DataFrame) -> dict[str, dict]:
    """Per model edge ('A->B', edges.csv order): its supporting documents (``documents`` of
    edges.csv), its contrary documents of each kind (negative_cases.csv) and ``outnumbered``:
    whether the contrary documents are more than the supporting ones (the report's flag)."""
    # Counted once by (edge, kind), not by a comparison of the whole table per edge.
    grouped = pa.table({"edge": pa.array(negative["edge"], from_pandas=True, type=pa.large_string()),
                        "kind": pa.array(negative["kind"], from_pandas=True, type=pa.large_string())}
                       ).group_by(["edge", "kind"]).aggregate([([], "count_all")])
    found = dict(zip(zip(grouped["edge"].to_pylist(), grouped["kind"].to_pylist()),
                     grouped["count_all"].to_pylist()))
    result = {}
    for source, target, supporting in zip(edges["from"], edges["to"], edges["documents"]):
        key = edge_id(source, target)
        counts = {kind: int(found.get((key, kind), 0)) for kind in CONTRARY_KINDS}
        n_contrary = sum(counts.values())
        result[key] = {"supporting": int(supporting), **counts, "n_contrary": n_contrary,
                       "outnumbered": n_contrary > int(supporting)}
    return result
