"""CSV text built column by column in Arrow, byte for byte what ``DataFrame.to_csv`` writes.

``to_csv`` turns every cell into a Python object and hands rows to the ``csv`` module: about a
microsecond a cell, which is most of the time a stage spends writing a table of millions of
rows (the evidence listing). For frames of text, integer and boolean columns the same bytes can
be built with Arrow's vectorised string kernels: integers as decimal text, booleans as
``True``/``False``, missing text as an empty cell, and a text cell quoted (its quotes doubled)
exactly when it holds a comma, a quote or a line break — the ``csv`` module's minimal quoting
with the "\\n" line end gtflow writes. Other frames (floats, dates, one column) return None and
the caller uses ``to_csv``.
"""

from __future__ import annotations

import csv
import io
import math
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def quoting_characters() -> str:
    """The characters that make this Python's csv module quote a cell (minimal quoting, "\n"
    line end): asked of the module itself, since versions differ (3.11 leaves "\r" bare)."""
    found = []
    for character in ',"\r\n':
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([f"a{character}b", "c"])
        if out.getvalue().startswith('"'):
            found.append(character)
    return "".join(found)


#: A regular expression matching a cell the csv module quotes.
NEEDS_QUOTES = "[" + "".join(re.escape(c) for c in quoting_characters()) + "]"
QUOTE, EMPTY = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
COMMA, NEWLINE = pa.scalar(",", pa.large_string()), pa.scalar("\n", pa.large_string())


#: The characters that make the csv module quote a cell, as bytes: all ASCII, so in UTF-8
#: they never stand inside another character's bytes.
QUOTING_BYTES = tuple(c.encode() for c in quoting_characters())
#: Bytes of text looked at a time for quoting characters.
SCAN_BYTES = 1 << 24


