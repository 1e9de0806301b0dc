"""Frame operations that pandas does slowly on Arrow-backed text columns, done in Arrow."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def text_isin(values: pd.Series, wanted: Iterable[Any]) -> np.ndarray:
    """Per value: whether it is one of ``wanted`` (what ``values.isin(wanted)`` says), as a
    boolean array.

    pandas' isin on Arrow-backed text turns each wanted value into an Arrow scalar one at a
    time (about 1 s for 100k document ids, 7.8 s for a million); Arrow's lookup takes them as
    one array, and looks up a run of equal neighbouring values once (:func:`index_in_runs`).
    Other columns, and wanted values that are not text, are left to pandas.
    """
    wanted = wanted if isinstance(wanted, pd.Series) else list(wanted)
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        return values.isin(wanted).to_numpy(dtype=bool)
    column = pa.array(values)
    try:
        value_set = arrow_text_set(wanted, column.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # something that is not text: pandas decides
        return values.isin(wanted).to_numpy(dtype=bool)
    return index_in_runs(column, value_set) >= 0


def arrow_text(column: pd.Series) -> pa.Array:
    """A text column as one Arrow array (no copy when pandas holds it in Arrow)."""
    return contiguous(pa.array(column))


def contiguous(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One Arrow array (a chunked column is combined)."""
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def arrow_text_set(wanted: Iterable[Any], text_type: pa.DataType) -> pa.Array:
    """``wanted`` as an Arrow text array (straight from Arrow when pandas holds it there)."""
    if isinstance(wanted, pd.Series) and isinstance(wanted.dtype, pd.StringDtype) \
            and wanted.dtype.storage == "pyarrow":
        return arrow_text(wanted).cast(text_type)
    return pa.array(list(wanted), type=text_type, from_pandas=True)


