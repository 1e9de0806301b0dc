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
from gtflow.csvtext import header_line, joined_rows, lines_view, row_texts
from gtflow.frames import contiguous, stable_order, value_numbers
from gtflow.io import atomic_path
from gtflow.mechanisms.codepoints import is_white_space, prefix_counts, utf8_widths
from gtflow.mechanisms.model import edge_documents
from gtflow.mechanisms.presence import CodePresence

EVIDENCE_COLUMNS = ["item_type", "item_id", "level", "role", "doc_id", "source_type", "seg_id",
                    "start", "end", "concept_id", "coder", "origin", "rule", "quote", "truncated"]
CODE_LEVELS = ("concept", "category", "main_category")
ELLIPSIS = "…"
#: Rows of evidence.csv built and written at a time (memory holds one such piece).
CHUNK_ROWS = 200_000
#: Codings whose quotes are cut at a time: the texts of their documents are held a few times
#: over (as code points, byte offsets), so fewer than a piece of the listing.
QUOTE_ROWS = 20_000
#: The order of an item's rows: by document, then offset (a unique key of evidence codings).
ROW_ORDER = ["doc_id", "start", "end", "concept_id", "seg_id"]


def cut_quote(text: str, start: int, end: int, limit: int) -> tuple[str, bool]:
    """The span's text with white space collapsed, cut to ``limit`` characters ("…" appended)."""
    quote = " ".join(text[start:end].split())
    if len(quote) <= limit:
        return quote, False
    return quote[:max(limit - len(ELLIPSIS), 1)].rstrip() + ELLIPSIS, True


def coding_quotes(evidence: pd.DataFrame, texts: dict[str, str], quote_chars: int,
                  rows: int = QUOTE_ROWS) -> pd.DataFrame:
    """The listing's quote and truncated flag of every evidence coding (cut once, not once per
    item that lists the coding), built a block of codings at a time; the quotes as one Arrow
    array (not chunked: row selections of it stay fast)."""
    quotes, truncated = [], []
    doc_ids = contiguous(pa.array(evidence["doc_id"], from_pandas=True))
    for first in range(0, len(evidence), rows):
        block = evidence.iloc[first:first + rows]
        numbers, names, _ = value_numbers(doc_ids[first:first + rows])
        block_texts, block_truncated = block_quotes(
            numbers, names.to_pylist(), block["start"].to_numpy(np.int64),
            block["end"].to_numpy(np.int64), texts, quote_chars)
        quotes.append(block_texts)
        truncated.append(block_truncated)
    return pd.DataFrame({
        "quote": pd.Series(pd.array(pa.concat_arrays(quotes) if quotes else
                                    pa.array([], type=pa.large_string()), dtype="str")),
        "truncated": np.concatenate(truncated) if truncated else np.array([], dtype=bool)})


