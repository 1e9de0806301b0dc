"""Arrow versions of slow pandas operations give pandas' answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gtflow.frames import text_isin


@pytest.mark.parametrize("dtype", ["str", object, "string[pyarrow]"])
def test_text_isin_is_pandas_isin(dtype):
    column = pd.Series(["T01", "p2", None, "p2", "涟源", "", "p10"], dtype=dtype)
    for values in (["p2", "涟源"], {"", "T01"}, [], ["none of these"], ["p1"]):
        expected = column.isin(list(values)).to_numpy(dtype=bool)
        assert text_isin(column, values).tolist() == expected.tolist(), (values, dtype)
        as_column = pd.Series(list(values), dtype="str")
        assert text_isin(column, as_column).tolist() == expected.tolist(), (values, dtype)


def test_text_isin_on_numbers_falls_back_to_pandas():
    column = pd.Series([1, 2, 3])
    assert text_isin(column, [2]).tolist() == [False, True, False]
    assert text_isin(pd.Series([], dtype="str"), ["a"]).dtype == np.bool_


def test_stable_order_is_pandas_stable_sort():
    from gtflow.frames import sorted_stably, stable_order

    rng = np.random.default_rng(3)
    n = 2000
    frame = pd.DataFrame({
        "doc": pd.Series(rng.choice(["p1", "p10", "p2", "涟源", "Ab", "ab", "", None], n), dtype="str"),
        "seg": rng.integers(0, 4, n),
        "score": rng.choice([0.5, np.nan, -1.0, 2.0], n),
        "flag": rng.random(n) < 0.5,
        "coder": pd.Series(rng.choice(["auto", "A", "B+A"], n), dtype=object),
    }, index=rng.permutation(n))
    for keys in (["doc", "seg"], ["flag", "score", "doc"], ["coder", "doc", "seg", "score"]):
        expected = frame.sort_values(keys, kind="stable")
        assert (frame.index[stable_order(frame, keys)] == expected.index).all(), keys
        pd.testing.assert_frame_equal(sorted_stably(frame, keys), expected)


def test_starts_of_runs_are_the_first_of_each_repeated_key_in_sorted_rows():
    from gtflow.frames import sorted_stably, starts_of_runs

    rng = np.random.default_rng(4)
    n = 3000
    frame = pd.DataFrame({
        "doc": pd.Series(rng.choice(["p1", "p2", "涟源", None], n), dtype="str"),
        "seg": rng.integers(0, 3, n),
        "tag": pd.Series(rng.choice(["a", "b", None], n), dtype=object),
    })
    for keys in (["doc"], ["doc", "seg"], ["seg", "tag", "doc"]):
        ordered = sorted_stably(frame, keys)
        assert (starts_of_runs(ordered, keys) == ~ordered.duplicated(keys).to_numpy()).all(), keys
    assert starts_of_runs(frame.iloc[:0], ["doc"]).tolist() == []


TEXT = ["d1", "d2", None, "d3", "d1", ""]


@pytest.mark.parametrize("dtype", ["str", object, pd.StringDtype("pyarrow")])
@pytest.mark.parametrize("wanted", [{"d1", "d3"}, ["d2", "d2"], [], {"d1", None}, ["", "x"],
                                    pd.Series(["d3", "d1"], dtype="str")])
def test_text_isin_agrees_with_pandas_isin(dtype: object, wanted: object) -> None:
    values = pd.Series(TEXT, dtype=dtype)
    expected = values.isin(list(wanted)).to_numpy(dtype=bool)
    found = text_isin(values, wanted)
    assert found.dtype == bool
    np.testing.assert_array_equal(found, expected)


def test_text_isin_leaves_values_of_other_kinds_to_pandas() -> None:
    values = pd.Series([1, 2, 3])
    np.testing.assert_array_equal(text_isin(values, [2, 5]), [False, True, False])
    text = pd.Series(["1", "2"], dtype="str")
    np.testing.assert_array_equal(text_isin(text, [1, "2"]), text.isin([1, "2"]).to_numpy())


def test_text_isin_takes_a_generator_once() -> None:
    values = pd.Series(TEXT, dtype="str")
    np.testing.assert_array_equal(text_isin(values, (v for v in ["d1", 2])),
                                  values.isin(["d1", 2]).to_numpy())


@pytest.mark.parametrize("dtype", ["str", "object", "string[pyarrow]"])
def test_distinct_values_are_the_set_of_the_column(dtype):
    from gtflow.frames import distinct_values

    column = pd.Series(["auto", "coder_a", "auto", "编码员", "coder_a"], dtype=dtype)
    assert distinct_values(column) == set(column) == {"auto", "coder_a", "编码员"}
    assert distinct_values(column.iloc[:0]) == set()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_sorted_without_repeats_is_pandas_sort_and_drop_duplicates(seed):
    from gtflow.frames import sorted_without_repeats

    rng = np.random.default_rng(seed)
    rows = 300
    frame = pd.DataFrame({
        "doc_id": pd.array(rng.choice(["d1", "d2", "文档", None], rows), dtype="str"),
        "start": rng.integers(0, 4, rows),
        "concept_id": pd.array(rng.choice(["c1", "c2"], rows), dtype="str"),
        "rule": pd.array(rng.choice(["any:x", "all:y+z", None], rows), dtype="str"),
        "score": rng.choice([0.5, 1.0, np.nan], rows),
        "label": rng.choice(["a", "b"], rows).astype(object),
    }, index=rng.permutation(rows) + 1000)
    expected = frame.sort_values(["doc_id", "start", "concept_id"], kind="stable").drop_duplicates()
    got = sorted_without_repeats(frame, ["doc_id", "start", "concept_id"])
    assert len(got) < len(frame)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(sorted_without_repeats(frame.iloc[:0], ["doc_id"]),
                                  frame.iloc[:0].sort_values(["doc_id"]).drop_duplicates())


def test_sorted_without_repeats_leaves_mixed_columns_to_pandas():
    from gtflow.frames import sorted_without_repeats

    frame = pd.DataFrame({"k": [2, 1, 1, 2], "v": [{"a": 1}, "x", "x", 3.5]})
    frame["v"] = frame["v"].astype(str).where(frame.index != 0, None)
    mixed = pd.DataFrame({"k": [2, 1, 1], "v": [b"x", "x", "x"]})
    for case in (frame, mixed):
        pd.testing.assert_frame_equal(sorted_without_repeats(case, ["k"]),
                                      case.sort_values(["k"], kind="stable").drop_duplicates())


@pytest.mark.parametrize("seed", range(5))
def test_value_numbers_are_pandas_factorize(seed):
    import random

    import pyarrow as pa

    from gtflow.frames import value_numbers

    rng = random.Random(seed)
    pool = ["D1", "D10", "文", "Dé", None, "", "😀"]
    for size in (0, 1, 2, 9, 200):
        values = [rng.choice(pool) for _ in range(size)]
        for ordered in (sorted(values, key=lambda v: (v is None, v or "")), values):
            array = pa.chunked_array([pa.array(ordered[:3], type=pa.large_string()),
                                      pa.array(ordered[3:], type=pa.large_string())])
            numbers, distinct, first_rows = value_numbers(array)
            codes, uniques = pd.factorize(pd.Series(ordered, dtype=object), use_na_sentinel=False)
            assert numbers.tolist() == codes.tolist()
            assert distinct.to_pylist() == [u if isinstance(u, str) else None
                                            for u in uniques.tolist()]
            assert first_rows.tolist() == [ordered.index(v) for v in distinct.to_pylist()]


@pytest.mark.parametrize("seed", range(3))
def test_positions_by_code_are_groupby_indices(seed):
    from gtflow.frames import positions_by_code

    rng = np.random.default_rng(seed)
    for size in (0, 1, 50, 600):
        codes = rng.integers(-1, 5, size=size)
        positions = np.flatnonzero(rng.random(size) < 0.7)
        if seed == 2:  # any order given is kept within each code
            positions = rng.permutation(positions)
        expected = {int(k): np.asarray(v) for k, v in
                    pd.Series(positions).groupby(codes[positions]).groups.items()}
        found = positions_by_code(codes, positions)
        assert found.keys() == {int(k) for k in set(codes[positions].tolist())}
        for code, rows in found.items():
            assert rows.tolist() == positions[codes[positions] == code].tolist()
        assert len(expected) == len(found)


def test_first_of_runs_and_is_ascending():
    import pyarrow as pa

    from gtflow.frames import first_of_runs, is_ascending

    assert first_of_runs(np.array([], dtype=np.int64)).tolist() == []
    assert first_of_runs(np.array([3, 3, 4, 4, 4, 7, 3])).tolist() == [
        True, False, True, False, False, True, True]
    for values, expected in (([], True), (["a"], True), (["D1", "D10", "D2", "文"], True),
                             (["a", "a"], False), (["b", "a"], False), (["a", None], False),
                             ([None], True)):
        assert is_ascending(pa.array(values, type=pa.large_string())) == expected


@pytest.mark.parametrize("seed", range(3))
def test_index_in_runs_is_arrow_index_in(seed):
    import random

    import pyarrow as pa
    import pyarrow.compute as pc

    from gtflow.frames import index_in_runs

    rng = random.Random(seed)
    pool = ["D1", "文", "Dé", None, "", "x"]
    for size in (0, 1, 2, 40, 500):
        values = [rng.choice(pool) for _ in range(size)]
        if seed == 1:
            values.sort(key=lambda v: (v is None, v or ""))
        for value_set in (["文", "D1", ""], ["x", None], []):
            wanted = pa.array(value_set, type=pa.large_string())
            chunked = pa.chunked_array([pa.array(values[:3], type=pa.large_string()),
                                        pa.array(values[3:], type=pa.large_string())])
            expected = pc.index_in(pa.array(values, type=pa.large_string()), value_set=wanted)
            assert index_in_runs(chunked, wanted).tolist() == [
                -1 if v is None else v for v in expected.to_pylist()]


def test_offsets_within_runs_count_from_zero_in_each_run():
    import numpy as np

    from gtflow.frames import offsets_within_runs

    np.testing.assert_array_equal(offsets_within_runs(np.array([3, 0, 1, 2])),
                                  [0, 1, 2, 0, 0, 1])
    assert offsets_within_runs(np.array([], dtype=np.int64)).tolist() == []
