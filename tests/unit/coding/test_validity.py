"""Validity of the auto-coder against human coders: counts, precision, recall, F1 by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from gtflow.coding.audit import rule_audit
from gtflow.coding.validity import (
    concept_status,
    human_coverage,
    sentence_units,
    validity_table,
    with_code_means,
)

HIERARCHY = pd.DataFrame({"concept_id": ["a1", "a2", "b1"], "category_id": ["A1", "A1", "B1"],
                          "main_category_id": ["AA1", "AA1", "AA1"]})
SEGMENTS = pd.DataFrame({"doc_id": ["D1"] * 5 + ["D2"] * 2, "seg_id": [0, 1, 2, 3, 4, 0, 1],
                         "turn": [0, 0, 1, 1, 1, 0, 0],
                         "start": [0, 10, 20, 30, 40, 0, 10], "end": [10, 20, 30, 40, 50, 10, 20],
                         "text": [f"s{i}" for i in range(7)]})


def coding(doc, seg, concept, coder, rule=""):
    start = int(SEGMENTS[(SEGMENTS["doc_id"] == doc) & (SEGMENTS["seg_id"] == seg)]["start"].iloc[0])
    return {"doc_id": doc, "seg_id": seg, "start": start, "end": start + 10, "concept_id": concept,
            "coder": coder, "origin": "auto" if coder == "auto" else "csv", "rule": rule}


def worked_example() -> pd.DataFrame:
    """auto: a1 on 0,1,2, a2 on 3, b1 on 4 (and a1 on D2, which no human coded);
    coder_a: a1 on 0,1, a2 on 2; coder_b: a1 on 0, a2 on 3."""
    rows = [coding("D1", s, "a1", "auto", "any:排名") for s in (0, 1, 2)]
    rows += [coding("D1", 3, "a2", "auto", "any:通报"), coding("D1", 4, "b1", "auto", "regex:x+"),
             coding("D2", 0, "a1", "auto", "any:排名")]
    rows += [coding("D1", 0, "a1", "coder_a"), coding("D1", 1, "a1", "coder_a"),
             coding("D1", 2, "a2", "coder_a"), coding("D1", 0, "a1", "coder_b"),
             coding("D1", 3, "a2", "coder_b")]
    return pd.DataFrame(rows)


def row(table, level, code, reference):
    found = table[(table["level"] == level) & (table["code_id"] == code)
                  & (table["reference"] == reference)]
    assert len(found) == 1
    return found.iloc[0]


@pytest.fixture
def table():
    return validity_table(worked_example(), SEGMENTS, HIERARCHY, ["coder_a", "coder_b"])


def test_concept_counts_and_scores_against_one_coder(table):
    a1 = row(table, "concept", "a1", "coder_a")
    # Only D1 was coded by coder_a, so auto's a1 on D2 is not judged.
    assert (a1.n_documents, a1.n_auto, a1.n_reference, a1.n_both) == (1, 3, 2, 2)
    assert a1.precision == pytest.approx(2 / 3, abs=1e-4)
    assert a1.recall == 1.0 and a1.f1 == pytest.approx(0.8)
    a2 = row(table, "concept", "a2", "coder_a")
    assert (a2.n_auto, a2.n_reference, a2.n_both, a2.f1) == (1, 1, 0, 0.0)
    b1 = row(table, "concept", "b1", "coder_a")
    assert b1.precision == 0.0 and math.isnan(b1.recall) and b1.f1 == 0.0


def test_a_higher_level_is_present_when_any_concept_below_it_is(table):
    a_cat = row(table, "category", "A1", "coder_a")
    assert (a_cat.n_auto, a_cat.n_reference, a_cat.n_both) == (4, 3, 3)
    assert a_cat.f1 == pytest.approx(6 / 7, abs=1e-4)
    overall = row(table, "concept", "__overall__", "coder_a")
    assert (overall.n_auto, overall.n_reference, overall.n_both) == (5, 3, 2)


def test_consensus_leaves_out_the_segments_the_humans_dispute(table):
    # a1: both humans on seg 0, only coder_a on seg 1 (disputed, left out).
    a1 = row(table, "concept", "a1", "consensus")
    assert (a1.n_auto, a1.n_reference, a1.n_both) == (2, 1, 1)
    assert a1.f1 == pytest.approx(2 / 3, abs=1e-4)


def test_the_human_ceiling_is_the_f1_between_the_coders(table):
    # a1: coder_a {0, 1}, coder_b {0}: F1 = 2·1 / (2 + 1).
    assert row(table, "concept", "a1", "coder_a").human_f1 == pytest.approx(2 / 3, abs=1e-4)
    assert row(table, "concept", "a1", "coder_b").human_f1 == pytest.approx(2 / 3, abs=1e-4)
    assert row(table, "concept", "a1", "consensus").human_f1 == pytest.approx(2 / 3, abs=1e-4)


def test_f1_is_the_harmonic_mean_of_precision_and_recall(table):
    defined = table.dropna(subset=["precision", "recall"])
    defined = defined[(defined["precision"] + defined["recall"]) > 0]
    harmonic = 2 * defined["precision"] * defined["recall"] / (defined["precision"] + defined["recall"])
    assert (defined["f1"] - harmonic).abs().max() < 1e-3


def test_declared_coverage_counts_a_document_without_codings():
    codings = worked_example()
    coverage = human_coverage(codings, reviews={"coder_b": {"D2"}})
    assert coverage == {"coder_a": {"D1"}, "coder_b": {"D1", "D2"}}
    with_d2 = validity_table(codings, SEGMENTS, HIERARCHY, [], coverage=coverage)
    a1 = row(with_d2, "concept", "a1", "coder_b")
    assert (a1.n_documents, a1.n_auto, a1.n_reference) == (2, 4, 1)


def test_a_turn_wide_coding_covers_every_sentence_it_overlaps():
    wide = pd.DataFrame([{"doc_id": "D1", "seg_id": 2, "start": 20, "end": 50, "concept_id": "a1",
                          "coder": "auto"}])
    assert sorted(sentence_units(wide, SEGMENTS)["seg_id"]) == [2, 3, 4]


def test_each_code_carries_its_mean_f1_human_ceiling_and_status(table):
    validity = with_code_means(table, 0.5)
    status = concept_status(validity, ["a1", "a2", "b1", "b9"]).set_index("concept_id")
    # a1: F1 2·2/(3+2) = 0.8 against coder_a, 2·1/(3+1) = 0.5 against coder_b.
    assert status.at["a1", "mean_auto_f1"] == pytest.approx(0.65, abs=1e-4)
    assert status.at["a1", "status"] == "validated"
    assert status.at["a2", "status"] == "validated"   # mean(0, 1) = 0.5: at the bar passes
    assert status.at["b1", "status"] == "failed"      # auto only: F1 0 against both
    assert status.at["b9", "status"] == "unvalidated"  # not in the table
    assert math.isnan(status.at["b9", "mean_auto_f1"])
    # The human ceiling, coder_a against coder_b on D1: a1 on {0, 1} vs {0} -> 2·1/(2+1);
    # a2 on {2} vs {3} -> 0; b1 coded by neither -> no F1.
    assert status.at["a1", "mean_human_f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert status.at["a2", "mean_human_f1"] == 0.0
    assert math.isnan(status.at["b1", "mean_human_f1"])
    # The per-code columns repeat on every reference row of the code, consensus included.
    a1 = validity[(validity["level"] == "concept") & (validity["code_id"] == "a1")]
    assert len(a1) == 3 and a1["status"].eq("validated").all()
    assert a1["mean_auto_f1"].nunique() == 1 and a1["mean_human_f1"].nunique() == 1
    # Codes of the higher levels get theirs too (A1 pools a1 and a2 on a segment basis).
    assert set(validity.loc[validity["level"] == "category", "status"]) <= {"validated", "failed"}


def test_a_code_no_reference_scores_is_unvalidated():
    no_b1 = worked_example()
    no_b1 = no_b1[no_b1["concept_id"] != "b1"]
    validity = with_code_means(validity_table(no_b1, SEGMENTS, HIERARCHY, []), 0.5)
    b1 = validity[(validity["level"] == "concept") & (validity["code_id"] == "b1")]
    assert len(b1) == 2 and b1["f1"].isna().all()
    assert b1["status"].eq("unvalidated").all() and b1["mean_auto_f1"].isna().all()
    assert concept_status(validity, ["b1"]).at[0, "status"] == "unvalidated"


def test_rule_audit_lists_misfires_and_misses_and_ranks_phrases():
    audit, phrases = rule_audit(worked_example(), SEGMENTS)
    misfires = audit[audit["kind"] == "auto_only"]
    assert set(zip(misfires["concept_id"], misfires["seg_id"])) == {("a1", 2), ("b1", 4)}
    assert misfires.set_index("concept_id").at["b1", "phrase"] == "x+"
    misses = audit[audit["kind"] == "human_only"]
    assert set(zip(misses["concept_id"], misses["seg_id"], misses["coders"])) == {("a2", 2, "coder_a")}
    top = phrases.iloc[0]
    assert (top.rule, top.n_fired, top.n_misfired, top.misfire_rate) == ("regex:x+", 1, 1, 1.0)
    by_rule = phrases.set_index("rule")
    assert (by_rule.at["any:排名", "n_fired"], by_rule.at["any:排名", "n_confirmed"]) == (3, 2)


def test_documents_no_human_reviewed_change_neither_validity_nor_audit():
    """The rules are judged on reviewed documents only, so the auto codings (and segments) of a
    document nobody reviewed are left out before any sentence units are made."""
    from gtflow.coding.validity import on_reviewed_documents

    segments = pd.concat([SEGMENTS, pd.DataFrame({
        "doc_id": ["D3"] * 3, "seg_id": [0, 1, 2], "turn": [0, 0, 0], "start": [0, 10, 20],
        "end": [10, 20, 30], "text": ["t0", "t1", "t2"]})], ignore_index=True)
    unreviewed = pd.DataFrame([
        {"doc_id": "D3", "seg_id": 0, "start": 0, "end": 30, "concept_id": "a1", "coder": "auto",
         "origin": "auto", "rule": "any:排名"},  # a turn-wide coding
        {"doc_id": "D3", "seg_id": 2, "start": 20, "end": 30, "concept_id": "b1", "coder": "auto",
         "origin": "auto", "rule": "regex:x+"}])
    codings = worked_example()
    more = pd.concat([codings.iloc[:3], unreviewed, codings.iloc[3:]], ignore_index=True)
    coverage = human_coverage(codings)
    kept, kept_segments = on_reviewed_documents(more, segments, coverage)
    assert set(kept["doc_id"]) == set(kept_segments["doc_id"]) == {"D1"}
    expected = validity_table(codings, SEGMENTS, HIERARCHY, ["coder_a", "coder_b"])
    assert (expected["n_auto"] > 0).any()
    pd.testing.assert_frame_equal(
        validity_table(more, segments, HIERARCHY, ["coder_a", "coder_b"]), expected)
    for got, want in zip(rule_audit(more, segments), rule_audit(codings, SEGMENTS)):
        assert len(want) > 0
        pd.testing.assert_frame_equal(got, want)
