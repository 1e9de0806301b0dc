"""Sentence segmentation for Chinese and Western text.

A sentence ends at 。！？!?；; (runs of them count once), at a Western full stop followed by white
space (not after a common abbreviation such as "Mr." or "e.g.", nor after a list number "1."), at an ellipsis (…… or ...)
followed by a line end or by the start of a new sentence (a closing mark, then space or a capital),
or at a line break. Closing quotes and brackets right after the end mark stay with the sentence
they close: 他说：“不用了。”她走了。 -> 他说：“不用了。” | 她走了。
"""

from __future__ import annotations

import re
from itertools import accumulate

#: Closing quotes and brackets that stay with the sentence they close.
CLOSERS = r"(?:[”’」』》）)】]|[\"'](?=\s|$))*"
SENTENCE_END = re.compile(
    r"(?:[。！？!?；;]+|\.(?=[\"'”’)]*(?:\s|$))|(?:…+|\.{3,})(?=\s*(?:\n|$)|[”’」』\"']))"
    + CLOSERS + r"|\n+"
)
#: SENTENCE_END in a text without "." "…" or a line break, where its other branches (each
#: starting with one of them) find nothing: the same matches, found faster, as the search can
#: skip to the next end mark.
END_MARKS = "。！？!?；;"
END_MARK = re.compile(f"[{END_MARKS}]+" + CLOSERS)
#: In such a text without blanks either, a whole sentence: the text up to an END_MARK match
#: and that match, or the rest of the text.
PLAIN_SENTENCE = re.compile(f"[^{END_MARKS}]*[{END_MARKS}]+{CLOSERS}|[^{END_MARKS}]+")
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
    starts, ends, _ = sentences(text)
    return [(start + offset, end + offset) for start, end in zip(starts, ends)]


def sentences(text: str) -> tuple[list[int], list[int], list[str]]:
    """The sentences of ``text`` (see :func:`sentence_spans`): their starts, their ends and
    their texts, as three lists."""
    if is_plain(text):
        return plain_sentences(text)
    spans = trimmed_spans(text)
    return ([start for start, _ in spans], [end for _, end in spans],
            [text[start:end] for start, end in spans])


def is_plain(text: str) -> bool:
    """No full stop, no ellipsis, no blank: sentences end only at END_MARK (most Chinese posts)."""
    return "." not in text and "…" not in text and not WHITESPACE.search(text)


def plain_sentences(text: str) -> tuple[list[int], list[int], list[str]]:
    """:func:`sentences` of a plain text (:func:`is_plain`): its pieces as the regex finds them,
    their offsets summed from their lengths, no Python code per sentence."""
    pieces = PLAIN_SENTENCE.findall(text)
    ends = list(accumulate(map(len, pieces)))
    starts = [0, *ends]
    starts.pop()
    return starts, ends, pieces


def trimmed_spans(text: str) -> list[tuple[int, int]]:
    """The spans of the sentences in ``text``, blanks trimmed (empty ones dropped)."""
    ends = sentence_ends(text)
    spans = zip([0, *ends], [*ends, len(text)])
    if not WHITESPACE.search(text):  # nothing to trim: only empty pieces are dropped
        return [(begin, end) for begin, end in spans if end > begin]
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        stripped_left = len(piece) - len(piece.lstrip())
        stripped_right = len(piece) - len(piece.rstrip())
        begin, end = begin + stripped_left, end - stripped_right
        if end > begin:
            trimmed.append((begin, end))
    return trimmed


def sentence_ends(text: str) -> list[int]:
    """Where the sentences of ``text`` end, but for the last one (it ends with the text)."""
    if "." not in text:  # no full stop, no abbreviation or list number to look back at
        ends = END_MARK if "…" not in text and "\n" not in text else SENTENCE_END
        return [match.end() for match in ends.finditer(text)]
    ends, start = [], 0
    for match in SENTENCE_END.finditer(text):
        end = match.end()
        if text[match.start()] == "." and (ends_with_abbreviation(text[start:end])
                                           or LIST_NUMBER.match(text[start:end])):
            continue  # "Mr. Li" is one sentence; so is "1. First item"
        ends.append(end)
        start = end
    return ends
