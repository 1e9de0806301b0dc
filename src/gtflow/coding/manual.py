"""Manual codings made by people (CSV), re-anchored onto the current clean text.

Clean texts change (a corrected transcript, a new de-identification rule), so a coding's stored
offsets may no longer point at its quote. Each coding is checked: the quote at its offsets is
kept; otherwise the quote is searched exactly (nearest occurrence to the old position), then
fuzzily within the document; what cannot be found is orphaned. Every moved, fuzzy or orphaned
coding is listed in the anchoring table and logged as a warning — none is dropped silently.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pandas as pd

from gtflow.errors import InputError
from gtflow.ingest.decode import read_text_file

log = logging.getLogger(__name__)
MANUAL_COLUMNS = ("doc_id", "start", "end", "quote", "concept_id", "coder")
ANCHOR_COLUMNS = ["source", "line", "doc_id", "concept_id", "coder", "old_start", "old_end",
                  "start", "end", "status", "score", "quote"]


def read_manual_csv(path: str | Path) -> pd.DataFrame:
    """Read one manual-codings CSV; check columns and offsets, keeping the source line."""
    path = Path(path)
    text, _ = read_text_file(path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as error:
        raise InputError(path, f"is not valid CSV ({error})") from None
    missing = [c for c in MANUAL_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(path, f"lacks the column(s) {', '.join(missing)} (required: "
                         f"{', '.join(MANUAL_COLUMNS)})", line=1)
    frame["line"] = range(2, len(frame) + 2)
    for column in ("start", "end"):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = frame[numbers.isna() | (numbers < 0)]
        if len(bad):
            raise InputError(path, f"{column} '{bad[column].iloc[0]}' is not a whole number >= 0",
                             line=int(bad["line"].iloc[0]))
        frame[column] = numbers.astype("int64")
    reversed_rows = frame[frame["end"] <= frame["start"]]
    if len(reversed_rows):
        raise InputError(path, "end must be greater than start", line=int(reversed_rows["line"].iloc[0]))
    empty_coder = frame[frame["coder"].str.strip() == ""]
    if len(empty_coder):
        raise InputError(path, "coder is empty", line=int(empty_coder["line"].iloc[0]))
    frame["source"] = str(path)
    return frame


def anchor_quote(text: str, start: int, end: int, quote: str, min_score: float) -> tuple[int, int, str, float]:
    """Return ``(start, end, status, score)``; status is ok, moved, fuzzy, unchecked or orphaned."""
    if not quote:
        inside = 0 <= start < end <= len(text)
        return (start, end, "unchecked", 0.0) if inside else (start, end, "orphaned", 0.0)
    if text[start:end] == quote:
        return start, end, "ok", 100.0
    positions, at = [], text.find(quote)
    while at >= 0:
        positions.append(at)
        at = text.find(quote, at + 1)
    if positions:
        best = min(positions, key=lambda p: (abs(p - start), p))
        return best, best + len(quote), "moved", 100.0
    from rapidfuzz import fuzz

    alignment = fuzz.partial_ratio_alignment(quote, text)
    if alignment is not None and alignment.score >= min_score:
        return alignment.dest_start, alignment.dest_end, "fuzzy", round(alignment.score, 2)
    return start, end, "orphaned", round(alignment.score, 2) if alignment is not None else 0.0


def anchor_codings(manual: pd.DataFrame, texts: dict[str, str], concept_ids: set[str],
                   min_score: float) -> pd.DataFrame:
    """Re-anchor every manual coding; unknown documents or concepts are input errors."""
    rows = []
    for row in manual.itertuples(index=False):
        if row.doc_id not in texts:
            raise InputError(row.source, f"codes document '{row.doc_id}', which the study does "
                             "not have", line=row.line)
        if row.concept_id not in concept_ids:
            raise InputError(row.source, f"uses concept '{row.concept_id}', which is not in the "
                             "codebook", line=row.line)
        start, end, status, score = anchor_quote(texts[row.doc_id], row.start, row.end,
                                                 row.quote, min_score)
        rows.append({"source": row.source, "line": row.line, "doc_id": row.doc_id,
                     "concept_id": row.concept_id, "coder": row.coder.strip(),
                     "old_start": row.start, "old_end": row.end, "start": start, "end": end,
                     "status": status, "score": score, "quote": row.quote})
    anchors = pd.DataFrame(rows, columns=ANCHOR_COLUMNS)
    changed = anchors[~anchors["status"].isin(["ok", "unchecked"])]
    for status, count in changed["status"].value_counts().sort_index().items():
        log.warning("%d manual coding(s) %s; see the anchoring table", count, status)
    return anchors


def codings_on_segments(anchors: pd.DataFrame, segments: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Split each anchored coding into one row per segment it overlaps (spans clipped)."""
    from gtflow.coding.autocode import CODING_COLUMNS

    placed = anchors[anchors["status"] != "orphaned"]
    rows = []
    # Only the coded documents' segments: grouping a large corpus's segments would build one
    # frame per document.
    segments = segments[segments["doc_id"].isin(set(placed["doc_id"]))]
    by_doc = dict(tuple(segments.groupby("doc_id", sort=False))) if len(segments) else {}
    for coding in placed.itertuples(index=False):
        doc_segments = by_doc.get(coding.doc_id)
        if doc_segments is None:
            continue
        overlap = doc_segments[(doc_segments["start"] < coding.end) & (doc_segments["end"] > coding.start)]
        for segment in overlap.itertuples(index=False):
            rows.append({"doc_id": coding.doc_id, "seg_id": int(segment.seg_id),
                         "start": max(int(segment.start), int(coding.start)),
                         "end": min(int(segment.end), int(coding.end)),
                         "concept_id": coding.concept_id, "coder": coding.coder,
                         "origin": origin, "rule": ""})
    return pd.DataFrame(rows, columns=CODING_COLUMNS)
