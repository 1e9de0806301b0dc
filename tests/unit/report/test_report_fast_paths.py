"""The report's fast paths give what the straightforward pandas code gives."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixture_study import CODEBOOK

from gtflow import contracts
from gtflow.coding.codebook import check_codebook
from gtflow.errors import InputError
from gtflow.frames import arrow_text
from gtflow.mechanisms.model import CONTRARY_KINDS
from gtflow.report.audit import contrary_section, read_contrary_examples, smallest_texts
from gtflow.report.escape import plain_text
from gtflow.report.evidence import (
    SOURCE_GROUPS,
    below_previous,
    equals_previous,
    group_numbers,
    run_bounds,
)
from gtflow.report.explorer import contrary_documents, esc, read_contrary_lists
from gtflow.report.results import records
from gtflow.report.sections.coding import axial_table, coding_table
from gtflow.report.sections.overview import month_of, months_of, source_overview

ORDERED_TEXT = ["b", "a", "a", "", "é", "z", "平安", "平", "😀", "\uffff", "😀", "Z"]


@pytest.mark.parametrize("before", [None, "a", "平安", "😀", ""])
@pytest.mark.parametrize("dtype", ["str", object])
def test_row_comparisons_agree_with_python(before: str | None, dtype: object) -> None:
    column = arrow_text(pd.Series(ORDERED_TEXT, dtype=dtype))
    previous = [before, *ORDERED_TEXT[:-1]]
    np.testing.assert_array_equal(equals_previous(column, before),
                                  [p is not None and v == p
                                   for v, p in zip(ORDERED_TEXT, previous)])
    # Arrow compares UTF-8 bytes; Python compares code points: the orders agree.
    np.testing.assert_array_equal(below_previous(column, before),
                                  [p is not None and v < p
                                   for v, p in zip(ORDERED_TEXT, previous)])


def test_group_numbers_follow_the_source_groups() -> None:
    types = ["interview", "web_post", "other", "web_page", ""]
    expected = [next((n for n, (_, kinds) in enumerate(SOURCE_GROUPS) if t in kinds), -1)
                for t in types]
    np.testing.assert_array_equal(group_numbers(arrow_text(pd.Series(types, dtype="str"))),
                                  expected)


def test_run_bounds_start_a_run_at_row_0_and_at_every_change() -> None:
    assert run_bounds(np.array([True, True, False, True, False])) == [0, 2, 4, 5]
    assert run_bounds(np.array([False])) == [0, 1]


def former_coding_tables(book, codings: pd.DataFrame, documents: dict[str, int]) -> tuple:
    """The open and axial tables as the coding section built them before: counts per code from
    the codings, then every document count replaced by the evidence listing's."""
    grouped = {column: codings.groupby(column, sort=False)["doc_id"].agg(["size", "nunique"])
               for column in ("concept_id", "category_id", "main_category_id")}
    sizes = {k: int(v) for k, v in grouped["concept_id"]["size"].items()}
    concepts = [{**c, "n_codings": sizes.get(c["concept_id"], 0),
                 "n_documents": int(grouped["concept_id"]["nunique"].get(c["concept_id"], 0)),
                 "quote": None} for c in records(book.hierarchy())]
    mains = [{"id": m["id"], "label": m["label"], "label_en": m.get("label_en", ""),
              "definition": m.get("definition", ""), "definition_en": m.get("definition_en", ""),
              "n_documents": -1,
              "categories": [{"id": c["id"], "label": c["label"],
                              "label_en": c.get("label_en", ""),
                              "definition": c.get("definition", ""),
                              "definition_en": c.get("definition_en", ""),
                              "n_concepts": sum(1 for k in book.concepts if k["parent"] == c["id"]),
                              "n_documents": -1}
                             for c in book.categories if c["parent"] == m["id"]]}
             for m in book.main_categories]
    for concept in concepts:
        concept["n_documents"] = documents.get(str(concept["concept_id"]), 0)
    for main in mains:
        main["n_documents"] = documents.get(str(main["id"]), 0)
        for category in main["categories"]:
            category["n_documents"] = documents.get(str(category["id"]), 0)
    return concepts, mains


