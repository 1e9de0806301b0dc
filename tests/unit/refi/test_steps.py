"""The export steps' own helpers: which codings belong to the exported documents."""

from __future__ import annotations

import pandas as pd
import pytest

from gtflow.refi.steps import rows_of_documents


@pytest.mark.parametrize("dtype", [object, "str"])
def test_rows_of_documents_are_the_rows_pandas_isin_keeps(dtype):
    frame = pd.DataFrame({"doc_id": pd.Series(["p1", "访谈", "p2", "p1", "😤", "", "P1"],
                                              dtype=dtype),
                          "start": range(7)}, index=[5, 3, 9, 1, 0, 2, 8])
    for doc_ids in (["p1", "😤", ""], [], ["nope"], ["访谈", "p2", "p1", "P1", "😤", ""]):
        expected = frame[frame["doc_id"].astype(object).isin(set(doc_ids))]
        pd.testing.assert_frame_equal(rows_of_documents(frame, doc_ids), expected)
