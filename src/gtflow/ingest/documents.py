"""The ingest stage's common output: one row per turn (web documents have one turn each).

Columns: the *documents* contract (doc_id, source_type, title, date, author, respondent_id, url,
lang, sha256_raw, raw_path) plus encoding, location, parent_id, and the turn columns (turn,
speaker, role, timestamp, line, text).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
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


def languages_of(texts: list[str], group: int = 4096) -> list[str]:
    """:func:`language_of` of each text, counted for ``group`` texts at a time on their code
    points: two regex scans per post cost more than the rest of reading a post export."""
    languages: list[str] = []
    for first in range(0, len(texts), group):
        some = texts[first:first + group]
        # surrogatepass: a JSON export may escape a lone surrogate; it is one code point, as in str
        points = np.frombuffer("".join(some).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        han = (((points >= 0x3400) & (points <= 0x9FFF))
               | ((points >= 0xF900) & (points <= 0xFAFF)))
        latin = ((points >= 0x41) & (points <= 0x5A)) | ((points >= 0x61) & (points <= 0x7A))
        ends = np.cumsum([len(text) for text in some], dtype=np.int64)
        han_count = per_text(han, ends)
        latin_count = per_text(latin, ends)
        # han >= latin / 4, in integers
        chosen = np.where(4 * han_count >= latin_count, "zh", "en")
        chosen[(han_count == 0) & (latin_count == 0)] = ""
        languages.extend(chosen.tolist())
    return languages


def per_text(flags: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many of ``flags`` are set in each text, the texts ending at ``ends``."""
    running = np.concatenate([[0], np.cumsum(flags, dtype=np.int64)])
    return np.diff(running[np.concatenate([[0], ends])])


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
    return turn_table(columns)


def turn_table(columns: dict[str, list]) -> pd.DataFrame:
    """The ingest table from its columns as lists (every column of DOCUMENT_COLUMNS and
    TURN_COLUMNS, one item per turn)."""
    frame = pd.DataFrame(columns, columns=DOCUMENT_COLUMNS + TURN_COLUMNS)
    frame["turn"] = frame["turn"].astype("int64")
    frame["line"] = pd.to_numeric(frame["line"], errors="coerce").fillna(0).astype("int64")
    return frame