def block_quotes(codes: np.ndarray, names: list[str], starts: np.ndarray, ends: np.ndarray,
                 texts: dict[str, str], quote_chars: int) -> tuple[pa.Array, np.ndarray]:
    """:func:`cut_quote` of each span (document ``names[codes[i]]``, starts[i], ends[i]), as a
    large-string array and the truncated flags.

    Most coded spans are short and hold no white space: their quote is their text as it is.
    Those are cut from the UTF-8 bytes of the block's documents in numpy (character offsets
    mapped to byte offsets); the rest, and any span a Python slice would read otherwise (out
    of the text's bounds), go through :func:`cut_quote`.
    """
    doc_texts = [texts.get(d) for d in names]
    present = np.array([t is not None for t in doc_texts], dtype=bool)
    lengths = np.array([len(t) if t is not None else 0 for t in doc_texts], dtype=np.int64)
    joined = "".join(t for t in doc_texts if t is not None)
    try:
        characters = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        data = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    except UnicodeEncodeError:  # a lone surrogate: no bytes to cut from, every span in Python
        characters = data = None
    doc_first = np.concatenate([[0], np.cumsum(lengths)])[:-1] if len(lengths) else lengths
    plain = np.zeros(len(codes), dtype=bool)
    if characters is not None and len(codes):
        within = (present[codes] & (starts >= 0) & (starts <= ends)
                  & (ends <= lengths[codes]) & (ends - starts <= quote_chars))
        rows = np.flatnonzero(within)
        first_char, end_char = doc_first[codes[rows]] + starts[rows], doc_first[codes[rows]] + ends[rows]
        white = prefix_counts(is_white_space(characters))
        plain[rows] = white[end_char] == white[first_char]
    fast = np.flatnonzero(plain)
    slow = np.flatnonzero(~plain)
    truncated = np.zeros(len(codes), dtype=bool)
    slow_quotes = []
    for i in slow.tolist():
        quote, truncated[i] = cut_quote(texts.get(names[codes[i]], ""), int(starts[i]),
                                        int(ends[i]), quote_chars)
        slow_quotes.append(quote)
    if not len(fast):
        return pa.array(slow_quotes, type=pa.large_string()), truncated
    byte_at = prefix_counts(utf8_widths(characters))
    fast_chars = doc_first[codes[fast]]
    fast_quotes = byte_slices(data, byte_at[fast_chars + starts[fast]],
                              byte_at[fast_chars + ends[fast]])
    if not len(slow):
        return fast_quotes, truncated
    position = np.empty(len(codes), dtype=np.int64)
    position[fast] = np.arange(len(fast))
    position[slow] = len(fast) + np.arange(len(slow))
    both = pa.concat_arrays([fast_quotes, pa.array(slow_quotes, type=pa.large_string())])
    return both.take(position), truncated


def byte_slices(data: np.ndarray, begins: np.ndarray, ends: np.ndarray) -> pa.Array:
    """The large-string array of the UTF-8 byte ranges ``data[begins[i]:ends[i]]``."""
    widths = ends - begins
    offsets = prefix_counts(widths)
    source = np.repeat(begins - offsets[:-1], widths) + np.arange(offsets[-1], dtype=np.int64)
    return pa.LargeStringArray.from_buffers(len(widths), pa.py_buffer(offsets),
                                            pa.py_buffer(data[source]))


def listing_items(codes: pd.DataFrame, model: dict) -> list[dict[str, str]]:
    """The item columns of every item: codes in codebook order, then edges in model order,
    an edge's source before its target."""
    items = [{"item_type": "code", "item_id": code, "level": level, "role": ""}
             for code, level in zip(codes["code_id"], codes["level"]) if level in CODE_LEVELS]
    for edge in model.get("edges", []):
        items += [{"item_type": "edge", "item_id": edge_id(edge["from"], edge["to"]),
                   "level": "edge", "role": role} for role in ("source", "target")]
    return items


def item_rows(presence: CodePresence, evidence: pd.DataFrame, codes: pd.DataFrame,
              model: dict, order: np.ndarray | None = None
              ) -> Iterator[tuple[dict[str, str], np.ndarray]]:
    """(item columns, its evidence codings as ascending positions in listing order) of every
    item of :func:`listing_items`. Position i in listing order is row ``order[i]``
    (``order``: :func:`listing_order`, found here when not given)."""
    rank = np.empty(len(evidence), dtype=np.int64)
    rank[listing_order(evidence) if order is None else order] = np.arange(len(evidence))
    level_of = dict(zip(codes["code_id"], codes["level"]))
    items = iter(listing_items(codes, model))
    for code, level in zip(codes["code_id"], codes["level"]):
        if level in CODE_LEVELS:
            yield next(items), ascending(rank[presence.codings_of(code, level)], len(rank))
    for edge in model.get("edges", []):
        source, target = edge["from"], edge["to"]
        both = presence.membership(presence.common_documents(
            *edge_documents(presence, level_of, source, target)))
        for node in (source, target):
            rows = presence.codings_of(node, level_of[node])
            yield next(items), ascending(rank[rows[both[presence.doc_of_row[rows]]]], len(rank))


