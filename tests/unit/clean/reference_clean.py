"""The clean stage's per-document code as it was before its fast paths: the straightforward
reference that tests/unit/clean/test_clean_fast_paths.py compares the fast code with.

Kept verbatim (only renamed), so a fast path that drifts from it fails those tests.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

from gtflow.clean.authors import UNKNOWN_AUTHOR
from gtflow.clean.deidentify import EMAIL, ID_NUMBER, PLATE, id_number_is_valid, placeholder_type
from gtflow.clean.document import ROLE_WORDS, SEGMENT_COLUMNS
from gtflow.clean.normalize import (
    INLINE_SPACE,
    LONE_ZWJ,
    MANY_BLANK_LINES,
    SPACE_AROUND_NEWLINE,
    TRANSLATION,
)
from gtflow.clean.phones import replace_phone_numbers
from gtflow.clean.segment import LIST_NUMBER, ends_with_abbreviation
from gtflow.clean.steps import CLEAN_DOCUMENT_COLUMNS, PSEUDONYMIZED_METADATA
from gtflow.clean.urls import URL_IN_TEXT, user_path, user_query
from gtflow.contracts import columns as table_columns
from gtflow.ingest.documents import DOCUMENT_COLUMNS
from gtflow.io import sha256_text

SENTENCE_END = re.compile(
    r"(?:[。！？!?；;]+|\.(?=[\"'”’)]*(?:\s|$))|(?:…+|\.{3,})(?=\s*(?:\n|$)|[”’」』\"']))"
    r"(?:[”’」』》）)】]|[\"'](?=\s|$))*"
    r"|\n+"
)


def normalize_text(text: str) -> str:
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = text.translate(TRANSLATION)
    if "\u200d" in text:
        text = LONE_ZWJ.sub("", text)
    text = INLINE_SPACE.sub(" ", text)
    text = SPACE_AROUND_NEWLINE.sub("\n", text)
    return MANY_BLANK_LINES.sub("\n\n", text).strip()


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        end = match.end()
        if text[match.start()] == "." and (ends_with_abbreviation(text[start:end])
                                           or LIST_NUMBER.match(text[start:end])):
            continue
        spans.append((start, end))
        start = end
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


def strip_user_ids(url: str) -> tuple[str, int]:
    if not url or "/" not in url:
        return url, 0
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, 0
    segments, in_path = user_path(parts.path.split("/"))
    query, in_query = user_query(parts.query)
    if not in_path and not in_query:
        return url, 0
    return urlunsplit(parts._replace(path="/".join(segments), query=query)), in_path + in_query


def strip_user_ids_in_text(text: str) -> tuple[str, int]:
    if "http" not in text and "HTTP" not in text:
        return text, 0
    total = 0

    def replace(match: re.Match) -> str:
        nonlocal total
        url, count = strip_user_ids(match.group())
        total += count
        return url

    return URL_IN_TEXT.sub(replace, text), total


def replace_id_numbers(text: str, counts: Counter) -> str:
    def replace(match: re.Match) -> str:
        if not id_number_is_valid(match.group()):
            return match.group()
        counts["[ID]"] += 1
        return "[ID]"

    return ID_NUMBER.sub(replace, text)


def replace_identifiers(text, phone_regions=("CN",), extra_patterns=(), counts=None) -> str:
    counts = Counter() if counts is None else counts
    text, found = strip_user_ids_in_text(text)
    counts["[USER]"] += found
    text = replace_id_numbers(text, counts)
    replacements = [(EMAIL, "[EMAIL]")] if "@" in text or "＠" in text else []
    replacements += [(pattern.regex, pattern.placeholder) for pattern in extra_patterns]
    for regex, placeholder in replacements:
        text, found = regex.subn(placeholder, text)
        counts[placeholder] += found
    text, found = replace_phone_numbers(text, phone_regions)
    counts["[PHONE]"] += found
    text, found = PLATE.subn("[PLATE]", text)
    counts["[PLATE]"] += found
    return text


class Pseudonymizer:
    """The fast Pseudonymizer's name matching around the reference identifier passes."""

    def __init__(self, fast):
        self.fast = fast

    def with_names(self, extra):
        return Pseudonymizer(self.fast.with_names(extra))

    def __call__(self, text, counts=None):
        fast = self.fast
        text = replace_identifiers(text, fast.phone_regions, fast.extra_patterns, counts)
        return fast.replace_names(text, counts)


