"""The clean stage end to end on small tables: order of operations, speakers, corpus, key."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gtflow import contracts
from gtflow.clean.authors import write_author_table
from gtflow.clean.deidentify import Pseudonymizer, name_table
from gtflow.clean.steps import clean_corpus, clean_file, clean_table, write_pseudonym_key
from gtflow.clean.texts import CleanTexts
from gtflow.ingest.posts import ingest_posts
from gtflow.ingest.roster import ingest_roster
from gtflow.ingest.transcripts import ingest_transcript
from gtflow.runner import run_step

ROSTER_ROWS = [{"name": "罗志强", "aliases": "罗委员", "pseudonym": "[P01]"},
               {"name": "李娟", "aliases": "", "pseudonym": "[P02]"}]


@pytest.fixture
def pseudonymize() -> Pseudonymizer:
    return Pseudonymizer(name_table(ROSTER_ROWS, ["钟老师"]))


def write_interview(tmp_path, body: str, name: str = "T01.md"):
    path = tmp_path / name
    path.write_text("---\nid: T01\ntitle: 访谈罗志强\ndate: 2021-03-18\nrespondent: R01\n"
                    "interviewer: INT-A\nlocation: 李娟家里\n---\n" + body, encoding="utf-8")
    return ingest_transcript(path, {"R01"})


def test_speaker_tags_that_are_names_are_pseudonymized(tmp_path, pseudonymize):
    table = write_interview(tmp_path, "罗志强：我先说。\n张三：我是张三，电话13807381234。\n"
                                      "罗志强：张三说得对。\n张三：好。\n钟老师：补充一句。\n钟老师：完。\n")
    documents, segments, counts = clean_table(table, pseudonymize)
    text = documents["clean_text"].iloc[0]
    assert "罗志强" not in text and "张三" not in text and "钟老师" not in text
    assert text.splitlines()[:3] == ["[P01]：我先说。", "[S01]：我是[S01]，电话[PHONE]。", "[P01]：[S01]说得对。"]
    assert set(segments["speaker"]) == {"[P01]", "[S01]", "[N01]"}
    row = documents.iloc[0]
    assert (row.title, row.location) == ("访谈[P01]", "[P02]家里")
    # Three [P01] (two tags, the title), four [S01], two [N01], one [P02], one phone.
    assert counts.set_index("placeholder")["count"].to_dict() == {
        "[N#]": 2, "[P#]": 4, "[PHONE]": 1, "[S#]": 4}
    assert set(counts["doc_id"]) == {"T01"}


def test_identifier_split_by_zero_width_space_is_caught(tmp_path, pseudonymize):
    table = write_interview(tmp_path, "答：电话138\u200b0738\u200b1234，我叫罗\u200b志强，"
                                      "车牌湘K\u200b·3A728。\n")
    text = clean_table(table, pseudonymize)[0]["clean_text"].iloc[0]
    assert text == "答：电话[PHONE]，我叫[P01]，车牌[PLATE]。"


def test_segments_point_into_the_clean_text(tmp_path, pseudonymize):
    table = write_interview(tmp_path, "[00:00:10] 问：您好。请讲。\n答：我叫罗志强。好的！\n")
    documents, segments, _ = clean_table(table, pseudonymize)
    text = documents["clean_text"].iloc[0]
    assert text == "问：您好。请讲。\n答：我叫[P01]。好的！"
    for segment in segments.itertuples():
        assert text[segment.start:segment.end] == segment.text
    assert segments["text"].tolist() == ["您好。", "请讲。", "我叫[P01]。", "好的！"]
    assert segments["timestamp"].tolist()[:1] == ["00:00:10"]
    assert segments["seg_id"].tolist() == [1, 2, 3, 4]
    assert documents["n_segments"].iloc[0] == 4


def write_export(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


POST = {"id": "p1", "url": "u", "date": "2019-06-18", "author": "罗委员", "parent_id": None,
        "text": "APP上线了，县里开了推进会，每周排名通报，网格员每天截图打卡。有事打13807381234。"}


def clean_export(tmp_path, name, rows, pseudonymize_names=ROSTER_ROWS):
    ingested = tmp_path / "private" / f"{name}.parquet"
    ingest_posts(write_export(tmp_path / f"{name}.jsonl", rows)).to_parquet(ingested)
    results = tmp_path / "results"
    docs, segs = results / f"{name}.documents.parquet", results / f"{name}.segments.parquet"
    counts = results / f"{name}.deidentification.parquet"
    roster = tmp_path / "private" / "roster.parquet"
    contracts.frame("roster", [dict(r, respondent_id=f"R{i}")
                               for i, r in enumerate(pseudonymize_names)]).to_parquet(roster)
    authors = tmp_path / "private" / "authors.csv"
    write_author_table([ingested], authors)
    shard = results / "clean" / "text" / "posts" / f"{name}.txt"
    index = shard.with_suffix(".index.parquet")
    clean_file(ingested, docs, segs, counts, shard, index, phone_regions=["CN"], roster=roster,
               extra_names=[], authors=authors)
    return str(docs), str(segs), str(counts), str(index)


def corpus_outputs(tmp_path):
    out = tmp_path / "results" / "clean"
    return {"documents_out": out / "documents.parquet", "segments_out": out / "segments.parquet",
            "duplicates_out": out / "duplicates.csv", "text_index_out": out / "text" / "index.parquet",
            "counts_out": out / "deidentification.csv"}


def test_clean_corpus_marks_reposts_and_writes_texts(tmp_path):
    (tmp_path / "private").mkdir()
    rows = [POST, dict(POST, id="p2", date="2019-06-19", text="转发 " + POST["text"]),
            dict(POST, id="p3", date="2019-06-17", text="完全无关的另一条，讨论验证码。", author="路人")]
    docs, segs, counts, index = clean_export(tmp_path, "weibo", rows)
    outputs = corpus_outputs(tmp_path)
    clean_corpus([docs], [segs], [index], counts=[counts], threshold=0.8, shingle_size=5,
                 permutations=64, seed=1, **outputs)
    documents = pd.read_parquet(outputs["documents_out"])
    assert documents.set_index("doc_id")["duplicate_of"].to_dict() == {"p1": "", "p2": "p1", "p3": ""}
    # Post authors become author pseudonyms, even one whose handle is a roster alias.
    assert documents.set_index("doc_id")["author"].to_dict() == {
        "p1": "[U001]", "p2": "[U001]", "p3": "[U002]"}
    table = pd.read_csv(outputs["counts_out"])
    assert table.to_dict("records") == [
        {"doc_id": "p1", "placeholder": "[PHONE]", "count": 1},
        {"doc_id": "p1", "placeholder": "[U#]", "count": 1},
        {"doc_id": "p2", "placeholder": "[PHONE]", "count": 1},
        {"doc_id": "p2", "placeholder": "[U#]", "count": 1},
        {"doc_id": "p3", "placeholder": "[U#]", "count": 1}]
    assert pd.read_csv(outputs["duplicates_out"])["kind"].tolist() == ["kept", "near"]
    # One shard for the export; the corpus index finds each post's text in it.
    texts = CleanTexts.open(outputs["text_index_out"])
    assert texts["p1"].endswith("有事打[PHONE]。")
    assert sorted(texts) == ["p1", "p2", "p3"]
    assert pd.read_parquet(outputs["text_index_out"])["shard"].unique().tolist() == ["posts/weibo.txt"]
    shard = (outputs["text_index_out"].parent / "posts" / "weibo.txt").read_text(encoding="utf-8")
    assert shard == "".join(texts[d] + "\n" for d in ["p1", "p2", "p3"])


def test_duplicate_ids_across_two_exports_stop_the_corpus(tmp_path, capsys):
    (tmp_path / "private").mkdir()
    first = clean_export(tmp_path, "weibo", [POST])
    second = clean_export(tmp_path, "forum", [dict(POST, text="另一条")])
    outputs = corpus_outputs(tmp_path)
    with pytest.raises(SystemExit) as stop:
        run_step(clean_corpus, log=tmp_path / "corpus.log", documents=[first[0], second[0]],
                 segments=[first[1], second[1]], text_indexes=[first[3], second[3]],
                 counts=[first[2], second[2]], threshold=0.8,
                 shingle_size=5, permutations=64, seed=1, **outputs)
    assert stop.value.code == 1
    message = capsys.readouterr().err.strip()
    assert "forum.jsonl, record p1: document id 'p1' is also used by" in message
    assert "weibo.jsonl" in message and "must be unique across the study" in message
    assert not any(path.exists() for path in outputs.values())


def test_pseudonym_key_lists_roster_and_extra_names(tmp_path):
    roster = tmp_path / "respondents.csv"
    roster.write_text("respondent_id,name,aliases\nR01,罗志强,罗委员\nR02,李娟,\n", encoding="utf-8")
    private = tmp_path / "private" / "roster.parquet"
    ingest_roster(roster, private, tmp_path / "results" / "r.parquet", tmp_path / "results" / "l.json")
    key = tmp_path / "private" / "pseudonym_key.csv"
    write_pseudonym_key(private, ["钟老师"], key)
    table = pd.read_csv(key, dtype=str, keep_default_na=False)
    assert table.to_dict("records") == [
        {"pseudonym": "[P01]", "respondent_id": "R01", "name": "罗志强"},
        {"pseudonym": "[P02]", "respondent_id": "R02", "name": "李娟"},
        {"pseudonym": "[N01]", "respondent_id": "", "name": "钟老师"}]


def test_an_excluded_page_without_text_cleans_to_empty_tables(tmp_path, pseudonymize):
    from gtflow.ingest.documents import document_frame

    raw = tmp_path / "W1.html"
    raw.write_text("<html></html>", encoding="utf-8")
    empty = document_frame(raw, [{"doc_id": "W1"}], {"W1": []})
    documents, segments, counts = clean_table(empty, pseudonymize)
    assert documents.empty and segments.empty and counts.empty
    assert "clean_text" in documents.columns and "seg_id" in segments.columns


def test_chunks_of_the_ingest_table_never_split_a_document(tmp_path):
    from gtflow.clean.steps import whole_document_chunks

    turns = {"a": 1, "b": 4, "c": 2, "d": 5, "e": 1}
    rows = [{"doc_id": d, "turn": t, "text": f"{d}{t}"} for d, n in turns.items() for t in range(n)]
    path = tmp_path / "x.parquet"
    contracts.write_table("ingest_turns", contracts.frame("ingest_turns", rows), path)
    chunks = list(whole_document_chunks(path, 3))
    for chunk in chunks:
        for doc_id, count in chunk["doc_id"].value_counts().items():
            assert count == turns[doc_id]
    assert pd.concat(chunks, ignore_index=True)["text"].tolist() == [r["text"] for r in rows]
    assert len(chunks) >= 3
    # A file that fits one batch is one chunk (one row group, the bytes of a whole write).
    assert len(list(whole_document_chunks(path, 100))) == 1


def test_a_file_cleaned_in_chunks_is_the_file_cleaned_whole(tmp_path, monkeypatch):
    from gtflow.clean import steps

    for run in ("whole", "chunked"):
        (tmp_path / run / "private").mkdir(parents=True)
    rows = [dict(POST, id=f"p{i}", text=f"第{i}条：有事打13912345678。" * (i % 3 + 1),
                 author=f"用户{i % 4}") for i in range(1, 12)]
    whole = clean_export(tmp_path / "whole", "weibo", rows)
    monkeypatch.setattr(steps, "CHUNK_TURNS", 4)
    chunked = clean_export(tmp_path / "chunked", "weibo", rows)
    for table, first, second in zip(
            ("file_documents", "file_segments", "file_deidentification", "file_text_index"),
            whole, chunked):
        pd.testing.assert_frame_equal(
            contracts.read_table(table, second).drop(columns="raw_path", errors="ignore"),
            contracts.read_table(table, first).drop(columns="raw_path", errors="ignore"))
    shard = "results/clean/text/posts/weibo.txt"
    assert (tmp_path / "chunked" / shard).read_bytes() == (tmp_path / "whole" / shard).read_bytes()


def test_chunks_cleaned_by_two_workers_give_the_same_bytes_as_one(tmp_path, monkeypatch):
    from gtflow.clean import steps

    rows = [dict(POST, id=f"p{i}", text=f"第{i}条：罗委员说有事打13912345678。" * (i % 3 + 1),
                 author=f"用户{i % 4}") for i in range(1, 30)]
    ingested = tmp_path / "weibo.parquet"
    ingest_posts(write_export(tmp_path / "weibo.jsonl", rows)).to_parquet(ingested)
    authors = tmp_path / "authors.csv"
    write_author_table([ingested], authors)
    monkeypatch.setattr(steps, "CHUNK_TURNS", 4)
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"workers{workers}"
        names = ("documents.parquet", "segments.parquet", "counts.parquet", "text.txt",
                 "index.parquet")
        clean_file(ingested, *(out / name for name in names), phone_regions=["CN"],
                   extra_names=["罗委员"], authors=authors, workers=workers)
        outputs[workers] = {name: (out / name).read_bytes() for name in names}
    assert outputs[2] == outputs[1]
    assert b"13912345678" not in outputs[2]["text.txt"]


def test_corpus_tables_gathered_in_chunks_hold_every_row_in_order(tmp_path, monkeypatch):
    from gtflow.clean import steps

    paths = []
    for number, size in enumerate([3, 0, 5, 1]):
        rows = [{"doc_id": f"f{number}d{i}", "seg_id": i, "text": "句"} for i in range(size)]
        path = tmp_path / f"f{number}.segments.parquet"
        contracts.write_table("file_segments", contracts.frame("file_segments", rows), path)
        paths.append(str(path))
    monkeypatch.setattr(steps, "CHUNK_ROWS", 2)
    out = tmp_path / "segments.parquet"
    steps.gather_in_chunks("file_segments", paths, "segments", out)
    pd.testing.assert_frame_equal(contracts.read_table("segments", out),
                                  contracts.read_tables("file_segments", paths))
    empty = tmp_path / "none.parquet"
    steps.gather_in_chunks("file_segments", [paths[1]], "segments", empty)
    assert contracts.read_table("segments", empty).empty