def ascending(positions: np.ndarray, size: int) -> np.ndarray:
    """Distinct positions below ``size`` in ascending order: read off a mask when they are
    many (linear), sorted when few."""
    if len(positions) * 16 < size:
        return np.sort(positions)
    mask = np.zeros(size, dtype=bool)
    mask[positions] = True
    return np.flatnonzero(mask)


def listing_order(evidence: pd.DataFrame) -> np.ndarray:
    """The evidence codings' rows in the order an item lists them (:data:`ROW_ORDER`)."""
    return stable_order(evidence, ROW_ORDER)


def item_prefixes(items: list[dict[str, str]]) -> list[str]:
    """Each item's columns as the CSV text that begins its rows (with the comma after)."""
    if not items:
        return []
    return [f"{line}," for line in row_texts(pd.DataFrame(items, dtype="str")).to_pylist()]


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
        order = listing_order(self.evidence)
        fields = listing_fields(self.evidence, self.texts, self.quote_chars).take(order)
        for item, positions in item_rows(self.presence, self.evidence, self.codes, self.model,
                                         order):
            for first in range(0, len(positions), rows):
                yield item, fields.take(positions[first:first + rows]).reset_index(drop=True)

    def frame(self) -> pd.DataFrame:
        """The whole listing as one frame."""
        frames = [piece.assign(**item)[EVIDENCE_COLUMNS] for item, piece in self.pieces()]
        if not frames:
            return pd.DataFrame(columns=EVIDENCE_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    def coding_lines(self, order: np.ndarray, rows: int = CHUNK_ROWS) -> pa.Array | None:
        """Each evidence coding's own fields as CSV text (:func:`gtflow.csvtext.row_texts`), in
        listing order (``order``: :func:`listing_order`; an item's rows are then read in
        ascending order), made ``rows`` codings at a time so that the fields of only one block
        are held; None when a column is of a kind csvtext does not write."""
        read = [c for c in EVIDENCE_COLUMNS[4:] if c in self.evidence]  # only what it lists
        blocks = []
        for first in range(0, max(len(self.evidence), 1), rows):
            block = self.evidence[read].take(order[first:first + rows]).reset_index(drop=True)
            lines = row_texts(listing_fields(block, self.texts, self.quote_chars))
            if lines is None:
                return None
            blocks.append(lines)
        return joined_rows(blocks)

    def write(self, path: str | Path, rows: int = CHUNK_ROWS) -> None:
        """Write the listing (checked against the ``evidence`` table) atomically, the bytes
        :func:`gtflow.contracts.write_table` gives for :meth:`frame`."""
        order = listing_order(self.evidence)
        lines = self.coding_lines(order, rows)
        if lines is None:  # a column of a kind csvtext leaves to pandas: write it the slow way
            write_table("evidence", self.frame(), path)
            return
        sample = listing_fields(self.evidence.head(1), self.texts, self.quote_chars).assign(
            item_type="code", item_id="", level="", role="")
        validate("evidence", sample[EVIDENCE_COLUMNS])
        prefixes = item_prefixes(listing_items(self.codes, self.model))
        items = item_rows(self.presence, self.evidence, self.codes, self.model, order)
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            handle.write(header_line(EVIDENCE_COLUMNS))
            for prefix, (_, positions) in zip(prefixes, items, strict=True):
                handle.writelines(lines_view(prefix, lines.take(positions[first:first + rows]))
                                  for first in range(0, len(positions), rows))


def evidence_listing(evidence: pd.DataFrame, codes: pd.DataFrame, model: dict,
                     texts: dict[str, str], quote_chars: int) -> pd.DataFrame:
    """evidence.csv as one frame (see :class:`EvidenceListing`)."""
    evidence = evidence.reset_index(drop=True)
    return EvidenceListing(evidence, CodePresence.index(evidence), codes, model, texts,
                           quote_chars).frame()
