"""The auto-coder: any/all/none/regex rules on sentences and whole turns, one pass per document."""

from __future__ import annotations

import pandas as pd

from gtflow.coding.autocode import AutoCoder, autocode
from gtflow.coding.codebook import Codebook, check_codebook


def codebook(concepts: list[dict]) -> Codebook:
    raw = {"core": {"id": "CORE", "label": "core"},
           "main_categories": [{"id": "AA1", "label": "m"}],
           "categories": [{"id": "A1", "parent": "AA1", "label": "c"}],
           "concepts": [{"parent": "A1", "label": c["id"], **c} for c in concepts]}
    for concept in raw["concepts"]:
        concept.setdefault("rules", {})
        for key in ("any", "all", "none", "regex"):
            concept["rules"].setdefault(key, [])
        concept["rules"].setdefault("unit", "sentence")
    return check_codebook(raw, "codebook.yaml")


TEXT = "答：每周都要排名。排名靠后就通报。\n答：每天早上都要打卡，打卡截图发群里。考核和下载量挂钩。"
SEGMENTS = pd.DataFrame({
    "doc_id": "d1", "seg_id": [1, 2, 3, 4], "turn": [0, 0, 1, 1],
    "start": [2, 9, 20, 37], "end": [9, 17, 37, 46],
})
SEGMENTS["text"] = [TEXT[s:e] for s, e in zip(SEGMENTS["start"], SEGMENTS["end"])]


def code(concepts):
    assert [TEXT[s:e] for s, e in zip(SEGMENTS["start"], SEGMENTS["end"])] == [
        "每周都要排名。", "排名靠后就通报。", "每天早上都要打卡，打卡截图发群里。", "考核和下载量挂钩。"]
    return pd.DataFrame(AutoCoder(codebook(concepts)).code_document("d1", TEXT, SEGMENTS))


def test_any_phrase_codes_each_sentence_it_occurs_in_and_records_the_phrase():
    result = code([{"id": "rank", "rules": {"any": ["排名", "通报"]}}])
    assert list(result["seg_id"]) == [1, 2]
    assert list(result["rule"]) == ["any:排名", "any:排名"]
    assert (result["coder"] == "auto").all() and (result["origin"] == "auto").all()


def test_all_requires_every_phrase_in_the_same_unit():
    result = code([{"id": "tie", "rules": {"all": ["考核", "下载量"]}},
                   {"id": "split", "rules": {"all": ["排名", "打卡"]}}])
    assert list(result["concept_id"]) == ["tie"] and list(result["seg_id"]) == [4]


def test_any_all_and_regex_are_alternatives_and_none_vetoes_each():
    result = code([{"id": "x", "rules": {"any": ["通报"], "all": ["考核", "挂钩"], "regex": ["每天.{0,4}打卡"]}}])
    assert list(zip(result["seg_id"], result["rule"])) == [
        (2, "any:通报"), (3, "regex:每天.{0,4}打卡"), (4, "all:考核+挂钩")]
    vetoed = code([{"id": "x", "rules": {"any": ["通报"], "all": ["考核", "挂钩"],
                                         "regex": ["每天.{0,4}打卡"], "none": ["靠后", "截图", "下载量"]}}])
    assert vetoed.empty


def test_none_vetoes_and_regex_matches_within_the_unit():
    result = code([{"id": "rank", "rules": {"any": ["排名"], "none": ["通报"]}},
                   {"id": "daily", "rules": {"regex": ["每天.{0,4}打卡"]}}])
    assert sorted(zip(result["concept_id"], result["seg_id"])) == [("daily", 3), ("rank", 1)]
    assert result.set_index("concept_id").loc["daily", "rule"] == "regex:每天.{0,4}打卡"


def test_segment_unit_codes_the_whole_turn_once():
    result = code([{"id": "turn", "rules": {"any": ["通报", "排名"], "unit": "segment"}}])
    assert len(result) == 1
    row = result.iloc[0]
    assert (row["seg_id"], row["start"], row["end"]) == (1, 2, 17)


def test_a_match_across_a_sentence_boundary_does_not_count():
    # "名。排" spans seg 1 and seg 2.
    assert code([{"id": "x", "rules": {"any": ["名。排"]}}]).empty


def test_autocode_table_has_the_codings_contract():
    documents = pd.DataFrame({"doc_id": ["d1"], "clean_text": [TEXT]})
    frame = autocode(documents, SEGMENTS, codebook([{"id": "rank", "rules": {"any": ["排名"]}}]))
    assert list(frame.columns) == ["doc_id", "seg_id", "start", "end", "concept_id", "coder",
                                   "origin", "rule"]
    assert frame["start"].dtype == "int64"
