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
import pyarrow as pa
import pyarrow.compute as pc

from gtflow.frames import first_of_runs, index_in_runs, offsets_within_runs, value_numbers
from gtflow.mechanisms.cases import LEVEL_COLUMN

COOCCURRENCE_LEVELS = ("sentence", "segment", "document")
COOCCURRENCE_COLUMNS = ["level", "code_level", "a", "b", "count"]


def case_matrix(evidence: pd.DataFrame, cases: pd.DataFrame, code_ids: list[str],
                level: str) -> pd.DataFrame:
    """Wide case x code table: the case columns, then one count column per code (in order)."""
    # Cases and codes numbered by Arrow's hash lookup (a run of one case's codings looked up
    # once) and counted with one bincount: a pandas groupby and unstack over a million cases
    # factorized the text columns several times.
    case_ids = pa.array(cases["case_id"], from_pandas=True)
    distinct = pc.unique(case_ids)
    n_codes = len(code_ids)
    counts = np.zeros(len(distinct) * n_codes, dtype=np.int64)
    if len(evidence) and n_codes:
        evidence_cases = pa.array(evidence["case_id"], from_pandas=True)
        evidence_codes = pa.array(evidence[LEVEL_COLUMN[level]], from_pandas=True)
        case_index = index_in_runs(evidence_cases, distinct.cast(evidence_cases.type))
        code_index = index_in_runs(evidence_codes, pa.array(code_ids).cast(evidence_codes.type))
        known = (case_index >= 0) & (code_index >= 0)
        counts = np.bincount(case_index[known] * n_codes + code_index[known],
                             minlength=len(counts)).astype(np.int64)
    rows = (np.arange(len(case_ids)) if len(distinct) == len(case_ids) else  # each case once
            pc.index_in(case_ids, value_set=distinct).to_numpy().astype(np.int64))
    matrix = pd.DataFrame(counts.reshape(len(distinct), n_codes)[rows], columns=list(code_ids))
    return pd.concat([cases.reset_index(drop=True), matrix], axis=1)


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
    # Documents numbered as the sentences list them (grouped by document, as the clean stage
    # writes them: then no text is hashed but the documents' first ids); a coding's document
    # looked up among them (one that has no sentences gets none).
    sentence_doc, doc_ids, _ = value_numbers(
        pa.array(segments["doc_id"], from_pandas=True).cast(pa.large_string()))
    coding_doc = pc.index_in(pa.array(placed["doc_id"], from_pandas=True).cast(
        pa.large_string()), value_set=doc_ids).fill_null(-1).to_numpy(
        zero_copy_only=False).astype(np.int64)
    # Offsets are below 2**40, so doc * 2**40 + offset orders by document, then position.
    shift = np.int64(1) << np.int64(40)
    sentences, sentence_doc = sorted_sentences(segments, sentence_doc, shift)
    has_sentences = coding_doc >= 0
    placed, coding_doc = placed[has_sentences].reset_index(drop=True), coding_doc[has_sentences]
    if placed.empty:
        return empty_result
    start_keys = sentence_doc * shift + sentences["start"].to_numpy(np.int64)
    end_keys = sentence_doc * shift + sentences["end"].to_numpy(np.int64)
    coding_base = coding_doc * shift
    first = np.searchsorted(end_keys, coding_base + placed["start"].to_numpy(np.int64), side="right")
    last = np.searchsorted(start_keys, coding_base + placed["end"].to_numpy(np.int64), side="left") - 1
    # A coding that overlaps no sentence: its own sentence, by (document number, seg_id) as
    # one integer key.
    empty = np.flatnonzero(last < first)
    if len(empty):
        own = pd.Index(sentence_doc * shift + sentences["seg_id"].to_numpy(np.int64))
        fallback = own.get_indexer(coding_base[empty] + placed["seg_id"].to_numpy(np.int64)[empty])
        first[empty], last[empty] = fallback, fallback
    valid = first >= 0
    first, last = first[valid].astype(np.int64), last[valid].astype(np.int64)
    lengths = last - first + 1
    rows = np.repeat(np.flatnonzero(valid), lengths)
    sentence_index = np.repeat(first, lengths) + offsets_within_runs(lengths)
    units = sentences[["doc_id", "seg_id", "turn"]].take(sentence_index).reset_index(drop=True)
    for column in code_columns:
        units[column] = placed[column].take(rows).reset_index(drop=True)
    return units


def sorted_sentences(segments: pd.DataFrame, doc_numbers: np.ndarray,
                     shift: np.int64) -> tuple[pd.DataFrame, np.ndarray]:
    """The sentences in (document number, start) order, with their document numbers. The
    clean stage writes them in that order already (documents numbered as they come); then
    they are not copied."""
    order = np.argsort(doc_numbers * shift + segments["start"].to_numpy(np.int64), kind="stable")
    if np.array_equal(order, np.arange(len(order))):
        return segments.reset_index(drop=True), doc_numbers
    return segments.take(order).reset_index(drop=True), doc_numbers[order]


