"""evidence.csv read in batches: the same counts, shown rows and page as reading it whole."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gtflow import contracts
from gtflow.config import load_config
from gtflow.errors import InputError
from gtflow.report import evidence as listing
from gtflow.report.evidence import digest_evidence, read_evidence
from gtflow.report.steps import build_evidence_explorer
from gtflow.resources import template_dir

SOURCE_OF = {"I01": "interview", "I02": "interview", "P01": "web_post", "P02": "web_page",
             "P03": "web_post", "P04": "web_post"}


def coding(item_type: str, item_id: str, doc_id: str, start: int, role: str = "",
           concept_id: str = "a1") -> dict:
    return {"item_type": item_type, "item_id": item_id, "level": "concept" if item_type == "code"
            else "edge", "role": role, "doc_id": doc_id, "source_type": SOURCE_OF[doc_id],
            "seg_id": start // 10, "start": start, "end": start + 5, "concept_id": concept_id,
            "coder": "auto", "origin": "auto", "rule": "any:x", "quote": f"{doc_id}@{start}",
            "truncated": False}


def sample_listing() -> pd.DataFrame:
    """A listing in the mechanisms stage's order: items, then role, doc_id, offsets; two codes
    over interviews and web documents, one edge whose ends cover the same documents."""
    rows = [coding("code", "a1", d, s) for d, s in
            (("I01", 0), ("I01", 20), ("I02", 5), ("P01", 0), ("P02", 3), ("P02", 30),
             ("P03", 1), ("P04", 2))]
    rows += [coding("code", "A1", d, s, concept_id="a2") for d, s in
             (("I02", 8), ("P03", 4), ("P03", 9))]
    rows += [coding("edge", "a1->A1", d, s, role) for role in ("source", "target")
             for d, s in (("I02", 5 if role == "source" else 8), ("P03", 1), ("P03", 4))]
    return contracts.frame("evidence", rows)


def batches_of(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [frame.iloc[i:i + size] for i in range(0, len(frame), size)]


def expected_tallies(frame: pd.DataFrame, cap: int) -> dict:
    """Counts and shown documents straight from the whole frame (the reading before batches)."""
    result = {}
    for (item_type, item_id), rows in frame.groupby(["item_type", "item_id"], sort=False):
        groups = {}
        for group, types in listing.SOURCE_GROUPS:
            docs = list(dict.fromkeys(rows.loc[rows["source_type"].isin(types), "doc_id"]))
            groups[group] = (len(docs), docs[:cap])
        result[(item_type, item_id)] = (rows["doc_id"].nunique(), len(rows), groups)
    return result


def observed_tallies(digest) -> dict:
    return {key: (t.n_documents, t.n_codings,
                  {g: (t.group_documents[g], t.shown[g]) for g, _ in listing.SOURCE_GROUPS})
            for key, t in digest.tallies.items()}


@pytest.mark.parametrize("size", [1, 2, 3, 5, 100])
@pytest.mark.parametrize("cap", [0, 1, 2, 10])
def test_batches_count_and_choose_as_the_whole_listing(size, cap):
    frame = sample_listing()
    digest = digest_evidence(batches_of(frame, size), cap=cap,
                             contrary_documents={"A1": {"P03", "P04"}})
    assert observed_tallies(digest) == expected_tallies(frame, cap)
    # The edge's documents under both ends count once: I02 and P03.
    assert digest.tally("edge", "a1->A1").n_documents == 2
    whole = digest_evidence([frame], cap=cap, contrary_documents={"A1": {"P03", "P04"}})
    pd.testing.assert_frame_equal(digest.shown, whole.shown)
    pd.testing.assert_frame_equal(digest.contrary, whole.contrary)
    # The shown rows are every row of the shown documents, in listing order.
    shown = {key: {doc for _, (_, docs) in groups.items() for doc in docs}
             for key, (_, _, groups) in expected_tallies(frame, cap).items()}
    wanted = frame[[doc in shown[(t, i)] for t, i, doc in
                    zip(frame["item_type"], frame["item_id"], frame["doc_id"])]]
    assert digest.shown["quote"].tolist() == wanted["quote"].tolist()
    assert digest.contrary["quote"].tolist() == ["P03@4", "P03@9"]


def test_an_item_without_evidence_counts_nothing():
    digest = digest_evidence([sample_listing()], cap=1)
    empty = digest.tally("code", "zz")
    assert (empty.n_documents, empty.n_codings, empty.shown["web"]) == (0, 0, [])
    assert digest.document_counts("code") == {"a1": 6, "A1": 2}


@pytest.mark.parametrize("swap, what, line", [
    ((1, 2), "document", 4),      # I01 after I02 within code a1 (header = line 1)
    ((7, 8), "item", 10),         # a1 continues after A1 started
    ((11, 14), "role", 14),       # source rows after a target row
])
def test_a_listing_out_of_order_is_named_with_its_line(tmp_path, swap, line, what):
    frame = sample_listing()
    order = list(range(len(frame)))
    order[swap[0]], order[swap[1]] = order[swap[1]], order[swap[0]]
    path = tmp_path / "evidence.csv"
    contracts.write_table("evidence", frame.iloc[order].reset_index(drop=True), path)
    with pytest.raises(InputError) as error:
        read_evidence(path, cap=2, rows=2)
    assert error.value.path == str(path)
    assert f"this {what} comes out of order" in str(error.value)
    assert error.value.line == line


def test_the_csv_is_read_in_batches_of_its_declared_columns(tmp_path):
    frame = sample_listing()
    frame.loc[0, "doc_id"], frame.loc[0, "rule"] = "007", ""
    path = tmp_path / "evidence.csv"
    contracts.write_table("evidence", frame, path)
    batches = list(contracts.read_csv_batches("evidence", path, ["doc_id", "rule", "start"], 4))
    assert [len(b) for b in batches] == [4, 4, 4, 4, 1]
    assert list(batches[0].columns) == ["doc_id", "rule", "start"]
    assert batches[0]["doc_id"].iloc[0] == "007" and batches[0]["rule"].iloc[0] == ""
    assert batches[0]["start"].dtype == "int64"
    contracts.write_table("evidence", contracts.empty_frame("evidence"), path)
    assert list(contracts.read_csv_batches("evidence", path, ["doc_id"], 4)) == []


def test_a_bad_csv_gives_one_message_naming_it(tmp_path):
    path = tmp_path / "evidence.csv"
    with pytest.raises(InputError, match="is missing"):
        list(contracts.read_csv_batches("evidence", path, ["doc_id"], 2))
    path.write_text("item_type,item_id,doc_id\ncode,a1,I01\n", encoding="utf-8")
    with pytest.raises(InputError, match="does not match table evidence") as error:
        read_evidence(path, cap=1)
    assert error.value.path == str(path)
    frame = sample_listing()
    contracts.write_table("evidence", frame, path)
    text = path.read_text(encoding="utf-8")
    assert ",0,0,5," in text
    path.write_text(text.replace(",0,0,5,", ",0,zero,5,", 1), encoding="utf-8")
    with pytest.raises(InputError, match="not a readable csv table evidence") as error:
        read_evidence(path, cap=1, rows=3)
    assert error.value.path == str(path) and "zero" in str(error.value)


def explorer_page(inputs, tmp_path: Path, name: str, cap: int) -> str:
    config = load_config(Path(inputs.config_file))
    config["study"]["name"] = "tiny"
    config["report"]["evidence_per_code"] = cap
    out = tmp_path / f"{name}.html"
    build_evidence_explorer(evidence=inputs.evidence, negative_cases=inputs.negative_cases,
                            mechanisms_summary=inputs.mechanisms_summary,
                            codebook=inputs.codebook, model=inputs.model,
                            memos=list(inputs.memos), config=config,
                            templates=template_dir(), out=out)
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("cap", [1, 500])
def test_the_page_is_the_same_whatever_the_batch_size(built_report, tmp_path, monkeypatch, cap):
    inputs = built_report["inputs"]
    whole = explorer_page(inputs, tmp_path, "whole", cap)
    assert whole.count('class="doc"') > 0
    monkeypatch.setattr(listing, "BATCH_ROWS", 1)
    assert explorer_page(inputs, tmp_path, "one_row", cap) == whole
    monkeypatch.setattr(listing, "BATCH_ROWS", 3)
    assert explorer_page(inputs, tmp_path, "three_rows", cap) == whole


def test_the_report_counts_code_documents_from_the_listing(built_report):
    evidence = contracts.read_table("evidence", built_report["inputs"].evidence)
    codes = evidence[evidence["item_type"] == "code"]
    expected = {k: int(v) for k, v in codes.groupby("item_id")["doc_id"].nunique().items()}
    for rows in (1, 2, 1000):
        counted = read_evidence(built_report["inputs"].evidence, cap=0, rows=rows)
        assert counted.document_counts("code") == expected


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 100])
def test_edges_count_a_document_under_several_ends_once(size):
    """Edges one after another, documents under one end, under both, or under all three roles,
    read in batches of every size: each document counts once per edge."""
    rows = [coding("code", "a1", "I01", 0)]
    for edge, roles in (("a1->A1", {"source": ("I01", "I02", "P01"), "target": ("I02", "P02")}),
                        ("A1->b1", {"middle": ("P01",), "source": ("I01", "P01", "P04"),
                                    "target": ("I02", "P01", "P03", "P04")}),
                        ("b1->c1", {"source": ("P02",), "target": ("I01",)})):
        rows += [coding("edge", edge, doc, start, role) for role in sorted(roles)
                 for doc in roles[role] for start in (0, 7)]
    frame = contracts.frame("evidence", rows)
    digest = digest_evidence(batches_of(frame, size), cap=1)
    assert observed_tallies(digest) == expected_tallies(frame, 1)
    assert [digest.tally("edge", e).n_documents for e in ("a1->A1", "A1->b1", "b1->c1")] \
        == [4, 5, 2]
