"""The ingest stage's common output: one row per turn (web documents have one turn each).

Columns: the *documents* contract (doc_id, source_type, title, date, author, respondent_id, url,
lang, sha256_raw, raw_path) plus encoding, location, parent_id, and the turn columns (turn,
speaker, role, timestamp, line, text).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from gtflow.io import sha256_file

DOCUMENT_COLUMNS = ["doc_id", "source_type", "title", "date", "author", "respondent_id", "url",
                    "lang", "sha256_raw", "raw_path", "encoding", "location", "parent_id"]
TURN_COLUMNS = ["turn", "speaker", "role", "timestamp", "line", "text"]
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")


def language_of(text: str) -> str:
    """'zh' when Han characters outnumber Latin letters, else 'en' ('' for no letters)."""
    han, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    if not han and not latin:
        return ""
    return "zh" if han >= latin / 4 else "en"


def document_frame(raw_path: Path, documents: list[dict], turns: dict[str, list[dict]],
                   digest: str | None = None) -> pd.DataFrame:
    """Join document metadata with their turns into the ingest table.

    Built column by column (not as one dict per row): an export of 100k posts would otherwise
    hold 100k row dicts of 19 keys in memory on top of the table.
    """
    digest = digest or sha256_file(raw_path)
    # One (document, turn) pair per row; each column is then one list comprehension over them.
    rows = [(document, turn) for document in documents for turn in turns[document["doc_id"]]]
    columns: dict[str, list] = {
        column: [digest] * len(rows) if column == "sha256_raw" else
        [str(document.get(column, "") or "") for document, _ in rows]
        for column in DOCUMENT_COLUMNS}
    columns.update({column: [turn.get(column, "") for _, turn in rows] for column in TURN_COLUMNS})
    frame = pd.DataFrame(columns, columns=DOCUMENT_COLUMNS + TURN_COLUMNS)
    frame["turn"] = frame["turn"].astype("int64")
    frame["line"] = pd.to_numeric(frame["line"], errors="coerce").fillna(0).astype("int64")
    return frame
