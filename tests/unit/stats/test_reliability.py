"""Tests for gtflow.stats.reliability against published worked examples.

Every expected value below is printed in the cited source; the data are transcribed from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtflow.errors import ConfigError, InputError
from gtflow.stats.reliability import (
    AGREEMENT_COLUMNS,
    OVERALL,
    _bootstrap_index_chunks,
    bootstrap_alpha_ci,
    cohen_kappa,
    concept_agreement,
    disagreements,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)

nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
# Communication Departmental Papers 43, section C "Nominal data, any number of observers,
# missing data": observers A-D (rows) × units 1-12 (columns), "." = missing.
KRIPP_2011_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]

# Krippendorff (2011), section A "Binary or dichotomous data, two observers, no missing
# data": ten units.
KRIPP_2011_A = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]

# Krippendorff (2011), section B "Nominal data, two observers, no missing data": twelve units
# coded a-e.
KRIPP_2011_B = (
    list("aabbdcccedda"),
    list("babbbccceddd"),
)

# Krippendorff, Content Analysis (2004/2013), the three-coder fifteen-unit example reproduced
# in Wikipedia "Krippendorff's alpha", section "A computational example" (nominal alpha 0.691).
KRIPP_3_CODERS = [
    [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
]

# Wikipedia "Fleiss' kappa", section "Worked example": 10 subjects, 14 raters, 5 categories.
FLEISS_WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss (1971), Psychological Bulletin 76(5): 378-382, Table 1: 30 patients, 6 psychiatrists
# each, 5 diagnoses (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis,
# 5 other), given here as the six diagnoses per patient (as in R irr's `diagnoses` data).
FLEISS_1971_DIAGNOSES = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]


def _labels_from_table(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """Two coders' label lists from a square agreement table (rows coder A, columns B)."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


# --------------------------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("level, expected", [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797),
])
def test_alpha_krippendorff_2011_four_observers_missing_data(level, expected):
    """Krippendorff (2011) sections C-F print alpha for the 4-observer × 12-unit data with
    missing values: nominal .743, ordinal .815, interval .849, ratio .797."""
    assert krippendorff_alpha(KRIPP_2011_C, level) == pytest.approx(expected, abs=5e-4)


def test_alpha_krippendorff_2011_binary_two_observers():
    """Krippendorff (2011) section A: o01 = 4, n0 = 14, n1 = 6, alpha = 1 - 19*4/(14*6) = .095."""
    assert krippendorff_alpha(KRIPP_2011_A) == pytest.approx(0.095, abs=5e-4)
    assert krippendorff_alpha(KRIPP_2011_A) == pytest.approx(1 - 19 * 4 / (14 * 6))


def test_alpha_krippendorff_2011_nominal_two_observers():
    """Krippendorff (2011) section B: nominal alpha = .692 for the a-e data (12 units)."""
    codes = {c: i for i, c in enumerate("abcde")}
    data = [[codes[x] for x in coder] for coder in KRIPP_2011_B]
    assert krippendorff_alpha(data) == pytest.approx(0.692, abs=5e-4)


def test_alpha_three_coder_computational_example():
    """Wikipedia "Krippendorff's alpha", "A computational example" (from Krippendorff's
    Content Analysis): three coders, fifteen units with gaps, nominal alpha = 0.691."""
    assert krippendorff_alpha(KRIPP_3_CODERS) == pytest.approx(0.691, abs=5e-4)


def test_alpha_is_nan_when_undefined():
    """No variation (expected disagreement 0) or no unit with two values: alpha undefined."""
    assert np.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]))
    assert np.isnan(krippendorff_alpha([[1, nan], [nan, 2]]))
    assert np.isnan(krippendorff_alpha([[1, 1, nan], [1, 1, 2]]))  # the 2 has no partner
    assert np.isnan(krippendorff_alpha(np.empty((2, 0))))


