"""The report's fast paths give what the straightforward pandas code gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gtflow.report.results import is_in

TEXT = ["d1", "d2", None, "d3", "d1", ""]


@pytest.mark.parametrize("dtype", ["str", object, pd.StringDtype("pyarrow")])
@pytest.mark.parametrize("wanted", [{"d1", "d3"}, ["d2", "d2"], [], {"d1", None}, ["", "x"],
                                    pd.Series(["d3", "d1"], dtype="str")])
def test_is_in_agrees_with_pandas_isin(dtype: object, wanted: object) -> None:
    values = pd.Series(TEXT, dtype=dtype)
    expected = values.isin(list(wanted)).to_numpy(dtype=bool)
    found = is_in(values, wanted)
    assert found.dtype == bool
    np.testing.assert_array_equal(found, expected)


def test_is_in_leaves_values_of_other_kinds_to_pandas() -> None:
    values = pd.Series([1, 2, 3])
    np.testing.assert_array_equal(is_in(values, [2, 5]), [False, True, False])
    text = pd.Series(["1", "2"], dtype="str")
    np.testing.assert_array_equal(is_in(text, [1, "2"]), text.isin([1, "2"]).to_numpy())
