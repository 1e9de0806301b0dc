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

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from gtflow.coding.codebook import edge_id
from gtflow.contracts import validate, write_table
from gtflow.csvtext import header_line, joined_rows, lines_data, row_texts
from gtflow.frames import stable_order
from gtflow.io import atomic_path
from gtflow.mechanisms.model import edge_documents
from gtflow.mechanisms.presence import CodePresence

EVIDENCE_COLUMNS = ["item_type", "item_id", "level", "role", "doc_id", "source_type", "seg_id",
                    "start", "end", "concept_id", "coder", "origin", "rule", "quote", "truncated"]
CODE_LEVELS = ("concept", "category", "main_category")
ELLIPSIS = "…"
#: Rows of evidence.csv built and written at a time (memory holds one such piece).
CHUNK_ROWS = 200_000
#: The order of an item's rows: by document, then offset (a unique key of evidence codings).
ROW_ORDER = ["doc_id", "start", "end", "concept_id", "seg_id"]


def cut_quote(text: str, start: int, end: int, limit: int) -> tuple[str, bool]:
    """The span's text with white space collapsed, cut to ``limit`` characters ("…" appended)."""
    quote = " ".join(text[start:end].split())
    if len(quote) <= limit:
        return quote, False
    return quote[:max(limit - len(ELLIPSIS), 1)].rstrip() + ELLIPSIS, True


def coding_quotes(evidence: pd.DataFrame, texts: dict[str, str], quote_chars: int,
                  rows: int = CHUNK_ROWS) -> pd.DataFrame:
    """The listing's quote and truncated flag of every evidence coding (cut once, not once per
    item that lists the coding), built a block of codings at a time."""
    blocks = []
    for first in range(0, len(evidence), rows):
        block = evidence.iloc[first:first + rows]
        cut = [cut_quote(texts.get(d, ""), int(s), int(e), quote_chars)
               for d, s, e in zip(block["doc_id"].tolist(), block["start"].tolist(),
                                  block["end"].tolist())]
        blocks.append(pd.DataFrame({"quote": pd.Series([q for q, _ in cut], dtype="str"),
                                    "truncated": np.array([t for _, t in cut], dtype=bool)}))
    if not blocks:
        return pd.DataFrame({"quote": pd.Series([], dtype="str"),
                             "truncated": np.array([], dtype=bool)})
    return pd.concat(blocks, ignore_index=True)


def item_rows(presence: CodePresence, evidence: pd.DataFrame, codes: pd.DataFrame,
              model: dict) -> Iterator[tuple[dict[str, str], np.ndarray]]:
    """(item columns, row positions of its evidence codings in listing order) of every item:
    codes in codebook order, then edges in model order, an edge's source rows before its
    target rows."""
    rank = np.empty(len(evidence), dtype=np.int64)
    rank[stable_order(evidence, ROW_ORDER)] = np.arange(len(evidence))  # rows are numbered 0..n-1

    def in_order(rows: np.ndarray) -> np.ndarray:
        return rows[np.argsort(rank[rows], kind="stable")]

    level_of = dict(zip(codes["code_id"], codes["level"]))
    for code, level in zip(codes["code_id"], codes["level"]):
        if level in CODE_LEVELS:
            yield ({"item_type": "code", "item_id": code, "level": level, "role": ""},
                   in_order(presence.codings_of(code, level)))
    for edge in model.get("edges", []):
        source, target = edge["from"], edge["to"]
        both = presence.common_documents(*edge_documents(presence, level_of, source, target))
        for role, node in (("source", source), ("target", target)):
            rows = presence.codings_of(node, level_of[node])
            rows = rows[np.isin(presence.doc_of_row[rows], both)]
            yield ({"item_type": "edge", "item_id": edge_id(source, target), "level": "edge",
                    "role": role}, in_order(rows))