def speaker_placeholders(turns, pseudonymize, doc_id):
    table: dict[str, str] = {}
    for turn in turns:
        if turn["role"] != "speaker":
            continue
        name = normalize_text(turn["speaker"])
        if not name or name in table or name in ROLE_WORDS or pseudonymize(name) != name:
            continue
        table[name] = f"[S{len(table) + 1:02d}]"
    return table


def clean_document(turns, pseudonymize, doc_id="", counts=None):
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


def clean_table(ingested, fast_pseudonymize, authors=None):
    pseudonymize = Pseudonymizer(fast_pseudonymize)
    order = pd.unique(ingested["doc_id"])
    position = pd.Series(range(len(order)), index=order)
    ordered = ingested.assign(_doc=ingested["doc_id"].map(position)).sort_values(
        ["_doc", "turn"], kind="stable")
    turn_keys = ["turn", "speaker", "role", "timestamp", "text"]
    doc_ids = ordered["doc_id"].tolist()
    columns = {c: ordered[c].tolist() for c in turn_keys}
    firsts = [0, *(i for i in range(1, len(doc_ids)) if doc_ids[i] != doc_ids[i - 1])]
    boundaries = [*firsts, len(doc_ids)] if doc_ids else [0]
    documents = ordered.iloc[firsts if doc_ids else []][DOCUMENT_COLUMNS].astype(str).reset_index(drop=True)
    tallies = [Counter() for _ in range(len(documents))]
    clean_metadata_columns(documents, pseudonymize, tallies, authors)
    texts, n_segments = [], []
    segments: dict[str, list] = {c: [] for c in SEGMENT_COLUMNS}
    for index, (first, end) in enumerate(itertools.pairwise(boundaries)):
        doc_id = doc_ids[first]
        turns = [{key: columns[key][i] for key in turn_keys} for i in range(first, end)]
        text, doc_segments = clean_document(turns, pseudonymize, doc_id, tallies[index])
        texts.append(text)
        n_segments.append(len(doc_segments))
        segments["doc_id"].extend([doc_id] * len(doc_segments))
        for column in SEGMENT_COLUMNS[1:]:
            segments[column].extend(segment[column] for segment in doc_segments)
    documents["n_chars"] = [len(t) for t in texts]
    documents["n_segments"] = n_segments
    documents["sha256_clean"] = [sha256_text(t) for t in texts]
    documents["clean_text"] = texts
    return (documents[CLEAN_DOCUMENT_COLUMNS], pd.DataFrame(segments, columns=SEGMENT_COLUMNS),
            deidentification_counts(documents["doc_id"].tolist(), tallies))


def clean_metadata_columns(documents, pseudonymize, tallies, authors):
    cache: dict[str, tuple[str, Counter]] = {}

    def clean_value(value: str) -> tuple[str, Counter]:
        if value not in cache:
            found = Counter()
            cache[value] = (pseudonymize(normalize_text(value or ""), found), found)
        return cache[value]

    is_post = (documents["source_type"] == "web_post").tolist()
    for column in PSEUDONYMIZED_METADATA:
        values = documents[column].tolist()
        for index, value in enumerate(values):
            if column == "author" and is_post[index] and value:
                values[index] = (authors or {}).get(value, UNKNOWN_AUTHOR)
                tallies[index][placeholder_type(values[index])] += 1
                continue
            values[index], found = clean_value(value)
            tallies[index].update(found)
        documents[column] = values
    urls = documents["url"].tolist()
    for index, url in enumerate(urls):
        urls[index], found = strip_user_ids(url)
        tallies[index]["[USER]"] += found
    documents["url"] = urls


def deidentification_counts(doc_ids, tallies):
    rows = [(doc_id, kind, count) for doc_id, tally in zip(doc_ids, tallies)
            for kind, count in sorted(tally.items()) if count > 0]
    return pd.DataFrame(rows, columns=table_columns("file_deidentification")).astype({"count": "int64"})
