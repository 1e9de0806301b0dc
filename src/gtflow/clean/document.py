"""Build a document's clean text and its segments from ingested turns.

The clean text is what coders see and what every offset points into: for interviews one line per
turn, ``<speaker>：<text>``; for web documents the main text. Segments are the sentences of each
turn, with code-point offsets into the clean text (end exclusive).

Order matters: every string is normalized first and de-identified second, so an identifier split
by a zero-width space or written in full-width digits is whole again when the patterns look for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import NamedTuple

from gtflow.clean.deidentify import Counts, Pseudonymizer
from gtflow.clean.normalize import normalize_text
from gtflow.clean.segment import sentences

log = logging.getLogger(__name__)
SEGMENT_COLUMNS = ["doc_id", "seg_id", "turn", "speaker", "role", "timestamp", "start", "end", "text"]
#: Speaker tags that name a role, not a person; they are kept as written.
ROLE_WORDS = {"记者", "主持人", "村民", "群众", "网格员", "干部", "旁白", "备注", "注", "说明",
              "录音", "翻译", "Note", "Notes", "Moderator", "Reporter", "Translator"}


class TurnColumns(NamedTuple):
    """Ingested turns as one list per field, each document's turns consecutive and in order."""

    turn: list[int]
    speaker: list[str]
    role: list[str]
    timestamp: list[str]
    text: list[str]


def speaker_placeholders(names: Iterable[str], pseudonymize: Pseudonymizer, doc_id: str) -> dict[str, str]:
    """Placeholders ``[S01]``, ``[S02]`` ... for speaker-name tags that are on no name list.

    ``names`` are the speaker tags of a document's turns of role ``speaker``, in order. A tag
    such as "张三：" names a person; when the roster and ``clean.extra_names`` do not know
    the name it would pass through untouched, so it is replaced (here and in the document's text)
    by a placeholder numbered in order of appearance within this document.
    """
    table: dict[str, str] = {}
    for name in names:
        name = normalize_text(name)
        if not name or name in table or name in ROLE_WORDS or pseudonymize(name) != name:
            continue
        table[name] = f"[S{len(table) + 1:02d}]"
        log.warning("%s: speaker '%s' is on neither the roster nor clean.extra_names; it is "
                    "replaced by %s in this document (add it to clean.extra_names for a "
                    "study-wide pseudonym)", doc_id, name, table[name])
    return table


def clean_documents(turns: TurnColumns, bounds: list[int], doc_ids: list[str],
                    pseudonymize: Pseudonymizer, counts: list[Counts]
                    ) -> tuple[list[str], list[int], dict[str, list]]:
    """Clean the documents whose turns are rows ``bounds[i]:bounds[i + 1]`` of ``turns``.

    Returns each document's clean text and number of segments, and the segments of all of
    them, one list per column of :data:`SEGMENT_COLUMNS`. Replacements are counted by
    placeholder type into ``counts[i]``. A document's text has one line per turn with a text,
    ``<speaker>：<text>`` (the text alone without a speaker); its segments are the sentences of
    each turn, offsets into that text.

    One loop over all documents, filling column lists: a dict per turn and per segment cost
    more than the cleaning itself on 100k short posts.
    """
    texts: list[str] = []
    n_segments: list[int] = []
    segments: dict[str, list] = {column: [] for column in SEGMENT_COLUMNS}
    (seg_doc_ids, seg_ids, seg_turns, seg_speakers, seg_roles, seg_timestamps, seg_starts,
     seg_ends, seg_texts) = (segments[column] for column in SEGMENT_COLUMNS)
    for index in range(len(bounds) - 1):
        first, end = bounds[index], bounds[index + 1]
        doc_id, found = doc_ids[first], counts[index]
        roles = turns.role[first:end]
        doc_pseudonymize = pseudonymize
        if "speaker" in roles:
            extra = speaker_placeholders(
                [turns.speaker[row] for row in range(first, end) if turns.role[row] == "speaker"],
                pseudonymize, doc_id)
            if extra:
                doc_pseudonymize = pseudonymize.with_names(extra)
        parts: list[str] = []
        position = n = 0
        for row in range(first, end):
            body = doc_pseudonymize(normalize_text(turns.text[row]), found)
            if not body:
                continue
            speaker = doc_pseudonymize(normalize_text(turns.speaker[row]), found)
            prefix = f"{speaker}：" if speaker else ""
            if parts:
                parts.append("\n")
                position += 1
            body_start = position + len(prefix)
            parts.append(prefix + body)
            position += len(prefix) + len(body)
            starts, ends, pieces = sentences(body)
            if body_start:
                starts = [start + body_start for start in starts]
                ends = [end + body_start for end in ends]
            seg_starts.extend(starts)
            seg_ends.extend(ends)
            seg_texts.extend(pieces)
            k = len(pieces)
            seg_turns.extend([int(turns.turn[row])] * k)
            seg_speakers.extend([speaker] * k)
            seg_roles.extend([roles[row - first]] * k)
            seg_timestamps.extend([turns.timestamp[row]] * k)
            n += k
        texts.append("".join(parts))
        n_segments.append(n)
        seg_doc_ids.extend([doc_id] * n)
        seg_ids.extend(range(1, n + 1))
    return texts, n_segments, segments


def clean_metadata(value: str, pseudonymize: Pseudonymizer,
                   counts: Counts | None = None) -> str:
    """Titles, authors and places pass through the same normalization and de-identification."""
    return pseudonymize(normalize_text(value or ""), counts)
