"""SPSS/Stata export: valid names, labels within limits, files that read back with pyreadstat."""

from __future__ import annotations

import re

import pandas as pd
import pyreadstat
import pytest

from gtflow.export.spss import (
    MAX_STATA_LABEL_CHARS,
    cut_bytes,
    cut_chars,
    export_frame,
    variable_name,
    write_dta,
    write_sav,
)

VALID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")

CODES = pd.DataFrame({
    "code_id": ["A1", "A2", "3x", "to"],
    "level": ["category"] * 4,
    "label": ["权责失衡", "任务层层加码" * 20, "数字开头", "保留字"],
    "label_en": ["Powers and responsibilities out of balance", "Escalated tasks " * 10, "", "Reserved"],
    "parent_id": ["AA1"] * 4,
})


def case_category() -> pd.DataFrame:
    return pd.DataFrame({
        "case_id": ["R01", "R02", "W001", "P0001"],
        "case_type": ["respondent", "respondent", "web_page", "web_post"],
        "source_type": ["interview", "interview", "web_page", "web_post"],
        "n_documents": [2, 1, 1, 1],
        "A1": [3, 0, 1, 0], "A2": [0, 1, 0, 2], "3x": [1, 1, 1, 1], "to": [0, 0, 0, 5],
    })


@pytest.mark.parametrize(("code_id", "expected"), [
    ("A1", "A1"), ("3x", "v3x"), ("a.b-c", "a_b_c"), ("权责", "v__"), ("TO", "TO_"),
    ("_cons", "v_cons"), ("x" * 40, "x" * 32)])
def test_variable_names_are_valid(code_id, expected):
    name = variable_name(code_id, set())
    assert name == expected and VALID.match(name)


def test_variable_names_are_unique_case_insensitively():
    taken: set[str] = set()
    names = [variable_name(c, taken) for c in ("A1", "a1", "A1", "x" * 40, "x" * 41)]
    assert names == ["A1", "a1_2", "A1_3", "x" * 32, "x" * 30 + "_2"]


def test_label_cuts():
    assert cut_chars("短", 80) == "短"
    long = "权" * 100
    assert cut_chars(long, 80) == "权" * 79 + "…" and len(cut_chars(long, 80)) == 80
    cut = cut_bytes(long, 255)
    assert len(cut.encode("utf-8")) <= 255 and cut.endswith("…") and cut.startswith("权" * 80)


def test_export_frame_codes_and_labels():
    frame, labels = export_frame(case_category(), CODES)
    assert list(frame.columns) == ["case_id", "case_type", "source_type", "n_documents", "A1",
                                   "A2", "v3x", "to_"]
    assert frame["case_type"].tolist() == [1, 1, 2, 3]
    assert frame["source_type"].tolist() == [1, 1, 2, 3]
    assert labels["A1"] == "权责失衡 / Powers and responsibilities out of balance"
    assert labels["v3x"] == "数字开头"


def test_export_frame_rejects_unknown_case_type():
    table = case_category()
    table.loc[0, "case_type"] = "martian"
    with pytest.raises(ValueError, match="martian"):
        export_frame(table, CODES)


def test_sav_reads_back_with_labels(tmp_path):
    frame, labels = export_frame(case_category(), CODES)
    write_sav(frame, labels, tmp_path / "cases.sav", file_label="测试 test")
    data, meta = pyreadstat.read_sav(tmp_path / "cases.sav")
    assert list(data.columns) == list(frame.columns)
    assert data["A1"].tolist() == [3, 0, 1, 0] and data["case_id"].tolist() == ["R01", "R02",
                                                                                 "W001", "P0001"]
    column_labels = dict(zip(meta.column_names, meta.column_labels))
    assert column_labels["A1"] == "权责失衡 / Powers and responsibilities out of balance"
    assert len(column_labels["A2"].encode("utf-8")) <= 255
    assert meta.variable_value_labels["case_type"] == {1: "受访者 respondent", 2: "网页 web page",
                                                       3: "网帖 web post"}
    assert meta.variable_value_labels["source_type"][1] == "访谈 interview"
    assert meta.variable_measure["A1"] == "scale" and meta.variable_measure["case_type"] == "nominal"


def test_dta_reads_back_with_labels_within_80_characters(tmp_path):
    frame, labels = export_frame(case_category(), CODES)
    write_dta(frame, labels, tmp_path / "cases.dta", file_label="测试 test")
    data, meta = pyreadstat.read_dta(tmp_path / "cases.dta")
    assert data["to_"].tolist() == [0, 0, 0, 5]
    column_labels = dict(zip(meta.column_names, meta.column_labels))
    assert column_labels["A1"] == "权责失衡 / Powers and responsibilities out of balance"
    assert len(column_labels["A2"]) == MAX_STATA_LABEL_CHARS and column_labels["A2"].endswith("…")
    assert meta.variable_value_labels["source_type"] == {1: "访谈 interview", 2: "网页 web page",
                                                         3: "网帖 web post"}


def test_creation_stamp_is_pinned_so_files_are_byte_identical(tmp_path):
    frame, labels = export_frame(case_category(), CODES)
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        write_sav(frame, labels, folder / "cases.sav")
        write_dta(frame, labels, folder / "cases.dta")
    # The wall-clock stamp readstat writes is replaced, so the moment of writing never shows.
    assert b"01 Jan 7000:00:00" in (one / "cases.sav").read_bytes()
    assert b"01 Jan 1970 00:00" in (one / "cases.dta").read_bytes()
    for file in ("cases.sav", "cases.dta"):
        assert (one / file).read_bytes() == (two / file).read_bytes()
    data, _ = pyreadstat.read_dta(one / "cases.dta")
    assert len(data) == 4