def holds_quoting_characters(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether any value holds a character that makes the csv module quote a cell: a search
    of the values' bytes for each such byte (memchr), much faster than matching every value
    (most columns hold none)."""
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        data = string_data_view(chunk)
        for first in range(0, len(data), SCAN_BYTES):
            piece = data[first:first + SCAN_BYTES].tobytes()
            if any(character in piece for character in QUOTING_BYTES):
                return True
    return False


def quoted_cells(values: pa.Array) -> pa.Array:
    """Text cells as CSV fields: missing -> empty, quoted (quotes doubled) where needed."""
    values = pc.fill_null(values.cast(pa.large_string()), "")
    if not holds_quoting_characters(values):
        return values
    needs_quotes = pc.match_substring_regex(values, NEEDS_QUOTES)
    if not pc.any(needs_quotes).as_py():
        return values
    quoted = pc.binary_join_element_wise(QUOTE, pc.replace_substring(values, '"', '""'), QUOTE,
                                         EMPTY)
    return pc.if_else(needs_quotes, quoted, values)


def is_text_or_missing(value: object) -> bool:
    """A value ``to_csv`` writes as text: a string, or None/NaN (an empty cell)."""
    return isinstance(value, str) or value is None or (isinstance(value, float) and math.isnan(value))


def column_cells(column: pd.Series) -> pa.Array | None:
    """A column's CSV fields, or None when its kind is not one this module writes."""
    if pd.api.types.is_bool_dtype(column) and not column.isna().any():
        return pc.if_else(pa.array(column.to_numpy(bool)), "True", "False").cast(pa.large_string())
    if pd.api.types.is_integer_dtype(column) and not column.isna().any():
        return integer_cells(column.to_numpy("int64"))
    if isinstance(column.dtype, pd.StringDtype) or (
            column.dtype == object and all(is_text_or_missing(v) for v in column)):
        return quoted_cells(pa.array(column, type=pa.large_string(), from_pandas=True))
    return None


#: The decimal text of the integers below SMALL_INTEGERS (counts, offsets of short texts).
SMALL_INTEGERS = 4096
SMALL_INTEGER_TEXT = pa.array([str(i) for i in range(SMALL_INTEGERS)], type=pa.large_string())


def integer_cells(values: np.ndarray) -> pa.Array:
    """Integers as decimal text: small non-negative ones looked up in a table of their text
    (half the time of formatting each; most are counts), the others formatted by Arrow."""
    if len(values) and values.min() >= 0 and values.max() < SMALL_INTEGERS:
        return SMALL_INTEGER_TEXT.take(pa.array(values))
    return pa.array(values).cast(pa.large_string())


def header_line(columns: list) -> bytes:
    """The CSV header line of some column names."""
    names = quoted_cells(pa.array([str(n) for n in columns], type=pa.large_string()))
    return (",".join(names.to_pylist()) + "\n").encode("utf-8")


def row_texts(frame: pd.DataFrame) -> pa.Array | None:
    """Each row's CSV fields joined by commas (no line end), or None when a column is of a kind
    this module does not write (see :func:`csv_bytes`)."""
    if frame.shape[1] < 2:
        return None
    cells = [column_cells(frame[name]) for name in frame.columns]
    if any(c is None for c in cells):
        return None
    return pc.binary_join_element_wise(*cells, COMMA)


def lines_data(prefix: str, rows: pa.Array) -> bytes:
    """CSV lines of ``prefix`` (fields already CSV text, with their trailing comma, or "")
    followed by each of ``rows`` (:func:`row_texts`), each ended by "\n"."""
    return lines_view(prefix, rows).tobytes()


def lines_view(prefix: str, rows: pa.Array) -> memoryview:
    """:func:`lines_data` as a view of the Arrow buffer that holds them: a file writes it
    without the copy into a bytes object."""
    if not len(rows):
        return memoryview(b"")
    lines = pc.binary_join_element_wise(pa.scalar(prefix, pa.large_string()), rows, NEWLINE, EMPTY)
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    return memoryview(string_data_view(lines))


def csv_bytes(frame: pd.DataFrame, header: bool = True) -> bytes | None:
    """The frame as ``to_csv(index=False, lineterminator="\\n")`` writes it, or None when a
    column is of another kind (or the frame has fewer than two columns, which the csv module
    quotes specially)."""
    rows = row_texts(frame)
    if rows is None:
        return None
    return (header_line(list(frame.columns)) if header else b"") + lines_data("", rows)


def joined_rows(blocks: list[pa.Array]) -> pa.Array:
    """The blocks' values (large strings without nulls) as one array, emptying ``blocks`` as
    each is copied, so memory holds the result and one block. One array, not a chunked one:
    selecting rows from a chunked array cost about four times as much."""
    data = np.empty(sum(len(string_data_view(block)) for block in blocks), dtype=np.uint8)
    offsets = np.empty(sum(len(block) for block in blocks) + 1, dtype=np.int64)
    offsets[0] = position = row = 0
    while blocks:
        block = blocks.pop(0)
        bounds = value_offsets(block)
        view = string_data_view(block)
        data[position:position + len(view)] = view
        offsets[row + 1:row + len(block) + 1] = bounds[1:] - bounds[0] + position
        position, row = position + len(view), row + len(block)
    return pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets),
                                            pa.py_buffer(data))


def value_offsets(values: pa.Array) -> np.ndarray:
    """Where each value of a string or binary array begins in its data buffer, and where the
    last one ends (one more offset than values)."""
    large = pa.types.is_large_string(values.type) or pa.types.is_large_binary(values.type)
    kind = np.dtype(np.int64 if large else np.int32)
    return np.frombuffer(values.buffers()[1], dtype=kind, count=len(values) + 1,
                         offset=kind.itemsize * values.offset)


def string_data_view(values: pa.Array) -> np.ndarray:
    """The bytes of a string or binary array's values one after another (nulls are empty), as
    a numpy view of its data buffer."""
    offsets = value_offsets(values)
    start, end = int(offsets[0]), int(offsets[-1])
    data = values.buffers()[2]
    if data is None or end == start:
        return np.zeros(0, dtype=np.uint8)
    return np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)


def string_data(values: pa.Array | pa.ChunkedArray) -> bytes:
    """The concatenated bytes of a string array without nulls (its data buffer, sliced)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return string_data_view(values).tobytes()