def test_alpha_rejects_unknown_level_and_bad_shape():
    with pytest.raises(ValueError, match="level of measurement"):
        krippendorff_alpha(KRIPP_2011_C, "circular")
    with pytest.raises(ValueError, match="coders × units"):
        krippendorff_alpha([1, 2, 3])


# --------------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------------

def test_bootstrap_is_deterministic_and_brackets_the_estimate():
    """Same seed, same interval; the Krippendorff (2011) C estimate lies inside its interval."""
    first = bootstrap_alpha_ci(KRIPP_2011_C, "interval", n_boot=300, seed=7)
    again = bootstrap_alpha_ci(KRIPP_2011_C, "interval", n_boot=300, seed=7)
    other = bootstrap_alpha_ci(KRIPP_2011_C, "interval", n_boot=300, seed=8)
    assert first == again
    assert first != other
    assert first[0] <= 0.849 <= first[1]


def test_bootstrap_undefined_everywhere_gives_nan():
    low, high = bootstrap_alpha_ci([[1, 1, 1], [1, 1, 1]], n_boot=20, seed=0)
    assert np.isnan(low) and np.isnan(high)


def test_bootstrap_rejects_bad_settings():
    with pytest.raises(ValueError):
        bootstrap_alpha_ci(KRIPP_2011_C, n_boot=0)
    with pytest.raises(ValueError):
        bootstrap_alpha_ci(KRIPP_2011_C, ci=1.5)


# --------------------------------------------------------------------------------------------
# Cohen, percent agreement, Fleiss
# --------------------------------------------------------------------------------------------

def test_cohen_kappa_wikipedia_grant_proposals():
    """Wikipedia "Cohen's kappa", "Simple example": 50 proposals, yes/yes 20, yes/no 5,
    no/yes 10, no/no 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    a, b = _labels_from_table([[20, 5], [10, 15]])
    assert percent_agreement(a, b) == pytest.approx(0.7)
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_sas_three_categories():
    """SAS PROC FREQ "Simple Kappa Coefficient" example as quoted in statsmodels'
    test_inter_rater.py: table [[0,4,1],[0,8,0],[0,1,5]] -> kappa 0.4842."""
    a, b = _labels_from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    assert cohen_kappa(a, b) == pytest.approx(0.4842, abs=5e-5)


def test_cohen_and_percent_skip_missing_and_handle_degenerate():
    assert percent_agreement(["x", None, "y"], ["x", "y", nan]) == 1.0
    assert np.isnan(percent_agreement([], []))
    assert np.isnan(cohen_kappa(["x", "x"], ["x", "x"]))  # p_e = 1
    with pytest.raises(ValueError, match="different number"):
        cohen_kappa(["x"], ["x", "y"])


def test_fleiss_kappa_wikipedia_worked_example():
    """Wikipedia "Fleiss' kappa", "Worked example": P-bar = 0.378, P-bar_e = 0.213,
    kappa = 0.210."""
    assert fleiss_kappa(FLEISS_WIKIPEDIA) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_kappa_fleiss_1971_table_1():
    """Fleiss (1971) Table 1 (30 patients × 6 raters): kappa = .430; R irr::kappam.fleiss
    prints 0.4302445 for the same data."""
    diagnoses = np.asarray(FLEISS_1971_DIAGNOSES)
    table = np.stack([(diagnoses == c).sum(axis=1) for c in range(1, 6)], axis=1)
    assert fleiss_kappa(table) == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_kappa_rejects_unequal_raters_and_handles_one_category():
    with pytest.raises(ValueError, match="same number of raters"):
        fleiss_kappa([[2, 1], [1, 1]])
    with pytest.raises(ValueError):
        fleiss_kappa([[1, 0], [0, 1]])  # one rater per unit
    assert np.isnan(fleiss_kappa([[3, 0], [3, 0]]))


# --------------------------------------------------------------------------------------------
# Tables on the data contracts
# --------------------------------------------------------------------------------------------

def _segments(n_units: int, doc_id: str = "d1") -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": doc_id,
        "seg_id": [f"{doc_id}-s{i:02d}" for i in range(n_units)],
        "speaker": "A",
        "start": [10 * i for i in range(n_units)],
        "end": [10 * i + 9 for i in range(n_units)],
        "text": [f"text {i}" for i in range(n_units)],
    })


def _codings(values: dict[tuple[str, str], list[int]], segments: pd.DataFrame) -> pd.DataFrame:
    """Codings from {(coder, concept): 0/1 per segment}."""
    rows = []
    for (coder, concept), flags in values.items():
        for flag, (_, seg) in zip(flags, segments.iterrows()):
            if flag:
                rows.append({"doc_id": seg["doc_id"], "seg_id": seg["seg_id"],
                             "start": seg["start"], "end": seg["end"], "concept_id": concept,
                             "coder": coder, "origin": "csv", "rule": ""})
    return pd.DataFrame(rows, columns=["doc_id", "seg_id", "start", "end", "concept_id",
                                       "coder", "origin", "rule"])


def test_concept_agreement_reproduces_krippendorff_binary_example():
    """Krippendorff (2011) section A as one concept over ten segments: alpha = .095; the
    Cohen's kappa and percent agreement columns equal the standalone coefficients."""
    segments = _segments(10)
    codings = _codings({("A", "c1"): KRIPP_2011_A[0], ("B", "c1"): KRIPP_2011_A[1]}, segments)
    table = concept_agreement(codings, segments, ["A", "B"], n_boot=200, seed=1)
    assert list(table.columns) == AGREEMENT_COLUMNS
    row = table.set_index("concept_id").loc["c1"]
    assert row["krippendorff_alpha"] == pytest.approx(0.095, abs=5e-4)
    assert row["n_units"] == 10 and row["n_positive_units"] == 5
    # n11 = 1 (unit 2), n10 = 1 (unit 9), n01 = 3 (units 1, 3, 6): 2 / (2 + 1 + 3).
    assert row["positive_agreement"] == pytest.approx(1 / 3)
    assert row["cohen_kappa"] == pytest.approx(cohen_kappa(*KRIPP_2011_A))


