"""Per-coder coverage: declared in config, else the documents the coder coded."""

from __future__ import annotations

import pandas as pd
import pytest

from gtflow.coding.coverage import reviewed_by_all, reviewed_documents
from gtflow.errors import ConfigError

CODINGS = pd.DataFrame({
    "doc_id": ["D1", "D1", "D2", "D1", "D3", "D2"],
    "coder": ["coder_a", "coder_a", "coder_a", "coder_b", "coder_b", "auto"],
})


def test_default_coverage_is_the_documents_each_coder_coded():
    coverage = reviewed_documents(CODINGS)
    assert coverage == {"auto": frozenset({"D2"}), "coder_a": frozenset({"D1", "D2"}),
                        "coder_b": frozenset({"D1", "D3"})}


def test_declared_coverage_adds_reviewed_empty_documents():
    coverage = reviewed_documents(CODINGS, {"coder_b": ["D1", "D2", "D3"]})
    assert coverage["coder_b"] == frozenset({"D1", "D2", "D3"})
    assert coverage["coder_a"] == frozenset({"D1", "D2"})
    assert reviewed_by_all(coverage, ["coder_a", "coder_b"]) == frozenset({"D1", "D2"})


def test_a_declared_coder_without_codings_reviewed_only_empty_documents():
    coverage = reviewed_documents(CODINGS, {"coder_c": ["D4"]}, documents=["D1", "D2", "D3", "D4"])
    assert coverage["coder_c"] == frozenset({"D4"})


def test_the_auto_coder_reviewed_every_document_of_the_study():
    coverage = reviewed_documents(CODINGS, documents=["D1", "D2", "D3", "D4"])
    assert coverage["auto"] == frozenset({"D1", "D2", "D3", "D4"})


def test_a_declaration_that_omits_a_coded_document_is_an_error():
    with pytest.raises(ConfigError, match=r"code\.coverage\.coder_a': omits document\(s\) .*D2"):
        reviewed_documents(CODINGS, {"coder_a": ["D1"]})


def test_a_declared_document_that_does_not_exist_is_an_error():
    with pytest.raises(ConfigError, match="do not exist: D9"):
        reviewed_documents(CODINGS, {"coder_a": ["D1", "D2", "D9"]}, documents=["D1", "D2", "D3"])


def test_no_coder_in_common_reviews_nothing():
    assert reviewed_by_all({"a": frozenset({"D1"})}, ["a", "b"]) == frozenset()
    assert reviewed_by_all({}, []) == frozenset()


@pytest.mark.parametrize("dtype", ["object", "str"])
def test_coded_documents_are_those_of_every_row(dtype):
    from gtflow.coding.coverage import _coded_documents

    rows = [("auto", "d1"), ("auto", "d1"), ("a", "d2"), ("auto", "d2"), ("b", None),
            ("a", "d2"), ("文", "页面"), ("auto", "d3")] * 3
    frame = pd.DataFrame(rows, columns=["coder", "doc_id"]).astype(dtype)
    every_row: dict[str, set[str]] = {}  # what the step did before pairs were made distinct
    for coder, doc_id in zip(frame["coder"].tolist(), frame["doc_id"].tolist()):
        every_row.setdefault(str(coder), set()).add(str(doc_id))
    assert _coded_documents(frame) == every_row
    assert every_row["auto"] == {"d1", "d2", "d3"}
    without_missing = frame[frame["coder"] != "b"]
    assert _coded_documents(without_missing) == {c: d for c, d in every_row.items() if c != "b"}


def test_study_documents_may_be_a_column_an_index_or_a_list():
    codings = pd.DataFrame({"doc_id": ["d1", "d2"], "coder": ["auto", "a"]}).astype("str")
    documents = pd.Series(["d1", "d2", "d3"], dtype="str")
    expected = {"a": frozenset({"d2"}), "auto": frozenset({"d1", "d2", "d3"})}
    for given in (documents, pd.Index(documents), documents.unique(), documents.to_numpy(),
                  documents.tolist(), iter(documents.tolist())):
        assert reviewed_documents(codings, documents=given) == expected
