"""Cases, evidence codings, case matrices and co-occurrence on the hand-made study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mech_corpus import codebook, codings, documents_and_segments

from gtflow.mechanisms.cases import case_table, corpus_documents, evidence_codings, placed_codings
from gtflow.mechanisms.tabulate import case_matrix, coding_units, cooccurrence


@pytest.fixture()
def study():
    documents, segments = documents_and_segments()
    docs = corpus_documents(documents)
    placed = placed_codings(codings(segments), docs, codebook().hierarchy())
    return docs, segments, placed, evidence_codings(placed)


def test_duplicates_are_left_out_and_respondents_are_cases(study):
    docs, _, placed, _ = study
    assert "Q2" not in set(docs["doc_id"]) and "Q2" not in set(placed["doc_id"])
    cases = case_table(docs)
    assert cases.to_dict("records") == [
        {"case_id": "R1", "case_type": "respondent", "source_type": "interview", "n_documents": 2},
        {"case_id": "R2", "case_type": "respondent", "source_type": "interview", "n_documents": 1},
        {"case_id": "P1", "case_type": "web_page", "source_type": "web_page", "n_documents": 1},
        {"case_id": "Q1", "case_type": "web_post", "source_type": "web_post", "n_documents": 1},
    ]


def test_interview_without_respondent_is_its_own_case():
    documents = pd.DataFrame([{"doc_id": "I9", "source_type": "interview", "respondent_id": "",
                               "duplicate_of": ""}])
    assert corpus_documents(documents)["case_id"].tolist() == ["I9"]


def test_unknown_source_type_is_a_bug_not_an_input_error():
    documents = pd.DataFrame([{"doc_id": "X", "source_type": "fax", "respondent_id": "",
                               "duplicate_of": ""}])
    with pytest.raises(ValueError, match="fax"):
        corpus_documents(documents)


def test_evidence_deduplicates_by_unit_and_prefers_manual(study):
    _, _, placed, evidence = study
    assert len(placed) == 9  # 10 codings minus the duplicate document's one
    assert len(evidence) == 8  # I1 s1 c1 coded twice counts once
    i1 = evidence[(evidence["doc_id"] == "I1") & (evidence["concept_id"] == "c1")]
    assert i1["origin"].tolist() == ["csv"]


def test_case_by_main_category(study):
    docs, _, _, evidence = study
    matrix = case_matrix(evidence, case_table(docs), ["M1", "M2"], "main_category")
    assert list(matrix.columns) == ["case_id", "case_type", "source_type", "n_documents", "M1", "M2"]
    assert matrix[["case_id", "M1", "M2"]].values.tolist() == [
        ["R1", 2, 1], ["R2", 1, 1], ["P1", 1, 1], ["Q1", 1, 0]]


def test_case_by_category(study):
    docs, _, _, evidence = study
    matrix = case_matrix(evidence, case_table(docs), ["K1", "K2", "K3"], "category")
    assert matrix[["K1", "K2", "K3"]].values.tolist() == [[1, 1, 1], [1, 0, 1], [1, 0, 1], [0, 1, 0]]
    assert all(str(matrix[c].dtype) == "int64" for c in ["K1", "K2", "K3"])


def test_cooccurrence_levels(study):
    _, segments, placed, _ = study
    table = cooccurrence(coding_units(placed, segments), {"main_category": ["M1", "M2"]})
    counts = {(r["level"], r["a"], r["b"]): r["count"] for r in table.to_dict("records")}
    assert counts == {
        ("sentence", "M1", "M1"): 5, ("sentence", "M1", "M2"): 1, ("sentence", "M2", "M2"): 3,
        ("segment", "M1", "M1"): 5, ("segment", "M1", "M2"): 2, ("segment", "M2", "M2"): 3,
        ("document", "M1", "M1"): 5, ("document", "M1", "M2"): 3, ("document", "M2", "M2"): 3,
    }
    assert list(table.columns) == ["level", "code_level", "a", "b", "count"]


def test_turn_coding_covers_every_sentence_of_its_span():
    segments = pd.DataFrame({"doc_id": ["D"] * 3, "seg_id": [1, 2, 3], "turn": [0, 0, 1],
                             "start": [0, 5, 10], "end": [5, 10, 15]})
    placed = pd.DataFrame({"doc_id": ["D", "D"], "seg_id": [1, 3], "start": [0, 12],
                           "end": [10, 12], "concept_id": ["c1", "c2"],
                           "category_id": ["K1", "K2"], "main_category_id": ["M1", "M1"]})
    units = coding_units(placed, segments)
    assert units[["seg_id", "turn", "concept_id"]].values.tolist() == [
        [1, 0, "c1"], [2, 0, "c1"], [3, 1, "c2"]]  # the empty span keeps its own sentence


def test_coding_units_do_not_depend_on_the_order_of_the_sentences(study):
    _, segments, placed, _ = study
    shuffled = segments.sample(frac=1.0, random_state=3)
    assert not shuffled["start"].reset_index(drop=True).equals(segments["start"])
    pd.testing.assert_frame_equal(coding_units(placed, shuffled), coding_units(placed, segments))


def case_matrix_by_groupby(evidence, cases, code_ids, level):
    """Reference: counts by pandas groupby, unstacked and reindexed to the cases and codes."""
    column = {"main_category": "main_category_id", "category": "category_id"}[level]
    counts = (evidence.groupby(["case_id", column]).size().unstack(fill_value=0)
              if len(evidence) else pd.DataFrame())
    counts = counts.reindex(index=cases["case_id"], columns=code_ids, fill_value=0).fillna(0)
    counts = counts.astype("int64").reset_index(drop=True)
    counts.columns = list(code_ids)
    return pd.concat([cases.reset_index(drop=True), counts], axis=1)


@pytest.mark.parametrize("dtype", ["str", object])
def test_case_matrix_is_the_groupby_count(dtype):
    cases = pd.DataFrame({"case_id": ["R01", "R02", "web:p1", "R02", "web:p9"],
                          "case_type": ["respondent", "respondent", "web", "respondent", "web"],
                          "source_type": ["interview", "interview", "web_post", "interview",
                                          "web_post"],
                          "n_documents": [1, 2, 1, 2, 1]}).astype({"case_id": dtype})
    evidence = pd.DataFrame({
        "case_id": ["R01", "R01", "R02", "web:p1", "stray", "R02", "R01"],
        "main_category_id": ["M1", "M2", "M2", None, "M1", "M9", "M1"],
    }).astype({"case_id": dtype, "main_category_id": dtype})
    for codes in (["M1", "M2"], ["M2"], []):
        expected = case_matrix_by_groupby(evidence, cases, codes, "main_category")
        pd.testing.assert_frame_equal(case_matrix(evidence, cases, codes, "main_category"),
                                      expected, check_column_type=False)
    empty = evidence.iloc[:0]
    pd.testing.assert_frame_equal(case_matrix(empty, cases, ["M1"], "main_category"),
                                  case_matrix_by_groupby(empty, cases, ["M1"], "main_category"),
                                  check_column_type=False)


def random_units_study(seed: int, n_docs: int, n_codings: int, shuffle: bool):
    """Sentences and placed codings of a random corpus: spans covering several sentences, empty
    spans (kept on their own sentence, or dropped when it is missing), documents without
    sentences, turns of several sentences; sentences in order or shuffled."""
    import random

    rng = random.Random(seed)
    concepts = {"c1": "K1", "c2": "K1", "c3": "K2", "c4": "K3"}
    mains = {"K1": "M1", "K2": "M1", "K3": "M2"}
    sentences, lengths = [], {}
    doc_ids = [rng.choice(["D", "文", "Dé"]) + str(i) for i in range(n_docs)]
    for doc_id in doc_ids[: max(n_docs - 2, 0)]:  # the last two have no sentences
        start, turn = 0, 0
        for seg_id in range(rng.randint(1, 6)):
            end = start + rng.randint(1, 9)
            turn += rng.random() < 0.5
            sentences.append((doc_id, seg_id, turn, start, end))
            start = end
        lengths[doc_id] = start
    records = []
    for _ in range(n_codings):
        doc_id = rng.choice(doc_ids)
        start = rng.randint(0, lengths.get(doc_id, 5))
        end = min(start + rng.choice([0, 0, 3, 8, 30]), lengths.get(doc_id, 5))
        concept = rng.choice(sorted(concepts))
        records.append((doc_id, rng.randint(0, 7), start, end, concept, concepts[concept],
                        mains[concepts[concept]]))
    segments = pd.DataFrame(sentences, columns=["doc_id", "seg_id", "turn", "start", "end"])
    if shuffle:
        segments = segments.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    placed = pd.DataFrame(records, columns=["doc_id", "seg_id", "start", "end", "concept_id",
                                            "category_id", "main_category_id"])
    return placed.sort_values(["doc_id", "seg_id"], kind="stable").reset_index(drop=True), segments


@pytest.mark.parametrize(("seed", "n_docs", "n_codings", "shuffle"), [
    (0, 0, 0, False), (1, 1, 1, False), (2, 4, 10, True), (3, 30, 300, False),
    (4, 30, 300, True), (5, 200, 3000, False)])
def test_units_and_cooccurrence_match_the_former_count(seed, n_docs, n_codings, shuffle):
    import reference_tabulate

    placed, segments = random_units_study(seed, n_docs, n_codings, shuffle)
    units = coding_units(placed, segments)
    former = reference_tabulate.coding_units(placed, segments)
    pd.testing.assert_frame_equal(units, former)
    code_sets = {"main_category": ["M1", "M2", "M3"], "category": ["K3", "K1", "K2"]}
    pd.testing.assert_frame_equal(cooccurrence(units, code_sets),
                                  reference_tabulate.cooccurrence(former, code_sets))
    if n_codings > 100:
        assert units["seg_id"].nunique() > 3 and len(units) > len(placed) // 2


def dense_pair_counts(units, code_index, n_codes):
    """Units where both codes occur, from a dense unit x code incidence (small cases only)."""
    incidence = np.zeros((int(units.max()) + 1 if len(units) else 0, n_codes), dtype=np.int64)
    listed = code_index >= 0
    incidence[units[listed], code_index[listed]] = 1
    return incidence.T @ incidence


@pytest.mark.parametrize("batch", [1, 7, 1 << 20])
@pytest.mark.parametrize(("seed", "rows", "n_units", "n_codes"), [
    (0, 0, 1, 3), (1, 1, 1, 1), (2, 50, 5, 4), (3, 2000, 300, 9), (4, 2000, 20, 40)])
def test_pair_counts_are_the_dense_incidence_product(monkeypatch, batch, seed, rows, n_units,
                                                     n_codes):
    from gtflow.mechanisms import tabulate

    monkeypatch.setattr(tabulate, "PAIR_BATCH", batch)  # batches smaller than a unit's pairs too
    rng = np.random.default_rng(seed)
    units = rng.integers(0, n_units, rows)
    code_index = rng.integers(-1, n_codes, rows)  # -1: a code not listed; repeats in a unit
    found = tabulate.pair_counts(units, code_index, n_codes)
    assert found.dtype == np.int64 and found.shape == (n_codes, n_codes)
    np.testing.assert_array_equal(found, dense_pair_counts(units, code_index, n_codes))


def test_the_mechanisms_job_does_not_load_scipy(modules_loaded_by):
    # scipy.sparse took about 0.2 s of the job's start for one product (now NumPy).
    assert modules_loaded_by("import gtflow.mechanisms.steps", ["scipy"]) == []


def merged_placed_codings(codings, docs, hierarchy):
    """The pandas way codings were placed (two merges and a map), kept as the reference of
    :func:`gtflow.mechanisms.cases.placed_codings`."""
    from gtflow.frames import sorted_stably
    from gtflow.mechanisms.cases import ORIGIN_RANK, single_chunk_columns

    base = codings.drop(columns=[c for c in ("category_id", "main_category_id") if c in codings])
    base = base.merge(docs[["doc_id", "source_type", "case_id", "case_type"]], on="doc_id",
                      how="inner")
    placed = base.merge(hierarchy[["concept_id", "category_id", "main_category_id", "core_id"]],
                        on="concept_id", how="inner")
    placed["origin_rank"] = placed["origin"].map(ORIGIN_RANK).fillna(len(ORIGIN_RANK)).astype(int)
    for column in ("seg_id", "start", "end"):
        placed[column] = placed[column].astype("int64")
    return single_chunk_columns(sorted_stably(
        placed, ["doc_id", "seg_id", "concept_id", "origin_rank", "coder", "start", "end"]
    ).reset_index(drop=True))


@pytest.mark.parametrize(("seed", "rows", "repeated_key"), [
    (0, 0, None), (1, 1, None), (2, 50, None), (3, 800, None), (4, 300, "doc_id"),
    (5, 300, "concept_id")])
def test_placed_codings_match_the_merges(seed, rows, repeated_key, caplog):
    import random

    from gtflow.mechanisms.cases import placed_codings

    rng = random.Random(seed)
    doc_ids = ["D2", "D10", "文1", "Dé", "D1", "X"]
    docs = pd.DataFrame({"doc_id": doc_ids[:5], "source_type": ["interview", "web_post",
                                                                 "web_page", "web_post",
                                                                 "interview"],
                         "case_id": ["R1", "D10", "文1", "Dé", "R1"],
                         "case_type": ["respondent", "web_post", "web_page", "web_post",
                                       "respondent"], "respondent_id": "x"})
    docs = docs.sort_values("doc_id", kind="stable").reset_index(drop=True)
    hierarchy = pd.DataFrame({"concept_id": ["c1", "c2", "c3"], "concept": "x",
                              "category_id": ["K1", "K1", "K2"],
                              "main_category_id": ["M1", "M1", "M1"], "core_id": "C"})
    if repeated_key == "doc_id":
        docs = pd.concat([docs, docs.iloc[[1]]], ignore_index=True)
    if repeated_key == "concept_id":
        hierarchy = pd.concat([hierarchy, hierarchy.iloc[[0]].assign(category_id="K9")],
                              ignore_index=True)
    records = [(rng.choice(doc_ids), rng.randint(0, 3), start := rng.randint(0, 9),
                start + rng.randint(0, 5), rng.choice(["c1", "c2", "c3", "c9"]),
                rng.choice(["auto", "coder_a", "Zoë"]),
                rng.choice(["auto", "csv", "review", "qdpx", "other"]), rng.choice(["", "r"]),
                "stale", "stale") for _ in range(rows)]
    codings = pd.DataFrame(records, columns=["doc_id", "seg_id", "start", "end", "concept_id",
                                             "coder", "origin", "rule", "category_id",
                                             "main_category_id"]).astype(
        {"seg_id": "int64", "start": "int64", "end": "int64"})
    placed = placed_codings(codings, docs, hierarchy)
    pd.testing.assert_frame_equal(placed, merged_placed_codings(codings, docs, hierarchy))
    if rows > 100:
        assert "missing from the codebook" in caplog.text


def grouped_case_table(docs):
    """The pandas way the case table was made (a groupby of three text columns), kept as the
    reference of :func:`gtflow.mechanisms.cases.case_table`."""
    from gtflow.mechanisms.cases import CASE_TYPES

    cases = (docs.groupby(["case_type", "case_id", "source_type"], sort=False)
             .agg(n_documents=("doc_id", "nunique")).reset_index())
    cases["type_order"] = cases["case_type"].map({t: i for i, t in enumerate(CASE_TYPES)})
    cases = cases.sort_values(["type_order", "case_id"], kind="stable").drop(columns="type_order")
    return cases[["case_id", "case_type", "source_type", "n_documents"]].reset_index(drop=True)


@pytest.mark.parametrize(("seed", "rows"), [(0, 0), (1, 1), (2, 30), (3, 400), (4, 2000)])
def test_case_table_is_the_groupby(seed, rows):
    import random

    rng = random.Random(seed)
    records = []
    for i in range(rows):
        source = rng.choice(["interview", "web_page", "web_post"])
        case_type = {"interview": "respondent"}.get(source, source)
        if rng.random() < 0.05:
            case_type = rng.choice(["other", None])
        doc_id = rng.choice([f"D{i}", f"文{i % 7}", None]) if rng.random() < 0.1 else f"D{i}"
        case_id = rng.choice(["R1", "R2", "受访者", "Zoë"]) if source == "interview" else doc_id
        records.append((doc_id, source, case_id, case_type))
    docs = pd.DataFrame(records, columns=["doc_id", "source_type", "case_id", "case_type"],
                        dtype="str")
    from gtflow.mechanisms.cases import case_table

    pd.testing.assert_frame_equal(case_table(docs), grouped_case_table(docs))
