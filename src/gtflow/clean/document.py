"""Build a document's clean text and its segments from ingested turns.

The clean text is what coders see and what every offset points into: for interviews one line per
turn, ``<speaker>：<text>``; for web documents the main text. Segments are the sentences of each
turn, with code-point offsets into the clean text (end exclusive).
"""

from __future__ import annotations

import pandas as pd

from gtflow.clean.deidentify import Pseudonymizer
from gtflow.clean.normalize import normalize_text
from gtflow.clean.segment import sentence_spans

SEGMENT_COLUMNS = ["doc_id", "seg_id", "turn", "speaker", "role", "timestamp", "start", "end", "text"]


def clean_document(turns: pd.DataFrame, pseudonymize: Pseudonymizer) -> tuple[str, list[dict]]:
    """Return ``(clean_text, segments)`` for one document's turns (already in order)."""
    parts: list[str] = []
    segments: list[dict] = []
    position = 0
    for turn in turns.itertuples(index=False):
        body = pseudonymize(normalize_text(turn.text))
        speaker = pseudonymize(normalize_text(turn.speaker))
        if not body:
            continue
        prefix = f"{speaker}：" if speaker else ""
        if parts:
            parts.append("\n")
            position += 1
        body_start = position + len(prefix)
        parts.append(prefix + body)
        position += len(prefix) + len(body)
        for start, end in sentence_spans(body, body_start):
            segments.append({"turn": int(turn.turn), "speaker": speaker, "role": turn.role,
                             "timestamp": turn.timestamp, "start": start, "end": end})
    text = "".join(parts)
    for seg_id, segment in enumerate(segments, start=1):
        segment["seg_id"] = seg_id
        segment["text"] = text[segment["start"]:segment["end"]]
    return text, segments


def clean_metadata(value: str, pseudonymize: Pseudonymizer) -> str:
    """Titles and authors pass through the same normalization and de-identification."""
    return pseudonymize(normalize_text(value or ""))