def stable_order(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The row positions of ``frame.sort_values(keys, kind="stable")`` (ascending, missing
    values last), found by Arrow.

    pandas sorts by Arrow text keys through factorizing each one; Arrow's stable multi-key sort
    compares them in place (about half the time for three million codings). Text sorts by code
    point in both (UTF-8 byte order).
    """
    table = pa.table({f"k{i}": pa.array(frame[key], from_pandas=True)
                      for i, key in enumerate(keys)})
    order = pc.sort_indices(table, sort_keys=[(f"k{i}", "ascending") for i in range(len(keys))])
    return order.to_numpy()


def sorted_stably(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame.sort_values(keys, kind="stable")``, ordered by :func:`stable_order`."""
    return frame.take(stable_order(frame, keys))


def first_of_runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal values in a sorted array."""
    mask = np.ones(len(sorted_keys), dtype=bool)
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=mask[1:])
    return mask


def offsets_within_runs(lengths: np.ndarray) -> np.ndarray:
    """0, 1, ..., n - 1 for each n of ``lengths``, one run after another: each element's
    place within its run, for a run-length expansion done without a Python loop."""
    return np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def positions_by_code(codes: np.ndarray, positions: np.ndarray) -> dict[int, np.ndarray]:
    """The ``positions`` grouped by their code (``codes[positions]``), each group in the
    order the positions are given: one stable sort of integers, not a groupby of the values
    the codes stand for."""
    grouped = positions[np.argsort(codes[positions], kind="stable")]
    grouped_codes = codes[grouped]
    bounds = np.flatnonzero(first_of_runs(grouped_codes)).tolist()
    return {int(grouped_codes[b]): grouped[b:e]
            for b, e in zip(bounds, [*bounds[1:], len(grouped)])}


def is_ascending(values: pa.Array) -> bool:
    """Whether every value is greater than the one before (text by code point; a missing
    value is not)."""
    return len(values) < 2 or bool(pc.all(pc.greater(values[1:], values[:-1]),
                                          skip_nulls=False).as_py())


def value_numbers(values: pa.Array) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """A number per value (0, 1, ... in order of first appearance; a missing value is one
    value), the distinct values, and the row where each first appears.

    Where equal values stand together (a column sorted by them) the runs of equal neighbours
    are the values: only the runs' first values are compared (ascending) or hashed, to check
    that no value comes back later; otherwise Arrow numbers them by hashing every value.
    """
    values = contiguous(values)
    if not len(values):
        return np.zeros(0, dtype=np.int64), values, np.zeros(0, dtype=np.int64)
    run_starts = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        run_starts[1:] = pc.fill_null(pc.not_equal(values[1:], values[:-1]), True).to_numpy(
            zero_copy_only=False)
    first_rows = np.flatnonzero(run_starts)
    firsts = values.take(first_rows)
    # Runs in ascending order (a sorted column) are distinct without a hash of their values.
    if is_ascending(firsts) or pc.count_distinct(firsts, mode="all").as_py() == len(firsts):
        return np.cumsum(run_starts, dtype=np.int64) - 1, firsts, first_rows
    encoded = pc.dictionary_encode(values, null_encoding="encode")
    numbers = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    # Numbered in order of appearance: a value's first row is where its number exceeds every
    # number before it.
    earlier = np.maximum.accumulate(np.r_[np.int64(-1), numbers[:-1]])
    return numbers, encoded.dictionary, np.flatnonzero(numbers > earlier)


def index_in_runs(values: pa.Array | pa.ChunkedArray, value_set: pa.Array) -> np.ndarray:
    """``pc.index_in(values, value_set)`` as integers (-1: not found), each run of equal
    neighbouring values looked up once: a column sorted by a key it depends on (a coding's
    case, by document) hashes a fraction of its values."""
    values = contiguous(values)
    run_starts = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        run_starts[1:] = pc.fill_null(pc.not_equal(values[1:], values[:-1]), True).to_numpy(
            zero_copy_only=False)
    found = pc.index_in(values.take(np.flatnonzero(run_starts)), value_set=value_set)
    found = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return found[np.cumsum(run_starts) - 1] if len(values) else found


def starts_of_runs(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """For a frame sorted by ``keys``: whether each row's keys differ from the previous row's,
    which there is ``~frame.duplicated(keys)`` (missing values equal each other, as there).

    Sorted rows repeat only next to each other, so comparing neighbours in Arrow replaces
    pandas' hashing of every text key.
    """
    starts = np.zeros(len(frame), dtype=bool)
    if len(frame):
        starts[0] = True
    for key in keys:
        values = pa.array(frame[key], from_pandas=True)
        before, after = values[:-1], values[1:]
        differ = pc.fill_null(pc.not_equal(before, after), True)
        both_missing = pc.and_(pc.is_null(before), pc.is_null(after))
        starts[1:] |= pc.and_not(differ, both_missing).to_numpy(zero_copy_only=False)
    return starts


def distinct_values(column: pd.Series) -> set:
    """``set(column)``, made from the column's distinct values: iterating an Arrow text column
    makes each of its values a Python object (2.9M coder names took 7 s to become a set of one)."""
    return set(column.unique().tolist())


def sorted_without_repeats(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame.sort_values(keys, kind="stable").drop_duplicates()``, found in Arrow.

    Equal rows have equal keys, so the first of them in the sorted frame is the first in the
    frame. They are found by a stable sort on every column (equal rows end up side by side in
    their original order) and a comparison of neighbours, instead of pandas hashing every text
    column of every row. Columns Arrow cannot hold are left to pandas.
    """
    columns = [*keys, *(c for c in frame.columns if c not in keys)]
    try:
        by_every_column = stable_order(frame, columns)
        repeats = ~starts_of_runs(frame.take(by_every_column), columns)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return frame.sort_values(keys, kind="stable").drop_duplicates()
    kept = np.ones(len(frame), dtype=bool)
    kept[by_every_column[repeats]] = False
    order = stable_order(frame, keys)
    return frame.take(order[kept[order]])
