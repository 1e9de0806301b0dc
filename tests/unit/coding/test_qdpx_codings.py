"""Manual codings from a REFI-QDA project in data/coding: gtflow's own export read back."""

from __future__ import annotations

import pandas as pd
import pytest

from gtflow.coding.codebook import check_codebook
from gtflow.coding.qdpx import read_manual_qdpx
from gtflow.errors import InputError
from gtflow.refi import write_project

TEXT = "答：每周都要排名。排名靠后就通报。"
RAW = {"core": {"id": "CORE", "label": "核心"},
       "main_categories": [{"id": "AA1", "label": "主"}],
       "categories": [{"id": "A1", "parent": "AA1", "label": "范畴"}],
       "concepts": [{"id": "a1", "parent": "A1", "label": "排名通报", "label_en": "Ranking"},
                    {"id": "a2", "parent": "A1", "label": "其他"}]}


def book():
    return check_codebook(RAW, "codebook.yaml")


def export(tmp_path, doc_id="LY-I01", codings=None):
    codings = codings if codings is not None else pd.DataFrame(
        {"doc_id": [doc_id, doc_id], "start": [2, 9], "end": [9, 17], "concept_id": ["a1", "a2"],
         "coder": ["ann", "bob"]})
    path = tmp_path / "project.qdpx"
    write_project(path, sources=[(doc_id, doc_id, TEXT)], codebook=RAW, codings=codings,
                  project_name="t")
    return path


def test_a_gtflow_export_reads_back_as_the_same_manual_codings(tmp_path):
    frame = read_manual_qdpx(export(tmp_path), {"LY-I01"}, book())
    assert list(zip(frame["doc_id"], frame["start"], frame["end"], frame["concept_id"],
                    frame["coder"], frame["quote"])) == [
        ("LY-I01", 2, 9, "a1", "ann", "每周都要排名。"), ("LY-I01", 9, 17, "a2", "bob", "排名靠后就通报。")]


def test_a_source_that_matches_no_document_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="matches no document") as caught:
        read_manual_qdpx(export(tmp_path), {"LY-I99"}, book())
    assert caught.value.path.endswith("project.qdpx") and caught.value.record is not None
