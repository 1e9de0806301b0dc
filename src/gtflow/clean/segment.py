"""Sentence segmentation for Chinese and Western text.

A sentence ends at 。！？!?；; (runs of them count once), at a Western full stop followed by white
space (not after a common abbreviation such as "Mr." or "e.g.", nor after a list number "1."), at an ellipsis (…… or ...)
followed by a line end or by the start of a new sentence (a closing mark, then space or a capital),
or at a line break. Closing quotes and brackets right after the end mark stay with the sentence
they close: 他说：“不用了。”她走了。 -> 他说：“不用了。” | 她走了。
"""

from __future__ import annotations

import re

SENTENCE_END = re.compile(
    r"(?:[。！？!?；;]+|\.(?=[\"'”’)]*(?:\s|$))|(?:…+|\.{3,})(?=\s*(?:\n|$)|[”’」』\"']))"
    r"(?:[”’」』》）)】]|[\"'](?=\s|$))*"
    r"|\n+"
)
#: A full stop after these (case-insensitive) does not end a sentence.
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "fig",
                 "al", "jr", "sr", "inc", "ltd", "co"}
LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
LIST_NUMBER = re.compile(r"^\s*\d{1,3}\.$")
#: White space as ``str.strip`` reads it (``\s`` is the same set of characters).
WHITESPACE = re.compile(r"\s")


def ends_with_abbreviation(piece: str) -> bool:
    """True when ``piece`` ends in "Mr." or "e.g." (or a single initial like "J.")."""
    match = LAST_WORD.search(piece)
    if not match:
        return False
    word = match.group(1).lower()
    return word in ABBREVIATIONS or len(word) == 1


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the sentences in ``text``, shifted by ``offset``, blanks trimmed."""
    ends = sentence_ends(text)
    spans = zip([0, *ends], [*ends, len(text)])
    if not WHITESPACE.search(text):  # nothing to trim (most Chinese posts): drop empty pieces
        return [(begin + offset, end + offset) for begin, end in spans if end > begin]
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        stripped_left = len(piece) - len(piece.lstrip())
        stripped_right = len(piece) - len(piece.rstrip())
        begin, end = begin + stripped_left, end - stripped_right
        if end > begin:
            trimmed.append((begin + offset, end + offset))
    return trimmed


def sentence_ends(text: str) -> list[int]:
    """Where the sentences of ``text`` end, but for the last one (it ends with the text)."""
    if "." not in text:  # no full stop, no abbreviation or list number to look back at
        return [match.end() for match in SENTENCE_END.finditer(text)]
    ends, start = [], 0
    for match in SENTENCE_END.finditer(text):
        end = match.end()
        if text[match.start()] == "." and (ends_with_abbreviation(text[start:end])
                                           or LIST_NUMBER.match(text[start:end])):
            continue  # "Mr. Li" is one sentence; so is "1. First item"
        ends.append(end)
        start = end
    return ends