def listing_fields(evidence: pd.DataFrame, texts: dict[str, str], quote_chars: int) -> pd.DataFrame:
    """Each evidence coding's own columns of the listing (all but the item's), quote cut."""
    fields = [c for c in EVIDENCE_COLUMNS[4:] if c not in ("quote", "truncated", "rule")]
    base = evidence[fields].assign(
        rule=evidence["rule"].fillna("").astype(str) if "rule" in evidence else "")
    return pd.concat([base, coding_quotes(evidence, texts, quote_chars)], axis=1)


@dataclass(frozen=True)
class EvidenceListing:
    """evidence.csv: the supporting codings of every code and every model edge.

    ``evidence`` are the evidence codings of :func:`gtflow.mechanisms.cases.evidence_codings`,
    ``presence`` their :class:`CodePresence`; codes come in codebook order, edges in model
    order, rows within an item by document and offset. Each coding's own fields are made CSV
    text once and repeated under every item that lists it.
    """

    evidence: pd.DataFrame
    presence: CodePresence
    codes: pd.DataFrame
    model: dict
    texts: dict[str, str]
    quote_chars: int

    def pieces(self, rows: int = CHUNK_ROWS) -> Iterator[tuple[dict[str, str], pd.DataFrame]]:
        """(item columns, the item's rows of the coding fields) about ``rows`` rows at a time."""
        fields = listing_fields(self.evidence, self.texts, self.quote_chars)
        for item, positions in item_rows(self.presence, self.evidence, self.codes, self.model):
            for first in range(0, len(positions), rows):
                yield item, fields.take(positions[first:first + rows]).reset_index(drop=True)

    def frame(self) -> pd.DataFrame:
        """The whole listing as one frame."""
        frames = [piece.assign(**item)[EVIDENCE_COLUMNS] for item, piece in self.pieces()]
        if not frames:
            return pd.DataFrame(columns=EVIDENCE_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    def coding_lines(self, rows: int = CHUNK_ROWS) -> pa.Array | None:
        """Each evidence coding's own fields as CSV text (:func:`gtflow.csvtext.row_texts`),
        made ``rows`` codings at a time so that the fields of only one block are held; None
        when a column is of a kind csvtext does not write."""
        blocks = []
        for first in range(0, max(len(self.evidence), 1), rows):
            block = self.evidence.iloc[first:first + rows].reset_index(drop=True)
            fields = listing_fields(block, self.texts, self.quote_chars)
            lines = row_texts(fields)
            if lines is None:
                return None
            blocks.append(lines)
        return joined_rows(blocks)

    def write(self, path: str | Path, rows: int = CHUNK_ROWS) -> None:
        """Write the listing (checked against the ``evidence`` table) atomically, the bytes
        :func:`gtflow.contracts.write_table` gives for :meth:`frame`."""
        lines = self.coding_lines(rows)
        if lines is None:  # a column of a kind csvtext leaves to pandas: write it the slow way
            write_table("evidence", self.frame(), path)
            return
        sample = listing_fields(self.evidence.head(1), self.texts, self.quote_chars).assign(
            item_type="code", item_id="", level="", role="")
        validate("evidence", sample[EVIDENCE_COLUMNS])
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            handle.write(header_line(EVIDENCE_COLUMNS))
            for item, positions in item_rows(self.presence, self.evidence, self.codes, self.model):
                prefix = row_texts(pd.DataFrame([item], dtype="str")).to_pylist()[0] + ","
                handle.writelines(lines_data(prefix, lines.take(positions[first:first + rows]))
                                  for first in range(0, len(positions), rows))


def evidence_listing(evidence: pd.DataFrame, codes: pd.DataFrame, model: dict,
                     texts: dict[str, str], quote_chars: int) -> pd.DataFrame:
    """evidence.csv as one frame (see :class:`EvidenceListing`)."""
    evidence = evidence.reset_index(drop=True)
    return EvidenceListing(evidence, CodePresence.index(evidence), codes, model, texts,
                           quote_chars).frame()