@pytest.mark.parametrize("dtype", ["str", object])
def test_coding_tables_are_the_former_tables(dtype: object) -> None:
    book = check_codebook(CODEBOOK, "config/codebook.yaml")
    codings = pd.DataFrame({"doc_id": ["d1", "d1", "d2", None, "d3", "d2", "d4"],
                            "concept_id": ["a1", "a1", "a1", "a2", "", "a2", None],
                            "category_id": ["A1", "A1", "A1", "A2", "", "A2", "A2"],
                            "main_category_id": ["AA1"] * 3 + ["AA2"] * 4}, dtype=dtype)
    for documents in ({}, {"a1": 2, "A1": 5, "AA2": 1, "zz": 9}):
        former = former_coding_tables(book, codings, documents)
        shown = [{**row, "quote": None} for row in coding_table(book, codings, {}, documents)]
        assert json.dumps([shown, axial_table(book, documents)]) == json.dumps(former)
        empty = coding_table(book, codings.iloc[0:0], {}, documents)
        assert [row["n_codings"] for row in empty] == [0] * len(book.concepts)


@pytest.mark.parametrize("count", [0, 1, 3, 20])
@pytest.mark.parametrize("dtype", ["str", object])
def test_smallest_texts_are_the_head_of_python_sorted(count: int, dtype: object) -> None:
    values = pd.Series(ORDERED_TEXT, dtype=dtype)
    assert smallest_texts(values, count) == sorted(values.astype(str))[:count]
    assert smallest_texts(values.iloc[0:0], count) == []


def test_contrary_examples_of_an_empty_table_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "negative_cases.csv"
    contracts.write_table("negative_cases", contracts.empty_frame("negative_cases"), path)
    examples = read_contrary_examples(path, 3)
    assert examples == {}
    section = contrary_section({}, examples, {"edges": [{"from": "a1", "to": "A1"}]}, 3, "x")
    assert [section["edges"][0][f"examples_{kind}"] for kind in CONTRARY_KINDS] == \
        [[] for _ in CONTRARY_KINDS]


@pytest.mark.parametrize("exemplars", [0, 1, 3, 20])
@pytest.mark.parametrize("rows", [1, 3, 1000])
def test_contrary_examples_are_the_smallest_of_each_edge_and_kind(exemplars: int, rows: int,
                                                                  tmp_path: Path) -> None:
    """The former reading: the whole table grouped, each group's smallest ids."""
    negative = contracts.frame("negative_cases", [
        {"edge": edge, "doc_id": doc, "kind": kind} for edge, doc, kind in NEGATIVE_ROWS * 2])
    path = tmp_path / "negative_cases.csv"
    contracts.write_table("negative_cases", negative, path)
    former = {key: smallest_texts(docs, exemplars)
              for key, docs in negative.groupby(["edge", "kind"], sort=False)["doc_id"]}
    assert read_contrary_examples(path, exemplars, rows=rows) == former


@pytest.mark.parametrize("dtype", ["str", object])
def test_months_of_agree_with_month_of_per_date(dtype: object) -> None:
    dates = pd.Series(["2021-10-03", "", "2021-10", "２０２１-１０-０１", "2021-1", "2021-10-03",
                       "abcd-ef", "1999-12-31T10:00"], dtype=dtype)
    assert months_of(dates).tolist() == [month_of(d) for d in dates]
    assert months_of(dates.iloc[0:0]).tolist() == []


def test_source_dates_are_the_first_and_last_known_dates() -> None:
    documents = pd.DataFrame({"doc_id": ["d1", "d2", "d3", "d4"],
                              "source_type": ["web_post"] * 4,
                              "date": ["2021-10-03", "", "2020-01-05", "2021-12-01"],
                              "raw_path": ["a", "a", "b", "b"], "n_chars": [1, 2, 3, 4],
                              "duplicate_of": ["", "", "", "d1"]}, dtype=None)
    documents = documents.astype({c: "str" for c in documents.columns if c != "n_chars"})
    [row] = source_overview(documents)
    known = sorted(d for d in documents["date"] if d)
    assert (row["first_date"], row["last_date"]) == (known[0], known[-1])
    only_unknown = documents.assign(date="")
    assert (source_overview(only_unknown)[0]["first_date"],
            source_overview(only_unknown)[0]["last_date"]) == ("", "")