def unit_keys(units: pd.DataFrame, level: str, doc_numbers: np.ndarray) -> np.ndarray:
    """An integer naming the co-occurrence unit of each row at one level (``doc_numbers``: each
    row's document as a number)."""
    if level == "document":
        return doc_numbers
    column = "seg_id" if level == "sentence" else "turn"
    return doc_numbers * (np.int64(1) << np.int64(32)) + units[column].to_numpy(np.int64)


def unit_numbers(units: pd.DataFrame, level: str, doc_numbers: np.ndarray) -> np.ndarray:
    """Each row's co-occurrence unit at one level as a number 0, 1, ... (``doc_numbers``:
    each row's document as a number 0, 1, ...)."""
    if level == "document":
        return doc_numbers
    return pd.factorize(unit_keys(units, level, doc_numbers))[0].astype(np.int64)


#: At most this many (code, code) pairs are listed at once when units are paired up (16 MB of
#: indexes per batch), however many codes a unit holds.
PAIR_BATCH = 1 << 20


def pair_counts(units: np.ndarray, code_index: np.ndarray, n_codes: int) -> np.ndarray:
    """Square matrix: units where both codes occur (diagonal: units where the code occurs);
    ``units`` numbers each row's unit 0, 1, ..., ``code_index`` its code among the
    ``n_codes`` listed (-1: not listed)."""
    counts = np.zeros(n_codes * n_codes, dtype=np.int64)
    listed = code_index >= 0
    if not listed.any():
        return counts.reshape(n_codes, n_codes)
    # Distinct (unit, code) pairs in unit order: a code coded twice in a unit counts once
    # (sorted and compared with the neighbour: np.unique hashes, many times slower). Every
    # ordered pair of codes within one unit's run is then one unit where both occur. (NumPy,
    # not a sparse product, so that this job need not load scipy: about 0.2 s of its start.)
    present = np.sort(units[listed].astype(np.int64) * n_codes + code_index[listed])
    present = present[first_of_runs(present)]
    unit, code = np.divmod(present, n_codes)
    run_starts = np.flatnonzero(first_of_runs(unit))
    run_lengths = np.diff(np.append(run_starts, len(present)))
    # Runs batched so that a batch lists at most about PAIR_BATCH pairs.
    pairs_before = np.concatenate(([0], np.cumsum(run_lengths ** 2)))
    cuts = np.unique(np.searchsorted(pairs_before, np.arange(0, pairs_before[-1], PAIR_BATCH),
                                     side="right") - 1)
    for first, last in zip(cuts, np.append(cuts[1:], len(run_starts))):
        counts += _pairs_within_runs(code, run_starts[first:last], run_lengths[first:last],
                                     n_codes)
    return counts.reshape(n_codes, n_codes)


def _pairs_within_runs(code: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                       n_codes: int) -> np.ndarray:
    """How often each (a, b) pair of codes (flattened a * n_codes + b) occurs within the runs
    ``starts``/``lengths`` of ``code``: each element of a run paired with each of the run."""
    run_of_element = np.repeat(starts, lengths)  # the first element of each element's run
    elements = run_of_element + offsets_within_runs(lengths)
    element_lengths = np.repeat(lengths, lengths)
    left = np.repeat(elements, element_lengths)
    right = np.repeat(run_of_element, element_lengths) + offsets_within_runs(element_lengths)
    return np.bincount(code[left] * n_codes + code[right], minlength=n_codes * n_codes)


def code_numbers(values: pd.Series, code_ids: list[str]) -> np.ndarray:
    """Each value's place among ``code_ids`` (-1: not one of them)."""
    values = pa.array(values, from_pandas=True).cast(pa.large_string())
    found = pc.index_in(values, value_set=pa.array(code_ids, type=pa.large_string()))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def cooccurrence(units: pd.DataFrame, code_sets: dict[str, list[str]]) -> pd.DataFrame:
    """Long co-occurrence table for every level and code level, every unordered pair a <= b.

    ``code_sets`` maps a code level (``main_category``, ``category``) to its code ids in codebook
    order; pairs are listed in that order, zero counts included, the diagonal (a == b) giving
    the number of units in which the code occurs.
    """
    doc_numbers = value_numbers(pa.array(units["doc_id"], from_pandas=True).cast(
        pa.large_string()))[0] if len(units) else np.zeros(0, dtype=np.int64)
    # Each row's code as a number, once per code level (not once per unit level as well).
    code_indexes = {
        code_level: code_numbers(units[LEVEL_COLUMN[code_level]], code_ids) if len(units) else
        np.zeros(0, dtype=np.int64) for code_level, code_ids in code_sets.items()}
    rows = []
    for level in COOCCURRENCE_LEVELS:
        numbers = unit_numbers(units, level, doc_numbers)
        for code_level, code_ids in code_sets.items():
            matrix = pair_counts(numbers, code_indexes[code_level], len(code_ids))
            for i, a in enumerate(code_ids):
                for j in range(i, len(code_ids)):
                    rows.append((level, code_level, a, code_ids[j], int(matrix[i, j])))
    return pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
