"""The full evidence listing behind every count: ``results/tables/evidence.csv``.

One row per evidence coding (see :mod:`gtflow.mechanisms.cases`: one coding per
``(doc_id, seg_id, concept_id)``, manual preferred) under each item that counts it:

* a **code** (concept, category, main category): every evidence coding of the code or of a
  concept below it — the rows behind the code's ``documents`` and ``codings`` counts;
* a **model edge** ``A->B``: in every document where both ends are present (the documents
  behind ``edges.csv``'s ``documents``), the codings of either end, ``role`` saying which.

The quote is the coding's span of the clean text, cut to ``quote_chars`` characters with "…";
``start``/``end`` always cite the whole coded span.
"""

from __future__ import annotations

import pandas as pd

from gtflow.coding.codebook import edge_id
from gtflow.mechanisms.cases import codings_under
from gtflow.mechanisms.model import documents_with

EVIDENCE_COLUMNS = ["item_type", "item_id", "level", "role", "doc_id", "source_type", "seg_id",
                    "start", "end", "concept_id", "coder", "origin", "rule", "quote", "truncated"]
CODE_LEVELS = ("concept", "category", "main_category")
ELLIPSIS = "…"


def cut_quote(text: str, start: int, end: int, limit: int) -> tuple[str, bool]:
    """The span's text with white space collapsed, cut to ``limit`` characters ("…" appended)."""
    quote = " ".join(text[start:end].split())
    if len(quote) <= limit:
        return quote, False
    return quote[:max(limit - len(ELLIPSIS), 1)].rstrip() + ELLIPSIS, True


def listing_rows(rows: pd.DataFrame, item_type: str, item_id: str, level: str,
                 role: str = "") -> pd.DataFrame:
    """Evidence codings tagged with the item they support."""
    return rows.assign(item_type=item_type, item_id=item_id, level=level, role=role)


def evidence_listing(evidence: pd.DataFrame, codes: pd.DataFrame, model: dict,
                     texts: dict[str, str], quote_chars: int) -> pd.DataFrame:
    """evidence.csv: the supporting codings of every code and every model edge.

    ``evidence`` are the evidence codings of :func:`gtflow.mechanisms.cases.evidence_codings`;
    codes come in codebook order, edges in model order, rows within an item by document and
    offset.
    """
    level_of = dict(zip(codes["code_id"], codes["level"]))
    frames = [listing_rows(codings_under(evidence, code, level), "code", code, level)
              for code, level in zip(codes["code_id"], codes["level"]) if level in CODE_LEVELS]
    for edge in model.get("edges", []):
        source, target = edge["from"], edge["to"]
        both = set(documents_with(evidence, source, level_of[source])["doc_id"]) & \
            set(documents_with(evidence, target, level_of[target])["doc_id"])
        for role, node in (("source", source), ("target", target)):
            rows = codings_under(evidence, node, level_of[node])
            frames.append(listing_rows(rows[rows["doc_id"].isin(both)], "edge",
                                       edge_id(source, target), "edge", role))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    listing = pd.concat(frames, ignore_index=True)
    item_order = {code: i for i, code in enumerate(codes["code_id"])}
    item_order.update({edge_id(e["from"], e["to"]): len(item_order) + i
                       for i, e in enumerate(model.get("edges", []))})
    listing["item_order"] = listing["item_id"].map(item_order)
    listing = listing.sort_values(["item_order", "role", "doc_id", "start", "end", "concept_id",
                                   "seg_id"], kind="stable").reset_index(drop=True)
    quotes = [cut_quote(texts.get(d, ""), int(s), int(e), quote_chars)
              for d, s, e in zip(listing["doc_id"], listing["start"], listing["end"])]
    listing["quote"] = [q for q, _ in quotes]
    listing["truncated"] = [t for _, t in quotes]
    listing["rule"] = listing["rule"].fillna("").astype(str) if "rule" in listing else ""
    return listing[EVIDENCE_COLUMNS]