@pytest.mark.parametrize("value", ["a<b & \"c\"", "  two\\n\\tlines\\x07 ", "", "平安 涟源",
                                   3, 2.5, float("nan"), None, True])
def test_esc_is_the_plain_escape_whatever_was_escaped_before(value: object) -> None:
    for _ in range(2):  # the second time from the remembered strings
        assert esc(value) == html.escape(plain_text(value), quote=True)


ODD_NEGATIVE_CASES = ('edge,doc_id,kind\na1->A1,007,source_only\n"a1->A1","P,01",""\n'
                      'A2->A3,"two\nlines",target_only\nA2->A3,平安 "x",target_only\n'
                      'A2->A3, spaced ,nan\nA2->A3,006,target_only\n')


@pytest.mark.parametrize("rows", [1, 2, 1000])
def test_negative_cases_in_batches_are_read_as_read_table(rows: int, tmp_path: Path) -> None:
    """Text kept verbatim (007, ' spaced ', 'nan', quoted commas and line breaks)."""
    path = tmp_path / "negative_cases.csv"
    path.write_text(ODD_NEGATIVE_CASES, encoding="utf-8")
    table = contracts.read_table("negative_cases", path)
    groups = table.groupby(["edge", "kind"], sort=False)["doc_id"]
    assert read_contrary_lists(path, 9, rows=rows) == {
        edge: {kind: (len(docs), docs.tolist()) for (e, kind), docs in groups if e == edge}
        for edge in table["edge"].unique()}
    assert read_contrary_examples(path, 9, rows=rows) == {
        key: sorted(docs.tolist()) for key, docs in groups}


@pytest.mark.parametrize("read", [read_contrary_lists, read_contrary_examples])
def test_negative_cases_missing_or_mismatched_are_named(read, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is missing"):
        read(tmp_path / "absent.csv", 3)
    path = tmp_path / "negative_cases.csv"
    path.write_text("edge,doc\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match="does not match table negative_cases"):
        read(path, 3)


NEGATIVE_ROWS = [("a1->A1", "P03", "source_only"), ("a1->A1", "P01", "target_only"),
                 ("b1->A1", "P02", "target_only"), ("a1->A1", "P02", "source_only"),
                 ("a1->A1", "P09", "source_only"), ("b1->A1", "P07", "target_only"),
                 ("a1->A1", "P,10 \"x\"", ""), ("zz", "平安\n两行", "source_only"),
                 ("a1->A1", "P03", "source_only"), ("b1->A1", "", "both")]


@pytest.mark.parametrize("cap", [0, 1, 2, 5])
@pytest.mark.parametrize("rows", [1, 3, 1000])
def test_contrary_lists_are_the_grouped_negative_cases(cap: int, rows: int,
                                                       tmp_path: Path) -> None:
    negative = contracts.frame("negative_cases", [
        {"edge": edge, "doc_id": doc, "kind": kind} for edge, doc, kind in NEGATIVE_ROWS])
    path = tmp_path / "negative_cases.csv"
    contracts.write_table("negative_cases", negative, path)
    expected = {}
    for (edge, kind), docs in negative.groupby(["edge", "kind"], sort=False)["doc_id"]:
        expected.setdefault(edge, {})[kind] = (len(docs), docs.tolist()[:cap])
    lists = read_contrary_lists(path, cap, rows=rows)
    assert lists == expected
    model = {"edges": [{"from": "a1", "to": "A1"}, {"from": "b1", "to": "A1"},
                       {"from": "c1", "to": "A1"}]}
    wanted: dict[str, set[str]] = {}
    for edge in model["edges"]:
        mine = negative[negative["edge"] == f"{edge['from']}->{edge['to']}"]
        for kind in CONTRARY_KINDS:
            node = edge["from"] if kind == "source_only" else edge["to"]
            wanted.setdefault(node, set()).update(
                mine.loc[mine["kind"] == kind, "doc_id"].tolist()[:cap])
    assert contrary_documents(lists, model) == wanted
    contracts.write_table("negative_cases", negative.iloc[0:0], path)
    assert read_contrary_lists(path, cap, rows=rows) == {}
