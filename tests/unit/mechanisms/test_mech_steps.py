"""The stage end to end on the hand-made study: outputs, summary, byte-identical reruns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from mech_corpus import (
    MODEL,
    RAW_CODEBOOK,
    SETTINGS,
    clean_texts,
    codebook,
    codings,
    documents_and_segments,
)

from gtflow.errors import InputError
from gtflow.mechanisms.steps import build_mechanisms, mechanism_tables

OUTPUTS = ["case_main", "case_category", "cooccurrence", "nodes", "edges", "quotes",
           "concept_quotes", "negative_cases", "evidence", "recommendations"]


def test_summary_counts_and_storylines():
    documents, segments = documents_and_segments()
    tables = mechanism_tables(codings(segments), documents, segments, clean_texts(), codebook(), MODEL, SETTINGS)
    summary = tables["summary"]
    assert {k: summary[k] for k in ("n_documents", "n_interviews", "n_web_documents",
                                    "n_web_pages", "n_web_posts", "n_respondents", "n_cases",
                                    "n_duplicates_excluded", "n_codings", "n_codings_manual",
                                    "n_evidence_codings", "n_edges", "n_weak_edges")} == {
        "n_documents": 5, "n_interviews": 3, "n_web_documents": 2, "n_web_pages": 1,
        "n_web_posts": 1, "n_respondents": 2, "n_cases": 4, "n_duplicates_excluded": 1,
        "n_codings": 9, "n_codings_manual": 1, "n_evidence_codings": 8, "n_edges": 3,
        "n_weak_edges": 1}
    assert summary["weak_edges"] == ["K2->M2"]
    assert summary["storyline"] == "共 5 份；M1 5；边 3/1"
    assert summary["storyline_en"] == "3 interviews, 2 web"
    # R1: min(M1=5, M2=3) = 3 < 2*2; R2: K2 in I2 and Q1 = 2 >= 2.
    assert tables["recommendations"]["strength"].tolist() == ["moderate", "moderate"]


@pytest.fixture()
def inputs(tmp_path, text_index):
    documents, segments = documents_and_segments()
    paths = {"codings": tmp_path / "codings.parquet", "documents": tmp_path / "documents.parquet",
             "segments": tmp_path / "segments.parquet", "codebook": tmp_path / "codebook.yaml",
             "model": tmp_path / "model.yaml"}
    codings(segments).to_parquet(paths["codings"])
    documents.to_parquet(paths["documents"])
    segments.to_parquet(paths["segments"])
    paths["codebook"].write_text(yaml.safe_dump(RAW_CODEBOOK, allow_unicode=True), encoding="utf-8")
    paths["model"].write_text(yaml.safe_dump(MODEL, allow_unicode=True), encoding="utf-8")
    paths["texts"] = text_index(clean_texts())
    return paths


def run(inputs, out_dir):
    outputs = {name: str(out_dir / f"{name}.csv") for name in OUTPUTS}
    outputs["summary"] = str(out_dir / "summary.json")
    build_mechanisms(**{k: str(v) for k, v in inputs.items()}, settings=SETTINGS, outputs=outputs)
    return outputs


def test_outputs_are_written_and_reruns_are_byte_identical(inputs, tmp_path):
    first = run(inputs, tmp_path / "one")
    second = run(inputs, tmp_path / "two")
    for name, path in first.items():
        assert Path(path).read_bytes() == Path(second[name]).read_bytes(), name
    summary = json.loads(Path(first["summary"]).read_text(encoding="utf-8"))
    assert summary["n_documents"] == 5
    header = Path(first["edges"]).read_text(encoding="utf-8").splitlines()[0]
    assert header == ("from,to,relation,relation_en,documents,respondents,interviews,"
                      "web_documents,weak,threshold")


def test_unknown_storyline_placeholder_names_the_model_file(inputs, tmp_path):
    model = dict(MODEL, storyline="{{ node['NOPE'].documents }}")
    inputs["model"].write_text(yaml.safe_dump(model, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as error:
        run(inputs, tmp_path / "out")
    assert str(inputs["model"]) in str(error.value) and "storyline" in str(error.value)
    assert not (tmp_path / "out" / "summary.json").exists()


def test_a_study_without_codings_gives_zero_evidence_not_an_error():
    documents, segments = documents_and_segments()
    empty = codings(segments).iloc[0:0]
    tables = mechanism_tables(empty, documents, segments, clean_texts(), codebook(), MODEL, SETTINGS)
    assert tables["nodes"]["documents"].tolist() == [0, 0, 0, 0]
    assert tables["edges"]["weak"].all() and tables["quotes"].empty
    assert tables["case_main"][["M1", "M2"]].to_numpy().sum() == 0
    assert tables["cooccurrence"]["count"].sum() == 0
    assert tables["recommendations"]["strength"].tolist() == ["weak", "weak"]


def test_texts_by_id_reads_the_clean_texts_as_one_at_a_time(tmp_path):
    import pandas as pd

    from gtflow.clean.texts import CleanTexts, write_shard
    from gtflow.mechanisms.steps import texts_by_id

    texts = {"p1": "平安涟源，打卡😀。", "p2": "", "p3": "naïve café\nline two", "p4": "𠮷野家",
             "q1": "第二个分片", "q2": "x"}
    index = pd.concat([write_shard(tmp_path / "posts" / "a.txt", ["p1", "p2", "p3", "p4"],
                                   [texts[d] for d in ("p1", "p2", "p3", "p4")]),
                       write_shard(tmp_path / "posts" / "b.txt", ["q2", "q1"],
                                   [texts["q2"], texts["q1"]])], ignore_index=True)
    shards = CleanTexts(index, tmp_path / "posts")
    for wanted in ([], ["p3", "p1", "p4", "p2"], ["p2"], ["q1", "p4", "q2", "p1", "p3"]):
        for source in (shards, texts):
            read = texts_by_id(source, wanted)
            assert read == {d: shards[d] for d in wanted} and list(read) == wanted
    for source in (shards, texts):
        with pytest.raises(KeyError):
            texts_by_id(source, ["p1", "nope"])


def test_coded_documents_are_the_sorted_distinct_ids():
    import pandas as pd

    from gtflow.mechanisms.steps import coded_documents

    for ids in ([], ["b"], ["D2", "D2", "D10", "文", "Dé", "D10", "a", "D2"],
                sorted(["D2", "D2", "D10", "文", "Dé", "D10", "a", "D2"])):
        for dtype in ("str", object):
            codings = pd.DataFrame({"doc_id": pd.Series(ids, dtype=dtype)})
            assert coded_documents(codings) == sorted(set(ids))
