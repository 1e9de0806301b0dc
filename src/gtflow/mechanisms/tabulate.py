"""Case matrices and co-occurrence of codes.

Case matrix cell = number of evidence codings (see :mod:`gtflow.mechanisms.cases`) below a code
in the documents of a case; presence is ``count > 0``.

Co-occurrence counts units in which two codes are both present, at three levels:

* ``sentence`` — a sentence of results/clean/segments.parquet (``seg_id``);
* ``segment``  — a speaker turn (``turn``: the sentences of one turn; for web documents a
  paragraph or post);
* ``document`` — a whole document.

A coding covers every sentence its ``start..end`` span overlaps (a turn-level auto coding covers
the sentences of its turn), and the turns and document of those sentences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gtflow.mechanisms.cases import LEVEL_COLUMN

COOCCURRENCE_LEVELS = ("sentence", "segment", "document")
COOCCURRENCE_COLUMNS = ["level", "code_level", "a", "b", "count"]


def case_matrix(evidence: pd.DataFrame, cases: pd.DataFrame, code_ids: list[str],
                level: str) -> pd.DataFrame:
    """Wide case x code table: the case columns, then one count column per code (in order)."""
    column = LEVEL_COLUMN[level]
    counts = (evidence.groupby(["case_id", column]).size().unstack(fill_value=0)
              if len(evidence) else pd.DataFrame())
    counts = counts.reindex(index=cases["case_id"], columns=code_ids, fill_value=0).fillna(0)
    counts = counts.astype("int64").reset_index(drop=True)
    counts.columns = list(code_ids)
    return pd.concat([cases.reset_index(drop=True), counts], axis=1)


def coding_units(placed: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """One row per (coding, sentence it covers): the coding's codes plus ``seg_id`` and ``turn``.

    A coding whose span overlaps no sentence (an empty span) keeps its own ``seg_id``.
    """
    code_columns = [c for c in ("concept_id", "category_id", "main_category_id") if c in placed]
    frames = []
    by_doc = dict(tuple(segments.groupby("doc_id", sort=False))) if len(segments) else {}
    for doc_id, doc_codings in placed.groupby("doc_id", sort=True):
        sentences = by_doc.get(doc_id)
        if sentences is None or sentences.empty:
            continue
        sentences = sentences.sort_values("start", kind="stable")
        starts = sentences["start"].to_numpy(np.int64)
        ends = sentences["end"].to_numpy(np.int64)
        first = np.searchsorted(ends, doc_codings["start"].to_numpy(np.int64), side="right")
        last = np.searchsorted(starts, doc_codings["end"].to_numpy(np.int64), side="left") - 1
        own = pd.Series(np.arange(len(sentences)), index=sentences["seg_id"].to_numpy())
        fallback = own.reindex(doc_codings["seg_id"].to_numpy()).to_numpy()
        empty = last < first
        first = np.where(empty, fallback, first)
        last = np.where(empty, fallback, last)
        valid = ~np.isnan(first.astype(float))
        first, last = first[valid].astype(np.int64), last[valid].astype(np.int64)
        lengths = last - first + 1
        rows = np.repeat(np.arange(valid.sum()), lengths)
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        sentence_index = np.repeat(first, lengths) + offsets
        chosen = doc_codings[valid].iloc[rows]
        frames.append(pd.DataFrame({
            "doc_id": doc_id,
            "seg_id": sentences["seg_id"].to_numpy()[sentence_index],
            "turn": sentences["turn"].to_numpy()[sentence_index],
            **{c: chosen[c].to_numpy() for c in code_columns}}))
    if not frames:
        return pd.DataFrame(columns=["doc_id", "seg_id", "turn", *code_columns])
    return pd.concat(frames, ignore_index=True)


def unit_keys(units: pd.DataFrame, level: str) -> pd.Series:
    """A key naming the co-occurrence unit of each row at one level."""
    if level == "sentence":
        return units["doc_id"].astype(str) + "\x1f" + units["seg_id"].astype(str)
    if level == "segment":
        return units["doc_id"].astype(str) + "\x1f" + units["turn"].astype(str)
    return units["doc_id"].astype(str)


def pair_counts(keys: pd.Series, codes: pd.Series, code_ids: list[str]) -> np.ndarray:
    """Square matrix: units where both codes occur (diagonal: units where the code occurs)."""
    present = pd.DataFrame({"key": keys.to_numpy(), "code": codes.to_numpy()}).drop_duplicates()
    present = present[present["code"].isin(code_ids)]
    if present.empty:
        return np.zeros((len(code_ids), len(code_ids)), dtype=np.int64)
    incidence = pd.crosstab(present["key"], present["code"]).reindex(columns=code_ids, fill_value=0)
    matrix = incidence.to_numpy(np.int64).clip(max=1)
    return matrix.T @ matrix


def cooccurrence(units: pd.DataFrame, code_sets: dict[str, list[str]]) -> pd.DataFrame:
    """Long co-occurrence table for every level and code level, every unordered pair a <= b.

    ``code_sets`` maps a code level (``main_category``, ``category``) to its code ids in codebook
    order; pairs are listed in that order, zero counts included, the diagonal (a == b) giving
    the number of units in which the code occurs.
    """
    rows = []
    for level in COOCCURRENCE_LEVELS:
        keys = unit_keys(units, level) if len(units) else pd.Series([], dtype=str)
        for code_level, code_ids in code_sets.items():
            codes = units[LEVEL_COLUMN[code_level]] if len(units) else pd.Series([], dtype=str)
            matrix = pair_counts(keys, codes, code_ids)
            for i, a in enumerate(code_ids):
                for j in range(i, len(code_ids)):
                    rows.append((level, code_level, a, code_ids[j], int(matrix[i, j])))
    return pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
