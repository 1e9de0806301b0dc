"""Tidy frequency tables and the data dictionary; reruns give identical bytes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from gtflow import contracts
from gtflow.coding.codebook import check_codebook
from gtflow.export.steps import export_tables
from gtflow.export.tables import data_dictionary, frequency_table, share
from gtflow.mechanisms.cases import corpus_documents, evidence_codings, placed_codings

RAW_CODEBOOK = {
    "version": 1, "language": "zh",
    "core": {"id": "C", "label": "核心", "label_en": "Core"},
    "main_categories": [{"id": "M1", "label": "主一", "label_en": "Main one"}],
    "categories": [{"id": "K1", "parent": "M1", "label": "类一", "label_en": "Cat one"},
                   {"id": "K2", "parent": "M1", "label": "类二", "label_en": "Cat two"}],
    "concepts": [{"id": "c1", "parent": "K1", "label": "概念一", "label_en": "Concept one"},
                 {"id": "c2", "parent": "K2", "label": "概念二", "label_en": "Concept two"}],
}


def study():
    documents = contracts.frame("documents", [
        {"doc_id": doc_id, "source_type": source, "respondent_id": respondent,
         "duplicate_of": duplicate}
        for doc_id, source, respondent, duplicate in [
            ("I1", "interview", "R1", ""), ("I2", "interview", "R1", ""),
            ("W1", "web_page", "", ""), ("W2", "web_post", "", ""), ("W3", "web_post", "", "W2")]])
    codings = contracts.frame("codings", [
        {"doc_id": doc_id, "seg_id": seg_id, "start": 0, "end": 3, "concept_id": concept,
         "coder": coder, "origin": origin}
        for doc_id, seg_id, concept, coder, origin in [
            ("I1", 1, "c1", "auto", "auto"), ("I1", 1, "c1", "coder_a", "csv"),
            ("I1", 2, "c1", "auto", "auto"), ("I2", 1, "c1", "auto", "auto"),
            ("W1", 1, "c2", "auto", "auto"), ("W2", 1, "c1", "auto", "auto"),
            ("W3", 1, "c1", "auto", "auto")]])
    return documents, codings


def test_share_is_fixed_format():
    assert share(1, 3) == "0.3333" and share(0, 0) == "0.0000" and share(2, 2) == "1.0000"


def test_concept_frequencies_by_source_type():
    documents, codings = study()
    book = check_codebook(RAW_CODEBOOK, "codebook.yaml")
    docs = corpus_documents(documents)
    evidence = evidence_codings(placed_codings(codings, docs, book.hierarchy()))
    table = frequency_table(evidence, docs, book.hierarchy(), "concept")
    rows = {(r["concept_id"], r["source_type"]): (r["documents"], r["documents_share"], r["cases"],
                                                  r["codings"]) for r in table.to_dict("records")}
    # c1: I1 (s1 twice -> once, s2), I2 -> 2 interviews of one respondent, 3 codings; W2 once.
    assert rows[("c1", "interview")] == (2, "1.0000", 1, 3)
    assert rows[("c1", "web_page")] == (0, "0.0000", 0, 0)
    assert rows[("c1", "web_post")] == (1, "1.0000", 1, 1)
    assert rows[("c1", "all")] == (3, "0.7500", 2, 4)
    assert rows[("c2", "all")] == (1, "0.2500", 1, 1)
    assert list(table.columns) == ["concept_id", "concept", "concept_en", "category_id",
                                   "main_category_id", "source_type", "documents",
                                   "documents_share", "cases", "codings"]
    main = frequency_table(evidence, docs, book.hierarchy(), "main_category")
    assert main.loc[main["source_type"] == "all", "codings"].tolist() == [5]


def test_dictionary_must_cover_every_column():
    tables = {"t": pd.DataFrame(columns=["a", "b"])}
    with pytest.raises(KeyError, match="b"):
        data_dictionary(tables, {"t": {"a": "A column."}})


def write_inputs(tmp_path):
    documents, codings = study()
    documents.to_parquet(tmp_path / "documents.parquet")
    codings.to_parquet(tmp_path / "codings.parquet")
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(RAW_CODEBOOK, allow_unicode=True),
                                            encoding="utf-8")
    cases = [{"case_id": "R1", "case_type": "respondent", "source_type": "interview",
              "n_documents": 2},
             {"case_id": "W1", "case_type": "web_page", "source_type": "web_page", "n_documents": 1},
             {"case_id": "W2", "case_type": "web_post", "source_type": "web_post", "n_documents": 1}]
    contracts.write_table("case_by_main_category", contracts.frame(
        "case_by_main_category", [dict(c, M1=n) for c, n in zip(cases, [3, 1, 1])]),
        tmp_path / "case_main.csv")
    contracts.write_table("case_by_category", contracts.frame(
        "case_by_category", [dict(c, K1=a, K2=b) for c, a, b in zip(cases, [3, 1, 1], [0, 1, 0])]),
        tmp_path / "case_category.csv")


def run(tmp_path, out):
    names = ["concept_frequencies", "category_frequencies", "main_category_frequencies",
             "case_by_main_category", "case_by_category", "data_dictionary"]
    outputs = {n: str(tmp_path / out / f"{n}.csv") for n in names}
    export_tables(codings=tmp_path / "codings.parquet", documents=tmp_path / "documents.parquet",
                  codebook=tmp_path / "codebook.yaml", case_main=tmp_path / "case_main.csv",
                  case_category=tmp_path / "case_category.csv", outputs=outputs)
    return outputs


def test_tables_are_deterministic_and_fully_documented(tmp_path):
    write_inputs(tmp_path)
    first, second = run(tmp_path, "one"), run(tmp_path, "two")
    for name in first:
        assert Path(first[name]).read_bytes() == Path(second[name]).read_bytes(), name
    dictionary = pd.read_csv(first["data_dictionary"], keep_default_na=False)
    for name, path in first.items():
        header = pd.read_csv(path, nrows=0).columns.tolist()
        documented = dictionary.loc[dictionary["table"] == f"{name}.csv", "column"].tolist()
        assert documented == header, name
    assert (dictionary["description"].str.len() > 0).all()
    k2 = dictionary[(dictionary["table"] == "case_by_category.csv") & (dictionary["column"] == "K2")]
    assert "类二 / Cat two" in k2["description"].iloc[0]
    assert Path(first["case_by_main_category"]).read_bytes() == \
        (tmp_path / "case_main.csv").read_bytes()


def test_a_case_table_copied_is_the_table_written_again(tmp_path):
    """The tidy set copies the mechanisms' case tables byte for byte; for any table the
    contract reads, that is what writing the frame read from it again gives."""
    frame = contracts.frame("case_by_category", [
        {"case_id": case_id, "case_type": kind, "source_type": source, "n_documents": n,
         "K1": k1, "K2": 0}
        for case_id, kind, source, n, k1 in [("R1", "respondent", "interview", 2, 3),
                                             ('p,"1"', "web_post", "web_post", 1, 0),
                                             ("页面 1\u3000", "web_page", "web_page", 1, 12)]])
    source = tmp_path / "case_by_category.csv"
    contracts.write_table("case_by_category", frame, source)
    again, copied = tmp_path / "again.csv", tmp_path / "copied.csv"
    contracts.write_table("tables_case_by_category",
                          contracts.read_table("case_by_category", source), again)
    contracts.copy_table("tables_case_by_category", source, copied)
    assert copied.read_bytes() == again.read_bytes() == source.read_bytes()
    with pytest.raises(Exception, match="csv"):
        contracts.copy_table("tables_case_by_category", source, tmp_path / "copied.parquet")


def grouped_code_counts(evidence: pd.DataFrame, code_column: str) -> dict:
    """The counts as a pandas grouping gives them (the code before the bincounts)."""
    from gtflow.export.tables import ALL_SOURCES

    counts = {}
    for keys, source in (([code_column, "source_type"], None), ([code_column], ALL_SOURCES)):
        grouped = evidence.groupby(keys, sort=False).agg(
            documents=("doc_id", "nunique"), cases=("case_id", "nunique"),
            codings=("doc_id", "size"))
        for key, row in grouped.iterrows():
            counts[(key, source) if source else key] = (
                int(row["documents"]), int(row["cases"]), int(row["codings"]))
    return counts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_code_counts_are_the_grouped_counts(seed):
    import numpy as np

    from gtflow.export.tables import code_counts

    rng = np.random.default_rng(seed)
    rows = 400
    evidence = pd.DataFrame({
        "category_id": pd.array(rng.choice(["K1", "K2", "K3", None], rows), dtype="str"),
        "source_type": pd.array(rng.choice(["interview", "web_page", "web_post"], rows),
                                dtype="str"),
        "doc_id": pd.array([f"d{i}" for i in rng.integers(0, 60, rows)], dtype="str"),
        # case ids shared across source types, and some missing, count as they are
        "case_id": pd.array(rng.choice(["R1", "R2", "d1", "d2", None], rows), dtype="str"),
    })
    assert code_counts(evidence, "category_id") == grouped_code_counts(evidence, "category_id")
    empty = evidence.iloc[:0]
    assert code_counts(empty, "category_id") == grouped_code_counts(empty, "category_id") == {}
