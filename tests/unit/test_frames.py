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
