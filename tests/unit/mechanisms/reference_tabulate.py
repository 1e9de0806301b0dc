"""Coding units and co-occurrence as they were counted before the documents were numbered by
their runs and each code level's incidence by Arrow's lookup: a sorted factorize of every
document id, a hashed unique of (unit, code) pairs per level.

Kept as the reference that :mod:`gtflow.mechanisms.tabulate` must equal (see
tests/unit/mechanisms/test_mech_tabulate.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from gtflow.mechanisms.cases import LEVEL_COLUMN
from gtflow.mechanisms.tabulate import (
    COOCCURRENCE_COLUMNS,
    COOCCURRENCE_LEVELS,
    sorted_sentences,
    unit_keys,
)


def coding_units(placed: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """One row per (coding, sentence it covers): the coding's codes plus ``seg_id`` and ``turn``.

    A coding whose span overlaps no sentence (an empty span) keeps its own ``seg_id``. Works on
    the whole corpus at once: sentences and codings get a sort key (document number, offset), so
    one ``searchsorted`` finds every coding's first and last sentence.
    """
    code_columns = [c for c in ("concept_id", "category_id", "main_category_id") if c in placed]
    empty_result = pd.DataFrame(columns=["doc_id", "seg_id", "turn", *code_columns])
    if placed.empty or segments.empty:
        return empty_result
    # Documents numbered in doc_id order, in one pass over the ids of both tables.
    placed = placed.reset_index(drop=True)
    numbers = pd.factorize(pd.concat([segments["doc_id"], placed["doc_id"]], ignore_index=True),
                           sort=True)[0].astype(np.int64)
    sentence_doc, coding_doc = numbers[:len(segments)], numbers[len(segments):]
    # Offsets are below 2**40, so doc * 2**40 + offset orders by document, then position.
    shift = np.int64(1) << np.int64(40)
    sentences, sentence_doc = sorted_sentences(segments, sentence_doc, shift)
    has_sentences = np.isin(coding_doc, sentence_doc)
    placed, coding_doc = placed[has_sentences].reset_index(drop=True), coding_doc[has_sentences]
    if placed.empty:
        return empty_result
    start_keys = sentence_doc * shift + sentences["start"].to_numpy(np.int64)
    end_keys = sentence_doc * shift + sentences["end"].to_numpy(np.int64)
    coding_base = coding_doc * shift
    first = np.searchsorted(end_keys, coding_base + placed["start"].to_numpy(np.int64), side="right")
    last = np.searchsorted(start_keys, coding_base + placed["end"].to_numpy(np.int64), side="left") - 1
    # A coding's own sentence, by (document number, seg_id) as one integer key.
    own = pd.Index(sentence_doc * shift + sentences["seg_id"].to_numpy(np.int64))
    fallback = own.get_indexer(coding_base + placed["seg_id"].to_numpy(np.int64))
    empty = last < first
    first = np.where(empty, fallback, first)
    last = np.where(empty, fallback, last)
    valid = first >= 0
    first, last = first[valid].astype(np.int64), last[valid].astype(np.int64)
    lengths = last - first + 1
    rows = np.repeat(np.flatnonzero(valid), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    sentence_index = np.repeat(first, lengths) + offsets
    units = sentences[["doc_id", "seg_id", "turn"]].take(sentence_index).reset_index(drop=True)
    for column in code_columns:
        units[column] = placed[column].take(rows).reset_index(drop=True)
    return units


def pair_counts(keys: np.ndarray, code_index: np.ndarray, n_codes: int) -> np.ndarray:
    """Square matrix: units where both codes occur (diagonal: units where the code occurs);
    ``code_index`` numbers each row's code among the ``n_codes`` listed (-1: not listed)."""
    listed = code_index >= 0
    if not listed.any():
        return np.zeros((n_codes, n_codes), dtype=np.int64)
    unit_index = pd.factorize(keys[listed])[0].astype(np.int64)
    present = pd.unique(unit_index * n_codes + code_index[listed])
    # A sparse unit x code incidence: a dense one would need units x codes cells (large corpora).
    incidence = sparse.csr_matrix(
        (np.ones(len(present), dtype=np.int64), (present // n_codes, present % n_codes)),
        shape=(int(unit_index.max()) + 1, n_codes))
    return (incidence.T @ incidence).toarray().astype(np.int64)


def cooccurrence(units: pd.DataFrame, code_sets: dict[str, list[str]]) -> pd.DataFrame:
    """Long co-occurrence table for every level and code level, every unordered pair a <= b.

    ``code_sets`` maps a code level (``main_category``, ``category``) to its code ids in codebook
    order; pairs are listed in that order, zero counts included, the diagonal (a == b) giving
    the number of units in which the code occurs.
    """
    doc_numbers = pd.factorize(units["doc_id"])[0].astype(np.int64) if len(units) else \
        np.zeros(0, dtype=np.int64)
    # Each row's code as a number, once per code level (not once per unit level as well).
    code_indexes = {
        code_level: pd.Categorical(units[LEVEL_COLUMN[code_level]] if len(units) else
                                   pd.Series([], dtype=str), categories=code_ids).codes.astype(np.int64)
        for code_level, code_ids in code_sets.items()}
    rows = []
    for level in COOCCURRENCE_LEVELS:
        keys = unit_keys(units, level, doc_numbers)
        for code_level, code_ids in code_sets.items():
            matrix = pair_counts(keys, code_indexes[code_level], len(code_ids))
            for i, a in enumerate(code_ids):
                for j in range(i, len(code_ids)):
                    rows.append((level, code_level, a, code_ids[j], int(matrix[i, j])))
    return pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