def test_concept_agreement_wikipedia_cohen_example_as_a_concept():
    """Wikipedia "Cohen's kappa" simple example recoded as applied (yes) / not (no) on 50
    segments: kappa = 0.4; positive agreement 2*20 / (2*20 + 5 + 10) = 40/55."""
    a, b = _labels_from_table([[20, 5], [10, 15]])
    flags_a = [1 - x for x in a]  # category 0 = "yes" = applied
    flags_b = [1 - x for x in b]
    segments = _segments(50)
    codings = _codings({("A", "grant"): flags_a, ("B", "grant"): flags_b}, segments)
    row = concept_agreement(codings, segments, ["A", "B"], n_boot=50).iloc[0]
    assert row["concept_id"] == "grant"
    assert row["cohen_kappa"] == pytest.approx(0.4)
    assert row["positive_agreement"] == pytest.approx(40 / 55)
    assert row["gwet_ac1"] == pytest.approx(gwet_ac1([flags_a, flags_b]))


def _three_coder_study(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    segments = pd.concat([_segments(30, "d1"), _segments(25, "d2")], ignore_index=True)
    truth = {c: rng.random(len(segments)) < p for c, p in [("a1", 0.3), ("a2", 0.15),
                                                            ("b1", 0.5)]}
    values = {}
    for coder in ["K1", "K2", "K3"]:
        for concept, t in truth.items():
            noise = rng.random(len(segments)) < 0.12
            values[(coder, concept)] = (t ^ noise).astype(int).tolist()
    return segments, _codings(values, segments), values


def test_concept_agreement_three_coders_matches_package_and_bootstrap():
    """Three coders: alpha equals the krippendorff package on each concept's 0/1 matrix, the
    interval equals bootstrap_alpha_ci (package, unit resampling) with the same seed, and the
    pooled row equals alpha of all concept × unit columns side by side."""
    segments, codings, values = _three_coder_study()
    table = concept_agreement(codings, segments, ["K1", "K2", "K3"], n_boot=120, seed=5)
    assert list(table["concept_id"]) == ["a1", "a2", "b1", OVERALL]
    assert table["cohen_kappa"].isna().all()
    pooled = []
    for concept in ["a1", "a2", "b1"]:
        matrix = np.array([values[(c, concept)] for c in ["K1", "K2", "K3"]])
        pooled.append(matrix)
        row = table.set_index("concept_id").loc[concept]
        assert row["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(matrix), abs=1e-12)
        low, high = bootstrap_alpha_ci(matrix, "nominal", n_boot=120, seed=5)
        assert row["alpha_ci_low"] == pytest.approx(low, abs=1e-12)
        assert row["alpha_ci_high"] == pytest.approx(high, abs=1e-12)
        ones = matrix.sum(axis=0)
        specific = (ones * (ones - 1)).sum() / (ones * 2).sum()   # sum k(k-1) / sum k(m-1)
        assert row["positive_agreement"] == pytest.approx(specific)
        assert row["gwet_ac1"] == pytest.approx(gwet_ac1(matrix, categories=[0, 1]))
        assert row["alpha_ci_usable"] == 120 and row["ci_resamples"] == 120
    overall = table.set_index("concept_id").loc[OVERALL]
    stacked = np.concatenate(pooled, axis=1)
    assert overall["n_units"] == stacked.shape[1]
    assert overall["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(stacked))
    # The pooled interval resamples segments with all their concepts: recompute each
    # replicate with the package from the same resamples.
    replicates = [krippendorff_alpha(np.concatenate([m[:, row] for m in pooled], axis=1))
                  for block in _bootstrap_index_chunks(len(segments), 120, 5) for row in block]
    low, high = np.quantile(replicates, [0.025, 0.975])
    assert overall["alpha_ci_low"] == pytest.approx(low, abs=1e-12)
    assert overall["alpha_ci_high"] == pytest.approx(high, abs=1e-12)


def test_concept_agreement_is_deterministic():
    segments, codings, _ = _three_coder_study()
    first = concept_agreement(codings, segments, ["K1", "K2", "K3"], n_boot=80, seed=11)
    again = concept_agreement(codings.sample(frac=1, random_state=2), segments,
                              ["K1", "K2", "K3"], n_boot=80, seed=11)
    pd.testing.assert_frame_equal(first, again)


def test_concept_agreement_units_docs_and_level_map():
    """By default only documents both coders coded are units; a level map pools concepts;
    unlisted coders are ignored; concepts nobody listed applied are omitted."""
    segments = pd.concat([_segments(4, "d1"), _segments(3, "d2")], ignore_index=True)
    codings = _codings({
        ("A", "a1"): [1, 0, 0, 0, 1, 0, 0],
        ("A", "a2"): [0, 1, 0, 0, 0, 0, 0],
        ("B", "a1"): [1, 1, 0, 0, 0, 0, 0],
        ("Z", "z9"): [0, 0, 1, 0, 0, 0, 0],
    }, segments)
    table = concept_agreement(codings, segments, ["A", "B"], n_boot=30)
    assert list(table["concept_id"]) == ["a1", "a2", OVERALL]  # d2 only coded by A
    assert set(table["n_units"]) == {4, 8}
    by_category = concept_agreement(codings, segments, ["A", "B"], n_boot=30,
                                    concept_level_map={"a1": "A1", "a2": "A1", "z9": "Z1"})
    row = by_category.set_index("concept_id").loc["A1"]
    assert row["positive_agreement"] == 1.0 and row["n_positive_units"] == 2
    with pytest.raises(ConfigError, match="reliability.documents.*fewer than two of the coders reviewed: d2"):
        concept_agreement(codings, segments, ["A", "B"], doc_ids=["d2"], n_boot=30)
    both = {"A": frozenset({"d1", "d2"}), "B": frozenset({"d1", "d2"})}
    only_d2 = concept_agreement(codings, segments, ["A", "B"], doc_ids=["d2"], n_boot=30,
                                coverage=both)
    assert list(only_d2["concept_id"]) == ["a1", OVERALL]
    with pytest.raises(InputError, match="no parent code"):
        concept_agreement(codings, segments, ["A", "B"], concept_level_map={"a1": "A1"})


def test_concept_agreement_degenerate_all_applied_gives_nan():
    """Every coder applied the concept to every unit: no variation, alpha and kappa NaN."""
    segments = _segments(5)
    codings = _codings({("A", "c"): [1] * 5, ("B", "c"): [1] * 5}, segments)
    row = concept_agreement(codings, segments, ["A", "B"], n_boot=20).iloc[0]
    assert row["positive_agreement"] == 1.0 and row["gwet_ac1"] == 1.0
    assert np.isnan(row["krippendorff_alpha"]) and np.isnan(row["cohen_kappa"])
    assert np.isnan(row["alpha_ci_low"]) and np.isnan(row["alpha_ci_high"])
    assert row["alpha_ci_usable"] == 0 and row["ci_resamples"] == 20


def test_concept_agreement_edge_cases():
    segments = _segments(4)
    codings = _codings({("A", "c"): [1, 0, 0, 0]}, segments)
    with pytest.raises(InputError, match="coder\\(s\\) B"):
        concept_agreement(codings, segments, ["A", "B"])
    with pytest.raises(InputError, match="two different coders"):
        concept_agreement(codings, segments, ["A"])
    both_d1 = {"A": frozenset({"d1"}), "B": frozenset({"d1"})}
    empty = concept_agreement(codings.iloc[:0], segments, ["A", "B"], coverage=both_d1)
    assert empty.empty and list(empty.columns) == AGREEMENT_COLUMNS
    stray = codings.assign(seg_id="nope")
    with pytest.raises(InputError, match="does not match any segment"):
        concept_agreement(pd.concat([stray, _codings({("B", "c"): [1, 0, 0, 0]}, segments)]),
                          segments, ["A", "B"])
    with pytest.raises(InputError, match="not found"):
        concept_agreement(codings, segments, ["A", "B"], doc_ids=["d9"],
                          coverage={"A": frozenset({"d9"}), "B": frozenset({"d9"})})


def test_disagreements_lists_differing_segments_in_order():
    segments = pd.concat([_segments(3, "d2"), _segments(3, "d1")], ignore_index=True)
    codings = _codings({
        ("A", "a1"): [1, 0, 1, 0, 1, 0],
        ("A", "b2"): [1, 0, 0, 0, 0, 0],
        ("B", "a1"): [1, 1, 1, 0, 1, 0],
        ("B", "b2"): [0, 0, 0, 0, 0, 0],
    }, segments)
    table = disagreements(codings, segments, ["A", "B"])
    assert list(table.columns) == ["doc_id", "seg_id", "text", "A", "B"]
    assert table.to_dict("records") == [
        {"doc_id": "d2", "seg_id": "d2-s00", "text": "text 0", "A": "a1; b2", "B": "a1"},
        {"doc_id": "d2", "seg_id": "d2-s01", "text": "text 1", "A": "", "B": "a1"},
    ]
    both = {"A": frozenset({"d1", "d2"}), "B": frozenset({"d1", "d2"})}
    assert disagreements(codings.iloc[:0], segments, ["A", "B"], coverage=both).empty


# --------------------------------------------------------------------------------------------
# Gwet's AC1
# --------------------------------------------------------------------------------------------

# Gwet, Handbook of Inter-Rater Reliability (4th ed., 2014), the four-rater, twelve-unit
# example with missing ratings (R package irrCAC, data set cac.raw4raters): 5 categories.
GWET_4_RATERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, nan],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


def test_gwet_ac1_handbook_four_raters_with_missing_ratings():
    """Published: p_a = 0.8181818, p_e = 0.1903212, AC1 = 0.77544. By hand: 11 units have two
    or more ratings and their agreement sums to 9 (p_a = 9/11); pi = (3, 3.25, 3.5, 1.25,
    1)/12 over the 12 rated units; p_e = sum pi (1 - pi) / (5 - 1)."""
    pi = np.array([3, 3.25, 3.5, 1.25, 1]) / 12
    p_e = (pi * (1 - pi)).sum() / 4
    assert p_e == pytest.approx(0.1903212, abs=5e-8)
    expected = (9 / 11 - p_e) / (1 - p_e)
    assert gwet_ac1(GWET_4_RATERS) == pytest.approx(expected, abs=1e-12)
    assert round(gwet_ac1(GWET_4_RATERS), 5) == 0.77544


def test_gwet_ac1_matches_irrcac_on_random_data_with_missing_ratings():
    """Cross-check with irrCAC (a port of Gwet's R package), giving it the categories: its
    default scale counts NaN as a category when ratings are missing. irrCAC is not a declared
    dependency (its pins conflict with ours; .ci/run installs it with --no-deps): the published
    example above is the binding test, this one adds random cases where irrCAC is present."""
    CAC = pytest.importorskip(
        "irrCAC.raw", reason="irrCAC is not installed (pip install --no-deps irrCAC==0.4.4)").CAC
    rng = np.random.default_rng(7)
    for n_coders, n_units, q in [(2, 40, 2), (3, 30, 4), (5, 25, 3)]:
        data = rng.integers(1, q + 1, size=(n_coders, n_units)).astype(float)
        data[rng.random(data.shape) < 0.2] = nan
        data[:, 0] = 1.0  # every category list starts the same; no unit is empty
        ratings = pd.DataFrame(data.T)
        est = CAC(ratings, categories=list(map(float, range(1, q + 1))),
                      digits=10).gwet()["est"]
        assert gwet_ac1(data, categories=range(1, q + 1)) == pytest.approx(
            est["coefficient_value"], abs=1e-9)


def test_gwet_ac1_stays_meaningful_for_a_rare_code():
    """One agreed positive in 1,000 units: AC1 is 1. When the coders each mark a different
    unit, kappa falls to about 0 (the prevalence paradox) while AC1 stays near p_a = 0.998."""
    agreed = np.zeros((2, 1000))
    agreed[:, 3] = 1
    assert gwet_ac1(agreed) == pytest.approx(1.0)
    split = np.zeros((2, 1000))
    split[0, 3] = split[1, 4] = 1
    # (1000*998 - (999*999 + 1*1)) / (1000^2 - 998002) = -2/1998
    assert cohen_kappa(*split) == pytest.approx(-2 / 1998)
    p_a, pi = 998 / 1000, 2 / 2000
    assert gwet_ac1(split) == pytest.approx((p_a - 2 * pi * (1 - pi)) / (1 - 2 * pi * (1 - pi)))
    nobody = np.zeros((2, 50))
    assert np.isnan(gwet_ac1(nobody)) and gwet_ac1(nobody, categories=[0, 1]) == 1.0


def test_gwet_ac1_undefined_and_bad_input():
    assert np.isnan(gwet_ac1([[1, nan], [nan, 2]]))    # no unit with two ratings
    with pytest.raises(ValueError, match="outside the given categories: 7"):
        gwet_ac1([[1, 7], [1, 1]], categories=[0, 1])


# --------------------------------------------------------------------------------------------
# Precision, coverage and the smallest tables
# --------------------------------------------------------------------------------------------

def test_kappa_is_one_for_one_agreed_rare_positive_among_400000_units():
    """p_e = 1 - 5e-6 is 'close' to 1 for np.isclose, but two categories occur: kappa = 1."""
    labels = np.zeros(400_000, dtype=int)
    labels[123_456] = 1
    assert cohen_kappa(labels.tolist(), labels.tolist()) == 1.0
    segments = _segments(400_000 // 1000)
    flags = [0] * len(segments)
    flags[17] = 1
    codings = _codings({("A", "c"): flags, ("B", "c"): flags}, segments)
    row = concept_agreement(codings, segments, ["A", "B"], n_boot=5).iloc[0]
    assert row["cohen_kappa"] == 1.0 and row["krippendorff_alpha"] == 1.0


def test_reviewed_empty_documents_count_as_zeros_and_unreviewed_ones_are_missing():
    """d2: A coded one segment; B reviewed d2 (declared) and coded nothing there, so d2's
    segments are units with B = 0. C did not review d2: C's values there are missing, and
    alpha equals the package's with NaN for them."""
    segments = pd.concat([_segments(4, "d1"), _segments(3, "d2")], ignore_index=True)
    flags = {("A", "c"): [1, 0, 1, 0, 1, 0, 0], ("B", "c"): [1, 0, 0, 0, 0, 0, 0],
             ("C", "c"): [1, 0, 1, 1, 0, 0, 0]}
    codings = _codings(flags, segments)
    coverage = {"A": frozenset({"d1", "d2"}), "B": frozenset({"d1", "d2"}),
                "C": frozenset({"d1"})}
    two = concept_agreement(codings, segments, ["A", "B"], coverage=coverage, n_boot=10)
    row = two.iloc[0]
    assert row["n_units"] == 7
    assert row["cohen_kappa"] == pytest.approx(cohen_kappa(flags[("A", "c")], flags[("B", "c")]))
    three = concept_agreement(codings, segments, ["A", "B", "C"], coverage=coverage, n_boot=10)
    matrix = np.array([flags[(c, "c")] for c in "ABC"], dtype=float)
    matrix[2, 4:] = nan
    assert three.iloc[0]["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(matrix))
    assert three.iloc[0]["gwet_ac1"] == pytest.approx(gwet_ac1(matrix, categories=[0, 1]))
    table = disagreements(codings, segments, ["A", "B", "C"], coverage=coverage)
    assert table[["seg_id", "A", "B", "C"]].values.tolist() == [
        ["d1-s02", "c", "", "c"], ["d1-s03", "", "", "c"], ["d2-s00", "c", "", "(not reviewed)"]]


def test_min_positive_units_flags_too_few_coded_units():
    segments = _segments(20)
    codings = _codings({("A", "rare"): [1] + [0] * 19, ("B", "rare"): [1] + [0] * 19,
                        ("A", "common"): [1] * 6 + [0] * 14,
                        ("B", "common"): [1] * 5 + [0] * 15}, segments)
    table = concept_agreement(codings, segments, ["A", "B"], n_boot=10,
                              min_positive_units=5).set_index("concept_id")
    assert table.loc["rare", "n_positive_units"] == 1 and not table.loc["rare", "enough_positive"]
    assert table.loc["common", "n_positive_units"] == 6 and table.loc["common", "enough_positive"]


@settings(max_examples=15, deadline=None)
@given(flags=st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=6,
                      max_size=12),
       unreviewed=st.lists(st.booleans(), min_size=1, max_size=6),
       declare=st.booleans())
def test_a_document_no_coder_reviewed_changes_no_coefficient(flags, unreviewed, declare):
    """Property: segments (and auto-codings) of a document that none of the compared coders
    reviewed leave every column of the agreement table unchanged."""
    flags = [(True, True, flags[0][2]), *flags[1:]]   # each coder coded d1 at least once
    segments = _segments(len(flags), "d1")
    codings = _codings({("A", "c"): [a for a, _, _ in flags],
                        ("B", "c"): [b for _, b, _ in flags],
                        ("A", "k"): [k for _, _, k in flags]}, segments)
    coverage = {"A": frozenset({"d1"}), "B": frozenset({"d1"})} if declare else None
    extra = _segments(len(unreviewed), "d9")
    auto = _codings({("auto", "c"): unreviewed}, extra)
    before = concept_agreement(codings, segments, ["A", "B"], n_boot=15, seed=3,
                               coverage=coverage)
    after = concept_agreement(pd.concat([codings, auto], ignore_index=True),
                              pd.concat([segments, extra], ignore_index=True), ["A", "B"],
                              n_boot=15, seed=3, coverage=coverage)
    pd.testing.assert_frame_equal(before, after)
