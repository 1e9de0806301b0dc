"""Manual codings: reading CSV, re-anchoring moved quotes, splitting onto segments."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from gtflow.coding.manual import anchor_codings, anchor_quote, codings_on_segments, read_manual_csv
from gtflow.errors import InputError

TEXT = "答：每周都要排名。排名靠后就通报，大家压力很大。"


def test_a_quote_at_its_offsets_is_kept():
    assert anchor_quote(TEXT, 2, 9, "每周都要排名。", 85) == (2, 9, "ok", 100.0)


def test_a_moved_quote_is_found_at_the_nearest_exact_occurrence():
    edited = "答：（补）每周都要排名。排名靠后就通报，大家压力很大。"
    assert anchor_quote(edited, 2, 9, "每周都要排名。", 85)[:3] == (5, 12, "moved")


def test_a_slightly_changed_quote_is_found_fuzzily_and_a_missing_one_is_orphaned():
    start, end, status, score = anchor_quote(TEXT, 0, 5, "排名靠后就要通报", 85)
    assert status == "fuzzy" and score >= 85 and "排名靠后" in TEXT[start:end]
    assert anchor_quote(TEXT, 0, 5, "完全不同的一句话在这里", 85)[2] == "orphaned"


def write_csv(tmp_path, rows, header="doc_id,start,end,quote,concept_id,coder"):
    path = tmp_path / "coder.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_anchoring_warns_and_keeps_every_coding(tmp_path, caplog):
    path = write_csv(tmp_path, ["d1,2,9,每周都要排名。,a1,ann", "d1,0,3,排名靠后就通报,a2,ann",
                                "d1,0,4,没有这句话啊啊啊啊,a2,ann"])
    with caplog.at_level(logging.WARNING):
        anchors = anchor_codings(read_manual_csv(path), {"d1": TEXT}, {"a1", "a2"}, 85)
    assert list(anchors["status"]) == ["ok", "moved", "orphaned"]
    assert "orphaned" in caplog.text and "moved" in caplog.text
    segments = pd.DataFrame({"doc_id": "d1", "seg_id": [1, 2], "start": [2, 9], "end": [9, 24]})
    placed = codings_on_segments(anchors, segments, origin="csv")
    assert list(placed["seg_id"]) == [1, 2]  # the orphan is reported, not placed


def test_a_coding_over_two_sentences_is_split_onto_both(tmp_path):
    anchors = anchor_codings(read_manual_csv(write_csv(tmp_path, ["d1,4,12,都要排名。排名靠,a1,ann"])),
                             {"d1": TEXT}, {"a1"}, 85)
    segments = pd.DataFrame({"doc_id": "d1", "seg_id": [1, 2], "start": [2, 9], "end": [9, 24]})
    placed = codings_on_segments(anchors, segments, origin="csv")
    assert list(zip(placed["seg_id"], placed["start"], placed["end"])) == [(1, 4, 9), (2, 9, 12)]


@pytest.mark.parametrize("rows, header, message, line", [
    (["d1,2,9,x,a1,ann"], "doc_id,start,quote,concept_id,coder", "lacks the column(s) end", 1),
    (["d1,2,9,x,a1,ann", "d1,two,9,x,a1,ann"], None, "start 'two' is not a whole number", 3),
    (["d1,9,2,x,a1,ann"], None, "end must be greater than start", 2),
    (["d1,2,9,x,a1,"], None, "coder is empty", 2),
])
def test_malformed_csv_names_file_and_line(tmp_path, rows, header, message, line):
    path = write_csv(tmp_path, rows, header) if header else write_csv(tmp_path, rows)
    with pytest.raises(InputError) as caught:
        read_manual_csv(path)
    assert message in caught.value.reason and caught.value.line == line


def test_unknown_document_or_concept_is_an_input_error(tmp_path):
    manual = read_manual_csv(write_csv(tmp_path, ["d9,2,9,x,a1,ann"]))
    with pytest.raises(InputError, match="document 'd9'"):
        anchor_codings(manual, {"d1": TEXT}, {"a1"}, 85)
    manual = read_manual_csv(write_csv(tmp_path, ["d1,2,9,x,zz,ann"]))
    with pytest.raises(InputError, match="concept 'zz'") as caught:
        anchor_codings(manual, {"d1": TEXT}, {"a1"}, 85)
    assert caught.value.line == 2
