"""CSV text built in Arrow equals what pandas' to_csv writes, cell for cell."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from gtflow.csvtext import csv_bytes

AWKWARD_TEXT = ["plain", "comma, inside", 'a "quoted" word', "line\nbreak", "carriage\rreturn",
                "", " padded ", "中文，全角", "emoji 🙂", "trailing,"]


def pandas_csv(frame: pd.DataFrame, header: bool = True) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False, lineterminator="\n", header=header)
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("text_dtype", ["str", object])
def test_text_integer_and_boolean_columns_match_pandas(text_dtype):
    n = len(AWKWARD_TEXT)
    frame = pd.DataFrame({"text": pd.Series(AWKWARD_TEXT, dtype=text_dtype),
                          "count": np.arange(n, dtype=np.int64) * 1_000_003 - 7,
                          "flag": [i % 3 == 0 for i in range(n)],
                          'odd,"name"': pd.Series(AWKWARD_TEXT[::-1], dtype=text_dtype)})
    assert csv_bytes(frame) == pandas_csv(frame)
    assert csv_bytes(frame, header=False) == pandas_csv(frame, header=False)


def test_missing_text_is_an_empty_cell_as_in_pandas():
    frame = pd.DataFrame({"a": pd.Series(["x", None, "y"], dtype="str"),
                          "b": pd.Series(["x", None, float("nan")], dtype=object), "c": [1, 2, 3]})
    assert csv_bytes(frame) == pandas_csv(frame)


def test_empty_frame_is_its_header():
    frame = pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="int64")})
    assert csv_bytes(frame) == pandas_csv(frame) == b"a,b\n"


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"a": ["x"], "b": [1.5]}),                      # floats: pandas formats them
    pd.DataFrame({"a": ["x", "y"], "b": pd.array([1, None], dtype="Int64")}),  # missing integer
    pd.DataFrame({"a": ["x", "y"]}),                             # one column: quoted specially
    pd.DataFrame({"a": ["x"], "b": [pd.Timestamp("2021-01-01")]}),
])
def test_other_kinds_of_column_are_left_to_pandas(frame):
    assert csv_bytes(frame) is None


def test_joined_rows_are_the_blocks_combined_and_the_blocks_are_let_go():
    import pyarrow as pa

    from gtflow.csvtext import joined_rows

    whole = pa.array(["p1,T01,\"a, b\"", "", "涟源，平安", "x" * 300, "q", "r"], type=pa.large_string())
    blocks = [whole.slice(0, 2), pa.array([], type=pa.large_string()), whole.slice(2, 1),
              pa.array(["", ""], type=pa.large_string()), whole.slice(3, 3)]
    expected = pa.chunked_array(blocks).combine_chunks()
    joined = joined_rows(blocks)
    assert joined.equals(expected) and joined.type == pa.large_string()
    assert blocks == []
    assert joined_rows([]).to_pylist() == []


@pytest.mark.parametrize("seed", range(4))
def test_the_byte_scan_finds_what_the_quoting_pattern_matches(seed, monkeypatch):
    import random
    import re

    import pyarrow as pa

    from gtflow import csvtext

    monkeypatch.setattr(csvtext, "SCAN_BYTES", 7)  # scans cut mid-character as well
    rng = random.Random(seed)
    alphabet = ["a", "涟", "😀", " ", ",", '"', "\r", "\n", "é", "\u2028"]
    for _ in range(300):
        values = [None if rng.random() < 0.1 else
                  "".join(rng.choice(alphabet[:4] if rng.random() < 0.8 else alphabet)
                          for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 8))]
        array = pa.array(values, type=pa.large_string())
        expected = any(v is not None and re.search(csvtext.NEEDS_QUOTES, v) for v in values)
        assert csvtext.holds_quoting_characters(array) == expected
        middle = array[1:-1]  # a slice: its bytes begin inside the buffer
        assert csvtext.holds_quoting_characters(middle) == any(
            v is not None and re.search(csvtext.NEEDS_QUOTES, v) for v in values[1:-1])
        chunked = pa.chunked_array([array[:2], array[2:]], type=pa.large_string())
        assert csvtext.holds_quoting_characters(chunked) == expected


def test_integer_cells_are_arrow_formatted_integers():
    import pyarrow as pa

    from gtflow.csvtext import SMALL_INTEGERS, integer_cells

    rng = np.random.default_rng(1)
    for values in (np.zeros(0, dtype=np.int64), np.array([0]), np.arange(SMALL_INTEGERS),
                   rng.integers(0, 5, size=1000), rng.integers(-3, 40, size=100),
                   np.array([SMALL_INTEGERS - 1, SMALL_INTEGERS]), np.array([2**62, 7])):
        cells = integer_cells(values.astype(np.int64))
        assert cells.type == pa.large_string()
        assert cells.to_pylist() == [str(v) for v in values.tolist()]
