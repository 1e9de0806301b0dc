"""Sentence segmentation for Chinese and Western text.

A sentence ends at 。！？!?； (runs of them count once), at a Western full stop followed by
white space, at an ellipsis (…… or ...) followed by a line end, or at a line break. Closing
quotes and brackets right after the end mark stay with the sentence they close.
"""

from __future__ import annotations

import re

SENTENCE_END = re.compile(
    r"(?:[。！？!?；;]+|(?<![0-9A-Z])\.(?=\s)|(?:…+|\.{3,})(?=\s*(?:\n|$)))"
    r"(?:[”’」』》）)】]|[\"'](?=\s|$))*"
    r"|\n+"
)


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the sentences in ``text``, shifted by ``offset``, blanks trimmed."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        stripped_left = len(piece) - len(piece.lstrip())
        stripped_right = len(piece) - len(piece.rstrip())
        begin, end = begin + stripped_left, end - stripped_right
        if end > begin:
            trimmed.append((begin + offset, end + offset))
    return trimmed
