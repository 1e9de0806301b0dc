"""Build a document's clean text and its segments from ingested turns.

The clean text is what coders see and what every offset points into: for interviews one line per
turn, ``<speaker>：<text>``; for web documents the main text. Segments are the sentences of each
turn, with code-point offsets into the clean text (end exclusive).

Order matters: every string is normalized first and de-identified second, so an identifier split
by a zero-width space or written in full-width digits is whole again when the patterns look for it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from gtflow.clean.deidentify import Pseudonymizer
from gtflow.clean.normalize import normalize_text
from gtflow.clean.segment import sentence_spans

log = logging.getLogger(__name__)
SEGMENT_COLUMNS = ["doc_id", "seg_id", "turn", "speaker", "role", "timestamp", "start", "end", "text"]
#: Speaker tags that name a role, not a person; they are kept as written.
ROLE_WORDS = {"记者", "主持人", "村民", "群众", "网格员", "干部", "旁白", "备注", "注", "说明",
              "录音", "翻译", "Note", "Notes", "Moderator", "Reporter", "Translator"}


def speaker_placeholders(turns: list[dict], pseudonymize: Pseudonymizer, doc_id: str) -> dict[str, str]:
    """Placeholders ``[S01]``, ``[S02]`` ... for speaker-name tags that are on no name list.

    A tag such as "张三：" names a person; when the roster and ``clean.extra_names`` do not know
    the name it would pass through untouched, so it is replaced (here and in the document's text)
    by a placeholder numbered in order of appearance within this document.
    """
    table: dict[str, str] = {}
    for turn in turns:
        if turn["role"] != "speaker":
            continue
        name = normalize_text(turn["speaker"])
        if not name or name in table or name in ROLE_WORDS or pseudonymize(name) != name:
            continue
        table[name] = f"[S{len(table) + 1:02d}]"
        log.warning("%s: speaker '%s' is on neither the roster nor clean.extra_names; it is "
                    "replaced by %s in this document (add it to clean.extra_names for a "
                    "study-wide pseudonym)", doc_id, name, table[name])
    return table


def clean_document(turns: Iterable[dict], pseudonymize: Pseudonymizer, doc_id: str = "",
                   counts: Counter | None = None) -> tuple[str, list[dict]]:
    """Return ``(clean_text, segments)`` for one document's turns (already in order).

    Each turn is a mapping with ``turn, speaker, role, timestamp, text``. Replacements are
    counted by placeholder type into ``counts`` when given.
    """
    turns = list(turns)
    extra = speaker_placeholders(turns, pseudonymize, doc_id)
    if extra:
        pseudonymize = pseudonymize.with_names(extra)
    parts: list[str] = []
    segments: list[dict] = []
    position = 0
    for turn in turns:
        body = pseudonymize(normalize_text(turn["text"]), counts)
        if not body:
            continue
        speaker = pseudonymize(normalize_text(turn["speaker"]), counts)
        prefix = f"{speaker}：" if speaker else ""
        if parts:
            parts.append("\n")
            position += 1
        body_start = position + len(prefix)
        parts.append(prefix + body)
        position += len(prefix) + len(body)
        for start, end in sentence_spans(body, body_start):
            segments.append({"turn": int(turn["turn"]), "speaker": speaker, "role": turn["role"],
                             "timestamp": turn["timestamp"], "start": start, "end": end})
    text = "".join(parts)
    for seg_id, segment in enumerate(segments, start=1):
        segment["seg_id"] = seg_id
        segment["text"] = text[segment["start"]:segment["end"]]
    return text, segments


def clean_metadata(value: str, pseudonymize: Pseudonymizer,
                   counts: Counter | None = None) -> str:
    """Titles, authors and places pass through the same normalization and de-identification."""
    return pseudonymize(normalize_text(value or ""), counts)
